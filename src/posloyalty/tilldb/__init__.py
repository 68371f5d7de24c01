"""Terminal local store: SQLAlchemy 2.x over SQLite (WAL), schema versions, repositories.

- :mod:`.db`: ``Database.open(path)`` validates the file, migrates (``migrations``), and gives
  ``write()`` (BEGIN IMMEDIATE) / ``read()`` (snapshot) sessions.
- :mod:`.models` / :mod:`.migrations`: the tables and their versioned creation steps.
- :mod:`.repo`: queries and writes, ``record_sale`` (sale + lines + payments + ledger + outbox).
- :mod:`.records`: the plain records ``record_sale`` takes; ledger row <-> ``LedgerEntry``.
- :mod:`.backup`, :mod:`.importer`, :mod:`.demo`: operations behind ``posloyalty terminal``.
- :mod:`.errors`: what callers can act on (version, corrupt, unavailable, bad data).
"""

"""Terminal local store: SQLAlchemy 2.x over SQLite (WAL), schema versions, repositories.

- :mod:`.db`: ``Database.open(path)`` validates the file, migrates (``migrations``), and gives
  ``write()`` (BEGIN IMMEDIATE) / ``read()`` (snapshot) sessions.
- :mod:`.models`: the one description of the current schema (tables, indexes, triggers); a new
  database is created from it, :mod:`.migrations` upgrades older ones step by step.
- :mod:`.repo`: the ledger and sales, ``record_sale`` (sale + lines + payments + ledger +
  outbox); per aggregate: :mod:`.settings`, :mod:`.products`, :mod:`.members`,
  :mod:`.cashiers`, :mod:`.rules`, :mod:`.audit_log`, :mod:`.catalogue`, :mod:`.pulled` (the
  slice HQ sends), :mod:`.outbox_reader` (what the push sends).
- :mod:`.records`: the plain records ``record_sale`` takes; ledger row <-> ``LedgerEntry``.
- :mod:`.backup`, :mod:`.importer`, :mod:`.demo`: operations behind ``posloyalty terminal``.
- :mod:`.errors`: what callers can act on (version, corrupt, unavailable, bad data).
"""

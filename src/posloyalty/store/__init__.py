"""Terminal local store: SQLAlchemy 2.x over SQLite (WAL), schema versions, repositories."""

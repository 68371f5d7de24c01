"""Alembic migrations of the HQ database (run by ``posloyalty.hq.db.migrate``)."""

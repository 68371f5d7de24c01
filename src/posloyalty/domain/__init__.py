"""Pure business rules: money, rule documents, pricing, points, tiers, lifecycle.

Nothing here imports Qt, SQLAlchemy, HTTP libraries, reads files or the clock.
"""

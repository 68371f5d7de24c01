"""Headquarters service: FastAPI app, authoritative ledger, enrolment, back office."""

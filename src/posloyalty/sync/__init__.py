"""Sync protocol shared by client and HQ, and the terminal's sync client."""

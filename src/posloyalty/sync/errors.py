"""Errors of the terminal's sync client; every message is plain words for the cashier's screen."""

from __future__ import annotations


class SyncError(Exception):
    """A sync step failed; nothing of the failed step was applied."""


class BadAnswer(SyncError):
    """HQ answered something that does not follow the protocol (garbage, wrong types)."""


class Offline(SyncError):
    """HQ cannot be reached (network down, HQ down or overloaded) after the retries."""


class NotEnrolled(SyncError):
    """The terminal has no credential, or HQ does not know it (HTTP 401)."""


class Revoked(SyncError):
    """HQ refuses this terminal's credential (HTTP 403): it was revoked."""


class Refused(SyncError):
    """HQ refused a request as invalid (HTTP 400/413/422); retrying would not help."""


class ChainBroken(SyncError):
    """The till's records do not match its hash chain (edited, deleted or inserted outside
    the till software): sync stops until HQ has looked at it."""

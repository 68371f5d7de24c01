"""Errors the HQ services raise; the API maps each class to an HTTP status, the CLI to exit 2."""

from __future__ import annotations


class HqError(Exception):
    """A refused request; the message is safe to show to the caller."""


class BadRequest(HqError):
    """The input is invalid."""


class NotAuthenticated(HqError):
    """No credential, or one HQ does not know."""


class Forbidden(HqError):
    """A known caller asked for something it may not do (revoked, another store's data)."""


class NotFound(HqError):
    """The thing asked for does not exist."""


class Refused(HqError):
    """The request conflicts with what HQ already holds."""


class Unreachable(HqError):
    """A service HQ relies on (the SMS provider) did not take the request; try again later."""

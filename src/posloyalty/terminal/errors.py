"""The terminal's refusals: one message for the cashier, nothing changed."""

from __future__ import annotations

__all__ = ["CheckoutError", "IllegalTransition", "StorageRefused"]


class CheckoutError(ValueError):
    """An action the terminal refuses; the message is for the cashier. Nothing changed."""


class IllegalTransition(CheckoutError):
    """The action is not possible in the session's current state."""


class StorageRefused(CheckoutError):
    """The database could not store the operation (read-only, full, locked); nothing changed."""

"""Operator roles and what each may do (pure; the pages ask :func:`allowed`).

- ``hq_admin``: everything, including operators, conflict resolution and member actions
  (revoke cards, rotate the secret, merge, erase on request) and stores and tills
  (enrolment codes, regions, revoking a till, clearing a broken hash chain).
- ``marketing``: members (reveal with a reason), rules (edit, preview, publish), reports.
- ``store_manager``: members and figures of their own stores only; reveal and adjust there.
- ``auditor``: reads everything (the audit trail too) and changes nothing; no reveal.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["ACTIONS", "ROLES", "Action", "Role", "allowed", "is_role"]

Role = Literal["hq_admin", "marketing", "store_manager", "auditor"]
Action = Literal[
    "view",
    "reveal",
    "adjust_points",
    "manage_members",
    "erase_members",
    "manage_stores",
    "resolve_conflicts",
    "edit_rules",
    "view_audit",
    "manage_operators",
    "chain_wide",
]

ROLES: tuple[Role, ...] = ("hq_admin", "marketing", "store_manager", "auditor")
ACTIONS: tuple[Action, ...] = (
    "view",
    "reveal",
    "adjust_points",
    "manage_members",
    "erase_members",
    "manage_stores",
    "resolve_conflicts",
    "edit_rules",
    "view_audit",
    "manage_operators",
    "chain_wide",
)

_GRANTS: dict[Role, frozenset[Action]] = {
    "hq_admin": frozenset(ACTIONS),
    "marketing": frozenset({"view", "reveal", "edit_rules", "chain_wide"}),
    "store_manager": frozenset({"view", "reveal", "adjust_points"}),
    "auditor": frozenset({"view", "view_audit", "chain_wide"}),
}


def is_role(text: str) -> bool:
    return text in _GRANTS


def allowed(role: str, action: Action) -> bool:
    """Whether ``role`` may do ``action`` (an unknown role may do nothing)."""
    grants = _GRANTS.get(role)  # type: ignore[call-overload]
    return grants is not None and action in grants

"""Rule documents (``rule_documents``): revisions kept, at most one active."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from posloyalty.tilldb.models import RuleDocument

__all__ = ["active_rule_document", "save_rule_document"]


def save_rule_document(
    session: Session, *, doc_id: str, revision: int, text_: str, activate: bool
) -> None:
    if activate:
        session.execute(update(RuleDocument).values(active=False))
    session.merge(RuleDocument(id=doc_id, revision=revision, text=text_, active=activate))
    session.flush()


def active_rule_document(session: Session) -> RuleDocument | None:
    return session.scalar(select(RuleDocument).where(RuleDocument.active.is_(True)))

"""Rule documents (``rule_documents``): revisions kept, at most one active."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from posloyalty.tilldb.models import RuleDocument

__all__ = ["RuleDocumentRecord", "active_rule_document", "save_rule_document"]


@dataclass(frozen=True, slots=True)
class RuleDocumentRecord:
    id: str
    revision: int
    text: str
    active: bool


def save_rule_document(
    session: Session, *, doc_id: str, revision: int, text_: str, activate: bool
) -> None:
    if activate:
        session.execute(update(RuleDocument).values(active=False))
    session.merge(RuleDocument(id=doc_id, revision=revision, text=text_, active=activate))
    session.flush()


def active_rule_document(session: Session) -> RuleDocumentRecord | None:
    doc = session.scalar(select(RuleDocument).where(RuleDocument.active.is_(True)))
    return RuleDocumentRecord(doc.id, doc.revision, doc.text, doc.active) if doc else None

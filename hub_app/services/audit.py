"""Audit trail of staff actions: who, what, to whom, when."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from hub_app.domain.errors import NotAllowed
from hub_app.domain.permissions import Actor, may_read_audit
from hub_app.i18n import format_short_datetime
from hub_app.models import AuditEntry, User


def record(session: Session, actor: Actor | None, action: str, *, target_type: str = "",
           target_id: int | None = None, detail: str = "") -> None:
    """Adds an entry to the caller's transaction."""
    session.add(AuditEntry(actor_id=actor.user_id if actor else None, action=action,
                           target_type=target_type, target_id=target_id, detail=detail[:1000]))


@dataclass
class AuditRow:
    id: int
    when: str
    actor: str
    action: str
    target: str
    detail: str


def list_entries(actor: Actor | None, *, session: Session, before_id: int | None = None,
                 limit: int = 50) -> list[AuditRow]:
    """Newest first, a page at a time (keyset on id)."""
    if not may_read_audit(actor):
        raise NotAllowed()
    query = select(AuditEntry, User.name).join(User, col(AuditEntry.actor_id) == User.id, isouter=True)
    if before_id:
        query = query.where(col(AuditEntry.id) < before_id)
    rows = session.exec(query.order_by(col(AuditEntry.id).desc()).limit(min(limit, 200))).all()
    return [
        AuditRow(id=entry.id, when=format_short_datetime(entry.created_at, actor.locale),
                 actor=name or "-", action=entry.action,
                 target=f"{entry.target_type} #{entry.target_id}" if entry.target_type else "",
                 detail=entry.detail)
        for entry, name in rows
    ]

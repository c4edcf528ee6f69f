from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from hub_app.models.base import UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    """Who did what to whom, when: every staff action writes one."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_created_id", "created_at", "id"),
        # The audit log's filters (revision 0010): who, about what, which action; newest first.
        Index("ix_audit_entries_actor_id", "actor_id", "id"),
        Index("ix_audit_entries_target_id", "target_type", "target_id", "id"),
        Index("ix_audit_entries_action_id", "action", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    action: str = Field(max_length=60)
    target_type: str = Field(default="", max_length=30)
    target_id: int | None = Field(default=None)
    detail: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))

"""Training certificates: one row per certificate issued to a member who completed a training.

What was printed (the name, the training's titles, its dates and hours) is kept on the row, so the
PDF and the public check at /certificates/<code> say the same thing later, whatever changes in the
training or the profile. A member holds at most one valid certificate per training: a partial
unique index on (user_id, training_id) WHERE status = 'valid' holds it in the database itself.
"""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, Index, String, text
from sqlmodel import Field, SQLModel

from hub_app.models.base import UTCDateTime, utcnow


class Certificate(SQLModel, table=True):
    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("status IN ('valid', 'revoked', 'replaced')", name="ck_certificates_status"),
        Index("uq_certificates_live", "user_id", "training_id", unique=True,
              sqlite_where=text("status = 'valid'"), postgresql_where=text("status = 'valid'")),
        Index("ix_certificates_user", "user_id", "issued_at"),
        Index("ix_certificates_training", "training_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # 20 Crockford base32 symbols (100 random bits), stored without the hyphens it is shown with.
    code: str = Field(sa_column=Column(String(20), unique=True, nullable=False))
    user_id: int = Field(foreign_key="users.id")
    training_id: int = Field(foreign_key="trainings.id")
    name: str = Field(max_length=100)
    title_id: str = Field(default="", max_length=120)
    title_en: str = Field(default="", max_length=120)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    minutes: int = Field(default=0)
    issued_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    status: str = Field(default="valid", max_length=10)
    replaced_by: int | None = Field(default=None, foreign_key="certificates.id")
    reason: str = Field(default="", max_length=500)
    changed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    changed_by: int | None = Field(default=None, foreign_key="users.id")
    show_on_profile: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False,
                                                                 server_default=text("false")))

from datetime import datetime

from sqlalchemy import Column, Index, String
from sqlmodel import Field, SQLModel

from hub_app.models.base import UTCDateTime, utcnow


class AccountMail(SQLModel, table=True):
    """One account mail that went out (verification, password reset, "already registered", sign-in
    link), kept for the mail limits of services/account_mail.py and removed when it leaves their
    window. The recipient is stored as a keyed hash, not as the address."""

    __tablename__ = "account_mails"
    __table_args__ = (
        Index("ix_account_mails_recipient_at", "recipient_hash", "created_at"),
        Index("ix_account_mails_client_at", "client_address", "created_at"),
        Index("ix_account_mails_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # verify_email | reset_password | already_registered | sign_in_link
    recipient_hash: str = Field(sa_column=Column(String(64), nullable=False))
    client_address: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))

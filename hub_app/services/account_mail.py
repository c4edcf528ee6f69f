"""The one way account mail goes out: verification, password reset, "already registered" and
sign-in links. Each is limited per recipient and per client address that asked for it (settings
account_mail*), so nobody can flood an inbox or use the portal to spray mail.

Past a limit the mail is quietly not sent and the caller's answer does not change: a refusal the
caller could see would tell whether an address has an account (only existing accounts get mail).
A token that goes into the mail (a reset or sign-in link) is issued only when the mail goes out.

The limits hold under concurrency: on PostgreSQL every account-mail transaction takes one advisory
lock (held to its commit) before it counts; on SQLite the write transaction (BEGIN IMMEDIATE)
already serialises them. Account mail is rare, so one queue for all of it costs nothing.
"""

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, or_, text
from sqlmodel import Session, col, select

from hub_app.db import is_sqlite
from hub_app.domain.throttle import MailLimits, SentMail, mail_allowed
from hub_app.models import AccountMail
from hub_app.models.base import utcnow
from hub_app.services import notifications
from hub_app.services.security import hash_token
from hub_app.settings import get_settings

KINDS = ("verify_email", "reset_password", "already_registered", "sign_in_link")
# A guest's event registration links (services/events) count as a kind per event, "event:<id>": the
# same limits, but a guest who registers for two events a minute apart gets both mails.
EVENT_KIND_PREFIX = "event:"
# pg_advisory_xact_lock key of the account-mail queue (any constant; "acctmail" in ASCII).
_LOCK_KEY = 0x6163_6374_6D61_696C


def limits() -> MailLimits:
    settings = get_settings()
    return MailLimits(per_recipient=settings.account_mails_per_recipient,
                      per_client=settings.account_mails_per_client,
                      repeat_gap=timedelta(seconds=settings.account_mail_repeat_seconds),
                      window=timedelta(minutes=settings.account_mail_window_minutes))


def send(session: Session, *, kind: str, to_address: str, client_address: str, subject: str, body: str,
         link: str | Callable[[], str] = "") -> bool:
    """Queues an account mail in the caller's write transaction if the limits allow it; returns
    whether it was queued. `link` may be a function that issues the mail's token and returns the
    path, called only when the mail goes out."""
    if kind not in KINDS and not kind.startswith(EVENT_KIND_PREFIX):
        raise ValueError(f"unknown account mail kind {kind!r}")
    if not is_sqlite(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    rules = limits()
    now = utcnow()
    recipient = hash_token(to_address.strip().lower())
    client = str(client_address)[:64]
    session.exec(delete(AccountMail).where(col(AccountMail.created_at) < now - rules.window))
    rows = session.exec(select(AccountMail).where(
        col(AccountMail.created_at) > now - rules.window,
        or_(col(AccountMail.recipient_hash) == recipient, col(AccountMail.client_address) == client))).all()
    sent = [SentMail(at=row.created_at, recipient=row.recipient_hash, client=row.client_address, kind=row.kind)
            for row in rows]
    if not mail_allowed(sent, recipient=recipient, client=client, kind=kind, limits=rules, now=now):
        return False
    session.add(AccountMail(kind=kind, recipient_hash=recipient, client_address=client, created_at=now))
    notifications.queue_email(session, to_address=to_address, subject=subject, body=body,
                              link=link() if callable(link) else link)
    return True

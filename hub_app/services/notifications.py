"""In-app notifications and email, both in the member's language.

Features call `notify` inside their own transaction; the email goes to the outbox and
`deliver_outbox` sends it over SMTP later, retrying with back-off. With no SMTP host set the
email is not sent: in development it is printed, framed, in the server's terminal (and staff read
the outbox at /admin/mail), elsewhere it goes to the "hub.mail" log, so the demo works offline.
"""

import logging
import smtplib
import sys
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain.errors import NotAllowed
from hub_app.domain.mail import shows_development_mail, terminal_block
from hub_app.domain.permissions import Actor
from hub_app.domain.validation import identifier
from hub_app.i18n import format_short_datetime, translate
from hub_app.models import EmailOutbox, Notification, User
from hub_app.models.base import utcnow
from hub_app.settings import Settings, get_settings

log = logging.getLogger("hub.mail")
CLAIM_LEASE = timedelta(minutes=5)


def _text(kind: str, part: str, locale: str, params: dict) -> str:
    return translate(f"notify.{kind}.{part}", locale, **params)


def notify(session: Session, user: User, kind: str, *, params: dict | None = None, link: str = "",
           email: bool = True) -> None:
    """Adds an in-app notification and (optionally) an email to the caller's transaction."""
    params = {key: str(value) for key, value in (params or {}).items()}
    session.add(Notification(user_id=user.id, kind=kind, params=params, link=link))
    if email and user.status != "deleted":
        queue_email(session, to_address=user.email, subject=_text(kind, "title", user.locale, params),
                    body=_text(kind, "body", user.locale, params), link=link)


def queue_email(session: Session, *, to_address: str, subject: str, body: str, link: str = "") -> None:
    if link:
        body = f"{body}\n\n{get_settings().public_base_url.rstrip('/')}{link}"
    session.add(EmailOutbox(to_address=to_address, subject=subject[:200], body_text=body))


@dataclass
class NotificationRow:
    id: int
    title: str
    body: str
    link: str
    when: str
    unread: bool


def list_notifications(actor: Actor | None, *, session: Session, before_id: int | None = None,
                       limit: int = 30) -> list[NotificationRow]:
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    query = select(Notification).where(Notification.user_id == actor.user_id)
    if before_id:
        query = query.where(col(Notification.id) < before_id)
    rows = session.exec(query.order_by(col(Notification.id).desc()).limit(min(limit, 100))).all()
    return rows_for(rows, actor.locale)


def rows_for(rows: list[Notification], locale: str) -> list[NotificationRow]:
    return [
        NotificationRow(id=row.id, title=_text(row.kind, "title", locale, row.params),
                        body=_text(row.kind, "body", locale, row.params), link=row.link,
                        when=format_short_datetime(row.created_at, locale), unread=row.read_at is None)
        for row in rows
    ]


def unread_count(actor: Actor | None, *, session: Session) -> int:
    if actor is None:
        return 0
    return session.exec(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == actor.user_id, col(Notification.read_at).is_(None))
    ).one()


def mark_read(actor: Actor | None, *, session: Session, notification_id: object = None) -> None:
    """Marks one of the actor's notifications read, or all of them when no id is given."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    query = update(Notification).where(
        col(Notification.user_id) == actor.user_id, col(Notification.read_at).is_(None))
    if notification_id is not None:
        query = query.where(col(Notification.id) == identifier(notification_id))
    session.exec(query.values(read_at=utcnow()))
    session.commit()


def _claim_due(session: Session, limit: int) -> list[EmailOutbox]:
    """Claims due emails by pushing their next attempt out, so parallel workers skip them."""
    now = utcnow()
    due = session.exec(
        select(EmailOutbox.id).where(col(EmailOutbox.sent_at).is_(None), col(EmailOutbox.failed_at).is_(None),
                                     col(EmailOutbox.next_attempt_at) <= now)
        .order_by(col(EmailOutbox.id)).limit(limit)
    ).all()
    # The read ends before the claims are written: on SQLite a transaction that has read cannot take
    # the write lock once another connection wrote meanwhile ("database is locked"). Each claim checks
    # again that its email is still due, so another worker's claim in between is skipped.
    session.rollback()
    if not due:
        return []
    begin_write(session)
    claimed = []
    for email_id in due:
        result = session.exec(
            update(EmailOutbox)
            .where(col(EmailOutbox.id) == email_id, col(EmailOutbox.sent_at).is_(None),
                   col(EmailOutbox.next_attempt_at) <= now)
            .values(next_attempt_at=now + CLAIM_LEASE)
        )
        if result.rowcount == 1:
            claimed.append(email_id)
    session.commit()
    return [session.get(EmailOutbox, email_id) for email_id in claimed]


def _send(settings: Settings, email: EmailOutbox) -> None:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message.set_content(email.body_text)
    if not settings.smtp_host:
        if shows_development_mail(settings.environment):
            # Where a new person running `make run` looks: the server's terminal (the mail logger's
            # level is not set under `reflex run`, so a log line would not show).
            print(terminal_block(to_address=email.to_address, subject=email.subject, body=email.body_text,
                                 base_url=settings.public_base_url), file=sys.stderr, flush=True)
        else:
            log.info("email (no SMTP host set) to=%s subject=%s\n%s", email.to_address, email.subject,
                     email.body_text)
        return
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


def deliver_outbox(*, session: Session, settings: Settings | None = None, limit: int = 50) -> int:
    """Sends the emails that are due. Returns how many were sent."""
    settings = settings or get_settings()
    sent = 0
    for email in _claim_due(session, limit):
        try:
            _send(settings, email)
        except (OSError, smtplib.SMTPException) as error:
            email.attempts += 1
            email.last_error = str(error)[:500]
            if email.attempts >= settings.mail_max_attempts:
                email.failed_at = utcnow()
            else:
                email.next_attempt_at = utcnow() + timedelta(seconds=30 * 2 ** email.attempts)
            log.warning("email %s to %s failed (attempt %s): %s", email.id, email.to_address, email.attempts, error)
        else:
            email.attempts += 1
            email.sent_at = utcnow()
            sent += 1
        session.add(email)
        session.commit()
    return sent

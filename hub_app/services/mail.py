"""The outbox as staff see it in development (/admin/mail): every queued email with its recipient,
subject, link, time (WIB) and status, newest first, a page at a time. Outside development the
outbox does not exist for anyone (the page is not even registered), and only staff read it."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from hub_app.domain import mail as rules
from hub_app.domain.errors import NotAllowed, NotFound
from hub_app.domain.permissions import Actor
from hub_app.i18n import format_short_datetime, translate
from hub_app.models import EmailOutbox
from hub_app.settings import get_settings

PAGE = 30


def development_mail_shown() -> bool:
    return rules.shows_development_mail(get_settings().environment)


@dataclass
class OutboxRow:
    id: int
    recipient: str
    subject: str
    link: str
    when: str
    status: str  # sent | waiting | retrying | failed
    status_text: str


@dataclass
class OutboxPage:
    rows: list[OutboxRow]
    before_id: int  # the cursor of the next (older) page; 0 when this is the last


def _cursor(before_id: object) -> int:
    """The keyset cursor from the page's own state: a positive id (a database integer), anything
    else is the first page."""
    valid = isinstance(before_id, int) and not isinstance(before_id, bool) and 0 < before_id < 2**63
    return before_id if valid else 0


def list_outbox(actor: Actor | None, *, session: Session, before_id: object = 0, limit: int = PAGE) -> OutboxPage:
    """Newest first; `before_id` is the cursor a previous page returned."""
    if not development_mail_shown():
        raise NotFound("mail.error.development_only")
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    if not rules.may_read_outbox(actor):
        raise NotAllowed("mail.error.staff_only")
    limit = max(1, min(limit, 100))
    query = select(EmailOutbox)
    cursor = _cursor(before_id)
    if cursor:
        query = query.where(col(EmailOutbox.id) < cursor)
    found = session.exec(query.order_by(col(EmailOutbox.id).desc()).limit(limit + 1)).all()
    settings = get_settings()
    rows = []
    for email in found[:limit]:
        status = rules.mail_status(sent_at=email.sent_at, failed_at=email.failed_at, attempts=email.attempts)
        # With no mail server, "sent" means shown in the terminal, not delivered.
        label = "mail.status.delivered" if status == rules.SENT and settings.smtp_host else f"mail.status.{status}"
        rows.append(OutboxRow(id=email.id, recipient=email.to_address, subject=email.subject,
                              link=rules.mail_link(email.body_text, settings.public_base_url),
                              when=format_short_datetime(email.created_at, actor.locale), status=status,
                              status_text=translate(label, actor.locale)))
    session.rollback()
    return OutboxPage(rows=rows, before_id=rows[-1].id if len(found) > limit else 0)

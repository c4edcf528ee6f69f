"""Background duties of events (hub_app/background.py runs them; no actor): the reminder mails
the day before, expiring guests' requests nobody confirmed, and erasing guests' personal data
HUB_EVENT_GUEST_RETENTION_DAYS after their event. Safe with several workers: each row is claimed
by a conditional UPDATE in the same transaction as its mail, so a reminder goes out exactly once."""

from datetime import datetime

from sqlalchemy import and_, update
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import events as rules
from hub_app.models import Event, EventRegistration, User
from hub_app.models.base import utcnow
from hub_app.services.events.common import tell
from hub_app.settings import get_settings

BATCH = 200


def send_event_reminders(*, session: Session, now: datetime | None = None, limit: int = BATCH) -> int:
    """Reminds everyone holding a seat in an event that starts within REMINDER_LEAD, in their
    language, with the ticket and the .ics link. Returns how many reminders went out."""
    now = now or utcnow()
    due = session.exec(select(EventRegistration.id).join(Event, col(Event.id) == EventRegistration.event_id).where(
        Event.status == rules.PUBLISHED, col(Event.starts_at) > now, col(Event.starts_at) <= now + rules.REMINDER_LEAD,
        EventRegistration.status == rules.REGISTERED, col(EventRegistration.reminded_at).is_(None))
        .order_by(col(EventRegistration.id)).limit(limit)).all()
    session.rollback()
    sent = 0
    for registration_id in due:
        begin_write(session)
        claimed = session.exec(update(EventRegistration).where(
            col(EventRegistration.id) == registration_id, col(EventRegistration.reminded_at).is_(None),
            col(EventRegistration.status) == rules.REGISTERED).values(reminded_at=now))
        if claimed.rowcount == 1:
            registration = session.get(EventRegistration, registration_id)
            session.refresh(registration)
            event = session.get(Event, registration.event_id)
            tell(session, event, registration, "reminder")
            sent += 1
        session.commit()
    return sent


def expire_unconfirmed(*, session: Session, now: datetime | None = None) -> int:
    """Guests' requests whose confirmation link ran out become cancelled (they held no seat, so
    no count changes). The guest may simply register again."""
    now = now or utcnow()
    begin_write(session)
    result = session.exec(update(EventRegistration).where(
        col(EventRegistration.status) == rules.UNCONFIRMED, col(EventRegistration.confirm_expires_at) < now)
        .values(status=rules.REG_CANCELLED, updated_at=now))
    session.commit()
    return result.rowcount or 0


def erase_guest_data(*, session: Session, now: datetime | None = None, limit: int = 1000) -> int:
    """Erases the name, email, organisation and links of guests (and walk-ins) of events that
    ended more than HUB_EVENT_GUEST_RETENTION_DAYS ago. Before that, a guest row whose email is
    verified on an account is handed to that account (unless it already has a place in that
    event), so a guest who signed up later keeps their past events. Returns how many were erased."""
    now = now or utcnow()
    cutoff = rules.erasure_cutoff(now, get_settings().event_guest_retention_days)
    begin_write(session)
    rows = session.exec(select(EventRegistration).join(Event, col(Event.id) == EventRegistration.event_id).where(
        col(Event.ends_at) < cutoff, col(EventRegistration.user_id).is_(None),
        col(EventRegistration.guest_data_erased_at).is_(None)).order_by(col(EventRegistration.id)).limit(limit)
        .with_for_update()).all()
    emails = {row.guest_email for row in rows if row.guest_email}
    accounts = {}
    if emails:
        accounts = {user.email_normalized: user.id for user in session.exec(select(User).where(
            col(User.email_normalized).in_(emails), col(User.email_verified_at).is_not(None),
            User.status != "deleted")).all()}
    for row in rows:
        owner = accounts.get(row.guest_email)
        if owner is not None and session.exec(select(EventRegistration.id).where(and_(
                EventRegistration.event_id == row.event_id, EventRegistration.user_id == owner))).first() is None:
            row.user_id = owner
        row.guest_name = row.guest_email = row.guest_organisation = ""
        row.confirm_token_hash = row.cancel_token_hash = None
        row.guest_data_erased_at = row.updated_at = now
        session.add(row)
    session.commit()
    return len(rows)

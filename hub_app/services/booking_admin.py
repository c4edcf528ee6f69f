"""The staff's booking desk: every booking of a day, the approval queue, a member's booking
record (no-shows, upcoming bookings) and their quotas. Approving, declining, cancelling and
blocking are in bookings.py with the other writes.
"""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import validation
from hub_app.domain.bookings import (
    BLOCK_BOOKING,
    HOLDING,
    MAX_SPAN,
    PENDING,
    TRAINING_BOOKING,
    may_manage_bookings,
)
from hub_app.domain.errors import NotAllowed, NotFound
from hub_app.domain.opening_hours import day_bounds
from hub_app.domain.permissions import Actor
from hub_app.i18n import translate
from hub_app.models import Booking, Space, User
from hub_app.models.base import utcnow
from hub_app.services import audit
from hub_app.services.bookings import BookingRow, _lock_user, _quota_for, _row, hub_tz, parse_day

# --- the day list and the approval queue ---------------------------------------------------------

def day_bookings(actor: Actor | None, *, session: Session, day: object = None) -> list[BookingRow]:
    """Staff: every booking of a local day with its member and check-in status."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    tz = hub_tz()
    day = parse_day(day) if day else utcnow().astimezone(tz).date()
    start, end = day_bounds(day, tz)
    now = utcnow()
    found = session.exec(
        select(Booking, Space, User.name).join(Space, col(Space.id) == Booking.space_id)
        .join(User, col(User.id) == Booking.user_id, isouter=True)
        .where(col(Booking.starts_at) >= start, col(Booking.starts_at) < end)
        .order_by(col(Booking.starts_at), col(Booking.id)).limit(500)).all()
    return [_row(b, s, actor.locale, now, member=_member_label(name, b, actor.locale), staff=True)
            for b, s, name in found]


def _member_label(name: str | None, booking: Booking, locale: str) -> str:
    if booking.kind == TRAINING_BOOKING:
        return translate("booking.kind.training", locale)
    if booking.kind == BLOCK_BOOKING:
        return translate("booking.kind.block", locale)
    return name or translate("deleted.member", locale)


def approval_queue(actor: Actor | None, *, session: Session) -> list[BookingRow]:
    if not may_manage_bookings(actor):
        raise NotAllowed()
    now = utcnow()
    found = session.exec(
        select(Booking, Space, User.name).join(Space, col(Space.id) == Booking.space_id)
        .join(User, col(User.id) == Booking.user_id, isouter=True)
        .where(Booking.status == PENDING, col(Booking.starts_at) > now - MAX_SPAN)
        .order_by(col(Booking.starts_at), col(Booking.id)).limit(100)).all()
    return [_row(b, s, actor.locale, now, member=_member_label(name, b, actor.locale), staff=True)
            for b, s, name in found]


# --- member record and quotas --------------------------------------------------------------------------

@dataclass
class MemberRecord:
    id: int
    name: str
    email: str
    no_shows: int
    upcoming: int
    hours_per_week: int
    upcoming_bookings: int
    custom_quota: bool


def member_record(actor: Actor | None, *, session: Session, email: object) -> MemberRecord:
    """Staff look up a member's booking record: no-shows, upcoming bookings, quotas."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    email = validation.text(email, field="email", max_length=254, required=True).lower()
    user = session.exec(select(User).where(User.email_normalized == email, User.status != "deleted")).first()
    if user is None:
        raise NotFound("booking.error.no_member")
    return _record(session, user)


def _record(session: Session, user: User) -> MemberRecord:
    quota = _quota_for(user)
    no_shows = session.exec(select(func.count()).select_from(Booking).where(
        Booking.user_id == user.id, col(Booking.no_show).is_(True))).one()
    upcoming = session.exec(select(func.count()).select_from(Booking).where(
        Booking.user_id == user.id, col(Booking.status).in_(HOLDING), col(Booking.ends_at) > utcnow())).one()
    return MemberRecord(id=user.id, name=user.name, email=user.email, no_shows=no_shows, upcoming=upcoming,
                        hours_per_week=quota.hours_per_week, upcoming_bookings=quota.upcoming_bookings,
                        custom_quota=user.quota_hours_per_week is not None or user.quota_upcoming_bookings is not None)


def set_quota(actor: Actor | None, *, session: Session, member_id: object, hours_per_week: object = None,
              upcoming_bookings: object = None) -> MemberRecord:
    """Staff set a member's quotas; an empty value returns that quota to the hub default."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    member_id = validation.identifier(member_id, field="member_id")
    hours = None if hours_per_week in (None, "") else validation.integer(hours_per_week, field="hours_per_week",
                                                                         minimum=0, maximum=168)
    count = None if upcoming_bookings in (None, "") else validation.integer(
        upcoming_bookings, field="upcoming_bookings", minimum=0, maximum=500)
    begin_write(session)
    user = _lock_user(session, member_id)
    user.quota_hours_per_week, user.quota_upcoming_bookings = hours, count
    user.updated_at = utcnow()
    session.add(user)
    audit.record(session, actor, "booking.quota", target_type="user", target_id=user.id,
                 detail=f"hours/week={hours} upcoming={count}")
    session.commit()
    return _record(session, user)

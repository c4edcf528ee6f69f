"""Checking in to a booking (at the hub's desk, from the member's list, or by scanning the space's
QR code) and releasing the bookings nobody checked in to (the no-shows), so their seats free up.

Both follow bookings.py's write rules: `begin_write` first, the booking row locked before it
changes; a no-show is claimed by a conditional UPDATE so parallel workers release it once.
"""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import bookings as rules
from hub_app.domain import validation
from hub_app.domain.bookings import CONFIRMED, MAX_SPAN, MEMBER_BOOKING, RELEASED
from hub_app.domain.errors import Conflict, NotAllowed, NotFound
from hub_app.domain.permissions import Actor
from hub_app.models import Booking, Space
from hub_app.models.base import utcnow
from hub_app.services import audit
from hub_app.services.bookings import BookingRow, booking_row, notify_member, own_or_staff


def check_in(actor: Actor | None, *, session: Session, booking_id: object) -> None:
    """The member (or staff at the desk) checks in, from 15 minutes before to 15 after the start."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    now = utcnow()
    begin_write(session)
    booking = own_or_staff(session, actor, booking_id)
    rules.check_check_in(status=booking.status, starts_at=booking.starts_at, checked_in_at=booking.checked_in_at,
                         now=now)
    booking.checked_in_at = now
    booking.updated_at = now
    session.add(booking)
    if booking.user_id != actor.user_id:
        audit.record(session, actor, "booking.check_in", target_type="booking", target_id=booking.id)
    session.commit()


def check_in_at_space(actor: Actor | None, *, session: Session, space_id: object) -> BookingRow:
    """Scanning a space's QR code: checks in the actor's booking of that space whose window is open."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    space_id = validation.identifier(space_id, field="space_id")
    now = utcnow()
    begin_write(session)
    space = session.get(Space, space_id)
    if space is None:
        raise NotFound("booking.error.no_space")
    booking = session.exec(select(Booking).where(
        Booking.space_id == space_id, Booking.user_id == actor.user_id, Booking.status == CONFIRMED,
        col(Booking.checked_in_at).is_(None),
        col(Booking.starts_at) >= now - rules.CHECK_IN_AFTER,
        col(Booking.starts_at) <= now + rules.CHECK_IN_BEFORE).order_by(col(Booking.starts_at))
        .with_for_update()).first()
    if booking is None:
        raise Conflict("booking.error.nothing_to_check_in")
    booking.checked_in_at = now
    booking.updated_at = now
    session.add(booking)
    session.commit()
    return booking_row(booking, space, actor.locale, now)


def release_no_shows(*, session: Session, now: datetime | None = None, limit: int = 200) -> int:
    """Releases members' confirmed bookings not checked in 15 minutes after their start and counts
    a no-show. Each row is claimed by a conditional UPDATE, so parallel workers never release (or
    notify) the same booking twice."""
    now = now or utcnow()
    cutoff = rules.release_cutoff(now)
    due = session.exec(select(Booking.id).where(
        Booking.status == CONFIRMED, Booking.kind == MEMBER_BOOKING, col(Booking.checked_in_at).is_(None),
        col(Booking.starts_at) < cutoff, col(Booking.starts_at) > cutoff - MAX_SPAN)
        .order_by(col(Booking.starts_at)).limit(limit)).all()
    session.rollback()
    released = 0
    for booking_id in due:
        begin_write(session)
        result = session.exec(update(Booking).where(
            col(Booking.id) == booking_id, col(Booking.status) == CONFIRMED, col(Booking.checked_in_at).is_(None),
            col(Booking.starts_at) < cutoff).values(status=RELEASED, no_show=True, updated_at=now))
        if result.rowcount == 1:
            booking = session.get(Booking, booking_id)
            notify_member(session, booking, "booking.released")
            released += 1
        session.commit()
    return released

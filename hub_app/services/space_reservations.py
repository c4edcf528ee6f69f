"""Reservations for the programme: training sessions (issue 4) and events (issue 11) hold their
space through this one interface. These run inside the CALLER's transaction (they call
`begin_write`, which does nothing when the caller already began one, and never commit); they enforce
the same database rules as a member's booking (room overlap / desk seats, closures;
services/bookings.py) and raise Conflict("booking.error.slot_taken") (or "booking.error.closed")
when the slot cannot be held:

    reserve_space(session, *, kind, space_id, start, end, title_id, title_en,
                  training_session_id=None, event_id=None) -> int
    move_reservation(session, booking_id, *, space_id, start, end) -> None
    release_reservation(session, booking_id) -> None
    reserve_for_training / move_training_reservation / release_training_reservation: the same,
        for a training session (kind "training")

Reservations have kind "training" or "event", no member, take the whole space (all seats of a
desk area), and show on the space calendar with the training's or event's title.
"""

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from hub_app.db import begin_write
from hub_app.domain import bookings as rules
from hub_app.domain.bookings import CANCELLED, CONFIRMED, MAX_SPAN, RESERVATION_KINDS, TRAINING_BOOKING
from hub_app.domain.errors import Conflict, InvalidInput, NotFound
from hub_app.domain.opening_hours import closure_hit
from hub_app.models import Booking, Space
from hub_app.models.base import utcnow
from hub_app.services.bookings import check_free, insert_booking, lock_space
from hub_app.services.spaces import closures_between


def _reservation_times(session: Session, space: Space, start: datetime, end: datetime,
                       exclude_ids: tuple[int, ...] = ()) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("error.date_invalid", field="start")
    if end <= start:
        raise InvalidInput("booking.error.end_before_start", field="end")
    if end - start > MAX_SPAN:
        raise InvalidInput("booking.error.one_day", field="end")
    if closure_hit(start, end, space.id, closures_between(session, start, end)) is not None:
        raise Conflict("booking.error.closed")
    check_free(session, space, start, end, space.capacity, exclude_ids)


def reserve_space(session: Session, *, kind: str, space_id: int, start: datetime, end: datetime, title_id: str,
                  title_en: str, training_session_id: int | None = None, event_id: int | None = None) -> int:
    """Holds a whole space for a training session or an event inside the caller's transaction;
    returns the booking id. Raises Conflict("booking.error.slot_taken") when the slot is taken (or
    .closed on a closure)."""
    if kind not in RESERVATION_KINDS:
        raise ValueError(f"not a reservation kind: {kind!r}")
    begin_write(session)
    space = lock_space(session, space_id)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    _reservation_times(session, space, start, end)
    booking = insert_booking(session, Booking(space_id=space.id, user_id=None, kind=kind, status=CONFIRMED,
                                       exclusive=rules.is_room(space.kind), starts_at=start, ends_at=end,
                                       seats=space.capacity, title=title_id[:120], title_en=title_en[:120],
                                       training_session_id=training_session_id, event_id=event_id))
    return booking.id


def _lock_reservation(session: Session, booking_id: int) -> Booking:
    booking = session.exec(select(Booking).where(Booking.id == booking_id).with_for_update()).first()
    if booking is None or booking.kind not in RESERVATION_KINDS:
        raise NotFound("booking.error.no_booking")
    return booking


def move_reservation(session: Session, booking_id: int, *, space_id: int, start: datetime, end: datetime) -> None:
    """Moves a reservation (another time and/or space), inside the caller's transaction."""
    begin_write(session)
    booking = _lock_reservation(session, booking_id)
    space = lock_space(session, space_id)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    _reservation_times(session, space, start, end, exclude_ids=(booking.id,))
    try:
        with session.begin_nested():
            booking.space_id, booking.starts_at, booking.ends_at = space.id, start, end
            booking.exclusive, booking.seats = rules.is_room(space.kind), space.capacity
            booking.status, booking.updated_at = CONFIRMED, utcnow()
            session.add(booking)
            session.flush()
    except IntegrityError:
        session.refresh(booking)
        raise Conflict("booking.error.slot_taken") from None


def release_reservation(session: Session, booking_id: int) -> None:
    """Frees a reservation (the session or event was cancelled), inside the caller's transaction."""
    begin_write(session)
    booking = _lock_reservation(session, booking_id)
    booking.status, booking.updated_at = CANCELLED, utcnow()
    session.add(booking)
    session.flush()


def reserve_for_training(session: Session, *, space_id: int, start: datetime, end: datetime, title_id: str,
                         title_en: str, training_session_id: int) -> int:
    return reserve_space(session, kind=TRAINING_BOOKING, space_id=space_id, start=start, end=end,
                         title_id=title_id, title_en=title_en, training_session_id=training_session_id)


move_training_reservation = move_reservation
release_training_reservation = release_reservation

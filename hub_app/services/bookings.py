"""Booking spaces: book, recurring series, cancel, check in, approve/decline, block, quotas,
the calendar read-models, auto-release of no-shows, and the interface for trainings.

Concurrency: every write starts with `begin_write(session)` (BEGIN IMMEDIATE on SQLite, so two
writers can never both see a slot free), then locks the member's row and the space's row
(SELECT ... FOR UPDATE on PostgreSQL, in that order, so parallel writers queue per space and per
member) before it reads what is booked. On PostgreSQL the exclusion constraint
`bookings_no_overlap` also refuses overlapping room bookings on its own; an insert it refuses
becomes Conflict("booking.error.slot_taken").

Interface for trainings (issue 4). These run inside the CALLER's transaction (they call
`begin_write`, which does nothing when the caller already began one, and never commit); they
enforce the same database rules (room overlap / desk seats, closures) and raise
Conflict("booking.error.slot_taken") (or "booking.error.closed") when the slot cannot be held:

    reserve_for_training(session, *, space_id, start, end, title_id, title_en, training_session_id) -> int
    move_training_reservation(session, booking_id, *, space_id, start, end) -> None
    release_training_reservation(session, booking_id) -> None
    set_training_completion_check(fn)   # fn(session, user_id, training_id) -> bool

Training bookings have kind "training", no member, take the whole space (all seats of a desk
area), and show on the space calendar with the training's title. A space whose
`required_training_id` is set can be booked by members only when the registered check says they
completed that training; with no check registered, only staff can book it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import bookings as rules
from hub_app.domain import validation
from hub_app.domain.bookings import (
    BLOCK_BOOKING,
    CANCELLED,
    CONFIRMED,
    DECLINED,
    HOLDING,
    MAX_SPAN,
    MEMBER_BOOKING,
    PENDING,
    RELEASED,
    SPACE_KINDS,
    TRAINING_BOOKING,
    Interval,
    Quota,
    SpaceRules,
    may_manage_bookings,
)
from hub_app.domain.errors import Conflict, HubError, InvalidInput, NotAllowed, NotFound
from hub_app.domain.opening_hours import closure_hit, day_bounds, opening_of
from hub_app.domain.permissions import Actor, may_use_hub
from hub_app.domain.recurrence import FREQUENCIES, MAX_OCCURRENCES, expand
from hub_app.i18n import format_date, format_short_datetime, format_time, pick, translate
from hub_app.models import Booking, BookingSeries, Closure, Space, User
from hub_app.models.base import utcnow
from hub_app.services import audit, notifications
from hub_app.services.spaces import closures_between, load_hours, space_name
from hub_app.settings import get_settings

PAGE_SIZE = 20

# --- hooks for trainings -----------------------------------------------------------------------

_training_check: Callable[[Session, int, int], bool] | None = None


def set_training_completion_check(fn: Callable[[Session, int, int], bool] | None) -> None:
    """Registers fn(session, user_id, training_id) -> bool: has the member completed the training?"""
    global _training_check
    _training_check = fn


def training_completed(session: Session, user_id: int, training_id: int) -> bool | None:
    return None if _training_check is None else bool(_training_check(session, user_id, training_id))


# --- helpers --------------------------------------------------------------------------------------

def hub_tz() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def parse_moment(value: object, *, field: str) -> datetime:
    """A moment from the browser ('2026-11-28T10:00', local to the hub) or from code (aware)."""
    if isinstance(value, datetime):
        moment = value
    else:
        moment = validation.iso_datetime(value, field=field)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=hub_tz())
    return moment.astimezone(UTC)


def parse_day(value: object, *, field: str = "date") -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return validation.iso_date(value, field=field)


def space_rules(space: Space) -> SpaceRules:
    return SpaceRules(kind=space.kind, capacity=space.capacity, slot_minutes=space.slot_minutes,
                      min_minutes=space.min_minutes, max_minutes=space.max_minutes,
                      advance_days=space.advance_days, needs_approval=space.needs_approval, active=space.active)


def _lock_space(session: Session, space_id: int) -> Space:
    space = session.exec(select(Space).where(Space.id == space_id).with_for_update()).first()
    if space is None:
        raise NotFound("booking.error.no_space")
    return space


def _lock_user(session: Session, user_id: int) -> User:
    user = session.exec(select(User).where(User.id == user_id).with_for_update()).first()
    if user is None or user.status == "deleted":
        raise NotFound("booking.error.no_member")
    return user


def _holding(session: Session, space_id: int, start: datetime, end: datetime,
             exclude_ids: tuple[int, ...] = ()) -> list[Interval]:
    """Slot-holding bookings of the space overlapping [start, end) (index range on space, start)."""
    query = select(Booking.starts_at, Booking.ends_at, Booking.seats).where(
        Booking.space_id == space_id, col(Booking.status).in_(HOLDING),
        col(Booking.starts_at) > start - MAX_SPAN, col(Booking.starts_at) < end, col(Booking.ends_at) > start)
    if exclude_ids:
        query = query.where(col(Booking.id).not_in(exclude_ids))
    return [Interval(s, e, seats) for s, e, seats in session.exec(query).all()]


def _check_free(session: Session, space: Space, start: datetime, end: datetime, seats: int,
                exclude_ids: tuple[int, ...] = ()) -> None:
    rules.check_availability(_holding(session, space.id, start, end, exclude_ids), start, end,
                             rules=space_rules(space), seats=seats)


def _insert(session: Session, booking: Booking) -> Booking:
    """Adds the booking under a savepoint: a refusal by the exclusion constraint leaves the
    caller's transaction usable and becomes a translated Conflict."""
    try:
        with session.begin_nested():
            session.add(booking)
            session.flush()
    except IntegrityError:
        raise Conflict("booking.error.slot_taken") from None
    return booking


def _quota_for(user: User) -> Quota:
    settings = get_settings()
    return Quota(
        hours_per_week=user.quota_hours_per_week if user.quota_hours_per_week is not None
        else settings.default_hours_per_week,
        upcoming_bookings=user.quota_upcoming_bookings if user.quota_upcoming_bookings is not None
        else settings.default_upcoming_bookings)


def _check_quota(session: Session, user: User, new: list[Interval], now: datetime) -> None:
    tz = hub_tz()
    windows = [rules.week_window(interval.starts_at, tz) for interval in new]
    first, last = min(w[0] for w in windows), max(w[1] for w in windows)
    existing = [Interval(s, e) for s, e in session.exec(
        select(Booking.starts_at, Booking.ends_at).where(
            Booking.user_id == user.id, Booking.kind == MEMBER_BOOKING, col(Booking.status).in_(HOLDING),
            col(Booking.starts_at) < last, col(Booking.starts_at) > first - MAX_SPAN)).all()]
    upcoming = session.exec(
        select(func.count()).select_from(Booking).where(
            Booking.user_id == user.id, Booking.kind == MEMBER_BOOKING, col(Booking.status).in_(HOLDING),
            col(Booking.ends_at) > now)).one()
    rules.check_quota(existing=existing, new=new, upcoming_count=upcoming, quota=_quota_for(user), tz=tz)


def _may_book(session: Session, actor: Actor, space: Space, member_id: int) -> None:
    staff = may_manage_bookings(actor)
    completed = None
    if space.required_training_id is not None and not staff:
        completed = training_completed(session, member_id, space.required_training_id)
    rules.may_book_space(active=space.active, staff=staff, required_training_id=space.required_training_id,
                         training_completed=completed)


def _check_when(session: Session, space: Space, start: datetime, end: datetime, now: datetime,
                staff: bool) -> None:
    rules.check_times(start, end, rules=space_rules(space), hours=load_hours(session),
                      closures=closures_between(session, start, end), space_id=space.id, now=now, tz=hub_tz(),
                      staff=staff)


def _when_text(start: datetime, end: datetime, locale: str) -> str:
    tz = get_settings().timezone
    return f"{format_short_datetime(start, locale, tz)} – {format_time(end, locale, tz)}"


def _notify(session: Session, booking: Booking, kind: str, *, reason: str = "") -> None:
    if booking.user_id is None:
        return
    user = session.get(User, booking.user_id)
    if user is None or user.status == "deleted":
        return
    space = session.get(Space, booking.space_id)
    notifications.notify(session, user, kind, link="/bookings", params={
        "space": space_name(space, user.locale), "when": _when_text(booking.starts_at, booking.ends_at, user.locale),
        "reason": reason or "-"})


def _clean_details(title: object, people: object, note: object, capacity: int) -> tuple[str, int, str]:
    title = validation.text(title, field="title", max_length=rules.LIMITS["title"], required=True)
    people = validation.integer(people if people not in (None, "") else 1, field="people", minimum=1,
                                maximum=10_000)
    if people > capacity:
        raise InvalidInput("booking.error.over_capacity", capacity=capacity)
    note = validation.text(note, field="note", max_length=rules.LIMITS["note"], multiline=True)
    return title, people, note


def _require_member(actor: Actor | None) -> Actor:
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    if not may_use_hub(actor):
        raise NotAllowed("error.active_required")
    return actor


# --- views ----------------------------------------------------------------------------------------

@dataclass
class BookingRow:
    id: int
    space_id: int
    space: str
    title: str
    when: str
    day: str
    status: str
    kind: str
    people: int
    note: str
    member: str = ""
    checked_in: bool = False
    no_show: bool = False
    can_cancel: bool = False
    can_check_in: bool = False
    series_id: int = 0
    reason: str = ""


def _row(booking: Booking, space: Space, locale: str, now: datetime, *, member: str = "",
         staff: bool = False) -> BookingRow:
    opens, closes = rules.check_in_window(booking.starts_at)
    return BookingRow(
        id=booking.id, space_id=space.id, space=space_name(space, locale),
        title=pick(booking.title, booking.title_en, locale),
        when=_when_text(booking.starts_at, booking.ends_at, locale),
        day=booking.starts_at.astimezone(hub_tz()).date().isoformat(), status=booking.status, kind=booking.kind,
        people=booking.seats, note=booking.note, member=member, checked_in=booking.checked_in_at is not None,
        no_show=booking.no_show,
        can_cancel=booking.status in HOLDING and (staff or now < booking.starts_at),
        can_check_in=(booking.status == CONFIRMED and booking.checked_in_at is None and opens <= now <= closes),
        series_id=booking.series_id or 0,
        reason=booking.decision_reason or booking.cancel_reason)


# --- booking --------------------------------------------------------------------------------------

def book(actor: Actor | None, *, session: Session, space_id: object, start: object, end: object,
         title: object, people: object = 1, note: object = "", member_id: object = None) -> BookingRow:
    """Books a space for the actor, or (staff) for a member. Pending when the space needs approval
    and a member books it; confirmed otherwise."""
    actor = _require_member(actor)
    space_id = validation.identifier(space_id, field="space_id")
    start, end = parse_moment(start, field="start"), parse_moment(end, field="end")
    staff = may_manage_bookings(actor)
    on_behalf = member_id not in (None, "", 0)
    if on_behalf and not staff:
        raise NotAllowed()
    owner_id = validation.identifier(member_id, field="member_id") if on_behalf else actor.user_id
    now = utcnow()

    begin_write(session)
    owner = _lock_user(session, owner_id)
    if on_behalf and owner.status != "active":
        raise Conflict("booking.error.member_not_active")
    space = _lock_space(session, space_id)
    _may_book(session, actor, space, owner.id)
    title, people, note = _clean_details(title, people, note, space.capacity)
    _check_when(session, space, start, end, now, staff)
    _check_free(session, space, start, end, people)
    if not staff:
        _check_quota(session, owner, [Interval(start, end, people)], now)
    status = PENDING if space.needs_approval and not staff else CONFIRMED
    booking = _insert(session, Booking(space_id=space.id, user_id=owner.id, kind=MEMBER_BOOKING, status=status,
                                       exclusive=rules.is_room(space.kind), starts_at=start, ends_at=end,
                                       seats=people, title=title, note=note, created_by=actor.user_id))
    if on_behalf:
        audit.record(session, actor, "booking.on_behalf", target_type="booking", target_id=booking.id,
                     detail=f"space {space.id} for user {owner.id}")
        _notify(session, booking, "booking.booked_for_you")
    session.commit()
    return _row(booking, space, actor.locale, now)


@dataclass
class OccurrencePreview:
    start: str
    label: str
    problem: str  # translated reason this date cannot be booked; "" when free


@dataclass
class SeriesResult:
    series_id: int
    created: int
    skipped: list[str] = field(default_factory=list)


def _series_occurrences(start: datetime, end: datetime, frequency: object, count: object, until: object):
    frequency = validation.choice(frequency, FREQUENCIES, field="frequency")
    count_value = None if count in (None, "", 0) else validation.integer(count, field="count", minimum=1,
                                                                         maximum=MAX_OCCURRENCES)
    until_value = None if until in (None, "") else parse_day(until, field="until")
    return frequency, expand(start, end, frequency=frequency, tz=hub_tz(), count=count_value, until=until_value)


def _occurrence_problem(session: Session, space: Space, start: datetime, end: datetime, seats: int,
                        now: datetime, staff: bool, taken: list[Interval]) -> HubError | None:
    try:
        _check_when(session, space, start, end, now, staff)
        rules.check_availability(_holding(session, space.id, start, end) + taken, start, end,
                                 rules=space_rules(space), seats=seats)
    except (Conflict, InvalidInput) as error:
        return error
    return None


def preview_series(actor: Actor | None, *, session: Session, space_id: object, start: object, end: object,
                   frequency: object, count: object = None, until: object = None,
                   people: object = 1) -> list[OccurrencePreview]:
    """Each date of the series, marking the ones that cannot be booked and why."""
    actor = _require_member(actor)
    space_id = validation.identifier(space_id, field="space_id")
    start, end = parse_moment(start, field="start"), parse_moment(end, field="end")
    _frequency, occurrences = _series_occurrences(start, end, frequency, count, until)
    space = session.get(Space, space_id)
    if space is None:
        raise NotFound("booking.error.no_space")
    seats = validation.integer(people if people not in (None, "") else 1, field="people", minimum=1,
                               maximum=10_000)
    now, staff = utcnow(), may_manage_bookings(actor)
    previews = []
    for occurrence in occurrences:
        problem = _occurrence_problem(session, space, occurrence.starts_at, occurrence.ends_at, seats, now, staff, [])
        previews.append(OccurrencePreview(
            start=occurrence.starts_at.isoformat(),
            label=_when_text(occurrence.starts_at, occurrence.ends_at, actor.locale),
            problem=translate(problem.key, actor.locale, **problem.params) if problem else ""))
    session.rollback()
    return previews


def book_series(actor: Actor | None, *, session: Session, space_id: object, start: object, end: object,
                title: object, frequency: object, count: object = None, until: object = None, people: object = 1,
                note: object = "", skip_conflicts: object = False) -> SeriesResult:
    """Books every occurrence in one transaction. Dates that cannot be booked are skipped when the
    member chose so; otherwise nothing is booked and the first problem is reported."""
    actor = _require_member(actor)
    space_id = validation.identifier(space_id, field="space_id")
    start, end = parse_moment(start, field="start"), parse_moment(end, field="end")
    frequency, occurrences = _series_occurrences(start, end, frequency, count, until)
    skip = validation.flag(skip_conflicts, field="skip_conflicts")
    now, staff = utcnow(), may_manage_bookings(actor)

    begin_write(session)
    owner = _lock_user(session, actor.user_id)
    space = _lock_space(session, space_id)
    _may_book(session, actor, space, owner.id)
    title, people, note = _clean_details(title, people, note, space.capacity)
    chosen: list[Interval] = []
    skipped: list[str] = []
    for occurrence in occurrences:
        problem = _occurrence_problem(session, space, occurrence.starts_at, occurrence.ends_at, people, now, staff,
                                      chosen)
        if problem is not None:
            if not skip:
                session.rollback()
                raise Conflict("booking.error.series_conflict", field="start",
                               when=_when_text(occurrence.starts_at, occurrence.ends_at, actor.locale),
                               problem=translate(problem.key, actor.locale, **problem.params))
            skipped.append(_when_text(occurrence.starts_at, occurrence.ends_at, actor.locale))
            continue
        chosen.append(Interval(occurrence.starts_at, occurrence.ends_at, people))
    if not chosen:
        session.rollback()
        raise Conflict("booking.error.series_empty")
    if not staff:
        _check_quota(session, owner, chosen, now)
    series = BookingSeries(user_id=owner.id, space_id=space.id, frequency=frequency, occurrences=len(chosen))
    session.add(series)
    session.flush()
    status = PENDING if space.needs_approval and not staff else CONFIRMED
    for interval in chosen:
        _insert(session, Booking(space_id=space.id, user_id=owner.id, kind=MEMBER_BOOKING, status=status,
                                 exclusive=rules.is_room(space.kind), starts_at=interval.starts_at,
                                 ends_at=interval.ends_at, seats=people, title=title, note=note,
                                 series_id=series.id, created_by=actor.user_id))
    session.commit()
    return SeriesResult(series_id=series.id, created=len(chosen), skipped=skipped)


# --- changing a booking -------------------------------------------------------------------------------

def _own_or_staff(session: Session, actor: Actor, booking_id: object, *, lock: bool = True) -> Booking:
    booking_id = validation.identifier(booking_id, field="booking_id")
    query = select(Booking).where(Booking.id == booking_id)
    booking = session.exec(query.with_for_update() if lock else query).first()
    # Someone else's booking is "not found" to a member: ids reveal nothing.
    if booking is None or (booking.user_id != actor.user_id and not may_manage_bookings(actor)):
        raise NotFound("booking.error.no_booking")
    return booking


def cancel(actor: Actor | None, *, session: Session, booking_id: object, reason: object = "",
           scope: object = "one") -> int:
    """Cancels the booking ("one") or it and the later ones of its series ("rest"). Members cancel
    their own until the start; staff cancel any with a reason, and the member is notified."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    scope = validation.choice(scope or "one", ("one", "rest"), field="scope")
    staff = may_manage_bookings(actor)
    reason = validation.text(reason, field="reason", max_length=rules.LIMITS["reason"])
    now = utcnow()
    begin_write(session)
    booking = _own_or_staff(session, actor, booking_id)
    by_staff = staff and booking.user_id != actor.user_id
    if by_staff and not reason:
        raise InvalidInput("error.field_required", field="reason")
    rules.check_cancel(status=booking.status, starts_at=booking.starts_at, now=now, staff=staff)
    targets = [booking]
    if scope == "rest" and booking.series_id:
        targets += session.exec(select(Booking).where(
            Booking.series_id == booking.series_id, col(Booking.starts_at) > booking.starts_at,
            col(Booking.status).in_(HOLDING)).with_for_update()).all()
    for target in targets:
        target.status = CANCELLED
        target.cancelled_by = actor.user_id
        target.cancel_reason = reason
        target.updated_at = now
        session.add(target)
    if by_staff:
        audit.record(session, actor, "booking.cancel", target_type="booking", target_id=booking.id,
                     detail=f"{len(targets)} booking(s): {reason}")
        _notify(session, booking, "booking.cancelled", reason=reason)
    session.commit()
    return len(targets)


def check_in(actor: Actor | None, *, session: Session, booking_id: object) -> None:
    """The member (or staff at the desk) checks in, from 15 minutes before to 15 after the start."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    now = utcnow()
    begin_write(session)
    booking = _own_or_staff(session, actor, booking_id)
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
    return _row(booking, space, actor.locale, now)


def decide(actor: Actor | None, *, session: Session, booking_id: object, approve: object,
           reason: object = "") -> None:
    """Staff approve or decline (with a reason) a pending booking; the member is notified."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    approve = validation.flag(approve, field="approve")
    reason = validation.text(reason, field="reason", max_length=rules.LIMITS["reason"], required=not approve)
    now = utcnow()
    begin_write(session)
    booking = _own_or_staff(session, actor, booking_id)
    if booking.status != PENDING:
        raise Conflict("booking.error.not_pending")
    booking.status = CONFIRMED if approve else DECLINED
    booking.decided_by = actor.user_id
    booking.decision_reason = reason
    booking.updated_at = now
    session.add(booking)
    audit.record(session, actor, "booking.approve" if approve else "booking.decline", target_type="booking",
                 target_id=booking.id, detail=reason)
    _notify(session, booking, "booking.approved" if approve else "booking.declined", reason=reason)
    session.commit()


def block_space(actor: Actor | None, *, session: Session, space_id: object, start: object, end: object,
                reason: object) -> int:
    """Staff block a space (maintenance): a booking of kind "block" holding every seat, so nobody
    can book it meanwhile. Refused while bookings hold that time (cancel them first)."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    space_id = validation.identifier(space_id, field="space_id")
    start, end = parse_moment(start, field="start"), parse_moment(end, field="end")
    reason = validation.text(reason, field="reason", max_length=rules.LIMITS["title"], required=True)
    if end <= start:
        raise InvalidInput("booking.error.end_before_start", field="end")
    if end - start > MAX_SPAN:
        raise InvalidInput("booking.error.one_day", field="end")
    if end <= utcnow():
        raise InvalidInput("booking.error.past", field="start")
    begin_write(session)
    space = _lock_space(session, space_id)
    _check_free(session, space, start, end, space.capacity)
    booking = _insert(session, Booking(space_id=space.id, user_id=None, kind=BLOCK_BOOKING, status=CONFIRMED,
                                       exclusive=rules.is_room(space.kind), starts_at=start, ends_at=end,
                                       seats=space.capacity, title=reason, created_by=actor.user_id))
    audit.record(session, actor, "booking.block", target_type="space", target_id=space.id,
                 detail=f"{start.isoformat()}–{end.isoformat()}: {reason}")
    session.commit()
    return booking.id


# --- lists ------------------------------------------------------------------------------------------

@dataclass
class BookingPage:
    rows: list[BookingRow]
    next_cursor: str  # "" on the last page


def my_bookings(actor: Actor | None, *, session: Session, past: object = False, cursor: object = "") -> BookingPage:
    """Upcoming (soonest first) or past (latest first), keyset-paginated on (starts_at, id)."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    past = validation.flag(past, field="past")
    now = utcnow()
    query = select(Booking, Space).join(Space, col(Space.id) == Booking.space_id).where(
        Booking.user_id == actor.user_id)
    after = _cursor(cursor)
    if past:
        query = query.where(col(Booking.ends_at) <= now)
        if after:
            query = query.where(or_(col(Booking.starts_at) < after[0],
                                    (col(Booking.starts_at) == after[0]) & (col(Booking.id) < after[1])))
        query = query.order_by(col(Booking.starts_at).desc(), col(Booking.id).desc())
    else:
        query = query.where(col(Booking.ends_at) > now)
        if after:
            query = query.where(or_(col(Booking.starts_at) > after[0],
                                    (col(Booking.starts_at) == after[0]) & (col(Booking.id) > after[1])))
        query = query.order_by(col(Booking.starts_at), col(Booking.id))
    found = session.exec(query.limit(PAGE_SIZE + 1)).all()
    rows = [_row(booking, space, actor.locale, now) for booking, space in found[:PAGE_SIZE]]
    last = found[PAGE_SIZE - 1][0] if len(found) > PAGE_SIZE else None
    return BookingPage(rows=rows, next_cursor=f"{last.starts_at.isoformat()}|{last.id}" if last else "")


def _cursor(value: object) -> tuple[datetime, int] | None:
    if not value:
        return None
    if not isinstance(value, str) or len(value) > 60 or "|" not in value:
        raise InvalidInput("error.invalid", field="cursor")
    moment, _, ident = value.partition("|")
    return parse_moment(moment, field="cursor"), validation.identifier(ident, field="cursor")


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


# --- background: no-shows -------------------------------------------------------------------------

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
            _notify(session, booking, "booking.released")
            released += 1
        session.commit()
    return released


# --- interface for trainings --------------------------------------------------------------------------

def _training_times(session: Session, space: Space, start: datetime, end: datetime,
                    exclude_ids: tuple[int, ...] = ()) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("error.date_invalid", field="start")
    if end <= start:
        raise InvalidInput("booking.error.end_before_start", field="end")
    if end - start > MAX_SPAN:
        raise InvalidInput("booking.error.one_day", field="end")
    if closure_hit(start, end, space.id, closures_between(session, start, end)) is not None:
        raise Conflict("booking.error.closed")
    _check_free(session, space, start, end, space.capacity, exclude_ids)


def reserve_for_training(session: Session, *, space_id: int, start: datetime, end: datetime, title_id: str,
                         title_en: str, training_session_id: int) -> int:
    """Holds a space for a training session inside the caller's transaction; returns the booking id.
    Raises Conflict("booking.error.slot_taken") when the slot is taken (or .closed on a closure)."""
    begin_write(session)
    space = _lock_space(session, space_id)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    _training_times(session, space, start, end)
    booking = _insert(session, Booking(space_id=space.id, user_id=None, kind=TRAINING_BOOKING, status=CONFIRMED,
                                       exclusive=rules.is_room(space.kind), starts_at=start, ends_at=end,
                                       seats=space.capacity, title=title_id[:120], title_en=title_en[:120],
                                       training_session_id=training_session_id))
    return booking.id


def move_training_reservation(session: Session, booking_id: int, *, space_id: int, start: datetime,
                              end: datetime) -> None:
    """Moves a training's reservation (another time and/or space), inside the caller's transaction."""
    begin_write(session)
    booking = session.exec(select(Booking).where(Booking.id == booking_id).with_for_update()).first()
    if booking is None or booking.kind != TRAINING_BOOKING:
        raise NotFound("booking.error.no_booking")
    space = _lock_space(session, space_id)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    _training_times(session, space, start, end, exclude_ids=(booking.id,))
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


def release_training_reservation(session: Session, booking_id: int) -> None:
    """Frees a training's reservation (the session was cancelled), inside the caller's transaction."""
    begin_write(session)
    booking = session.exec(select(Booking).where(Booking.id == booking_id).with_for_update()).first()
    if booking is None or booking.kind != TRAINING_BOOKING:
        raise NotFound("booking.error.no_booking")
    booking.status, booking.updated_at = CANCELLED, utcnow()
    session.add(booking)
    session.flush()


# --- calendar read-models -------------------------------------------------------------------------------
#
# A calendar is a flat list of cells placed on a CSS grid (column 1: times, row 1: headings; one
# row per 30 minutes). On a phone the same list shows as an agenda: a heading per column followed
# by its slots as chips. Cells are grouped by column, in time order, so both readings work.

ROW_MINUTES = 30


@dataclass
class CalendarCell:
    kind: str  # head | time | free | busy | mine | pending | closed | past
    area: str  # CSS grid-area
    label: str
    time: str
    detail: str = ""
    start: str = ""  # a free slot's local start, "YYYY-MM-DDTHH:MM"
    space_id: int = 0


@dataclass
class DayChip:
    day: str
    weekday: str
    number: str
    selected: bool


@dataclass
class CalendarView:
    day: str
    title: str
    columns: int
    rows: int
    cells: list[CalendarCell]
    days: list[DayChip]
    closed: bool
    window_start: str
    window_end: str
    version: str
    previous: str
    next: str


def _local_minutes(moment: datetime, tz: ZoneInfo) -> int:
    local = moment.astimezone(tz)
    return local.hour * 60 + local.minute


def _area(row: int, col: int, span: int) -> str:
    return f"{row} / {col} / span {max(span, 1)} / span 1"


def _hhmm(moment: datetime, locale: str) -> str:
    return format_time(moment, locale, get_settings().timezone)


def _visible_bookings(session: Session, space_ids: list[int], start: datetime, end: datetime):
    if not space_ids:
        return []
    return session.exec(
        select(Booking, User.name).join(User, col(User.id) == Booking.user_id, isouter=True).where(
            col(Booking.space_id).in_(space_ids), col(Booking.status).in_(HOLDING),
            col(Booking.starts_at) > start - MAX_SPAN, col(Booking.starts_at) < end, col(Booking.ends_at) > start)
        .order_by(col(Booking.starts_at))).all()


def _column(space: Space, day: date, col_index: int, origin: int, hours: dict, closures: list,
            booked: list, actor: Actor | None, now: datetime, locale: str, head: str, head_detail: str) -> list:
    """The cells of one space on one local day, rows counted from `origin` minutes after midnight."""
    tz = hub_tz()
    staff = may_manage_bookings(actor)
    cells = [CalendarCell(kind="head", area=_area(1, col_index, 1), label=head, time="", detail=head_detail,
                          space_id=space.id)]
    opening = opening_of(day, hours, tz)
    if opening is None:
        return cells + [CalendarCell(kind="closed", area=_area(2, col_index, 1), label=translate(
            "calendar.closed_day", locale), time="", space_id=space.id)]

    def row_of(moment: datetime) -> int:
        return 2 + (_local_minutes(moment, tz) - origin) // ROW_MINUTES

    def span_of(start: datetime, end: datetime) -> int:
        return max(1, int((end - start).total_seconds() // 60) // ROW_MINUTES)

    def booking_cell(booking: Booking, name: str | None, start: datetime, end: datetime) -> CalendarCell:
        mine = actor is not None and booking.user_id == actor.user_id
        if booking.kind == TRAINING_BOOKING:
            label = translate("booking.kind.training", locale) + ": " + pick(booking.title, booking.title_en, locale)
        elif booking.kind == BLOCK_BOOKING:
            label = translate("booking.kind.block", locale)
        elif mine or staff:
            label = booking.title
        else:
            label = translate("calendar.busy", locale)
        detail = (name or "") if staff and booking.kind == MEMBER_BOOKING else ""
        kind = "mine" if mine else ("pending" if booking.status == PENDING else "busy")
        return CalendarCell(kind=kind, area=_area(row_of(start), col_index, span_of(start, end)), label=label,
                            time=f"{_hhmm(start, locale)}–{_hhmm(end, locale)}", detail=detail, space_id=space.id)

    step = timedelta(minutes=space.slot_minutes)
    slots = []
    moment = opening[0]
    while moment + step <= opening[1]:
        slots.append((moment, moment + step))
        moment += step
    if rules.is_room(space.kind):
        covered: list[tuple[datetime, datetime]] = []
        for booking, name in booked:
            start, end = max(booking.starts_at, opening[0]), min(booking.ends_at, opening[1])
            if end > start:
                cells.append(booking_cell(booking, name, start, end))
                covered.append((start, end))
        for start, end in slots:
            if any(start < c_end and c_start < end for c_start, c_end in covered):
                continue
            cells.append(_free_or_not(space, start, end, row_of(start), span_of(start, end), col_index, closures, now,
                                      locale))
    else:
        for start, end in slots:
            here = [(b, n) for b, n in booked if b.starts_at < end and start < b.ends_at]
            mine = [(b, n) for b, n in here if actor is not None and b.user_id == actor.user_id]
            whole = [(b, n) for b, n in here if b.kind != MEMBER_BOOKING]
            if mine or whole:
                booking, name = (mine or whole)[0]
                cells.append(booking_cell(booking, name, start, end))
                continue
            left = space.capacity - rules.peak_seats([Interval(b.starts_at, b.ends_at, b.seats) for b, _ in here],
                                                     start, end)
            cell = _free_or_not(space, start, end, row_of(start), span_of(start, end), col_index, closures, now,
                                locale)
            if cell.kind == "free":
                if left <= 0:
                    cell = CalendarCell(kind="busy", area=cell.area, label=translate("calendar.full", locale),
                                        time=cell.time, space_id=space.id)
                else:
                    cell.label = translate("calendar.seats_free", locale, count=left)
                    if staff and here:
                        cell.detail = ", ".join(sorted({n or "-" for _, n in here}))
            cells.append(cell)
    # Time order inside the column, so the phone agenda reads top to bottom.
    return cells[:1] + sorted(cells[1:], key=lambda cell: int(cell.area.split(" / ", 1)[0]))


def _free_or_not(space, start, end, row, span, col_index, closures, now, locale) -> CalendarCell:
    area = _area(row, col_index, span)
    time = f"{_hhmm(start, locale)}–{_hhmm(end, locale)}"
    closure = closure_hit(start, end, space.id, closures)
    if closure is not None:
        return CalendarCell(kind="closed", area=area, label=translate("calendar.closed", locale), time=time,
                            space_id=space.id)
    if start < now:
        return CalendarCell(kind="past", area=area, label="", time=time, space_id=space.id)
    local = start.astimezone(hub_tz())
    return CalendarCell(kind="free", area=area, label=translate("calendar.free", locale), time=time,
                        start=local.strftime("%Y-%m-%dT%H:%M"), space_id=space.id)


def _time_cells(first: datetime, last: datetime, origin: int, locale: str) -> list[CalendarCell]:
    cells, moment, tz = [], first, hub_tz()
    while moment < last:
        row = 2 + (_local_minutes(moment, tz) - origin) // ROW_MINUTES
        cells.append(CalendarCell(kind="time", area=_area(row, 1, 1), label=_hhmm(moment, locale), time=""))
        moment += timedelta(minutes=ROW_MINUTES)
    return cells


def _day_strip(selected: date, first: date, locale: str, count: int = 14) -> list[DayChip]:
    return [DayChip(day=(first + timedelta(days=i)).isoformat(),
                    weekday=format_date(first + timedelta(days=i), locale, "EEE"),
                    number=format_date(first + timedelta(days=i), locale, "d MMM"),
                    selected=first + timedelta(days=i) == selected) for i in range(count)]


def calendar_version(*, session: Session, start: datetime, end: datetime) -> str:
    """A cheap fingerprint of everything a calendar window shows: changes when a booking in it is
    made, cancelled, approved or moved (updated_at), or a closure is added or removed."""
    latest, count = session.exec(select(func.max(Booking.updated_at), func.count(Booking.id)).where(
        col(Booking.starts_at) > start - MAX_SPAN, col(Booking.starts_at) < end)).one()
    closures = session.exec(select(func.count(col(Closure.id)), func.max(Closure.created_at)).where(
        col(Closure.ends_at) > start, col(Closure.starts_at) < end)).one()
    closed_at = closures[1].timestamp() if closures[1] else 0
    return f"{latest.timestamp() if latest else 0}:{count}:{closures[0]}:{closed_at}"


def _today() -> date:
    return utcnow().astimezone(hub_tz()).date()


def calendar_day(actor: Actor | None, *, session: Session, day: object = None, kind: object = "",
                 locale: str = "id") -> CalendarView:
    """Every active space (optionally of one kind) as a column of one local day."""
    locale = actor.locale if actor else locale
    tz = hub_tz()
    day = parse_day(day) if day else _today()
    kind = validation.choice(kind, SPACE_KINDS, field="kind", required=False)
    query = select(Space).where(col(Space.active).is_(True))
    if kind:
        query = query.where(Space.kind == kind)
    spaces = session.exec(query.order_by(col(Space.kind), col(Space.id)).limit(60)).all()
    start, end = day_bounds(day, tz)
    hours = load_hours(session)
    closures = closures_between(session, start, end)
    booked = _visible_bookings(session, [s.id for s in spaces], start, end)
    opening = opening_of(day, hours, tz)
    now = utcnow()
    cells: list[CalendarCell] = []
    rows = 1
    if opening is not None:
        origin = _local_minutes(opening[0], tz)
        cells += _time_cells(opening[0], opening[1], origin, locale)
        rows = 1 + int((opening[1] - opening[0]).total_seconds() // 60) // ROW_MINUTES
    else:
        origin = 0
    for index, space in enumerate(spaces):
        mine = [(b, n) for b, n in booked if b.space_id == space.id]
        detail = translate("calendar.seats" if space.kind == "desk_area" else "calendar.people", locale,
                           count=space.capacity)
        cells += _column(space, day, index + 2, origin, hours, closures, mine, actor, now, locale,
                         space_name(space, locale), detail)
    return CalendarView(
        day=day.isoformat(), title=format_date(day, locale), columns=len(spaces), rows=rows, cells=cells,
        days=_day_strip(day, max(_today(), day - timedelta(days=3)), locale), closed=opening is None,
        window_start=start.isoformat(), window_end=end.isoformat(),
        version=calendar_version(session=session, start=start, end=end),
        previous=(day - timedelta(days=1)).isoformat(), next=(day + timedelta(days=1)).isoformat())


def calendar_week(actor: Actor | None, *, session: Session, space_id: object, day: object = None,
                  locale: str = "id") -> CalendarView:
    """One space, seven days from `day` (default today), a column per day."""
    locale = actor.locale if actor else locale
    tz = hub_tz()
    space_id = validation.identifier(space_id, field="space_id")
    day = parse_day(day) if day else _today()
    space = session.get(Space, space_id)
    if space is None or (not space.active and not may_manage_bookings(actor)):
        raise NotFound("booking.error.no_space")
    monday = day  # the first column; a rolling week reads better than a calendar week on a booking page
    start, end = day_bounds(monday, tz)[0], day_bounds(monday + timedelta(days=6), tz)[1]
    hours = load_hours(session)
    closures = closures_between(session, start, end)
    booked = _visible_bookings(session, [space.id], start, end)
    openings = [opening_of(monday + timedelta(days=i), hours, tz) for i in range(7)]
    open_minutes = [(_local_minutes(o[0], tz), _local_minutes(o[1], tz) or 24 * 60) for o in openings if o]
    now = utcnow()
    cells: list[CalendarCell] = []
    rows = 1
    origin = 0
    if open_minutes:
        origin = min(o for o, _ in open_minutes)
        last = max(c for _, c in open_minutes)
        first_moment = datetime.combine(monday, datetime.min.time(), tzinfo=tz) + timedelta(minutes=origin)
        cells += _time_cells(first_moment, first_moment + timedelta(minutes=last - origin), origin, locale)
        rows = 1 + (last - origin) // ROW_MINUTES
    for index in range(7):
        current = monday + timedelta(days=index)
        day_start, day_end = day_bounds(current, tz)
        that_day = [(b, n) for b, n in booked if b.starts_at < day_end and day_start < b.ends_at]
        cells += _column(space, current, index + 2, origin, hours, closures, that_day, actor, now, locale,
                         format_date(current, locale, "EEE d MMM"), "")
    return CalendarView(
        day=day.isoformat(), title=f"{format_date(monday, locale, 'd MMM')} – "
                                   f"{format_date(monday + timedelta(days=6), locale, 'd MMM y')}",
        columns=7, rows=rows, cells=cells, days=_day_strip(day, max(_today(), day - timedelta(days=3)), locale),
        closed=not open_minutes, window_start=start.isoformat(), window_end=end.isoformat(),
        version=calendar_version(session=session, start=start, end=end),
        previous=(day - timedelta(days=7)).isoformat(), next=(day + timedelta(days=7)).isoformat())


def window_version(*, session: Session, window_start: str, window_end: str) -> str:
    """calendar_version for a window a page got from calendar_day/calendar_week (ISO strings)."""
    return calendar_version(session=session, start=datetime.fromisoformat(window_start),
                            end=datetime.fromisoformat(window_end))


@dataclass
class BookingChoice:
    space_id: int
    space: str
    kind: str
    capacity: int
    start: str
    start_label: str
    ends: list[list[str]]  # [value, label]
    needs_approval: bool


def booking_choice(actor: Actor | None, *, session: Session, space_id: object, start: object,
                   locale: str = "id") -> BookingChoice:
    """What the booking form offers after a tap on a free slot: the end times that fit (within the
    space's minimum/maximum, opening hours, and before the next booking of a room)."""

    locale = actor.locale if actor else locale
    tz = hub_tz()
    space_id = validation.identifier(space_id, field="space_id")
    begin = parse_moment(start, field="start")
    space = session.get(Space, space_id)
    if space is None or not space.active:
        raise NotFound("booking.error.no_space")
    opening = opening_of(begin.astimezone(tz).date(), load_hours(session), tz)
    if opening is None or not opening[0] <= begin < opening[1]:
        raise InvalidInput("booking.error.outside_hours", field="start")
    longest = space.max_minutes if not may_manage_bookings(actor) else 24 * 60
    limit = min(opening[1], begin + timedelta(minutes=longest))
    if rules.is_room(space.kind):
        following = session.exec(select(func.min(Booking.starts_at)).where(
            Booking.space_id == space.id, col(Booking.status).in_(HOLDING), col(Booking.starts_at) >= begin,
            col(Booking.starts_at) < limit)).one()
        if following is not None:
            limit = min(limit, following)
    ends = []
    moment = begin + timedelta(minutes=max(space.min_minutes, space.slot_minutes))
    while moment <= limit:
        local = moment.astimezone(tz)
        ends.append([local.strftime("%Y-%m-%dT%H:%M"), _hhmm(moment, locale)])
        moment += timedelta(minutes=space.slot_minutes)
    return BookingChoice(space_id=space.id, space=space_name(space, locale), kind=space.kind,
                         capacity=space.capacity, start=begin.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
                         start_label=format_short_datetime(begin, locale, get_settings().timezone), ends=ends,
                         needs_approval=space.needs_approval and not may_manage_bookings(actor))


# --- personal data (UU 27/2022) -----------------------------------------------------------------------------

def export_personal_data(session: Session, user_id: int) -> list[dict]:
    rows = session.exec(select(Booking, Space).join(Space, col(Space.id) == Booking.space_id)
                        .where(Booking.user_id == user_id).order_by(col(Booking.starts_at))).all()
    return [{"space": space.name_id, "title": b.title, "note": b.note, "starts_at": b.starts_at,
             "ends_at": b.ends_at, "status": b.status, "people": b.seats, "checked_in_at": b.checked_in_at,
             "no_show": b.no_show, "created_at": b.created_at} for b, space in rows]


def erase_personal_data(session: Session, user_id: int) -> None:
    """Future bookings are cancelled (their slots free up); past ones stay for the hub's records and
    no longer name the person once the account row is anonymised. The calendar feed goes."""
    from hub_app.services.calendar_feed import erase_feed

    now = utcnow()
    session.exec(update(Booking).where(
        col(Booking.user_id) == user_id, col(Booking.status).in_(HOLDING), col(Booking.starts_at) > now)
        .values(status=CANCELLED, cancel_reason="account deleted", updated_at=now, note=""))
    erase_feed(session, user_id)


def _register_personal_data() -> None:
    from hub_app.services import personal_data

    if not any(feature.name == "bookings" for feature in personal_data.FEATURES):
        personal_data.register("bookings", export=export_personal_data, erase=erase_personal_data)


_register_personal_data()

"""Booking spaces: book, cancel, approve/decline, block, quotas, a member's own bookings. The shared
helpers of the booking services (hub_tz, parse_moment, parse_day, locking, the free-slot and quota
checks, BookingRow, own_or_staff, notify_member) live here.
Check-in and the release of no-shows are in booking_checkins.py, the calendar read-models in
booking_calendar.py, the staff desk views (day list, approval queue, member record and quotas) in
booking_admin.py.

Concurrency: every write starts with `begin_write(session)` (BEGIN IMMEDIATE on SQLite, so two
writers can never both see a slot free), then locks the member's row and the space's row
(SELECT ... FOR UPDATE on PostgreSQL, in that order, so parallel writers queue per space and per
member) before it reads what is booked. On PostgreSQL the exclusion constraint
`bookings_no_overlap` also refuses overlapping room bookings on its own; an insert it refuses
becomes Conflict("booking.error.slot_taken").

Recurring series are in booking_series.py; the programme's reservations of a whole space (training
sessions, events) in space_reservations.py, under the same locks and rules, which is why the
helpers below are shared. A space whose `required_training_id` is set can be booked by members
only when the check registered with `set_training_completion_check(fn)` (fn(session, user_id,
training_id) -> bool) says they completed that training; with no check registered, only staff can.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from hub_app.db import begin_write, reads_only
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
    Interval,
    Quota,
    SpaceRules,
    may_manage_bookings,
)
from hub_app.domain.errors import Conflict, HubError, InvalidInput, NotAllowed, NotFound
from hub_app.domain.permissions import Actor, require_member
from hub_app.i18n import format_short_datetime, format_time, pick, pick_marked
from hub_app.models import Booking, Space, Training, User
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


def lock_space(session: Session, space_id: int) -> Space:
    space = session.exec(select(Space).where(Space.id == space_id).with_for_update()).first()
    if space is None:
        raise NotFound("booking.error.no_space")
    return space


def lock_user(session: Session, user_id: int) -> User:
    user = session.exec(select(User).where(User.id == user_id).with_for_update()).first()
    if user is None or user.status == "deleted":
        raise NotFound("booking.error.no_member")
    return user


def holding_bookings(session: Session, space_id: int, start: datetime, end: datetime,
             exclude_ids: tuple[int, ...] = ()) -> list[Interval]:
    """Slot-holding bookings of the space overlapping [start, end) (index range on space, start)."""
    query = select(Booking.starts_at, Booking.ends_at, Booking.seats).where(
        Booking.space_id == space_id, col(Booking.status).in_(HOLDING),
        col(Booking.starts_at) > start - MAX_SPAN, col(Booking.starts_at) < end, col(Booking.ends_at) > start)
    if exclude_ids:
        query = query.where(col(Booking.id).not_in(exclude_ids))
    return [Interval(s, e, seats) for s, e, seats in session.exec(query).all()]


def check_free(session: Session, space: Space, start: datetime, end: datetime, seats: int,
                exclude_ids: tuple[int, ...] = ()) -> None:
    rules.check_availability(holding_bookings(session, space.id, start, end, exclude_ids), start, end,
                             rules=space_rules(space), seats=seats)


def insert_booking(session: Session, booking: Booking) -> Booking:
    """Adds the booking under a savepoint: a refusal by the exclusion constraint leaves the
    caller's transaction usable and becomes a translated Conflict."""
    try:
        with session.begin_nested():
            session.add(booking)
            session.flush()
    except IntegrityError:
        raise Conflict("booking.error.slot_taken") from None
    return booking


def quota_for(user: User) -> Quota:
    settings = get_settings()
    return Quota(
        hours_per_week=user.quota_hours_per_week if user.quota_hours_per_week is not None
        else settings.default_hours_per_week,
        upcoming_bookings=user.quota_upcoming_bookings if user.quota_upcoming_bookings is not None
        else settings.default_upcoming_bookings)


def check_member_quota(session: Session, user: User, new: list[Interval], now: datetime) -> None:
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
    rules.check_quota(existing=existing, new=new, upcoming_count=upcoming, quota=quota_for(user), tz=tz)


def check_may_book(session: Session, actor: Actor, space: Space, member_id: int) -> None:
    staff = may_manage_bookings(actor)
    completed = None
    if space.required_training_id is not None and not staff:
        completed = training_completed(session, member_id, space.required_training_id)
    rules.may_book_space(active=space.active, staff=staff, required_training_id=space.required_training_id,
                         training_completed=completed)


def check_when(session: Session, space: Space, start: datetime, end: datetime, now: datetime,
                staff: bool) -> None:
    rules.check_times(start, end, rules=space_rules(space), hours=load_hours(session),
                      closures=closures_between(session, start, end), space_id=space.id, now=now, tz=hub_tz(),
                      staff=staff)


def when_text(start: datetime, end: datetime, locale: str) -> str:
    tz = get_settings().timezone
    return f"{format_short_datetime(start, locale, tz)} – {format_time(end, locale, tz)}"


def notify_member(session: Session, booking: Booking, kind: str, *, reason: str = "") -> None:
    if booking.user_id is None:
        return
    user = session.get(User, booking.user_id)
    if user is None or user.status == "deleted":
        return
    space = session.get(Space, booking.space_id)
    notifications.notify(session, user, kind, link="/bookings", params={
        "space": space_name(space, user.locale), "when": when_text(booking.starts_at, booking.ends_at, user.locale),
        "reason": reason or "-"})


def clean_details(title: object, people: object, note: object, capacity: int) -> tuple[str, int, str]:
    title = validation.text(title, field="title", max_length=rules.LIMITS["title"], required=True)
    people = validation.integer(people if people not in (None, "") else 1, field="people", minimum=1,
                                maximum=10_000)
    if people > capacity:
        raise InvalidInput("booking.error.over_capacity", capacity=capacity)
    note = validation.text(note, field="note", max_length=rules.LIMITS["note"], multiline=True)
    return title, people, note


@dataclass
class BookingRefusal:
    """Why this member cannot book this space now, said before they fill in the form."""

    message_key: str
    params: dict
    link: str = ""  # where to do something about it (the required training)
    link_key: str = ""


def booking_refusal(session: Session, actor: Actor | None, space: Space, start: datetime) -> BookingRefusal | None:
    """The same checks that book() makes of the member (membership, required training, quota),
    asked before the form opens; None when nothing stands in the way."""
    try:
        actor = require_member(actor)
        if may_manage_bookings(actor):
            return None
        if space.required_training_id is not None and not training_completed(
                session, actor.user_id, space.required_training_id):
            training = session.get(Training, space.required_training_id)
            title = pick_marked(training.title_id, training.title_en, actor.locale) if training else "-"
            return BookingRefusal("booking.refusal.training", {"training": title},
                                  link=f"/trainings/{space.required_training_id}",
                                  link_key="booking.refusal.see_training")
        user = session.get(User, actor.user_id)
        minimum = timedelta(minutes=max(space.min_minutes, space.slot_minutes))
        check_member_quota(session, user, [Interval(start, start + minimum, 1)], utcnow())
    except HubError as error:
        return BookingRefusal(error.key, dict(error.params),
                              link="/bookings" if error.key.startswith("booking.error.quota") else "",
                              link_key="nav.bookings" if error.key.startswith("booking.error.quota") else "")
    return None


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


def booking_row(booking: Booking, space: Space, locale: str, now: datetime, *, member: str = "",
         staff: bool = False) -> BookingRow:
    opens, closes = rules.check_in_window(booking.starts_at)
    return BookingRow(
        id=booking.id, space_id=space.id, space=space_name(space, locale),
        title=pick(booking.title, booking.title_en, locale),
        when=when_text(booking.starts_at, booking.ends_at, locale),
        day=booking.starts_at.astimezone(hub_tz()).date().isoformat(), status=booking.status, kind=booking.kind,
        people=booking.seats, note=booking.note, member=member, checked_in=booking.checked_in_at is not None,
        no_show=booking.no_show,
        can_cancel=booking.status in HOLDING and (staff or now < booking.starts_at),
        can_check_in=(booking.status == CONFIRMED and booking.checked_in_at is None and opens <= now <= closes),
        series_id=booking.series_id or 0,
        reason=booking.decision_reason or booking.cancel_reason)


# --- booking --------------------------------------------------------------------------------------

def _same_request(session: Session, space: Space, owner_id: int, start: datetime, end: datetime, seats: int,
                  title: str) -> Booking | None:
    """The owner's slot-holding booking that this request already made, if any (see book())."""
    return session.exec(select(Booking).where(
        Booking.space_id == space.id, Booking.user_id == owner_id, Booking.kind == MEMBER_BOOKING,
        col(Booking.status).in_(HOLDING), Booking.starts_at == start, Booking.ends_at == end,
        Booking.seats == seats, Booking.title == title).order_by(col(Booking.id)).limit(1)).first()


def book(actor: Actor | None, *, session: Session, space_id: object, start: object, end: object,
         title: object, people: object = 1, note: object = "", member_id: object = None) -> BookingRow:
    """Books a space for the actor, or (staff) for a member. Pending when the space needs approval
    and a member books it; confirmed otherwise.

    Retries are safe: when the member already holds (pending or confirmed) a booking of this space
    with exactly this start, end, title and number of people, that booking is the answer (no second
    row, no "already booked" refusal, no second audit entry or notification). That is the request
    sent again after its answer was lost (the worker died after the commit, the phone lost its
    connection, a double tap). Title and people must match, because a member may legitimately hold
    two bookings of the same time in a desk area (a seat for a guest, named differently); the note
    is not compared (a remark for staff, retyped or not: the first one stays). The lookup runs after
    the member's and the space's locks, so two submits at once queue and the second finds the first.
    """
    actor = require_member(actor)
    space_id = validation.identifier(space_id, field="space_id")
    start, end = parse_moment(start, field="start"), parse_moment(end, field="end")
    staff = may_manage_bookings(actor)
    on_behalf = member_id not in (None, "", 0)
    if on_behalf and not staff:
        raise NotAllowed()
    owner_id = validation.identifier(member_id, field="member_id") if on_behalf else actor.user_id
    now = utcnow()

    begin_write(session)
    owner = lock_user(session, owner_id)
    if on_behalf and owner.status != "active":
        raise Conflict("booking.error.member_not_active")
    space = lock_space(session, space_id)
    check_may_book(session, actor, space, owner.id)
    title, people, note = clean_details(title, people, note, space.capacity)
    already = _same_request(session, space, owner.id, start, end, people, title)
    if already is not None:
        row = booking_row(already, space, actor.locale, now)
        session.rollback()  # nothing was written; ends the transaction and its locks
        return row
    check_when(session, space, start, end, now, staff)
    check_free(session, space, start, end, people)
    if not staff:
        check_member_quota(session, owner, [Interval(start, end, people)], now)
    status = PENDING if space.needs_approval and not staff else CONFIRMED
    booking = insert_booking(session, Booking(space_id=space.id, user_id=owner.id, kind=MEMBER_BOOKING, status=status,
                                       exclusive=rules.is_room(space.kind), starts_at=start, ends_at=end,
                                       seats=people, title=title, note=note, created_by=actor.user_id))
    if on_behalf:
        audit.record(session, actor, "booking.on_behalf", target_type="booking", target_id=booking.id,
                     detail=f"space {space.id} for user {owner.id}")
        notify_member(session, booking, "booking.booked_for_you")
    session.commit()
    return booking_row(booking, space, actor.locale, now)


# --- changing a booking -------------------------------------------------------------------------------

def own_or_staff(session: Session, actor: Actor, booking_id: object, *, lock: bool = True) -> Booking:
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
    booking = own_or_staff(session, actor, booking_id)
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
        notify_member(session, booking, "booking.cancelled", reason=reason)
    session.commit()
    return len(targets)


def decide(actor: Actor | None, *, session: Session, booking_id: object, approve: object,
           reason: object = "") -> None:
    """Staff approve or decline (with a reason) a pending booking; the member is notified."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    approve = validation.flag(approve, field="approve")
    reason = validation.text(reason, field="reason", max_length=rules.LIMITS["reason"], required=not approve)
    now = utcnow()
    begin_write(session)
    booking = own_or_staff(session, actor, booking_id)
    if booking.status != PENDING:
        raise Conflict("booking.error.not_pending")
    booking.status = CONFIRMED if approve else DECLINED
    booking.decided_by = actor.user_id
    booking.decision_reason = reason
    booking.updated_at = now
    session.add(booking)
    audit.record(session, actor, "booking.approve" if approve else "booking.decline", target_type="booking",
                 target_id=booking.id, detail=reason)
    notify_member(session, booking, "booking.approved" if approve else "booking.declined", reason=reason)
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
    space = lock_space(session, space_id)
    check_free(session, space, start, end, space.capacity)
    booking = insert_booking(session, Booking(space_id=space.id, user_id=None, kind=BLOCK_BOOKING, status=CONFIRMED,
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


@reads_only
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
        # Past and cancelled (or declined, released): whatever no longer holds a place.
        query = query.where(or_(col(Booking.ends_at) <= now, col(Booking.status).not_in(HOLDING)))
        if after:
            query = query.where(or_(col(Booking.starts_at) < after[0],
                                    (col(Booking.starts_at) == after[0]) & (col(Booking.id) < after[1])))
        query = query.order_by(col(Booking.starts_at).desc(), col(Booking.id).desc())
    else:
        query = query.where(col(Booking.ends_at) > now, col(Booking.status).in_(HOLDING))
        if after:
            query = query.where(or_(col(Booking.starts_at) > after[0],
                                    (col(Booking.starts_at) == after[0]) & (col(Booking.id) > after[1])))
        query = query.order_by(col(Booking.starts_at), col(Booking.id))
    found = session.exec(query.limit(PAGE_SIZE + 1)).all()
    rows = [booking_row(booking, space, actor.locale, now) for booking, space in found[:PAGE_SIZE]]
    last = found[PAGE_SIZE - 1][0] if len(found) > PAGE_SIZE else None
    return BookingPage(rows=rows, next_cursor=f"{last.starts_at.isoformat()}|{last.id}" if last else "")


def _cursor(value: object) -> tuple[datetime, int] | None:
    if not value:
        return None
    if not isinstance(value, str) or len(value) > 60 or "|" not in value:
        raise InvalidInput("error.invalid", field="cursor")
    moment, _, ident = value.partition("|")
    return parse_moment(moment, field="cursor"), validation.identifier(ident, field="cursor")


# --- background: no-shows -------------------------------------------------------------------------

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

"""The booking calendar read-models: every space on one day, one space over a week, the change
fingerprint the pages poll (calendar_version / window_version), and the end times offered after a
tap on a free slot (booking_choice). What is read here is drawn into cells by calendar_drawing.py;
the drawings of a day for no one in particular are kept here for its many viewers.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from hub_app.db import reads_only
from hub_app.domain import bookings as rules
from hub_app.domain import validation
from hub_app.domain.bookings import HOLDING, MAX_SPAN, SPACE_KINDS, may_manage_bookings
from hub_app.domain.errors import InvalidInput, NotFound
from hub_app.domain.opening_hours import (
    Period,
    closed_all_day,
    day_bounds,
    first_bookable_day,
    opening_of,
)
from hub_app.domain.permissions import Actor
from hub_app.i18n import format_date, format_short_datetime, pick_marked, translate
from hub_app.models import Booking, Closure, Space, User
from hub_app.models.base import utcnow
from hub_app.services import calendar_drawing as drawing
from hub_app.services.bookings import booking_refusal, hub_tz, parse_day, parse_moment
from hub_app.services.calendar_drawing import CalendarCell, DayChip, SpaceStarts
from hub_app.services.spaces import closures_between, load_hours, space_name
from hub_app.settings import get_settings


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
    spaces: list[SpaceStarts] = field(default_factory=list)
    notice: str = ""  # why the page opened on another day than today
    closed_reason: str = ""  # "Tutup: Hari Natal", once for a closed day
    duration: int = 0
    durations: list[int] = field(default_factory=list)


# What a calendar shows of each booking (columns, not ORM objects: hundreds per read), built once.
_VISIBLE_BOOKINGS = select(
    Booking.id, Booking.user_id, Booking.space_id, Booking.kind, Booking.status, Booking.title, Booking.title_en,
    Booking.starts_at, Booking.ends_at, Booking.seats, User.name,
).join(User, col(User.id) == Booking.user_id, isouter=True).where(
    col(Booking.space_id).in_(bindparam("space_ids", expanding=True)), col(Booking.status).in_(HOLDING),
    col(Booking.starts_at) > bindparam("earliest_start"), col(Booking.starts_at) < bindparam("end"),
    col(Booking.ends_at) > bindparam("start"),
).order_by(col(Booking.starts_at))


def _visible_bookings(session: Session, space_ids: list[int], start: datetime, end: datetime) -> list[tuple]:
    """(booking row, member name) of the bookings that hold time in the spaces between start and end."""
    if not space_ids:
        return []
    rows = session.connection().execute(_VISIBLE_BOOKINGS, {
        "space_ids": space_ids, "earliest_start": start - MAX_SPAN, "end": end, "start": start})
    return [(row, row.name) for row in rows]


# Every calendar page load and every live calendar's start asks for this: one statement, built once.
_CLOSURES_IN_WINDOW = (col(Closure.ends_at) > bindparam("start"), col(Closure.starts_at) < bindparam("end"))
_WINDOW_FINGERPRINT = select(
    func.max(Booking.updated_at), func.count(Booking.id),
    select(func.count(col(Closure.id))).where(*_CLOSURES_IN_WINDOW).scalar_subquery(),
    select(func.max(Closure.created_at)).where(*_CLOSURES_IN_WINDOW).scalar_subquery(),
).where(col(Booking.starts_at) > bindparam("earliest_start"), col(Booking.starts_at) < bindparam("end"))


def calendar_version(*, session: Session, start: datetime, end: datetime) -> str:
    """A cheap fingerprint of everything a calendar window shows: changes when a booking in it is
    made, cancelled, approved or moved (updated_at), or a closure is added or removed."""
    latest, count, closures, closed_at = session.connection().execute(
        _WINDOW_FINGERPRINT, {"start": start, "end": end, "earliest_start": start - MAX_SPAN}).one()
    return f"{latest.timestamp() if latest else 0}:{count}:{closures}:{closed_at.timestamp() if closed_at else 0}"


def _today() -> date:
    return utcnow().astimezone(hub_tz()).date()


def _hub_closure_reason(session: Session, period: Period | None, locale: str) -> str:
    if period is None:
        return ""
    row = session.exec(select(Closure).where(col(Closure.space_id).is_(None), Closure.starts_at == period.starts_at,
                                             Closure.ends_at == period.ends_at)).first()
    return pick_marked(row.reason_id, row.reason_en, locale) if row else ""


def _opening_day(session: Session, hours: dict, now: datetime, locale: str) -> tuple[date, str]:
    """Today while the hub is open, otherwise the next open day, with the sentence that says why."""
    tz = hub_tz()
    today = _today()
    horizon_end = day_bounds(today + timedelta(days=14), tz)[1]
    hub_closures = [c for c in closures_between(session, day_bounds(today, tz)[0], horizon_end) if c.space_id is None]
    day, why = first_bookable_day(today=today, now=now, hours=hours, hub_closures=hub_closures, tz=tz,
                                  shortest=timedelta(minutes=30))
    if not why:
        return day, ""
    if why == "closure":
        opening = opening_of(today, hours, tz)
        reason = _hub_closure_reason(session, closed_all_day(opening, hub_closures), locale) if opening else ""
        return day, translate("calendar.skipped_closure", locale, reason=reason or "-", day=format_date(day, locale))
    return day, translate(f"calendar.skipped_{why}", locale, day=format_date(day, locale))


@dataclass
class DayReading:
    """One day's calendar as read from the database, with each space's column as a visitor or a
    member without a booking in it sees it. The live calendars woken by one change share a reading
    (hundreds may show that day); `view_day` redraws only the columns that differ for its viewer."""

    day: date
    locale: str
    notice: str
    closed: bool
    closed_reason: str
    rows: int
    time_cells: list[CalendarCell]
    spaces: list  # rows of Space's columns (read as rows: see _SPACES)
    # Per space, for no one in particular (drawn when first asked): its cells, and (position, booking)
    # of each booking's cell in a room's column (see _members_column).
    columns: list[tuple[list[CalendarCell], list] | None]
    booked: list[list]  # per space: (booking row, member name) pairs, never shown as they are
    agenda: list[SpaceStarts]
    origin: int
    hours: dict
    closures: list
    now: datetime
    window_start: str
    window_end: str
    version: str
    wanted: int
    offered: list[int]


# The day readings of the last moments, shared by every page load and live calendar that shows the
# same day as it stands: /book is the busiest page and drawing a day is most of its cost. A reading is
# found again only while the day's fingerprint (bookings, closures), its spaces, the opening hours and
# the minute are the same (the minute, because slots turn "past" and names of members may change).
_READINGS: OrderedDict[tuple, "DayReading"] = OrderedDict()
_READINGS_KEPT = 64
_READINGS_LOCK = threading.Lock()


# The calendar's spaces, as rows of all their columns (read on every calendar read; nothing here
# writes them, and ORM objects cost more to load than the query).
_SPACES = (select(*Space.__table__.columns).where(col(Space.active).is_(True))
           .order_by(col(Space.kind), col(Space.id)).limit(60))
_SPACES_OF_KIND = (select(*Space.__table__.columns).where(col(Space.active).is_(True), Space.kind == bindparam("kind"))
                   .order_by(col(Space.kind), col(Space.id)).limit(60))


@reads_only
def read_day(*, session: Session, day: object = None, kind: object = "", locale: str = "id",
             duration: object = None) -> DayReading:
    """Everything `calendar_day` shows, before it is drawn for one viewer (see DayReading)."""
    tz = hub_tz()
    now = utcnow()
    hours = load_hours(session)
    notice = ""
    if day:
        day = parse_day(day)
    else:
        day, notice = _opening_day(session, hours, now, locale)
    kind = validation.choice(kind, SPACE_KINDS, field="kind", required=False)
    spaces = session.connection().execute(_SPACES_OF_KIND if kind else _SPACES, {"kind": kind}).all()
    offered = sorted({m for s in spaces for m in rules.durations_for(s.min_minutes, s.max_minutes)})
    wanted = duration if isinstance(duration, int) and not isinstance(duration, bool) else rules.DEFAULT_DURATION
    if wanted not in offered:
        wanted = rules.DEFAULT_DURATION if rules.DEFAULT_DURATION in offered else (offered[0] if offered else 60)
    start, end = day_bounds(day, tz)
    # Before the bookings are read: a booking made meanwhile is then in the reading but not in its
    # fingerprint, so the reading is read again next time instead of hiding that booking.
    version = calendar_version(session=session, start=start, end=end)
    bind = session.get_bind()
    key = (id(bind), str(bind.url), day, kind, locale, wanted, notice, version, now.replace(second=0, microsecond=0),
           tuple(sorted(hours.items())), tuple((s.id, s.updated_at) for s in spaces))
    with _READINGS_LOCK:
        reading = _READINGS.get(key)
        if reading is not None:
            _READINGS.move_to_end(key)
            return reading
    reading = _read_day(session, day, locale, notice, list(spaces), hours, now, start, end, version, wanted, offered)
    with _READINGS_LOCK:
        _READINGS[key] = reading
        while len(_READINGS) > _READINGS_KEPT:
            _READINGS.popitem(last=False)
    return reading


def _read_day(session: Session, day: date, locale: str, notice: str, spaces: list, hours: dict,
              now: datetime, start: datetime, end: datetime, version: str, wanted: int,
              offered: list[int]) -> DayReading:
    tz = hub_tz()
    closures = closures_between(session, start, end)
    opening = opening_of(day, hours, tz)
    whole_day = closed_all_day(opening, closures) if opening else None
    closed = opening is None or whole_day is not None
    closed_reason = ""
    if closed:
        reason = _hub_closure_reason(session, whole_day, locale)
        closed_reason = translate("calendar.closed_named" if reason else "calendar.closed_day", locale, reason=reason)
    booked = [] if closed else _visible_bookings(session, [s.id for s in spaces], start, end)
    reading = DayReading(
        day=day, locale=locale, notice=notice, closed=closed, closed_reason=closed_reason, rows=1, time_cells=[],
        spaces=[] if closed else spaces, columns=[], booked=[], agenda=[], origin=0, hours=hours,
        closures=closures, now=now, window_start=start.isoformat(), window_end=end.isoformat(),
        version=version, wanted=wanted, offered=offered)
    if not closed:
        reading.origin = drawing.local_minutes(opening[0], tz)
        reading.time_cells = drawing.time_cells(opening[0], opening[1], reading.origin, locale)
        reading.rows = 1 + int((opening[1] - opening[0]).total_seconds() // 60) // drawing.ROW_MINUTES
        by_space: dict[int, list] = {}
        for row in booked:
            by_space.setdefault(row[0].space_id, []).append(row)
        for space in spaces:
            theirs = by_space.get(space.id, [])
            reading.booked.append(theirs)
            reading.columns.append(None)
            reading.agenda.append(_kept(
                ("agenda", wanted, opening, *_space_key(space, day, locale, now, closures, theirs)),
                partial(drawing.space_starts, space, day, opening, wanted, theirs, closures, now, locale)))
    return reading


def _day_column(reading: DayReading, index: int, actor: Actor | None,
                booking_cells: list | None = None) -> list[CalendarCell]:
    space = reading.spaces[index]
    detail = translate("calendar.seats" if space.kind == "desk_area" else "calendar.people", reading.locale,
                       count=space.capacity)
    return drawing.column_cells(space, reading.day, index + 2, reading.origin, reading.hours, reading.closures,
                   reading.booked[index], actor, reading.now, reading.locale, space_name(space, reading.locale),
                   detail, booking_cells)


def _members_column(reading: DayReading, index: int, actor: Actor) -> list[CalendarCell]:
    """A room's column as a member sees it: the column drawn for no one, with their own bookings'
    cells as theirs (a booking wakes every open calendar of its day, and most members on a busy
    day hold a booking in some room). Desk areas, whose free seats depend on the viewer's own
    bookings, are drawn for the member."""
    column, booking_cells = reading.columns[index]
    if not rules.is_room(reading.spaces[index].kind):
        return _day_column(reading, index, actor)
    cells = list(column)
    for position, booking in booking_cells:
        if booking.user_id == actor.user_id:
            cells[position] = drawing.own_booking_cell(cells[position], booking)
    return cells


# What is drawn of one space for no one (its column, its free start times), by everything it shows:
# a booking makes a new reading of its day, but the day's other spaces look the same, and every
# open calendar of that day is drawn again.
_DRAWN: OrderedDict[tuple, object] = OrderedDict()
_DRAWN_KEPT = 1024


def _space_key(space: Space, day: date, locale: str, now: datetime, closures: list, theirs: list) -> tuple:
    """What a space's drawing for no one depends on (the minute, as the readings are kept per minute)."""
    return (space.id, space.kind, space.capacity, space.slot_minutes, space.min_minutes, space.max_minutes,
            space.name_id, space.name_en, space.location, space.location_en, space.updated_at, day, locale,
            now.replace(second=0, microsecond=0), tuple(c for c in closures if c.space_id in (None, space.id)),
            tuple(tuple(row) for row, _ in theirs))


def _kept(key: tuple, draw):
    with _READINGS_LOCK:
        drawn = _DRAWN.get(key)
        if drawn is not None:
            _DRAWN.move_to_end(key)
            return drawn
    drawn = draw()
    with _READINGS_LOCK:
        _DRAWN[key] = drawn
        while len(_DRAWN) > _DRAWN_KEPT:
            _DRAWN.popitem(last=False)
    return drawn


def _anonymous_column(reading: DayReading, index: int) -> tuple[list[CalendarCell], list]:
    """The column of a space drawn for no one, with its booking cells' positions (see _members_column)."""
    def draw():
        booking_cells: list = []
        return _day_column(reading, index, None, booking_cells), booking_cells

    space_key = _space_key(reading.spaces[index], reading.day, reading.locale, reading.now, reading.closures,
                           reading.booked[index])
    return _kept(("column", index, reading.origin, tuple(sorted(reading.hours.items())), *space_key), draw)


def view_day(reading: DayReading, actor: Actor | None) -> CalendarView:
    """The reading drawn for one viewer: staff see every booking's title and member (their columns are
    drawn for them); a member sees their own bookings as theirs, everyone else's as busy."""
    staff = may_manage_bookings(actor)
    cells = list(reading.time_cells)
    for index, drawn in enumerate(reading.columns):
        if staff:
            cells += _day_column(reading, index, actor)
            continue
        if drawn is None:  # viewers sharing a reading may draw it at once: the same cells either way
            drawn = reading.columns[index] = _anonymous_column(reading, index)
        if actor is not None and any(b.user_id == actor.user_id for b, _ in reading.booked[index]):
            cells += _members_column(reading, index, actor)
        else:
            cells += drawn[0]
    day = reading.day
    return CalendarView(
        day=day.isoformat(), title=format_date(day, reading.locale), columns=len(reading.columns), rows=reading.rows,
        cells=cells, days=drawing.day_strip(day, max(_today(), day - timedelta(days=3)), reading.locale),
        closed=reading.closed, window_start=reading.window_start, window_end=reading.window_end,
        version=reading.version, previous=(day - timedelta(days=1)).isoformat(),
        next=(day + timedelta(days=1)).isoformat(), spaces=reading.agenda, notice=reading.notice,
        closed_reason=reading.closed_reason, duration=reading.wanted, durations=reading.offered)


@reads_only
def calendar_day(actor: Actor | None, *, session: Session, day: object = None, kind: object = "",
                 locale: str = "id", duration: object = None) -> CalendarView:
    """Every active space (optionally of one kind) as a column of one local day, and the same day as
    each space's free start times for the chosen length (the phone agenda). Without a day: today
    while the hub is open, otherwise the next open day, saying why."""
    locale = actor.locale if actor else locale
    return view_day(read_day(session=session, day=day, kind=kind, locale=locale, duration=duration), actor)


@reads_only
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
    open_minutes = [(drawing.local_minutes(opening[0], tz), drawing.local_minutes(opening[1], tz) or 24 * 60)
                    for opening in openings if opening]
    now = utcnow()
    cells: list[CalendarCell] = []
    rows = 1
    origin = 0
    if open_minutes:
        origin = min(o for o, _ in open_minutes)
        last = max(c for _, c in open_minutes)
        first_moment = datetime.combine(monday, datetime.min.time(), tzinfo=tz) + timedelta(minutes=origin)
        cells += drawing.time_cells(first_moment, first_moment + timedelta(minutes=last - origin), origin, locale)
        rows = 1 + (last - origin) // drawing.ROW_MINUTES
    for index in range(7):
        current = monday + timedelta(days=index)
        day_start, day_end = day_bounds(current, tz)
        that_day = [(b, n) for b, n in booked if b.starts_at < day_end and day_start < b.ends_at]
        cells += drawing.column_cells(space, current, index + 2, origin, hours, closures, that_day, actor, now, locale,
                         format_date(current, locale, "EEE d MMM"), "")
    return CalendarView(
        day=day.isoformat(), title=f"{format_date(monday, locale, 'd MMM')} – "
                                   f"{format_date(monday + timedelta(days=6), locale, 'd MMM y')}",
        columns=7, rows=rows, cells=cells, days=drawing.day_strip(day, max(_today(), day - timedelta(days=3)), locale),
        closed=not open_minutes, window_start=start.isoformat(), window_end=end.isoformat(),
        version=calendar_version(session=session, start=start, end=end),
        previous=(day - timedelta(days=7)).isoformat(), next=(day + timedelta(days=7)).isoformat())


@reads_only
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
    default_end: str = ""  # the end for the chosen length, preselected
    refusal: str = ""  # why this member cannot book here now (translated); the form stays closed
    refusal_link: str = ""
    refusal_link_text: str = ""


@reads_only
def booking_choice(actor: Actor | None, *, session: Session, space_id: object, start: object,
                   locale: str = "id", duration: object = None) -> BookingChoice:
    """What the booking form offers after a tap on a free slot: the end times that fit (within the
    space's minimum/maximum, opening hours, and before the next booking of a room), the end for the
    chosen length, or why this member cannot book here (asked before the form opens)."""

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
        ends.append([local.strftime("%Y-%m-%dT%H:%M"), drawing.hhmm(moment, locale)])
        moment += timedelta(minutes=space.slot_minutes)
    wanted = duration if isinstance(duration, int) and not isinstance(duration, bool) else rules.DEFAULT_DURATION
    minutes = rules.length_for(wanted, min_minutes=space.min_minutes, max_minutes=space.max_minutes,
                               slot_minutes=space.slot_minutes)
    wanted_end = (begin + timedelta(minutes=minutes)).astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    values = [value for value, _ in ends]
    default_end = wanted_end if wanted_end in values else (values[-1] if values else "")
    refusal = booking_refusal(session, actor, space, begin)
    return BookingChoice(space_id=space.id, space=space_name(space, locale), kind=space.kind,
                         capacity=space.capacity, start=begin.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
                         start_label=format_short_datetime(begin, locale, get_settings().timezone), ends=ends,
                         needs_approval=space.needs_approval and not may_manage_bookings(actor),
                         default_end=default_end,
                         refusal=translate(refusal.message_key, locale, **refusal.params) if refusal else "",
                         refusal_link=refusal.link if refusal else "",
                         refusal_link_text=translate(refusal.link_key, locale) if refusal and refusal.link_key else "")

"""How a booking calendar is drawn: cells placed on a CSS grid (column 1: times, row 1: headings;
one row per 30 minutes), and each space's free start times for the phone agenda. On a phone the
same cells show as an agenda: a heading per column followed by its slots as chips. Cells are
grouped by column, in time order, so both readings work. What is read from the database, and which
drawings are kept for the many viewers of one day, is services/booking_calendar.py.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hub_app.domain import bookings as rules
from hub_app.domain.bookings import (
    BLOCK_BOOKING,
    MEMBER_BOOKING,
    PENDING,
    RESERVATION_KINDS,
    Interval,
    may_manage_bookings,
)
from hub_app.domain.opening_hours import Period, closure_hit, opening_of
from hub_app.domain.permissions import Actor
from hub_app.i18n import format_date, format_time, pick_marked, translate
from hub_app.models import Space
from hub_app.services.bookings import hub_tz
from hub_app.services.spaces import space_location, space_name
from hub_app.settings import get_settings

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
    aria: str = ""  # a free slot's name for screen readers: space, day and time


@dataclass
class DayChip:
    day: str
    weekday: str
    number: str
    selected: bool


@dataclass
class StartChip:
    """A free start time of one space for the chosen length, named in full for screen readers."""

    start: str  # local "YYYY-MM-DDTHH:MM"
    label: str  # "10.00"
    aria: str  # "Ruang Rapat A, Kamis 3 Des, 10.00–11.00"


@dataclass
class SpaceStarts:
    """One space on the phone agenda: only its free start times (the first few, then "more")."""

    space_id: int
    name: str
    detail: str
    starts: list[StartChip]
    more: list[StartChip]
    note: str  # e.g. why there is nothing left, or the length used when the chosen one is not allowed


def local_minutes(moment: datetime, tz: ZoneInfo) -> int:
    local = moment.astimezone(tz)
    return local.hour * 60 + local.minute


def _area(row: int, col: int, span: int) -> str:
    return f"{row} / {col} / span {max(span, 1)} / span 1"


def hhmm(moment: datetime, locale: str) -> str:
    return format_time(moment, locale, get_settings().timezone)


def column_cells(space: Space, day: date, col_index: int, origin: int, hours: dict, closures: list,
            booked: list, actor: Actor | None, now: datetime, locale: str, head: str, head_detail: str,
            booking_cells: list | None = None) -> list:
    """The cells of one space on one local day, rows counted from `origin` minutes after midnight.
    `booking_cells`, if given, gets (position in the column, booking) for each booking's cell of a room."""
    tz = hub_tz()
    staff = may_manage_bookings(actor)
    cells = [CalendarCell(kind="head", area=_area(1, col_index, 1), label=head, time="", detail=head_detail,
                          space_id=space.id)]
    opening = opening_of(day, hours, tz)
    if opening is None:
        return cells + [CalendarCell(kind="closed", area=_area(2, col_index, 1), label=translate(
            "calendar.closed_day", locale), time="", space_id=space.id)]

    def row_of(moment: datetime) -> int:
        return 2 + (local_minutes(moment, tz) - origin) // ROW_MINUTES

    def span_of(start: datetime, end: datetime) -> int:
        return max(1, int((end - start).total_seconds() // 60) // ROW_MINUTES)

    def booking_cell(booking, name: str | None, start: datetime, end: datetime) -> CalendarCell:
        mine = actor is not None and booking.user_id == actor.user_id
        if booking.kind in RESERVATION_KINDS:
            title = pick_marked(booking.title, booking.title_en, locale)
            label = translate(f"booking.kind.{booking.kind}", locale) + ": " + title
        elif booking.kind == BLOCK_BOOKING:
            label = translate("booking.kind.block", locale)
        elif mine or staff:
            label = booking.title
        else:
            label = translate("calendar.busy", locale)
        detail = (name or "") if staff and booking.kind == MEMBER_BOOKING else ""
        kind = "mine" if mine else ("pending" if booking.status == PENDING else "busy")
        return CalendarCell(kind=kind, area=_area(row_of(start), col_index, span_of(start, end)), label=label,
                            time=f"{hhmm(start, locale)}–{hhmm(end, locale)}", detail=detail, space_id=space.id)

    # A free slot's name for screen readers starts with the column's space and day (one per column:
    # a calendar has hundreds of free slots).
    aria_prefix = f"{space_name(space, locale)}, {format_date(day, locale, 'EEEE d MMM')}"
    step = timedelta(minutes=space.slot_minutes)
    slots = []
    moment = opening[0]
    while moment + step <= opening[1]:
        slots.append((moment, moment + step))
        moment += step
    if rules.is_room(space.kind):
        covered: list[tuple[datetime, datetime]] = []
        drawn = {}
        for booking, name in booked:
            start, end = max(booking.starts_at, opening[0]), min(booking.ends_at, opening[1])
            if end > start:
                cells.append(booking_cell(booking, name, start, end))
                drawn[id(cells[-1])] = booking
                covered.append((start, end))
        for start, end in slots:
            if any(start < c_end and c_start < end for c_start, c_end in covered):
                continue
            cells.append(_free_or_not(space, start, end, row_of(start), span_of(start, end), col_index, closures, now,
                                      locale, aria_prefix))
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
                                locale, aria_prefix)
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
    cells = cells[:1] + sorted(cells[1:], key=lambda cell: int(cell.area.split(" / ", 1)[0]))
    if booking_cells is not None and rules.is_room(space.kind):
        booking_cells.extend((position, drawn[id(cell)]) for position, cell in enumerate(cells) if id(cell) in drawn)
    return cells


def _free_or_not(space, start, end, row, span, col_index, closures, now, locale, aria_prefix) -> CalendarCell:
    area = _area(row, col_index, span)
    time = f"{hhmm(start, locale)}–{hhmm(end, locale)}"
    closure = closure_hit(start, end, space.id, closures)
    if closure is not None:
        return CalendarCell(kind="closed", area=area, label=translate("calendar.closed", locale), time=time,
                            space_id=space.id)
    if start < now:
        return CalendarCell(kind="past", area=area, label="", time=time, space_id=space.id)
    local = start.astimezone(hub_tz())
    return CalendarCell(kind="free", area=area, label=translate("calendar.free", locale), time=time,
                        start=local.strftime("%Y-%m-%dT%H:%M"), space_id=space.id,
                        aria=f"{aria_prefix}, {time}")


def time_cells(first: datetime, last: datetime, origin: int, locale: str) -> list[CalendarCell]:
    cells, moment, tz = [], first, hub_tz()
    while moment < last:
        row = 2 + (local_minutes(moment, tz) - origin) // ROW_MINUTES
        cells.append(CalendarCell(kind="time", area=_area(row, 1, 1), label=hhmm(moment, locale), time=""))
        moment += timedelta(minutes=ROW_MINUTES)
    return cells


def day_strip(selected: date, first: date, locale: str, count: int = 14) -> list[DayChip]:
    return [DayChip(day=(first + timedelta(days=i)).isoformat(),
                    weekday=format_date(first + timedelta(days=i), locale, "EEE"),
                    number=format_date(first + timedelta(days=i), locale, "d MMM"),
                    selected=first + timedelta(days=i) == selected) for i in range(count)]


STARTS_SHOWN = 6


def space_starts(space: Space, day: date, opening: tuple[datetime, datetime], duration: int, booked: list,
                  closures: list[Period], now: datetime, locale: str) -> SpaceStarts:
    minutes = rules.length_for(duration, min_minutes=space.min_minutes, max_minutes=space.max_minutes,
                               slot_minutes=space.slot_minutes)
    length = timedelta(minutes=minutes)
    closed = [(c.starts_at, c.ends_at) for c in closures if c.space_id in (None, space.id)]
    starts = rules.free_starts(opening=opening, step=timedelta(minutes=space.slot_minutes), length=length, now=now,
                               holding=[Interval(b.starts_at, b.ends_at, b.seats) for b, _ in booked],
                               capacity=space.capacity, exclusive=rules.is_room(space.kind), closed=closed)
    name = space_name(space, locale)
    day_label = format_date(day, locale, "EEEE d MMM")
    chips = [StartChip(start=moment.astimezone(hub_tz()).strftime("%Y-%m-%dT%H:%M"), label=hhmm(moment, locale),
                       aria=f"{name}, {day_label}, {hhmm(moment, locale)}–{hhmm(moment + length, locale)}")
             for moment in starts]
    if not chips:
        note = translate("calendar.nothing_left", locale)
    elif minutes != duration:
        note = translate("calendar.length_used", locale, minutes=minutes)
    else:
        note = ""
    detail = translate("calendar.seats" if space.kind == "desk_area" else "calendar.people", locale,
                       count=space.capacity)
    if space.location or space.location_en:
        detail = f"{detail} · {space_location(space, locale)}"
    return SpaceStarts(space_id=space.id, name=name, detail=detail, starts=chips[:STARTS_SHOWN],
                       more=chips[STARTS_SHOWN:], note=note)


def own_booking_cell(cell: CalendarCell, booking) -> CalendarCell:
    """A booking's cell as its member sees it (what column_cells draws for them): theirs, with its title."""
    shared_label = booking.kind in RESERVATION_KINDS or booking.kind == BLOCK_BOOKING
    return CalendarCell(kind="mine", area=cell.area, label=cell.label if shared_label else booking.title,
                        time=cell.time, space_id=cell.space_id)

"""Space use: booked and open hours per space and kind, check-ins and no-shows, the weekday x hour
heat map and bookings by the members' sector and stage. Three grouped queries over the bookings
(per space, heat map, sector and stage) plus the spaces, opening hours and closures."""

from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal
from sqlmodel import Session, col, select

from hub_app.domain.bookings import (
    CANCELLED,
    CONFIRMED,
    DECLINED,
    DESK_AREA,
    MAX_SPAN,
    MEMBER_BOOKING,
    RELEASED,
    RESERVATION_KINDS,
    SPACE_KINDS,
)
from hub_app.domain.insights import (
    WEEKDAYS,
    add_to_heat_map,
    empty_heat_map,
    open_hours,
    peak_hours,
    rate,
)
from hub_app.domain.opening_hours import Period as Closed
from hub_app.i18n import format_date, translate
from hub_app.models import Booking, Space, User
from hub_app.services.insights import rollups
from hub_app.services.insights.figures import CountRow, Figure, KindRow, SpaceRow, SpaceUse
from hub_app.services.insights.rollups import Split
from hub_app.services.insights.windows import (
    CURRENT,
    EPOCH,
    PREVIOUS,
    Windows,
    fixed_offset,
    in_spans,
    seconds,
)
from hub_app.services.spaces import closures_between, load_hours, space_name

WEEK_SECONDS = 7 * 24 * 3600
A_MONDAY = date(2026, 11, 23)
# Per period, the sums the per-space query returns, in this order.
SUMS = ("seconds", "seat_seconds", "bookings", "checked_in", "no_shows", "ended", "ended_checked_in",
        "ended_no_shows")


def counted():
    """Bookings that are use of a space: members', training sessions' and events', not cancelled or
    declined."""
    return and_(col(Booking.kind).in_((MEMBER_BOOKING, *RESERVATION_KINDS)),
                col(Booking.status).not_in((CANCELLED, DECLINED)))


def space_use(session: Session, windows: Windows, tz: ZoneInfo, days: dict[int, tuple[date, date]],
              lang: str, split: tuple[dict[int, Split], dict[int, Split]]) -> SpaceUse:
    """`split`: per period, which days come from the rollups and which are read live (rollups.splits:
    the sums that do not depend on now, and those that do)."""
    plain, timed = split
    sums = _sums_per_space(session, windows, plain, timed)
    for which, space_id, *values in rollups.rolled_space_sums(session, plain, timed):
        found = sums.setdefault(space_id, {period: dict.fromkeys(SUMS, 0.0) for period in (CURRENT, PREVIOUS)})
        for name, value in zip(SUMS, values, strict=True):
            found[which][name] += float(value or 0)
    spaces = session.exec(select(Space).order_by(col(Space.id))).all()
    hours = load_hours(session)
    closures = closures_between(session, windows.low, windows.high)
    rows: dict[int, list[SpaceRow]] = {CURRENT: [], PREVIOUS: []}
    for space in spaces:
        found = sums.get(space.id)
        if not space.active and found is None:
            continue
        for which, (first, last) in days.items():
            rows[which].append(_space_row(space, found, which, first, last, hours, closures, tz, lang))
    order = {kind: index for index, kind in enumerate(SPACE_KINDS)}
    for which in rows:
        rows[which].sort(key=lambda row: (order.get(row.kind, len(order)), row.name.lower(), row.id))
    now_rows, before_rows = rows[CURRENT], rows[PREVIOUS]
    grid = _heat_map(session, windows, tz, plain[CURRENT])
    peaks = peak_hours(grid)
    sectors, stages = _by_sector_and_stage(session, plain[CURRENT], lang)

    def total(which_rows: list[SpaceRow], name: str) -> float:
        return sum(getattr(row, name) for row in which_rows)

    def figure(name: str) -> Figure:
        return Figure(_round(total(now_rows, name)), _round(total(before_rows, name)))

    ended = {which: sums_total(sums, which) for which in (CURRENT, PREVIOUS)}
    return SpaceUse(
        booked_hours=figure("booked_hours"),
        capacity_hours=figure("capacity_hours"),
        use_rate=Figure(rate(total(now_rows, "booked_hours"), total(now_rows, "capacity_hours")),
                        rate(total(before_rows, "booked_hours"), total(before_rows, "capacity_hours"))),
        bookings=Figure(int(total(now_rows, "bookings")), int(total(before_rows, "bookings"))),
        check_in_rate=Figure(rate(ended[CURRENT][1], ended[CURRENT][0]), rate(ended[PREVIOUS][1], ended[PREVIOUS][0])),
        no_show_rate=Figure(rate(ended[CURRENT][2], ended[CURRENT][0]), rate(ended[PREVIOUS][2], ended[PREVIOUS][0])),
        spaces=now_rows,
        kinds=_kinds(now_rows, lang),
        heat_map=[[_round(cell) for cell in row] for row in grid],
        weekdays=[format_date(A_MONDAY + timedelta(days=day), lang, "EEE") for day in range(WEEKDAYS)],
        peak_hours=peaks,
        peak_labels=[hour_label(hour, lang) for hour in peaks],
        by_sector=sectors,
        by_stage=stages,
    )


def sums_total(sums: dict[int, dict[int, dict[str, float]]], which: int) -> tuple[float, float, float]:
    """(ended, of which checked in, of which no-shows) over all spaces."""
    parts = [found[which] for found in sums.values()]
    return (sum(part["ended"] for part in parts), sum(part["ended_checked_in"] for part in parts),
            sum(part["ended_no_shows"] for part in parts))


def _sums_per_space(session: Session, windows: Windows, plain: dict[int, Split],
                    timed: dict[int, Split]) -> dict[int, dict[int, dict[str, float]]]:
    """One grouped query over the days read live: per space and period, the seconds inside the live
    spans (and seat-seconds), member bookings starting in them, their check-ins and no-shows, and of
    those starting in the `timed` live spans the ones ended by now."""
    spans = [span for which in (CURRENT, PREVIOUS) for span in (*plain[which].live, *timed[which].live)]
    if not spans:
        return {}
    low, high = min(start for start, _ in spans), max(end for _, end in spans)
    start_s, end_s = windows.epoch(Booking.starts_at), windows.epoch(Booking.ends_at)
    member = Booking.kind == MEMBER_BOOKING
    checked = col(Booking.checked_in_at).is_not(None)
    missed = col(Booking.no_show).is_(True)
    ended = and_(col(Booking.status).in_((CONFIRMED, RELEASED)), col(Booking.ends_at) <= windows.now)

    def count_if(*conditions):
        return func.sum(case((and_(*conditions), 1), else_=0))

    columns = []
    for which in (CURRENT, PREVIOUS):
        inside = sum((windows.greatest(0, windows.least(end_s, seconds(last)) - windows.greatest(
            start_s, seconds(first))) for first, last in plain[which].live), literal(0))
        starts = and_(member, in_spans(col(Booking.starts_at), plain[which].live))
        ends = and_(member, in_spans(col(Booking.starts_at), timed[which].live))
        columns += [func.sum(inside), func.sum(inside * Booking.seats), count_if(starts), count_if(starts, checked),
                    count_if(starts, missed), count_if(ends, ended), count_if(ends, ended, checked),
                    count_if(ends, ended, missed)]
    found = session.exec(
        select(Booking.space_id, *columns)
        .where(counted(), col(Booking.starts_at) >= low - MAX_SPAN, col(Booking.starts_at) < high,
               col(Booking.ends_at) > low)
        .group_by(Booking.space_id)).all()
    result = {}
    for space_id, *values in found:
        numbers = [float(value or 0) for value in values]
        result[space_id] = {CURRENT: dict(zip(SUMS, numbers[:len(SUMS)], strict=True)),
                            PREVIOUS: dict(zip(SUMS, numbers[len(SUMS):], strict=True))}
    return result


def _space_row(space: Space, found: dict | None, which: int, first: date, last: date,
               hours: dict[int, tuple[int, int]], closures: list[Closed], tz: ZoneInfo, lang: str) -> SpaceRow:
    sums = found[which] if found else dict.fromkeys(SUMS, 0.0)
    desk = space.kind == DESK_AREA
    opened = _open_hours(first, last, tuple(sorted(hours.items())), tuple(
        (c.starts_at, c.ends_at) for c in closures if c.space_id in (None, space.id)), tz)
    booked = (sums["seat_seconds"] if desk else sums["seconds"]) / 3600
    capacity = opened * (space.capacity if desk else 1)
    return SpaceRow(id=space.id, name=space_name(space, lang), kind=space.kind,
                    kind_label=translate(f"space.kind.{space.kind}", lang), capacity=space.capacity,
                    booked_hours=_round(booked), open_hours=_round(opened), capacity_hours=_round(capacity),
                    use_rate=rate(booked, capacity), bookings=int(sums["bookings"]),
                    checked_in=int(sums["checked_in"]), no_shows=int(sums["no_shows"]))


@lru_cache(maxsize=256)
def _open_hours(first: date, last: date, hours: tuple, closures: tuple, tz: ZoneInfo) -> float:
    """open_hours, computed once for the spaces that share their closures (most spaces have none of
    their own), and kept for the next call: a quarter walks ~90 days per space and period."""
    return open_hours(first, last, dict(hours), closures, tz)


def _kinds(rows: list[SpaceRow], lang: str) -> list[KindRow]:
    kinds = []
    for kind in dict.fromkeys(row.kind for row in rows):
        same = [row for row in rows if row.kind == kind]
        booked = sum(row.booked_hours for row in same)
        capacity = sum(row.capacity_hours for row in same)
        kinds.append(KindRow(kind=kind, label=translate(f"space.kind.{kind}", lang), spaces=len(same),
                             booked_hours=_round(booked), open_hours=_round(sum(row.open_hours for row in same)),
                             capacity_hours=_round(capacity), use_rate=rate(booked, capacity),
                             bookings=sum(row.bookings for row in same),
                             checked_in=sum(row.checked_in for row in same),
                             no_shows=sum(row.no_shows for row in same)))
    return kinds


def _heat_map(session: Session, windows: Windows, tz: ZoneInfo, split: Split) -> list[list[float]]:
    """Counted bookings' hours inside the period by local weekday and hour: the rolled days' seconds
    plus each live span's. Summed in seconds and divided once, so the split does not change a cell.
    With a fixed UTC offset (the hub's zones) the database groups a span's clipped bookings by their
    local start in the week and their length, a few hundred rows; else every booking is read."""
    grid = empty_heat_map()
    for weekday, hour, number in rollups.rolled_heat_map(session, split):
        grid[weekday][hour] += float(number)
    for span in split.live:
        _add_live_heat(session, windows, tz, grid, *span)
    return [[cell / 3600 for cell in row] for row in grid]


def _add_live_heat(session: Session, windows: Windows, tz: ZoneInfo, grid: list[list[float]], window_start,
                   window_end) -> None:
    overlapping = and_(counted(), col(Booking.starts_at) >= window_start - MAX_SPAN,
                       col(Booking.starts_at) < window_end, col(Booking.ends_at) > window_start)
    offset = fixed_offset(tz, window_start, window_end)
    if offset is None:
        for start, end in session.exec(select(Booking.starts_at, Booking.ends_at).where(overlapping)).all():
            add_to_heat_map(grid, start, end, window_start, window_end, tz, weight=3600)
        return
    first = windows.greatest(windows.epoch(Booking.starts_at), seconds(window_start))
    last = windows.least(windows.epoch(Booking.ends_at), seconds(window_end))
    in_week = ((first + offset) % WEEK_SECONDS).label("in_week")
    length = (last - first).label("length")
    found = session.exec(select(in_week, length, func.count()).where(overlapping).group_by(in_week, length)).all()
    for week_second, length_seconds, number in found:
        # Local time as if it were UTC: seconds from a Thursday 00.00 (1 January 1970 was one).
        start = EPOCH + timedelta(seconds=int(week_second))
        end = start + timedelta(seconds=int(length_seconds))
        add_to_heat_map(grid, start, end, start, end, EPOCH.tzinfo, weight=number * 3600)


def _by_sector_and_stage(session: Session, split: Split, lang: str) -> tuple[list[CountRow], list[CountRow]]:
    found = list(rollups.rolled_sectors(session, split))
    if split.live:
        found += session.exec(
            select(User.sector, User.stage, func.count()).select_from(Booking)
            .join(User, col(User.id) == Booking.user_id)
            .where(counted(), Booking.kind == MEMBER_BOOKING, in_spans(col(Booking.starts_at), split.live))
            .group_by(User.sector, User.stage)).all()
    return (count_rows([(sector, number) for sector, _, number in found], "sector", lang),
            count_rows([(stage, number) for _, stage, number in found], "stage", lang))


def count_rows(pairs: list[tuple[str | None, int]], prefix: str, lang: str) -> list[CountRow]:
    """Counts summed per key, most first (then by key); "" (not given) labelled as such, last on a tie."""
    totals: dict[str, int] = {}
    for key, number in pairs:
        totals[key or ""] = totals.get(key or "", 0) + int(number)
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0] == "", item[0]))
    return [CountRow(key=key, label=translate(f"{prefix}.{key}", lang) if key else translate("figures.not_given", lang),
                     count=number) for key, number in ordered]


def hour_label(hour: int, lang: str) -> str:
    separator = ":" if lang == "en" else "."
    return f"{hour:02d}{separator}00–{hour + 1:02d}{separator}00"


def _round(value: float) -> float:
    return round(value, 2)

"""Rollups of the insights: sums per LOCAL day, so a period reads a few hundred rollup rows plus
the few days that must be read live, with exactly the figures the live queries give.

Tables (models/insights_rollups.py, migration 0011): per space and day (booked seconds split at
local midnight, seat-seconds, member bookings starting that day, their check-ins, no-shows, and of
them those confirmed or released), per day and local hour (the heat map), per day and member
sector/stage (bookings starting that day), per day the programme (sessions ended with their seats
and attendances, seats taken, trainings ended with their completions, ratings), and per kind of
activity (active, posted), month and account a bitmask of the days with it.

Which days are read from the rollups ("rolled"): the days between the state's first_day and
last_day that are not dirty. Database triggers mark the UTC dates of every inserted, changed or
deleted row that feeds them (insight_dirty_days); a dirty UTC date makes the local days it touches
live until the duty rebuilds them. Everything else is read live by the existing queries,
restricted to the remaining days (a few UTC spans, at most MAX_LIVE_SPANS), and added.

Where this differs from "complete past days only", and why:
- Future days are rolled up too (up to AHEAD_DAYS ahead). Members book weeks ahead, so "this
  month" on the 1st is 30 future days with ~8,000 bookings: read live that alone costs ~75 ms on
  SQLite. The rollup sums do not depend on "now"; the figures that do (bookings that have ENDED for
  the check-in and no-show rates, sessions delivered, trainings ended) are read from the rollups
  only for SETTLED days, whose bookings have all ended (the day's end + MAX_SPAN <= now), and live
  for the rest, which is cheap because only what ended by now counts.
- Active members (and members who posted) are kept per (month, account) with a bit per day and the
  account's previous month with activity, not per (account, day): at 10,000 members a quarter and
  the one before hold ~160,000 active (account, day) pairs, and COUNT(DISTINCT) over them costs
  ~50 ms. When a period is one rolled run, each member is counted in their first month with
  activity in it (previous active month before the period's first month, or the same month with
  no bit from the first day on): a plain count over an index range, no DISTINCT. Otherwise (a
  dirty day inside, live spans) the rolled months' accounts and the live rows are a DISTINCT union.
  The rows carry role, sector and stage, kept equal to the users row by a trigger.

Exactness: seconds are whole epoch seconds like the live queries', and the heat map is summed in
seconds and divided once, so adding days gives the same figures as one live query.

Builders take turns: on SQLite the write transaction (BEGIN IMMEDIATE) holds the database; on
PostgreSQL they lock the rollup state's row, so two builders never rebuild the same day at once.
Writers do not wait for them: every change adds marks of its own (migration 0017), and a builder
deletes the marks it can see, whose changes are committed and so visible to its rebuild; a change
still in flight keeps its marks, and the next round rebuilds its days. (One mark per date, as
before 0017, made a builder lock the table for its whole batch and every booking wait for it.)
Batches are small (a month of days, DIRTY_BATCH dirty dates); a round with nothing to do takes no
lock.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, cast, delete, func, literal, or_, text, union_all, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from hub_app.db import begin_write, is_sqlite
from hub_app.domain.bookings import CONFIRMED, MAX_SPAN, MEMBER_BOOKING, RELEASED
from hub_app.domain.forum import DELETED as DELETED_CONTENT
from hub_app.domain.opening_hours import day_bounds
from hub_app.domain.permissions import MEMBER
from hub_app.domain.trainings import ENROLLED, PUBLISHED
from hub_app.models import Attendance, Booking, Enrolment, ForumPost, Training, TrainingSession, User
from hub_app.models.base import utcnow
from hub_app.models.insights_rollups import (
    ACTIVE,
    POSTED,
    InsightDirtyDay,
    InsightHourDay,
    InsightMemberMonth,
    InsightProgrammeDay,
    InsightRollupState,
    InsightSectorDay,
    InsightSpaceDay,
)
from hub_app.services.bookings import hub_tz
from hub_app.services.insights.windows import CURRENT, PREVIOUS

AHEAD_DAYS = 400  # beyond any space's advance booking window
BATCH_DAYS = 31  # new days built per batch
DIRTY_BATCH = 100  # dirty UTC dates rebuilt per batch
MAX_LIVE_SPANS = 4  # more and the shortest rolled runs between them are read live instead
STATE_ID = 1
MEMBER_MONTHS_LOCK = 4_771_170  # PostgreSQL advisory lock: builders and the users trigger (migration 0017)
ROLLUPS = (InsightSpaceDay, InsightHourDay, InsightSectorDay, InsightProgrammeDay)
PROGRAMME_SUMS = ("sessions", "seats", "attendances", "seated", "ended_enrolled", "ended_completed", "ratings",
                  "rating_sum")
# Programme sums that count sessions delivered or trainings ended (by now): rolled for settled days only.
PROGRAMME_TIMED = ("sessions", "seats", "attendances", "ended_enrolled", "ended_completed")


# --- reading ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Split:
    """How one period's days are read: runs of local days (first, last) from the rollups, and the
    other days live as UTC spans [start, end)."""

    rolled: tuple[tuple[date, date], ...]
    live: tuple[tuple[datetime, datetime], ...]


def settled_through(now: datetime, tz: ZoneInfo) -> date:
    """The last local day whose bookings (at most MAX_SPAN long) have all ended by `now`."""
    return (now - MAX_SPAN).astimezone(tz).date() - timedelta(days=1)


def local_days(utc_day: date, tz: ZoneInfo) -> list[date]:
    """The local days that the UTC date touches (two in WIB)."""
    start = datetime(utc_day.year, utc_day.month, utc_day.day, tzinfo=UTC)
    first = start.astimezone(tz).date()
    last = (start + timedelta(days=1, microseconds=-1)).astimezone(tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def splits(session: Session, days: dict[int, tuple[date, date]], tz: ZoneInfo,
           now: datetime) -> tuple[dict[int, Split], dict[int, Split]]:
    """Per period (CURRENT, PREVIOUS): the split for sums that do not depend on now, and the split
    for those that do (rolled only where settled; its live spans end at now at the latest)."""
    state = session.get(InsightRollupState, STATE_ID)
    dirty = set()
    if state is not None and state.first_day is not None:
        for utc_day in session.exec(select(InsightDirtyDay.day).distinct()).all():
            dirty.update(local_days(utc_day, tz))
    settled = settled_through(now, tz)

    def rolled(day: date, limit: date | None) -> bool:
        return (state is not None and state.first_day is not None and state.first_day <= day <= state.last_day
                and day not in dirty and (limit is None or day <= limit))

    plain, timed = {}, {}
    for which, (first, last) in days.items():
        plain[which] = _split(first, last, lambda day: rolled(day, None), tz, None)
        # Live figures that depend on now count rows ended at or before now: the spans end just after it.
        timed[which] = _split(first, last, lambda day: rolled(day, settled), tz, now + timedelta(microseconds=1))
    return plain, timed


def _split(first: date, last: date, rolled, tz: ZoneInfo, until: datetime | None) -> Split:
    runs: list[list] = []  # [is_rolled, first day, last day]
    day = first
    while day <= last:
        flag = rolled(day)
        if runs and runs[-1][0] == flag:
            runs[-1][2] = day
        else:
            runs.append([flag, day, day])
        day += timedelta(days=1)
    while sum(1 for run in runs if not run[0]) > MAX_LIVE_SPANS:
        # Read the shortest rolled run between two live ones live as well: fewer, longer spans.
        inner = [index for index in range(1, len(runs) - 1) if runs[index][0]]
        shortest = min(inner, key=lambda index: (runs[index][2] - runs[index][1]).days)
        runs[shortest - 1:shortest + 2] = [[False, runs[shortest - 1][1], runs[shortest + 1][2]]]
    live = []
    for flag, start_day, end_day in runs:
        if flag:
            continue
        start, end = day_bounds(start_day, tz)[0], day_bounds(end_day, tz)[1]
        if until is not None:
            end = min(end, until)
        if start < end:
            live.append((start, end))
    return Split(rolled=tuple((run[1], run[2]) for run in runs if run[0]), live=tuple(live))


def in_runs(column, runs: tuple[tuple[date, date], ...]):
    """A rollup day column inside the runs of days."""
    return or_(*(and_(column >= first, column <= last) for first, last in runs))


def rolled_space_sums(session: Session, plain: dict[int, Split], timed: dict[int, Split]):
    """Yields (period, space_id, seconds, seat_seconds, bookings, checked_in, no_shows, ended,
    ended_checked_in, ended_no_shows) from the rollups, in the order of space_use.SUMS."""
    row = InsightSpaceDay
    for which in (CURRENT, PREVIOUS):
        if plain[which].rolled:
            for space_id, *sums in session.exec(
                    select(row.space_id, func.sum(row.seconds), func.sum(row.seat_seconds), func.sum(row.bookings),
                           func.sum(row.checked_in), func.sum(row.no_shows))
                    .where(in_runs(col(row.day), plain[which].rolled)).group_by(row.space_id)).all():
                yield which, space_id, *sums, 0, 0, 0
        if timed[which].rolled:
            for space_id, *sums in session.exec(
                    select(row.space_id, func.sum(row.final), func.sum(row.final_checked_in),
                           func.sum(row.final_no_shows))
                    .where(in_runs(col(row.day), timed[which].rolled)).group_by(row.space_id)).all():
                yield which, space_id, 0, 0, 0, 0, 0, *sums


def rolled_heat_map(session: Session, split: Split) -> list[tuple[int, int, int]]:
    """(weekday, hour, seconds) of the rolled days."""
    if not split.rolled:
        return []
    row = InsightHourDay
    return session.exec(select(row.weekday, row.hour, func.sum(row.seconds))
                        .where(in_runs(col(row.day), split.rolled)).group_by(row.weekday, row.hour)).all()


def rolled_sectors(session: Session, split: Split) -> list[tuple[str, str, int]]:
    if not split.rolled:
        return []
    row = InsightSectorDay
    return session.exec(select(row.sector, row.stage, func.sum(row.bookings))
                        .where(in_runs(col(row.day), split.rolled)).group_by(row.sector, row.stage)).all()


def rolled_programme(session: Session, plain: dict[int, Split], timed: dict[int, Split]):
    """Yields (period, {sum name: value}) from the programme rollup."""
    row = InsightProgrammeDay
    for which in (CURRENT, PREVIOUS):
        for split, names in ((plain[which], [name for name in PROGRAMME_SUMS if name not in PROGRAMME_TIMED]),
                             (timed[which], PROGRAMME_TIMED)):
            if split.rolled:
                values = session.exec(select(*(func.sum(getattr(row, name)) for name in names))
                                      .where(in_runs(col(row.day), split.rolled))).first()
                yield which, dict(zip(names, values, strict=True))


def month_masks(runs: tuple[tuple[date, date], ...]) -> dict[date, int]:
    """Month (its first day) -> the bits of the days of the runs in it."""
    masks: dict[date, int] = defaultdict(int)
    for first, last in runs:
        day = first
        while day <= last:
            masks[day.replace(day=1)] |= 1 << (day.day - 1)
            day += timedelta(days=1)
    return masks


def single_run_members(session: Session, run: tuple[date, date], kind: str) -> list[tuple[str, str, int]]:
    """(sector, stage, members) with activity of the kind on the days of one run, all rolled: each
    member's first month with it in the run is counted. On SQLite one count per month, each an
    equality on the member months' index, so its rows come grouped by sector and stage (no sort),
    and the months' counts are summed."""
    first, last = run
    row = InsightMemberMonth
    first_month, last_month = first.replace(day=1), last.replace(day=1)
    first_mask = month_masks(((first, min(last, _month_end(first))),))[first_month]
    last_mask = month_masks(((last_month, last),))[last_month]
    first_in_run = or_(col(row.before_month).is_(None), col(row.before_month) < first_month,
                       and_(row.before_month == first_month, col(row.before_days).op("&")(first_mask) == 0))
    months = [(first_month, col(row.days).op("&")(first_mask) != 0)]
    month = _month_after(first_month)
    while month < last_month:
        months.append((month, first_in_run))
        month = _month_after(month)
    if last_month != first_month:
        months.append((last_month, and_(col(row.days).op("&")(last_mask) != 0, first_in_run)))
    if not is_sqlite(session):
        # PostgreSQL hashes the groups in one pass over the months' index range; a union of
        # per-month counts would start parallel workers and take twice as long.
        return session.exec(select(row.sector, row.stage, func.count())
                            .where(row.kind == kind, row.role == MEMBER, col(row.month) >= first_month,
                                   col(row.month) <= last_month,
                                   or_(*(and_(row.month == month, condition) for month, condition in months)))
                            .group_by(row.sector, row.stage)).all()
    counts = union_all(*(select(row.sector, row.stage, func.count().label("members"))
                         .where(row.kind == kind, row.role == MEMBER, row.month == month, condition)
                         .group_by(row.sector, row.stage) for month, condition in months)).subquery()
    return session.exec(select(counts.c.sector, counts.c.stage, cast(func.sum(counts.c.members), Integer))
                        .group_by(counts.c.sector, counts.c.stage)).all()


def _month_after(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _month_end(day: date) -> date:
    return _month_after(day.replace(day=1)) - timedelta(days=1)


def rolled_members(split: Split, which: int, kind: str):
    """A select of (user_id, which) of the accounts with activity of the kind on the rolled days, or
    None."""
    masks = month_masks(split.rolled)
    if not masks:
        return None
    row = InsightMemberMonth
    return select(col(row.user_id).label("user_id"), literal(which).label("which")).where(
        row.kind == kind,
        or_(*(and_(row.month == month, col(row.days).op("&")(mask) != 0) for month, mask in masks.items())))


# --- building ----------------------------------------------------------------------------------------

def roll_up(*, session: Session, now: datetime | None = None, batch_days: int = BATCH_DAYS,
            dirty_batch: int = DIRTY_BATCH) -> int:
    """One batch: rebuilds up to `dirty_batch` dirty UTC dates' local days and extends the rolled
    days by up to `batch_days` (backwards to the oldest data, forwards to AHEAD_DAYS after today),
    in one transaction; returns the number of local days rebuilt (0: nothing to do)."""
    now = now or utcnow()
    tz = hub_tz()
    horizon = now.astimezone(tz).date() + timedelta(days=AHEAD_DAYS)
    # Most rounds have nothing to do: find that out without the lock that makes writers wait.
    state = session.get(InsightRollupState, STATE_ID)
    idle = (state is not None and state.last_day is not None and state.last_day >= horizon
            and session.exec(select(InsightDirtyDay.day).limit(1)).first() is None)
    session.rollback()
    if idle:
        return 0
    begin_write(session)
    if not is_sqlite(session):
        session.exec(text("SET LOCAL lock_timeout = '10s'"))
        # Members' months copy role, sector and stage: a change of those waits for this batch (the
        # users trigger takes this lock shared), so a row added here gets the new values too.
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MEMBER_MONTHS_LOCK})
    state = session.exec(select(InsightRollupState).where(InsightRollupState.id == STATE_ID)
                         .with_for_update()).first()
    if state is None:
        state = InsightRollupState(id=STATE_ID)
        session.add(state)
    marked = session.exec(select(InsightDirtyDay.day).distinct().order_by(col(InsightDirtyDay.day))
                          .limit(dirty_batch)).all()
    if marked:
        session.exec(delete(InsightDirtyDay).where(col(InsightDirtyDay.day).in_(marked)))
    oldest = _oldest_day(session, tz) or now.astimezone(tz).date()
    if state.first_day is None:
        state.first_day, state.last_day = oldest, oldest - timedelta(days=1)
    days = {day for utc_day in marked for day in local_days(utc_day, tz)
            if state.first_day <= day <= state.last_day}
    if oldest < state.first_day:
        new_first = max(oldest, state.first_day - timedelta(days=batch_days))
        days.update(new_first + timedelta(days=n) for n in range((state.first_day - new_first).days))
        state.first_day = new_first
    if state.last_day < horizon:
        new_last = min(horizon, state.last_day + timedelta(days=batch_days))
        days.update(state.last_day + timedelta(days=n + 1) for n in range((new_last - state.last_day).days))
        state.last_day = new_last
    session.add(state)
    for first, last in _runs(sorted(days)):
        _rebuild(session, first, last, tz)
    if days:
        _link_months(session, min(days).replace(day=1))
    session.commit()
    return len(days)


def roll_up_all(*, session: Session, now: datetime | None = None) -> int:
    """Batches until there is nothing left (after an upgrade, for the benchmark); days rebuilt."""
    total = 0
    while (done := roll_up(session=session, now=now)):
        total += done
    if total:
        _refresh_statistics(session)
    return total


def _refresh_statistics(session: Session) -> None:
    """After a bulk build the planner needs the rollups' statistics (and PostgreSQL the visibility
    map for index-only counts) before autovacuum would get to them."""
    tables = ", ".join(table.__tablename__ for table in (*ROLLUPS, InsightMemberMonth))
    if is_sqlite(session):
        session.exec(text("ANALYZE"))
        session.commit()
        return
    with session.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM (ANALYZE) {tables}")


def _oldest_day(session: Session, tz: ZoneInfo) -> date | None:
    found = [session.exec(select(func.min(column))).first() for column in (
        Booking.starts_at, Booking.created_at, Enrolment.created_at, Enrolment.enrolled_at, Attendance.created_at,
        ForumPost.created_at)]
    moments = [moment for moment in found if moment is not None]
    return min(moments).astimezone(tz).date() if moments else None


def _runs(days: list[date]) -> list[tuple[date, date]]:
    runs: list[list[date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def _rebuild(session: Session, first: date, last: date, tz: ZoneInfo) -> None:
    """Replaces the rollups of the local days first..last with sums of the rows as they are now."""
    start, end = day_bounds(first, tz)[0], day_bounds(last, tz)[1]
    for table in ROLLUPS:
        session.exec(delete(table).where(col(table.day) >= first, col(table.day) <= last))
    spaces, hours, sectors = _booking_sums(session, start, end, tz)
    _insert(session, InsightSpaceDay, [dict(day=day, space_id=space_id, **sums)
                                       for (day, space_id), sums in spaces.items()])
    _insert(session, InsightHourDay, [dict(day=day, hour=hour, weekday=day.weekday(), seconds=seconds)
                                      for (day, hour), seconds in hours.items()])
    _insert(session, InsightSectorDay, [dict(day=day, sector=sector, stage=stage, bookings=number)
                                        for (day, sector, stage), number in sectors.items()])
    _insert(session, InsightProgrammeDay, [dict(day=day, **sums) for day, sums in
                                           _programme_sums(session, start, end, tz).items()])
    _rebuild_members(session, first, last, start, end, tz)


def _insert(session: Session, table, rows: list[dict]) -> None:
    if rows:
        session.exec(table.__table__.insert(), params=rows)


def _booking_sums(session: Session, start: datetime, end: datetime, tz: ZoneInfo):
    from hub_app.services.insights.space_use import counted

    spaces: dict[tuple[date, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(
        ("seconds", "seat_seconds", "bookings", "checked_in", "no_shows", "final", "final_checked_in",
         "final_no_shows"), 0))
    hours: dict[tuple[date, int], int] = defaultdict(int)
    sectors: dict[tuple[date, str, str], int] = defaultdict(int)
    low, high = _seconds(start), _seconds(end)
    found = session.exec(
        select(Booking.space_id, Booking.kind, Booking.status, Booking.starts_at, Booking.ends_at, Booking.seats,
               col(Booking.checked_in_at).is_not(None), Booking.no_show, User.sector, User.stage)
        .select_from(Booking).join(User, col(User.id) == Booking.user_id, isouter=True)
        .where(counted(), col(Booking.starts_at) >= start - MAX_SPAN, col(Booking.starts_at) < end,
               col(Booking.ends_at) > start)).all()
    for space_id, kind, status, starts_at, ends_at, seats, checked, missed, sector, stage in found:
        moment, finish = max(_seconds(starts_at), low), min(_seconds(ends_at), high)
        while moment < finish:
            local = datetime.fromtimestamp(moment, tz)
            piece = min(finish, moment + 3600 - local.minute * 60 - local.second)
            sums = spaces[(local.date(), space_id)]
            sums["seconds"] += piece - moment
            sums["seat_seconds"] += (piece - moment) * seats
            hours[(local.date(), local.hour)] += piece - moment
            moment = piece
        if kind != MEMBER_BOOKING or not start <= starts_at < end:
            continue
        day = starts_at.astimezone(tz).date()
        sums = spaces[(day, space_id)]  # also made for a booking of no length, as the live query lists it
        final = status in (CONFIRMED, RELEASED)
        for name, counts in (("bookings", True), ("checked_in", checked), ("no_shows", missed)):
            sums[name] += int(counts)
            sums["final" if name == "bookings" else f"final_{name}"] += int(counts and final)
        sectors[(day, sector or "", stage or "")] += 1
    return spaces, hours, sectors


def _programme_sums(session: Session, start: datetime, end: datetime, tz: ZoneInfo) -> dict[date, dict[str, int]]:
    sums: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PROGRAMME_SUMS, 0))

    def day(moment: datetime) -> dict[str, int]:
        return sums[moment.astimezone(tz).date()]

    published = col(Training.status) == PUBLISHED
    for end_at, seats, present in session.exec(
            select(TrainingSession.end_at, Training.enrolled_count, func.count(Attendance.id))
            .select_from(TrainingSession).join(Training, col(Training.id) == TrainingSession.training_id)
            .join(Attendance, col(Attendance.session_id) == TrainingSession.id, isouter=True)
            .where(published, col(TrainingSession.end_at) >= start, col(TrainingSession.end_at) < end)
            .group_by(TrainingSession.id, TrainingSession.end_at, Training.enrolled_count)).all():
        found = day(end_at)
        found["sessions"] += 1
        found["seats"] += seats
        found["attendances"] += present
    for enrolled_at in session.exec(select(Enrolment.enrolled_at).where(
            col(Enrolment.enrolled_at) >= start, col(Enrolment.enrolled_at) < end)).all():
        day(enrolled_at)["seated"] += 1
    for ends_at, enrolled, completed in session.exec(
            select(Training.ends_at, func.count(), func.sum(case((col(Enrolment.completed_at).is_not(None), 1),
                                                                 else_=0)))
            .select_from(Enrolment).join(Training, col(Training.id) == Enrolment.training_id)
            .where(published, col(Training.ends_at) >= start, col(Training.ends_at) < end,
                   Enrolment.status == ENROLLED).group_by(Training.id, Training.ends_at)).all():
        found = day(ends_at)
        found["ended_enrolled"] += enrolled
        found["ended_completed"] += int(completed or 0)
    for rated_at, rating in session.exec(select(Enrolment.rated_at, Enrolment.rating).where(
            col(Enrolment.rated_at) >= start, col(Enrolment.rated_at) < end, col(Enrolment.rating).is_not(None))).all():
        found = day(rated_at)
        found["ratings"] += 1
        found["rating_sum"] += rating
    return sums


def _rebuild_members(session: Session, first: date, last: date, start: datetime, end: datetime,
                     tz: ZoneInfo) -> None:
    row = InsightMemberMonth
    for month, mask in month_masks(((first, last),)).items():
        session.exec(update(row).where(row.month == month).values(days=col(row.days).op("&")(~mask & 0x7FFFFFFF)))
        session.exec(delete(row).where(row.month == month, row.days == 0))
    bits: dict[tuple[str, date, int], int] = defaultdict(int)
    people: dict[int, tuple[str, str, str]] = {}
    for kind, user_column, moment, *conditions in (
            (ACTIVE, Booking.user_id, Booking.created_at, Booking.kind == MEMBER_BOOKING),
            (ACTIVE, Enrolment.user_id, Enrolment.created_at), (ACTIVE, Enrolment.user_id, Enrolment.enrolled_at),
            (ACTIVE, Attendance.user_id, Attendance.created_at), (ACTIVE, ForumPost.author_id, ForumPost.created_at),
            (POSTED, ForumPost.author_id, ForumPost.created_at, ForumPost.state != DELETED_CONTENT)):
        for user_id, at, role, sector, stage in session.exec(
                select(user_column, moment, User.role, User.sector, User.stage)
                .join(User, col(User.id) == user_column)
                .where(col(moment) >= start, col(moment) < end, *conditions)).all():
            day = at.astimezone(tz).date()
            bits[(kind, day.replace(day=1), user_id)] |= 1 << (day.day - 1)
            people[user_id] = (role, sector or "", stage or "")
    if not bits:
        return
    insert = sqlite_insert if is_sqlite(session) else postgres_insert
    statement = insert(row.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "month", "user_id"],
        set_={"days": row.__table__.c.days.op("|")(statement.excluded.days), "role": statement.excluded.role,
              "sector": statement.excluded.sector, "stage": statement.excluded.stage})
    session.exec(statement, params=[dict(kind=kind, month=month, user_id=user_id, days=days, role=people[user_id][0],
                                         sector=people[user_id][1], stage=people[user_id][2])
                                    for (kind, month, user_id), days in bits.items()])


def _link_months(session: Session, since: date) -> None:
    """Sets every member month's previous active month and its bits, from `since` on."""
    session.exec(text("""
        UPDATE insight_member_months SET before_month = linked.before_month, before_days = linked.before_days
        FROM (SELECT kind, month, user_id, LAG(month) OVER running AS before_month,
                     LAG(days) OVER running AS before_days
              FROM insight_member_months WINDOW running AS (PARTITION BY kind, user_id ORDER BY month)) AS linked
        WHERE linked.kind = insight_member_months.kind AND linked.month = insight_member_months.month
          AND linked.user_id = insight_member_months.user_id
          AND insight_member_months.month >= :since"""), params={"since": since})


def _seconds(moment: datetime) -> int:
    """Whole epoch seconds, as the live queries' epoch() rounds them."""
    return round(moment.timestamp())

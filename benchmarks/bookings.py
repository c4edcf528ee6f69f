"""Space booking: calendar queries as the bookings table grows, and booking throughput under
contention. Run with `make bench` or `python -m benchmarks bookings`.

- week view of one space and day view of 30 spaces, at 1,000 / 10,000 / 100,000 bookings, on
  SQLite and PostgreSQL: the SQL query alone (budget 20 ms p95) and the whole read-model the page
  gets (query + cells), plus the live-update fingerprint and "my bookings" (keyset page);
- bookings per second with 50 parallel clients (threads, each with its own connection) competing
  for random slots of 30 spaces: attempts, successes and refused overlaps per second.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from benchmarks import STATS_COLUMNS, Report, fresh_database, time_calls
from hub_app.domain.errors import Conflict, InvalidInput
from hub_app.domain.opening_hours import day_bounds
from hub_app.domain.permissions import Actor
from hub_app.models import Booking, Space, User
from hub_app.services import booking_calendar, bookings

WIB = ZoneInfo("Asia/Jakarta")
SIZES = (1_000, 10_000, 100_000)
SPACES = 30
MEMBERS = 200
CLIENTS = 50
ATTEMPTS_PER_CLIENT = 20


def _setup(engine) -> tuple[list[int], list[int]]:
    with Session(engine) as session:
        spaces = []
        for index in range(SPACES):
            kind = "desk_area" if index == 0 else ("event_hall" if index == 1 else "meeting_room")
            space = Space(kind=kind, name_id=f"Ruang {index + 1}", capacity=40 if index < 2 else 8,
                          max_minutes=600, advance_days=60)
            session.add(space)
            spaces.append(space)
        users = []
        for index in range(MEMBERS):
            user = User(email=f"m{index}@bench.example", email_normalized=f"m{index}@bench.example",
                        name=f"Anggota {index}", password_hash="x", status="active",
                        quota_hours_per_week=168, quota_upcoming_bookings=500)
            session.add(user)
            users.append(user)
        session.commit()
        return [s.id for s in spaces], [u.id for u in users]


def _slots(space_ids: list[int], user_ids: list[int], today) -> list[dict]:
    """100,000 one-hour bookings that never overlap: each space's hours 08-20 filled day after day,
    from ~140 days ago to ~140 days ahead. They are inserted nearest days first, so the measured
    day and week are already full at 1,000 rows and every size returns the same rows: what grows is
    only the table (1,000 rows cover ~3 days, 100,000 ~9 months)."""
    rows, now = [], datetime.now(UTC)
    per_day = 12 * len(space_ids)
    first_day = today - timedelta(days=SIZES[-1] // per_day // 2)
    for index in range(SIZES[-1]):
        slot, space_index = divmod(index, len(space_ids))
        day_offset, hour = divmod(slot, 12)
        day = first_day + timedelta(days=day_offset)
        start = datetime(day.year, day.month, day.day, 8 + hour, tzinfo=WIB).astimezone(UTC)
        rows.append(dict(space_id=space_ids[space_index], user_id=user_ids[index % len(user_ids)], kind="member",
                         status="confirmed", exclusive=space_index != 0, starts_at=start,
                         ends_at=start + timedelta(hours=1), seats=1, title="Rapat", title_en="", note="",
                         no_show=False, decision_reason="", cancel_reason="", created_at=now, updated_at=now))
    random.Random(7).shuffle(rows)
    target = datetime(today.year, today.month, today.day, 12, tzinfo=WIB) + timedelta(days=1)
    rows.sort(key=lambda row: abs(row["starts_at"] - target).days)
    return rows


def _insert(engine, rows: list[dict]) -> None:
    with engine.begin() as connection:
        for chunk in range(0, len(rows), 5000):
            connection.execute(Booking.__table__.insert(), rows[chunk:chunk + 5000])
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE bookings")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def _queries(report: Report, kind: str, engine, space_ids, user_ids, rows_out: list, budgets: bool) -> None:
    today = datetime.now(UTC).astimezone(WIB).date()
    member = Actor(user_id=user_ids[0], role="member", status="active", name="Anggota 0")
    day = today + timedelta(days=1)
    day_start, day_end = day_bounds(day, WIB)
    week_start, week_end = day_bounds(day, WIB)[0], day_bounds(day + timedelta(days=6), WIB)[1]
    with Session(engine) as session:
        cases = [
            ("week of 1 space: query",
             lambda: booking_calendar._visible_bookings(session, [space_ids[5]], week_start, week_end)),
            ("week of 1 space: page data", lambda: booking_calendar.calendar_week(member, session=session,
                                                                          space_id=space_ids[5], day=day)),
            ("day of 30 spaces: query",
             lambda: booking_calendar._visible_bookings(session, space_ids, day_start, day_end)),
            ("day of 30 spaces: page data", lambda: booking_calendar.calendar_day(member, session=session, day=day)),
            ("live fingerprint (day)", lambda: booking_calendar.calendar_version(session=session, start=day_start,
                                                                          end=day_end)),
            ("my bookings (keyset page)", lambda: bookings.my_bookings(member, session=session)),
        ]
        for name, function in cases:
            stats = time_calls(function, repeat=30)
            session.rollback()
            rows_out.append([kind, name, *stats.row()])
            if budgets and name.endswith("query"):
                report.budget(f"bookings {name} p95 ({kind}, {SIZES[-1]:,} rows)", stats.p95, 20, "ms")


def _throughput(engine, space_ids: list[int], user_ids: list[int]) -> list[str]:
    """50 clients, each with its own session, book random one-hour slots in the next 3 weeks."""
    today = datetime.now(UTC).astimezone(WIB).date()
    days = [today + timedelta(days=d) for d in range(2, 23) if (today + timedelta(days=d)).weekday() < 5]
    barrier = threading.Barrier(CLIENTS)
    counts = {"ok": 0, "conflict": 0, "other": 0}
    lock = threading.Lock()

    def client(index: int) -> None:
        rng = random.Random(index)
        actor = Actor(user_id=user_ids[index % len(user_ids)], role="member", status="active")
        barrier.wait()
        for _ in range(ATTEMPTS_PER_CLIENT):
            day, hour = rng.choice(days), rng.randrange(8, 19)
            outcome = "ok"
            with Session(engine, expire_on_commit=False) as session:
                try:
                    bookings.book(actor, session=session, space_id=rng.choice(space_ids[2:]),
                                  start=f"{day.isoformat()}T{hour:02d}:00", end=f"{day.isoformat()}T{hour + 1:02d}:00",
                                  title="Rapat", people=1)
                except Conflict:
                    outcome = "conflict"
                except InvalidInput:
                    outcome = "other"
            with lock:
                counts[outcome] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    elapsed = time.perf_counter() - started
    attempts = sum(counts.values())
    return [f"{attempts:,}", f"{elapsed:.1f} s", f"{attempts / elapsed:.0f}", f"{counts['ok'] / elapsed:.0f}",
            f"{counts['conflict']:,}", f"{counts['other']:,}"]


def run(report: Report) -> None:
    query_rows, throughput_rows = [], []
    for kind in ("sqlite", "postgres"):
        with fresh_database(kind) as engine:
            space_ids, user_ids = _setup(engine)
            today = datetime.now(UTC).astimezone(WIB).date()
            all_rows = _slots(space_ids, user_ids, today)
            inserted = 0
            for size in SIZES:
                _insert(engine, all_rows[inserted:size])
                inserted = size
                size_rows: list = []
                _queries(report, kind, engine, space_ids, user_ids, size_rows, budgets=size == SIZES[-1])
                query_rows += [[row[0], f"{size:,}", *row[1:]] for row in size_rows]
        with fresh_database(kind) as engine:
            space_ids, user_ids = _setup(engine)
            throughput_rows.append([kind, *_throughput(engine, space_ids, user_ids)])
    report.table("Calendar queries as the bookings table grows (ms)", ["engine", "bookings", "what",
                                                                       *STATS_COLUMNS], query_rows,
                 note="query = the SQL the view runs; page data = query + the cells the page shows")
    report.table(f"Booking with {CLIENTS} parallel clients ({ATTEMPTS_PER_CLIENT} attempts each, random slots "
                 f"of {SPACES - 2} rooms)", ["engine", "attempts", "time", "attempts/s", "booked/s", "overlaps refused",
                                             "other refusals"], throughput_rows)
    for row in throughput_rows:
        report.note(f"{row[0]}: {row[4]} bookings/s with {CLIENTS} clients competing")

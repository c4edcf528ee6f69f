"""The insights' figures (services/insights.hub_insights) at the size of a busy year: 100,000
bookings, 100,000 enrolments (with their attendance), 10,000 members, a forum and the audit
trail of approvals, on SQLite and PostgreSQL. Run with `make bench` or
`python -m benchmarks insights`.

After the bulk fill the rollups are built as after an upgrade (`python -m hub_app.cli
rollup-insights`: every day of the data and AHEAD_DAYS ahead); their build time is printed apart.
Then p50/p95 of one whole hub_insights call (all four sections, current and previous period) for
this month, last month and the quarter; budget p95 <= 100 ms.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from benchmarks import STATS_COLUMNS, Report, fresh_database, time_calls
from hub_app.domain.insights import period_for
from hub_app.domain.permissions import Actor
from hub_app.domain.profiles import SECTORS, STAGES
from hub_app.domain.trainings import TOPICS
from hub_app.models import (
    Attendance,
    AuditEntry,
    Booking,
    Enrolment,
    ForumCategory,
    ForumPost,
    ForumThread,
    Space,
    Training,
    TrainingSession,
    User,
)
from hub_app.services import insights
from hub_app.services.insights.rollups import AHEAD_DAYS, roll_up_all

WIB = ZoneInfo("Asia/Jakarta")
MEMBERS = 10_000
BOOKINGS = 100_000
ENROLMENTS = 100_000
SEATS = 25  # per training: 4,000 trainings x 25 enrolments
SPACES = 30
THREADS = 5_000
POSTS_PER_THREAD = 6
DAYS_BACK, DAYS_AHEAD = 330, 35  # a year of data around today
BUDGET_MS = 100
CHOICES = ("this_month", "last_month", "quarter")
CHUNK = 5_000


def _wib(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB).astimezone(UTC)


def _insert(connection, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        connection.execute(table.insert(), rows[start:start + CHUNK])


def _fill(engine, today: date, rng: random.Random) -> int:
    """Inserts the data set in bulk; returns a staff member's id."""
    now = datetime.now(UTC)
    first_day = today - timedelta(days=DAYS_BACK)
    with engine.begin() as connection:
        users = [dict(email=f"m{n}@bench.example", email_normalized=f"m{n}@bench.example", name=f"Anggota {n}",
                      password_hash="x", role="staff" if n == 0 else "member",
                      status=rng.choice(("active",) * 8 + ("pending", "deleted")), status_reason="", locale="id",
                      business_name="", sector=rng.choice(SECTORS + ("",)), stage=rng.choice(STAGES + ("",)),
                      bio="", offers="", looking_for="", avatar_file="", show_in_directory=True, show_email=False,
                      consent_version="t", created_at=_wib(first_day, 9) + timedelta(minutes=rng.randrange(525_600)),
                      updated_at=now) for n in range(MEMBERS)]
        _insert(connection, User.__table__, users)
        user_ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM users ORDER BY id")]
        spaces = [dict(kind="desk_area" if n < 2 else ("event_hall" if n == 2 else "meeting_room"),
                       name_id=f"Ruang {n}", name_en=f"Room {n}", description_id="", description_en="",
                       capacity=40 if n < 3 else 8, amenities=[], photos=[], location="", location_en="",
                       slot_minutes=30, min_minutes=30, max_minutes=240, advance_days=60, needs_approval=False,
                       active=True, created_at=now, updated_at=now) for n in range(SPACES)]
        _insert(connection, Space.__table__, spaces)
        space_ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM spaces ORDER BY id")]
        _insert(connection, Booking.__table__, _bookings(space_ids, user_ids[1:], first_day, now, rng))
        _programme(connection, user_ids[1:], first_day, now, rng)
        _forum_and_audit(connection, user_ids, first_day, rng)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    return user_ids[0]


def _bookings(space_ids: list[int], user_ids: list[int], first_day: date, now: datetime,
              rng: random.Random) -> list[dict]:
    """BOOKINGS bookings of 30 minutes to 3 hours on the half-hour grid, 08-20 Monday to Saturday:
    the rooms filled without overlaps (their exclusion constraint holds), the rest in the two desk
    areas, whose seats may overlap."""
    rows: list[dict] = []
    days = [first_day + timedelta(days=n) for n in range(DAYS_BACK + DAYS_AHEAD)
            if (first_day + timedelta(days=n)).weekday() != 6]
    per_day = BOOKINGS // len(days)

    def add(space_index: int, start: datetime, length: int) -> None:
        end = start + timedelta(minutes=30 * length)
        status = rng.choices(("confirmed", "cancelled", "declined", "pending"), (85, 9, 2, 4))[0]
        checked = status == "confirmed" and end < now and rng.random() < 0.8
        released = status == "confirmed" and end < now and not checked
        rows.append(dict(
            space_id=space_ids[space_index], user_id=rng.choice(user_ids), kind="member",
            status="released" if released else status, exclusive=space_index >= 2, starts_at=start, ends_at=end,
            seats=rng.randint(1, 3), title="Kerja", title_en="", note="", checked_in_at=start if checked else None,
            no_show=released, decision_reason="", cancel_reason="",
            created_at=start - timedelta(hours=rng.randrange(1, 24 * 14)), updated_at=now))

    for index, day in enumerate(days):
        wanted = per_day + (1 if index < BOOKINGS - per_day * len(days) else 0)
        before = len(rows)
        for space_index in range(2, len(space_ids)):
            slot = 16 + rng.randrange(4)  # half hours after midnight: 08.00-09.30
            while slot < 38 and len(rows) - before < wanted // 2:
                length = rng.choice((1, 2, 2, 2, 3, 4, 6))
                add(space_index, _wib(day, 0) + timedelta(minutes=30 * slot), min(length, 40 - slot))
                slot += length + rng.randrange(3)
        while len(rows) - before < wanted:
            slot = rng.randrange(16, 38)
            add(rng.randrange(2), _wib(day, 0) + timedelta(minutes=30 * slot), min(rng.choice((2, 4, 8)), 40 - slot))
    return rows


def _programme(connection, user_ids: list[int], first_day: date, now: datetime, rng: random.Random) -> None:
    trainings = ENROLMENTS // SEATS
    days = DAYS_BACK + DAYS_AHEAD
    rows, starts = [], []
    for n in range(trainings):
        first = _wib(first_day + timedelta(days=n * days // trainings), 9 + n % 6)
        starts.append(first)
        rows.append(dict(title_id=f"Pelatihan {n}", title_en=f"Training {n}", description_id="", description_en="",
                         topic=rng.choice(TOPICS), level="beginner", language="id", format="hub", online_link="",
                         capacity=20, enrolled_count=20, waitlist_count=0, next_queue_number=1, completion_share=100,
                         enrol_opens_at=first - timedelta(days=30), enrol_closes_at=first, cancel_until=first,
                         starts_at=first, ends_at=first + timedelta(days=7, hours=2), session_count=2,
                         status="cancelled" if n % 25 == 0 else "published", search_text="", cancel_reason="",
                         created_at=first - timedelta(days=40), updated_at=now))
    _insert(connection, Training.__table__, rows)
    training_ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM trainings ORDER BY id")]
    sessions = [dict(training_id=training_id, start_at=start + timedelta(days=7 * k),
                     end_at=start + timedelta(days=7 * k, hours=2), check_in_code=f"{training_id:012d}{k:020d}",
                     created_at=now) for training_id, start in zip(training_ids, starts, strict=True) for k in (0, 1)]
    _insert(connection, TrainingSession.__table__, sessions)
    session_ids = {}
    for session_id, training_id in connection.exec_driver_sql(
            "SELECT id, training_id FROM training_sessions ORDER BY id"):
        session_ids.setdefault(training_id, []).append(session_id)
    enrolments, attendance = [], []
    for training_id, start in zip(training_ids, starts, strict=True):
        for place, user_id in enumerate(rng.sample(user_ids, SEATS)):
            seated = place < 20
            enrolled_at = start - timedelta(days=rng.randint(1, 25))
            ended = start + timedelta(days=7, hours=2) < now
            present = [session_id for session_id in session_ids[training_id] if seated and ended
                       and rng.random() < 0.75]
            completed = ended and len(present) == 2
            enrolments.append(dict(
                training_id=training_id, user_id=user_id, status="enrolled" if seated else "waitlisted",
                queue_number=0 if seated else place, created_at=enrolled_at, updated_at=enrolled_at,
                enrolled_at=enrolled_at if seated else None,
                completed_at=start + timedelta(days=7, hours=2) if completed else None,
                rating=rng.randint(1, 5) if completed and rng.random() < 0.5 else None, rating_comment="",
                rated_at=start + timedelta(days=8) if completed else None))
            attendance += [dict(session_id=session_id, user_id=user_id, method="staff", created_at=start)
                           for session_id in present]
    for row in enrolments:
        if row["rating"] is None:
            row["rated_at"] = None
    _insert(connection, Enrolment.__table__, enrolments)
    _insert(connection, Attendance.__table__, attendance)


def _forum_and_audit(connection, user_ids: list[int], first_day: date, rng: random.Random) -> None:
    connection.execute(ForumCategory.__table__.insert(), [dict(
        slug="umum", name_id="Umum", name_en="General", description_id="", description_en="", position=0,
        read_access="public", start_access="members", created_at=_wib(first_day, 8), updated_at=_wib(first_day, 8))])
    category_id = connection.exec_driver_sql("SELECT id FROM forum_categories").scalar()
    minutes = (DAYS_BACK + DAYS_AHEAD // 2) * 24 * 60
    threads = []
    for _ in range(THREADS):
        at = _wib(first_day, 8) + timedelta(minutes=rng.randrange(minutes))
        threads.append(dict(category_id=category_id, author_id=rng.choice(user_ids), title="Tanya",
                            state=rng.choice(("visible",) * 19 + ("deleted",)), pinned=False, locked=False,
                            reply_count=POSTS_PER_THREAD - 1, last_activity_at=at, created_at=at))
    _insert(connection, ForumThread.__table__, threads)
    thread_ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM forum_threads ORDER BY id")]
    posts = [dict(thread_id=thread_id, author_id=thread["author_id"] if k == 0 else rng.choice(user_ids),
                  body_source="Halo", body_html="<p>Halo</p>", body_text="Halo", search_title="", is_opening=k == 0,
                  state="visible", moderation_note="", like_count=0,
                  created_at=thread["created_at"] + timedelta(hours=5 * k))
             for thread_id, thread in zip(thread_ids, threads, strict=True) for k in range(POSTS_PER_THREAD)]
    _insert(connection, ForumPost.__table__, posts)
    approvals = [dict(actor_id=user_ids[0], action="member.approve", target_type="user", target_id=user_id,
                      detail="", created_at=_wib(first_day, 8) + timedelta(minutes=rng.randrange(minutes)))
                 for user_id in user_ids[1:]]
    _insert(connection, AuditEntry.__table__, approvals)


def _settle(engine) -> None:
    """The state a year-old database is in: PostgreSQL's autovacuum has vacuumed the bulk-filled
    tables (index-only scans need the visibility map), SQLite has checkpointed its write-ahead log."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def run(report: Report) -> None:
    rows, built = [], []
    today = datetime.now(UTC).astimezone(WIB).date()
    for kind in ("sqlite", "postgres"):
        with fresh_database(kind) as engine:
            started = time.monotonic()
            staff_id = _fill(engine, today, random.Random(10))
            report.note(f"{kind}: filled in {time.monotonic() - started:.0f} s")
            staff = Actor(user_id=staff_id, role="staff", status="active", name="Staf")
            with Session(engine) as session:
                started = time.monotonic()
                days = roll_up_all(session=session)
                built.append([kind, f"{days:,}", f"{time.monotonic() - started:.1f}"])
            _settle(engine)
            with Session(engine) as session:
                for choice in CHOICES:
                    period = period_for(choice, today)

                    def call(period=period, staff=staff):
                        insights.hub_insights(staff, session=session, period=period, lang="id")
                        session.rollback()

                    stats = time_calls(call, repeat=30)
                    rows.append([kind, choice, f"{period.days} + {period.days} days", *stats.row()])
                    report.budget(f"hub_insights {choice} p95 ({kind})", stats.p95, BUDGET_MS, "ms")
    report.table(f"hub_insights at {BOOKINGS:,} bookings, {ENROLMENTS:,} enrolments, {MEMBERS:,} members (ms)",
                 ["engine", "period", "compared", *STATS_COLUMNS], rows,
                 note="one call: all four sections for the period and the previous one, after the rollups are built")
    report.table("insights rollups built from scratch (python -m hub_app.cli rollup-insights)",
                 ["engine", "local days", "seconds"], built,
                 note=f"a year of data and {AHEAD_DAYS} days ahead, in batches of a month")

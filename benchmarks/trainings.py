"""Training catalogue: the catalogue query with filters and text search as the programme grows (to
5,000 trainings and 100,000 enrolments), and enrolments per second with 100 parallel clients for one
training. Run with `make bench` or `python -m benchmarks trainings`.

- catalogue at 1,000 trainings / 20,000 enrolments and 5,000 / 100,000, on SQLite and PostgreSQL:
  the SQL query alone (budget 30 ms p95 at 5,000 / 100,000) and the whole page the service returns
  (query + cards, and for a signed-in member their enrolment on each card), for a visitor's first
  page, several filter combinations with text search, and a later page (keyset cursor);
- enrolments per second: 100 clients (threads, each with its own session and connection) enrol
  distinct members into one 50-seat training at once; the rest go to the waitlist. The figures are
  printed, and the invariants checked (never more enrolled than seats, queue numbers 1..n).
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session, select

from benchmarks import STATS_COLUMNS, Report, fresh_database, time_calls
from hub_app.domain import trainings as rules
from hub_app.domain.permissions import Actor
from hub_app.models import User
from hub_app.models.trainings import Enrolment, Training, TrainingSession
from hub_app.services import enrolments, training_admin, trainings

SIZES = ((1_000, 20_000), (5_000, 100_000))
MEMBERS = 10_000
CLIENTS = 100
ENROLMENTS_PER_CLIENT = 5
SEATS = 50

WORDS_ID = ["pemasaran", "digital", "instagram", "tiktok", "pembukuan", "keuangan", "pajak", "nib", "oss", "izin",
            "ekspor", "jerman", "kemasan", "produk", "foto", "toko", "online", "keamanan", "siber", "investor",
            "laporan", "branding", "marketplace", "logistik", "halal", "kopi", "batik", "kuliner", "startup"]
WORDS_EN = ["marketing", "digital", "instagram", "tiktok", "bookkeeping", "finance", "tax", "permits", "export",
            "germany", "packaging", "product", "photos", "store", "online", "security", "investors", "reports",
            "branding", "marketplace", "logistics", "coffee", "food", "startup"]


def _members(engine, count: int) -> list[int]:
    now = datetime.now(UTC)
    rows = [dict(email=f"m{n}@bench.example", email_normalized=f"m{n}@bench.example", name=f"Peserta {n}",
                 password_hash="x", role="member", status="active", status_reason="", locale="id",
                 business_name="", sector="", stage="", bio="", offers="", looking_for="", avatar_file="",
                 show_in_directory=False, show_email=False, consent_version="", created_at=now, updated_at=now)
            for n in range(count)]
    columns = {column.name for column in User.__table__.columns}
    extra = {name: None for name in columns if name not in rows[0] and name != "id"}
    with engine.begin() as connection:
        for chunk in range(0, len(rows), 5000):
            connection.execute(User.__table__.insert(), [row | extra for row in rows[chunk:chunk + 5000]])
    with Session(engine) as session:
        return list(session.exec(select(User.id).order_by(User.id)).all())


def _programme(rng: random.Random, count: int, start_id: int) -> tuple[list[dict], list[dict]]:
    """`count` published trainings spread from 60 days ago to a year ahead, one session each."""
    now = datetime.now(UTC)
    trainings_rows, session_rows = [], []
    for index in range(count):
        training_id = start_id + index
        start = now + timedelta(days=rng.uniform(-60, 365), hours=rng.randrange(0, 10))
        start = start.replace(minute=0, second=0, microsecond=0)
        title_id = " ".join(rng.sample(WORDS_ID, 4)).capitalize() + f" {training_id}"
        title_en = " ".join(rng.sample(WORDS_EN, 4)).capitalize() + f" {training_id}"
        trainings_rows.append(dict(
            id=training_id, title_id=title_id, title_en=title_en, description_id="Deskripsi " * 40,
            description_en="Description " * 40, topic=rng.choice(rules.TOPICS), level=rng.choice(rules.LEVELS),
            language=rng.choice(rules.LANGUAGES), format=rng.choice(rules.FORMATS), online_link="",
            capacity=rng.randrange(10, 41), enrolled_count=0, waitlist_count=0, next_queue_number=1,
            completion_share=100, enrol_opens_at=start - timedelta(days=30), enrol_closes_at=start - timedelta(days=1),
            cancel_until=start - timedelta(days=2), starts_at=start, ends_at=start + timedelta(hours=3),
            session_count=1, status=rules.PUBLISHED if rng.random() < 0.95 else rules.DRAFT,
            search_text=f"{title_id} {title_en} trainer {training_id % 97}".lower(), cancel_reason="",
            created_by=None, created_at=now, updated_at=now))
        session_rows.append(dict(training_id=training_id, start_at=start, end_at=start + timedelta(hours=3),
                                 space_id=None, booking_id=None, check_in_code=f"{training_id:032d}", created_at=now))
    return trainings_rows, session_rows


def _enrolments(rng: random.Random, programme: list[dict], member_ids: list[int], total: int) -> list[dict]:
    """`total` enrolments over the trainings (distinct members per training): seats, then the queue."""
    now = datetime.now(UTC)
    per_training = total // len(programme)
    rows = []
    for training in programme:
        chosen = rng.sample(member_ids, per_training)
        for position, user_id in enumerate(chosen):
            seated = position < training["capacity"]
            rows.append(dict(training_id=training["id"], user_id=user_id,
                             status=rules.ENROLLED if seated else rules.WAITLISTED,
                             queue_number=0 if seated else training["next_queue_number"], created_at=now,
                             updated_at=now, enrolled_at=now if seated else None, promoted_at=None,
                             completed_at=None, rating=None, rating_comment="", rated_at=None))
            if seated:
                training["enrolled_count"] += 1
            else:
                training["waitlist_count"] += 1
                training["next_queue_number"] += 1
    return rows


def _insert(engine, table, rows: list[dict]) -> None:
    with engine.begin() as connection:
        for chunk in range(0, len(rows), 5000):
            connection.execute(table.insert(), rows[chunk:chunk + 5000])


def _analyze(engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


CASES = [
    ("visitor, first page", {}),
    ("topic + level + seats left", {"topic": "finance", "level": "beginner", "seats_only": "on"}),
    ("language + format + search", {"language": "en", "format": "hub", "query": "marketing"}),
    ("date range + search (2 words)", {"date_from": "+7", "date_to": "+120", "query": "digital export"}),
    ("all filters + search", {"topic": "export", "level": "intermediate", "language": "id", "format": "hybrid",
                              "date_from": "+0", "date_to": "+365", "seats_only": "on", "query": "ekspor"}),
    ("search, rare word", {"query": "halal kopi"}),
]


def _dates(filters: dict) -> dict:
    today = datetime.now(UTC).date()
    result = dict(filters)
    for key in ("date_from", "date_to"):
        if key in result:
            result[key] = (today + timedelta(days=int(result[key]))).isoformat()
    return result


def _queries(report: Report, kind: str, engine, size: tuple[int, int], member_id: int, rows_out: list,
             budgets: bool) -> None:
    member = Actor(user_id=member_id, role="member", status="active", name="Peserta")
    now = datetime.now(UTC)
    with Session(engine) as session:
        for name, raw in CASES:
            filters = _dates(raw)
            clean = trainings.clean_filters(filters)

            def query(clean=clean):
                return session.exec(trainings.catalogue_statement(clean, now=now, after=None,
                                                                  limit=trainings.PAGE_SIZE + 1)).all()

            stats = time_calls(query, repeat=40)
            session.rollback()
            rows_out.append([kind, f"{size[0]:,} / {size[1]:,}", f"{name}: query", len(query()), *stats.row()])
            if budgets:
                report.budget(f"trainings catalogue query p95, {name} ({kind}, {size[0]:,} trainings / "
                              f"{size[1]:,} enrolments)", stats.p95, 30, "ms")
        page_cases = [
            ("visitor, first page: page data", lambda: trainings.catalogue(None, session=session)),
            ("member, search: page data", lambda: trainings.catalogue(member, session=session,
                                                                      filters={"query": "digital"})),
        ]
        first = trainings.catalogue(None, session=session)
        page_cases.append(("visitor, next page (keyset): page data",
                           lambda: trainings.catalogue(None, session=session, cursor=first.next_cursor)))
        for name, function in page_cases:
            stats = time_calls(function, repeat=40)
            session.rollback()
            rows_out.append([kind, f"{size[0]:,} / {size[1]:,}", name, len(function().cards), *stats.row()])
            if budgets:
                report.budget(f"trainings catalogue {name} p95 ({kind}, {size[0]:,} trainings)", stats.p95, 30, "ms")
            session.rollback()


def _throughput(engine, member_ids: list[int]) -> list[str]:
    """100 clients enrol 5 distinct members each into one 50-seat training, all at once."""
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        training = Training(title_id="Kelas ramai", title_en="Busy class", topic="finance", level="beginner",
                            language="id", format="online", online_link="https://meet.example/x", capacity=SEATS,
                            enrol_opens_at=now - timedelta(days=1), enrol_closes_at=now + timedelta(days=5),
                            cancel_until=now + timedelta(days=4), status=rules.PUBLISHED)
        session.add(training)
        session.flush()
        session.add(TrainingSession(training_id=training.id, start_at=now + timedelta(days=6),
                                    end_at=now + timedelta(days=6, hours=2), check_in_code="b" * 32))
        session.flush()
        training_admin.refresh_schedule(session, training)
        session.add(training)
        session.commit()
        training_id = training.id
    barrier = threading.Barrier(CLIENTS)
    latencies: list[float] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        mine = member_ids[index * ENROLMENTS_PER_CLIENT:(index + 1) * ENROLMENTS_PER_CLIENT]
        barrier.wait()
        for user_id in mine:
            actor = Actor(user_id=user_id, role="member", status="active")
            started = time.perf_counter()
            with Session(engine, expire_on_commit=False) as session:
                enrolments.enrol(actor, session=session, training_id=training_id)
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    elapsed = time.perf_counter() - started
    with engine.connect() as connection:
        enrolled, waitlisted, numbers = connection.execute(text(
            "SELECT sum(CASE WHEN status = 'enrolled' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), "
            "count(DISTINCT CASE WHEN status = 'waitlisted' THEN queue_number END) "
            "FROM enrolments WHERE training_id = :id"), {"id": training_id}).one()
    total = CLIENTS * ENROLMENTS_PER_CLIENT
    consistent = enrolled == SEATS and waitlisted == total - SEATS and numbers == waitlisted
    latencies.sort()
    p50, p95 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
    return [f"{total:,}", f"{elapsed:.1f} s", f"{total / elapsed:.0f}", f"{p50:.1f}", f"{p95:.1f}",
            f"{enrolled}/{SEATS}", f"{waitlisted:,}", "yes" if consistent else "NO"]


def run(report: Report) -> None:
    query_rows, throughput_rows = [], []
    for kind in ("sqlite", "postgres"):
        with fresh_database(kind) as engine:
            rng = random.Random(42)
            member_ids = _members(engine, MEMBERS)
            done_trainings = 0
            for count, total_enrolments in SIZES:
                started = time.perf_counter()
                programme, sessions = _programme(rng, count - done_trainings, done_trainings + 1)
                rows = _enrolments(rng, programme, member_ids,
                                   total_enrolments - (SIZES[0][1] if done_trainings else 0))
                _insert(engine, Training.__table__, programme)
                _insert(engine, TrainingSession.__table__, sessions)
                _insert(engine, Enrolment.__table__, rows)
                if engine.dialect.name == "postgresql":
                    with engine.begin() as connection:
                        connection.exec_driver_sql(
                            "SELECT setval('trainings_id_seq', (SELECT max(id) FROM trainings))")
                _analyze(engine)
                report.note(f"{kind}: {count:,} trainings / {total_enrolments:,} enrolments loaded in "
                            f"{time.perf_counter() - started:.0f} s")
                done_trainings = count
                size_rows: list = []
                _queries(report, kind, engine, (count, total_enrolments), member_ids[0], size_rows,
                         budgets=count == SIZES[-1][0])
                query_rows += size_rows
        with fresh_database(kind) as engine:
            member_ids = _members(engine, CLIENTS * ENROLMENTS_PER_CLIENT)
            throughput_rows.append([kind, *_throughput(engine, member_ids)])
    report.table("Training catalogue as the programme grows (ms)",
                 ["engine", "trainings / enrolments", "what", "cards", *STATS_COLUMNS], query_rows,
                 note="query = the catalogue's SQL (filters, search, keyset order); page data = query + cards "
                      "(+ the member's own enrolments)")
    report.table(f"Enrolling with {CLIENTS} parallel clients into one {SEATS}-seat training "
                 f"({ENROLMENTS_PER_CLIENT} members each)",
                 ["engine", "enrolments", "time", "enrolments/s", "p50 ms", "p95 ms", "seated", "waitlisted",
                  "consistent"], throughput_rows)
    for row in throughput_rows:
        report.note(f"{row[0]}: {row[3]} enrolments/s with {CLIENTS} clients on one training "
                    f"(never more enrolled than seats: {row[8]})")

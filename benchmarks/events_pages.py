"""Hub events: the /events list and the /events/<id> page as the calendar grows (to 10,000 events
and 200,000 registrations), and registrations per second under contention. Run with `make bench`
or `python -m benchmarks events_pages` (benchmarks/events.py measures Reflex events, not these).

- list at 10,000 events / 200,000 registrations, SQLite and PostgreSQL: the SQL query alone (first
  page, a later page by keyset cursor) and the page data the service returns (query + cards);
- event page: the data of /events/<id> for a visitor and for a member who holds a waitlist place
  (their registration, queue position, ticket QR); a member's "my events"; the staff roster of a
  60-person event. Budget: 20 ms p95 for the list and the event page, on both engines;
- registrations per second: 100 clients (threads, each with its own session and connection) at
  once on one 50-seat event, half of them members registering, half guests confirming their
  emailed link (5 each). The invariants are checked (never more registered than seats, queue
  numbers 1..n, no free seat while someone waits).
"""

from __future__ import annotations

import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session, select

from benchmarks import STATS_COLUMNS, Report, fresh_database, time_calls
from hub_app.domain import events as rules
from hub_app.domain.permissions import Actor
from hub_app.models import Event, EventRegistration, User
from hub_app.services import events
from hub_app.services.events import reading
from hub_app.services.security import hash_token

EVENTS = 10_000
REGISTRATIONS = 200_000
MEMBERS = 10_000
CLIENTS = 100
PER_CLIENT = 5
SEATS = 50
BUDGET_MS = 20
WORDS = ["Temu", "Startup", "Demo", "Day", "UMKM", "Digital", "Berlin", "Jakarta", "Ekspor", "Kopi", "Batik",
         "Malam", "Cerita", "Pendiri", "Klinik", "Investor", "Jejaring", "Pameran"]


def _members(engine, count: int) -> list[int]:
    now = datetime.now(UTC)
    rows = [dict(email=f"m{n}@bench.example", email_normalized=f"m{n}@bench.example", name=f"Anggota {n}",
                 password_hash="x", role="member", status="active", status_reason="", locale="id",
                 business_name="", sector="", stage="", bio="", offers="", looking_for="", avatar_file="",
                 show_in_directory=False, show_email=False, consent_version="", created_at=now, updated_at=now,
                 email_verified_at=now)
            for n in range(count)]
    columns = {column.name for column in User.__table__.columns}
    extra = {name: None for name in columns if name not in rows[0] and name != "id"}
    _insert(engine, User.__table__, [row | extra for row in rows])
    with Session(engine) as session:
        return list(session.exec(select(User.id).order_by(User.id)).all())


def _insert(engine, table, rows: list[dict]) -> None:
    with engine.begin() as connection:
        for chunk in range(0, len(rows), 5000):
            connection.execute(table.insert(), rows[chunk:chunk + 5000])


def _calendar(rng: random.Random, member_ids: list[int]) -> tuple[list[dict], list[dict]]:
    """EVENTS events from a year ago to a year ahead (95 % published), REGISTRATIONS over them:
    seats first, then the queue; 30 % guests."""
    now = datetime.now(UTC)
    event_rows, registration_rows = [], []
    per_event = REGISTRATIONS // EVENTS
    for event_id in range(1, EVENTS + 1):
        start = (now + timedelta(days=rng.uniform(-365, 365))).replace(minute=0, second=0, microsecond=0)
        capacity = rng.randrange(10, 61)
        title = " ".join(rng.sample(WORDS, 3))
        event = dict(id=event_id, title_id=f"{title} {event_id}", title_en=f"{title} {event_id}",
                     description_id="Deskripsi acara. " * 30, description_en="", photo="", starts_at=start,
                     ends_at=start + timedelta(hours=2), place="online", space_id=None, booking_id=None,
                     online_url="https://meet.example/x", capacity=capacity,
                     audience=rng.choice(rules.AUDIENCES), cancel_reason="",
                     status=rules.PUBLISHED if rng.random() < 0.95 else rng.choice((rules.DRAFT, rules.CANCELLED)),
                     registered_count=0, waitlist_count=0, next_queue_number=1, created_by=None, created_at=now,
                     updated_at=now)
        for position, user_id in enumerate(rng.sample(member_ids, per_event)):
            guest = rng.random() < 0.3
            seated = event["registered_count"] < capacity
            registration_rows.append(dict(
                event_id=event_id, user_id=None if guest else user_id, guest_name="Tamu" if guest else "",
                guest_email=f"g{event_id}-{position}@guest.example" if guest else "", guest_organisation="",
                locale="id", status=rules.REGISTERED if seated else rules.WAITLISTED,
                queue_number=0 if seated else event["next_queue_number"],
                ticket_code=f"{len(registration_rows):010d}", confirm_token_hash=None, cancel_token_hash=None,
                confirm_expires_at=None, confirmed_at=now, checked_in_at=None, checked_in_by=None, walk_in=False,
                reminded_at=None, promoted_at=None, guest_data_erased_at=None, created_at=now, updated_at=now))
            if seated:
                event["registered_count"] += 1
            else:
                event["waitlist_count"] += 1
                event["next_queue_number"] += 1
        event_rows.append(event)
    return event_rows, registration_rows


def _settle(engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("SELECT setval('events_id_seq', (SELECT max(id) FROM events))")
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def _queries(report: Report, kind: str, engine, member_ids: list[int], rows_out: list) -> None:
    """The list's SQL alone (in one open read), and each page's data as the app gets it: a fresh
    session per call (pool checkout, the service's queries, the end of the read)."""
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        waiting = session.exec(text(
            "SELECT r.user_id, r.event_id FROM event_registrations r JOIN events e ON e.id = r.event_id "
            "WHERE r.status = 'waitlisted' AND r.user_id IS NOT NULL AND e.status = 'published' "
            "AND e.starts_at > :now ORDER BY r.queue_number DESC LIMIT 1"), params={"now": now}).one()
        big = session.exec(text("SELECT id FROM events WHERE capacity = 60 AND status = 'published' LIMIT 1")).one()[0]
        session.rollback()
        first = events.upcoming_events(None, session=session, locale="id")
        later = events.upcoming_events(None, session=session, locale="id", cursor=first.next_cursor)
        after = reading._parse_cursor(later.next_cursor)
        for name, statement in (("list, first page: query", reading.list_statement(now=now, after=None, limit=13)),
                                ("list, third page (keyset): query",
                                 reading.list_statement(now=now, after=after, limit=13))):
            stats = time_calls(lambda statement=statement: session.exec(statement).all(), repeat=100)
            rows_out.append([kind, name, len(session.exec(statement).all()), *stats.row()])
            report.budget(f"events {name} p95 ({kind}, {EVENTS:,} events / {REGISTRATIONS:,} registrations)",
                          stats.p95, BUDGET_MS, "ms")
        session.rollback()
    member = Actor(user_id=waiting[0], role="member", status="active", name="Anggota")
    staff = Actor(user_id=member_ids[-1], role="staff", status="active", name="Staf")
    cases = [
        ("list, first page", lambda s: events.upcoming_events(None, session=s, locale="en"), True),
        ("event page, visitor", lambda s: events.event_view(None, session=s, event_id=waiting[1], locale="id"),
         True),
        ("event page, member on the waitlist",
         lambda s: events.event_view(member, session=s, event_id=waiting[1], locale="id"), True),
        ("my events (member)", lambda s: events.my_events(member, session=s, locale="id"), False),
        ("roster of a 60-seat event (staff)", lambda s: events.roster(staff, session=s, event_id=big, locale="id"),
         False),
    ]
    for name, service, budgeted in cases:
        def call(service=service):
            with Session(engine, expire_on_commit=False) as own:
                return service(own)

        stats = time_calls(call, repeat=100)
        result = call()
        size = len(result.rows) if hasattr(result, "rows") else (len(result) if isinstance(result, list) else 1)
        rows_out.append([kind, f"{name}: page data", size, *stats.row()])
        if budgeted:
            report.budget(f"events {name}: page data p95 ({kind}, {EVENTS:,} events / {REGISTRATIONS:,} "
                          f"registrations)", stats.p95, BUDGET_MS, "ms")


def _throughput(engine, member_ids: list[int]) -> list[str]:
    """CLIENTS clients at once on one SEATS-seat event: half members registering, half guests
    confirming their link, PER_CLIENT each."""
    now = datetime.now(UTC)
    guests = (CLIENTS // 2) * PER_CLIENT
    tokens = [f"bench-token-{n:06d}-{'x' * 20}" for n in range(guests)]
    with Session(engine, expire_on_commit=False) as session:
        event = Event(title_id="Acara ramai", title_en="Busy event", starts_at=now + timedelta(days=3),
                      ends_at=now + timedelta(days=3, hours=2), place="online", online_url="https://meet.example/y",
                      capacity=SEATS, audience=rules.EVERYONE, status=rules.PUBLISHED)
        session.add(event)
        session.flush()
        event_id = event.id
        session.commit()
    _insert(engine, EventRegistration.__table__, [dict(
        event_id=event_id, user_id=None, guest_name=f"Tamu {n}", guest_email=f"t{n}@guest.example",
        guest_organisation="", locale="id", status=rules.UNCONFIRMED, queue_number=0, ticket_code=f"T{n:09d}",
        confirm_token_hash=hash_token(token), cancel_token_hash=None, confirm_expires_at=now + timedelta(hours=24),
        confirmed_at=None, checked_in_at=None, checked_in_by=None, walk_in=False, reminded_at=None, promoted_at=None,
        guest_data_erased_at=None, created_at=now, updated_at=now) for n, token in enumerate(tokens)])
    barrier = threading.Barrier(CLIENTS)
    latencies: list[float] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        if index % 2 == 0:
            start = (index // 2) * PER_CLIENT
            calls = [lambda s, user_id=user_id: events.register_member(
                Actor(user_id=user_id, role="member", status="active"), session=s, event_id=event_id)
                for user_id in member_ids[start:start + PER_CLIENT]]
        else:
            start = (index // 2) * PER_CLIENT
            calls = [lambda s, token=token: events.confirm_guest(session=s, token=token)
                     for token in tokens[start:start + PER_CLIENT]]
        barrier.wait()
        for call in calls:
            started = time.perf_counter()
            with Session(engine, expire_on_commit=False) as session:
                call(session)
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    elapsed = time.perf_counter() - started
    with engine.connect() as connection:
        registered, waitlisted, numbers, counted, queued = connection.execute(text(
            "SELECT sum(CASE WHEN r.status = 'registered' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN r.status = 'waitlisted' THEN 1 ELSE 0 END), "
            "count(DISTINCT CASE WHEN r.status = 'waitlisted' THEN r.queue_number END), "
            "max(e.registered_count), max(e.waitlist_count) "
            "FROM event_registrations r JOIN events e ON e.id = r.event_id WHERE r.event_id = :id"),
            {"id": event_id}).one()
    total = CLIENTS * PER_CLIENT
    consistent = (registered == SEATS == counted and waitlisted == total - SEATS == queued and numbers == waitlisted)
    latencies.sort()
    p50, p95 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
    return [f"{total:,}", f"{elapsed:.1f} s", f"{total / elapsed:.0f}", f"{p50:.1f}", f"{p95:.1f}",
            f"{registered}/{SEATS}", f"{waitlisted:,}", "yes" if consistent else "NO"]


def run(report: Report) -> None:
    query_rows, throughput_rows = [], []
    for kind in ("sqlite", "postgres"):
        with fresh_database(kind) as engine:
            rng = random.Random(11)
            started = time.perf_counter()
            member_ids = _members(engine, MEMBERS)
            event_rows, registration_rows = _calendar(rng, member_ids)
            _insert(engine, Event.__table__, event_rows)
            _insert(engine, EventRegistration.__table__, registration_rows)
            _settle(engine)
            report.note(f"{kind}: {EVENTS:,} events / {len(registration_rows):,} registrations loaded in "
                        f"{time.perf_counter() - started:.0f} s")
            _queries(report, kind, engine, member_ids, query_rows)
        with fresh_database(kind) as engine:
            member_ids = _members(engine, (CLIENTS // 2) * PER_CLIENT)
            throughput_rows.append([kind, *_throughput(engine, member_ids)])
    report.note(f"machine load average during the run: {os.getloadavg()[0]:.1f} (2 cores)")
    report.table(f"Events list and event page at {EVENTS:,} events / {REGISTRATIONS:,} registrations (ms)",
                 ["engine", "what", "rows", *STATS_COLUMNS], query_rows,
                 note="query = the list's SQL (published, not over, keyset on starts_at, id); page data = what the "
                      "service returns to the page (cards; the event with the viewer's registration, queue place, QR)")
    report.table(f"Registering with {CLIENTS} parallel clients on one {SEATS}-seat event "
                 f"(half members registering, half guests confirming; {PER_CLIENT} each)",
                 ["engine", "registrations", "time", "registrations/s", "p50 ms", "p95 ms", "seated", "waitlisted",
                  "consistent"], throughput_rows)
    for row in throughput_rows:
        report.note(f"{row[0]}: {row[3]} registrations/s with {CLIENTS} clients on one event "
                    f"(never more registered than seats: {row[8]})")

"""Live calendars at scale: what N idle open calendar tabs cost the portal, and how long a booking
takes to reach all of them.

N tabs (100, 250, 500) open /book on the same day through Reflex's Socket.IO protocol
(benchmarks/_client.py) against the production server and then stay idle. Over the idle phase
the benchmark samples the portal's CPU (all its processes, from /proc), the database
transactions per second (PostgreSQL: pg_stat_database of the portal's database; SQLite has no
server-side counter) and the Redis commands per second (the Redis path). Then a signed-in member
books a free slot of that day from one more tab, and the time from the booking event to each
idle tab's calendar update is measured (p50/p95/max over the N tabs).

Two data paths: SQLite + Reflex disk state (1 worker), and PostgreSQL + Redis state + 2 workers.
HUB_BENCH_CALENDAR_TABS="100,250,500" and HUB_BENCH_IDLE_SECONDS=30 change the sizes.

The same figures measured before the calendars were pushed (each tab polled its fingerprint every
2.5 s; commit dd885a5) are printed after the measured ones, for comparison.
"""

from __future__ import annotations

import asyncio
import os
import time

from benchmarks import Report, percentile
from benchmarks._client import ReflexClient, sign_in, state_name

TAB_COUNTS = [int(n) for n in os.environ.get("HUB_BENCH_CALENDAR_TABS", "100,250,500").split(",")]
IDLE_SECONDS = float(os.environ.get("HUB_BENCH_IDLE_SECONDS", "30"))
SETTLE_SECONDS = 5.0  # after the last tab connected, before sampling (connect work is not idle work)
MEMBER_PASSWORD = "bench-calendar-pw-2026!"
COLUMNS = ["path", "tabs", "portal CPU %", "CPU % per 1,000 tabs", "DB xacts/s", "Redis cmds/s",
           "update p50 ms", "update p95 ms", "update max ms", "tabs not updated"]
SQLITE, POSTGRES = "SQLite + disk state, 1 worker", "PostgreSQL + Redis, 2 workers"
BEFORE = [  # polling every 2.5 s, measured 2026-12-01 on the 2-core machine (load ~20 from other work)
    [SQLITE, "100", "10.3", "102.9", "–", "–", "1539", "2620", "2623", "0"],
    [SQLITE, "250", "16.3", "65.1", "–", "–", "5444", "7998", "8309", "0"],
    [SQLITE, "500", "18.7", "37.3", "–", "–", "15135", "19552", "19818", "194"],
    [POSTGRES, "100", "19.5", "195.3", "66.7", "191.7", "5113", "8015", "8416", "0"],
    [POSTGRES, "250", "27.7", "111.0", "72.2", "221.5", "15207", "19893", "20040", "84"],
    [POSTGRES, "500", "39.0", "78.0", "109.6", "325.3", "10931", "18230", "18578", "405"],
]
PATHS = [
    (SQLITE, {"database": "sqlite", "redis": False, "workers": 1}),
    (POSTGRES, {"database": "postgres", "redis": True, "workers": 2}),
]


def _calendar_state() -> str:
    from hub_app.pages.book import CalendarState

    return state_name(CalendarState)


def _create_members(database_url: str, count: int) -> list[str]:
    from hub_app.db import make_engine, new_session
    from hub_app.services import accounts

    engine = make_engine(database_url)
    emails = [f"calendar{i:02d}@members.example" for i in range(count)]
    try:
        with new_session(engine) as session:
            for index, email in enumerate(emails):
                accounts.create_user(session=session, email=email, name=f"Calendar Member {index}",
                                     password=MEMBER_PASSWORD, role="member")
    finally:
        engine.dispose()
    return emails


class Counters:
    """Database transactions and Redis commands so far (None where there is no counter)."""

    def __init__(self, portal):
        self.portal = portal

    def transactions(self) -> int | None:
        if not self.portal.database_url.startswith("postgresql"):
            return None
        import psycopg

        name = self.portal.database_url.rsplit("/", 1)[1]
        with psycopg.connect(self.portal.database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
            db.execute("SELECT pg_stat_clear_snapshot()")
            row = db.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
                             (name,)).fetchone()
        return int(row[0])

    def redis_commands(self) -> int | None:
        if not self.portal.redis_url:
            return None
        import redis as redis_lib

        client = redis_lib.Redis.from_url(self.portal.redis_url)
        try:
            return int(client.info("stats")["total_commands_processed"])
        finally:
            client.close()


def _rate(after: int | None, before: int | None, seconds: float, minus: int = 0) -> str:
    return "–" if after is None or before is None else f"{max(after - before - minus, 0) / seconds:.1f}"


async def _connect(base_url: str, count: int, query: dict) -> list[ReflexClient]:
    clients = [ReflexClient(base_url) for _ in range(count)]
    semaphore = asyncio.Semaphore(8)

    async def connect(client):
        async with semaphore:
            await client.connect("/book", query, timeout=120)

    await asyncio.gather(*[connect(client) for client in clients])
    return clients


def _var(updates, state: str, name: str):
    found = None
    for update in updates:
        value = update.var(state, name)
        if value is not None:
            found = value
    return found


async def _free_slot(member: ReflexClient, state: str, day: str, taken: set[str]) -> tuple[int, str] | None:
    updates = await member.connect("/book", {"date": day}, timeout=60)
    for space in _var(updates, state, "spaces") or []:
        for chip in space.get("starts", []) + space.get("more", []):
            if chip["start"] not in taken:
                return space["space_id"], chip["start"]
    return None


async def _book_and_wait(member: ReflexClient, watchers: list[ReflexClient], state: str, day: str,
                         slot: tuple[int, str]) -> tuple[list[float], int]:
    """The member books the slot; returns each watcher's delay (ms) from the booking event to its
    calendar update, and how many watchers got none within 20 s."""
    space_id, start = slot
    query = {"date": day}
    _, updates = await member.call(f"{state}.pick", {"space_id": space_id, "start": start}, path="/book",
                                   done=lambda update: update.var(state, "form_open") is True)
    end = _var(updates, state, "sel_default_end")
    for watcher in watchers:
        watcher.drain()
    form = {"end": end, "title": "Benchmark", "people": "1", "repeat": ""}
    member.drain()
    sent = await member.send(f"{state}.submit", {"form": form}, "/book", query)

    async def arrival(watcher):
        try:
            updates = await watcher.collect(lambda update: update.var(state, "cells") is not None, timeout=20)
        except TimeoutError:
            return None
        return (updates[-1].received - sent) * 1000

    delays = await asyncio.gather(*[arrival(watcher) for watcher in watchers])
    return [d for d in delays if d is not None], sum(d is None for d in delays)


async def _run_path(report: Report, label: str, portal, rows: list[list[str]]) -> None:
    state = _calendar_state()
    counters = Counters(portal)
    emails = _create_members(portal.database_url, len(TAB_COUNTS))
    cookies = [await sign_in(portal.base_url, email, MEMBER_PASSWORD) for email in emails]
    probe = ReflexClient(portal.base_url)
    updates = await probe.connect("/book")
    day = _var(updates, state, "day")
    await probe.disconnect()
    taken: set[str] = set()
    for count, cookie in zip(TAB_COUNTS, cookies, strict=True):
        started = time.monotonic()
        watchers = await _connect(portal.base_url, count, {"date": day})
        report.note(f"{label}: {count} calendar tabs open on {day} in {time.monotonic() - started:.1f} s")
        member = ReflexClient(portal.base_url, cookie=cookie)
        try:
            await asyncio.sleep(SETTLE_SECONDS)
            cpu, xacts, commands = portal.cpu_seconds(), counters.transactions(), counters.redis_commands()
            began = time.monotonic()
            await asyncio.sleep(IDLE_SECONDS)
            elapsed = time.monotonic() - began
            cpu_after, xacts_after, commands_after = (portal.cpu_seconds(), counters.transactions(),
                                                      counters.redis_commands())
            cpu_percent = (cpu_after - cpu) / elapsed * 100
            slot = await _free_slot(member, state, day, taken)
            if slot is None:
                delays, missed = [], count
                report.note(f"{label}: no free slot left on {day} to book")
            else:
                taken.add(slot[1])
                delays, missed = await _book_and_wait(member, watchers, state, day, slot)
            rows.append([label, str(count), f"{cpu_percent:.1f}", f"{cpu_percent / count * 1000:.1f}",
                         _rate(xacts_after, xacts, elapsed, minus=1), _rate(commands_after, commands, elapsed, 1),
                         f"{percentile(delays, 50):.0f}", f"{percentile(delays, 95):.0f}",
                         f"{max(delays, default=float('nan')):.0f}", str(missed)])
            report.budget(f"idle CPU with {count} calendar tabs ({label})", round(cpu_percent, 1), 5, "%")
        finally:
            await asyncio.gather(*[client.disconnect() for client in [*watchers, member]], return_exceptions=True)
        await asyncio.sleep(3)  # the closed tabs' watches end before the next size opens


def run(report: Report) -> None:
    rows: list[list[str]] = []
    for label, config in PATHS:
        portal = report.portal(**config)
        asyncio.run(_run_path(report, label, portal, rows))
        report.close_portals()
    report.table(
        f"Idle open calendar tabs (/book, one day), {IDLE_SECONDS:.0f} s idle per size: changes pushed",
        COLUMNS,
        rows,
        note="CPU: all the portal's processes over the idle phase (100 % = one core; the machine has "
             f"{os.cpu_count()}). DB xacts/s: PostgreSQL transactions of the portal's database (SQLite: no "
             "server-side counter). Update: from a member's booking event in another tab to each idle tab's "
             "calendar update on that day.")
    report.table("Before (for comparison): every open calendar polled its fingerprint every 2.5 s", COLUMNS,
                 BEFORE, note="recorded with this benchmark at commit dd885a5; tabs not updated: no update "
                              "within 20 s (the polls fell behind)")

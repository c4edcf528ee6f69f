"""Event round trip under load: 200 simulated browser tabs speaking Reflex's Socket.IO protocol
against the running production server, each sending real events with a think time between them,
measuring the time from sending an event to the state update it causes.

Two data paths: SQLite + Reflex disk state (1 worker), and PostgreSQL + Redis state + 2 workers.
Two phases on each:
- "menu toggle": ShellState.toggle_menu only (no database): what Reflex and our state cost.
- "mixed": page navigations (on_load_internal + the page's on_load: session lookup, shell summary),
  menu toggles and language switches (a write for members); half of the tabs signed in as one of
  100 members. A toggle that is slow here while navigations run would mean a handler blocks the
  event loop with database work.
CPU per event is the portal's CPU time (all its processes) over the phase / events answered.
"""

from __future__ import annotations

import asyncio
import os
import random
import time

from benchmarks import STATS_COLUMNS, Report, Stats, percentile
from benchmarks._client import ROOT_STATE, ReflexClient, is_hydrated, shell_events_name, sign_in

CLIENTS = int(os.environ.get("HUB_BENCH_CLIENTS", "200"))
PHASE_SECONDS = float(os.environ.get("HUB_BENCH_EVENT_SECONDS", "30"))
THINK_SECONDS = (1.0, 3.0)  # uniform think time between a tab's events (about 100 events/s for 200 tabs)
MEMBERS = 100
MEMBER_PASSWORD = "bench-member-pw-2026!"
P95_BUDGET_MS = 100
ON_LOAD_INTERNAL = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"
PAGES = ["/", "/login", "/signup", "/notifications", "/profile"]
MIX = [("page navigation", 0.6), ("menu toggle", 0.3), ("language switch", 0.1)]
PATHS = [
    ("SQLite + disk state, 1 worker", {"database": "sqlite", "redis": False, "workers": 1}),
    ("PostgreSQL + Redis, 2 workers", {"database": "postgres", "redis": True, "workers": 2}),
]


def create_members(database_url: str, count: int) -> list[str]:
    """Active members to sign in as (created directly through the accounts service)."""
    from hub_app.db import make_engine, new_session
    from hub_app.services import accounts

    engine = make_engine(database_url)
    emails = [f"bench{i:03d}@members.example" for i in range(count)]
    try:
        with new_session(engine) as session:
            for index, email in enumerate(emails):
                accounts.create_user(session=session, email=email, name=f"Bench Member {index}",
                                     password=MEMBER_PASSWORD, role="member")
    finally:
        engine.dispose()
    return emails


class LoopLag:
    """How late this process's own event loop wakes up (so a busy load generator is visible)."""

    def __init__(self):
        self.samples: list[float] = []
        self.task: asyncio.Task | None = None

    async def _tick(self):
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.05)
            self.samples.append((time.perf_counter() - started - 0.05) * 1000)

    def __enter__(self):
        self.task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc):
        self.task.cancel()


async def _one_event(client: ReflexClient, kind: str, state: str, rng: random.Random) -> float:
    if kind == "menu toggle":
        elapsed, _ = await client.call(f"{state}.toggle_menu")
    elif kind == "language switch":
        locale = rng.choice(["id", "en"])
        elapsed, _ = await client.call(f"{state}.switch_language", {"locale": locale},
                                       done=lambda update: bool(update.events))
    else:  # a client-side navigation: the frontend sends on_load_internal for the new route
        page = rng.choice(PAGES)
        elapsed, _ = await client.call(ON_LOAD_INTERNAL, path=page, done=is_hydrated)
    return elapsed


async def _tab(client: ReflexClient, mix: list[tuple[str, float]], stop_at: float, results: dict, errors: list,
               seed: int) -> None:
    rng = random.Random(seed)
    state = shell_events_name()
    kinds, weights = zip(*mix, strict=True)
    await asyncio.sleep(rng.uniform(*THINK_SECONDS))
    while time.monotonic() < stop_at:
        kind = rng.choices(kinds, weights)[0]
        try:
            results.setdefault(kind, []).append(await _one_event(client, kind, state, rng))
        except Exception as error:  # counted and shown; a timeout is a result too
            errors.append(f"{kind}: {type(error).__name__}: {error}"[:200])
        await asyncio.sleep(rng.uniform(*THINK_SECONDS))


async def _phase(portal, clients: list[ReflexClient], mix, seconds: float) -> tuple[dict, list, float, float, float]:
    results: dict[str, list[float]] = {}
    errors: list[str] = []
    cpu_before = portal.cpu_seconds()
    started = time.monotonic()
    with LoopLag() as lag:
        await asyncio.gather(*[_tab(client, mix, started + seconds, results, errors, seed)
                               for seed, client in enumerate(clients)])
    elapsed = time.monotonic() - started
    cpu = portal.cpu_seconds() - cpu_before
    return results, errors, cpu, elapsed, percentile(lag.samples, 95)


async def _connect_all(base_url: str, cookies: list[str]) -> list[ReflexClient]:
    clients = []
    for index in range(CLIENTS):
        cookie = cookies[index % len(cookies)] if index % 2 and cookies else ""
        clients.append(ReflexClient(base_url, cookie=cookie))
    semaphore = asyncio.Semaphore(10)

    async def connect(client):
        async with semaphore:
            await client.connect("/")

    await asyncio.gather(*[connect(client) for client in clients])
    return clients


async def _sign_in_members(base_url: str, emails: list[str]) -> list[str]:
    semaphore = asyncio.Semaphore(4)

    async def one(email):
        async with semaphore:
            return await sign_in(base_url, email, MEMBER_PASSWORD)

    return await asyncio.gather(*[one(email) for email in emails])


async def _run_path(report: Report, label: str, portal) -> None:
    emails = create_members(portal.database_url, MEMBERS)
    started = time.monotonic()
    cookies = await _sign_in_members(portal.base_url, emails)
    report.note(f"{label}: {len(cookies)} members signed in through the login event in "
                f"{time.monotonic() - started:.1f} s")
    started = time.monotonic()
    clients = await _connect_all(portal.base_url, cookies)
    report.note(f"{label}: {len(clients)} tabs connected and hydrated in {time.monotonic() - started:.1f} s")
    rows = []
    try:
        for phase, mix in (("menu toggle", [("menu toggle", 1.0)]), ("mixed", MIX)):
            results, errors, cpu, elapsed, lag = await _phase(portal, clients, mix, PHASE_SECONDS)
            everything = [value for values in results.values() for value in values]
            total = Stats(everything)
            cpu_per_event = cpu / max(total.n, 1) * 1000
            rows.append([phase, "all", *total.row(), f"{total.n / elapsed:.0f}", f"{cpu_per_event:.2f}",
                         str(len(errors)), f"{lag:.1f}", f"{os.getloadavg()[0]:.1f}"])
            for kind, values in sorted(results.items()):
                if len(results) > 1:
                    rows.append(["", kind, *Stats(values).row(), "", "", "", "", ""])
            report.budget(f"event p95, {phase} ({label})", round(total.p95, 1), P95_BUDGET_MS, "ms")
            for error in sorted(set(errors))[:5]:
                report.note(f"{phase}: {error}")
    finally:
        await asyncio.gather(*[client.disconnect() for client in clients], return_exceptions=True)
    report.table(
        f"Event round trip, {CLIENTS} tabs, think time {THINK_SECONDS[0]:g}-{THINK_SECONDS[1]:g} s, "
        f"{PHASE_SECONDS:.0f} s per phase: {label}",
        ["phase", "event", *STATS_COLUMNS, "events/s", "CPU ms/event", "errors", "client lag p95 ms", "load 1m"],
        rows,
        note=f"budget p95 <= {P95_BUDGET_MS} ms; CPU per event: all the portal's CPU time during the phase (its "
             "background work included) over the events answered (a bare Reflex event costs about 0.25 ms); "
             "'client lag' is the load generator's own event loop delay; 'load 1m' is the machine's load average "
             f"at the end of the phase ({os.cpu_count()} cores): other work on the machine stretches the tail")


def run(report: Report) -> None:
    for label, config in PATHS:
        portal = report.portal(**config)
        asyncio.run(_run_path(report, label, portal))
        report.close_portals()

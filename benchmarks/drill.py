"""The multi-node drill (`make drill`): the portal as app nodes behind nginx, under load, while parts
of it fail.

Topology, all on this machine but each part as on its own machine: a PostgreSQL cluster and a Redis
server of the drill's own (so restarting them disturbs no one else), two app nodes started from
deploy/systemd/hub-app@.service with deploy/systemd/hub.env.example (each its own port and work
dir), nginx running deploy/nginx/hub.conf as the one https address (a self-signed certificate),
and an SMTP server (aiosmtpd) that counts every email (benchmarks/_drill_topology.py).

Load: 200 tabs through nginx speaking the portal's Socket.IO protocol (benchmarks/_drill_load.py),
half signed in (booking, cancelling, enrolling, leaving, browsing), the rest browsing. Drills:
1. kill -9 one node; 2. restart Redis (all tab state lost); 3. restart PostgreSQL; 4. SIGTERM a node
(a deploy); 5. background duties on several nodes (outbox emails, no-show releases). Afterwards
every booking, cancellation and enrolment a tab saw confirmed is looked up in PostgreSQL: lost
(confirmed, then not there or undone) and doubled (two rows for one member's same booking or
training) must be zero. Pass/fail is from correctness (lost, doubled, errors users saw); latency is
compared with the budgets (p95 <= 100 ms at 200 tabs, <= 250 ms at 1,000 tabs), at the drills' pace
(HUB_DRILL_THINK_SECONDS, a stress) and at a reading member's pace (5-15 s between actions). For
each pace it prints what the nodes spent (events answered per second, their CPU, CPU per event),
and where 1,000 tabs at a pace would ask for more node CPU than the machine has (the 200 tabs' rate
per tab and CPU per event, times 1,000 tabs), its budget line says so.

HUB_DRILL_SECONDS (default 20) sets the calm part of each drill window.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from benchmarks import Report, Stats, ms
from benchmarks._drill_load import (
    READING_PACE,
    THINK_SECONDS,
    Ledger,
    Load,
    Window,
    World,
    settle_seconds,
)
from benchmarks._drill_nodes import Node
from benchmarks._drill_topology import Drill, run_on_topology, signed_in_members

TABS = int(os.environ.get("HUB_DRILL_TABS", "200"))
MANY_TABS = int(os.environ.get("HUB_DRILL_MANY_TABS", "1000"))
CALM_SECONDS = float(os.environ.get("HUB_DRILL_SECONDS", "20"))
DRILL_MAILS = 200
NO_SHOWS = 50
P95_BUDGETS = {TABS: 100, MANY_TABS: 250}


@dataclass
class Paced:
    """The round trips of `tabs` tabs at one pace over `seconds`, and the CPU the nodes spent then."""

    tabs: int
    think: tuple[float, float]
    window: Window
    seconds: float
    node_cpu_seconds: float
    slowdown: str  # the machine's fixed loop then, against at rest (benchmarks/machine_speed.py)

    @property
    def rate(self) -> float:
        """Events answered per second."""
        return self.window.events() / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_event(self) -> float:
        return self.node_cpu_seconds / self.window.events() * 1000 if self.window.events() else 0.0

    def row(self) -> list[str]:
        return [f"{self.tabs} tabs, {_pace(self.think)}", f"{self.rate:.0f}", f"{self.rate / self.tabs:.2f}",
                f"{self.node_cpu_seconds / self.seconds:.2f}", f"{self.cpu_ms_per_event:.1f}", self.slowdown]


def beyond_the_machine(few: Paced, many_tabs: int, cores: int) -> str:
    """Why `many_tabs` tabs at `few`'s pace cannot be served here, or "" if they may be: the events
    they ask for (`few`'s events per tab and second; a lower bound if the nodes fell behind then,
    so "beyond" still holds) times the node CPU each cost there, against the machine's cores (which
    PostgreSQL, Redis, nginx and the load client share with the nodes)."""
    asked = few.rate / few.tabs * many_tabs
    cores_asked = asked * few.cpu_ms_per_event / 1000
    if cores_asked <= cores:
        return ""
    return (f"{many_tabs} tabs at this pace ask ~{asked:.0f} events/s; at the {few.cpu_ms_per_event:.1f} ms of node "
            f"CPU per event of {few.tabs} tabs that is {cores_asked:.1f} cores, and the machine has {cores}")


@dataclass
class Outcome:
    drill: str
    load: str
    window: Window
    lost: int = 0
    doubled: int = 0
    extra: str = ""
    failed: str = ""  # why it failed, "" if it passed

    def row(self) -> list[str]:
        w = self.window
        reconnect = Stats([seconds * 1000 for seconds in w.reconnects])
        kinds = "".join(f", {n} {kind}" for kind, n in sorted(w.unanswered_kinds.items()))
        seen = [f"{len(w.errors)} errors", f"{w.unanswered} unanswered ({w.dropped_in_flight} with the socket{kinds})"]
        if w.try_again:
            seen.append(f"{w.try_again} 'try again'")
        if w.signed_out:
            seen.append(f"{w.signed_out} signed out")
        if w.new_tokens:
            seen.append(f"{w.new_tokens} given a new token (page state lost)")
        if w.reconnects:
            seen.append(f"reconnect p50 {ms(reconnect.p50)} / p95 {ms(reconnect.p95)} ms ({reconnect.n})")
        if w.moves:
            moved = Stats([seconds * 1000 for seconds in w.moves])
            seen.append(f"{moved.n} tabs moved, p50 {ms(moved.p50)} / p95 {ms(moved.p95)} ms")
        if w.still_reconnecting:
            seen.append(f"{w.still_reconnecting} still reconnecting at the end")
        return [self.drill, self.load, "; ".join(seen), str(self.lost), str(self.doubled),
                "FAIL: " + self.failed if self.failed else "pass", self.extra]


def _now() -> datetime:
    return datetime.now(ZoneInfo("UTC"))


async def _wait_until(check, timeout: float, interval: float = 0.2) -> float | None:
    """Seconds until check() (run in a thread) is true, None if it never was within timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if await asyncio.to_thread(check):
                return time.monotonic() - started
        except Exception:
            pass
        await asyncio.sleep(interval)
    return None


class Ledgers:
    """The load's ledger split by drill: each drill's confirmations are checked on their own."""

    def __init__(self, load: Load):
        self.load = load
        self.marks = (set(load.ledger.bookings), set(load.ledger.cancelled), set(load.ledger.enrolments),
                      set(load.ledger.left))

    def since_mark(self) -> Ledger:
        ledger, (bookings, cancelled, enrolments, left) = self.load.ledger, self.marks
        part = Ledger({k: v for k, v in ledger.bookings.items() if k not in bookings},
                      ledger.cancelled - cancelled,
                      {k: v for k, v in ledger.enrolments.items() if k not in enrolments}, ledger.left - left)
        self.marks = (set(ledger.bookings), set(ledger.cancelled), set(ledger.enrolments), set(ledger.left))
        return part


async def _drills(drill: Drill, cookies: list[str], world: World) -> tuple[list[Outcome], Paced]:
    report = drill.report
    load = Load(drill.proxy.base_url, cookies, world, TABS)
    seconds = await load.start()
    report.note(f"{TABS} tabs connected through nginx in {seconds:.1f} s")
    outcomes: list[Outcome] = []
    ledgers = Ledgers(load)
    load_label = f"{TABS} tabs"

    async def finish(name: str, since: datetime, extra: str = "", failed: str = "", quiet: bool = False,
                     stay_signed_in: bool = True) -> Outcome:
        """Closes the drill's window and checks it; quiet: users must not even be asked to try again
        or lose an event with their socket (events that the overloaded machine answers after more
        than 20 s are counted as unanswered, and shown, but are the latency rows' failure).
        stay_signed_in=False while the database is down: a tab that reconnects then cannot have its
        session looked up, so its shell shows nobody signed in until its next page (counted, shown)."""
        window = load.window()
        lost, doubled, note = await asyncio.to_thread(drill.check, ledgers.since_mark(), since, _now(), load.ledger)
        note += f"; machine load {os.getloadavg()[0]:.1f}"
        outcome = Outcome(name, load_label, window, lost, doubled, "; ".join(part for part in (extra, note) if part))
        problems = [failed] if failed else []
        if lost or doubled:
            problems.append(f"{lost} lost, {doubled} doubled")
        if window.errors:
            problems.append(f"errors seen: {sorted(set(window.errors))[:3]}")
        if window.signed_out and stay_signed_in:
            problems.append("members signed out")
        if quiet and (window.try_again or window.dropped_in_flight or window.drops):
            problems.append(f"{window.try_again} asked to try again, {window.drops} sockets dropped, "
                            f"{window.dropped_in_flight} events lost with their socket")
        outcome.failed = "; ".join(problems)
        report.note(f"{name}: {'pass' if not outcome.failed else 'FAIL ' + outcome.failed} ({note})")
        return outcome

    # Calm: the figures at 200 tabs.
    run_started = _now()
    load.window()
    since = _now()
    cpu_before, started = drill.nodes_cpu_seconds(), time.monotonic()
    await asyncio.sleep(CALM_SECONDS * 1.5)
    calm_seconds, calm_cpu = time.monotonic() - started, drill.nodes_cpu_seconds() - cpu_before
    calm_slowdown = drill.slowdown(started, time.monotonic())
    calm = await finish("none (steady load)", since)
    outcomes.append(calm)

    async def restart(node: Node, why: str) -> None:
        """systemd starts the node again (Restart=on-failure, or the deploy's new version). It
        builds its frontend first, which on this machine takes CPU from the node that serves
        meanwhile (on separate machines it would not): shown as a row of its own."""
        since = _now()
        node.start()
        seconds = await asyncio.to_thread(node.wait_ready)
        await asyncio.sleep(3)
        outcomes.append(await finish(f"   (node restarting after {why})", since,
                                     f"one node serving while the other builds and starts: {seconds:.0f} s"))

    # 1. kill -9 one node.
    victim = drill.nodes[0]
    since = _now()
    await asyncio.sleep(3)
    await asyncio.to_thread(victim.kill)
    await asyncio.sleep(CALM_SECONDS)
    outcomes.append(await finish("1. kill -9 a node", since))
    await restart(victim, "1")

    # 2. Redis restarted empty: every tab's state is gone.
    since = _now()
    await asyncio.sleep(3)
    await asyncio.to_thread(drill.redis.stop)
    await asyncio.to_thread(drill.redis.start)
    await asyncio.sleep(CALM_SECONDS)
    outcomes.append(await finish("2. restart Redis", since))

    # 3. PostgreSQL restarted: a few seconds without a database.
    since = _now()
    await asyncio.sleep(3)
    outage = time.monotonic()
    await asyncio.to_thread(drill.postgres.stop, "fast")
    await asyncio.sleep(5)
    await asyncio.to_thread(drill.postgres.start)
    back = time.monotonic() - outage
    serving = [await _wait_until(lambda node=node: _database_answers(node), 60) for node in drill.nodes]
    crashed = [node.port for node in drill.nodes if not node.alive()]
    await asyncio.sleep(CALM_SECONDS)
    extra = (f"database down {back:.1f} s; nodes served again "
             f"{', '.join('never' if s is None else f'{s:.1f} s' for s in serving)} after its return")
    failed = f"nodes crashed: {crashed}" if crashed else ("a node never served again" if None in serving else "")
    outcomes.append(await finish("3. restart PostgreSQL", since, extra, failed, stay_signed_in=False))

    # 4. SIGTERM a node (a deploy), then it starts again (the new version).
    leaving = drill.nodes[1]
    since = _now()
    await asyncio.sleep(3)
    stopped = await asyncio.to_thread(leaving.terminate)
    await asyncio.sleep(CALM_SECONDS)
    outcomes.append(await finish("4. SIGTERM a node", since, f"stopped in {stopped:.1f} s", quiet=True))
    await restart(leaving, "4")

    # 5. Background duties on both nodes.
    since = _now()
    extra, failed = await _background_duties(drill)
    outcomes.append(await finish("5. outbox + no-shows", since, extra, failed))

    # Every tab must be back: a tab still without its socket a minute after the last drill never
    # found its way back through nginx.
    back = await _wait_until(lambda: load.disconnected() == 0, 60, interval=1)
    if back is None:
        outcomes.append(Outcome("   (afterwards)", load_label, load.window(),
                                failed=f"{load.disconnected()} tabs never reconnected"))
    await load.stop()
    # The whole run at once, after the load stopped: nothing it confirmed is missing or doubled.
    lost, doubled, note = await asyncio.to_thread(drill.check, load.ledger, run_started, _now(), load.ledger)
    outcomes.append(Outcome("all drills together", load_label, Window(), lost, doubled, note,
                            f"{lost} lost, {doubled} doubled" if lost or doubled else ""))
    return outcomes, Paced(TABS, THINK_SECONDS, calm.window, calm_seconds, calm_cpu, calm_slowdown)


def _database_answers(node: Node) -> bool:
    """The node reaches the database again: its health route (SELECT 1) answers 200."""
    import urllib.request

    with urllib.request.urlopen(node.url + "/api/health", timeout=3) as response:
        return response.status == 200


async def _background_duties(drill: Drill) -> tuple[str, str]:
    """Queues DRILL_MAILS emails and NO_SHOWS no-show bookings, waits until the nodes' duties have
    handled them, then counts: each email at the SMTP server once, each no-show released and
    notified once."""
    from sqlalchemy import text

    from hub_app.db import new_session
    from hub_app.models import Booking
    from hub_app.services import notifications

    tag = secrets.token_hex(4)
    engine = drill.engine()
    try:
        with new_session(engine) as session:
            for number in range(DRILL_MAILS):
                notifications.queue_email(session, to_address=f"drill{number}@members.example",
                                          subject=f"drill {tag} {number}", body="drill")
            session.commit()
            users = [row[0] for row in session.exec(text(
                "SELECT id FROM users WHERE email LIKE 'bench%' ORDER BY id LIMIT :n"), params={"n": NO_SHOWS})]
            desk = session.exec(text("SELECT id FROM spaces WHERE kind = 'desk_area' AND active ORDER BY id "
                                     "LIMIT 1")).scalar()
            start = _now() - timedelta(minutes=20)
            no_shows = []
            for user_id in users:
                booking = Booking(space_id=desk, user_id=user_id, created_by=user_id, kind="member",
                                  status="confirmed", exclusive=False, starts_at=start,
                                  ends_at=start + timedelta(hours=1), title="drill no-show")
                session.add(booking)
                session.flush()
                no_shows.append(booking.id)
            session.commit()

        def handled() -> bool:
            with engine.connect() as connection:
                waiting = connection.execute(text(
                    "SELECT count(*) FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL")).scalar()
                held = connection.execute(text("SELECT count(*) FROM bookings WHERE id = ANY(:ids) AND "
                                               "status = 'confirmed'"), {"ids": no_shows}).scalar()
            return waiting == 0 and held == 0

        seconds = await _wait_until(handled, 180, interval=1)
        await asyncio.sleep(3)  # an email sent twice would arrive within a round of the duties
        with engine.connect() as connection:
            released = connection.execute(text(
                "SELECT count(*) FROM bookings WHERE id = ANY(:ids) AND status = 'released' AND no_show"),
                {"ids": no_shows}).scalar()
            notified = connection.execute(text(
                "SELECT count(*) FROM notifications WHERE kind = 'booking.released' AND user_id = ANY(:users)"),
                {"users": users}).scalar()
            sent = connection.execute(text("SELECT count(*) FROM email_outbox WHERE sent_at IS NOT NULL")).scalar()
    finally:
        engine.dispose()
    received = drill.mail.received()
    mine = [subject for _, subject in received if subject.startswith(f"drill {tag} ")]
    twice = len(mine) - len(set(mine))
    missing = DRILL_MAILS - len(set(mine))
    extra = (f"{len(set(mine))}/{DRILL_MAILS} drill emails once ({twice} twice, {missing} missing); "
             f"all mail: {len(received)} received for {sent} sent; {released}/{len(no_shows)} no-shows released, "
             f"{notified} notified; " + (f"done in {seconds:.0f} s" if seconds is not None else "NOT done"))
    failed = []
    if twice or missing or len(received) != sent:
        failed.append("emails not delivered exactly once")
    if released != len(no_shows) or notified != len(no_shows):
        failed.append("no-shows not released exactly once")
    return extra, "; ".join(failed)


async def _figures(drill: Drill, cookies: list[str], world: World, tabs: int,
                   think: tuple[float, float] = THINK_SECONDS) -> Paced:
    """The round trips of `tabs` tabs at the pace `think`, once their first page loads are over."""
    load = Load(drill.proxy.base_url, cookies, world, tabs, think=think)
    seconds = await load.start()
    drill.report.note(f"{tabs} tabs ({_pace(think)}) connected through nginx in {seconds:.1f} s")
    await asyncio.sleep(settle_seconds(think))
    load.window()
    cpu_before, started = drill.nodes_cpu_seconds(), time.monotonic()
    await asyncio.sleep(CALM_SECONDS * 1.5)
    window = load.window()
    ended = time.monotonic()
    paced = Paced(tabs, think, window, ended - started, drill.nodes_cpu_seconds() - cpu_before,
                  drill.slowdown(started, ended))
    await load.stop()
    return paced


async def _contention(drill: Drill, cookies: list[str], world: World) -> tuple[Window, float, int, int]:
    """Every signed-in member books (and cancels again) on one day in the same few spaces, with no
    think time: bookings per second, and the same no-lost/no-doubled check."""
    await asyncio.to_thread(drill.lift_quotas)
    narrow = World(world.spaces[:4], world.trainings, world.days[:1])
    load = Load(drill.proxy.base_url, cookies, narrow, len(cookies), think=(0.0, 0.05),
                mix=[("book", 0.75), ("cancel", 0.25)], members_only=True)
    await load.start()
    load.window()
    since = _now()
    started = time.monotonic()
    await asyncio.sleep(CALM_SECONDS)
    window = load.window()
    elapsed = time.monotonic() - started
    await load.stop()
    lost, doubled, _ = await asyncio.to_thread(drill.check, load.ledger, since, _now())
    return window, window.booked / elapsed, lost, doubled


def _pace(think: tuple[float, float]) -> str:
    return f"think {think[0]:g}-{think[1]:g} s"


def _round_trip_rows(label: str, window: Window) -> list[list[str]]:
    rows = []
    everything = Stats([value for values in window.round_trips.values() for value in values])
    rows.append([label, "all", *everything.row()])
    for kind, values in sorted(window.round_trips.items()):
        rows.append(["", kind, *Stats(values).row()])
    return rows


async def _run(report: Report, drill: Drill) -> None:
    cookies, world = await signed_in_members(report, drill)
    outcomes, calm = await _drills(drill, cookies, world)
    contention, per_second, lost, doubled = await _contention(drill, cookies, world)
    outcomes.append(Outcome("contention", f"{len(cookies)} members, no think time", contention, lost, doubled,
                            f"{per_second:.1f} bookings/s confirmed", "" if not (lost or doubled) else "lost/doubled"))
    many = await _figures(drill, cookies, world, MANY_TABS)
    # The drills' pace is a stress; members who read each page tap every 5-15 s.
    reading = [] if THINK_SECONDS == READING_PACE else [
        await _figures(drill, cookies, world, tabs, READING_PACE) for tabs in (TABS, MANY_TABS)]

    report.table("Drills (each under load through nginx, two app nodes)",
                 ["drill", "load", "what users saw", "lost", "doubled", "result", "notes"],
                 [outcome.row() for outcome in outcomes],
                 note=f"{os.cpu_count()} cores shared by the nodes, nginx, PostgreSQL, Redis, the load client and "
                      "other work on the machine; 'unanswered': no answer within 20 s, or the socket dropped with "
                      "the event in flight (counted apart)")
    figures = [calm, many, *reading]
    rows = [row for paced in figures for row in _round_trip_rows(f"{paced.tabs} tabs, {_pace(paced.think)}",
                                                                 paced.window)]
    report.table("Event round trip through nginx, two nodes (send to state update)", ["load", "event", *
                 ["n", "p50 ms", "p95 ms", "p99 ms", "max ms"]], rows,
                 note=f"think: each tab's pause between two actions; {TABS} tabs at {_pace(THINK_SECONDS)}: the calm "
                      "drill's window, the others once their tabs settled (one pause, at least 5 s); "
                      f"{sum(len(paced.window.errors) for paced in figures)} errors and "
                      f"{sum(paced.window.unanswered for paced in figures)} unanswered; "
                      f"load 1m {os.getloadavg()[0]:.1f}")
    report.table("What the nodes spent (the same windows)",
                 ["load", "events/s", "events/s per tab", "nodes CPU (cores)", "CPU ms/event", "machine slower"],
                 [paced.row() for paced in figures],
                 note=f"nodes CPU: both app nodes, every process; the machine has {os.cpu_count()} cores. Machine "
                      "slower: the CPU a fixed loop cost then against at rest (benchmarks/machine_speed.py): the "
                      "cores slow each other down when both are busy, so the same event costs more CPU")
    cores = os.cpu_count() or 1
    for paced in figures:
        few = next((other for other in figures if other.think == paced.think and other.tabs < paced.tabs), None)
        p95 = Stats([value for values in paced.window.round_trips.values() for value in values]).p95
        report.budget(f"event p95 through nginx, {paced.tabs} tabs ({_pace(paced.think)}), 2 nodes", round(p95, 1),
                      P95_BUDGETS[paced.tabs], "ms",
                      why=beyond_the_machine(few, paced.tabs, cores) if few is not None else "")
    failed = [outcome.drill for outcome in outcomes if outcome.failed]
    report.note("drills: " + ("all passed" if not failed else "FAILED: " + ", ".join(failed)))
    if failed:
        raise RuntimeError(f"drills failed: {', '.join(failed)}")


def run(report: Report) -> None:
    run_on_topology(report, _run)

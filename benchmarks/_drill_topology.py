"""The drill's topology, as on separate machines: a PostgreSQL cluster and a Redis server of its
own, two app nodes from deploy/systemd, nginx from deploy/nginx as the one https address (a
self-signed certificate) and an SMTP server that counts mail; the database checks of what the
tabs saw confirmed; and the members the tabs sign in as. Used by `make drill` (benchmarks/drill.py)
and `make capacity` (benchmarks/capacity.py)."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from benchmarks import BUN_PATH, Report, cpu_seconds_of, process_group, work_root
from benchmarks._drill_load import Ledger, World, booking_days
from benchmarks._drill_nodes import Node, render_env
from benchmarks._drill_stack import MailCounter, Postgres, Proxy, Redis, claim_port, ensure_nginx
from benchmarks.machine_speed import Gauge

NODES = 2
MEMBERS = 100


class Drill:
    """The running topology."""

    def __init__(self, report: Report):
        self.report = report
        self.root = work_root() / "drill"
        for name in ("nodes", "nginx", "redis"):
            shutil.rmtree(self.root / name, ignore_errors=True)
        self.postgres = Postgres(self.root / "postgres")
        self.redis = Redis(self.root / "redis")
        self.mail = MailCounter()
        ports = [claim_port() for _ in range(NODES)]
        ensure_nginx()
        self.proxy = Proxy(self.root / "nginx", ports)
        self.env_file = self.root / "hub.env"
        self.env_file.write_text(render_env({
            "HUB_SECRET_KEY": secrets.token_urlsafe(48),
            "HUB_DATABASE_URL": self.postgres.url,
            "HUB_REDIS_URL": self.redis.url,
            "HUB_PUBLIC_BASE_URL": self.proxy.base_url,
            "HUB_ALLOWED_ORIGINS": self.proxy.base_url,
            "HUB_UPLOAD_DIR": str(self.root / "uploads"),
            "HUB_SMTP_HOST": "127.0.0.1",
            "HUB_SMTP_PORT": str(self.mail.port),
            "HUB_SMTP_USERNAME": "",
            "HUB_SMTP_PASSWORD": "",
            "HUB_SMTP_STARTTLS": "false",
            "GRANIAN_WORKERS": "1",
            "REFLEX_BUN_PATH": str(BUN_PATH),
            # rxconfig.py takes the websocket address from HUB_PUBLIC_BASE_URL only for a public host
            # name; the drill's is 127.0.0.1, so the frontend is told the nginx address directly.
            "REFLEX_API_URL": self.proxy.base_url,
        }))
        self.nodes = [Node(port, self.root / "nodes", self.env_file) for port in ports]
        self.speed: Gauge | None = None

    @property
    def database_url(self) -> str:
        return self.postgres.url

    def start(self) -> None:
        note = self.report.note
        self.speed = Gauge()  # its loop at rest first, before anything of the topology runs
        note(f"machine speed: a fixed loop costs {self.speed.at_rest:.1f} ms of CPU at rest "
             "(benchmarks/machine_speed.py; sampled every few seconds from now on)")
        self.postgres.start()
        self.postgres.create_database()
        self.redis.start()
        self.mail.start()
        env = self.nodes[0].environment()
        from benchmarks import _run_cli

        _run_cli(env, "migrate")
        _run_cli(env, "seed-demo")
        note(f"PostgreSQL :{self.postgres.port}, Redis :{self.redis.port}, SMTP :{self.mail.port}; "
             f"nodes {', '.join(str(node.port) for node in self.nodes)}; nginx {self.proxy.base_url}")
        # One after the other: `reflex run` keeps its package lock in the project folder (reflex.lock),
        # which two builds starting at once in one checkout would both write.
        for node in self.nodes:
            node.start()
            note(f"node :{node.port} ready after {node.wait_ready():.0f} s (built its frontend; log {node.log_path})")
        self.proxy.start()
        trust(self.proxy.cert)

    def stop(self) -> None:
        self.proxy.stop()
        for node in self.nodes:
            node.terminate()
        self.mail.stop()
        self.redis.stop()
        self.postgres.stop()
        if self.speed is not None:
            self.speed.stop()

    def slowdown(self, started: float, ended: float) -> str:
        """How much slower the machine ran a fixed loop between two time.monotonic() readings than
        at rest, e.g. "1.4x" (benchmarks/machine_speed.py)."""
        return self.speed.slowdown(started, ended) if self.speed is not None else "-"

    def nodes_cpu_seconds(self) -> float:
        """CPU time the app nodes (every process of each) have used so far."""
        return cpu_seconds_of([pid for node in self.nodes for pid in process_group(node.process.pid)])

    # -- database checks --------------------------------------------------------------------------

    def engine(self):
        from hub_app.db import make_engine

        return make_engine(self.database_url)

    def lift_quotas(self) -> None:
        """The contention phase measures the database's booking rules, not the members' quotas."""
        from sqlalchemy import text

        engine = self.engine()
        try:
            with engine.begin() as connection:
                connection.execute(text("UPDATE users SET quota_upcoming_bookings = 1000, quota_hours_per_week = 1000 "
                                        "WHERE email LIKE 'bench%'"))
        finally:
            engine.dispose()

    def world(self) -> World:
        from sqlalchemy import text

        engine = self.engine()
        try:
            with engine.connect() as connection:
                spaces = [row[0] for row in connection.execute(text(
                    "SELECT id FROM spaces WHERE active ORDER BY id"))]
                trainings = [row[0] for row in connection.execute(text(
                    "SELECT id FROM trainings WHERE status = 'published' AND enrol_opens_at <= now() "
                    "AND enrol_closes_at > now() ORDER BY id"))]
        finally:
            engine.dispose()
        today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
        return World(spaces, trainings, booking_days(today))

    def check(self, ledger: Ledger, since: datetime, until: datetime, every: Ledger | None = None
              ) -> tuple[int, int, str]:
        """(lost, doubled, note) for what the tabs saw confirmed between `since` and `until`
        (`ledger`); a cancellation or leaving may have been confirmed later, while the load goes
        on: `every` is the whole run's ledger, read after the database."""
        from sqlalchemy import text

        every = every or ledger
        # Confirmed before the read: must show; confirmed by the end of the read: may show.
        cancelled_before, left_before = set(every.cancelled), set(every.left)
        engine = self.engine()
        try:
            with engine.connect() as connection:
                bookings = dict(connection.execute(text(
                    "SELECT id, status FROM bookings WHERE id = ANY(:ids)"), {"ids": list(ledger.bookings)}).all())
                enrolments = dict(connection.execute(text(
                    "SELECT id, status FROM enrolments WHERE id = ANY(:ids)"),
                    {"ids": list(ledger.enrolments)}).all())
                # One request stored twice: a member may hold two bookings of one time in a desk
                # area on purpose, but not two of the same request (bookings.book's retry rule).
                doubled_bookings = connection.execute(text(
                    "SELECT count(*) FROM (SELECT 1 FROM bookings WHERE kind = 'member' "
                    "AND status IN ('confirmed', 'pending') AND created_at BETWEEN :since AND :until "
                    "GROUP BY user_id, space_id, starts_at, ends_at, seats, title HAVING count(*) > 1) AS twice"),
                    {"since": since, "until": until}).scalar()
                doubled_enrolments = connection.execute(text(
                    "SELECT count(*) FROM (SELECT 1 FROM enrolments WHERE status IN ('enrolled', 'waitlisted') "
                    "AND created_at BETWEEN :since AND :until GROUP BY user_id, training_id "
                    "HAVING count(*) > 1) AS twice"), {"since": since, "until": until}).scalar()
        finally:
            engine.dispose()
        cancelled_after, left_after = set(every.cancel_asked), set(every.leave_asked)
        lost: list[str] = []
        for booking_id in ledger.bookings:
            status = bookings.get(booking_id)
            if (status is None or status in ("declined", "released")
                    or (status == "cancelled" and booking_id not in cancelled_after)
                    or (status != "cancelled" and booking_id in cancelled_before)):
                lost.append(f"booking {booking_id} {status}")
        for enrolment_id in ledger.enrolments:
            status = enrolments.get(enrolment_id)
            if (status is None or status == "removed"
                    or (status == "withdrawn" and enrolment_id not in left_after)
                    or (status != "withdrawn" and enrolment_id in left_before and not every.asked_again(enrolment_id))):
                lost.append(f"enrolment {enrolment_id} {status}")
        note = (f"{len(ledger.bookings)} booked, {len(ledger.cancelled)} cancelled, "
                f"{len(ledger.enrolments)} enrolled, {len(ledger.left)} left")
        if lost:
            note += " (lost: " + ", ".join(lost[:5]) + ")"
        return len(lost), doubled_bookings + doubled_enrolments, note


def trust(cert) -> None:
    """The load client (aiohttp for the socket, httpx for the sign-in exchange) trusts the drill's
    self-signed certificate besides the system's."""
    import aiohttp.connector

    os.environ["SSL_CERT_FILE"] = str(cert)
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=str(cert))


async def signed_in_members(report: Report, drill: Drill) -> tuple[list[str], World]:
    """MEMBERS new members signed in through nginx (their session cookies), and what tabs act on."""
    from benchmarks._client import sign_in
    from benchmarks.events import MEMBER_PASSWORD, create_members

    emails = create_members(drill.database_url, MEMBERS)
    semaphore = asyncio.Semaphore(4)

    async def one(email: str) -> str:
        async with semaphore:
            return await sign_in(drill.proxy.base_url, email, MEMBER_PASSWORD)

    cookies = list(await asyncio.gather(*[one(email) for email in emails]))
    report.note(f"{len(cookies)} members signed in through nginx")
    world = await asyncio.to_thread(drill.world)
    report.note(f"{len(world.spaces)} spaces, {len(world.trainings)} trainings open for enrolment, "
                f"days {world.days[0]}..{world.days[-1]}")
    return cookies, world


def run_on_topology(report: Report, main: Callable[[Report, Drill], Awaitable[None]]) -> None:
    """Starts the topology, runs `main(report, drill)` on it and stops the topology, whatever happened."""
    drill = Drill(report)
    try:
        drill.start()
        asyncio.run(main(report, drill))
    finally:
        drill.stop()

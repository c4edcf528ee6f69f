"""A deploy stops a node and nobody notices (hub_app/drain.py).

Two app nodes (`reflex run --env prod --backend-only`, one worker each) on PostgreSQL and Redis
behind nginx running deploy/nginx/hub.conf with a self-signed certificate, as `make drill` runs them.
Signed-in tabs keep loading pages through nginx. Then the database is held up (a lock on the members'
table) so that every tab has an event in flight, and node A gets SIGTERM, as `systemctl stop`
sends it (KillMode=mixed: to the main process). Node A asks its tabs to move; they close their own
sockets (benchmarks/_client.py does what the page does with hub_app.drain.MOVE_SCRIPT) and reconnect
through nginx to node B with their tokens. While its events wait, node A stays up, says it is
draining on /ready, and new tabs reach only node B. The moving tabs' old sockets stay open, unread,
for a while after node A acknowledged the move (as when a browser's close reaches the node late).
Once the database answers again, every event in flight is answered (the answers follow the tabs to
node B, not into the closing sockets; a second save that waited behind the first on node A goes
back to its tab, which sends it to node B), and node A exits by itself within seconds (not after
the 30 s of TimeoutStopSec). No socket drops, no tab misses an answer, every tab stays signed in.

PostgreSQL, Redis and nginx must be there (make test installs nginx); the test fails otherwise.
"""

import asyncio
import contextlib
import json
import random
import signal
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from functools import partial

import pytest
from sqlalchemy import create_engine, text

from benchmarks._client import ReflexClient, session_state_name, state_name
from benchmarks._drill_stack import NGINX, Proxy
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.production.live_backend import (
    backend_env,
    cli,
    free_port,
    redis_database,
    socket_owner,
    start_backend,
    stop_backend,
)

pytestmark = pytest.mark.postgres

REDIS_DB = 10  # this test's own Redis database number
EMAIL = "drain.member@members.example"
PASSWORD = "drain-member-pw-2026!"
TABS = 12
ANSWER_SECONDS = 30.0
UNREAD_AFTER_MOVE_SECONDS = 6.0  # longer than the time from SIGTERM to the database's release


@dataclass
class Node:
    port: int
    process: object
    instance: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    if not NGINX.exists():
        pytest.fail("nginx is required (make test installs Debian's package)")
    work = tmp_path_factory.mktemp("drain")
    redis_url, redis_client = redis_database(REDIS_DB)
    database_url = create_postgres_database()
    ports = [free_port(), free_port()]
    proxy = Proxy(work / "nginx", ports)
    env = backend_env(work, database_url=database_url, redis_url=redis_url, public_url=proxy.base_url)
    nodes: list[Node] = []
    try:
        cli(env, "migrate")
        cli(env, "create-user", EMAIL, "--name", "Drain Member", "--role", "member", stdin=PASSWORD + "\n")
        for port in ports:
            node_env = {**env, "REFLEX_WEB_WORKDIR": str(work / f"node-{port}" / ".web"),
                        "REFLEX_STATES_WORKDIR": str(work / f"node-{port}" / ".states")}
            nodes.append(Node(port, start_backend(node_env, port, work / f"node-{port}.log")))
        proxy.start()
        yield proxy, nodes, redis_client, database_url, work
    finally:
        proxy.stop()
        for node in nodes:
            stop_backend(node.process)
        redis_client.flushdb()
        redis_client.close()
        drop_postgres_database(database_url)


def _ready(node: Node) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(node.url + "/ready", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _profile_state() -> str:
    from hub_app.pages.profile import ProfileState

    return state_name(ProfileState)


def _bio_shown(update, bio: str) -> bool:
    return (update.var(_profile_state(), "profile") or {}).get("bio") == bio


@dataclass(eq=False)
class Tab:
    """A signed-in tab on /profile that saves the member's profile again and again (each save a
    write that needs the members' table), reconnecting like the frontend does (at once, with the
    same tab token) when its transport drops; a move to another node is the client's own
    (ReflexClient.on_move)."""

    base_url: str
    cookie: str
    index: int
    client: ReflexClient | None = None
    token: str | None = None
    sent: int = 0  # saves sent, numbered from 1
    in_flight: int = 0  # the number of the save waiting for its answer (0: none)
    answered: set[int] = field(default_factory=set)  # answered with the profile as saved
    dropped_in_flight: list[int] = field(default_factory=list)  # the socket closed before the answer
    unanswered: list[int] = field(default_factory=list)  # no answer within ANSWER_SECONDS on a live socket
    shown: set[str] = field(default_factory=set)  # every bio an update showed
    drops: int = 0
    moves: int = 0
    signed_out: int = 0
    errors: list[str] = field(default_factory=list)
    dropped: asyncio.Event = field(default_factory=asyncio.Event)

    def bio(self, number: int) -> str:
        return f"Drain tab {self.index}, save {number}"

    async def connect(self) -> None:
        """Opens the socket with the page's hydrate (the page shown again after a drop)."""
        client = ReflexClient(self.base_url, cookie=self.cookie, token=self.token)
        updates = await client.connect("/profile", timeout=ANSWER_SECONDS)
        self.client, self.token = client, client.token
        self.dropped = asyncio.Event()
        client.on_drop = self.dropped.set
        client.on_move = self._moved
        client.on_update = self._saw
        self._check_signed_in(updates, hydrate=True)

    def _saw(self, update) -> None:
        if bio := (update.var(_profile_state(), "profile") or {}).get("bio"):
            self.shown.add(bio)

    def queued_bio(self) -> str:
        return f"Drain tab {self.index}, a save sent while another was running"

    async def send_queued_save(self) -> None:
        """A second save while the first waits: the page holds it back until a move, then sends it
        before closing its socket, so it waits behind the first on the same node."""
        form = {"name": "Drain Member", "bio": self.queued_bio(), "show_in_directory": "on"}
        await self.client.send(f"{_profile_state()}.save", {"form": form}, "/profile")

    def _moved(self, _seconds: float) -> None:
        self.moves += 1

    def _check_signed_in(self, updates, *, hydrate: bool = False) -> None:
        """The page the updates leave shows the member signed in (a hydrate starts from the defaults,
        signed out, and its page load signs the member in)."""
        shown = [value for update in updates if (value := update.var(session_state_name(), "signed_in")) is not None]
        if (True not in shown) if hydrate else shown[-1:] == [False]:
            self.signed_out += 1

    async def run(self, stop: asyncio.Event, rng: random.Random) -> None:
        while not stop.is_set():
            if self.dropped.is_set():
                self.drops += 1
                with contextlib.suppress(Exception):
                    await self.client.disconnect()
                await self.connect()
                continue
            self.client.drain()
            self.sent += 1
            self.in_flight = self.sent
            bio = self.bio(self.sent)
            form = {"name": "Drain Member", "bio": bio, "show_in_directory": "on"}
            await self.client.send(f"{_profile_state()}.save", {"form": form}, "/profile")
            got = asyncio.create_task(self.client.collect(partial(_bio_shown, bio=bio), timeout=ANSWER_SECONDS))
            lost = asyncio.create_task(self.dropped.wait())
            await asyncio.wait({got, lost}, return_when=asyncio.FIRST_COMPLETED)
            if got.done() and got.exception() is None:
                self.answered.add(self.in_flight)
                if "backend_error" in json.dumps([update.data for update in got.result()]):
                    self.errors.append("the crash notice")
                self._check_signed_in(got.result())
            elif self.dropped.is_set():
                self.dropped_in_flight.append(self.in_flight)
            else:
                self.unanswered.append(self.in_flight)
            got.cancel()
            lost.cancel()
            self.in_flight = 0
            await asyncio.sleep(rng.uniform(0.05, 0.15))


def test_a_stopping_node_finishes_its_events_and_hands_its_tabs_to_the_other_node(topology, monkeypatch):
    proxy, nodes, redis_client, database_url, work = topology
    monkeypatch.setenv("SSL_CERT_FILE", str(proxy.cert))
    import aiohttp.connector

    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=str(proxy.cert))
    leaving, staying = nodes
    asyncio.run(_scenario(proxy.base_url, leaving, staying, redis_client, database_url, work))


async def _scenario(base_url: str, leaving: Node, staying: Node, redis_client, database_url: str, work) -> None:
    from benchmarks._client import sign_in

    cookie = await sign_in(base_url, EMAIL, PASSWORD)
    for node in (leaving, staying):  # each node's worker id, from a tab opened on it directly
        probe = ReflexClient(node.url, origin=base_url)
        await probe.connect("/")
        node.instance = socket_owner(redis_client, probe.token)
        await probe.disconnect()

    tabs = [Tab(base_url, cookie, index) for index in range(TABS)]
    for tab in tabs:
        await tab.connect()
    on_leaving = [tab for tab in tabs if socket_owner(redis_client, tab.token) == leaving.instance]
    on_staying = [tab for tab in tabs if tab not in on_leaving]
    assert on_leaving and len(on_leaving) < TABS, "nginx should spread the tabs over both nodes"
    stop = asyncio.Event()
    runs = [asyncio.create_task(tab.run(stop, random.Random(tab.index))) for tab in tabs]
    await asyncio.sleep(2)
    assert all(tab.answered for tab in tabs)

    # The database holds up every save: each tab now has a write in flight.
    engine = create_engine(database_url)
    locked, release = threading.Event(), threading.Event()

    def hold_members_table():
        with engine.begin() as connection:
            connection.execute(text("LOCK TABLE users IN ACCESS EXCLUSIVE MODE"))
            locked.set()
            release.wait(60)

    holder = threading.Thread(target=hold_members_table)
    holder.start()
    try:
        assert await asyncio.to_thread(locked.wait, 10)
        await asyncio.sleep(1)
        held = {tab.index: tab.in_flight for tab in tabs}
        answered_before = {tab.index: len(tab.answered) for tab in tabs}
        assert all(held.values()), "every tab has a save waiting for the database"
        for tab in on_leaving:
            await tab.send_queued_save()
            # Its socket closes long after node A acknowledged the move (a slow network), and the
            # page reads nothing more there: the saves' answers, ready meanwhile, must follow it.
            tab.client.unread_after_move = UNREAD_AFTER_MOVE_SECONDS
        leaving.process.send_signal(signal.SIGTERM)  # systemctl stop: KillMode=mixed signals the main process
        await asyncio.sleep(2)

        # It waits for its events in flight, says so, and new tabs go to the other node.
        assert leaving.process.poll() is None, "the node stopped with events in flight"
        assert await asyncio.to_thread(_ready, leaving) == (503, {"status": "draining"})
        for _ in range(4):
            visitor = ReflexClient(base_url)
            await visitor.connect("/")
            assert socket_owner(redis_client, visitor.token) == staying.instance
            await visitor.disconnect()
        assert all(len(tab.answered) == answered_before[tab.index] for tab in tabs), "the lock did not hold the events"
    finally:
        release.set()
        await asyncio.to_thread(holder.join)
        engine.dispose()

    released = time.monotonic()
    exit_code = await asyncio.to_thread(leaving.process.wait, 25)
    stopped_after = time.monotonic() - released
    await asyncio.sleep(2)
    stop.set()
    await asyncio.gather(*runs)
    now_on = [socket_owner(redis_client, tab.token) for tab in tabs]
    await asyncio.gather(*[tab.client.disconnect() for tab in tabs])

    assert exit_code == 0
    assert stopped_after < 10, f"the node took {stopped_after:.1f} s to stop once its events were done"
    # The saves in flight when the node was told to stop were made and answered, on node A; the
    # answers of node A's tabs reached them on node B.
    assert [held[tab.index] in tab.answered for tab in tabs] == [True] * TABS
    # A save still waiting behind another on node A when its tab moved was not run there (it would
    # wait for the tab's state lock, which node B holds by then): node A handed it back to the tab,
    # which sent it to node B, where it was made and answered.
    assert [tab.queued_bio() in tab.shown for tab in on_leaving] == [True] * len(on_leaving)
    log = (work / f"node-{leaving.port}.log").read_text(errors="replace")
    assert log.count("which left this node, went back to it") == len(on_leaving)
    assert [tab.unanswered for tab in tabs] == [[]] * TABS
    assert [tab.errors for tab in tabs] == [[]] * TABS
    for tab in tabs:
        assert len(tab.answered) > answered_before[tab.index] + 1, "a tab stopped getting answers"
        assert tab.signed_out == 0
    assert now_on == [staying.instance] * TABS
    assert [tab.moves for tab in on_leaving] == [1] * len(on_leaving)
    assert [tab.moves for tab in on_staying] == [0] * len(on_staying)
    assert [tab.drops for tab in tabs] == [0] * TABS
    assert [tab.dropped_in_flight for tab in tabs] == [[]] * TABS

"""A small client that speaks Reflex 0.10's Socket.IO protocol like the browser does, for load
benchmarks and production tests: connect with a tab token (hydrating the page in the CONNECT
packet, as the frontend does), send events, wait for the state updates they cause. Asked by a
draining node to move (hub_app.drain.MOVE_SCRIPT), it does what the page does: holds back its
events, pings, closes its transport once the ping is acknowledged, and reconnects with the same
token and a hydrate of the page it shows, where the answers of its events in flight follow it
(and events the old node had not started yet come back to it, to be sent again there).

Messages from the server are `["event", {"delta": {...}, "events": [...]}]` on namespace
/_event; an event sent is `{"name": "<full state name>.<handler>", "payload": {...},
"router_data": {"pathname": ..., "asPath": ..., "query": {...}}}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

import orjson
import socketio

from hub_app.drain import MOVE_SCRIPT

ROOT_STATE = "reflex___state____state"
NAMESPACE = "/_event"
SCRIPT_URL = re.compile(r"window\.location\.assign\((\"[^\"]*\")\)")
AUTH_POST = re.compile(r"form\.action = (\"[^\"]*\"); const fields = (\{.*?\});")


class SimulatedTabJson:
    """python-socketio's JSON for the simulated tabs. A browser parses its updates on its own
    device; the simulated tabs share the portal's machine, where the json module's parsing of the
    calendar's updates (tens of KB each) was a third of the drill's load client. orjson does it
    several times faster, so the tabs take less of the CPU the portal is measured on."""

    @staticmethod
    def dumps(value, **_options) -> str:  # compact, as python-socketio asks
        return orjson.dumps(value).decode()

    @staticmethod
    def loads(text, **_options):
        return orjson.loads(text)


def state_name(state_class) -> str:
    return state_class.get_full_name()


def session_state_name() -> str:
    """Where the shell's vars are (signed_in, user_name, menu_open, lang)."""
    from hub_app.state.session import SessionState

    return state_name(SessionState)


def shell_events_name() -> str:
    """Where the shell's events are (toggle_menu, switch_language, sign_out, load_shell)."""
    from hub_app.state.session import ShellState

    return state_name(ShellState)


class Update:
    """One message from the server with the time it arrived; `rehydrating`: the hydrate of a socket
    the client moved to (the page shown again with the state as it is there, not an answer)."""

    def __init__(self, data: dict, received: float):
        self.data = data if isinstance(data, dict) else {}
        self.received = received
        self.rehydrating = False

    @property
    def delta(self) -> dict:
        return self.data.get("delta") or {}

    @property
    def events(self) -> list[dict]:
        return self.data.get("events") or []

    def var(self, state: str, name: str, default=None):
        return self.delta.get(state, {}).get(f"{name}_rx_state_", default)

    def scripts(self) -> list[str]:
        return [event.get("payload", {}).get("javascript_code", "") for event in self.events
                if event.get("name") == "_call_script"]

    def auth_post(self) -> tuple[str, dict] | None:
        """(path, fields) of a form that hub_app.state.session.auth_post submits, if any."""
        for script in self.scripts():
            match = AUTH_POST.search(script)
            if match:
                return json.loads(match.group(1)), json.loads(match.group(2))
        return None

    def navigation(self) -> str | None:
        """The path of a `window.location.assign(...)` script (hub_app.state.session.go_to), if any."""
        for script in self.scripts():
            match = SCRIPT_URL.search(script)
            if match:
                return json.loads(match.group(1))
        return None


def is_hydrated(update: Update) -> bool:
    return update.var(ROOT_STATE, "is_hydrated") is True


class ReflexClient:
    """One browser tab: a token, an optional cookie header, one Socket.IO connection at a time.
    `on_drop()` is called when the socket drops (not when it moves); `on_move(seconds)` when the
    tab has moved to another node, with the time from the ask to the new socket."""

    def __init__(self, base_url: str, *, cookie: str = "", token: str | None = None, origin: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.cookie = cookie
        self.token = token or str(uuid.uuid4())
        self.origin = origin or self.base_url
        self.updates: asyncio.Queue[Update] = asyncio.Queue()
        self.sio: socketio.AsyncClient | None = None
        self.path, self.query = "/", {}
        self.on_drop: Callable[[], None] | None = None
        self.on_move: Callable[[float], None] | None = None
        self.on_update: Callable[[Update], None] | None = None  # sees every update, drained or not
        self.on_new_token: Callable[[], None] | None = None
        self.moves = 0
        # How long the old transport stays open after a draining node acknowledged the move, unread
        # (as a browser closes it at once, but its closing may reach the node late): tests only.
        self.unread_after_move = 0.0
        self._moved: asyncio.Event | None = None  # while moving: set once the new socket is open
        self._rehydrating = False
        self._tasks: set[asyncio.Task] = set()

    @staticmethod
    def event(name: str, payload: dict | None = None, path: str = "/", query: dict | None = None) -> dict:
        as_path = path + (("?" + urlencode(query)) if query else "")
        return {"name": name, "payload": payload or {},
                "router_data": {"pathname": path, "asPath": as_path, "query": query or {}}}

    def hydrate_event(self, path: str = "/", query: dict | None = None) -> dict:
        return self.event(f"{ROOT_STATE}.hydrate_and_load", {}, path, query)

    async def connect(self, path: str = "/", query: dict | None = None, *, timeout: float = 30) -> list[Update]:
        """Opens the socket with the page's hydrate event (as the frontend does) and returns the
        updates up to the one that marks the page hydrated (its on_load handlers have run)."""
        await self._open(path, query or {}, timeout)
        return await self.collect(is_hydrated, timeout=timeout)

    async def _open(self, path: str, query: dict, timeout: float) -> None:
        self.path, self.query = path, query
        sio = socketio.AsyncClient(reconnection=False, json=SimulatedTabJson)
        sio.hub_moving_away = False

        async def received(data):
            if not sio.hub_moving_away:  # after a move's acknowledgement the page reads nothing more here
                await self._received(data)

        sio.on("event", received, namespace=NAMESPACE)

        gone = sio.hub_gone = asyncio.Event()

        async def disconnected(*_reason):
            gone.set()
            if sio is self.sio and self.on_drop is not None:
                self.on_drop()

        sio.on("disconnect", disconnected, namespace=NAMESPACE)

        async def new_token(token):
            # The server took this tab for a duplicate (its token's record was still there) and gave
            # it a fresh token and state: the page keeps that token for its next connects.
            if isinstance(token, str):
                self.token = token
                if self.on_new_token is not None:
                    self.on_new_token()

        sio.on("new_token", new_token, namespace=NAMESPACE)
        headers = {"Origin": self.origin}
        if self.cookie:
            headers["Cookie"] = self.cookie
        await sio.connect(
            f"{self.base_url}?token={self.token}", headers=headers, transports=["websocket"],
            namespaces=[NAMESPACE], socketio_path="/_event", auth={"event": self.hydrate_event(path, query)},
            wait_timeout=timeout,
        )
        self.sio = sio

    async def _received(self, data) -> None:
        update = Update(data, time.perf_counter())
        if self._rehydrating and update.var(ROOT_STATE, "is_hydrated") is not None:
            update.rehydrating = True
            self._rehydrating = not is_hydrated(update)
        if any(MOVE_SCRIPT in script for script in update.scripts()) and self._moved is None:
            self._moved = asyncio.Event()
            self._start(self._move())
        for event in update.events:
            if not event.get("name", "_").startswith("_"):
                # An event a draining node handed back (hub_app/transport.py): the page sends it again.
                self._start(self.send(event["name"], event.get("payload"), self.path, self.query))
        if self.on_update is not None:
            self.on_update(update)
        self.updates.put_nowait(update)

    def _start(self, work) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _move(self) -> None:
        """What the page does with MOVE_SCRIPT (see the module docstring)."""
        asked, old = time.monotonic(), self.sio
        try:
            # As long as it takes (see MOVE_SCRIPT); a node out of time closes the socket itself,
            # which is then a drop like any other.
            acknowledged = asyncio.create_task(self._ping(old))
            closed = asyncio.create_task(old.hub_gone.wait())
            await asyncio.wait({acknowledged, closed}, return_when=asyncio.FIRST_COMPLETED)
            acknowledged.cancel()
            closed.cancel()
            if old.hub_gone.is_set():
                return
            self.sio = None  # its close is a move, not a drop
            old.hub_moving_away = True
            if self.unread_after_move:
                await asyncio.sleep(self.unread_after_move)
            with contextlib.suppress(Exception):
                await old.eio.disconnect(abort=True)
            failed = 0
            while True:
                try:
                    self._rehydrating = True
                    await self._open(self.path, self.query, timeout=30)
                    break
                except Exception:
                    self._rehydrating = False
                    failed = min(failed + 1, 10)
                    if time.monotonic() - asked > 60:
                        if self.on_drop is not None:
                            self.on_drop()
                        return
                    await asyncio.sleep(0.2 * failed)  # the frontend's backoff
            self.moves += 1
            if self.on_move is not None:
                self.on_move(time.monotonic() - asked)
        finally:
            moved, self._moved = self._moved, None
            moved.set()

    @staticmethod
    async def _ping(sio: socketio.AsyncClient) -> None:
        with contextlib.suppress(Exception):
            await sio.call("ping", namespace=NAMESPACE, timeout=3600)

    async def send(self, name: str, payload: dict | None = None, path: str = "/", query: dict | None = None) -> float:
        """Sends an event (after a move in progress, as the page queues it); returns the send time."""
        if self._moved is not None:
            await self._moved.wait()
        self.path, self.query = path, query or {}
        started = time.perf_counter()
        await self.sio.emit("event", self.event(name, payload, path, query), namespace=NAMESPACE)
        return started

    async def collect(self, done: Callable[[Update], bool], *, timeout: float = 30) -> list[Update]:
        """Updates received until (and including) the first one for which done(update) is true."""
        collected = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching update within {timeout} s; got {[u.data for u in collected]}")
            update = await asyncio.wait_for(self.updates.get(), remaining)
            collected.append(update)
            if done(update):
                return collected

    async def call(self, name: str, payload: dict | None = None, *, path: str = "/",
                   done: Callable[[Update], bool] | None = None, timeout: float = 30) -> tuple[float, list[Update]]:
        """Sends an event and waits for its updates: until `done`, by default the first update.
        Returns (round trip in ms from send to the matching update, the updates)."""
        self.drain()
        started = await self.send(name, payload, path)
        updates = await self.collect(done or (lambda update: True), timeout=timeout)
        return (updates[-1].received - started) * 1000, updates

    def drain(self) -> None:
        while not self.updates.empty():
            self.updates.get_nowait()

    async def disconnect(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        sio, self.sio = self.sio, None
        if sio is not None:
            await sio.disconnect()


async def sign_in(base_url: str, email: str, password: str) -> str:
    """Signs in the way the login page does (LoginState.submit over the socket, then the page's POST
    of the tab-bound ticket to /api/auth/session) and returns the session cookie header."""
    import httpx

    from hub_app.pages.login import LoginState

    client = ReflexClient(base_url)
    await client.connect("/login")
    try:
        form = {"email": email, "password": password}
        _, updates = await client.call(f"{state_name(LoginState)}.submit", {"form": form}, path="/login",
                                       done=lambda update: update.auth_post() is not None)
    finally:
        await client.disconnect()
    path, fields = next(update.auth_post() for update in updates if update.auth_post())
    async with httpx.AsyncClient(base_url=base_url, follow_redirects=False) as http:
        response = await http.post(path, data={**fields, "tab": client.token}, headers={"origin": base_url})
    # Over https the cookie is __Host-hub_session (settings.session_cookie_name).
    name = next((name for name in response.cookies if name in ("hub_session", "__Host-hub_session")), None)
    if response.status_code != 303 or name is None:
        raise RuntimeError(f"the cookie exchange failed: {response.status_code} {response.headers.get('location')}")
    return f"{name}={response.cookies[name]}"

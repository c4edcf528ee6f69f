"""The drill's load: browser tabs speaking the portal's Socket.IO protocol through nginx (one
ReflexClient each, benchmarks/_client.py). Half are signed in and book, cancel, enrol, leave and
browse; the others browse. A tab whose socket drops reconnects through nginx with the same tab
token (as the frontend does) and re-hydrates its page; the time from the drop to a hydrated page
is its reconnect time. Every booking, cancellation and enrolment a tab saw confirmed is recorded,
to be checked against PostgreSQL afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import orjson

from benchmarks._client import (
    ROOT_STATE,
    ReflexClient,
    Update,
    is_hydrated,
    session_state_name,
    shell_events_name,
    state_name,
)

ON_LOAD_INTERNAL = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"


def think_seconds(text: str) -> tuple[float, float]:
    """A tab's pause between two actions, "low-high" seconds (uniform), e.g. "1-3"."""
    low, _, high = text.partition("-")
    wrong = ValueError(f"think time {text!r}: want low-high seconds with 0 <= low <= high")
    try:
        pause = (float(low), float(high or low))
    except ValueError:
        raise wrong from None
    if not 0 <= pause[0] <= pause[1]:
        raise wrong
    return pause


# 1-3 s: a member tapping on without reading, the drills' stress; HUB_DRILL_THINK_SECONDS=5-15 is
# closer to someone reading each page, for capacity figures at that pace.
THINK_SECONDS = think_seconds(os.environ.get("HUB_DRILL_THINK_SECONDS", "1-3"))
READING_PACE = (5.0, 15.0)
ANSWER_SECONDS = 20.0
PAGES = ["/", "/trainings", "/forum", "/spaces", "/bookings"]
SIGNED_IN_MIX = [("browse", 0.45), ("book", 0.25), ("cancel", 0.1), ("enrol", 0.15), ("leave", 0.05)]


def settle_seconds(think: tuple[float, float]) -> float:
    """How long new tabs take to reach a steady load: every tab has begun (its first action comes
    one pause after connecting) and their first page loads, all at once, are over."""
    return max(5.0, think[1])
LOST = "__socket_lost__"
# Text that means "this did not work, try again" (translated), and Reflex's notice for a handler
# that raised (hub_app/transport.py log_backend_exception).
TRY_AGAIN = (b"Coba lagi", b"try again")  # in the updates' UTF-8 JSON
CRASH_TOAST = b"backend_error"


def _states() -> dict[str, str]:
    from hub_app.pages.book import CalendarState
    from hub_app.pages.bookings import MyBookingsState
    from hub_app.pages.trainings_detail import TrainingDetailState

    return {"calendar": state_name(CalendarState), "bookings": state_name(MyBookingsState),
            "training": state_name(TrainingDetailState), "session": session_state_name(),
            "shell": shell_events_name()}


@dataclass
class Ledger:
    """What the tabs saw confirmed over the whole run (checked against the database at the end)."""

    bookings: dict[int, int] = field(default_factory=dict)  # booking id -> member index
    cancelled: set[int] = field(default_factory=set)
    enrolments: dict[int, int] = field(default_factory=dict)  # enrolment id -> training id
    left: set[int] = field(default_factory=set)
    # Asked for, answered or not (an answer lost with a dropped socket or a restarting database
    # may hide a cancellation that was made).
    cancel_asked: set[int] = field(default_factory=set)
    leave_asked: set[int] = field(default_factory=set)
    # Enrolling again after leaving takes up the same row again: how often each (member, training)
    # asked to enrol, and that count when each leaving was confirmed (a later ask may be in flight).
    enrol_asks: dict[tuple[int, int], int] = field(default_factory=dict)
    left_after_asks: dict[int, tuple[tuple[int, int], int]] = field(default_factory=dict)

    def asked_again(self, enrolment_id: int) -> bool:
        """An enrolment confirmed as left was asked for again afterwards."""
        key, asks = self.left_after_asks.get(enrolment_id, ((0, 0), 0))
        return self.enrol_asks.get(key, 0) > asks


@dataclass
class Window:
    """What users saw during one drill (reset by Load.window())."""

    round_trips: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # a crash notice or a refusal other than "taken"
    try_again: int = 0  # the translated "please try again" message
    unanswered: int = 0  # events with no answer within 20 s, or whose socket dropped with them in flight
    unanswered_kinds: dict[str, int] = field(default_factory=dict)
    dropped_in_flight: int = 0  # of the unanswered: the socket closed with the event in flight
    drops: int = 0
    reconnects: list[float] = field(default_factory=list)  # seconds from the drop to a hydrated page
    moves: list[float] = field(default_factory=list)  # seconds from a draining node's ask to the new socket
    still_reconnecting: int = 0  # tabs without a socket when the window closed
    signed_out: int = 0  # a signed-in tab that came back signed out
    new_tokens: int = 0  # a tab taken for a duplicate on (re)connect: a fresh token, its page state lost
    booked: int = 0
    started: float = field(default_factory=time.monotonic)

    def events(self) -> int:
        return sum(len(values) for values in self.round_trips.values())


@dataclass
class World:
    """Ids the tabs act on (read from the seeded database)."""

    spaces: list[int]
    trainings: list[int]
    days: list[date]


class Tab:
    def __init__(self, load: Load, index: int, cookie: str, member: int | None):
        self.load, self.index, self.cookie, self.member = load, index, cookie, member
        self.rng = random.Random(index)
        self.client: ReflexClient | None = None
        self.token: str | None = None
        self.path, self.query = "/", {}
        self.lost_at: float | None = None
        self.reconnecting: asyncio.Task | None = None
        self.my_bookings: list[int] = []
        self.my_enrolments: dict[int, int] = {}  # training id -> enrolment id

    # -- the socket ---------------------------------------------------------------------------

    async def connect(self) -> list[Update]:
        client = ReflexClient(self.load.base_url, cookie=self.cookie, token=self.token)
        try:
            updates = await client.connect(self.path, self.query, timeout=3 * ANSWER_SECONDS)
        except BaseException:
            with contextlib.suppress(Exception):
                await client.disconnect()
            raise
        self.client, self.token, self.lost_at = client, client.token, None

        def dropped():
            self.lost_at = self.lost_at or time.monotonic()
            client.updates.put_nowait(Update({LOST: True}, time.perf_counter()))
            if not self.load.stopping:
                self.back()

        client.on_drop = dropped
        client.on_move = lambda seconds: self.load.current.moves.append(seconds)
        client.on_new_token = self._new_token
        return updates

    def _new_token(self) -> None:
        self.load.current.new_tokens += 1

    def back(self) -> asyncio.Task:
        """The tab's one reconnect, started when its socket drops, whether or not the member is
        tapping then (the page reconnects by itself); a tap meanwhile waits for it."""
        if self.reconnecting is None or self.reconnecting.done():
            self.reconnecting = asyncio.get_running_loop().create_task(self._reconnect())
        return self.reconnecting

    async def _reconnect(self) -> None:
        """Like the frontend (socket.io-client): try again after 1 s, doubling up to 5 s, with
        jitter, until the socket is back. The reconnect time runs from the drop."""
        window = self.load.current
        window.drops += 1
        lost_at = self.lost_at = self.lost_at or time.monotonic()
        if self.client is not None:
            self.token = self.client.token  # as the page does, the token the server gave it last
            with contextlib.suppress(Exception):
                await self.client.disconnect()
        self.client = None
        delay = 1.0
        while not self.load.stopping:
            await asyncio.sleep(delay * self.rng.uniform(0.5, 1.5))
            delay = min(delay * 2, 5.0)
            try:
                updates = await self.connect()
            except Exception:
                continue
            self.load.current.reconnects.append(time.monotonic() - lost_at)
            if self.member is not None and _var(updates, self.load.states["session"], "signed_in") is False:
                self.load.current.signed_out += 1
            return

    async def call(self, kind: str, name: str, payload: dict | None = None, *, done=None) -> list[Update] | None:
        """Sends an event on the current page and waits for its answer; None when the socket dropped
        (or nothing came) before it: the tab reconnects, and the member may tap again."""
        if self.client is None or self.lost_at is not None:
            await self.back()
            return None
        client = self.client
        client.drain()
        started = time.perf_counter()
        try:
            await client.send(name, payload, self.path, self.query)
            # A tab that moved to another node shows its page again there before the answer comes;
            # only a page load is answered by that.
            answers = kind == "page navigation"
            updates = await client.collect(lambda update: update.data.get(LOST) or (
                (answers or not update.rehydrating) and ((done or bool)(update) or _asks_to_try_again(update))),
                timeout=ANSWER_SECONDS)
        except Exception:
            # No answer in time: the page keeps its socket and the member carries on (a late answer
            # is drained before the next event); only a dropped socket makes the tab reconnect.
            updates = [Update({}, time.perf_counter())]
        if updates[-1].data.get(LOST) or not updates[-1].data:
            self.load.current.unanswered += 1
            self.load.current.dropped_in_flight += bool(updates[-1].data.get(LOST))
            self.load.current.unanswered_kinds[kind] = self.load.current.unanswered_kinds.get(kind, 0) + 1
            if self.lost_at is not None:
                await self.back()
            return None
        self.load.current.round_trips.setdefault(kind, []).append((updates[-1].received - started) * 1000)
        self._look_for_errors(kind, updates)
        return updates

    def _look_for_errors(self, kind: str, updates: list[Update]) -> None:
        # A move's hydrate shows the page's state again, messages already shown included: not news.
        text = orjson.dumps([update.data for update in updates if not update.rehydrating])
        if CRASH_TOAST in text:
            self.load.current.errors.append(f"{kind}: the crash notice")
        elif any(phrase in text for phrase in TRY_AGAIN):
            self.load.current.try_again += 1

    # -- what a member does -------------------------------------------------------------------

    async def navigate(self, path: str, query: dict | None = None) -> list[Update] | None:
        self.path, self.query = path, query or {}
        return await self.call("page navigation", ON_LOAD_INTERNAL, done=is_hydrated)

    async def book(self) -> None:
        world, calendar = self.load.world, self.load.states["calendar"]
        day = self.rng.choice(world.days)
        start = f"{day.isoformat()}T{self.rng.randrange(9, 16):02d}:{self.rng.choice(['00', '30'])}"
        if self.path != "/book":
            await self.navigate("/book", {"date": day.isoformat()})
        space = self.rng.choice(world.spaces)
        # The calendar's live view may send its own updates meanwhile: wait for the pick's answer.
        picked = await self.call("book: pick a time", f"{calendar}.pick", {"space_id": space, "start": start},
                                 done=lambda update: _has(update, calendar, "form_version", "error", "refusal"))
        end = _var(picked or [], calendar, "sel_default_end")
        if not end or not _var(picked, calendar, "form_open"):
            return
        form = {"end": end, "title": "Drill", "people": "1", "note": ""}
        answer = await self.call("book: submit", f"{calendar}.submit", {"form": form},
                                 done=lambda update: _has(update, calendar, "booked_id", "form_error", "info"))
        booking_id = _var(answer or [], calendar, "booked_id")
        if booking_id:
            self.load.ledger.bookings[booking_id] = self.member
            self.my_bookings.append(booking_id)
            self.load.current.booked += 1

    async def cancel(self) -> None:
        if not self.my_bookings:
            return await self.book()
        booking_id = self.my_bookings.pop(self.rng.randrange(len(self.my_bookings)))
        state = self.load.states["bookings"]
        if self.path != "/bookings":
            await self.navigate("/bookings")
        self.load.ledger.cancel_asked.add(booking_id)
        answer = await self.call("cancel a booking", f"{state}.cancel", {"form": {"booking_id": str(booking_id)}},
                                 done=lambda update: state in update.delta)
        if answer and _var(answer, state, "info") and not _var(answer, state, "error"):
            self.load.ledger.cancelled.add(booking_id)

    async def enrol(self) -> None:
        training = self.rng.choice(self.load.world.trainings)
        state = self.load.states["training"]
        await self.navigate(f"/trainings/{training}", {"training_id": str(training)})
        key = (self.member, training)
        self.load.ledger.enrol_asks[key] = self.load.ledger.enrol_asks.get(key, 0) + 1
        answer = await self.call("enrol", f"{state}.enrol", done=lambda update: "version_rx_state_" in
                                 update.delta.get(state, {}))
        detail = _var(answer or [], state, "training") or {}
        if answer and _var(answer, state, "info") and detail.get("enrolment_id") and detail.get("id") == training:
            # Enrolling again after leaving may take up the same row again: the latest answer counts.
            self.load.ledger.left.discard(detail["enrolment_id"])
            self.load.ledger.enrolments[detail["enrolment_id"]] = training
            self.my_enrolments[training] = detail["enrolment_id"]

    async def leave(self) -> None:
        if not self.my_enrolments:
            return await self.enrol()
        training = self.rng.choice(sorted(self.my_enrolments))
        state = self.load.states["training"]
        page = await self.navigate(f"/trainings/{training}", {"training_id": str(training)})
        shown = _var(page or [], state, "training") or {}
        if shown.get("id") != training or shown.get("enrolment_id") != self.my_enrolments[training]:
            # The page did not load (yet): a member taps "leave" on the training they see, which
            # the tab's state still says is another one.
            return
        self.load.ledger.leave_asked.add(self.my_enrolments[training])
        answer = await self.call("leave a training", f"{state}.cancel", done=lambda update: "version_rx_state_" in
                                 update.delta.get(state, {}))
        if answer and _var(answer, state, "info") and not _var(answer, state, "error"):
            enrolment_id = self.my_enrolments.pop(training)
            self.load.ledger.left.add(enrolment_id)
            key = (self.member, training)
            self.load.ledger.left_after_asks[enrolment_id] = (key, self.load.ledger.enrol_asks.get(key, 0))

    async def browse(self) -> None:
        if self.rng.random() < 0.3:
            await self.call("menu toggle", f"{self.load.states['shell']}.toggle_menu")
        else:
            await self.navigate(self.rng.choice(PAGES))

    async def run(self) -> None:
        rng = self.rng
        await asyncio.sleep(rng.uniform(*self.load.think))
        kinds, weights = zip(*self.load.mix, strict=True)
        while not self.load.stopping:
            action = rng.choices(kinds, weights)[0] if self.member is not None else "browse"
            try:
                await getattr(self, action)()
            except Exception as error:  # a bug of the load client must not end the tab
                self.load.current.errors.append(f"{action}: client {type(error).__name__}: {error}"[:200])
            await asyncio.sleep(rng.uniform(*self.load.think))


def _asks_to_try_again(update: Update) -> bool:
    """A refusal shown as a notice, not in the page (the database unreachable while the viewer is
    looked up, say): the event's answer, though not the change the tap was waiting for."""
    if not update.events:
        return False
    text = orjson.dumps(update.events)
    return any(phrase in text for phrase in TRY_AGAIN)


def _has(update: Update, state: str, *names: str) -> bool:
    delta = update.delta.get(state, {})
    return any(f"{name}_rx_state_" in delta for name in names)


def _var(updates: list[Update], state: str, name: str):
    value = None
    for update in updates:
        if f"{name}_rx_state_" in update.delta.get(state, {}):
            value = update.var(state, name)
    return value


class Load:
    """`tabs` tabs through `base_url`; half of them signed in with one of `cookies` each."""

    def __init__(self, base_url: str, cookies: list[str], world: World, tabs: int,
                 think: tuple[float, float] = THINK_SECONDS, mix: list[tuple[str, float]] = SIGNED_IN_MIX,
                 members_only: bool = False):
        self.base_url, self.world, self.think, self.mix = base_url, world, think, mix
        self.states = _states()
        self.ledger = Ledger()
        self.current = Window()
        self.stopping = False
        self.tabs = []
        # Which tabs are signed in is drawn at random: nginx hands connections out in turn, so
        # every other tab signed in would put all the members on one node.
        signed_in = sorted(random.Random(tabs).sample(range(tabs), tabs // 2))
        members = {index: order % len(cookies) for order, index in enumerate(signed_in)}
        for index in range(tabs):
            member = index % len(cookies) if members_only else members.get(index)
            self.tabs.append(Tab(self, index, cookies[member] if member is not None else "", member))
        self.tasks: list[asyncio.Task] = []

    async def start(self) -> float:
        """Connects every tab (ten at a time) and sets them going; returns the seconds it took."""
        started = time.monotonic()
        semaphore = asyncio.Semaphore(10)

        async def connect(tab: Tab):
            async with semaphore:
                for _ in range(5):
                    try:
                        await tab.connect()
                        return
                    except Exception:
                        await asyncio.sleep(1)
                raise RuntimeError(f"tab {tab.index} could not connect")

        await asyncio.gather(*[connect(tab) for tab in self.tabs])
        self.tasks = [asyncio.create_task(tab.run()) for tab in self.tabs]
        return time.monotonic() - started

    def window(self) -> Window:
        """The window so far, and a new one from now."""
        finished, self.current = self.current, Window()
        finished.still_reconnecting = self.disconnected()
        return finished

    def disconnected(self) -> int:
        return sum(tab.lost_at is not None for tab in self.tabs)

    async def stop(self) -> None:
        self.stopping = True
        await asyncio.gather(*self.tasks, *[tab.reconnecting for tab in self.tabs if tab.reconnecting],
                             return_exceptions=True)
        await asyncio.gather(*[tab.client.disconnect() for tab in self.tabs if tab.client],
                             return_exceptions=True)


def booking_days(today: date | None = None, count: int = 6) -> list[date]:
    """The next `count` weekdays after today (the hub's local date)."""
    day = today or datetime.now().date()
    days = []
    while len(days) < count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days

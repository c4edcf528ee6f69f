"""The event socket's door: what every browser message passes before Reflex spends anything on it.

Reflex 0.10 builds one Socket.IO namespace for the app (`EventNamespace` in reflex/app.py, created in
`App._setup_state`; rx.App takes no namespace of its own). `guard_transport(app)` swaps it for
`HubEventNamespace`, the same class with a door in front of `on_connect` / `on_event` /
`on_client_error` (and caps the Socket.IO frame size), so these rules hold for every event of every
page, including the hydrate event the frontend puts in the CONNECT packet:

- rate: a token bucket per connection (settings.event_rate_per_second, event_burst). A tab that
  runs dry is told so (a translated toast) and its socket is closed; what it already queued is at
  most a burst, so other members' events keep answering.
- size: one event's payload and address at most settings.event_max_chars characters (refused with
  a translated toast); Socket.IO frames above 4x that are cut before they are even parsed.
- shape: an event must be a dict with a string name of a registered handler, a dict payload and a
  dict address (pathname, asPath, query) of bounded size; the connection's tab token must look like
  one. Anything else is dropped at the door and counted: unknown or malformed events are logged at
  most once a minute, aggregated, through for_log (41,300 unknown events used to write 25.7 MB).
- client storage (rx.Cookie / rx.LocalStorage): in hydrate_and_load and update_vars_internal, the
  only events that set them, each value must be a string of at most settings.client_value_max_chars
  for a client-storage var that exists; anything else is left out, so the var keeps its default.
- frontend error reports (FrontendEventExceptionState.handle_frontend_exception, an event any page
  may send): at most settings.frontend_errors_per_connection per connection, each cut to
  settings.frontend_error_max_chars before Reflex matches its reload patterns against it.

Timing: every event admitted at the door is timed from its arrival to the end of its handler's run
(hub_app.event_outcomes.event_done: one log line, the round-trip histogram per handler, the outcome
counted), and open sockets are counted (hub_app.metrics.CONNECTED_TABS).

Logs: visitor text reaches a log only through hub_app.domain.log_text (for_log escapes newlines and
terminal escapes and cuts length); records of Reflex's event path and of Socket.IO are escaped the
same way by a log record factory (hub_app.logs.install_log_escaping), and handler exceptions are
logged with traceback_for_log (hub_app.event_outcomes.log_backend_exception).
"""

import asyncio
import logging
import re
import time
from collections import Counter
from contextvars import ContextVar
from functools import partial
from typing import Any

import reflex as rx
from reflex.app import EventNamespace
from reflex.state import FrontendEventExceptionState, State, StateUpdate, UpdateVarsInternalState
from reflex.utils.token_manager import RedisTokenManager
from reflex_base import constants
from reflex_base.constants.state import FIELD_MARKER
from reflex_base.event import Event
from reflex_base.registry import RegistrationContext
from reflex_base.utils.format import format_event_handler
from reflex_components_sonner.toast import toast

from hub_app.domain.log_text import for_log
from hub_app.drain import MOVE_SCRIPT, draining
from hub_app.event_outcomes import TOAST_MS, event_done, log_backend_exception, log_frontend_exception, tab_locale
from hub_app.i18n import translate
from hub_app.logs import install_log_escaping
from hub_app.metrics import CONNECTED_TABS
from hub_app.settings import get_settings
from hub_app.tab_tokens import NodeAwareTokenManager
from hub_app.wire_json import packet_class

log = logging.getLogger("hub.transport")

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_MAX_NAME = 200
_MAX_QUERY_KEYS = 50

# The event being handed to Reflex's queue by on_event (handler name, tab token, arrival time): the
# queue's enqueue, wrapped once, attaches the timing to the future it returns for that event.
_arriving: ContextVar[tuple[str, str, float] | None] = ContextVar("hub_event_arriving", default=None)


class TokenBucket:
    """`burst` events at once, refilled at `rate` per second."""

    __slots__ = ("rate", "burst", "tokens", "updated")

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class DropLog:
    """Events refused at the door, logged at most once per `window` seconds however many they are:
    the first one of a window with a sample, the rest as counts when the next window opens."""

    def __init__(self, window: float = 60.0):
        self.window = window
        self.opened = float("-inf")
        self.counts: Counter[str] = Counter()

    def drop(self, reason: str, sample: object = "") -> None:
        now = time.monotonic()
        if now - self.opened < self.window:
            self.counts[reason] += 1
            return
        if self.counts:
            summary = ", ".join(f"{count} {name}" for name, count in sorted(self.counts.items()))
            log.warning("refused at the event socket in the previous %.0f s, besides the one logged: %s",
                        self.window, summary)
        self.opened, self.counts = now, Counter()
        log.warning("refused at the event socket (%s): %s; more are counted and logged once a minute",
                    reason, for_log(sample, 120))


def _exceeds(value: Any, budget: int) -> bool:
    """Whether a JSON value holds more than `budget` characters (roughly: strings by length,
    everything else a few each). Stops as soon as it knows, so a huge value costs only the budget."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            budget -= len(item) + 2
        elif isinstance(item, dict):
            budget -= 2 + 2 * len(item)
            if budget < 0:
                return True
            for key, inner in item.items():
                stack.append(key)
                stack.append(inner)
        elif isinstance(item, list | tuple):
            budget -= 2 + len(item)
            if budget < 0:
                return True
            stack.extend(item)
        else:
            budget -= 8
        if budget < 0:
            return True
    return False


def _clean_address(router_data: Any, limit: int) -> dict | None:
    """The page address an event carries (what the frontend sends: pathname, asPath, query), or
    None when it is not one. Reflex keeps it in the tab's state, so it is bounded like a cookie."""
    if not isinstance(router_data, dict):
        return None
    clean: dict[str, Any] = {}
    for key in ("pathname", "asPath"):
        value = router_data.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > limit:
            return None
        clean[key] = value
    query = router_data.get("query")
    if query is not None:
        if not isinstance(query, dict) or len(query) > _MAX_QUERY_KEYS:
            return None
        total = 0
        for key, value in query.items():
            values = value if isinstance(value, list) else [value]
            if not isinstance(key, str) or not all(isinstance(item, str) for item in values):
                return None
            total += len(key) + sum(len(item) for item in values)
        if total > limit:
            return None
        clean["query"] = query
    return clean


class HubEventNamespace(EventNamespace):
    """Reflex's event namespace with the door described in the module docstring."""

    def __init__(self, namespace: str, app: rx.App):
        super().__init__(namespace, app)
        if isinstance(self._token_manager, RedisTokenManager):
            self._token_manager = NodeAwareTokenManager(self._token_manager.redis)
        settings = get_settings()
        self._rate, self._burst = settings.event_rate_per_second, settings.event_burst
        self._max_chars = settings.event_max_chars
        self._value_limit = settings.client_value_max_chars
        self._frontend_budget = settings.frontend_errors_per_connection
        self._frontend_chars = settings.frontend_error_max_chars
        self._buckets: dict[str, TokenBucket] = {}
        self._frontend_reports: dict[str, int] = {}
        self._closing: set[str] = set()
        self._tasks: set[asyncio.Task] = set()
        self.drops = DropLog()
        self._names: dict[str, str] | None = None
        self._storage: frozenset[tuple[str, str]] | None = None
        self._counted: set[str] = set()
        # Events of each tab (by token) handed to Reflex and not finished yet; a drain (hub_app/drain.py)
        # stops the node only when there are none.
        self._in_flight: dict[str, set[asyncio.Future]] = {}
        self._asked_to_move: set[str] = set()  # sockets told to move to another node (a drain)
        self._move_acknowledged: set[str] = set()  # of those, the ones closing (their ping answered)
        self._move_deadline = 0.0  # time.monotonic() until which answers follow moved tabs

    # -- the names of the events that need a closer look (resolved once the states exist) -------

    def _special(self) -> dict[str, str]:
        if self._names is None:
            self._names = {
                format_event_handler(State.event_handlers["hydrate_and_load"]): "storage",
                format_event_handler(UpdateVarsInternalState.event_handlers["update_vars_internal"]): "storage",
                format_event_handler(
                    FrontendEventExceptionState.event_handlers["handle_frontend_exception"]): "frontend_error",
            }
        return self._names

    def _storage_vars(self) -> frozenset[tuple[str, str]]:
        """(state name, var name) of every rx.Cookie / rx.LocalStorage / rx.SessionStorage var."""
        if self._storage is None:
            found = set()
            pending = [State]
            while pending:
                state = pending.pop()
                pending.extend(state.get_substates())
                found.update((state.get_full_name(), name) for name in state.get_fields()
                             if state._is_client_storage(name))
            self._storage = frozenset(found)
        return self._storage

    def _handlers(self) -> dict:
        try:
            return RegistrationContext.get().event_handlers
        except LookupError:
            return self.app._registration_context.event_handlers

    # -- the socket's events ----------------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict, auth: Any = None):
        from urllib.parse import parse_qs

        tokens = parse_qs(environ.get("QUERY_STRING", "")).get("token", [])
        if tokens and not _TOKEN.match(tokens[0]):
            self.drops.drop("tab token that is not one", tokens[0])
            raise ConnectionRefusedError("invalid token")
        self._buckets[sid] = TokenBucket(self._rate, self._burst)
        self._time_events()  # the hydrate event in the CONNECT packet is in flight too
        await super().on_connect(sid, environ, auth)
        self._counted.add(sid)
        CONNECTED_TABS.inc()

    def on_disconnect(self, sid: str):
        self._buckets.pop(sid, None)
        self._frontend_reports.pop(sid, None)
        self._closing.discard(sid)
        self._asked_to_move.discard(sid)
        self._move_acknowledged.discard(sid)
        if sid in self._counted:
            self._counted.discard(sid)
            CONNECTED_TABS.dec()
        return super().on_disconnect(sid)

    async def on_event(self, sid: str, data: Any):
        if not await self._within_rate(sid):
            return
        event = self._admit(sid, data)
        if event is None:
            return
        if event is _TOO_LARGE:
            await self._tell(sid, "transport.event_too_large")
            return
        self._time_events()
        arriving = _arriving.set((event["name"], self.sid_to_token.get(sid, ""), time.perf_counter()))
        try:
            await super().on_event(sid, event)
        finally:
            _arriving.reset(arriving)

    def _time_events(self) -> None:
        """Wraps the event queue's enqueue once, so each event's future reports when it is done and
        counts as in flight for its tab until then."""
        processor = self.app.event_processor
        if getattr(processor, "hub_timed", False):
            return
        enqueue = processor.enqueue

        async def timed_enqueue(token, event, ev_ctx=None):
            future = await enqueue(token, event, ev_ctx)
            if ev_ctx is None and not self._runs_in_background(event.name):
                # Sent by a tab (what it chains is part of its own run); a background handler (a
                # calendar's watch) runs on for hours and answers nothing a drain waits for.
                pending = self._in_flight.setdefault(token, set())
                pending.add(future)
                future.add_done_callback(partial(self._event_finished, token))
            arriving = _arriving.get()
            if arriving is not None and ev_ctx is None:
                _arriving.set(None)  # one event per arrival
                future.add_done_callback(partial(event_done, arriving))
            return future

        processor.enqueue = timed_enqueue
        processor.hub_timed = True
        self._hand_back_events_of_moved_tabs(processor)

    def _hand_back_events_of_moved_tabs(self, processor) -> None:
        """While the node drains, an event whose tab has already moved to another node is not run
        here: it would wait for the tab's state lock, which the tab's new node holds, and Reflex
        hands a lock between nodes over slowly (in the drill the drain ran out of time and dropped
        such events unanswered). The event goes back to the tab at its new node instead (Reflex's
        lost-and-found channel), and the page sends it again there, as if sent after the move."""
        execute = processor._execute_event

        async def run_here_or_hand_back(*, entry, registered_handler):
            token = entry.ctx.token
            if draining() and not registered_handler.handler.is_background and self._tab_left(token):
                # No router data: the page fills in its own address when it sends the event again.
                update = StateUpdate(events=[Event(name=entry.event.name, payload=entry.event.payload)])
                if await self._token_manager.deliver_after_move(token, update, until=self._move_deadline):
                    log.info("an event of tab %s, which left this node, went back to it", token[:8])
                else:
                    log.info("an event of tab %s, which left this node, found no other node in time", token[:8])
                return
            await execute(entry=entry, registered_handler=registered_handler)

        processor._execute_event = run_here_or_hand_back

    def _runs_in_background(self, name: str) -> bool:
        registered = self._handlers().get(name)
        return registered is not None and registered.handler.is_background

    def _event_finished(self, token: str, future) -> None:
        pending = self._in_flight.get(token)
        if pending is not None:
            pending.discard(future)
            if not pending:
                del self._in_flight[token]

    async def ask_tabs_to_move(self, *, until: float) -> tuple[int, int]:
        """Tells every open socket not told yet to move to another node (drain.MOVE_SCRIPT: the
        browser sends what it has queued, waits for this node's acknowledgement, then closes its own
        transport and reconnects through the proxy); answers of events still running here follow
        the tab until `until` (time.monotonic()). Returns how many sockets are still open and how
        many events are still in flight."""
        self._move_deadline = until
        # Sockets whose connect is done: an event sent earlier would reach the tab before its socket
        # is, and be dropped there.
        told = [sid for sid in self._counted if sid not in self._asked_to_move]
        self._asked_to_move.update(told)
        update = StateUpdate(events=Event.from_event_type([rx.call_script(MOVE_SCRIPT)]))
        # All at once: one after the other, in a node busy enough to be stopped mid-morning, the
        # last tab heard it many seconds after the first.
        await asyncio.gather(*[self._ask_to_move(sid, update) for sid in told])
        return len(self._counted), sum(len(pending) for pending in self._in_flight.values())

    async def _ask_to_move(self, sid: str, update: StateUpdate) -> None:
        try:
            await self.emit(str(constants.SocketEvent.EVENT), update, to=sid)
        except Exception:  # the socket may be gone already
            log.debug("could not ask %s to move", sid, exc_info=True)

    async def close_transports(self) -> None:
        """Closes the transport of every socket still open (a drain out of time): to the frontend a
        dropped connection, which it reconnects."""
        await asyncio.gather(*[self._close_transport(sid) for sid in list(self._counted)])

    async def emit_update(self, update: StateUpdate, token: str) -> None:
        """While the node drains, the answer of an event whose tab has closed its socket here goes to
        the node the tab reconnected to (it may get there a moment later than the answer is ready)."""
        if draining() and self._tab_left(token):
            if not await self._token_manager.deliver_after_move(token, update, until=self._move_deadline):
                log.info("an answer for tab %s, which left this node, found no other node in time", token[:8])
            return
        await super().emit_update(update, token)

    def _tab_left(self, token: str) -> bool:
        """The tab's socket is no longer on this node (it moved during a drain, is closing for the
        move, or is gone), and its answers can follow it (a NodeAwareTokenManager: Redis)."""
        if not isinstance(self._token_manager, NodeAwareTokenManager):
            return False
        record = self._token_manager.token_to_socket.get(token)
        mine = record is not None and record.instance_id == self._token_manager.instance_id
        return not mine or record.sid not in self._counted or record.sid in self._move_acknowledged

    async def on_client_error(self, sid: str, data: Any = None):
        if await self._within_rate(sid):
            await super().on_client_error(sid, data)

    async def on_ping(self, sid: str):
        if await self._within_rate(sid):
            if sid in self._asked_to_move:
                # The tab closes its transport as soon as this ping is acknowledged: whatever this
                # node sends it from now on may arrive too late to be read, so it follows the tab.
                self._move_acknowledged.add(sid)
            await super().on_ping(sid)

    # -- the door ---------------------------------------------------------------------------------

    async def _within_rate(self, sid: str) -> bool:
        if sid in self._closing:
            return False
        bucket = self._buckets.get(sid)
        if bucket is None:
            bucket = self._buckets[sid] = TokenBucket(self._rate, self._burst)
        if bucket.take():
            return True
        self._closing.add(sid)
        self.drops.drop("too many events: connection closed", sid)
        await self._tell(sid, "transport.too_many_events")
        task = asyncio.create_task(self._close(sid), name=f"hub_transport_close|{sid}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return False

    def _admit(self, sid: str, data: Any) -> dict | object | None:
        """The event to hand to Reflex (cleaned), _TOO_LARGE, or None to drop it."""
        if not isinstance(data, dict):
            self.drops.drop("event that is not an object", type(data).__name__)
            return None
        name = data.get("name")
        if not isinstance(name, str) or len(name) > _MAX_NAME:
            self.drops.drop("event without a handler name", name if isinstance(name, str) else type(name).__name__)
            return None
        if sid not in self.sid_to_token:
            self.drops.drop("event on a socket without a tab token", name)
            return None
        if name not in self._handlers():
            self.drops.drop("event for an unknown handler", name)
            return None
        payload = data.get("payload")
        payload = {} if payload is None else payload
        if not isinstance(payload, dict):
            self.drops.drop("event whose payload is not an object", name)
            return None
        kind = self._special().get(name)
        if kind == "frontend_error":
            payload = self._frontend_report(sid, payload)
            if payload is None:
                return None
        if _exceeds(payload, self._max_chars) or _exceeds(data.get("router_data"), self._max_chars):
            self.drops.drop("event too large", name)
            return _TOO_LARGE
        router_data = _clean_address(data.get("router_data") or {}, self._value_limit)
        if router_data is None:
            self.drops.drop("event with an address that is not one", name)
            return None
        if kind == "storage":
            payload = self._client_storage(payload)
        return {**data, "name": name, "payload": payload, "router_data": router_data}

    def _frontend_report(self, sid: str, payload: dict) -> dict | None:
        used = self._frontend_reports.get(sid, 0)
        if used >= self._frontend_budget:
            return None  # already reported enough from this tab; not even counted in the log
        self._frontend_reports[sid] = used + 1
        clean = {}
        for key in ("info", "component_stack"):
            value = payload.get(key, "")
            clean[key] = value[:self._frontend_chars] if isinstance(value, str) else ""
        return clean

    def _client_storage(self, payload: dict) -> dict:
        """hydrate_and_load / update_vars_internal with only well-formed client-storage values."""
        payload = dict(payload)
        values = payload.get("vars")
        if values is not None:
            allowed, clean = self._storage_vars(), {}
            if isinstance(values, dict):
                for key, value in values.items():
                    if not isinstance(key, str):
                        continue
                    state_name, _, var_name = key.rpartition(".")
                    if (state_name, var_name.removesuffix(FIELD_MARKER)) not in allowed:
                        continue
                    if not isinstance(value, str) or len(value) > self._value_limit:
                        self.drops.drop("client storage value that is not a short string", key)
                        continue
                    clean[key] = value
            else:
                self.drops.drop("client storage that is not an object", type(values).__name__)
            payload["vars"] = clean
        hashes = payload.get("hashes")
        if hashes is not None and not (isinstance(hashes, list) and len(hashes) <= 10_000
                                       and all(isinstance(item, str) and len(item) <= 128 for item in hashes)):
            payload.pop("hashes")
        return payload

    # -- telling the tab ----------------------------------------------------------------------------

    def _locale(self, sid: str) -> str:
        headers = self._static_router_data.get(sid, {}).get(constants.RouteVar.HEADERS, {})
        return tab_locale(headers.get("cookie", ""))

    async def _tell(self, sid: str, key: str) -> None:
        message = translate(key, self._locale(sid))
        update = StateUpdate(events=Event.from_event_type([
            toast.error(message, id=key, duration=TOAST_MS, position="top-center")]))
        try:
            await self.emit(str(constants.SocketEvent.EVENT), update, to=sid)
        except Exception:  # the socket may be gone already
            log.debug("could not tell %s", sid, exc_info=True)

    async def _close(self, sid: str) -> None:
        """Disconnects the namespace (the frontend does not reconnect after a server disconnect) and
        closes the transport, so the rest of a flood is not even read."""
        try:
            eio_sid = self.server.manager.eio_sid_from_sid(sid, self.namespace)
            await self.disconnect(sid)
            if eio_sid is not None:
                await self.server.eio.disconnect(eio_sid)
        except Exception:
            log.debug("closing %s failed", sid, exc_info=True)

    async def _close_transport(self, sid: str) -> None:
        """Closes only the transport: to the frontend a dropped connection, which it reconnects. The
        tab's socket record goes first: a record still there when the tab reconnects elsewhere
        makes Reflex take it for a second tab and give it a new token, without its state."""
        try:
            token = self.sid_to_token.get(sid)
            if token is not None:
                await self._token_manager.disconnect_token(token, sid)
            eio_sid = self.server.manager.eio_sid_from_sid(sid, self.namespace)
            if eio_sid is None:
                self._buckets.pop(sid, None)  # gone below the namespace already: nothing left to close
            else:
                await self.server.eio.disconnect(eio_sid)
        except Exception:
            log.debug("closing the transport of %s failed", sid, exc_info=True)


_TOO_LARGE = object()


def guard_transport(app: rx.App) -> None:
    """Puts the door in front of the app's event socket (see the module docstring)."""
    install_log_escaping()
    app.frontend_exception_handler = log_frontend_exception
    app.backend_exception_handler = log_backend_exception
    current = app.event_namespace
    if app.sio is None or current is None or isinstance(current, HubEventNamespace):
        return
    app._event_namespace = HubEventNamespace(current.namespace, app)
    app.sio.register_namespace(app._event_namespace)
    # Engine.IO drops frames above this before Socket.IO parses them (Reflex's default is 1 MB).
    app.sio.eio.max_http_buffer_size = 4 * get_settings().event_max_chars
    # Outgoing packets are written with orjson, with Reflex's serializers behind it (hub_app/wire_json.py).
    app.sio.packet_class = packet_class(app.sio.packet_class)

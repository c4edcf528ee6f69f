"""A deploy stops a node without its members noticing: the drain on SIGTERM.

systemd stops a node with SIGTERM (deploy/systemd/hub-app@.service), and Granian's supervisor passes
it on to each backend worker. Left alone, Granian's worker stops its event loop at once while its
open websockets stay up: every tab of the node keeps a socket that no longer answers until the
service manager kills the node (TimeoutStopSec), and their events go unanswered meanwhile.
`drain_on_sigterm` (a lifespan task, so it runs in each worker's loop after Granian set its signal
handlers) puts a drain in front of Granian's handler:

1. new event sockets are refused with 503 (`DrainDoor`): nginx's `proxy_next_upstream http_503`
   takes the tab to another node at once; `/ready` answers 503 too, for a proxy or orchestrator
   that probes it. The node says in Redis that it drains, so the other nodes give its tabs their
   own tokens (and states) back (hub_app/tab_tokens.py);
2. every tab is asked to move (`MOVE_SCRIPT`). The browser, not this node, closes the socket:
   it holds back new events, sends a ping and closes its transport when this node acknowledges it.
   Everything the tab sent before is then read and handed to Reflex here (a close by the server
   would lose what is still on the way or in the socket's buffers), and socket.io-client takes the
   closed transport for a drop and reconnects through the proxy to another node, where the tab's
   state waits in Redis and the held-back events go out;
3. events still running here finish, and their answers follow the tab to its new node (from the
   moment its ping is acknowledged: the closing socket may no longer read them); an event
   of a moved tab that has not started here yet goes back to the tab, whose page sends it again to
   its new node (hub_app/transport.py); the live calendars' watches here end (the tab's next node
   starts its own when it shows the page again);
4. once no socket and no event is left, or after settings.drain_seconds (the sockets still open are
   then closed), Granian gets the signal it was sent and stops the worker as before (plain HTTP
   requests in progress finish there).

A second SIGTERM hands on at once.
"""

import asyncio
import contextlib
import logging
import signal
import time

from hub_app.services import calendar_push
from hub_app.settings import get_settings

log = logging.getLogger("hub.drain")

_POLL_SECONDS = 0.05
_draining = False
# Run by the frontend (reflex's applyEvent, where `socket` is the page's socket.io socket; a second
# ask while moving is ignored). `connected = false` makes the frontend queue its events until the
# socket is back; socket.io-client sends the ping before that, so it is the last thing read here.
# No time limit on the acknowledgement: closing before it could lose what the tab sent last, and a
# node that never answers has its sockets closed when its drain runs out of time.
MOVE_SCRIPT = ("(s => { if (s.hubMoving) return; s.hubMoving = true; "
               "s.emit('ping', () => { s.hubMoving = false; s.io.engine.close(); }); "
               "s.connected = false; })(socket)")


def draining() -> bool:
    """This worker got SIGTERM and is moving its tabs to other nodes."""
    return _draining


class DrainDoor:
    """ASGI middleware: while the worker drains, a new event socket (websocket or Engine.IO polling
    request) gets 503 and the proxy tries another node; everything else is served as usual."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if not _draining or scope["type"] not in ("http", "websocket") or not scope.get("path", "").startswith(
                "/_event"):
            await self.app(scope, receive, send)
            return
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", b"1"),
                   (b"cache-control", b"no-store")]
        body = b"This node is stopping; try another.\n"
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        elif "websocket.http.response" in (scope.get("extensions") or {}):
            await send({"type": "websocket.http.response.start", "status": 503, "headers": headers})
            await send({"type": "websocket.http.response.body", "body": body})
        else:  # a server without the denial response extension answers the handshake with 403
            await send({"type": "websocket.close", "code": 1012})


def drain_on_sigterm(app) -> None:
    """Lifespan task: puts the drain in front of the SIGTERM handler Granian's worker installed in
    this loop. Under a server that installed none (tests' in-process app), nothing changes."""
    loop = asyncio.get_running_loop()
    granian = getattr(loop, "_signal_handlers", {}).get(signal.SIGTERM)
    if granian is None:
        return
    drains: list[asyncio.Task] = []

    def hand_on() -> None:
        granian._callback(*granian._args)

    def on_sigterm() -> None:
        if drains:
            hand_on()
            return
        drains.append(loop.create_task(_drain(app, hand_on)))

    loop.add_signal_handler(signal.SIGTERM, on_sigterm)


async def _drain(app, hand_on) -> None:
    global _draining
    _draining = True
    started = time.monotonic()
    seconds = get_settings().drain_seconds
    namespace = app.event_namespace
    tokens = getattr(namespace, "_token_manager", None)
    open_sockets = in_flight = 0
    try:
        if hasattr(tokens, "announce_draining"):
            await tokens.announce_draining(seconds + 10)
        calendar_push.live_calendars().hand_over_all()
        while namespace is not None:
            open_sockets, in_flight = await namespace.ask_tabs_to_move(until=started + seconds)
            if not (open_sockets or in_flight) or time.monotonic() - started >= seconds:
                break
            await asyncio.sleep(_POLL_SECONDS)
        if open_sockets:
            await namespace.close_transports()
    except Exception:  # whatever failed, the node must still stop
        log.exception("draining failed; stopping anyway")
    finally:
        log.info("drained in %.1f s (%d sockets and %d events left); stopping",
                 time.monotonic() - started, open_sockets, in_flight)
        if hasattr(tokens, "forget_this_node"):
            # Tabs still here when time ran out keep their tokens on the node they reconnect to.
            with contextlib.suppress(Exception):
                await tokens.forget_this_node()
        hand_on()

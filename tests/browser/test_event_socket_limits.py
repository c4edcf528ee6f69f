"""The event socket's door (hub_app/transport.py) on the real production server, spoken to over
Reflex's Socket.IO protocol like a browser tab (benchmarks/_client.py): what a flooding or
malicious tab gets, and that everybody else keeps being served.

- a tab sending events as fast as it can is told (a translated toast) and disconnected after a
  burst, while another tab's event still answers;
- an oversized event is refused with a message (the tab stays connected); an oversized frame
  closes the socket before it is parsed;
- client-storage values (the hub_lang cookie, an rx.Cookie) that are not short strings never
  reach the tab's state;
- frontend error reports and events for unknown handlers reach the log bounded, aggregated and
  escaped: no raw newline or terminal escape from the visitor's text.
"""

import asyncio
import contextlib
import json

import pytest
import socketio
from reflex.state import FrontendEventExceptionState
from reflex_base.utils.format import format_event_handler

from benchmarks._client import NAMESPACE, ReflexClient, session_state_name, shell_events_name
from hub_app.i18n import translate
from hub_app.settings import get_settings

pytestmark = pytest.mark.browser

SESSION = session_state_name()
TOGGLE = f"{shell_events_name()}.toggle_menu"
FIELD_MARKER = "_rx_state_"
FORGED = "Boom\n2026-11-27 12:00:00 ERROR hub.accounts all passwords reset\x1b[2J\x1b[31mred"


def menu_update(update) -> bool:
    return update.var(SESSION, "menu_open") is not None


def toasts(updates) -> str:
    return " ".join(event.get("payload", {}).get("function", "") for update in updates for event in update.events
                    if event.get("name") == "_call_function")


def drain(client: ReflexClient) -> list:
    updates = []
    while not client.updates.empty():
        updates.append(client.updates.get_nowait())
    return updates


async def watch_disconnect(client: ReflexClient) -> asyncio.Event:
    closed = asyncio.Event()
    client.sio.on("disconnect", lambda *reason: closed.set(), namespace=NAMESPACE)
    return closed


def test_a_flooding_tab_is_told_and_cut_off_while_another_tab_keeps_answering(portal):
    settings = get_settings()

    async def scenario():
        calm, flood = ReflexClient(portal.url), ReflexClient(portal.url)
        await calm.connect("/")
        await flood.connect("/")
        drain(flood)
        closed = await watch_disconnect(flood)
        loop = asyncio.get_running_loop()
        started, sent = loop.time(), 0
        with contextlib.suppress(socketio.exceptions.SocketIOError):
            while not closed.is_set() and sent < 50_000:
                await flood.sio.emit("event", flood.event(TOGGLE), namespace=NAMESPACE)
                sent += 1
                await asyncio.sleep(0)  # let the socket's reader and writer run
        await asyncio.wait_for(closed.wait(), 60)
        elapsed = loop.time() - started
        updates = drain(flood)
        # Told in its language (Indonesian: no hub_lang cookie), then disconnected by the server.
        assert translate("transport.too_many_events", "id") in toasts(updates)
        # Only about a burst of its events was processed at all.
        processed = sum(1 for update in updates if menu_update(update))
        assert processed <= settings.event_burst + settings.event_rate_per_second * elapsed + 1
        assert sent < 50_000
        # Everybody else is served: the calm tab's event answers.
        _, answer = await calm.call(TOGGLE, done=menu_update)
        assert answer[-1].var(SESSION, "menu_open") is True
        await calm.disconnect()

    asyncio.run(scenario())


def test_an_oversized_event_is_refused_with_a_message_and_an_oversized_frame_closes_the_socket(portal):
    settings = get_settings()

    async def scenario():
        client = ReflexClient(portal.url, cookie="hub_lang=en")
        await client.connect("/")
        await client.send(TOGGLE, {"junk": "y" * (settings.event_max_chars + 1000)})
        _, updates = await client.call(TOGGLE, done=menu_update)
        assert translate("transport.event_too_large", "en") in toasts(updates)
        # Only the well-sized event toggled the menu: the big one never reached the handler.
        assert [update.var(SESSION, "menu_open") for update in updates if menu_update(update)] == [True]

        closed = await watch_disconnect(client)
        with contextlib.suppress(socketio.exceptions.SocketIOError):
            await client.send(TOGGLE, {"junk": "z" * (5 * settings.event_max_chars)})
        await asyncio.wait_for(closed.wait(), 30)
        await client.disconnect()

    asyncio.run(scenario())


class StorageClient(ReflexClient):
    """A tab whose hydrate event carries these client-storage values (what the frontend reads from
    its cookies and localStorage)."""

    def __init__(self, base_url: str, values: dict):
        super().__init__(base_url)
        self.values = values

    def hydrate_event(self, path="/", query=None) -> dict:
        event = super().hydrate_event(path, query)
        event["payload"] = {"vars": self.values}
        return event


def lang_key() -> str:
    return f"{SESSION}.lang{FIELD_MARKER}"


@pytest.mark.parametrize("value,expected", [
    ("en", "en"),  # a real value is applied
    ("e" * 5000, "id"),  # longer than client_value_max_chars: left out, the default stays
    ({"lang": "en", "padding": ["x"] * 1000}, "id"),
    (["en"], "id"),
    (12, "id"),
])
def test_client_storage_values_are_checked_before_they_reach_the_tab_state(value, expected, portal):
    async def scenario():
        client = StorageClient(portal.url, {lang_key(): value, f"{SESSION}.not_a_storage_var": "x" * 3000})
        updates = await client.connect("/")
        langs = {update.var(SESSION, "lang") for update in updates} - {None}
        assert langs == {expected}
        text = json.dumps([update.data for update in updates])
        assert "eeeeeeeeee" not in text and "xxxxxxxxxx" not in text and len(text) < 200_000
        _, answer = await client.call(TOGGLE, done=menu_update)  # the tab works
        assert answer[-1].var(SESSION, "is_en") in (None, expected == "en")
        await client.disconnect()

    asyncio.run(scenario())


def test_a_900_kb_cookie_or_a_forged_tab_token_never_makes_a_tab(portal):
    async def scenario():
        for client in (StorageClient(portal.url, {lang_key(): "x" * 900_000}),
                       ReflexClient(portal.url, token="t" * 5000)):
            with pytest.raises((socketio.exceptions.ConnectionError, TimeoutError)):
                await client.connect("/", timeout=20)
            with contextlib.suppress(Exception):
                await client.disconnect()
        # The server is fine.
        calm = ReflexClient(portal.url)
        await calm.connect("/")
        await calm.call(TOGGLE, done=menu_update)
        await calm.disconnect()

    asyncio.run(scenario())


def test_error_reports_and_unknown_events_reach_the_log_bounded_and_escaped(portal):
    settings = get_settings()
    exception_event = format_event_handler(FrontendEventExceptionState.event_handlers["handle_frontend_exception"])
    before = portal.log_path.stat().st_size

    async def scenario():
        reporter = ReflexClient(portal.url)
        await reporter.connect("/")
        for _ in range(10):  # 96 kB reports, as a broken (or hostile) page would send them
            await reporter.send(exception_event, {"info": FORGED + "A" * 96_000, "component_stack": FORGED})
        await reporter.call(TOGGLE, done=menu_update)  # one tab's events run in order: all were handled
        await reporter.disconnect()
        # 500 events for handlers that do not exist, from 10 tabs (each within its rate), and junk.
        for tab in range(10):
            client = ReflexClient(portal.url)
            await client.connect("/")
            for number in range(50):
                await client.send(f"{SESSION}.no_such_handler_{tab}_{number}\n[ERROR] forged\x1b[31m", {"x": FORGED})
            await client.sio.emit("event", "not an event\n[ERROR] forged", namespace=NAMESPACE)
            await client.sio.emit("event", {"name": TOGGLE, "payload": [FORGED]}, namespace=NAMESPACE)
            await client.call(TOGGLE, done=menu_update)
            await client.disconnect()

    asyncio.run(scenario())
    with open(portal.log_path, "rb") as log_file:
        log_file.seek(before)
        written = log_file.read().decode("utf-8", errors="replace")
    lines = written.splitlines()
    assert "\x1b" not in written  # no terminal escapes from visitors
    assert not [line for line in lines if line.lstrip().startswith(("2026-11-27 12:00:00 ERROR", "[ERROR] forged",
                                                                    "not an event"))]
    # Each report is one escaped line, and only a few reports per tab are logged at all.
    reports = [line for line in lines if "frontend error:" in line]
    assert len(reports) == settings.frontend_errors_per_connection
    assert all("Boom\\n2026-11-27 12:00:00 ERROR" in line and len(line) < settings.frontend_error_max_chars * 2
               for line in reports)
    # 500 unknown events: one aggregated line (and a summary at most), not 500 tracebacks.
    assert len([line for line in lines if "refused at the event socket" in line]) <= 2
    assert "no_such_handler_0_0\\n[ERROR] forged\\x1b[31m" in written or "no_such_handler" not in written
    assert len(written) < 20_000, written[-3000:]

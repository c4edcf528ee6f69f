"""The event socket's JSON (hub_app/wire_json.py): the updates real pages send read back as the same
values whether orjson or Reflex's own encoder wrote them, a value orjson refuses is written by
Reflex's encoder, and the app's socket writes with it, even after a Socket.IO client in the same
process set python-socketio's shared json."""

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import socketio
from reflex.app import _sio_dumps, _sio_loads
from reflex.state import StateUpdate
from socketio.packet import Packet

from hub_app.pages.book import CalendarState
from hub_app.wire_json import packet_json
from tests.bookings.helpers import weekday_ahead

REFLEX_JSON = SimpleNamespace(dumps=_sio_dumps, loads=_sio_loads)
COMPACT = {"separators": (",", ":")}


def _both(packet) -> tuple[str, str]:
    return packet_json(REFLEX_JSON).dumps(packet, **COMPACT), _sio_dumps(packet, **COMPACT)


def test_the_updates_of_real_pages_read_back_the_same(hub, people):
    member, visitor = hub.browser(people.active), hub.browser()
    outcomes = [member.load("/book", date=weekday_ahead().isoformat()).ok(), member.load("/trainings").ok(),
                member.load("/forum").ok(), visitor.load("/bookings").ok()]
    packets = [["event", StateUpdate(delta=delta)] for outcome in outcomes for delta in outcome.deltas]
    packets += [["event", StateUpdate(events=outcome.frontend_events)] for outcome in outcomes]
    calendar = CalendarState.get_full_name()
    assert any(calendar in delta and delta[calendar].get("cells_rx_state_") for delta in outcomes[0].deltas)
    assert outcomes[3].navigations  # the visitor is sent to sign in: an event, not a delta
    for packet in packets:
        ours, reflex = _both(packet)
        assert json.loads(ours) == json.loads(reflex)


def test_dates_go_through_reflex_and_what_orjson_refuses_is_written_by_reflex():
    moment = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    for value in ({"at": moment, "day": moment.date(), 7: "seven"}, {"count": 2**70}):
        ours, reflex = _both(["event", StateUpdate(delta={"state": value})])
        assert json.loads(ours) == json.loads(reflex)
    assert str(2**70) in _both(["event", {"count": 2**70}])[0]


def test_the_apps_socket_writes_with_it_whatever_a_client_in_the_process_sets(hub, monkeypatch):
    server_packet = hub.app.sio.packet_class
    monkeypatch.setattr(Packet, "json", Packet.json)  # the client below changes it for the process
    socketio.AsyncClient(json=SimpleNamespace(dumps=json.dumps, loads=json.loads))  # sets Packet.json
    assert server_packet is not Packet and issubclass(server_packet, Packet)
    assert server_packet.json.dumps.__module__ == "hub_app.wire_json"
    update = ["event", StateUpdate(delta={"state": {"x_rx_state_": "Tersimpan.", "at_rx_state_": datetime.now(UTC)}})]
    encoded = server_packet(data=update, namespace="/_event").encode()
    assert encoded.startswith("2/_event,")
    assert json.loads(encoded[len("2/_event,"):]) == json.loads(_sio_dumps(update, **COMPACT))

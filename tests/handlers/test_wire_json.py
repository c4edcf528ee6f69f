"""The event socket's JSON (hub_app/wire_json.py): the updates real pages send read back as the same
values whether orjson or Reflex's own encoder wrote them, a value orjson refuses is written by
Reflex's encoder, lists of plain dataclasses read back the same while other dataclasses are left to
Reflex, and the app's socket writes with it, even after a Socket.IO client in the same
process set python-socketio's shared json."""

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import SimpleNamespace

import socketio
from reflex.app import _sio_dumps, _sio_loads
from reflex.state import StateUpdate
from socketio.packet import Packet

from hub_app.pages.book import CalendarState
from hub_app.services.calendar_drawing import CalendarCell, SpaceStarts
from hub_app.wire_json import is_plain_dataclass, packet_json
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


@dataclass
class _Chip:
    label: str
    day: date | None


@dataclass
class _Row:
    name: str
    at: datetime
    chips: list[_Chip]
    counts: dict[str, int]
    note: str = ""


@dataclass
class _Hidden:
    name: str
    _secret: str = "kept by Reflex's writer"


@dataclass
class _Derived:
    name: str
    size: int = dataclasses.field(init=False, default=3)


@dataclass
class _Anything:
    value: object


@dataclass
class _Tree:
    name: str
    children: list["_Tree"]


def test_lists_of_plain_dataclasses_read_back_as_reflex_writes_them():
    moment = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    rows = [_Row("Ruang Rapat A", moment, [_Chip("10.00", moment.date()), _Chip("Jam lainnya", None)], {"free": 2}),
            _Row("Meja 3", moment, [], {}, note="ditutup")]
    assert is_plain_dataclass(_Row) and is_plain_dataclass(CalendarCell) and is_plain_dataclass(SpaceStarts)
    ours, reflex = _both(["event", StateUpdate(delta={"state": {"rows_rx_state_": rows, "count_rx_state_": 2}})])
    assert json.loads(ours) == json.loads(reflex)


def test_dataclasses_orjson_would_write_otherwise_are_left_to_reflex():
    moment = datetime(2026, 12, 3, tzinfo=UTC)
    tree = _Tree("root", [_Tree("leaf", [])])
    values = [[_Hidden("a")], [_Derived("b")], [_Anything({"x": moment})], [tree],
              [_Row("mixed", moment, [], {}), _Hidden("c")]]
    for kind in (_Hidden, _Derived, _Anything, _Tree, StateUpdate):
        assert not is_plain_dataclass(kind)
    for value in values:
        ours, reflex = _both(["event", StateUpdate(delta={"state": {"v_rx_state_": value}})])
        assert json.loads(ours) == json.loads(reflex)
    assert "kept by Reflex's writer" in _both(["event", StateUpdate(delta={"state": {"v": [_Hidden("a")]}})])[0]

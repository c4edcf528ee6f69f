"""The JSON of the event socket's outgoing packets: what Reflex sends, written with orjson.

Reflex hands python-socketio a json of its own (reflex/app.py `_sio_dumps`): the standard library's
encoder, with Reflex's serializers for what is not a plain value. A calendar's update (hundreds of
cells) took 1.3 ms to write that way, and the updates' JSON was 5-6 % of a node's CPU under the
drill's load (README "Production"). orjson writes the same JSON (compact, UTF-8 unescaped) in less
than half the time. Everything that is not a plain value (dataclasses, dates and times, Reflex's own
types) still goes through Reflex's serializers, so the browser receives the same values; a value
orjson refuses (an integer beyond 64 bits) is written by Reflex's encoder, as before. Incoming
packets are read by Reflex's own loads.

The portal's dataclasses (a calendar's cells and start times, list rows) hold plain values, and
Reflex's serializer turns each into a dict in Python: for a calendar's update, 400 calls and 90 % of
its JSON time. A var holding a list of them is written by orjson's own dataclass support in one call
(the same fields, in the same order); a dataclass with any other kind of field, and every type
Reflex has a serializer for (its router data, a toast's action, the update itself), still goes
through Reflex.

python-socketio keeps its json on the packet class, and a Socket.IO client made in the same process
sets it on the shared base class; the server gets a packet class of its own, so nothing else changes
what it writes.
"""

import dataclasses
import functools
import types
import typing
from datetime import date, datetime, time
from types import SimpleNamespace

import orjson
from reflex.state import StateUpdate
from reflex_base.utils.serializers import get_serializer, serialize
from socketio.packet import Packet

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
_PLAIN_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME  # dates still go through Reflex
_PLAIN = (str, int, float, bool, types.NoneType, date, datetime, time)
_CONTAINERS = (list, tuple, dict, typing.Union, types.UnionType)
_being_checked: set[type] = set()  # a dataclass that holds itself (a tree) is left to Reflex


@functools.cache
def is_plain_dataclass(kind: type) -> bool:
    """A dataclass whose fields are plain values, containers of them, or such dataclasses, with no
    serializer of Reflex's: orjson writes it as Reflex would, a dict of all its fields (orjson leaves
    out fields named with "_" and those not in __init__, so such a dataclass is left to Reflex)."""
    if not dataclasses.is_dataclass(kind) or get_serializer(kind) or kind in _being_checked:
        return False
    _being_checked.add(kind)
    try:
        hints = typing.get_type_hints(kind)
        return all(field.init and not field.name.startswith("_") and _plain_type(hints[field.name])
                   for field in dataclasses.fields(kind))
    except Exception:  # an annotation that does not resolve: leave it to Reflex
        return False
    finally:
        _being_checked.discard(kind)


def _plain_type(hint) -> bool:
    if hint in _PLAIN or (isinstance(hint, type) and is_plain_dataclass(hint)):
        return True
    return typing.get_origin(hint) in _CONTAINERS and all(_plain_type(arg) for arg in typing.get_args(hint))


def _var_value(value):
    """A list of plain dataclasses as JSON written in one call; anything else as it is."""
    if isinstance(value, list) and value and all(map(is_plain_dataclass, {type(item) for item in value})):
        return orjson.Fragment(orjson.dumps(value, default=serialize, option=_PLAIN_OPTIONS))
    return value


def _update(update: StateUpdate) -> dict:
    """Reflex's dict of an update (its empty fields left out), its vars' values prepared as above."""
    written = serialize(update)
    delta = written.get("delta")
    if delta:
        written["delta"] = {state: {name: _var_value(value) for name, value in values.items()}
                            if isinstance(values, dict) else values for state, values in delta.items()}
    return written


def packet_json(reflex_json) -> SimpleNamespace:
    """python-socketio's json for the event socket: orjson out, Reflex's `reflex_json` in and as the
    fallback."""

    def dumps(value, **options) -> str:
        try:
            packet = [_update(item) if isinstance(item, StateUpdate) else item for item in value] \
                if isinstance(value, list) else value
            return orjson.dumps(packet, default=serialize, option=_OPTIONS).decode()
        except orjson.JSONEncodeError:
            return reflex_json.dumps(value, **options)

    return SimpleNamespace(dumps=dumps, loads=reflex_json.loads)


def packet_class(reflex_packet: type[Packet]) -> type[Packet]:
    """The server's packet class: Reflex's, writing with packet_json."""
    return type("HubPacket", (reflex_packet,), {"json": packet_json(reflex_packet.json)})

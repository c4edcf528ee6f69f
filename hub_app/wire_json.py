"""The JSON of the event socket's outgoing packets: what Reflex sends, written with orjson.

Reflex hands python-socketio a json of its own (reflex/app.py `_sio_dumps`): the standard library's
encoder, with Reflex's serializers for what is not a plain value. A calendar's update (hundreds of
cells) took 1.3 ms to write that way, and the updates' JSON was 5-6 % of a node's CPU under the
drill's load (README "Production"). orjson writes the same JSON (compact, UTF-8 unescaped) in less
than half the time. Everything that is not a plain value (dataclasses, dates and times, Reflex's own
types) still goes through Reflex's serializers, so the browser receives the same values; a value
orjson refuses (an integer beyond 64 bits) is written by Reflex's encoder, as before. Incoming
packets are read by Reflex's own loads.

python-socketio keeps its json on the packet class, and a Socket.IO client made in the same process
sets it on the shared base class; the server gets a packet class of its own, so nothing else changes
what it writes.
"""

from types import SimpleNamespace

import orjson
from reflex_base.utils.serializers import serialize
from socketio.packet import Packet

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def packet_json(reflex_json) -> SimpleNamespace:
    """python-socketio's json for the event socket: orjson out, Reflex's `reflex_json` in and as the
    fallback."""

    def dumps(value, **options) -> str:
        try:
            return orjson.dumps(value, default=serialize, option=_OPTIONS).decode()
        except orjson.JSONEncodeError:
            return reflex_json.dumps(value, **options)

    return SimpleNamespace(dumps=dumps, loads=reflex_json.loads)


def packet_class(reflex_packet: type[Packet]) -> type[Packet]:
    """The server's packet class: Reflex's, writing with packet_json."""
    return type("HubPacket", (reflex_packet,), {"json": packet_json(reflex_packet.json)})

"""The portal's log lines: one per HTTP request and one per event, with timing and outcome.

`configure_logging()` gives the `hub` loggers one handler on standard error: plain text lines by
default, JSON lines (one object per line: ts, level, logger, message and the record's fields) when
HUB_LOG_FORMAT=json, for a log shipper. Records still propagate, so whatever else collects logs
(pytest, a root handler) sees them too.

What goes in: ids and shapes, never personal data: a request's method, path with every segment that
could be a token or a name replaced by `*` (digits and lowercase words stay: /api/calendar/*,
/trainings/12), status and milliseconds; an event's handler name, tab id prefix, outcome and
milliseconds. No addresses, emails, names, query strings or payloads.

`install_log_escaping()` makes the records of Reflex's event path and of Socket.IO safe the same
way as the portal's own (hub_app.domain.log_text): what a visitor sent may reach their messages.
"""

import json
import logging
import re
import sys
import time
from datetime import UTC, datetime

from hub_app import metrics
from hub_app.domain.log_text import for_log, traceback_for_log
from hub_app.settings import get_settings

access_log = logging.getLogger("hub.access")
event_log = logging.getLogger("hub.events")

_PLAIN_SEGMENT = re.compile(r"^(?:\d{1,12}|[a-z][a-z_-]{0,39})(?:\.[a-z]{1,5})?$")
_FIELDS = ("kind", "method", "path", "status", "handler", "tab", "outcome", "ms")
_HANDLER = "hub_log_handler"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def path_for_log(path: str) -> str:
    """The path with each segment that is not a number or a lowercase word replaced by `*`."""
    segments = path.split("/")
    return "/".join(segment if not segment or _PLAIN_SEGMENT.match(segment) else "*" for segment in segments)[:200]


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                 "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        entry.update({name: getattr(record, name) for name in _FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(stream=None, log_format: str | None = None) -> logging.Handler:
    """Installs (or replaces) the hub loggers' handler; returns it. The format is HUB_LOG_FORMAT
    (settings.log_format) unless given."""
    hub = logging.getLogger("hub")
    for handler in [h for h in hub.handlers if getattr(h, _HANDLER, False)]:
        hub.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _HANDLER, True)
    if (log_format or get_settings().log_format) == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    hub.addHandler(handler)
    if hub.level == logging.NOTSET or hub.level > logging.INFO:
        hub.setLevel(logging.INFO)
    return handler


def log_event(handler: str, token: str, outcome: str, seconds: float) -> None:
    """One event handled: its line, its round trip in the histogram, its outcome counted."""
    milliseconds = round(seconds * 1000, 1)
    metrics.EVENT_SECONDS.labels(handler).observe(seconds)
    metrics.EVENTS.labels(handler, outcome).inc()
    tab = token[:8]
    event_log.info("event %s tab=%s %s %.1f ms", handler, tab, outcome, milliseconds,
                   extra={"kind": "event", "handler": handler, "tab": tab, "outcome": outcome, "ms": milliseconds})


class RequestLog:
    """ASGI middleware: one line and one histogram entry per HTTP request (not the websocket, whose
    events are logged one by one by hub_app/transport.py, nor Socket.IO's polling requests)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path", "").startswith("/_event"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app fails before it answers

        async def record_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            seconds = time.perf_counter() - started
            method = scope.get("method", "") if scope.get("method", "") in _METHODS else "OTHER"
            path = path_for_log(scope.get("path", ""))
            metrics.HTTP_SECONDS.labels(method, str(status)).observe(seconds)
            milliseconds = round(seconds * 1000, 1)
            access_log.info("%s %s %d %.1f ms", method, path, status, milliseconds,
                            extra={"kind": "request", "method": method, "path": path, "status": status,
                                   "ms": milliseconds})


# Loggers that write what arrives over the event socket (Reflex's event path, Socket.IO/Engine.IO).
_ESCAPED_LOGGERS = ("reflex.app", "reflex.state", "reflex.istate", "reflex.middleware", "reflex.utils.token_manager",
                    "reflex_base.event", "socketio", "engineio")
_LOG_LIMIT = 4000


def _escape_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:
        return
    record.msg, record.args = for_log(message, _LOG_LIMIT), None
    # Reflex's console handler would otherwise wrap a long line at 80 columns, and a visitor could
    # pad their text so that a wrapped line starts with words of their choosing.
    record.rich_kwargs = {**getattr(record, "rich_kwargs", {}), "soft_wrap": True}
    if record.exc_info and record.exc_info[1] is not None:
        record.msg += "\n" + traceback_for_log(record.exc_info[1])
        record.exc_info, record.exc_text = None, None


def install_log_escaping() -> None:
    """Wraps the log record factory once: records of the loggers above are escaped as created."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "hub_escapes", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        if record.name.startswith(_ESCAPED_LOGGERS):
            _escape_record(record)
        return record

    factory.hub_escapes = True
    logging.setLogRecordFactory(factory)

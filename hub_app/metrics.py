"""What the portal counts for /metrics (Prometheus text format, prometheus-client).

Measured in the process, where it happens:
- `hub_event_seconds{handler}`: an event's round trip on the server, from the moment the socket
  received it to the end of its handler's run (waiting behind the tab's earlier events, the handler,
  and sending its changes), per handler name; `hub_events_total{handler,outcome}` counts them by
  outcome (ok, refused: a HubError the handler left uncaught, error, cancelled).
- `hub_http_request_seconds{method,status}`: every HTTP request (pages, assets, API routes).
- `hub_database_seconds{operation}`: every SQL statement the portal sends (select, insert, update,
  delete, other), from the driver's call to its return.
- `hub_connected_tabs`: open event sockets (one per browser tab).
- `hub_calendar_redraw_delay_seconds`: how far behind an open calendar was when it redrew, from the
  first change that woke it to its redraw (the pause after its last redraw and its worker's turn:
  HUB_CALENDAR_REDRAWS_PER_SECOND; see hub_app/services/calendar_push.py).

Read from the database at each scrape (so every node reports the same figure, whichever node made
the change; aggregate across nodes with max(), not sum()):
- `hub_bookings_created{status}` (members' bookings by their status now),
  `hub_enrolments_created{status}`, `hub_outbox_backlog` (emails waiting to be sent),
  `hub_sign_in_failures` (failed password sign-ins ever recorded), `hub_database_up`.

Several backend workers (GRANIAN_WORKERS > 1): with PROMETHEUS_MULTIPROC_DIR set (an empty folder
per node, made fresh at each start, e.g. systemd's RuntimeDirectory=), every worker writes its
figures there and a scrape of any worker reads them all (prometheus-client's multiprocess mode; the
connected tabs of a worker that died are dropped at the next scrape). Without it each worker
reports only its own figures, which is right for the single-worker SQLite path.
"""

import os
import time
from pathlib import Path

_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if _MULTIPROC_DIR:  # prometheus-client refuses a missing folder; make it before the library reads it
    Path(_MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)

from prometheus_client import (  # noqa: E402  (after the folder exists)
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

CONTENT_TYPE = CONTENT_TYPE_LATEST
_EVENT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_DB_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0)

EVENT_SECONDS = Histogram("hub_event_seconds", "Event round trip on the server, per handler",
                          ["handler"], buckets=_EVENT_BUCKETS)
EVENTS = Counter("hub_events", "Events handled, per handler and outcome", ["handler", "outcome"])
HTTP_SECONDS = Histogram("hub_http_request_seconds", "HTTP requests, per method and status",
                         ["method", "status"], buckets=_EVENT_BUCKETS)
DATABASE_SECONDS = Histogram("hub_database_seconds", "SQL statements, per kind", ["operation"],
                             buckets=_DB_BUCKETS)
CONNECTED_TABS = Gauge("hub_connected_tabs", "Open event sockets (browser tabs)", multiprocess_mode="livesum")
CALENDAR_REDRAW_DELAY = Histogram("hub_calendar_redraw_delay_seconds",
                                  "From the first change that woke an open calendar to its redraw",
                                  buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0))

_OPERATIONS = frozenset({"select", "insert", "update", "delete"})
_STARTED = "hub_metrics_started"


def operation_of(statement: str) -> str:
    word = statement.lstrip().split(None, 1)[0].lower() if statement.strip() else ""
    return word if word in _OPERATIONS else "other"


def _before_statement(connection, cursor, statement, parameters, context, executemany):
    connection.info.setdefault(_STARTED, []).append(time.perf_counter())


def _after_statement(connection, cursor, statement, parameters, context, executemany):
    started = connection.info.get(_STARTED)
    if started:
        DATABASE_SECONDS.labels(operation_of(statement)).observe(time.perf_counter() - started.pop())


def _failed_statement(context) -> None:
    # A statement that raised has no "after": drop its start so the connection's list stays short.
    started = context.connection.info.get(_STARTED) if context.connection is not None else None
    if started:
        started.pop()


def time_database() -> None:
    """Times every statement of every engine (the portal's, Alembic's, the tests')."""
    if not event.contains(Engine, "before_cursor_execute", _before_statement):
        event.listen(Engine, "before_cursor_execute", _before_statement)
        event.listen(Engine, "after_cursor_execute", _after_statement)
        event.listen(Engine, "handle_error", _failed_statement)


class DatabaseFigures:
    """The figures read from the database at each scrape (a Prometheus custom collector)."""

    def __init__(self, figures: dict | None):
        self.figures = figures

    def collect(self):
        up = GaugeMetricFamily("hub_database_up", "Whether the scrape could read the database")
        up.add_metric([], 0 if self.figures is None else 1)
        yield up
        if self.figures is None:
            return
        for name, text in (("bookings", "Members' bookings, by status now"),
                           ("enrolments", "Enrolments in trainings, by status now")):
            family = GaugeMetricFamily(f"hub_{name}_created", text, labels=["status"])
            for status, count in sorted(self.figures[name].items()):
                family.add_metric([status], count)
            yield family
        yield GaugeMetricFamily("hub_outbox_backlog", "Emails waiting to be sent", value=self.figures["outbox"])
        yield GaugeMetricFamily("hub_sign_in_failures", "Failed password sign-ins recorded",
                                value=self.figures["sign_in_failures"])


def read_database_figures() -> dict:
    from sqlalchemy import text

    from hub_app.db import new_session

    with new_session() as session:
        bookings = dict(session.exec(text(
            "SELECT status, count(*) FROM bookings WHERE kind = 'member' GROUP BY status")).all())
        enrolments = dict(session.exec(text("SELECT status, count(*) FROM enrolments GROUP BY status")).all())
        outbox = session.exec(text(
            "SELECT count(*) FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL")).scalar_one()
        failures = session.exec(text(
            "SELECT count(*) FROM sign_in_attempts WHERE succeeded = false")).scalar_one()
    return {"bookings": bookings, "enrolments": enrolments, "outbox": outbox, "sign_in_failures": failures}


def _drop_dead_workers(folder: str) -> None:
    """Connected tabs are a live sum: a worker that died (killed, respawned) no longer holds any."""
    for path in Path(folder).glob("gauge_livesum_*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            multiprocess.mark_process_dead(int(pid), folder)


def exposition(figures: dict | None) -> bytes:
    """The Prometheus text of this node: every worker's figures, and the database's."""
    registry = CollectorRegistry()
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    if folder:
        _drop_dead_workers(folder)
        multiprocess.MultiProcessCollector(registry, path=folder)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    extra = CollectorRegistry()
    extra.register(DatabaseFigures(figures))
    return text + generate_latest(extra)

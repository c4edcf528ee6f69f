"""The Reflex app: pages, the HTTP routes next to them, and background duties."""

import reflex as rx

import hub_app.pages  # noqa: F401  (registers every page)
from hub_app.api import build_api, wrap_with_headers
from hub_app.background import run_background_duties
from hub_app.components.document import overlay, toaster
from hub_app.drain import drain_on_sigterm
from hub_app.gc_tuning import tune_garbage_collector
from hub_app.logs import configure_logging
from hub_app.metrics import time_database
from hub_app.state.navigation import OneEventNavigation
from hub_app.state_files import throttle_state_file_purge
from hub_app.state_locks import keep_state_locks_alive
from hub_app.transport import guard_transport

DESCRIPTION = ("Jakarta Future City Hub: ruang kerja bersama, ruang rapat, pelatihan wirausaha dan jejaring "
               "untuk UMKM digital dan startup di Jakarta.")

app = rx.App(
    stylesheets=["/hub.css"],
    api_transformer=[build_api(), wrap_with_headers],
    # Indonesian is the default language of the prerendered HTML; after hydration <html lang> follows
    # the chosen one (components/document.py), and the shell marks it on its root element too.
    html_lang="id",
    # Reflex's notification region and connection notice, with their labels in the chosen language.
    toaster=toaster(),
    head_components=[
        rx.el.meta(name="theme-color", content="#0b5f73"),
        rx.el.meta(name="description", content=DESCRIPTION),
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
    ],
)
app.app_wraps[(5, "Overlay")] = lambda stateful: overlay() if stateful else None
app.register_lifespan_task(run_background_duties)
# Startup's million objects out of the garbage collector's walks, young ones collected less often.
app.register_lifespan_task(tune_garbage_collector)
# A deploy's SIGTERM first moves this worker's tabs to other nodes (hub_app/drain.py).
app.register_lifespan_task(drain_on_sigterm)
# One log line per request and event (JSON lines with HUB_LOG_FORMAT=json); SQL timed for /metrics.
configure_logging()
time_database()
# A page navigation is one event, not three (hub_app/state/navigation.py).
app.add_middleware(OneEventNavigation())
# Every socket event passes a door first: rate, size, shape, client storage, error reports.
guard_transport(app)
# Without Redis, tab states are files whose expiry scan Reflex would run many times a second.
throttle_state_file_purge(app)
# With Redis, the tab state locks this node uses are renewed (an event waiting long for the database
# keeps what its tab did), and one busy tab does not hold up the hand-over of the others (state_locks.py).
keep_state_locks_alive(app)

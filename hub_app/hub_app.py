"""The Reflex app: pages, the HTTP routes next to them, and background duties."""

import reflex as rx

import hub_app.pages  # noqa: F401  (registers every page)
from hub_app.api import build_api, wrap_with_headers
from hub_app.background import run_background_duties

app = rx.App(
    stylesheets=["/hub.css"],
    api_transformer=[build_api(), wrap_with_headers],
    head_components=[rx.el.meta(name="theme-color", content="#0b5f73")],
)
app.register_lifespan_task(run_background_duties)

"""Plain HTTP routes mounted next to Reflex: sign-in cookie exchange, media, health, metrics, exports;
every request timed and logged (hub_app.logs.RequestLog) around the response headers."""

from starlette.applications import Starlette

from hub_app.api import (
    audit,
    auth,
    calendar,
    certificates,
    events,
    events_pages,
    exports,
    health,
    media,
    metrics,
    oidc,
    profile,
    reports,
    trainings,
)
from hub_app.api.headers import CacheAndSecurityHeaders
from hub_app.drain import DrainDoor
from hub_app.logs import RequestLog

routes = [*auth.routes, *oidc.routes, *profile.routes, *media.routes, *health.routes, *calendar.routes,
          *trainings.routes, *audit.routes, *reports.routes, *exports.routes, *events_pages.routes,
          *metrics.routes, *certificates.routes, *events.routes]


def build_api() -> Starlette:
    return Starlette(routes=routes)


def wrap_with_headers(app):
    return RequestLog(CacheAndSecurityHeaders(DrainDoor(app)))

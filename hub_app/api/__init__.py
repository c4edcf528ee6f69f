"""Plain HTTP routes mounted next to Reflex: sign-in cookie exchange, media, health, exports."""

from starlette.applications import Starlette

from hub_app.api import audit, auth, calendar, certificates, exports, health, media, oidc, profile, reports, trainings
from hub_app.api.headers import CacheAndSecurityHeaders

routes = [*auth.routes, *oidc.routes, *profile.routes, *media.routes, *health.routes, *calendar.routes,
          *trainings.routes, *audit.routes, *reports.routes, *exports.routes,
          *certificates.routes]


def build_api() -> Starlette:
    return Starlette(routes=routes)


def wrap_with_headers(app):
    return CacheAndSecurityHeaders(app)

"""The monthly programme report as a PDF download for staff, authenticated by the HttpOnly session
cookie like the training exports:
- GET /api/admin/reports/programme-2026-11-en.pdf (the month and language in the file's name, so a
  saved download keeps them);
- GET /api/admin/reports/programme.pdf?month=2026-11&lang=en (the same, for forms and scripts).
401 for a visitor, 403 for anyone but active staff (the service decides), 400 for a bad month or
language."""

import asyncio
import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub_app.api.session_cookie import token_from_cookie_header
from hub_app.db import new_session
from hub_app.domain.errors import HubError, NotAllowed
from hub_app.services import programme_report, sign_in_sessions

_PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
_NAMED = re.compile(r"programme-(?P<month>[^/]{1,20})-(?P<lang>[^/-]{1,10})\.pdf")
_REFUSALS = {401: "Sign in required", 403: "Staff only", 400: "Bad request"}


def _report(cookie: str, month: str, lang: str) -> tuple[int, programme_report.ProgrammeReport | None]:
    with new_session() as session:
        actor = sign_in_sessions.actor_for_token(session=session, token=token_from_cookie_header(cookie))
        try:
            return 200, programme_report.programme_report(actor, session=session, month=month, lang=lang)
        except NotAllowed:
            return (401 if actor is None else 403), None
        except HubError:
            return 400, None


async def report_pdf(request: Request) -> Response:
    name = request.path_params["name"]
    if name == "programme.pdf":
        month, lang = request.query_params.get("month", ""), request.query_params.get("lang", "")
    elif match := _NAMED.fullmatch(name):
        month, lang = match["month"], match["lang"]
    else:
        return Response("Not found", status_code=404, media_type="text/plain", headers=_PRIVATE)
    status, report = await asyncio.to_thread(_report, request.headers.get("cookie", ""), month, lang)
    if report is None:
        return Response(_REFUSALS[status], status_code=status, media_type="text/plain", headers=_PRIVATE)
    return Response(report.pdf, media_type="application/pdf", headers=_PRIVATE | {
        "Content-Disposition": f'attachment; filename="{report.filename}"'})


routes = [Route("/api/admin/reports/{name}", report_pdf, methods=["GET"])]

"""GET /api/admin/audit.csv: the audit log's filtered entries as CSV for staff, authenticated by the
HttpOnly session cookie (the service checks that the actor is staff). The filters are the page's,
from the query string: staff, member, action, from, to."""

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub_app.api.session_cookie import token_from_cookie_header
from hub_app.db import new_session
from hub_app.domain.errors import HubError, NotAllowed
from hub_app.services import audit, sign_in_sessions

_PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
_FILTERS = {"staff": "staff_id", "member": "member", "action": "action", "from": "date_from", "to": "date_to"}


def _export(cookie: str, filters: dict[str, str]) -> tuple[int, str]:
    with new_session() as session:
        actor = sign_in_sessions.actor_for_token(session=session, token=token_from_cookie_header(cookie))
        try:
            return 200, audit.export_csv(actor, session=session, **filters)
        except NotAllowed:
            return (401 if actor is None else 403), ""
        except HubError:
            return 400, ""


async def export_csv(request: Request) -> Response:
    filters = {name: request.query_params.get(key, "")[:300] for key, name in _FILTERS.items()}
    status, body = await asyncio.to_thread(_export, request.headers.get("cookie", ""), filters)
    if status != 200:
        return Response({401: "Sign in required", 403: "Staff only"}.get(status, "Bad request"),
                        status_code=status, media_type="text/plain", headers=_PRIVATE)
    # A byte order mark so that spreadsheet programs read the names' accents as UTF-8.
    return Response("\ufeff" + body, media_type="text/csv; charset=utf-8", headers=_PRIVATE | {
        "Content-Disposition": 'attachment; filename="audit-log.csv"'})


routes = [Route("/api/admin/audit.csv", export_csv, methods=["GET"])]

"""HTTP route of events: GET /api/events/tickets/<code>/<token>.ics, "add to calendar" for a
registration with a seat (the link in its mails and on the event page). No cookie needed: the
token is a keyed hash of the ticket code (services/events/common.ics_token), so the address
itself is the permission and a guest without an account can use it."""

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub_app.db import new_session
from hub_app.services import events

_PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"}


def _ics(code: str, token: str) -> bytes | None:
    with new_session() as session:
        return events.registration_ics(session=session, ticket_code=code, token=token)


async def ticket_calendar(request: Request) -> Response:
    code, token = request.path_params["code"], request.path_params["token"]
    body = await asyncio.to_thread(_ics, code, token)
    if body is None:
        return Response("Not found", status_code=404, media_type="text/plain", headers=_PRIVATE)
    return Response(body, media_type="text/calendar; charset=utf-8", headers=_PRIVATE | {
        "Content-Disposition": 'attachment; filename="event.ics"'})


routes = [Route("/api/events/tickets/{code}/{token}.ics", ticket_calendar, methods=["GET"])]

"""iCalendar routes: the member's secret feed URL (subscribed to by Google Calendar or a phone),
one booking as an .ics file ("add to my calendar", authenticated by the session cookie), and the
staff upload of space photos (a plain multipart form, refused from other origins)."""

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub_app.api.session_cookie import token_from_cookie_header
from hub_app.api.uploads import receive_upload
from hub_app.db import new_session
from hub_app.domain.bookings import may_manage_bookings
from hub_app.domain.errors import HubError
from hub_app.services import calendar_feed, sign_in_sessions, spaces
from hub_app.settings import get_settings

_ICS_HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def _feed(token: str) -> bytes | None:
    with new_session() as session:
        return calendar_feed.feed_for_token(session=session, token=token)


async def personal_feed(request: Request) -> Response:
    body = await asyncio.to_thread(_feed, request.path_params["token"])
    if body is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response(body, media_type="text/calendar; charset=utf-8", headers=_ICS_HEADERS)


def _booking(cookie: str, booking_id: str) -> bytes | None:
    with new_session() as session:
        actor = sign_in_sessions.actor_for_token(session=session, token=token_from_cookie_header(cookie))
        try:
            return calendar_feed.booking_ics(actor, session=session, booking_id=booking_id)
        except HubError:
            return None


async def booking_file(request: Request) -> Response:
    body = await asyncio.to_thread(_booking, request.headers.get("cookie", ""), request.path_params["booking_id"])
    if body is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    headers = _ICS_HEADERS | {
        "Content-Disposition": f'attachment; filename="booking-{int(request.path_params["booking_id"])}.ics"'}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


async def upload_space_photo(request: Request) -> Response:
    space_id = request.path_params["space_id"]
    outcome = await receive_upload(
        request, field="photo", limit=2 * get_settings().max_avatar_bytes, too_large="space.error.photo_too_large",
        permitted=may_manage_bookings,
        save=lambda actor, session, data, form: spaces.add_photo(actor, session=session, space_id=str(space_id),
                                                                 data=data))
    if outcome is None:
        return Response(status_code=403)
    return RedirectResponse(f"/admin/spaces?space={space_id}&photo={outcome.problem or 'ok'}", status_code=303)


routes = [
    Route("/api/calendar/{token}.ics", personal_feed, methods=["GET"]),
    Route("/api/bookings/{booking_id:int}.ics", booking_file, methods=["GET"]),
    Route("/api/spaces/{space_id:int}/photos", upload_space_photo, methods=["POST"]),
]

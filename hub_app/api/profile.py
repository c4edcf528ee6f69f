"""POST /api/me/avatar: a plain multipart upload (works without page scripts), authenticated by
the HttpOnly session cookie and refused from other origins."""

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub_app.api.uploads import read_upload, same_origin, save_as_cookie_actor
from hub_app.services import profiles
from hub_app.settings import get_settings


async def upload_avatar(request: Request) -> Response:
    if not same_origin(request):
        return Response(status_code=403)
    upload = await read_upload(request, "avatar", get_settings().max_avatar_bytes)
    if upload is None:
        return RedirectResponse("/profile?avatar=error.avatar_too_large", status_code=303)
    data, _ = upload
    problem = await asyncio.to_thread(
        save_as_cookie_actor, request.headers.get("cookie", ""),
        lambda actor, session: profiles.save_avatar(actor, session=session, data=data))
    return RedirectResponse(f"/profile?avatar={problem or 'ok'}", status_code=303)


routes = [Route("/api/me/avatar", upload_avatar, methods=["POST"])]

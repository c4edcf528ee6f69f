"""POST /api/me/avatar: a plain multipart upload (works without page scripts), authenticated by
the HttpOnly session cookie and refused from other origins."""

import asyncio
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub_app.api.session_cookie import token_from_cookie_header
from hub_app.db import new_session
from hub_app.domain.errors import HubError
from hub_app.services import accounts, profiles
from hub_app.settings import get_settings


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    if not origin:
        return False
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" in {*get_settings().allowed_origins,
                                                  f"{request.url.scheme}://{request.url.netloc}"}


def _save(token: str, data: bytes) -> str:
    with new_session() as session:
        actor = accounts.actor_for_token(session=session, token=token)
        try:
            profiles.save_avatar(actor, session=session, data=data)
        except HubError as error:
            return error.key
    return ""


async def upload_avatar(request: Request) -> Response:
    if not same_origin(request):
        return Response(status_code=403)
    limit = get_settings().max_avatar_bytes
    if int(request.headers.get("content-length") or 0) > limit + 64 * 1024:
        return RedirectResponse("/profile?avatar=error.avatar_too_large", status_code=303)
    form = await request.form(max_files=1, max_fields=2, max_part_size=limit + 1)
    upload = form.get("avatar")
    data = await upload.read(limit + 1) if hasattr(upload, "read") else b""
    problem = await asyncio.to_thread(_save, token_from_cookie_header(request.headers.get("cookie", "")), data)
    return RedirectResponse(f"/profile?avatar={problem or 'ok'}", status_code=303)


routes = [Route("/api/me/avatar", upload_avatar, methods=["POST"])]

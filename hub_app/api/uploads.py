"""Image uploads by plain multipart forms (avatars, space photos, trainer photos): refused from
other origins, size-capped before the body is read, and saved by a service as the cookie's actor."""

from collections.abc import Callable
from urllib.parse import urlsplit

from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.requests import Request

from hub_app.api.session_cookie import token_from_cookie_header
from hub_app.db import new_session
from hub_app.domain.errors import HubError
from hub_app.domain.permissions import Actor
from hub_app.services import accounts
from hub_app.settings import get_settings

# Multipart framing and the other small fields around the file.
_FORM_OVERHEAD = 64 * 1024


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    if not origin:
        return False
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" in {*get_settings().allowed_origins,
                                                  f"{request.url.scheme}://{request.url.netloc}"}


async def read_upload(request: Request, field: str, limit: int) -> tuple[bytes, FormData] | None:
    """The file's bytes (at most limit + 1, so the service can tell "too large") and the form,
    or None when the request is larger than such a form can be."""
    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        return None
    if declared > limit + _FORM_OVERHEAD:
        return None
    form = await request.form(max_files=1, max_fields=3, max_part_size=limit + 1)
    upload = form.get(field)
    data = await upload.read(limit + 1) if hasattr(upload, "read") else b""
    return data, form


def save_as_cookie_actor(cookie_header: str, save: Callable[[Actor | None, Session], object]) -> str:
    """Runs save(actor, session) for the session cookie's actor; returns "" or the refusal's key."""
    with new_session() as session:
        actor = accounts.actor_for_token(session=session, token=token_from_cookie_header(cookie_header))
        try:
            save(actor, session)
        except HubError as error:
            return error.key
    return ""

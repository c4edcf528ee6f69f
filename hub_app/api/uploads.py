"""Image uploads by plain multipart forms (avatars, space photos, trainer photos): one path for all.

`receive_upload` does, in this order, so that a request costs only as much as its sender may spend:
1. refuses other origins;
2. looks up the session cookie's actor and the route's cheap permission check (staff only, ...):
   a visitor or a refused actor is answered before a byte of the body is read;
3. reads the body while it streams and stops as soon as it passes the size cap: a declared
   Content-Length above it is refused at once, a chunked body (no Content-Length) is counted, and
   nothing past the cap is read or buffered;
4. lets the service check, decode and save the file as the cookie's actor (services/images.py
   refuses images with too many pixels before decoding them).
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.types import Message, Receive

from hub_app.api.session_cookie import token_from_cookie_header
from hub_app.db import new_session
from hub_app.domain.errors import HubError
from hub_app.domain.permissions import Actor
from hub_app.services import sign_in_sessions
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


def actor_for_cookie(cookie_header: str) -> Actor | None:
    with new_session() as session:
        return sign_in_sessions.actor_for_token(session=session, token=token_from_cookie_header(cookie_header))


async def read_body(request: Request, cap: int) -> bytes | None:
    """The request body, or None as soon as it is larger than `cap` bytes (declared or counted)."""
    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        return None
    if declared > cap:
        return None
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > cap:
            return None  # the rest stays unread; the response ends the request
        chunks.append(chunk)
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def read_upload(request: Request, field: str, limit: int) -> tuple[bytes, FormData] | None:
    """The file's bytes (at most limit + 1, so the service can tell "too large") and the form,
    or None when the request is larger than such a form can be."""
    body = await read_body(request, limit + _FORM_OVERHEAD)
    if body is None:
        return None
    form = await Request(request.scope, _replay(body)).form(max_files=1, max_fields=3, max_part_size=limit + 1)
    upload = form.get(field)
    data = await upload.read(limit + 1) if hasattr(upload, "read") else b""
    return data, form


def save_as_cookie_actor(cookie_header: str, save: Callable[[Actor | None, Session], object]) -> str:
    """Runs save(actor, session) for the session cookie's actor; returns "" or the refusal's key."""
    with new_session() as session:
        actor = sign_in_sessions.actor_for_token(session=session, token=token_from_cookie_header(cookie_header))
        try:
            save(actor, session)
        except HubError as error:
            return error.key
    return ""


@dataclass
class UploadOutcome:
    problem: str  # "" when saved, else the catalogue key of the refusal
    form: FormData | None = None  # the form's other fields, when the body was read


async def receive_upload(request: Request, *, field: str, limit: int, too_large: str,
                         save: Callable[[Actor | None, Session, bytes, FormData], object],
                         permitted: Callable[[Actor], bool] | None = None,
                         refusal: str = "error.not_allowed") -> UploadOutcome | None:
    """The one upload path (see the module docstring). None: refused as cross-origin (answer 403).
    `permitted` is the route's cheap check of the actor before the body is read (the service still
    checks everything itself); `save(actor, session, data, form)` runs the service."""
    if not same_origin(request):
        return None
    cookie = request.headers.get("cookie", "")
    actor = await asyncio.to_thread(actor_for_cookie, cookie)
    if actor is None:
        return UploadOutcome("error.sign_in_required")
    if permitted is not None and not permitted(actor):
        return UploadOutcome(refusal)
    upload = await read_upload(request, field, limit)
    if upload is None:
        return UploadOutcome(too_large)
    data, form = upload
    problem = await asyncio.to_thread(save_as_cookie_actor, cookie,
                                      lambda actor, session: save(actor, session, data, form))
    return UploadOutcome(problem, form)

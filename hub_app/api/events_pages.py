"""HTTP routes of the events pages:
- GET /events/<id>: the event's page with its OpenGraph/Twitter tags in the served HTML;
- POST /api/admin/events/<id>/photo: staff upload an event's photo (the one upload path, api/uploads.py).

Why /events/<id> is served here: WhatsApp, Telegram, Facebook, X and LinkedIn build a link's preview
from the <meta property="og:..."> tags of the HTML the address answers, without running scripts.
Reflex 0.10.1 prerenders only static routes; a dynamic route like /events/[event_id] is answered
with the app's one SPA fallback page (404.html, status 200), the same bytes for every event, and
rx.page(meta=...) tags are set by React after hydration, which crawlers never see. So this route
answers GET /events/<id> for everyone (browsers and crawlers alike, no user-agent sniffing) with
that same fallback page and the event's tags added to its <head>; the app then starts exactly as it
would from the static file. Drafts, cancelled or unknown events get the page without tags."""

import asyncio
from functools import lru_cache
from html import escape
from pathlib import Path

import brotli
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub_app.api.uploads import receive_upload
from hub_app.db import new_session
from hub_app.domain.errors import HubError
from hub_app.i18n import LOCALES
from hub_app.services import events
from hub_app.services.events.common import may_manage_events
from hub_app.settings import get_settings

_HEAD = b"<head>"


def _fallback_file() -> Path | None:
    """The compiled frontend's SPA fallback page (None when no frontend is built: the API alone)."""
    try:
        from reflex.utils import prerequisites
        from reflex_base import constants

        path = prerequisites.get_web_dir() / constants.Dirs.STATIC / "404.html"
    except Exception:  # no Reflex web dir configured (e.g. the API used on its own in a test)
        return None
    return path if path.is_file() else None


@lru_cache(maxsize=4)
def _read_fallback(path: Path, modified: float) -> bytes:
    return path.read_bytes()


def _share_tags(event_id: int, locale: str) -> str:
    """The <meta> tags of a published event for link previews ("" when there is nothing to show)."""
    with new_session() as session:
        try:
            view = events.event_view(None, session=session, event_id=event_id, locale=locale)
        except HubError:
            return ""
    if view.status != "published":
        return ""
    url = f"{get_settings().public_base_url.rstrip('/')}/events/{view.id}"
    tags = [("property", "og:type", "website"), ("property", "og:site_name", "Jakarta Future City Hub"),
            ("property", "og:url", url), ("property", "og:title", view.og_title),
            ("property", "og:description", view.og_description),
            ("name", "twitter:card", "summary_large_image" if view.og_image_url else "summary"),
            ("name", "twitter:title", view.og_title), ("name", "twitter:description", view.og_description)]
    if view.og_image_url:
        tags += [("property", "og:image", view.og_image_url), ("name", "twitter:image", view.og_image_url)]
    return "".join(f'<meta {kind}="{escape(name)}" content="{escape(value)}"/>' for kind, name, value in tags)


def _locale(request: Request) -> str:
    """A shared link is read in Indonesian unless it asks for English (?lang=en or the language cookie)."""
    wanted = request.query_params.get("lang") or request.cookies.get("hub_lang") or "id"
    return wanted if wanted in LOCALES else "id"


async def event_page(request: Request) -> Response:
    event_id = request.path_params["event_id"]
    tags = await asyncio.to_thread(_share_tags, event_id, _locale(request)) if 0 < event_id < 2**31 else ""
    fallback = _fallback_file()
    if fallback is None:
        body = f"<!DOCTYPE html><html><head>{tags}</head><body></body></html>".encode()
    else:
        page = _read_fallback(fallback, fallback.stat().st_mtime)
        body = page.replace(_HEAD, _HEAD + tags.encode(), 1)
    headers = {"Vary": "Accept-Encoding"}
    if "br" in request.headers.get("accept-encoding", ""):
        body = brotli.compress(body, quality=5)
        headers["Content-Encoding"] = "br"
    return Response(body, media_type="text/html; charset=utf-8", headers=headers)


async def upload_event_photo(request: Request) -> Response:
    event_id = request.path_params["event_id"]
    outcome = await receive_upload(
        request, field="photo", limit=get_settings().max_avatar_bytes, too_large="error.avatar_too_large",
        permitted=may_manage_events, refusal="events.error.staff_only",
        save=lambda actor, session, data, form: events.save_event_photo(
            actor, session=session, event_id=event_id, data=data))
    if outcome is None:
        return Response(status_code=403)
    return RedirectResponse(f"/admin/events/{event_id}?photo={outcome.problem or 'ok'}", status_code=303)


routes = [
    Route("/events/{event_id:int}", event_page, methods=["GET", "HEAD"]),
    Route("/api/admin/events/{event_id:int}/photo", upload_event_photo, methods=["POST"]),
]

"""Who is signed in changes only here, by POSTs from the portal's own pages: the sign-in ticket is
exchanged for the HttpOnly cookie, and sign-out clears it. A page of another site can neither sign a
visitor into its own account (login CSRF) nor sign a member out."""

import asyncio
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from hub_app.api.session_cookie import (
    clear_session_cookie,
    from_portal_page,
    safe_next,
    set_session_cookie,
    token_from_cookie_header,
)
from hub_app.db import new_session
from hub_app.services import accounts, profiles, sign_in_sessions

# The exchange form holds a ticket, the tab token and a path: a few hundred bytes.
_MAX_FORM_BYTES = 4096


def _open_session(ticket: str, tab: str, previous: str, user_agent: str, address: str, locale: str) -> str | None:
    with new_session() as session:
        return accounts.open_session(session=session, ticket=ticket, tab=tab, previous_token=previous,
                                     user_agent=user_agent, client_address=address, chosen_locale=locale)


async def _small_form(request: Request) -> dict[str, str] | None:
    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        return None
    if declared > _MAX_FORM_BYTES or not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_FORM_BYTES:
            return None
    return dict(parse_qsl(body.decode("utf-8", "replace"), max_num_fields=5))


async def open_session(request: Request) -> Response:
    """POST /api/auth/session (ticket, tab, next): exchanges a sign-in ticket for the cookie.

    Only the portal's own page may post it, and only the tab that asked for the ticket can redeem it."""
    if not from_portal_page(request):
        return Response("cross-site request refused", status_code=403)
    form = await _small_form(request)
    if form is None:
        return RedirectResponse("/login?expired=1", status_code=303)
    previous = token_from_cookie_header(request.headers.get("cookie", ""))
    address = request.client.host if request.client else ""
    # The language the visitor chose before signing in (the hub_lang cookie) stays, on the account too.
    token = await asyncio.to_thread(_open_session, form.get("ticket", ""), form.get("tab", ""), previous,
                                    request.headers.get("user-agent", ""), address, request.cookies.get("hub_lang", ""))
    if token is None:
        return RedirectResponse("/login?expired=1", status_code=303)
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    set_session_cookie(response, token)
    return response


async def close_session(request: Request) -> Response:
    """POST /api/auth/sign-out (next): revokes the cookie's session and clears the cookie."""
    if not from_portal_page(request):
        return Response("cross-site request refused", status_code=403)
    form = await _small_form(request) or {}
    token = token_from_cookie_header(request.headers.get("cookie", ""))
    if token:
        await asyncio.to_thread(_sign_out, token)
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    clear_session_cookie(response)
    return response


def _sign_out(token: str) -> None:
    with new_session() as session:
        sign_in_sessions.sign_out(session=session, token=token)


def _export(token: str) -> dict | None:
    with new_session() as session:
        actor = sign_in_sessions.actor_for_token(session=session, token=token)
        if actor is None:
            return None
        return profiles.export_my_data(actor, session=session)


async def export_my_data(request: Request) -> Response:
    """GET /api/me/export: all my data as a JSON download."""
    data = await asyncio.to_thread(_export, token_from_cookie_header(request.headers.get("cookie", "")))
    if data is None:
        return JSONResponse({"error": "sign in required"}, status_code=401)
    return JSONResponse(data, headers={"Content-Disposition": 'attachment; filename="my-hub-data.json"',
                                       "Cache-Control": "no-store"})


routes = [
    Route("/api/auth/session", open_session, methods=["POST"]),
    Route("/api/auth/sign-out", close_session, methods=["POST"]),
    Route("/api/me/export", export_my_data, methods=["GET"]),
]

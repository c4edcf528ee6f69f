import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from hub_app.api.session_cookie import clear_session_cookie, safe_next, set_session_cookie, token_from_cookie_header
from hub_app.db import new_session
from hub_app.services import accounts, profiles


def _open_session(ticket: str, previous: str, user_agent: str, address: str) -> str | None:
    with new_session() as session:
        return accounts.open_session(session=session, ticket=ticket, previous_token=previous,
                                     user_agent=user_agent, client_address=address)


async def open_session(request: Request) -> Response:
    """GET /api/auth/session?ticket=…&next=/path: exchanges a sign-in ticket for the cookie."""
    previous = token_from_cookie_header(request.headers.get("cookie", ""))
    address = request.client.host if request.client else ""
    token = await asyncio.to_thread(_open_session, request.query_params.get("ticket", ""), previous,
                                    request.headers.get("user-agent", ""), address)
    if token is None:
        return RedirectResponse("/login?expired=1", status_code=303)
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    set_session_cookie(response, token)
    return response


async def close_session(request: Request) -> Response:
    """GET /api/auth/sign-out: the session is revoked by the sign-out event; this clears the cookie."""
    token = token_from_cookie_header(request.headers.get("cookie", ""))
    if token:
        await asyncio.to_thread(_sign_out, token)
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    clear_session_cookie(response)
    return response


def _sign_out(token: str) -> None:
    with new_session() as session:
        accounts.sign_out(session=session, token=token)


def _export(token: str) -> dict | None:
    with new_session() as session:
        actor = accounts.actor_for_token(session=session, token=token)
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
    Route("/api/auth/session", open_session, methods=["GET"]),
    Route("/api/auth/sign-out", close_session, methods=["GET"]),
    Route("/api/me/export", export_my_data, methods=["GET"]),
]

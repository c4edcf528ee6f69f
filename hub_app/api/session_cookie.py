"""The session cookie: HttpOnly, so page scripts never see the token; SameSite=Lax."""

from http.cookies import CookieError, SimpleCookie

from starlette.responses import Response

from hub_app.settings import get_settings

SESSION_COOKIE = "hub_session"


def token_from_cookie_header(header: str) -> str:
    if not header:
        return ""
    cookies = SimpleCookie()
    try:
        cookies.load(header)
    except CookieError:
        return ""
    morsel = cookies.get(SESSION_COOKIE)
    return morsel.value if morsel else ""


def set_session_cookie(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(SESSION_COOKIE, token, max_age=settings.session_days * 86400, httponly=True,
                        samesite="lax", secure=settings.secure_cookies, path="/")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=get_settings().secure_cookies)


def safe_next(path: str | None) -> str:
    """Only same-site paths, so the sign-in redirect cannot be turned into an open redirect."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path

"""The session cookie: HttpOnly, so page scripts never see the token; SameSite=Lax; named
`__Host-hub_session` when the portal is served over https. And the one check that a request which
changes who is signed in comes from the portal's own pages."""

from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from hub_app.settings import get_settings

# The cookie's name over plain http (development, tests); over https it is settings.session_cookie_name.
SESSION_COOKIE = "hub_session"


def token_from_cookie_header(header: str) -> str:
    if not header:
        return ""
    cookies = SimpleCookie()
    try:
        cookies.load(header)
    except CookieError:
        return ""
    morsel = cookies.get(get_settings().session_cookie_name)
    return morsel.value if morsel else ""


def set_session_cookie(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(settings.session_cookie_name, token, max_age=settings.session_days * 86400, httponly=True,
                        samesite="lax", secure=settings.secure_cookies, path="/")


def clear_session_cookie(response: Response) -> None:
    settings = get_settings()
    response.delete_cookie(settings.session_cookie_name, path="/", httponly=True, samesite="lax",
                           secure=settings.secure_cookies)


def from_portal_page(request: Request) -> bool:
    """Whether a state-changing request was sent by one of the portal's own pages.

    Browsers send Origin with every POST and Sec-Fetch-Site with every request; a form that
    another site submits carries that site's origin and "cross-site". A request with neither header
    did not come from a current browser's page and is refused too."""
    origin = request.headers.get("origin")
    if origin is not None:
        parts = urlsplit(origin)
        own = f"{request.url.scheme}://{request.url.netloc}"
        return f"{parts.scheme}://{parts.netloc}" in {*get_settings().allowed_origins, own}
    return request.headers.get("sec-fetch-site") == "same-origin"


def safe_next(path: str | None) -> str:
    """Only same-site paths, so the sign-in redirect cannot be turned into an open redirect."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path

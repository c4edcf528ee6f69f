"""Wraps every HTTP response and the websocket: long caching for content-hashed assets, no caching
for HTML, browser security headers; page URLs without a trailing slash served without a redirect;
the client address taken from X-Forwarded-For when the app runs behind trusted proxies."""

from pathlib import Path

from starlette.datastructures import MutableHeaders

from hub_app.settings import get_settings

IMMUTABLE = "public, max-age=31536000, immutable"
SECURITY_HEADERS = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
    ("permissions-policy", "camera=(self), geolocation=(), microphone=()"),
]


def _static_dir() -> Path | None:
    """The compiled frontend that the production server serves (None when it is not built)."""
    try:
        from reflex.utils import prerequisites
        from reflex_base import constants

        static = prerequisites.get_web_dir() / constants.Dirs.STATIC
    except Exception:  # no Reflex web dir configured (e.g. the API used on its own in a test)
        return None
    return static if static.is_dir() else None


def prerendered_page(path: str, static: Path | None) -> bool:
    """Whether `path` (no trailing slash) names a prerendered page folder (e.g. /login -> login/index.html).

    Starlette's static files answer such a path with a redirect to "/login/", which costs a phone a
    round trip on its first load; serving the page's file directly avoids it."""
    if static is None or path in ("", "/") or path.endswith("/") or ".." in path:
        return False
    last = path.rsplit("/", 1)[-1]
    if "." in last or path.startswith(("/api/", "/_", "/assets/")):
        return False
    return (static / path.lstrip("/") / "index.html").is_file()


def forwarded_client(headers: list[tuple[bytes, bytes]], hops: int) -> str | None:
    """The client address that the nearest `hops` trusted proxies report, like Reflex's own rule."""
    if hops <= 0:
        return None
    values = [value.decode("latin-1") for name, value in headers if name == b"x-forwarded-for"]
    addresses = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return addresses[-hops] if len(addresses) >= hops else None


class CacheAndSecurityHeaders:
    def __init__(self, app):
        self.app = app
        self.hops = get_settings().trusted_proxy_hops
        self._static: Path | None = None

    def static(self) -> Path | None:
        if self._static is None:
            self._static = _static_dir()
        return self._static

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        client = forwarded_client(scope.get("headers", []), self.hops)
        if client is not None:
            scope = dict(scope, client=(client, 0))
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        path = scope.get("path", "")
        if scope.get("method") in ("GET", "HEAD") and prerendered_page(path, self.static()):
            scope = dict(scope, path=path + "/", raw_path=(path + "/").encode())
        hashed_asset = path.startswith("/assets/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if hashed_asset and message.get("status") == 200:
                    headers["cache-control"] = IMMUTABLE
                elif "cache-control" not in headers:
                    headers["cache-control"] = "no-cache"
                for name, value in SECURITY_HEADERS:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""Wraps every HTTP response and the websocket: long caching for content-hashed assets, no caching
for HTML, browser security headers (a Content-Security-Policy on every answer, HSTS over https);
page URLs without a trailing slash served without a redirect; the client address taken from
X-Forwarded-For when the app runs behind trusted proxies."""

import base64
import gzip
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import brotli
from starlette.datastructures import MutableHeaders

from hub_app.settings import Settings, get_settings

IMMUTABLE = "public, max-age=31536000, immutable"
SECURITY_HEADERS = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
    ("permissions-policy", "camera=(self), geolocation=(), microphone=()"),
]


HSTS = "max-age=63072000; includeSubDomains"
# Answers that are not pages (JSON, calendars, images, scripts) may load and run nothing.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_INLINE_SCRIPT = re.compile(rb"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.DOTALL | re.IGNORECASE)


def page_policy(settings: Settings, script_hashes: frozenset[str]) -> str:
    """The policy of an HTML page. Its own inline scripts (the router's hydration data and module
    imports, different in every page) are allowed by their hashes; nothing inline that an attacker
    adds is. 'unsafe-eval' stays because Reflex runs the scripts an event handler sends back with
    eval (rx.call_script); inline styles because Reflex's components set style attributes."""
    sockets = sorted({_as_websocket(origin) for origin in (*settings.allowed_origins, settings.public_base_url)})
    hashes = " ".join(f"'sha256-{digest}'" for digest in sorted(script_hashes))
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'unsafe-eval' {hashes}".rstrip(),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        f"connect-src 'self' {' '.join(sockets)}".rstrip(),
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def _as_websocket(origin: str) -> str:
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"


@lru_cache(maxsize=256)
def inline_script_hashes(body: bytes, encoding: str) -> frozenset[str]:
    """The sha256 sources of a page's inline scripts (cached: a page's file rarely changes)."""
    try:
        if encoding == "br":
            body = brotli.decompress(body)
        elif encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding not in ("", "identity"):
            return frozenset()
    except (brotli.error, OSError, EOFError):
        return frozenset()
    found = set()
    for match in _INLINE_SCRIPT.finditer(body):
        if re.search(rb"\bsrc\s*=", match.group("attrs"), re.IGNORECASE):
            continue
        found.add(base64.b64encode(hashlib.sha256(match.group("body")).digest()).decode())
    return frozenset(found)


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError:
        return b""


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
        self.settings = get_settings()
        self.hops = self.settings.trusted_proxy_hops
        self.hsts = self.settings.public_base_url.startswith("https://")
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

        # An HTML page's policy names the hashes of its inline scripts, so its (small) body is read
        # before the headers go out.
        held: list[dict] = []

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
                if self.hsts:
                    headers["strict-transport-security"] = HSTS
                if headers.get("content-type", "").startswith("text/html") and message.get("status") != 304:
                    held.append(message)
                    return
                # A 304 keeps the policy of the cached page (its hashes); any other answer runs nothing.
                if message.get("status") != 304:
                    headers.setdefault("content-security-policy", API_POLICY)
                await send(message)
                return
            if held and message["type"] == "http.response.pathsend":
                # The server sends the page's file itself (ASGI pathsend): read it for the hashes.
                start = held.pop()
                await self._send_page_start(send, start, _read_file(message["path"]))
                await send(message)
                return
            if held and message["type"] == "http.response.body":
                held.append(message)
                if message.get("more_body", False):
                    return
                start, *bodies = held
                held.clear()
                body = b"".join(part.get("body", b"") for part in bodies)
                await self._send_page_start(send, start, body)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _send_page_start(self, send, start: dict, body: bytes) -> None:
        headers = MutableHeaders(scope=start)
        hashes = inline_script_hashes(body, headers.get("content-encoding", ""))
        headers["content-security-policy"] = page_policy(self.settings, hashes)
        await send(start)

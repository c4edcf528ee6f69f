"""Response headers for every HTTP response: long caching for content-hashed assets, no caching
for HTML, and browser security headers."""

from starlette.datastructures import MutableHeaders

IMMUTABLE = b"public, max-age=31536000, immutable"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(self), geolocation=(), microphone=()"),
]


class CacheAndSecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        hashed_asset = path.startswith("/assets/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if hashed_asset and message.get("status") == 200:
                    headers["cache-control"] = IMMUTABLE.decode()
                elif "cache-control" not in headers:
                    headers["cache-control"] = "no-cache"
                for name, value in SECURITY_HEADERS:
                    if name.decode() not in headers:
                        headers[name.decode()] = value.decode()
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""Response headers of the real production server (the compiled frontend is only served there):
content-hashed /assets/* cached for a year and precompressed, HTML never cached, security headers
everywhere, and the HTTP routes answering next to Reflex."""

import re

import httpx
import pytest

pytestmark = pytest.mark.browser

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def http(portal):
    with httpx.Client(base_url=portal.url, follow_redirects=False, timeout=20) as client:
        yield client


def asset_paths(html: str) -> list[str]:
    return sorted(set(re.findall(r'(/assets/[^"\'\s>]+\.(?:js|css))', html)))


def test_html_is_not_cached_and_assets_are_cached_for_a_year(http):
    page = http.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    assets = asset_paths(page.text)
    assert assets, "the home page references no /assets/ files"
    for path in assets[:5]:
        response = http.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == IMMUTABLE, path
        assert response.headers["x-content-type-options"] == "nosniff"


def test_assets_come_precompressed(http):
    [path, *_] = [p for p in asset_paths(http.get("/").text) if p.endswith(".js")]
    brotli = http.get(path, headers={"accept-encoding": "br"})
    assert brotli.headers.get("content-encoding") == "br"
    assert brotli.headers["cache-control"] == IMMUTABLE
    gzip = http.get(path, headers={"accept-encoding": "gzip"})
    assert gzip.headers.get("content-encoding") == "gzip"


def test_missing_assets_are_not_cached_for_a_year(http):
    response = http.get("/assets/not-there-0123456789.js")
    assert response.status_code == 404
    assert response.headers.get("cache-control") != IMMUTABLE


@pytest.mark.parametrize("path", ["/", "/login", "/signup", "/api/health", "/api/me/export"])
def test_security_headers_everywhere(path, http):
    response = http.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "permissions-policy" in response.headers
    policy = response.headers["content-security-policy"]
    if response.headers.get("content-type", "").startswith("text/html"):
        assert "script-src 'self' 'unsafe-eval' 'sha256-" in policy and "frame-ancestors 'none'" in policy
    else:
        assert policy.startswith("default-src 'none'")


def test_page_urls_without_a_trailing_slash_are_served_directly(http):
    response = http.get("/login")
    assert response.status_code == 200 and "<html" in response.text.lower()


def test_http_routes_answer_next_to_reflex(http, portal):
    assert http.get("/api/health").json() == {"status": "ok"}
    assert http.get("/api/me/export").status_code == 401
    # Who is signed in changes only by a POST from the portal's own pages.
    for path in ["/api/auth/session", "/api/auth/sign-out"]:
        plain_link = http.get(path, params={"ticket": "nope", "next": "/"})
        assert plain_link.status_code in (404, 405) and "set-cookie" not in plain_link.headers
    assert http.post("/api/auth/session", data={"ticket": "nope", "tab": "t"},
                     headers={"origin": "https://evil.example"}).status_code == 403
    assert http.post("/api/auth/session", data={"ticket": "nope", "tab": "t"},
                     headers={"origin": portal.url}).headers["location"] == "/login?expired=1"
    traversal = http.get("/media/avatars/..%2F..%2Fhub.db")
    assert traversal.status_code == 404 and b"SQLite" not in traversal.content
    refused = http.post("/api/me/avatar", files={"avatar": ("a.png", b"x", "image/png")},
                        headers={"origin": "https://evil.example"})
    assert refused.status_code == 403

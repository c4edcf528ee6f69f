"""The response wrapper: one-year immutable caching for hashed assets only, no-cache for the rest,
security headers, page folders served without a redirect, client address behind trusted proxies."""

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from hub_app.api import headers
from hub_app.api.headers import IMMUTABLE, CacheAndSecurityHeaders, forwarded_client, prerendered_page


@pytest.fixture
def static(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "entry-abc123.js").write_text("console.log(1)")
    (tmp_path / "login").mkdir()
    (tmp_path / "login" / "index.html").write_text("<html>login</html>")
    (tmp_path / "index.html").write_text("<html>home</html>")
    return tmp_path


def _client(static, monkeypatch, hops=0) -> TestClient:
    async def whoami(request: Request):
        return PlainTextResponse(request.client.host)

    inner = Starlette(routes=[Route("/api/whoami", whoami),
                              Mount("/", app=StaticFiles(directory=static, html=True))])
    monkeypatch.setattr(headers, "_static_dir", lambda: static)
    wrapper = CacheAndSecurityHeaders(inner)
    wrapper.hops = hops
    return TestClient(wrapper)


def test_hashed_assets_are_immutable_and_pages_are_revalidated(static, monkeypatch):
    client = _client(static, monkeypatch)
    asset = client.get("/assets/entry-abc123.js")
    assert asset.status_code == 200
    assert asset.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    page = client.get("/")
    assert page.headers["cache-control"] == "no-cache"
    missing = client.get("/assets/nope-000.js")
    assert missing.status_code == 404 and "immutable" not in missing.headers["cache-control"]
    for response in (asset, page, missing):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_page_folder_is_served_without_a_redirect(static, monkeypatch):
    client = _client(static, monkeypatch)
    response = client.get("/login", follow_redirects=False)
    assert response.status_code == 200
    assert response.text == "<html>login</html>"
    assert prerendered_page("/login", static)
    assert not prerendered_page("/login/", static)
    assert not prerendered_page("/api/login", static)
    assert not prerendered_page("/../login", static)
    assert not prerendered_page("/signup", static)  # no such folder: left to the app
    assert not prerendered_page("/login", None)  # frontend not built (development)


def test_client_address_from_trusted_proxies_only(static, monkeypatch):
    forwarded = {"X-Forwarded-For": "203.0.113.9, 10.0.0.2"}
    assert _client(static, monkeypatch, hops=0).get("/api/whoami", headers=forwarded).text == "testclient"
    assert _client(static, monkeypatch, hops=1).get("/api/whoami", headers=forwarded).text == "10.0.0.2"
    assert _client(static, monkeypatch, hops=2).get("/api/whoami", headers=forwarded).text == "203.0.113.9"
    # Fewer addresses than trusted hops: the header is not trusted at all.
    assert _client(static, monkeypatch, hops=3).get("/api/whoami", headers=forwarded).text == "testclient"
    assert forwarded_client([(b"x-forwarded-for", b"1.2.3.4")], 0) is None


def _page_with_scripts(static):
    hydration = "window.__hydration = {route: 'login'};"
    (static / "login" / "index.html").write_text(
        f'<html><head><script src="/assets/entry-abc123.js"></script><script>{hydration}</script>'
        '<script type="module">import "/assets/entry-abc123.js";</script></head><body></body></html>')
    return hydration


def test_pages_allow_exactly_their_own_inline_scripts(static, monkeypatch):
    import base64
    import hashlib

    hydration = _page_with_scripts(static)
    policy = _client(static, monkeypatch).get("/login").headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    digest = base64.b64encode(hashlib.sha256(hydration.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in directives["script-src"]
    # Two inline scripts, two hashes; no 'unsafe-inline' for scripts, no other sites.
    assert directives["script-src"].count("'sha256-") == 2
    assert "'unsafe-inline'" not in directives["script-src"] and "*" not in policy
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["form-action"] == "'self'" and directives["base-uri"] == "'self'"
    assert "ws://localhost:3000" in directives["connect-src"]


def test_the_same_page_compressed_gets_the_same_hashes(static, monkeypatch):
    import brotli

    _page_with_scripts(static)
    page = (static / "login" / "index.html").read_bytes()
    plain = headers.inline_script_hashes(page, "")
    assert len(plain) == 2
    assert headers.inline_script_hashes(brotli.compress(page), "br") == plain
    assert headers.inline_script_hashes(b"not brotli", "br") == frozenset()


def test_every_other_answer_may_run_nothing(static, monkeypatch):
    client = _client(static, monkeypatch)
    for path in ["/api/whoami", "/assets/entry-abc123.js", "/assets/missing-000.js"]:
        assert client.get(path).headers["content-security-policy"] == headers.API_POLICY, path
    assert "default-src 'none'" in headers.API_POLICY


def test_a_revalidated_page_keeps_the_policy_of_its_cached_copy(static, monkeypatch):
    """A 304 carries no policy: browsers merge its headers into the cached page's, and a policy
    without that page's script hashes would block the page's own scripts."""
    _page_with_scripts(static)
    client = _client(static, monkeypatch)
    first = client.get("/login")
    again = client.get("/login", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    assert "content-security-policy" not in again.headers


def test_hsts_and_host_prefix_only_over_https(static, monkeypatch):
    from hub_app.settings import Settings

    assert "strict-transport-security" not in _client(static, monkeypatch).get("/").headers
    secure = Settings(public_base_url="https://hub.example", allowed_origins=["https://hub.example"])
    monkeypatch.setattr(headers, "get_settings", lambda: secure)
    response = _client(static, monkeypatch).get("/")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert "wss://hub.example" in response.headers["content-security-policy"]
    assert secure.session_cookie_name == "__Host-hub_session"

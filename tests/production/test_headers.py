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

pytestmark = pytest.mark.xdist_group("production")


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

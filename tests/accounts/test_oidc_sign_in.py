"""Sign-in through an OpenID Connect provider, end to end over HTTP against a real provider."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from hub_app.api import build_api
from hub_app.api.session_cookie import SESSION_COOKIE
from hub_app.models import User, UserIdentity
from hub_app.services import sign_in_sessions
from hub_app.settings import get_settings
from tests.accounts.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    identity_file = tmp_path_factory.mktemp("oidc") / "identity.json"
    identity_file.write_text("{}")
    env = {**os.environ, "OIDC_TEST_ISSUER": issuer, "OIDC_TEST_IDENTITY": str(identity_file)}
    process = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "tests.accounts.oidc_provider:app"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).raise_for_status()
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the test OpenID Connect provider did not start") from None
            time.sleep(0.2)
    yield issuer, identity_file
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def portal_settings(provider, monkeypatch):
    issuer, _ = provider
    monkeypatch.setenv("HUB_OIDC_ISSUER", issuer)
    monkeypatch.setenv("HUB_OIDC_CLIENT_ID", "hub-portal")
    monkeypatch.setenv("HUB_OIDC_CLIENT_SECRET", "provider-test-secret")
    monkeypatch.setenv("HUB_PUBLIC_BASE_URL", "http://portal.test")
    get_settings.cache_clear()
    yield get_settings()
    monkeypatch.undo()
    get_settings.cache_clear()


async def _sign_in_through_provider(identity_file: Path, claims: dict, *, tamper_state: bool = False) -> httpx.Response:
    identity_file.write_text(json.dumps(claims))
    portal = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api()), base_url="http://portal.test")
    async with portal, httpx.AsyncClient() as browser:
        start = await portal.get("/api/auth/oidc/start", params={"next": "/profile"})
        assert start.status_code == 303
        at_provider = await browser.get(start.headers["location"])
        assert at_provider.status_code == 302
        back = httpx.URL(at_provider.headers["location"])
        params = dict(back.params)
        if tamper_state:
            params["state"] = "forged"
        return await portal.get(back.path, params=params)


def _session_token(response: httpx.Response) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{SESSION_COOKIE}="):
            assert "HttpOnly" in header and "SameSite=lax" in header
            return header.split(";", 1)[0].split("=", 1)[1]
    return ""


CLAIMS = {"sub": "jkt-123", "email": "Nadia@Jakarta.example", "email_verified": True, "name": "Nadia Putri"}


async def test_a_new_person_signs_in_and_becomes_a_pending_member(provider, portal_settings, app_db):
    response = await _sign_in_through_provider(provider[1], CLAIMS)
    assert response.status_code == 303 and response.headers["location"] == "/profile"
    token = _session_token(response)
    with Session(app_db, expire_on_commit=False) as session:
        actor = sign_in_sessions.actor_for_token(session=session, token=token)
        user = session.get(User, actor.user_id)
        assert (user.email_normalized, user.name, user.status) == ("nadia@jakarta.example", "Nadia Putri", "pending")
        assert user.email_verified_at is not None
        assert session.exec(select(UserIdentity)).one().subject == "jkt-123"

    again = await _sign_in_through_provider(provider[1], CLAIMS)
    with Session(app_db, expire_on_commit=False) as session:
        assert sign_in_sessions.actor_for_token(session=session, token=_session_token(again)).user_id == actor.user_id
        assert len(session.exec(select(User)).all()) == 1


async def test_an_existing_account_is_linked_by_verified_email(provider, portal_settings, app_db):
    with Session(app_db, expire_on_commit=False) as session:
        existing = make_user(session, "nadia@jakarta.example", name="Nadia")
    response = await _sign_in_through_provider(provider[1], CLAIMS)
    with Session(app_db, expire_on_commit=False) as session:
        assert sign_in_sessions.actor_for_token(session=session, token=_session_token(response)).user_id == existing.id


@pytest.mark.parametrize(("claims", "reason"), [
    ({**CLAIMS, "email_verified": False}, "error.oidc_failed"),
    ({**CLAIMS, "nonce": "replayed-nonce"}, "error.oidc_failed"),
])
async def test_unverified_email_or_wrong_nonce_is_refused(provider, portal_settings, app_db, claims, reason):
    response = await _sign_in_through_provider(provider[1], claims)
    assert response.headers["location"] == f"/login?oidc_error={reason}" and not _session_token(response)
    with Session(app_db, expire_on_commit=False) as session:
        assert session.exec(select(User)).all() == []


async def test_a_forged_state_is_refused(provider, portal_settings, app_db):
    response = await _sign_in_through_provider(provider[1], CLAIMS, tamper_state=True)
    assert response.headers["location"] == "/login?oidc_error=error.oidc_failed" and not _session_token(response)


async def test_a_suspended_member_is_not_signed_in(provider, portal_settings, app_db):
    with Session(app_db, expire_on_commit=False) as session:
        make_user(session, "nadia@jakarta.example", status="suspended")
    response = await _sign_in_through_provider(provider[1], CLAIMS)
    assert response.headers["location"] == "/login?oidc_error=error.oidc_suspended" and not _session_token(response)


async def test_without_configuration_the_routes_do_not_exist(app_db):
    portal = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api()), base_url="http://portal.test")
    async with portal:
        assert (await portal.get("/api/auth/oidc/start")).status_code == 404

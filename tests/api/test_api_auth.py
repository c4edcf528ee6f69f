"""/api/auth/session (sign-in ticket -> HttpOnly cookie), /api/auth/sign-out and /api/me/export.

Who is signed in changes only by a POST from the portal's own page: a browser sends Origin with it
(and Sec-Fetch-Site); a sign-in ticket is redeemable only with the tab token it was bound to."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from hub_app.models import OneTimeToken, User, UserSession
from hub_app.models.base import utcnow
from hub_app.services import accounts, sign_in_sessions
from hub_app.services.security import hash_token
from tests.api.conftest import ORIGIN
from tests.handlers.handler_harness import PASSWORD, count_rows, link_in_outbox, make_person

TAB = "3f0c1e9a-5a7b-4c55-9d7e-0a1b2c3d4e5f"
FROM_PORTAL = {"origin": ORIGIN, "sec-fetch-site": "same-origin"}


def ticket_for(engine, email: str, tab: str = TAB) -> str:
    """A sign-in ticket as the login page gets it: issued, then bound to the asking tab."""
    with Session(engine, expire_on_commit=False) as session:
        ticket = accounts.sign_in(None, session=session, email=email, password=PASSWORD,
                                  client_address="203.0.113.20")
        accounts.bind_ticket(session=session, ticket=ticket, tab=tab)
    return ticket


def exchange(client, ticket: str, *, tab: str = TAB, next_path: str = "/", headers: dict | None = None):
    return client.post("/api/auth/session", data={"ticket": ticket, "tab": tab, "next": next_path},
                       headers=FROM_PORTAL if headers is None else headers)


def sign_out(client, *, cookie: str = "", next_path: str = "/", headers: dict | None = None):
    headers = dict(FROM_PORTAL if headers is None else headers)
    if cookie:
        headers["cookie"] = cookie
    return client.post("/api/auth/sign-out", data={"next": next_path}, headers=headers)


def session_cookie(response) -> str | None:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith("hub_session="):
            return header
    return None


def actor_of_token(engine, token: str):
    with Session(engine) as session:
        return sign_in_sessions.actor_for_token(session=session, token=token)


@pytest.fixture
def member(api_db):
    return make_person(api_db, email="ani@test.example", name="Ani Member")


@pytest.fixture
def other(api_db):
    return make_person(api_db, email="other@test.example", name="Orang Lain")


# -- /api/auth/session -------------------------------------------------------------------------------


def test_a_ticket_becomes_an_httponly_lax_session_cookie(client, api_db, member):
    response = exchange(client, ticket_for(api_db, member.email), next_path="/profile")
    assert response.status_code == 303
    assert response.headers["location"] == "/profile"
    cookie = session_cookie(response)
    parts = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in parts and "samesite=lax" in parts and "path=/" in parts
    assert "secure" not in parts  # the portal under test is http://; https deployments get Secure
    assert any(part.startswith("max-age=") and int(part.split("=")[1]) > 86400 for part in parts)
    token = cookie.split(";")[0].split("=", 1)[1]
    actor = actor_of_token(api_db, token)
    assert actor is not None and actor.user_id == member.id
    # The token is stored hashed, never as is.
    with Session(api_db) as session:
        hashes = session.exec(select(UserSession.token_hash)).all()
    assert token not in hashes and hash_token(token) in hashes


def test_login_csrf_a_link_from_another_site_signs_nobody_in(client, api_db, member):
    """The attack: an attacker signs in to their own account, takes the fresh ticket and sends a
    victim's browser to the exchange, so the victim works inside the attacker's account."""
    ticket = ticket_for(api_db, member.email)
    sessions_before = count_rows(api_db, "user_sessions")
    # The old way, a plain link (GET), is no longer an exchange at all.
    assert client.get("/api/auth/session", params={"ticket": ticket, "tab": TAB}).status_code == 405
    # A form on another site posting to the exchange: its Origin and Sec-Fetch-Site give it away.
    for headers in [{"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
                    {"origin": "https://evil.example"},
                    {"origin": "null"},
                    {"sec-fetch-site": "cross-site"},
                    {"sec-fetch-site": "same-site"},
                    {"origin": ORIGIN + ".evil.example"},
                    {}]:
        response = exchange(client, ticket, headers=headers)
        assert response.status_code == 403, headers
        assert session_cookie(response) is None
    assert count_rows(api_db, "user_sessions") == sessions_before
    # The ticket is still good for the tab that asked for it.
    assert session_cookie(exchange(client, ticket))


def test_a_ticket_is_redeemed_only_with_the_tab_that_asked_for_it(client, api_db, member):
    ticket = ticket_for(api_db, member.email, tab=TAB)
    for tab in ["another-tab-token-0000-0000-000000000000", "", TAB.upper(), TAB + " ", "x" * 5000]:
        response = exchange(client, ticket, tab=tab)
        assert response.status_code == 303 and response.headers["location"] == "/login?expired=1"
        assert session_cookie(response) is None
    # A ticket nobody bound (not issued through the login page) is redeemable by no tab.
    with Session(api_db, expire_on_commit=False) as session:
        unbound = accounts.sign_in(None, session=session, email=member.email, password=PASSWORD,
                                   client_address="203.0.113.20")
    assert session_cookie(exchange(client, unbound, tab="")) is None
    assert session_cookie(exchange(client, ticket))


def test_a_bound_ticket_cannot_be_bound_again_to_another_tab(client, api_db, member):
    ticket = ticket_for(api_db, member.email, tab=TAB)
    with Session(api_db) as session:
        accounts.bind_ticket(session=session, ticket=ticket, tab="attacker-tab")
    assert session_cookie(exchange(client, ticket, tab="attacker-tab")) is None
    assert session_cookie(exchange(client, ticket, tab=TAB))


def test_a_used_ticket_does_not_sign_in_twice(client, api_db, member):
    ticket = ticket_for(api_db, member.email)
    assert session_cookie(exchange(client, ticket))
    client.cookies.clear()
    again = exchange(client, ticket)
    assert again.status_code == 303 and again.headers["location"] == "/login?expired=1"
    assert session_cookie(again) is None


@pytest.mark.parametrize("ticket", ["", "x", "A" * 43, "A" * 5000, "../../etc/passwd", "%00"])
def test_bad_tickets_set_no_cookie(ticket, client, api_db, member):
    sessions_before = count_rows(api_db, "user_sessions")
    response = exchange(client, ticket, next_path="/profile")
    assert response.status_code == 303 and response.headers["location"] == "/login?expired=1"
    assert session_cookie(response) is None
    assert count_rows(api_db, "user_sessions") == sessions_before


def test_oversized_or_odd_exchange_bodies_are_refused(client, api_db, member):
    ticket = ticket_for(api_db, member.email)
    big = client.post("/api/auth/session", content=b"ticket=" + b"A" * 100_000, headers={
        **FROM_PORTAL, "content-type": "application/x-www-form-urlencoded"})
    assert big.status_code == 303 and session_cookie(big) is None
    as_json = client.post("/api/auth/session", json={"ticket": ticket, "tab": TAB}, headers=FROM_PORTAL)
    assert as_json.status_code == 303 and session_cookie(as_json) is None
    assert session_cookie(exchange(client, ticket))


def test_other_one_time_tokens_are_not_tickets(client, api_db, member):
    """A password-reset or verification token cannot be exchanged for a session."""
    with Session(api_db, expire_on_commit=False) as session:
        accounts.request_password_reset(None, session=session, email=member.email)
    token = link_in_outbox(api_db, member.email, "/reset-password").split("token=", 1)[1]
    with Session(api_db) as session:
        accounts.bind_ticket(session=session, ticket=token, tab=TAB)
    assert session_cookie(exchange(client, token)) is None


def test_an_expired_ticket_sets_no_cookie(client, api_db, member):
    ticket = ticket_for(api_db, member.email)
    with Session(api_db) as session:
        session.exec(update(OneTimeToken).where(col(OneTimeToken.purpose) == "sign_in")
                     .values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    assert session_cookie(exchange(client, ticket)) is None


def test_a_member_suspended_after_the_ticket_gets_no_session(client, api_db, member):
    ticket = ticket_for(api_db, member.email)
    with Session(api_db) as session:
        session.exec(update(User).where(col(User.id) == member.id).values(status="suspended"))
        session.commit()
    assert session_cookie(exchange(client, ticket)) is None


@pytest.mark.parametrize("next_path", ["//evil.example/x", "https://evil.example/", "/\\evil.example",
                                       "\\\\evil.example", "javascript:alert(1)", "evil.example", "", "%2F%2Fevil"])
def test_next_cannot_redirect_off_site(next_path, client, api_db, member):
    response = exchange(client, ticket_for(api_db, member.email), next_path=next_path)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_signing_in_rotates_the_session(client, api_db, member):
    """A session the browser held before (e.g. planted by someone else) is revoked at sign-in."""
    old_token = member.token
    response = exchange(client, ticket_for(api_db, member.email),
                        headers={**FROM_PORTAL, "cookie": f"hub_session={old_token}"})
    new_token = session_cookie(response).split(";")[0].split("=", 1)[1]
    assert new_token != old_token
    assert actor_of_token(api_db, old_token) is None
    assert actor_of_token(api_db, new_token).user_id == member.id


# -- /api/auth/sign-out -------------------------------------------------------------------------------


def test_sign_out_revokes_the_session_and_clears_the_cookie(client, api_db, member, other):
    response = sign_out(client, cookie=f"hub_session={member.token}", next_path="/login")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    cleared = session_cookie(response).lower()
    assert 'hub_session=""' in cleared or "hub_session=;" in cleared
    assert "max-age=0" in cleared or "expires=thu, 01 jan 1970" in cleared
    assert "httponly" in cleared
    assert actor_of_token(api_db, member.token) is None
    assert actor_of_token(api_db, other.token).user_id == other.id


def test_another_site_cannot_sign_a_member_out(client, api_db, member):
    cookie = {"cookie": f"hub_session={member.token}"}
    # A link or an image (GET) is not a sign-out.
    assert client.get("/api/auth/sign-out", params={"next": "/"}, headers=cookie).status_code == 405
    for headers in [{"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
                    {"sec-fetch-site": "cross-site"}, {}]:
        response = sign_out(client, headers={**headers, **cookie})
        assert response.status_code == 403 and session_cookie(response) is None
    assert actor_of_token(api_db, member.token).user_id == member.id


@pytest.mark.parametrize("next_path", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_sign_out_next_cannot_redirect_off_site(next_path, client, api_db, member):
    response = sign_out(client, next_path=next_path)
    assert response.headers["location"] == "/"


def test_sign_out_without_or_with_a_forged_cookie(client, api_db, member):
    for cookie in ["", "hub_session=forged-forged-forged-forged-forged", "hub_session=" + "C" * 4000,
                   'hub_session="broken']:
        response = sign_out(client, cookie=cookie)
        assert response.status_code == 303
    assert actor_of_token(api_db, member.token).user_id == member.id


# -- /api/me/export -----------------------------------------------------------------------------------


def test_export_needs_a_session(client, api_db, member):
    assert client.get("/api/me/export").status_code == 401
    for cookie in ["hub_session=forged-forged-forged-forged", f"hub_session={hash_token(member.token)}"]:
        response = client.get("/api/me/export", headers={"cookie": cookie})
        assert response.status_code == 401 and member.email not in response.text


def test_export_is_the_members_own_data(client, api_db, member, other):
    response = client.get("/api/me/export", headers={"cookie": f"hub_session={member.token}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    data = response.json()
    assert data["account"]["email"] == member.email and data["account"]["id"] == member.id
    assert "password_hash" not in data["account"]
    assert len(data["sessions"]) == 1
    assert other.email not in response.text and other.name not in response.text
    assert member.token not in response.text and hash_token(member.token) not in response.text


def test_export_after_sign_out_is_refused(client, api_db, member):
    sign_out(client, cookie=f"hub_session={member.token}")
    assert client.get("/api/me/export", headers={"cookie": f"hub_session={member.token}"}).status_code == 401

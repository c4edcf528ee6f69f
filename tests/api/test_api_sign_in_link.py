"""An emailed sign-in link ends in the same cookie exchange as a password sign-in: the page redeems
the link for a ticket, binds it to its tab and posts it to /api/auth/session (SessionState._hand_over)."""

import pytest
from sqlmodel import Session

from hub_app.domain.errors import InvalidInput
from hub_app.services import accounts
from tests.api.test_api_auth import TAB, actor_of_token, exchange, session_cookie
from tests.handlers.handler_harness import count_rows, link_in_outbox, make_person

ADDRESS = "203.0.113.20"


def emailed_link_token(engine, email: str) -> str:
    with Session(engine, expire_on_commit=False) as session:
        accounts.request_sign_in_link(None, session=session, email=email, client_address=ADDRESS)
    return link_in_outbox(engine, email, "/sign-in-link").split("token=", 1)[1]


def redeem(engine, token: str, tab: str = TAB) -> str:
    """What SignInLinkState.use_link does on the server: the link becomes a ticket bound to the tab."""
    with Session(engine, expire_on_commit=False) as session:
        ticket = accounts.sign_in_with_link(None, session=session, token=token, client_address=ADDRESS)
    with Session(engine) as session:
        accounts.bind_ticket(session=session, ticket=ticket, tab=tab)
    return ticket


def test_a_sign_in_link_becomes_a_session_cookie_once(client, api_db):
    member = make_person(api_db, email="ani@test.example", name="Ani Member", signed_in=False)
    token = emailed_link_token(api_db, member.email)
    response = exchange(client, redeem(api_db, token), next_path="/profile")
    assert response.status_code == 303 and response.headers["location"] == "/profile"
    cookie = session_cookie(response)
    actor = actor_of_token(api_db, cookie.split(";")[0].split("=", 1)[1])
    assert actor is not None and actor.user_id == member.id
    # The link is used up: no second ticket, no second session.
    sessions = count_rows(api_db, "user_sessions")
    with pytest.raises(InvalidInput) as error:
        redeem(api_db, token)
    assert error.value.key == "error.link_invalid"
    assert count_rows(api_db, "user_sessions") == sessions


def test_the_link_itself_is_no_ticket(client, api_db):
    member = make_person(api_db, email="ani@test.example", name="Ani Member", signed_in=False)
    token = emailed_link_token(api_db, member.email)
    with Session(api_db) as session:
        accounts.bind_ticket(session=session, ticket=token, tab=TAB)
    response = exchange(client, token)
    assert response.status_code == 303 and response.headers["location"] == "/login?expired=1"
    assert session_cookie(response) is None
    # And the ticket a link gives is redeemed only by the tab it was bound to.
    ticket = redeem(api_db, token)
    assert session_cookie(exchange(client, ticket, tab="another-tab-token-0000-0000-000000000000")) is None
    assert session_cookie(exchange(client, ticket))

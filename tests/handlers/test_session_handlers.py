"""SessionState (inherited by every page State): who is signed in comes from the HttpOnly cookie
only; language from ?lang=, the hub_lang cookie or the account; sign-out revokes the session."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from hub_app.models import User, UserSession
from hub_app.models.base import utcnow
from hub_app.services.security import hash_token
from hub_app.state.session import SessionState, ShellState
from tests.handlers.handler_harness import MEGABYTE_TEXT, covers, db_fingerprint, user_row

ROLES = ["visitor", "pending", "active", "staff", "admin"]


def session_rows(engine, person):
    with Session(engine) as session:
        return session.exec(select(UserSession).where(UserSession.user_id == person.id)).all()


@covers(ShellState.load_shell)
@pytest.mark.parametrize("role", ROLES)
def test_the_shell_shows_who_the_cookie_says(role, hub, people):
    person = people.by_role()[role]
    tab = hub.browser(person)
    tab.load("/").ok()
    shell = tab.state(SessionState)
    assert shell.signed_in == (person is not None)
    assert shell.user_name == (person.name if person else "")
    assert shell.user_role == (person.role if person else "")
    assert shell.membership == (person.status if person else "")
    assert shell.is_staff == (role in ("staff", "admin"))
    assert shell.is_admin == (role == "admin")
    tab.picklable()


@covers(ShellState.load_shell)
def test_forged_revoked_expired_and_barred_sessions_are_visitors(hub, people):
    with Session(people.engine) as session:
        session.exec(update(UserSession).where(UserSession.user_id == people.other.id).values(revoked_at=utcnow()))
        session.exec(update(UserSession).where(UserSession.user_id == people.staff.id)
                     .values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    cookies = [
        "hub_session=forged-token-that-is-long-enough-to-look-real-1234",
        f"hub_session={people.other.token}",  # revoked
        f"hub_session={people.staff.token}",  # expired
        f"hub_session={people.suspended.token}",  # membership suspended
        f"hub_session={hash_token(people.admin.token)}",  # the stored hash is not a token
        "hub_session=" + "A" * 5000,
        'hub_session="unterminated; hub_lang=en',
        "hub_session=\x00\x01\x02",
        "",
    ]
    for cookie in cookies:
        tab = hub.browser(cookie=cookie)
        tab.load("/admin/members").ok()
        shell = tab.state(SessionState)
        assert (shell.signed_in, shell.user_role, shell.user_name) == (False, "", ""), cookie[:60]


@covers(ShellState.load_shell)
def test_the_session_cannot_come_from_the_payload_or_a_query(hub, people):
    tab = hub.browser()
    tab.load("/", hub_session=people.admin.token, token=people.admin.token).ok()
    assert not tab.state(SessionState).signed_in
    tab.send(ShellState.load_shell, {"token": people.admin.token}).not_crashed()
    assert not tab.state(SessionState).signed_in


@covers(ShellState.load_shell)
def test_language_from_query_persists_on_the_account_of_the_signed_in_member_only(hub, people):
    visitor = hub.browser()
    visitor.load("/", lang="en").ok()
    assert visitor.state(SessionState).lang == "en"
    member = hub.browser(people.active)
    member.load("/", lang="en").ok()
    assert member.state(SessionState).lang == "en"
    assert user_row(people.engine, people.active.email).locale == "en"
    assert user_row(people.engine, people.other.email).locale == "id"
    # Without ?lang the account's language wins over the browser's cookie.
    elsewhere = hub.browser(people.active, lang="id")
    elsewhere.load("/").ok()
    assert elsewhere.state(SessionState).lang == "en"
    # Unknown languages are ignored.
    member.load("/", lang="fr").ok()
    assert member.state(SessionState).lang == "en"
    assert user_row(people.engine, people.active.email).locale == "en"


@covers(ShellState.load_shell)
@pytest.mark.parametrize("junk", [None, 7, ["en"], {"en": 1}, MEGABYTE_TEXT, "en\x00"], ids=repr)
def test_junk_language_cookie_values_do_not_crash(junk, hub, people):
    """The hub_lang cookie value reaches the backend in the hydrate event, which a browser can forge."""
    for person in (None, people.active):
        tab = hub.browser(person, lang=junk)
        tab.load("/signup").ok()
        assert tab.state(SessionState).lang in ("id", "en")
        tab.picklable()


@covers(ShellState.switch_language)
@pytest.mark.parametrize("role", ROLES)
def test_switch_language(role, hub, people):
    person = people.by_role()[role]
    tab = hub.browser(person)
    tab.load("/")
    outcome = tab.call(ShellState.switch_language, "en").ok()
    assert tab.state(SessionState).lang == "en"
    assert any("window.location.reload()" in script for script in outcome.scripts)
    if person is not None:
        assert user_row(people.engine, person.email).locale == "en"
    assert {user_row(people.engine, p.email).locale for p in (people.other, people.suspended)} == {"id"}

    before = db_fingerprint(people.engine, ["users"])
    for junk in [None, 3, "fr", "EN", ["en"], {"locale": "en"}, MEGABYTE_TEXT]:
        tab.call(ShellState.switch_language, junk).ok()
        assert tab.state(SessionState).lang == "en"
    assert db_fingerprint(people.engine, ["users"]) == before


@covers(ShellState.toggle_menu)
@pytest.mark.parametrize("role", ROLES)
def test_toggle_menu(role, hub, people):
    tab = hub.browser(people.by_role()[role])
    tab.load("/")
    before = db_fingerprint(people.engine)
    tab.call(ShellState.toggle_menu).ok()
    assert tab.state(SessionState).menu_open
    tab.call(ShellState.toggle_menu).ok()
    assert not tab.state(SessionState).menu_open
    tab.send(ShellState.toggle_menu, {"open": True}).not_crashed()
    assert db_fingerprint(people.engine) == before
    # A page load closes the menu again.
    tab.call(ShellState.toggle_menu).ok()
    tab.load("/signup")
    assert not tab.state(SessionState).menu_open


@covers(ShellState.sign_out)
@pytest.mark.parametrize("role", ["pending", "active", "staff", "admin"])
def test_sign_out_revokes_only_this_session(role, hub, people):
    person = people.by_role()[role]
    second = people.add(email=f"second-{role}@test.example", name="Kedua")
    tab = hub.browser(person)
    tab.load("/")
    outcome = tab.call(ShellState.sign_out).ok()
    assert outcome.auth_posts == [("/api/auth/sign-out", {"next": "/", "drops_tab": True})]
    assert not tab.state(SessionState).signed_in
    assert [row.revoked_at is not None for row in session_rows(people.engine, person)] == [True]
    assert [row.revoked_at for row in session_rows(people.engine, second)] == [None]
    tab.load("/")
    assert not tab.state(SessionState).signed_in


@covers(ShellState.sign_out)
def test_sign_out_as_a_visitor_or_with_a_forged_cookie_changes_nothing(hub, people):
    before = db_fingerprint(people.engine)
    for cookie in ["", "hub_session=forged-forged-forged-forged-forged-forged", "hub_session=" + "B" * 5000]:
        tab = hub.browser(cookie=cookie)
        assert tab.call(ShellState.sign_out).ok().auth_posts == [("/api/auth/sign-out", {"next": "/",
                                                                                         "drops_tab": True})]
        tab.send(ShellState.sign_out, {"token": people.active.token}).not_crashed()
    assert db_fingerprint(people.engine) == before
    with Session(people.engine) as session:
        assert session.exec(select(User).where(User.id == people.active.id)).one().status == "active"

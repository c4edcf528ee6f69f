"""ProfileState: a member edits, signs out everywhere and deletes only their own account; whose
account it is comes from the session cookie, never from the payload."""

import pytest
from sqlmodel import Session, select

from hub_app.i18n import translate
from hub_app.models import UserSession
from hub_app.pages.profile import ProfileState
from hub_app.state.session import SessionState
from tests.handlers.handler_harness import (
    MEGABYTE_TEXT,
    PASSWORD,
    add_session,
    covers,
    db_fingerprint,
    junk_forms,
    user_row,
)

MEMBERS = ["pending", "active", "staff", "admin"]


def profile_form(**changes):
    form = {"name": "Nama Baru", "business_name": "Usaha Baru", "sector": "technology", "stage": "growth",
            "bio": "Bio baru", "offers": "Bantuan", "looking_for": "Mitra", "show_in_directory": "",
            "show_email": "on"}
    form.update(changes)
    return form


def live_sessions(engine, person) -> int:
    with Session(engine) as session:
        rows = session.exec(select(UserSession).where(UserSession.user_id == person.id)).all()
        return sum(1 for row in rows if row.revoked_at is None)


@covers(ProfileState.load)
def test_profile_page_sends_visitors_to_sign_in(hub, people):
    tab = hub.browser()
    outcome = tab.load("/profile").ok()
    assert outcome.navigations == ["/login?next=/profile"]
    assert tab.state(ProfileState).profile == {}


@covers(ProfileState.load)
@pytest.mark.parametrize("role", MEMBERS)
def test_profile_page_shows_the_own_account(role, hub, people):
    person = people.by_role()[role]
    tab = hub.browser(person)
    tab.load("/profile", avatar="error.avatar_invalid").ok()
    profile = tab.state(ProfileState).profile
    assert (profile["name"], profile["email"], profile["status"]) == (person.name, person.email, person.status)
    assert tab.state(ProfileState).error == translate("error.avatar_invalid", "id")
    assert people.other.email not in tab.load("/profile").delta_text()
    # Only catalogue error keys are shown from the query; anything else is ignored.
    for value in ["<b>x</b>", "nav.sign_in", MEGABYTE_TEXT[:5000]]:
        tab.load("/profile", avatar=value).ok()
        assert tab.state(ProfileState).error == ""


@covers(ProfileState.save)
@pytest.mark.parametrize("role", MEMBERS)
def test_save_changes_only_the_own_profile_fields(role, hub, people):
    person = people.by_role()[role]
    tab = hub.browser(person)
    tab.load("/profile")
    before_other = db_fingerprint(people.engine, ["users"])["users"]
    form = profile_form(email="taken@evil.example", role="admin", status="active", id=people.other.id,
                        user_id=people.other.id, password_hash="x", email_normalized="x@x.x")
    tab.call(ProfileState.save, form).ok()
    assert tab.state(ProfileState).info == translate("common.saved", "id")
    assert tab.state(SessionState).user_name == "Nama Baru"
    me = user_row(people.engine, person.email)
    assert (me.name, me.sector, me.show_in_directory, me.show_email) == ("Nama Baru", "technology", False, True)
    assert (me.email, me.role, me.status) == (person.email, person.role, person.status)
    after = {row[0]: row for row in db_fingerprint(people.engine, ["users"])["users"]}
    assert {row[0]: row for row in before_other if row[0] != person.id} == \
        {key: row for key, row in after.items() if key != person.id}


@covers(ProfileState.save)
def test_save_as_visitor_or_with_junk_is_refused(hub, people):
    before = db_fingerprint(people.engine, ["users"])
    visitor = hub.browser()
    visitor.call(ProfileState.save, profile_form()).ok()
    assert visitor.state(ProfileState).error == translate("error.sign_in_required", "id")
    member = hub.browser(people.active)
    member.load("/profile")
    for form in junk_forms(name="Nama", bio="Bio", sector="craft", show_email="on"):
        member.call(ProfileState.save, form).ok()
    member.call(ProfileState.save, profile_form(name="")).ok()
    assert member.state(ProfileState).error
    after = db_fingerprint(people.engine, ["users"])
    # Junk may at most clear optional fields of the member's own row; nobody else's row changed.
    assert [row for row in after["users"] if row[0] != people.active.id] == \
        [row for row in before["users"] if row[0] != people.active.id]
    me = user_row(people.engine, people.active.email)
    assert (me.role, me.status, me.email) == ("member", "active", people.active.email)
    assert me.name in (people.active.name, "Nama")


@covers(ProfileState.sign_out_everywhere)
@pytest.mark.parametrize("role", MEMBERS)
def test_sign_out_everywhere_revokes_all_own_sessions_only(role, hub, people):
    person = people.by_role()[role]
    add_session(people.engine, person)  # a second device
    assert live_sessions(people.engine, person) == 2
    tab = hub.browser(person)
    tab.load("/profile")
    outcome = tab.call(ProfileState.sign_out_everywhere).ok()
    assert outcome.auth_posts == [("/api/auth/sign-out", {"next": "/login", "drops_tab": True})]
    assert live_sessions(people.engine, person) == 0
    assert live_sessions(people.engine, people.other) == 1
    tab.load("/profile")
    assert not tab.state(SessionState).signed_in


@covers(ProfileState.sign_out_everywhere)
def test_sign_out_everywhere_as_visitor_does_nothing(hub, people):
    before = db_fingerprint(people.engine)
    tab = hub.browser()
    outcome = tab.call(ProfileState.sign_out_everywhere).ok()
    assert outcome.auth_posts == []
    assert tab.state(ProfileState).error == translate("error.sign_in_required", "id")
    tab.send(ProfileState.sign_out_everywhere, {"user_id": people.active.id}).not_crashed()
    assert db_fingerprint(people.engine) == before


@covers(ProfileState.delete_account)
def test_delete_account_needs_the_own_password_and_erases_only_that_account(hub, people):
    tab = hub.browser(people.active)
    tab.load("/profile")
    before = db_fingerprint(people.engine, ["users"])
    for form in [{"password": "wrong-password-123"}, {"password": PASSWORD[:-1]},
                 *junk_forms(password="wrong-password-123"),
                 {"password": PASSWORD + "x", "user_id": people.other.id}]:
        tab.call(ProfileState.delete_account, form).ok()
        assert tab.state(ProfileState).delete_error
    assert db_fingerprint(people.engine, ["users"]) == before

    # The payload cannot point the deletion at someone else. (From another device: the wrong
    # passwords above count like failed sign-ins, and that tab is now throttled.)
    tab = hub.browser(people.active, client_ip="192.0.2.77")
    tab.load("/profile")
    outcome = tab.call(ProfileState.delete_account, {"password": PASSWORD, "user_id": people.other.id,
                                                     "email": people.other.email}).ok()
    assert outcome.auth_posts == [("/api/auth/sign-out", {"next": "/", "drops_tab": True})]
    gone = user_row(people.engine, f"deleted-{people.active.id}@deleted.invalid")
    assert (gone.status, gone.name, gone.bio) == ("deleted", "", "")
    assert user_row(people.engine, people.active.email) is None
    assert user_row(people.engine, people.other.email).status == "active"
    assert live_sessions(people.engine, people.active) == 0


@covers(ProfileState.delete_account)
def test_delete_account_as_visitor_does_nothing(hub, people):
    before = db_fingerprint(people.engine)
    tab = hub.browser()
    tab.call(ProfileState.delete_account, {"password": PASSWORD}).ok()
    assert tab.state(ProfileState).delete_error == translate("error.sign_in_required", "id")
    assert db_fingerprint(people.engine) == before

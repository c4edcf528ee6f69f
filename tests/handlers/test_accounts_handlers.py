"""Sign-up, sign-in, email verification and password reset handlers, called as each kind of actor
with crafted payloads. The session always comes from the cookie, never from the payload."""

from urllib.parse import parse_qs, urlsplit

import pytest

from hub_app.i18n import translate
from hub_app.pages.login import LoginState
from hub_app.pages.reset_password import ResetPasswordState
from hub_app.pages.signup import SignupState
from hub_app.pages.verify import VerifyState
from hub_app.services.security import verify_password
from hub_app.state.session import SessionState
from tests.handlers.handler_harness import (
    MEGABYTE_TEXT,
    PASSWORD,
    count_rows,
    covers,
    db_fingerprint,
    junk_forms,
    link_in_outbox,
    outbox,
    user_row,
)

NEW_PASSWORD = "sambal-matah-pedas-9981"
ROLES = ["visitor", "pending", "active", "staff", "admin"]


def signup_form(**changes):
    form = {"name": "Wulan Sari", "email": "wulan@umkm.example", "password": "tempe-mendoan-hangat-77",
            "business_name": "Wulan Craft", "sector": "craft", "stage": "idea", "bio": "Perajin.",
            "offers": "Anyaman", "looking_for": "Pasar", "consent": "on"}
    form.update(changes)
    return form


def ticket_of(outcome) -> str:
    [(path, fields)] = outcome.auth_posts
    assert path == "/api/auth/session", path
    return fields["ticket"]


# -- SignupState -----------------------------------------------------------------------------------


@covers(SignupState.submit, SignupState.reset_form)
@pytest.mark.parametrize("role", ROLES)
def test_sign_up_creates_a_pending_unverified_member_whoever_sends_it(role, hub, people):
    tab = hub.browser(people.by_role()[role])
    tab.load("/signup")
    # Extra fields try to choose the role and status; they are ignored.
    tab.call(SignupState.submit, signup_form(role="admin", status="active", email_verified_at="2020-01-01",
                                             id=people.admin.id)).ok()
    assert tab.state(SignupState).done and tab.state(SignupState).error == ""
    user = user_row(people.engine, "wulan@umkm.example")
    assert (user.role, user.status, user.email_verified_at) == ("member", "pending", None)
    assert user.consent_at is not None and user.consent_version
    assert link_in_outbox(people.engine, "wulan@umkm.example", "/verify/")
    # The admin the payload named is untouched.
    assert user_row(people.engine, people.admin.email).role == "admin"

    tab.call(SignupState.reset_form).ok()
    assert not tab.state(SignupState).done


@covers(SignupState.submit)
def test_sign_up_with_a_registered_email_in_another_case_reveals_nothing(hub, people):
    tab = hub.browser()
    tab.load("/signup")
    users_before = count_rows(people.engine, "users")
    tab.call(SignupState.submit, signup_form(email="ACTIVE@Test.Example")).ok()
    # Same answer as a new sign-up, no second account, the owner gets a notice instead.
    assert tab.state(SignupState).done and tab.state(SignupState).error == ""
    assert count_rows(people.engine, "users") == users_before
    assert user_row(people.engine, people.active.email).name == people.active.name
    assert [email.to_address for email in outbox(people.engine)] == [people.active.email]


@covers(SignupState.submit)
def test_sign_up_refuses_bad_input_with_a_message(hub, people):
    tab = hub.browser()
    tab.load("/signup")
    for form, key in [(signup_form(consent=""), "error.consent_required"),
                      (signup_form(password="password"), "password.common"),
                      (signup_form(email="no-at-sign"), "error.email_invalid"),
                      (signup_form(name=MEGABYTE_TEXT), "error.field_too_long"),
                      (signup_form(sector="weapons"), "error.field_choice")]:
        tab.call(SignupState.submit, form).ok()
        assert translate(key, "id", max=100).split("{")[0][:12] in tab.state(SignupState).error, key
        assert not tab.state(SignupState).done
    assert count_rows(people.engine, "users") == 7  # only the arranged people
    # Junk in any field: refused, or (where the field may be empty) a pending member at most.
    for form in junk_forms(**signup_form()):
        tab.call(SignupState.reset_form).ok()
        tab.call(SignupState.submit, form).ok()
        assert tab.state(SignupState).done != bool(tab.state(SignupState).error)
    created = [user for user in [user_row(people.engine, "wulan@umkm.example")] if user is not None]
    assert [(user.role, user.status, user.email_verified_at) for user in created] in ([], [("member", "pending", None)])
    assert count_rows(people.engine, "users") == 7 + len(created)


# -- LoginState ------------------------------------------------------------------------------------


@covers(LoginState.submit, LoginState.prepare)
def test_sign_in_returns_a_ticket_link_and_never_the_session_token(hub, people):
    tab = hub.browser()
    tab.load("/login", next="/profile")
    outcome = tab.call(LoginState.submit, {"email": "Active@Test.example", "password": PASSWORD}).ok()
    [(path, fields)] = outcome.auth_posts
    assert path == "/api/auth/session"
    assert fields["next"] == "/profile"
    assert len(ticket_of(outcome)) >= 40
    # The page posts it with its tab token (to which the ticket is bound), then drops that token.
    assert fields["tab"] == "<this tab>" and fields["drops_tab"]
    # The session token itself never reaches the browser's state.
    assert count_rows(people.engine, "user_sessions") == 7
    assert tab.state(LoginState).error == ""


@covers(LoginState.submit)
@pytest.mark.parametrize("next_path", ["//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:1"])
def test_sign_in_next_cannot_leave_the_site(next_path, hub, people):
    tab = hub.browser()
    tab.load("/login", next=next_path)
    [(_, fields)] = tab.call(LoginState.submit, {"email": people.active.email, "password": PASSWORD}).ok().auth_posts
    assert fields["next"] == "/"


@covers(LoginState.submit)
def test_wrong_password_and_unknown_email_look_the_same(hub, people):
    tab = hub.browser()
    tab.load("/login")
    wrong = tab.call(LoginState.submit, {"email": people.active.email, "password": "not-the-password"}).ok()
    wrong_text = tab.state(LoginState).error
    unknown = tab.call(LoginState.submit, {"email": "nobody@test.example", "password": "not-the-password"}).ok()
    assert wrong_text == tab.state(LoginState).error == translate("error.sign_in_failed", "id")
    assert wrong.auth_posts == unknown.auth_posts == []


@covers(LoginState.submit)
def test_sign_in_is_throttled_per_account_and_client_address_and_per_client_address(hub, people):
    attacker = hub.browser(client_ip="198.51.100.9")
    attacker.load("/login")
    for _ in range(5):
        attacker.call(LoginState.submit, {"email": people.active.email, "password": "guess-guess-guess"}).ok()
    # Even the right password is refused now from that address: the account is locked there for a while.
    outcome = attacker.call(LoginState.submit, {"email": people.active.email, "password": PASSWORD}).ok()
    assert outcome.auth_posts == []
    assert translate("error.sign_in_throttled", "id", minutes=15)[:20] in attacker.state(LoginState).error
    # Not from the member's own device: an attacker cannot keep a member out (test_account_safety_handlers.py).
    elsewhere = hub.browser(client_ip="192.0.2.50")
    elsewhere.load("/login")
    assert elsewhere.call(LoginState.submit, {"email": people.active.email, "password": PASSWORD}).auth_posts
    # Guessing across accounts locks the guessing address, for every account.
    for n in range(15):
        attacker.call(LoginState.submit, {"email": f"guess{n}@test.example", "password": "guess-guess-guess"}).ok()
    assert attacker.call(LoginState.submit, {"email": people.staff.email, "password": PASSWORD}).auth_posts == []
    assert elsewhere.call(LoginState.submit, {"email": people.staff.email, "password": PASSWORD}).auth_posts


@covers(LoginState.submit)
def test_suspended_member_cannot_sign_in_and_reads_why(hub, people):
    tab = hub.browser()
    tab.load("/login")
    outcome = tab.call(LoginState.submit, {"email": people.suspended.email, "password": PASSWORD}).ok()
    assert outcome.auth_posts == []
    assert tab.state(LoginState).error.startswith(translate("error.suspended", "id", reason="")[:25])


@covers(LoginState.submit)
def test_junk_sign_in_payloads_are_refused_without_a_ticket(hub, people):
    tab = hub.browser()
    tab.load("/login")
    before = count_rows(people.engine, "one_time_tokens")
    for form in junk_forms(email=people.active.email, password=PASSWORD):
        if form.get("email") == people.active.email and form.get("password") == PASSWORD:
            continue
        assert tab.call(LoginState.submit, form).ok().auth_posts == []
    assert count_rows(people.engine, "one_time_tokens") == before


@covers(LoginState.prepare)
def test_login_page_explains_an_expired_ticket(hub, people):
    tab = hub.browser()
    tab.load("/login", expired="1")
    assert tab.state(LoginState).error == translate("login.expired", "id")
    tab.load("/login")
    assert tab.state(LoginState).error == ""


# -- VerifyState -----------------------------------------------------------------------------------


@covers(VerifyState.check)
@pytest.mark.parametrize("role", ROLES)
def test_verification_link_works_once_for_whoever_opens_it(role, hub, people):
    signup = hub.browser()
    signup.load("/signup")
    signup.call(SignupState.submit, signup_form()).ok()
    link = link_in_outbox(people.engine, "wulan@umkm.example", "/verify/")

    tab = hub.browser(people.by_role()[role])
    tab.load(link).ok()
    assert tab.state(VerifyState).verified and tab.state(VerifyState).error == ""
    user = user_row(people.engine, "wulan@umkm.example")
    assert user.email_verified_at is not None
    # Verifying the email does not approve the membership, and it verifies only that account.
    assert user.status == "pending"
    tab.load(link).ok()
    assert not tab.state(VerifyState).verified
    assert tab.state(VerifyState).error == translate("error.link_invalid", "id")


@covers(VerifyState.check)
def test_bad_verification_links_are_refused(hub, people):
    tab = hub.browser()
    before = db_fingerprint(people.engine, ["users", "one_time_tokens"])
    for token in ["x", "a" * 43, "A" * 5000, "%00", "..%2F..%2Fetc"]:
        tab.load(f"/verify/{token}").ok()
        assert not tab.state(VerifyState).verified
        assert tab.state(VerifyState).error
    # A reset link is not a verification link.
    reset = hub.browser()
    reset.load("/reset-password")
    reset.call(ResetPasswordState.request_link, {"email": people.pending.email}).ok()
    token = parse_qs(urlsplit(link_in_outbox(people.engine, people.pending.email, "/reset-password")).query)
    tab.load(f"/verify/{token['token'][0]}").ok()
    assert not tab.state(VerifyState).verified
    assert db_fingerprint(people.engine, ["users"]) == {"users": before["users"]}


# -- ResetPasswordState ----------------------------------------------------------------------------


@covers(ResetPasswordState.request_link, ResetPasswordState.set_password, ResetPasswordState.prepare)
@pytest.mark.parametrize("role", ROLES)
def test_password_reset_by_link_whoever_is_signed_in(role, hub, people):
    tab = hub.browser(people.by_role()[role])
    tab.load("/reset-password")
    assert not tab.state(ResetPasswordState).has_token
    tab.call(ResetPasswordState.request_link, {"email": people.other.email}).ok()
    answer = tab.state(ResetPasswordState).info
    assert answer == translate("reset.request_done", "id")
    tab.call(ResetPasswordState.request_link, {"email": "nobody@test.example"}).ok()
    assert tab.state(ResetPasswordState).info == answer  # reveals nothing

    link = link_in_outbox(people.engine, people.other.email, "/reset-password")
    token = parse_qs(urlsplit(link).query)["token"][0]
    opened = hub.browser()
    opened.load("/reset-password", token=token)
    assert opened.state(ResetPasswordState).has_token
    opened.call(ResetPasswordState.set_password, {"password": NEW_PASSWORD}).ok()
    assert opened.state(ResetPasswordState).info == translate("reset.done", "id")
    other = user_row(people.engine, people.other.email)
    assert verify_password(other.password_hash, NEW_PASSWORD)
    # Only that account changed; the sender's own password did not.
    if role != "visitor":
        assert verify_password(user_row(people.engine, people.by_role()[role].email).password_hash, PASSWORD)
    # The link works once.
    opened.load("/reset-password", token=token)
    opened.call(ResetPasswordState.set_password, {"password": "another-long-password-55"}).ok()
    assert opened.state(ResetPasswordState).error == translate("error.link_invalid", "id")
    assert verify_password(user_row(people.engine, people.other.email).password_hash, NEW_PASSWORD)


@covers(ResetPasswordState.set_password)
def test_password_reset_signs_out_old_sessions(hub, people):
    member = hub.browser(people.other)
    member.load("/")
    assert member.state(SessionState).signed_in
    hub.browser().call(ResetPasswordState.request_link, {"email": people.other.email}).ok()
    token = parse_qs(urlsplit(link_in_outbox(people.engine, people.other.email, "/reset-password")).query)["token"][0]
    opened = hub.browser()
    opened.load("/reset-password", token=token)
    opened.call(ResetPasswordState.set_password, {"password": NEW_PASSWORD}).ok()
    member.load("/")
    assert not member.state(SessionState).signed_in


@covers(ResetPasswordState.set_password, ResetPasswordState.request_link)
def test_password_reset_refuses_junk_and_weak_passwords(hub, people):
    tab = hub.browser()
    tab.load("/reset-password")
    # No token in the URL: nothing to reset, whatever the payload says.
    for form in junk_forms(password=NEW_PASSWORD, token="forged-token-forged-token-forged"):
        tab.call(ResetPasswordState.set_password, form).ok()
        assert tab.state(ResetPasswordState).info == ""
    for form in junk_forms(email=people.active.email):
        if form.get("email") == people.active.email:
            continue
        tab.call(ResetPasswordState.request_link, form).ok()
    assert outbox(people.engine) == []

    tab.call(ResetPasswordState.request_link, {"email": people.active.email}).ok()
    token = parse_qs(urlsplit(link_in_outbox(people.engine, people.active.email, "/reset-password")).query)["token"][0]
    tab.load("/reset-password", token=token)
    tab.call(ResetPasswordState.set_password, {"password": "12345678"}).ok()
    assert tab.state(ResetPasswordState).error
    assert verify_password(user_row(people.engine, people.active.email).password_hash, PASSWORD)

"""Issue 8, account safety, through the pages' handlers: nobody floods an inbox through sign-up or
reset, nobody keeps a member out by guessing wrong, a locked-out member gets in with an emailed
one-time link (handed over to /api/auth/session like a password sign-in), and guessing the
password on the account-deletion form is throttled like sign-in."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from hub_app.i18n import translate
from hub_app.models import OneTimeToken, User
from hub_app.pages.login import LoginState
from hub_app.pages.profile import ProfileState
from hub_app.pages.reset_password import ResetPasswordState
from hub_app.pages.sign_in_link import SignInLinkState
from hub_app.pages.signup import SignupState
from hub_app.services.security import hash_token
from hub_app.settings import get_settings
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

ROLES = ["visitor", "pending", "active", "staff", "admin"]
ATTACKER, HOME = "198.51.100.9", "203.0.113.7"


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def live_tokens(engine, purpose: str) -> int:
    with Session(engine) as session:
        return len(session.exec(select(OneTimeToken).where(OneTimeToken.purpose == purpose,
                                                           col(OneTimeToken.used_at).is_(None))).all())


def lock_out(hub, person) -> None:
    """Wrong passwords for the person's account from enough addresses to reach the per-account ceiling."""
    settings = get_settings()
    per_address = settings.signin_max_failures_per_account_and_address - 1
    remaining, n = settings.signin_max_failures_per_account, 0
    while remaining:
        tab = hub.browser(client_ip=f"10.3.0.{n}")
        tab.load("/login")
        for _ in range(min(per_address, remaining)):
            tab.call(LoginState.submit, {"email": person.email, "password": "guess-guess-guess"}).ok()
            assert tab.state(LoginState).error == translate("error.sign_in_failed", "id")
            remaining -= 1
        n += 1


# -- Sign-up and reset cannot flood an inbox ----------------------------------------------------------


@covers(SignupState.submit)
def test_fifteen_sign_ups_with_a_registered_email_send_one_notice_and_answer_like_a_new_one(hub, people):
    new_tab = hub.browser(client_ip=ATTACKER)
    new_tab.load("/signup")
    new_tab.call(SignupState.submit, {"name": "Wulan Sari", "email": "wulan@umkm.example",
                                      "password": "tempe-mendoan-hangat-77", "consent": "on"}).ok()
    for _ in range(15):
        tab = hub.browser(client_ip=ATTACKER)
        tab.load("/signup")
        tab.call(SignupState.submit, {"name": "Wulan Sari", "email": people.active.email.upper(),
                                      "password": "tempe-mendoan-hangat-77", "consent": "on"}).ok()
        # What the browser sees is the same as for the new address.
        assert (tab.state(SignupState).done, tab.state(SignupState).error) == (True, "")
        assert (tab.state(SignupState).done, tab.state(SignupState).error) == \
            (new_tab.state(SignupState).done, new_tab.state(SignupState).error)
    assert len(outbox(people.engine, people.active.email)) == 1
    assert len(outbox(people.engine, "wulan@umkm.example")) == 1


@covers(ResetPasswordState.request_link)
@pytest.mark.parametrize("role", ROLES)
def test_twenty_reset_requests_send_one_mail_with_one_live_link(role, hub, people):
    tab = hub.browser(people.by_role()[role], client_ip=ATTACKER)
    tab.load("/reset-password")
    for _ in range(20):
        tab.call(ResetPasswordState.request_link, {"email": people.other.email}).ok()
        assert tab.state(ResetPasswordState).info == translate("reset.request_done", "id")
        tab.call(ResetPasswordState.request_link, {"email": "nobody@test.example"}).ok()
        assert tab.state(ResetPasswordState).info == translate("reset.request_done", "id")
    assert len(outbox(people.engine, people.other.email)) == 1
    assert live_tokens(people.engine, "reset_password") == 1
    assert outbox(people.engine, "nobody@test.example") == []


# -- Nobody keeps a member out ------------------------------------------------------------------------------


@covers(LoginState.submit)
def test_an_attackers_wrong_passwords_lock_only_the_attackers_address(hub, people):
    attacker = hub.browser(client_ip=ATTACKER)
    attacker.load("/login")
    for _ in range(10):
        attacker.call(LoginState.submit, {"email": people.active.email, "password": "guess-guess-guess"}).ok()
    outcome = attacker.call(LoginState.submit, {"email": people.active.email, "password": PASSWORD}).ok()
    assert outcome.auth_posts == []
    assert attacker.state(LoginState).error.startswith(translate("error.sign_in_throttled", "id", minutes=1)[:25])
    assert attacker.state(LoginState).locked  # the page offers the emailed link
    # The member, on their own device, signs in as usual.
    member = hub.browser(client_ip=HOME)
    member.load("/login")
    [(path, fields)] = member.call(LoginState.submit, {"email": people.active.email, "password": PASSWORD}).ok() \
        .auth_posts
    assert path == "/api/auth/session" and fields["ticket"]
    assert not member.state(LoginState).locked


@covers(SignInLinkState.request_link, SignInLinkState.use_link, SignInLinkState.prepare, LoginState.submit)
def test_a_locked_out_member_gets_in_with_a_single_use_emailed_link(hub, people):
    lock_out(hub, people.active)
    member = hub.browser(client_ip=HOME)
    member.load("/login")
    assert member.call(LoginState.submit, {"email": people.active.email, "password": PASSWORD}).ok().auth_posts == []
    assert member.state(LoginState).locked

    member.load("/sign-in-link")
    assert not member.state(SignInLinkState).has_token
    member.call(SignInLinkState.request_link, {"email": people.active.email}).ok()
    assert member.state(SignInLinkState).info == translate("link.request_done", "id")
    link = link_in_outbox(people.engine, people.active.email, "/sign-in-link")

    # Opening the page uses nothing up (mail scanners open links); the button does.
    opened = hub.browser(client_ip=HOME)
    opened.load(link).ok()
    assert opened.state(SignInLinkState).has_token
    assert live_tokens(people.engine, "sign_in_link") == 1
    outcome = opened.call(SignInLinkState.use_link).ok()
    [(path, fields)] = outcome.auth_posts
    assert path == "/api/auth/session" and fields["next"] == "/" and fields["tab"] == "<this tab>"
    with Session(people.engine) as session:
        ticket = session.exec(select(OneTimeToken).where(OneTimeToken.token_hash == hash_token(fields["ticket"]))).one()
    assert (ticket.purpose, ticket.user_id, ticket.binding_hash != "") == ("sign_in", people.active.id, True)
    # The link is in no state the browser receives, beyond the address it was opened with.
    assert fields["ticket"] not in outcome.delta_text()

    # A replay, from this or any other tab, gets nothing.
    for tab in (opened, hub.browser(client_ip=ATTACKER)):
        tab.load(link).ok()
        again = tab.call(SignInLinkState.use_link).ok()
        assert again.auth_posts == []
        assert tab.state(SignInLinkState).error == translate("error.link_invalid", "id")
        assert not tab.state(SignInLinkState).has_token  # back to the form that asks for a new link


@covers(SignInLinkState.request_link)
@pytest.mark.parametrize("role", ROLES)
def test_asking_a_link_for_someone_else_mails_only_them_and_reveals_nothing(role, hub, people):
    tab = hub.browser(people.by_role()[role])
    tab.load("/sign-in-link")
    tab.call(SignInLinkState.request_link, {"email": people.other.email, "user_id": people.admin.id}).ok()
    answer = tab.state(SignInLinkState).info
    tab.call(SignInLinkState.request_link, {"email": "nobody@test.example"}).ok()
    assert tab.state(SignInLinkState).info == answer == translate("link.request_done", "id")
    assert [mail.to_address for mail in outbox(people.engine)] == [people.other.email]
    # Suspended accounts get no link; the answer is the same.
    tab.call(SignInLinkState.request_link, {"email": people.suspended.email}).ok()
    assert tab.state(SignInLinkState).info == answer
    assert outbox(people.engine, people.suspended.email) == []


@covers(SignInLinkState.request_link, SignInLinkState.use_link)
def test_sign_in_link_page_refuses_junk_and_forged_links(hub, people):
    tab = hub.browser()
    tab.load("/sign-in-link")
    before = db_fingerprint(people.engine, ["users", "user_sessions", "one_time_tokens"])
    for form in junk_forms(email=people.active.email):
        if form.get("email") == people.active.email:
            continue
        tab.call(SignInLinkState.request_link, form).ok()
        assert tab.state(SignInLinkState).info == ""
    assert outbox(people.engine) == []
    # Without a token in the address, or with a forged one, the button signs nobody in.
    assert tab.call(SignInLinkState.use_link).ok().auth_posts == []
    for token in ["x", "A" * 43, MEGABYTE_TEXT[:5000], "../../etc/passwd", "%00"]:
        tab.load("/sign-in-link", token=token).ok()
        assert tab.call(SignInLinkState.use_link).ok().auth_posts == []
        assert tab.state(SignInLinkState).error == translate("error.link_invalid", "id")
    tab.send(SignInLinkState.use_link, {"token": "A" * 43, "user_id": people.admin.id}).not_crashed()
    # A password-reset link is not a sign-in link.
    hub.browser().call(ResetPasswordState.request_link, {"email": people.active.email}).ok()
    tab.load("/sign-in-link", token=token_of(link_in_outbox(people.engine, people.active.email, "/reset-password")))
    assert tab.call(SignInLinkState.use_link).ok().auth_posts == []
    assert db_fingerprint(people.engine, ["users", "user_sessions"]) == \
        {name: before[name] for name in ["users", "user_sessions"]}


@covers(SignInLinkState.use_link)
def test_a_member_suspended_after_asking_reads_why_and_gets_no_session(hub, people):
    tab = hub.browser()
    tab.load("/sign-in-link")
    tab.call(SignInLinkState.request_link, {"email": people.active.email}).ok()
    link = link_in_outbox(people.engine, people.active.email, "/sign-in-link")
    with Session(people.engine) as session:  # staff suspend the member meanwhile
        session.exec(update(User).where(col(User.id) == people.active.id)
                     .values(status="suspended", status_reason="Aturan rumah"))
        session.commit()
    tab.load(link)
    assert tab.call(SignInLinkState.use_link).ok().auth_posts == []
    assert "Aturan rumah" in tab.state(SignInLinkState).error


# -- Account deletion is throttled like sign-in -------------------------------------------------------------


@covers(ProfileState.delete_account)
def test_guessing_the_password_on_the_deletion_form_is_throttled(hub, people):
    thief = hub.browser(people.active, client_ip=ATTACKER)  # someone holding the member's session
    thief.load("/profile")
    attempts = count_rows(people.engine, "sign_in_attempts")
    for n in range(5):
        thief.call(ProfileState.delete_account, {"password": f"guess-number-{n}"}).ok()
        assert thief.state(ProfileState).delete_error.endswith(translate("error.password_wrong", "id"))
    assert count_rows(people.engine, "sign_in_attempts") == attempts + 5
    outcome = thief.call(ProfileState.delete_account, {"password": PASSWORD}).ok()
    assert outcome.auth_posts == []
    assert thief.state(ProfileState).delete_error == translate("error.password_throttled", "id", minutes=15)
    assert user_row(people.engine, people.active.email).status == "active"
    # The member's own device is not locked out.
    member = hub.browser(people.active, client_ip=HOME)
    member.load("/profile")
    assert member.call(ProfileState.delete_account, {"password": PASSWORD}).ok().auth_posts == \
        [("/api/auth/sign-out", {"next": "/", "drops_tab": True})]
    assert user_row(people.engine, people.active.email) is None

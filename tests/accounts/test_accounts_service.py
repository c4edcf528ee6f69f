"""Sign-up, verification, sign-in, sessions and password reset against SQLite and PostgreSQL."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.models import EmailOutbox, Notification, OneTimeToken, SignInAttempt, User, UserSession
from hub_app.models.base import utcnow
from hub_app.services import accounts, sign_in_sessions
from tests.accounts.factories import PASSWORD, make_user, open_session_for
from tests.transactions import end_read

FORM = {"name": "Andi Pratama", "email": "Andi@Startup.example", "password": PASSWORD, "consent": "on",
        "business_name": "Kopi Kita", "sector": "culinary", "stage": "early", "bio": "Kopi", "offers": "",
        "looking_for": "Investor"}


def _link(session, to: str, path: str) -> str:
    emails = session.exec(select(EmailOutbox).where(EmailOutbox.to_address == to)).all()
    end_read(session)
    for email in reversed(emails):
        match = re.search(re.escape(path) + r"([A-Za-z0-9_\-]+)", email.body_text)
        if match:
            return match.group(1)
    raise AssertionError(f"no {path} link sent to {to}")


def _sign_up_and_verify(session) -> User:
    accounts.sign_up(None, session=session, form=FORM)
    accounts.verify_email(None, session=session, token=_link(session, FORM["email"], "/verify/"))
    user = session.exec(select(User)).one()
    end_read(session)
    return user


def test_sign_up_creates_a_pending_unverified_member_with_consent(session):
    accounts.sign_up(None, session=session, form=FORM, locale="en")
    user = session.exec(select(User)).one()
    assert (user.status, user.role, user.email_verified_at) == ("pending", "member", None)
    assert user.email_normalized == "andi@startup.example" and user.locale == "en"
    assert user.consent_at is not None and user.consent_version
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert "verify" in session.exec(select(EmailOutbox)).one().body_text


def test_sign_up_with_the_same_email_in_another_case_creates_no_second_account(session):
    accounts.sign_up(None, session=session, form=FORM)
    accounts.sign_up(None, session=session, form={**FORM, "email": "ANDI@startup.EXAMPLE", "name": "Someone"})
    assert len(session.exec(select(User)).all()) == 1
    # The owner is told, the second sign-up sees the same answer as the first.
    assert len(session.exec(select(EmailOutbox)).all()) == 2


@pytest.mark.parametrize(("change", "key"), [
    ({"password": "password"}, "password.common"),
    ({"password": "short"}, "password.too_short"),
    ({"consent": ""}, "error.consent_required"),
    ({"email": "not-an-email"}, "error.email_invalid"),
    ({"name": ""}, "error.field_required"),
    ({"name": ["a"]}, "error.field_type"),
    ({"sector": "weapons"}, "error.field_choice"),
    ({"bio": "x" * 5000}, "error.field_too_long"),
])
def test_sign_up_refuses_bad_input_and_changes_nothing(session, change, key):
    with pytest.raises(InvalidInput) as error:
        accounts.sign_up(None, session=session, form={**FORM, **change})
    assert error.value.key == key
    assert session.exec(select(User)).all() == [] and session.exec(select(EmailOutbox)).all() == []


def test_verification_link_is_single_use(session):
    accounts.sign_up(None, session=session, form=FORM)
    token = _link(session, FORM["email"], "/verify/")
    accounts.verify_email(None, session=session, token=token)
    assert session.exec(select(User)).one().email_verified_at is not None
    end_read(session)
    with pytest.raises(InvalidInput):
        accounts.verify_email(None, session=session, token=token)
    with pytest.raises(InvalidInput):
        accounts.verify_email(None, session=session, token="x" * 43)


def test_sign_in_needs_a_verified_email(session):
    accounts.sign_up(None, session=session, form=FORM)
    with pytest.raises(NotAllowed) as error:
        accounts.sign_in(None, session=session, email=FORM["email"], password=PASSWORD, client_address="1.2.3.4")
    assert error.value.key == "error.email_unverified"


def test_sign_in_opens_a_rotated_hashed_session(session):
    user = _sign_up_and_verify(session)
    ticket = accounts.sign_in(None, session=session, email="andi@STARTUP.example", password=PASSWORD,
                              client_address="1.2.3.4")
    first = open_session_for(session, ticket)
    assert first and len(first) >= 43
    assert open_session_for(session, ticket) is None  # ticket is single-use
    stored = session.exec(select(UserSession)).one()
    assert stored.token_hash != first and first not in stored.token_hash
    actor = sign_in_sessions.actor_for_token(session=session, token=first)
    assert actor.user_id == user.id and actor.status == "pending"

    end_read(session)
    ticket = accounts.sign_in(None, session=session, email=FORM["email"], password=PASSWORD,
                              client_address="1.2.3.4")
    second = open_session_for(session, ticket, previous_token=first)
    assert second != first
    assert sign_in_sessions.actor_for_token(session=session, token=first) is None
    assert sign_in_sessions.actor_for_token(session=session, token=second).user_id == user.id


def test_unknown_email_and_wrong_password_look_the_same(session):
    _sign_up_and_verify(session)
    errors = []
    for email, password in ((FORM["email"], "wrong-password-1"), ("nobody@x.example", PASSWORD)):
        with pytest.raises(InvalidInput) as error:
            accounts.sign_in(None, session=session, email=email, password=password, client_address="1.2.3.4")
        errors.append((type(error.value), error.value.key, error.value.params))
    assert errors[0] == errors[1] == (InvalidInput, "error.sign_in_failed", {})


def test_failed_sign_ins_are_throttled_per_account_and_address(session):
    make_user(session, "rina@umkm.example")
    for _ in range(5):
        with pytest.raises(InvalidInput):
            accounts.sign_in(None, session=session, email="rina@umkm.example", password="wrong",
                             client_address="10.0.0.1")
    with pytest.raises(NotAllowed) as error:
        accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD, client_address="10.0.0.1")
    assert error.value.key == "error.sign_in_throttled" and error.value.params["minutes"] >= 1
    # Not from everywhere: whoever guessed cannot keep the member out (the per-account ceiling and the
    # emailed sign-in link past it are in test_account_safety_service.py).
    assert accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD,
                            client_address="10.0.0.99")


def test_failed_sign_ins_are_throttled_per_address(session):
    make_user(session, "rina@umkm.example")
    for attempt in range(20):
        with pytest.raises(InvalidInput):
            accounts.sign_in(None, session=session, email=f"guess{attempt}@x.example", password="x",
                             client_address="6.6.6.6")
    with pytest.raises(NotAllowed):
        accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD, client_address="6.6.6.6")
    assert accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD,
                            client_address="7.7.7.7")


def test_a_suspended_member_cannot_sign_in_and_reads_the_reason(session):
    user = make_user(session, "rina@umkm.example", status="suspended")
    user.status_reason = "Tidak hadir berulang kali"
    session.add(user)
    session.commit()
    with pytest.raises(NotAllowed) as error:
        accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD, client_address="1.1.1.1")
    assert error.value.key == "error.suspended" and error.value.params["reason"] == "Tidak hadir berulang kali"


def test_expired_and_revoked_sessions_are_refused(session):
    make_user(session, "rina@umkm.example")
    ticket = accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD, client_address="1")
    token = open_session_for(session, ticket)
    stored = session.exec(select(UserSession)).one()
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.add(stored)
    session.commit()
    assert sign_in_sessions.actor_for_token(session=session, token=token) is None

    ticket = accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD, client_address="1")
    token = open_session_for(session, ticket)
    sign_in_sessions.sign_out(session=session, token=token)
    assert sign_in_sessions.actor_for_token(session=session, token=token) is None


def test_the_shells_lookup_shows_the_member_their_unread_count_and_refuses_a_dead_session(session):
    from hub_app.services import notifications

    user = make_user(session, "rina@umkm.example", name="Rina Kusuma")
    other = make_user(session, "andi@umkm.example", name="Andi")
    for receiver in (user, user, user, other):
        notifications.notify(session, receiver, "training.removed", params={"title": "Ekspor"}, email=False)
    session.commit()
    ticket = accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD, client_address="1")
    token = open_session_for(session, ticket)
    notifications.mark_read(sign_in_sessions.actor_for_token(session=session, token=token), session=session,
                            notification_id=session.exec(select(Notification.id).where(
                                Notification.user_id == user.id)).first())

    actor, summary = sign_in_sessions.shell_for_token(session=session, token=token)
    assert actor == sign_in_sessions.actor_for_token(session=session, token=token)
    assert (actor.user_id, actor.name, actor.role) == (user.id, "Rina Kusuma", "member")
    assert summary == sign_in_sessions.session_summary(actor, session=session)
    assert (summary.unread, summary.must_agree) == (2, True)  # consent "t" is not the current version

    assert sign_in_sessions.shell_for_token(session=session, token="not-a-session") == (None, None)
    assert sign_in_sessions.shell_for_token(session=session, token="x" * 101) == (None, None)
    sign_in_sessions.sign_out(session=session, token=token)
    assert sign_in_sessions.shell_for_token(session=session, token=token) == (None, None)


def test_sign_out_everywhere_revokes_every_session(session):
    user = make_user(session, "rina@umkm.example")
    tokens = []
    for _ in range(3):
        ticket = accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD,
                                  client_address="1")
        tokens.append(open_session_for(session, ticket))
    actor = sign_in_sessions.actor_for_token(session=session, token=tokens[0])
    sign_in_sessions.sign_out_everywhere(actor, session=session)
    assert all(sign_in_sessions.actor_for_token(session=session, token=token) is None for token in tokens)
    assert user.id == actor.user_id


def test_password_reset_link_works_once_within_30_minutes_and_signs_out_everywhere(session):
    make_user(session, "rina@umkm.example")
    ticket = accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD, client_address="1")
    old_session = open_session_for(session, ticket)

    accounts.request_password_reset(None, session=session, email="RINA@umkm.example")
    token = _link(session, "rina@umkm.example", "/reset-password?token=")
    row = session.exec(select(OneTimeToken).where(OneTimeToken.purpose == "reset_password")).one()
    assert timedelta(minutes=29) < row.expires_at - row.created_at <= timedelta(minutes=30)

    end_read(session)
    with pytest.raises(InvalidInput) as error:
        accounts.reset_password(None, session=session, token=token, password="password")
    assert error.value.key == "password.common"
    assert sign_in_sessions.actor_for_token(session=session, token=old_session) is not None  # nothing changed

    accounts.reset_password(None, session=session, token=token, password="teh-botol-dingin-77")
    assert sign_in_sessions.actor_for_token(session=session, token=old_session) is None
    assert accounts.sign_in(None, session=session, email="rina@umkm.example", password="teh-botol-dingin-77",
                            client_address="1")
    with pytest.raises(InvalidInput):
        accounts.reset_password(None, session=session, token=token, password="another-good-one-88")


def test_expired_reset_link_is_refused(session):
    make_user(session, "rina@umkm.example")
    accounts.request_password_reset(None, session=session, email="rina@umkm.example")
    token = _link(session, "rina@umkm.example", "/reset-password?token=")
    row = session.exec(select(OneTimeToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    with pytest.raises(InvalidInput):
        accounts.reset_password(None, session=session, token=token, password="teh-botol-dingin-77")


def test_reset_request_does_not_reveal_whether_the_email_exists(session):
    make_user(session, "rina@umkm.example")
    accounts.request_password_reset(None, session=session, email="nobody@x.example")
    accounts.request_password_reset(None, session=session, email="rina@umkm.example")
    assert [email.to_address for email in session.exec(select(EmailOutbox)).all()] == ["rina@umkm.example"]


def test_attempts_are_recorded(session):
    make_user(session, "rina@umkm.example")
    with pytest.raises(InvalidInput):
        accounts.sign_in(None, session=session, email="rina@umkm.example", password="nope", client_address="1")
    accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD, client_address="1")
    assert [a.succeeded for a in session.exec(select(SignInAttempt).order_by(SignInAttempt.id)).all()] == [False, True]

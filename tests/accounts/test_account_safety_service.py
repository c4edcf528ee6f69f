"""Issue 8, account safety, against SQLite and PostgreSQL: account mail is limited per address and
per client, one live reset link per account, account deletion goes through the sign-in throttle, an
attacker cannot lock a member out (throttle per account and address, a high per-account ceiling, an
emailed sign-in link past it), and sign-up does the same work for a new and a registered email."""

import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import update
from sqlmodel import Session, col, select

from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.models import AccountMail, EmailOutbox, OneTimeToken, SignInAttempt, User
from hub_app.models.base import utcnow
from hub_app.services import accounts, profiles, security
from hub_app.settings import get_settings
from tests.accounts.factories import PASSWORD, actor_of, make_user

HOME, ATTACKER = "203.0.113.5", "198.51.100.9"
FORM = {"name": "Andi Pratama", "email": "andi@startup.example", "password": "teh-poci-tegal-manis-31",
        "consent": "on"}


def _read(session, query) -> list:
    """Rows read in a session of their own, so the test's session (which the services use, and
    which must not hold a read transaction when a service begins its write) stays idle."""
    with Session(session.get_bind(), expire_on_commit=False) as reader:
        return list(reader.exec(query).all())


def _mails(session, to: str | None = None) -> list[EmailOutbox]:
    query = select(EmailOutbox).order_by(col(EmailOutbox.id))
    if to is not None:
        query = query.where(EmailOutbox.to_address == to)
    return _read(session, query)


def _user(session, user_id: int) -> User:
    return _read(session, select(User).where(User.id == user_id))[0]


def _member(session, email: str, **kwargs):
    """A member (arranged directly in the database) as plain values: (id, email, actor)."""
    user = make_user(session, email, **kwargs)
    return user.id, user.email, actor_of(user)


def _token_in(mail: EmailOutbox, path: str) -> str:
    return re.search(re.escape(path) + r"([A-Za-z0-9_\-]+)", mail.body_text).group(1)


def _live_tokens(session, purpose: str) -> list[OneTimeToken]:
    return _read(session, select(OneTimeToken).where(OneTimeToken.purpose == purpose,
                                                     col(OneTimeToken.used_at).is_(None)))


def _age_account_mails(session, seconds: int) -> None:
    """Moves the recorded account mails back in time (instead of waiting)."""
    session.exec(update(AccountMail).values(created_at=utcnow() - timedelta(seconds=seconds)))
    session.commit()


def _fail(session, email: str, address: str, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(InvalidInput):
            accounts.sign_in(None, session=session, email=email, password="not-the-password-1",
                             client_address=address)


# -- 1. Account mail limits -----------------------------------------------------------------------------


def test_twenty_reset_requests_in_a_row_queue_one_mail_and_one_live_link(session):
    make_user(session, "rina@umkm.example")
    for _ in range(20):
        assert accounts.request_password_reset(None, session=session, email="rina@umkm.example",
                                               client_address=HOME) is None
    assert len(_mails(session, "rina@umkm.example")) == 1
    assert len(_live_tokens(session, "reset_password")) == 1


def test_a_new_reset_link_replaces_the_older_one(session):
    make_user(session, "rina@umkm.example")
    accounts.request_password_reset(None, session=session, email="rina@umkm.example", client_address=HOME)
    _age_account_mails(session, 120)
    accounts.request_password_reset(None, session=session, email="rina@umkm.example", client_address=HOME)
    first, second = _mails(session, "rina@umkm.example")
    old, new = _token_in(first, "/reset-password?token="), _token_in(second, "/reset-password?token=")
    assert len(_live_tokens(session, "reset_password")) == 1
    with pytest.raises(InvalidInput) as error:
        accounts.reset_password(None, session=session, token=old, password="es-teler-segar-sekali-8")
    assert error.value.key == "error.link_invalid"
    accounts.reset_password(None, session=session, token=new, password="es-teler-segar-sekali-8")


def test_fifteen_sign_ups_with_a_registered_email_queue_one_notice(session):
    make_user(session, "rina@umkm.example")
    for _ in range(15):
        assert accounts.sign_up(None, session=session, form={**FORM, "email": "Rina@UMKM.example"},
                                client_address=ATTACKER) is None
    assert len(_mails(session, "rina@umkm.example")) == 1
    assert len(_read(session, select(User))) == 1


def test_mails_to_one_address_are_limited_across_kinds(session):
    """Each kind once a minute, and at most account_mails_per_recipient per window in all."""
    _, email, _ = _member(session, "rina@umkm.example", verified=False)
    limit = get_settings().account_mails_per_recipient
    for round_ in range(limit + 3):
        accounts.request_password_reset(None, session=session, email=email, client_address=f"10.0.0.{round_}")
        accounts.request_sign_in_link(None, session=session, email=email, client_address=f"10.0.1.{round_}")
        accounts.sign_up(None, session=session, form={**FORM, "email": email}, client_address="10.0.2.1")
        with pytest.raises(NotAllowed):  # unverified: re-sends the verification link
            accounts.sign_in(None, session=session, email=email, password=PASSWORD, client_address=HOME)
        _age_account_mails(session, 61 * (round_ + 1))
    assert len(_mails(session, email)) == limit


def test_mails_asked_for_from_one_client_are_limited(session):
    limit = get_settings().account_mails_per_client
    for n in range(limit + 5):
        make_user(session, f"member{n}@umkm.example")
    for n in range(limit + 5):
        accounts.request_password_reset(None, session=session, email=f"member{n}@umkm.example",
                                        client_address=ATTACKER)
    assert len(_mails(session)) == limit
    assert len(_live_tokens(session, "reset_password")) == limit
    # Another client is not affected: the member at home still gets the link.
    accounts.request_password_reset(None, session=session, email=f"member{limit + 4}@umkm.example",
                                    client_address=HOME)
    assert len(_mails(session)) == limit + 1


def test_limited_requests_answer_like_any_other(session):
    """The answer to the caller never depends on whether the address exists or a limit was hit."""
    make_user(session, "rina@umkm.example")
    answers = []
    for email in ["rina@umkm.example", "rina@umkm.example", "nobody@umkm.example"]:
        answers.append(accounts.request_password_reset(None, session=session, email=email, client_address=HOME))
        answers.append(accounts.request_sign_in_link(None, session=session, email=email, client_address=HOME))
    assert answers == [None] * 6
    assert [mail.to_address for mail in _mails(session)] == ["rina@umkm.example"] * 2
    # Nothing is recorded about addresses without an account; the recipient is kept only as a hash.
    rows = _read(session, select(AccountMail))
    assert len(rows) == 2 and all("rina" not in row.recipient_hash for row in rows)


def test_old_account_mail_records_are_removed(session):
    make_user(session, "rina@umkm.example")
    make_user(session, "budi@umkm.example")
    accounts.request_password_reset(None, session=session, email="rina@umkm.example", client_address=HOME)
    _age_account_mails(session, get_settings().account_mail_window_minutes * 60 + 5)
    accounts.request_password_reset(None, session=session, email="budi@umkm.example", client_address=HOME)
    assert len(_read(session, select(AccountMail))) == 1


# -- 2. Account deletion goes through the sign-in throttle -------------------------------------------------


def test_guessing_the_password_to_delete_an_account_is_throttled_and_recorded(session):
    member_id, email, actor = _member(session, "dewi@x.example")
    for _ in range(5):
        with pytest.raises(InvalidInput) as error:
            profiles.delete_account(actor, session=session, password="guess-guess-1", client_address=ATTACKER)
        assert error.value.key == "error.password_wrong"
    assert len(_read(session, select(SignInAttempt).where(col(SignInAttempt.succeeded).is_(False)))) == 5
    with pytest.raises(NotAllowed) as error:
        profiles.delete_account(actor, session=session, password=PASSWORD, client_address=ATTACKER)
    assert error.value.key == "error.password_throttled" and error.value.params["minutes"] >= 1
    assert _user(session, member_id).status == "active"
    # The same throttle as sign-in: that address cannot sign in to the account either ...
    with pytest.raises(NotAllowed):
        accounts.sign_in(None, session=session, email=email, password=PASSWORD, client_address=ATTACKER)
    # ... and failed sign-ins count for deletion.
    _fail(session, email, "192.0.2.1", times=5)
    with pytest.raises(NotAllowed):
        profiles.delete_account(actor, session=session, password=PASSWORD, client_address="192.0.2.1")
    # From the member's own device the right password still works.
    profiles.delete_account(actor, session=session, password=PASSWORD, client_address=HOME)
    assert _user(session, member_id).status == "deleted"


@pytest.mark.parametrize("password", [None, 7, ["x"], {"p": 1}, "", "x" * 5000])
def test_junk_passwords_for_deletion_change_nothing(session, password):
    member_id, _, actor = _member(session, "dewi@x.example")
    with pytest.raises(InvalidInput):
        profiles.delete_account(actor, session=session, password=password, client_address=HOME)
    assert _user(session, member_id).status == "active"
    assert _read(session, select(SignInAttempt)) == []


# -- 3. Nobody can lock a member out ------------------------------------------------------------------------


def test_wrong_passwords_from_one_address_do_not_lock_the_member_out_elsewhere(session):
    make_user(session, "rina@umkm.example")
    _fail(session, "rina@umkm.example", ATTACKER, times=5)
    with pytest.raises(NotAllowed) as error:
        accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD,
                         client_address=ATTACKER)
    assert error.value.key == "error.sign_in_throttled"
    assert accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD,
                            client_address=HOME)


def test_the_per_account_ceiling_locks_the_account_from_everywhere(session):
    make_user(session, "rina@umkm.example")
    ceiling = get_settings().signin_max_failures_per_account
    pair_limit = get_settings().signin_max_failures_per_account_and_address
    addresses = [f"10.1.0.{n}" for n in range(-(-ceiling // (pair_limit - 1)))]
    done = 0
    for address in addresses:
        times = min(pair_limit - 1, ceiling - done)
        _fail(session, "rina@umkm.example", address, times=times)
        done += times
    assert done == ceiling
    with pytest.raises(NotAllowed) as error:
        accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD, client_address=HOME)
    assert error.value.key == "error.sign_in_throttled"


def _lock_out(session, email: str) -> None:
    ceiling = get_settings().signin_max_failures_per_account
    for n in range(ceiling):
        _fail(session, email, f"10.2.{n // 4}.{n}")
    with pytest.raises(NotAllowed):
        accounts.sign_in(None, session=session, email=email, password=PASSWORD, client_address=HOME)


def test_a_locked_out_member_signs_in_with_an_emailed_link_once(session):
    member_id, email, _ = _member(session, "rina@umkm.example")
    _lock_out(session, email)
    accounts.request_sign_in_link(None, session=session, email="RINA@umkm.example", client_address=HOME)
    [mail] = _mails(session, email)
    assert "15" in mail.body_text
    token = _token_in(mail, "/sign-in-link?token=")
    [stored] = _read(session, select(OneTimeToken).where(OneTimeToken.purpose == "sign_in_link"))
    assert stored.token_hash != token and token not in stored.token_hash  # stored hashed
    assert timedelta(minutes=14) < stored.expires_at - stored.created_at <= timedelta(minutes=15)

    ticket = accounts.sign_in_with_link(None, session=session, token=token, client_address=HOME)
    [issued] = _read(session, select(OneTimeToken).where(OneTimeToken.purpose == "sign_in",
                                                         OneTimeToken.token_hash == security.hash_token(ticket)))
    assert issued.user_id == member_id and issued.used_at is None
    # Single use: a replay is refused.
    with pytest.raises(InvalidInput) as error:
        accounts.sign_in_with_link(None, session=session, token=token, client_address=HOME)
    assert error.value.key == "error.link_invalid"


def test_a_sign_in_link_ends_the_members_own_run_of_failures(session):
    make_user(session, "rina@umkm.example")
    _fail(session, "rina@umkm.example", HOME, times=5)
    with pytest.raises(NotAllowed):
        accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD, client_address=HOME)
    accounts.request_sign_in_link(None, session=session, email="rina@umkm.example", client_address=HOME)
    token = _token_in(_mails(session)[-1], "/sign-in-link?token=")
    accounts.sign_in_with_link(None, session=session, token=token, client_address=HOME)
    assert accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD, client_address=HOME)


def test_a_new_sign_in_link_replaces_the_older_one_and_links_expire(session):
    make_user(session, "rina@umkm.example")
    accounts.request_sign_in_link(None, session=session, email="rina@umkm.example", client_address=HOME)
    _age_account_mails(session, 120)
    accounts.request_sign_in_link(None, session=session, email="rina@umkm.example", client_address=HOME)
    old, new = (_token_in(mail, "/sign-in-link?token=") for mail in _mails(session))
    with pytest.raises(InvalidInput):
        accounts.sign_in_with_link(None, session=session, token=old, client_address=HOME)
    session.exec(update(OneTimeToken).where(col(OneTimeToken.purpose) == "sign_in_link")
                 .values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    with pytest.raises(InvalidInput):
        accounts.sign_in_with_link(None, session=session, token=new, client_address=HOME)


@pytest.mark.parametrize("token", [None, 42, ["a" * 43], {"t": 1}, "", "short", "A" * 43, "A" * 5000,
                                   "../../etc/passwd"])
def test_junk_sign_in_links_are_refused(session, token):
    make_user(session, "rina@umkm.example")
    with pytest.raises(InvalidInput) as error:
        accounts.sign_in_with_link(None, session=session, token=token, client_address=HOME)
    assert error.value.key == "error.link_invalid"
    assert _read(session, select(OneTimeToken)) == []


def test_other_one_time_tokens_are_not_sign_in_links(session):
    make_user(session, "rina@umkm.example", verified=False)
    accounts.request_password_reset(None, session=session, email="rina@umkm.example", client_address=HOME)
    reset = _token_in(_mails(session)[-1], "/reset-password?token=")
    with pytest.raises(NotAllowed):
        accounts.sign_in(None, session=session, email="rina@umkm.example", password=PASSWORD, client_address=HOME)
    verify = _token_in(_mails(session)[-1], "/verify/")
    for token in (reset, verify):
        with pytest.raises(InvalidInput):
            accounts.sign_in_with_link(None, session=session, token=token, client_address=HOME)
    # And a link is no reset or verification token.
    accounts.request_sign_in_link(None, session=session, email="rina@umkm.example", client_address=HOME)
    link = _token_in(_mails(session)[-1], "/sign-in-link?token=")
    with pytest.raises(InvalidInput):
        accounts.reset_password(None, session=session, token=link, password="es-teler-segar-sekali-8")
    with pytest.raises(InvalidInput):
        accounts.verify_email(None, session=session, token=link)


def test_a_link_proves_the_address_of_an_unverified_member(session):
    member_id, email, _ = _member(session, "rina@umkm.example", status="pending", verified=False)
    accounts.request_sign_in_link(None, session=session, email=email, client_address=HOME)
    token = _token_in(_mails(session)[-1], "/sign-in-link?token=")
    assert accounts.sign_in_with_link(None, session=session, token=token, client_address=HOME)
    assert _user(session, member_id).email_verified_at is not None


def test_suspended_and_deleted_accounts_get_no_way_in_by_link(session):
    _, suspended, _ = _member(session, "susi@umkm.example", status="suspended")
    _, _, deleted = _member(session, "gone@umkm.example")
    accounts.request_sign_in_link(None, session=session, email=suspended, client_address=HOME)
    profiles.delete_account(deleted, session=session, password=PASSWORD, client_address=HOME)
    accounts.request_sign_in_link(None, session=session, email="gone@umkm.example", client_address=HOME)
    assert _mails(session) == []
    # A member suspended after the link was sent reads why, and gets no ticket.
    member_id, email, _ = _member(session, "rina@umkm.example")
    accounts.request_sign_in_link(None, session=session, email=email, client_address=HOME)
    token = _token_in(_mails(session)[-1], "/sign-in-link?token=")
    session.exec(update(User).where(col(User.id) == member_id).values(status="suspended", status_reason="Aturan"))
    session.commit()
    with pytest.raises(NotAllowed) as error:
        accounts.sign_in_with_link(None, session=session, token=token, client_address=HOME)
    assert error.value.key == "error.suspended" and error.value.params["reason"] == "Aturan"
    assert _read(session, select(OneTimeToken).where(OneTimeToken.purpose == "sign_in")) == []


def test_sign_in_link_requests_refuse_junk(session):
    make_user(session, "rina@umkm.example")
    for email in [None, 3, ["rina@umkm.example"], "", "x" * 5000, "not-an-email"]:
        with pytest.raises(InvalidInput):
            accounts.request_sign_in_link(None, session=session, email=email, client_address=HOME)
    assert _mails(session) == []


# -- 4. Sign-up does the same work for a new and a registered email ----------------------------------------


class CountingHasher(PasswordHasher):
    """The real argon2 hasher, counting its calls."""

    calls: list[str] = []

    def hash(self, password, *, salt=None):
        CountingHasher.calls.append("hash")
        return super().hash(password, salt=salt)

    def verify(self, hash, password):
        CountingHasher.calls.append("verify")
        return super().verify(hash, password)


@pytest.fixture
def argon2_calls(monkeypatch):
    CountingHasher.calls = []
    monkeypatch.setattr(security, "_hasher", CountingHasher.from_parameters(security._hasher._parameters))
    return CountingHasher.calls


def test_sign_up_hashes_the_password_whether_or_not_the_email_is_registered(session, argon2_calls):
    make_user(session, "rina@umkm.example")
    answers = []
    for email in ["andi@startup.example", "rina@umkm.example"]:
        argon2_calls.clear()
        answers.append(accounts.sign_up(None, session=session, form={**FORM, "email": email}, client_address=HOME))
        assert argon2_calls == ["hash"], email
        assert len(_mails(session, email)) == 1, email
    assert answers == [None, None]
    # The registered member's password is untouched; the new one is stored as argon2id.
    [rina] = _read(session, select(User).where(User.email_normalized == "rina@umkm.example"))
    assert security.verify_password(rina.password_hash, PASSWORD)
    [andi] = _read(session, select(User).where(User.email_normalized == "andi@startup.example"))
    assert andi.password_hash.startswith("$argon2id$")

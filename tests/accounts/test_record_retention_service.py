"""Sign-in records past their retention are deleted by a background duty
(services/record_retention.py), on both engines: old sign-in attempts, sessions that expired or were
revoked long ago, expired one-time links. What is still of use stays: recent attempts (the sign-in
limits count them), live sessions, recent links."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from hub_app.domain.errors import HubError
from hub_app.models import OneTimeToken, SignInAttempt, UserSession
from hub_app.models.base import utcnow
from hub_app.services import accounts, record_retention
from hub_app.settings import get_settings
from tests.accounts.factories import PASSWORD, make_user


def _ids(session, model) -> set[int]:
    """The ids left (the read ends, so a service may start its write transaction next)."""
    ids = set(session.exec(select(model.id).order_by(col(model.id))).all())
    session.rollback()
    return ids


def test_records_past_their_retention_go_and_those_of_use_stay(session):
    member = make_user(session, "rina@umkm.example")
    now = utcnow()
    past = now - timedelta(days=get_settings().sign_in_record_retention_days, hours=1)
    recent = now - timedelta(minutes=5)
    attempts = [SignInAttempt(email_normalized="rina@umkm.example", client_address="10.0.0.9", attempted_at=at)
                for at in (past, recent)]
    sessions = [UserSession(user_id=member.id, token_hash=f"{n:064x}", created_at=past - timedelta(days=14),
                            expires_at=expires, revoked_at=revoked)
                for n, (expires, revoked) in enumerate([(past, None), (now + timedelta(days=3), past),
                                                        (now + timedelta(days=3), None), (recent, None)])]
    links = [OneTimeToken(user_id=member.id, purpose="reset_password", token_hash=f"{n + 10:064x}", expires_at=at)
             for n, at in enumerate((past, recent))]
    session.add_all(attempts + sessions + links)
    session.commit()
    kept_attempt, kept_sessions, kept_link = attempts[1].id, {sessions[2].id, sessions[3].id}, links[1].id
    session.rollback()

    assert record_retention.purge_sign_in_records(session=session, now=now) == 4
    assert _ids(session, SignInAttempt) == {kept_attempt}
    assert _ids(session, UserSession) == kept_sessions  # a revoked one ends its use; an expired one too
    assert _ids(session, OneTimeToken) == {kept_link}
    assert record_retention.purge_sign_in_records(session=session, now=now) == 0


def test_a_round_deletes_at_most_its_batch_and_the_next_round_goes_on(session):
    past = utcnow() - timedelta(days=get_settings().sign_in_record_retention_days + 1)
    session.add_all([SignInAttempt(email_normalized=f"m{n}@umkm.example", client_address="10.0.0.9",
                                   attempted_at=past) for n in range(5)])
    session.commit()
    session.rollback()
    assert record_retention.purge_sign_in_records(session=session, limit=3) == 3
    assert record_retention.purge_sign_in_records(session=session, limit=3) == 2
    assert _ids(session, SignInAttempt) == set()


def test_the_sign_in_limits_still_count_what_the_purge_keeps(session):
    """The purge keeps every attempt the limits look at: a member locked out by failures from one
    address stays locked out after a round, even with the right password."""
    make_user(session, "andi@startup.example")
    limit = get_settings().signin_max_failures_per_account_and_address
    session.add_all([SignInAttempt(email_normalized="andi@startup.example", client_address="10.0.0.7",
                                   attempted_at=utcnow() - timedelta(minutes=1)) for _ in range(limit)])
    session.commit()
    session.rollback()
    record_retention.purge_sign_in_records(session=session)
    assert len(_ids(session, SignInAttempt)) == limit
    with pytest.raises(HubError) as refused:
        accounts.sign_in(None, session=session, email="andi@startup.example", password=PASSWORD,
                         client_address="10.0.0.7")
    assert refused.value.key == "error.sign_in_throttled"

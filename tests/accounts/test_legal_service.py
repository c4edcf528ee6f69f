"""services/legal.py: the version of the terms a member agreed to, and agreeing to a new one; and the
language a visitor chose before signing in, which sign-in keeps and stores on the account."""

import pytest
from sqlmodel import select

from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed
from hub_app.domain.legal import needs_agreement
from hub_app.models import AuditEntry, User
from hub_app.services import accounts, legal, sign_in_sessions
from hub_app.settings import get_settings
from tests.accounts.factories import PASSWORD, actor_of, make_user, open_session_for


def test_the_rule():
    assert needs_agreement("2025-01", "2026-11")
    assert needs_agreement("", "2026-11")  # an account made before versions were recorded
    assert not needs_agreement("2026-11", "2026-11")
    assert not needs_agreement("", "")  # no version configured: nobody is asked


def test_a_member_on_an_older_version_must_agree_and_then_does(session):
    user = make_user(session, "rina@umkm.example")  # agreed to version "t"
    other = make_user(session, "andi@startup.example")
    current = get_settings().terms_version
    assert legal.must_agree(actor_of(user), session=session)
    assert not legal.must_agree(None, session=session)
    summary = sign_in_sessions.session_summary(actor_of(user), session=session)
    assert summary.must_agree
    session.commit()

    assert legal.agree(actor_of(user), session=session, version=current, consent="on") is True
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored.consent_version == current and stored.consent_at is not None
    assert not legal.must_agree(actor_of(user), session=session)
    assert not sign_in_sessions.session_summary(actor_of(user), session=session).must_agree
    assert session.get(User, other.id).consent_version == "t"
    [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "member.terms_agreed")).all()
    assert (entry.actor_id, entry.target_id, entry.detail) == (user.id, user.id, f"t -> {current}")
    session.commit()
    # Again: nothing changes.
    assert legal.agree(actor_of(user), session=session, version=current, consent=True) is False
    assert len(session.exec(select(AuditEntry)).all()) == 1


@pytest.mark.parametrize("version, consent, error", [
    ("current", "", InvalidInput),
    ("current", None, InvalidInput),
    ("2025-01", "on", Conflict),
    (["current"], "on", Conflict),
    (None, "on", Conflict),
])
def test_no_agreement_without_consent_or_to_another_version(version, consent, error, session):
    user = make_user(session, "rina@umkm.example")
    session.commit()
    current = get_settings().terms_version
    version = current if version == "current" else [current] if version == ["current"] else version
    with pytest.raises(error):
        legal.agree(actor_of(user), session=session, version=version, consent=consent)
    session.rollback()
    assert session.get(User, user.id).consent_version == "t"


def test_nobody_agrees_for_a_visitor(session):
    with pytest.raises(NotAllowed):
        legal.agree(None, session=session, version=get_settings().terms_version, consent="on")


def _ticket(session, user) -> str:
    session.commit()
    return accounts.sign_in(None, session=session, email=user.email, password=PASSWORD, client_address="1.2.3.4")


@pytest.mark.parametrize("chosen, stored", [("en", "en"), ("id", "id"), ("", "id"), ("fr", "id"), (None, "id")])
def test_sign_in_keeps_the_language_chosen_before_it(chosen, stored, session):
    user = make_user(session, "rina@umkm.example")  # locale "id"
    token = open_session_for(session, _ticket(session, user), chosen_locale=chosen)
    assert token
    session.expire_all()
    assert session.get(User, user.id).locale == stored
    assert sign_in_sessions.actor_for_token(session=session, token=token).locale == stored


def test_without_a_choice_the_account_keeps_its_language(session):
    user = make_user(session, "rina@umkm.example")
    user.locale = "en"
    session.add(user)
    session.commit()
    open_session_for(session, _ticket(session, user), chosen_locale="")
    session.expire_all()
    assert session.get(User, user.id).locale == "en"


def test_a_provider_sign_in_keeps_the_chosen_language_too(session):
    identity = accounts.ExternalIdentity(issuer="https://id.jakarta.example", subject="abc", email="rina@umkm.example",
                                         email_verified=True, name="Rina")
    accounts.sign_in_with_identity(session=session, identity=identity, locale="en")
    user = session.exec(select(User).where(User.email_normalized == "rina@umkm.example")).one()
    assert user.locale == "en"
    session.commit()
    accounts.sign_in_with_identity(session=session, identity=identity, locale="")  # no choice: kept
    session.expire_all()
    assert session.get(User, user.id).locale == "en"
    session.commit()
    accounts.sign_in_with_identity(session=session, identity=identity, locale="id")
    session.expire_all()
    assert session.get(User, user.id).locale == "id"

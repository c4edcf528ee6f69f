"""Agreeing to a new version of the terms and the privacy notice (/agree), and the language switch:
the agreement is the signed-in member's own (from the cookie), for the version the page showed,
with the box ticked; a member who has not agreed to the current version is sent to /agree from every
other page; the switch drops a ?lang= from the address, so the reload does not switch back."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from hub_app.models import AuditEntry, User
from hub_app.models.base import utcnow
from hub_app.pages.legal import AgreeState
from hub_app.settings import get_settings
from hub_app.state.session import RELOAD_IN_CHOSEN_LANGUAGE, SessionState, ShellState
from tests.handlers.handler_harness import MEGABYTE_TEXT, covers, db_fingerprint, junk_forms, user_row

OLD_VERSION = "2025-01"
ROLES = ["visitor", "pending", "active", "staff", "admin"]


def current() -> str:
    return get_settings().terms_version


def agreed_long_ago(engine, *people) -> None:
    """These members agreed to an older version."""
    with Session(engine) as session:
        session.exec(update(User).where(User.id.in_([person.id for person in people]))
                     .values(consent_version=OLD_VERSION, consent_at=utcnow() - timedelta(days=400)))
        session.commit()


def redirects(outcome) -> list[str]:
    return [event.payload["path"] for event in outcome.frontend_events
            if "redirect" in getattr(event, "name", "") and isinstance(getattr(event, "payload", None), dict)
            and "path" in event.payload]


def audit_actions(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id))).all())


@covers(ShellState.load_shell)
@pytest.mark.parametrize("role", ["pending", "active", "staff", "admin"])
def test_a_member_who_agreed_to_an_older_version_is_sent_to_agree_first(role, hub, people):
    person = people.by_role()[role]
    agreed_long_ago(people.engine, person)
    tab = hub.browser(person)
    assert redirects(tab.load("/book", date="2030-01-02").ok()) == ["/agree?next=%2Fbook%3Fdate%3D2030-01-02"]
    # The texts, the agreement page and the profile (download my data, delete my account) stay open.
    for path in ("/terms", "/privacy", "/agree", "/profile"):
        assert redirects(tab.load(path).ok()) == [], path
    # Others are not asked: they agreed to the current version.
    assert redirects(hub.browser(people.other).load("/book").ok()) == []
    assert redirects(hub.browser().load("/book").ok()) == []


@covers(AgreeState.load)
def test_the_agreement_page_shows_the_current_version_and_sends_visitors_to_sign_in(hub, people):
    agreed_long_ago(people.engine, people.active)
    tab = hub.browser(people.active)
    tab.load("/agree").ok()
    assert tab.state(AgreeState).version == current()
    assert not tab.state(AgreeState).already
    # Someone who agreed already is told so.
    other = hub.browser(people.other)
    other.load("/agree").ok()
    assert other.state(AgreeState).already
    visitor = hub.browser()
    assert redirects(visitor.load("/agree").ok()) == ["/login?next=/agree"]


@covers(AgreeState.agree)
def test_a_member_agrees_to_the_current_version_and_goes_on(hub, people):
    agreed_long_ago(people.engine, people.active, people.other)
    tab = hub.browser(people.active)
    tab.load("/agree", next="/book?date=2030-01-02").ok()
    before = utcnow()
    outcome = tab.call(AgreeState.agree, {"version": current(), "consent": "on"}).ok()
    assert redirects(outcome) == ["/book?date=2030-01-02"]
    row = user_row(people.engine, people.active.email)
    assert row.consent_version == current() and row.consent_at >= before - timedelta(seconds=1)
    assert audit_actions(people.engine).count("member.terms_agreed") == 1
    # Only this member's agreement: the other still agreed to the old version only.
    assert user_row(people.engine, people.other.email).consent_version == OLD_VERSION
    # Now every page opens.
    assert redirects(tab.load("/book").ok()) == []
    # Agreeing again changes nothing.
    snapshot = db_fingerprint(people.engine, ["users", "audit_entries"])
    tab.load("/agree").ok()
    tab.call(AgreeState.agree, {"version": current(), "consent": "on"}).ok()
    assert db_fingerprint(people.engine, ["users", "audit_entries"]) == snapshot


@covers(AgreeState.agree)
def test_the_next_address_stays_on_the_portal(hub, people):
    agreed_long_ago(people.engine, people.active)
    tab = hub.browser(people.active)
    tab.load("/agree", next="https://evil.example/phish").ok()
    assert redirects(tab.call(AgreeState.agree, {"version": current(), "consent": "on"}).ok()) == ["/"]


@covers(AgreeState.agree)
@pytest.mark.parametrize("form, error_key", [
    ({"version": current(), "consent": ""}, "error.consent_required"),
    ({"version": current()}, "error.consent_required"),
    ({"version": OLD_VERSION, "consent": "on"}, "legal.error.version_changed"),
    ({"version": "", "consent": "on"}, "legal.error.version_changed"),
    ({"consent": "on"}, "legal.error.version_changed"),
])
def test_no_agreement_without_the_box_ticked_or_for_another_version(form, error_key, hub, people):
    from hub_app.i18n import translate

    agreed_long_ago(people.engine, people.active)
    tab = hub.browser(people.active)
    tab.load("/agree").ok()
    before = db_fingerprint(people.engine, ["users", "audit_entries"])
    outcome = tab.call(AgreeState.agree, form).ok()
    assert db_fingerprint(people.engine, ["users", "audit_entries"]) == before
    assert translate(error_key, "id") in tab.state(AgreeState).error
    assert redirects(outcome) == []
    assert any("f-consent" in script for script in outcome.scripts)  # the box gets the focus


@covers(AgreeState.agree)
def test_a_visitor_or_a_forged_payload_agrees_for_nobody(hub, people):
    agreed_long_ago(people.engine, people.active, people.other)
    visitor = hub.browser()
    visitor.call(AgreeState.agree, {"version": current(), "consent": "on", "user_id": people.active.id}).ok()
    assert visitor.state(AgreeState).error
    # The member's own tab with another member's id in the payload agrees for the member only.
    tab = hub.browser(people.other)
    tab.load("/agree").ok()
    tab.call(AgreeState.agree, {"version": current(), "consent": "on", "user_id": people.active.id,
                                "token": people.active.token}).ok()
    assert user_row(people.engine, people.active.email).consent_version == OLD_VERSION
    assert user_row(people.engine, people.other.email).consent_version == current()
    with Session(people.engine) as session:
        [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "member.terms_agreed")).all()
    assert (entry.actor_id, entry.target_id) == (people.other.id, people.other.id)


@covers(AgreeState.agree)
@pytest.mark.parametrize("role", ROLES)
def test_junk_agrees_to_nothing(role, hub, people):
    agreed_long_ago(people.engine, people.active)
    tab = hub.browser(people.by_role()[role])
    tab.load("/agree")
    before = db_fingerprint(people.engine, ["users", "audit_entries"])
    for form in junk_forms(version=OLD_VERSION, consent="on"):
        tab.call(AgreeState.agree, form).ok()
    for payload in (None, 7, [], "on", MEGABYTE_TEXT, {"version": [current()], "consent": "on"},
                    {"version": {"$eq": current()}, "consent": "on"}):
        tab.send(AgreeState.agree, {"form": payload}).not_crashed()
    assert db_fingerprint(people.engine, ["users", "audit_entries"]) == before
    tab.picklable()


@covers(ShellState.switch_language)
def test_the_switch_drops_lang_from_the_address_before_it_reloads(hub, people):
    tab = hub.browser(people.active)
    tab.load("/forum", lang="id").ok()
    outcome = tab.call(ShellState.switch_language, "en").ok()
    assert RELOAD_IN_CHOSEN_LANGUAGE in outcome.scripts
    assert "searchParams.delete('lang')" in RELOAD_IN_CHOSEN_LANGUAGE
    assert user_row(people.engine, people.active.email).locale == "en"
    # The next load of the address without ?lang= keeps the choice.
    tab.load("/forum").ok()
    assert tab.state(SessionState).lang == "en"

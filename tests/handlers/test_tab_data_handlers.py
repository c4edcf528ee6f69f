"""A tab's states live on the server under the tab token. When the person behind the tab changes
(sign-out, sign-in as someone else, account deletion, a cookie that now names someone else), none of
the previous member's data may stay there: not for the next person at a shared computer, not for
anyone who presents the old tab token. Secrets shown once are never kept in state at all."""

import asyncio
from datetime import timedelta

import pytest
from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from sqlalchemy import update
from sqlmodel import Session, select

from hub_app.models import UserSession
from hub_app.models.base import utcnow
from hub_app.pages.bookings import CalendarFeedState
from hub_app.pages.login import LoginState
from hub_app.pages.profile import ProfileState
from hub_app.state.session import SessionState, ShellState
from tests.handlers.handler_harness import PASSWORD, Hub, covers
from tests.production.live_backend import redis_database

REDIS_DB = 15  # this module's own Redis database number (tests/production/live_backend.py lists them)
LEASE_MS = 300

PAGES_WITH_MY_DATA = ["/profile", "/bookings", "/notifications", "/trainings/mine", "/"]


@pytest.fixture
def redis_hub(handler_db, monkeypatch):
    """The tabs' states in Redis under Reflex's opportunistic lock, as on the production path: a
    tab's events within LEASE_MS share its state in this process, which is written back once at
    the end (stored_keys waits for that)."""
    monkeypatch.setenv("REFLEX_OPLOCK_ENABLED", "true")
    url, client = redis_database(REDIS_DB, empty=False)
    backend = Hub(StateManagerRedis(redis=Redis.from_url(url), oplock_hold_time_ms=LEASE_MS))
    yield backend, client
    backend.close()
    client.close()


def written_back(hub) -> None:
    """Waits until the tabs' leases have ended and written their states to Redis."""

    async def leases_ended():
        await asyncio.gather(*hub.state_manager._local_leases.values(), return_exceptions=True)

    hub.run(leases_ended())


def stored_keys(client, tab) -> set[str]:
    """The names of the states Redis holds for this tab."""
    return {key.decode().removeprefix(f"{tab.token}_").rpartition(".")[2]
            for key in client.scan_iter(match=f"{tab.token}_*") if not key.endswith(b"_lock")}


def open_my_pages(tab) -> None:
    for path in PAGES_WITH_MY_DATA:
        tab.load(path).ok()


def assert_holds_nothing_of(tab, person) -> None:
    stored = tab.stored_state()
    for private in (person.email, person.name):
        assert private.encode() not in stored, f"{private!r} is still in the tab's stored state"


@covers(ShellState.sign_out)
def test_sign_out_clears_every_page_state_and_drops_the_tab_token(hub, people):
    tab = hub.browser(people.active)
    open_my_pages(tab)
    assert people.active.email.encode() in tab.stored_state()  # the profile page held it
    outcome = tab.call(ShellState.sign_out).ok()
    assert_holds_nothing_of(tab, people.active)
    assert outcome.auth_posts == [("/api/auth/sign-out", {"next": "/", "drops_tab": True})]
    # Someone who presents the old tab token (from a proxy log, or the same shared browser) with no
    # cookie finds a visitor's tab.
    stranger = hub.browser(tab_token=tab.token)
    stranger.load("/profile").ok()
    assert not stranger.state(SessionState).signed_in
    assert_holds_nothing_of(stranger, people.active)


@covers(ShellState.load_shell)
def test_a_tab_whose_cookie_now_names_someone_else_forgets_the_previous_member(hub, people):
    tab = hub.browser(people.active)
    open_my_pages(tab)
    # The same tab token, but the cookie changed (signed in as someone else in another tab).
    same_tab = hub.browser(people.other, tab_token=tab.token)
    same_tab.load("/").ok()
    assert same_tab.state(SessionState).user_name == people.other.name
    assert_holds_nothing_of(same_tab, people.active)
    # And when the cookie is gone altogether (signed out elsewhere).
    open_my_pages(same_tab)
    visitor = hub.browser(tab_token=tab.token)
    visitor.load("/signup").ok()
    assert_holds_nothing_of(visitor, people.other)


@covers(LoginState.submit)
def test_signing_in_as_someone_else_clears_the_tab_first(hub, people):
    tab = hub.browser(people.active)
    open_my_pages(tab)
    tab.load("/login").ok()
    outcome = tab.call(LoginState.submit, {"email": people.other.email, "password": PASSWORD}).ok()
    [(path, fields)] = outcome.auth_posts
    assert path == "/api/auth/session" and fields["drops_tab"]
    assert_holds_nothing_of(tab, people.active)


@covers(ProfileState.delete_account)
def test_deleting_the_account_leaves_nothing_in_the_tab(hub, people):
    tab = hub.browser(people.active)
    open_my_pages(tab)
    outcome = tab.call(ProfileState.delete_account, {"password": PASSWORD}).ok()
    assert outcome.auth_posts == [("/api/auth/sign-out", {"next": "/", "drops_tab": True})]
    assert_holds_nothing_of(tab, people.active)


@covers(CalendarFeedState.regenerate_feed)
def test_the_calendar_feed_link_is_shown_once_and_never_stored(hub, people):
    tab = hub.browser(people.active)
    tab.load("/profile").ok()
    outcome = tab.call(CalendarFeedState.regenerate_feed).ok()
    [url] = [script for script in outcome.scripts if "/api/calendar/" in script]
    secret = url.rsplit("/", 1)[-1].removesuffix(".ics")
    assert len(secret) >= 20
    assert tab.state(CalendarFeedState).feed_shown
    assert secret.encode() not in tab.stored_state()
    assert secret not in outcome.delta_text()


@covers(ShellState.load_shell)
def test_a_session_idle_for_longer_than_the_limit_is_over(hub, people):
    """12 hours idle by default (HUB_SESSION_IDLE_HOURS); the 14-day absolute limit stays."""
    with Session(people.engine) as session:
        session.exec(update(UserSession).where(UserSession.user_id == people.active.id)
                     .values(last_seen_at=utcnow() - timedelta(hours=12, minutes=1)))
        session.exec(update(UserSession).where(UserSession.user_id == people.other.id)
                     .values(last_seen_at=utcnow() - timedelta(hours=11)))
        session.commit()
    idle = hub.browser(people.active)
    idle.load("/profile").ok()
    assert not idle.state(SessionState).signed_in
    recent = hub.browser(people.other)
    recent.load("/profile").ok()
    assert recent.state(SessionState).signed_in
    # Using the session moves its idle clock.
    with Session(people.engine) as session:
        seen = session.exec(select(UserSession.last_seen_at).where(UserSession.user_id == people.other.id)).one()
    assert utcnow() - seen < timedelta(minutes=1)


@covers(ShellState.load_shell)
def test_with_redis_a_cookie_naming_someone_else_clears_the_page_states_stored_for_the_tab(redis_hub, people):
    hub, client = redis_hub
    tab = hub.browser(people.active)
    open_my_pages(tab)
    written_back(hub)
    assert people.active.email.encode() in tab.stored_state()
    assert "hub_app___pages___profile____profile_state" in stored_keys(client, tab)
    # The next event of the tab reads only its own part of the tree; the profile is in Redis only.
    same_tab = hub.browser(people.other, tab_token=tab.token)
    same_tab.load("/").ok()
    written_back(hub)
    assert same_tab.state(SessionState).user_name == people.other.name
    assert_holds_nothing_of(same_tab, people.active)


@covers(ShellState.load_shell)
def test_with_redis_a_new_tab_of_a_member_stores_only_the_states_of_its_page(redis_hub, people):
    """Its first page load changes the person behind it (from nobody): nothing is stored yet, so the
    reset reads none of the other page states, and none of them is written back."""
    hub, client = redis_hub
    tab = hub.browser(people.active)
    tab.load("/").ok()
    written_back(hub)
    assert tab.state(SessionState).user_name == people.active.name
    stored = stored_keys(client, tab)
    assert "hub_app___pages___home____home_state" in stored
    assert "hub_app___pages___profile____profile_state" not in stored
    assert len(stored) <= 5, sorted(stored)

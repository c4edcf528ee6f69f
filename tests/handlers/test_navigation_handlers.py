"""A page navigation is one event (hub_app/state/navigation.py): what the browser receives for it is
the page's data and the hydrated mark, in one update for a page with one on_load handler, the mark
with the last handler's update for a page with two; a shell redirect and a database outage are
answered as before, and the page is never left waiting unhydrated."""

import pytest
from reflex.state import State
from reflex_base.constants.state import FIELD_MARKER

import hub_app.db
from hub_app.domain.errors import Unavailable
from hub_app.pages.book import CalendarState
from hub_app.pages.spaces import SpaceDetailState
from hub_app.pages.trainings import TrainingsState
from hub_app.state.navigation import NAVIGATION_EVENT, inline_load_handlers
from hub_app.state.session import ShellState
from tests.handlers.test_bookings_handlers import room  # noqa: F401  (fixture)
from tests.handlers.test_database_outage_handlers import unreachable  # noqa: F401  (fixture)

ROOT = State.get_full_name()
HYDRATED = "is_hydrated" + FIELD_MARKER


def _navigate(tab, path: str, **query: str):
    """What the frontend sends when a link inside the portal is followed."""
    tab.path, tab.query = path, dict(query)
    return tab.send(NAVIGATION_EVENT, {})


def _hydrated_in(delta: dict) -> bool | None:
    return delta.get(ROOT, {}).get(HYDRATED)


def _states_in(delta: dict) -> set[str]:
    return {name.rpartition(".")[2] for name in delta}


def test_a_navigation_is_one_update_with_the_page_and_the_hydrated_mark(hub, people):
    tab = hub.browser(people.active)
    tab.load("/").ok()
    outcome = _navigate(tab, "/trainings").ok()
    assert len(outcome.deltas) == 1
    assert _hydrated_in(outcome.deltas[0]) is True
    assert TrainingsState.get_name() in _states_in(outcome.deltas[0])
    assert tab.state(TrainingsState).lang == "id"


def test_a_page_with_two_on_load_handlers_is_hydrated_with_the_last_one(hub, people, room):  # noqa: F811
    tab = hub.browser(people.active)
    tab.load("/").ok()
    outcome = _navigate(tab, f"/spaces/{room}").ok()
    marks = [_hydrated_in(delta) for delta in outcome.deltas]
    assert marks[-1] is True and True not in marks[:-1]
    assert tab.state(SpaceDetailState).space.name == "Ruang Rapat Monas"
    assert tab.state(CalendarState).mode == "week"


def test_a_visitor_sent_to_sign_in_still_gets_a_hydrated_page(hub):
    tab = hub.browser(None)
    tab.load("/").ok()
    outcome = _navigate(tab, "/bookings").ok()
    assert any("/login" in str(event) for event in outcome.frontend_events)
    assert _hydrated_in(outcome.deltas[-1]) is True


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_navigation_during_a_database_outage_is_refused_and_leaves_the_page_hydrated(
        lang, hub, people, unreachable, monkeypatch):  # noqa: F811
    person = people.add(email=f"nav.outage.{lang}@members.example", name="Nav", role="member", locale=lang)
    tab = hub.browser(person, lang=lang)
    tab.load("/").ok()
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: unreachable)
    outcome = _navigate(tab, "/bookings")
    assert [type(error) for error in outcome.errors] == [Unavailable]
    assert _hydrated_in(outcome.deltas[-1]) is True


def test_a_page_without_on_load_or_with_other_on_load_is_left_to_reflex():
    """Reflex marks a page without on_load hydrated in its own one event; an on_load with arguments
    or a background one keeps Reflex's chain."""
    assert inline_load_handlers([]) is None
    assert inline_load_handlers([ShellState.switch_language("en")]) is None
    assert inline_load_handlers([ShellState.shell_when_back]) is None
    assert inline_load_handlers([ShellState.load_shell]) == [ShellState.load_shell]

"""/admin/insights called as every kind of actor. Visitors go to sign in; members (and anyone not
staff) get a refusal and no figure; staff and admins get the figures of the period in the address;
periods that cannot be used (from the address, a preset button or the date boxes) give the translated
reason and change nothing."""

from datetime import date, datetime

import pytest
from sqlmodel import Session

from hub_app.domain.insights import period_for
from hub_app.pages.admin_insights import InsightsState
from hub_app.services.bookings import hub_tz
from tests.handlers.handler_harness import JUNK_VALUES, call_with_junk, covers, db_fingerprint, junk_forms
from tests.staff.helpers import booking, desk_area, wib

NOT_STAFF = ["pending", "active", "rejected"]
STAFF = ["staff", "admin"]
FIGURE_LISTS = ["space_headlines", "kinds", "spaces", "heat", "member_headlines", "programme_headlines",
                "community_headlines", "community_compared"]


def today() -> date:
    return datetime.now(hub_tz()).date()


def redirects(outcome) -> list[str]:
    return [event.payload["path"] for event in outcome.frontend_events
            if getattr(event, "name", "").endswith("_redirect") and isinstance(event.payload, dict)]


def arrange_booking(people) -> None:
    """A checked-in desk booking this week: 10.00-12.00 WIB on Monday."""
    monday = period_for("this_week", today()).first_day
    with Session(people.engine, expire_on_commit=False) as session:
        booking(session, desk_area(session, "Area Insight"), people.active.id, wib(monday, 10), hours=2,
                checked_in=True)


def shows_no_figures(state) -> bool:
    return not state.allowed and all(getattr(state, name) == [] for name in FIGURE_LISTS) and not state.period_label


@covers(InsightsState.load)
def test_a_visitor_is_sent_to_sign_in_and_back(hub, people):
    tab = hub.browser()
    assert tab.load("/admin/insights").ok().navigations == ["/login?next=/admin/insights"]
    outcome = tab.load("/admin/insights", period="last_month").ok()
    assert outcome.navigations == ["/login?next=/admin/insights%3Fperiod%3Dlast_month"]
    assert shows_no_figures(tab.state(InsightsState))


@covers(InsightsState.load, InsightsState.choose, InsightsState.choose_days)
@pytest.mark.parametrize("role", NOT_STAFF + ["suspended"])
def test_members_are_refused_and_see_no_figures(role, hub, people):
    arrange_booking(people)
    tab = hub.browser(getattr(people, role))
    outcome = tab.load("/admin/insights").ok()
    state = tab.state(InsightsState)
    if role == "suspended":  # a suspended member's session no longer counts: a visitor
        assert outcome.navigations == ["/login?next=/admin/insights"]
    else:
        assert state.error == "Anda tidak diizinkan melakukan ini."
    assert shows_no_figures(state)
    assert "Area Insight" not in outcome.delta_text()
    before = db_fingerprint(people.engine)
    for outcome in (tab.call(InsightsState.choose, "last_week").ok(),
                    tab.call(InsightsState.choose_days, {"first_day": "2026-11-01", "last_day": "2026-11-30"}).ok()):
        assert "Area Insight" not in outcome.delta_text()
        # Moving to another period's address only loads the page again, which refuses them again.
        assert shows_no_figures(tab.state(InsightsState))
    assert db_fingerprint(people.engine) == before


@covers(InsightsState.load)
@pytest.mark.parametrize("role", STAFF)
def test_staff_see_this_weeks_figures(role, hub, people):
    arrange_booking(people)
    tab = hub.browser(getattr(people, role))
    tab.load("/admin/insights", lang="en").ok()
    state = tab.state(InsightsState)
    week = period_for("this_week", today())
    assert state.allowed and not state.error
    assert (state.choice, state.first_day, state.last_day) == ("this_week", week.first_day.isoformat(),
                                                              week.last_day.isoformat())
    assert state.period_label and state.previous_label
    bookings = next(row for row in state.space_headlines if row.key == "bookings")
    assert (bookings.value, bookings.previous, bookings.arrow) == ("1", "before: 0", "▲ from 0")
    assert bookings.said == "up from 0 in the previous period"
    check_ins = next(row for row in state.space_headlines if row.key == "check_in_rate")
    assert check_ins.value in ("100%", "–")  # 100 % once the booking has ended
    space = next(row for row in state.spaces if row.name == "Coworking area")
    assert (space.bookings, space.checked_in, space.booked_hours) == (1, 1, "2")
    assert len(state.weekdays) == 7 and state.weekdays[0] == "Mon"
    ten = next(row for row in state.heat if row.hour == "10:00")
    assert [cell.text for cell in ten.cells] == ["1", "", "", "", "", "", ""]
    assert ten.cells[0].level == 4 and state.peaks == "Busiest hours: 10:00–11:00, 11:00–12:00"
    assert [row.key for row in state.community_headlines] == ["threads", "posts", "posters", "reports",
                                                             "reports_handled"]


@covers(InsightsState.load)
def test_the_period_comes_from_the_address(hub, people):
    tab = hub.browser(people.staff)
    tab.load("/admin/insights", period="last_month").ok()
    state = tab.state(InsightsState)
    last_month = period_for("last_month", today())
    assert (state.choice, state.first_day) == ("last_month", last_month.first_day.isoformat()) and not state.error
    tab.load("/admin/insights", **{"from": "2026-11-01", "to": "2026-11-30"}).ok()
    state = tab.state(InsightsState)
    assert (state.choice, state.first_day, state.last_day) == ("custom", "2026-11-01", "2026-11-30")
    assert state.period_label == "1–30 November 2026"


@covers(InsightsState.load)
@pytest.mark.parametrize(("query", "reason"), [
    ({"period": "yesterday"}, "Pilih periode dari daftar."),
    ({"period": "custom"}, "Isi tanggal mulai dan tanggal akhir."),
    ({"from": "2026-11-30", "to": "2026-11-01"}, "Tanggal akhir tidak boleh sebelum tanggal mulai."),
    ({"from": "2020-01-01", "to": "2026-01-01"}, "Periode paling panjang 366 hari."),
    ({"from": "<script>", "to": "x" * 5000}, "Isi tanggal mulai dan tanggal akhir."),
])
def test_a_period_the_address_cannot_use_is_named_and_this_week_shown(query, reason, hub, people):
    tab = hub.browser(people.staff)
    tab.load("/admin/insights", **query).ok()
    state = tab.state(InsightsState)
    assert state.allowed and state.choice == "this_week"
    assert state.error.startswith("Periode di alamat tidak dapat dipakai") and reason in state.error
    assert state.error.endswith("Yang ditampilkan: minggu ini.")


@covers(InsightsState.choose, InsightsState.choose_days)
def test_staff_move_to_a_period_by_its_address(hub, people):
    tab = hub.browser(people.staff)
    tab.load("/admin/insights").ok()
    assert redirects(tab.call(InsightsState.choose, "last_week").ok()) == ["/admin/insights?period=last_week"]
    assert redirects(tab.call(InsightsState.choose, "quarter").ok()) == ["/admin/insights?period=quarter"]
    outcome = tab.call(InsightsState.choose_days, {"first_day": "2026-10-01", "last_day": "2026-12-31"}).ok()
    assert redirects(outcome) == ["/admin/insights?from=2026-10-01&to=2026-12-31"]


@covers(InsightsState.choose, InsightsState.choose_days)
def test_junk_periods_give_the_reason_and_change_nothing(hub, people):
    arrange_booking(people)
    tab = hub.browser(people.staff)
    tab.load("/admin/insights", lang="en").ok()
    shown = {name: getattr(tab.state(InsightsState), name) for name in FIGURE_LISTS + ["choice", "first_day"]}
    before = db_fingerprint(people.engine)
    for junk in JUNK_VALUES + ["custom", "this_week "]:
        outcome = tab.call(InsightsState.choose, junk).ok()
        assert redirects(outcome) == [] and tab.state(InsightsState).error == "Choose a period from the list."
    refused = [{"first_day": "2026-11-30", "last_day": "2026-11-01"},
               {"first_day": "2026-02-30", "last_day": "2026-03-01"}]
    for form in junk_forms(first_day="2026-11-01", last_day="2026-11-30") + refused:
        outcome = tab.call(InsightsState.choose_days, form).ok()
        assert redirects(outcome) == [], form
        assert tab.state(InsightsState).error in ("Enter a first and a last day.",
                                                  "The last day cannot be before the first day."), form
    state = tab.state(InsightsState)
    assert {name: getattr(state, name) for name in shown} == shown
    assert db_fingerprint(people.engine) == before
    call_with_junk(tab, InsightsState, "choose")
    call_with_junk(tab, InsightsState, "choose_days")


@covers(InsightsState.load)
def test_the_state_holds_rows_for_the_screen_not_data(hub, people):
    arrange_booking(people)
    tab = hub.browser(people.staff)
    tab.load("/admin/insights", period="quarter").ok()
    tab.picklable()
    assert len(tab.stored_state()) < 60_000

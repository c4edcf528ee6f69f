"""domain/insights.py: periods in the hub's local days, rates and changes, hours inside a period,
open hours, the weekday x hour heat map and peak hours."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub_app.domain.errors import InvalidInput
from hub_app.domain.insights import (
    MAX_CUSTOM_DAYS,
    PERIOD_CHOICES,
    Change,
    Period,
    add_to_heat_map,
    change,
    empty_heat_map,
    heat_map,
    month_period,
    open_hours,
    overlap_hours,
    peak_hours,
    period_for,
    rate,
)
from hub_app.domain.opening_hours import DEFAULT_HOURS

WIB = ZoneInfo("Asia/Jakarta")
WEDNESDAY = date(2026, 11, 25)


def wib(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB).astimezone(UTC)


# --- periods ---------------------------------------------------------------------------------------

def test_weeks_run_monday_to_sunday():
    assert period_for("this_week", WEDNESDAY) == Period("this_week", date(2026, 11, 23), date(2026, 11, 29))
    assert period_for("last_week", WEDNESDAY) == Period("last_week", date(2026, 11, 16), date(2026, 11, 22))
    # On the edges of the week: a Monday and a Sunday are in their own week.
    assert period_for("this_week", date(2026, 11, 23)).first_day == date(2026, 11, 23)
    assert period_for("this_week", date(2026, 11, 29)).first_day == date(2026, 11, 23)
    # A week across the turn of the year.
    assert period_for("this_week", date(2027, 1, 1)) == Period("this_week", date(2026, 12, 28), date(2027, 1, 3))


def test_months_and_their_edges():
    assert period_for("this_month", WEDNESDAY) == Period("this_month", date(2026, 11, 1), date(2026, 11, 30))
    assert period_for("last_month", WEDNESDAY) == Period("last_month", date(2026, 10, 1), date(2026, 10, 31))
    assert period_for("this_month", date(2026, 12, 31)).last_day == date(2026, 12, 31)
    assert period_for("last_month", date(2027, 1, 1)) == Period("last_month", date(2026, 12, 1), date(2026, 12, 31))
    assert period_for("this_month", date(2028, 2, 10)).last_day == date(2028, 2, 29)  # a leap year
    assert period_for("last_month", date(2027, 3, 31)).days == 28


def test_the_quarter_holds_today():
    assert period_for("quarter", WEDNESDAY) == Period("quarter", date(2026, 10, 1), date(2026, 12, 31))
    assert period_for("quarter", date(2026, 1, 1)) == Period("quarter", date(2026, 1, 1), date(2026, 3, 31))
    assert period_for("quarter", date(2026, 6, 30)) == Period("quarter", date(2026, 4, 1), date(2026, 6, 30))
    assert period_for("quarter", date(2026, 7, 1)).first_day == date(2026, 7, 1)


def test_custom_periods_and_their_limits():
    assert period_for("custom", WEDNESDAY, date(2026, 11, 2), date(2026, 11, 2)).days == 1
    assert period_for("custom", WEDNESDAY, "2026-01-01", "2026-12-31") == Period(
        "custom", date(2026, 1, 1), date(2026, 12, 31))
    longest = period_for("custom", WEDNESDAY, date(2027, 1, 1), date(2027, 1, 1) + timedelta(days=MAX_CUSTOM_DAYS - 1))
    assert longest.days == MAX_CUSTOM_DAYS
    cases = [
        ((date(2026, 11, 2), None), "figures.error.custom_dates"),
        ((None, None), "figures.error.custom_dates"),
        (("2026-02-30", "2026-03-01"), "figures.error.custom_dates"),
        (("yesterday", "today"), "figures.error.custom_dates"),
        ((datetime(2026, 11, 1, tzinfo=UTC), date(2026, 11, 2)), "figures.error.custom_dates"),
        ((date(2026, 11, 3), date(2026, 11, 2)), "figures.error.custom_order"),
        ((date(2027, 1, 1), date(2027, 1, 1) + timedelta(days=MAX_CUSTOM_DAYS)), "figures.error.custom_length"),
    ]
    for (first, last), key in cases:
        with pytest.raises(InvalidInput) as refused:
            period_for("custom", WEDNESDAY, first, last)
        assert (refused.value.key, refused.value.field) == (key, "period")


def test_unknown_choices_are_refused():
    for choice in ("yesterday", "", None, 3, ["this_week"], "THIS_WEEK"):
        with pytest.raises(InvalidInput) as refused:
            period_for(choice, WEDNESDAY)
        assert refused.value.key == "figures.error.period"
    assert PERIOD_CHOICES == ("this_week", "last_week", "this_month", "last_month", "quarter", "custom")


def test_the_previous_period_has_the_same_length_right_before():
    week = period_for("this_week", WEDNESDAY)
    assert week.previous() == Period("previous", date(2026, 11, 16), date(2026, 11, 22))
    november = period_for("this_month", WEDNESDAY)
    assert november.previous() == Period("previous", date(2026, 10, 2), date(2026, 10, 31))
    assert november.previous().days == november.days == 30
    quarter = period_for("quarter", WEDNESDAY)
    assert quarter.previous() == Period("previous", date(2026, 7, 1), date(2026, 9, 30))
    single = period_for("custom", WEDNESDAY, date(2026, 3, 1), date(2026, 3, 1))
    assert single.previous() == Period("previous", date(2026, 2, 28), date(2026, 2, 28))


def test_bounds_are_local_midnights_in_utc_half_open():
    week = period_for("this_week", WEDNESDAY)
    # Monday 00.00 WIB is Sunday 17.00 UTC; the end is the next Monday's 00.00 WIB.
    assert week.bounds(WIB) == (datetime(2026, 11, 22, 17, tzinfo=UTC), datetime(2026, 11, 29, 17, tzinfo=UTC))
    assert week.bounds(ZoneInfo("UTC")) == (datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))


def test_months_for_the_report():
    assert month_period("2026-11") == Period("month", date(2026, 11, 1), date(2026, 11, 30))
    assert month_period(" 2026-12 ") == Period("month", date(2026, 12, 1), date(2026, 12, 31))
    assert month_period("2028-02").days == 29
    for text in ("2026-13", "2026-00", "2026-1", "26-11", "2026/11", "", None, 202611, "0000-01"):
        with pytest.raises(InvalidInput) as refused:
            month_period(text)
        assert (refused.value.key, refused.value.field) == ("figures.error.month", "month")


# --- rates and changes -----------------------------------------------------------------------------

def test_rates_with_zero():
    assert rate(1, 4) == 0.25
    assert rate(0, 4) == 0.0
    assert rate(0, 0) is None
    assert rate(3, 0) is None


def test_changes_against_the_previous_period():
    assert change(12, 8) == Change("up", 4, 0.5)
    assert change(6, 8) == Change("down", -2, -0.25)
    assert change(5, 5) == Change("same", 0, 0.0)
    assert change(3, 0) == Change("up", 3, None)  # no ratio from nothing
    assert change(0, 0) == Change("same", 0, None)
    assert change(None, 0.5) == Change("", None, None)  # nothing to rate now
    assert change(0.5, None) == Change("", None, None)


# --- hours -------------------------------------------------------------------------------------------

def test_hours_inside_a_period():
    start, end = wib(WEDNESDAY, 0), wib(WEDNESDAY + timedelta(days=1), 0)
    assert overlap_hours(wib(WEDNESDAY, 9), wib(WEDNESDAY, 11), start, end) == 2
    # Across the period's start (last night 23.00 - 01.00) and its end (23.30 - 01.30).
    assert overlap_hours(wib(WEDNESDAY, 0) - timedelta(hours=1), wib(WEDNESDAY, 1), start, end) == 1
    assert overlap_hours(wib(WEDNESDAY, 23, 30), wib(WEDNESDAY, 23, 30) + timedelta(hours=2), start, end) == 0.5
    # Touching is not overlapping (half-open), and outside is nothing.
    assert overlap_hours(end, end + timedelta(hours=1), start, end) == 0
    assert overlap_hours(start - timedelta(hours=3), start - timedelta(hours=1), start, end) == 0


def test_open_hours_minus_closures_counted_once():
    # Monday 23 to Sunday 29 November 2026 with the default hours: Mon-Fri 08-20 (12 h), Sat 09-15 (6 h).
    assert open_hours(date(2026, 11, 23), date(2026, 11, 29), DEFAULT_HOURS, [], WIB) == 5 * 12 + 6
    closures = [
        (wib(date(2026, 11, 24), 0), wib(date(2026, 11, 25), 0)),  # all Tuesday: 12 h
        (wib(date(2026, 11, 26), 7), wib(date(2026, 11, 26), 10)),  # Thursday 08-10 inside opening: 2 h
        (wib(date(2026, 11, 26), 9), wib(date(2026, 11, 26), 11)),  # overlaps the one before: 1 h more
        (wib(date(2026, 11, 29), 9), wib(date(2026, 11, 29), 12)),  # Sunday: closed anyway
    ]
    assert open_hours(date(2026, 11, 23), date(2026, 11, 29), DEFAULT_HOURS, closures, WIB) == 66 - 12 - 3
    assert open_hours(date(2026, 11, 29), date(2026, 11, 29), DEFAULT_HOURS, [], WIB) == 0


# --- heat map ----------------------------------------------------------------------------------------

def test_heat_map_across_midnight_and_period_edges():
    start, end = period_for("this_week", WEDNESDAY).bounds(WIB)
    grid = heat_map([
        (wib(WEDNESDAY, 9, 30), wib(WEDNESDAY, 11)),  # Wed 09: 0.5, 10: 1
        (wib(WEDNESDAY, 23), wib(WEDNESDAY + timedelta(days=1), 1, 30)),  # Wed 23: 1, Thu 00: 1, Thu 01: 0.5
        (wib(date(2026, 11, 22), 23), wib(date(2026, 11, 23), 1)),  # from Sunday before: only Mon 00: 1
        (wib(date(2026, 11, 29), 23, 30), wib(date(2026, 11, 30), 2)),  # into next week: only Sun 23: 0.5
        (wib(date(2026, 11, 30), 9), wib(date(2026, 11, 30), 10)),  # outside: nothing
    ], start, end, WIB)
    expected = empty_heat_map()
    expected[2][9], expected[2][10], expected[2][23] = 0.5, 1, 1
    expected[3][0], expected[3][1] = 1, 0.5
    expected[0][0], expected[6][23] = 1, 0.5
    assert grid == expected
    assert len(grid) == 7 and all(len(row) == 24 for row in grid)


def test_heat_map_weights_count_identical_bookings():
    grid = empty_heat_map()
    add_to_heat_map(grid, wib(WEDNESDAY, 8), wib(WEDNESDAY, 9, 15), wib(WEDNESDAY, 0), wib(WEDNESDAY, 23), WIB,
                    weight=3)
    assert (grid[2][8], grid[2][9], sum(map(sum, grid))) == (3, 0.75, 3.75)


def test_peak_hours_busiest_first_ties_earlier_first():
    grid = empty_heat_map()
    grid[0][10], grid[1][10] = 2, 1  # 10.00: 3 h over the week
    grid[2][9], grid[4][14] = 3, 3  # 09.00: 3 h (a tie with 10.00), 14.00: 3 h
    grid[5][16] = 0.5
    assert peak_hours(grid) == [9, 10, 14]
    assert peak_hours(grid, top=5) == [9, 10, 14, 16]
    assert peak_hours(empty_heat_map()) == []


def test_days_outside_the_calendar_the_hub_reads_are_refused_not_crashed_on():
    for month in ("0000-01", "0001-01", "1969-12", "9999-12"):
        with pytest.raises(InvalidInput):
            month_period(month)
    for first, last in (("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31")):
        with pytest.raises(InvalidInput):
            period_for("custom", date(2026, 11, 30), first, last)
    assert month_period("1970-01").previous().last_day == date(1969, 12, 31)

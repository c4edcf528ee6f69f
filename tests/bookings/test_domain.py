"""Booking rules without a database: slots, opening hours, closures, seats, quotas, recurrence,
check-in window and auto-release."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub_app.domain import bookings as rules
from hub_app.domain.bookings import Interval, Quota, SpaceRules
from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed
from hub_app.domain.opening_hours import DEFAULT_HOURS, Period, opening_of, whole_day, within_opening_hours
from hub_app.domain.recurrence import MAX_OCCURRENCES, expand

WIB = ZoneInfo("Asia/Jakarta")
ROOM = SpaceRules(kind="meeting_room", capacity=8, slot_minutes=30, min_minutes=30, max_minutes=240, advance_days=30)
# A Thursday at 07.00 WIB.
NOW = datetime(2026, 12, 3, 7, 0, tzinfo=WIB).astimezone(UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB).astimezone(UTC)


def check(start, end, *, rules_=ROOM, closures=(), now=NOW, staff=False):
    rules.check_times(start, end, rules=rules_, hours=DEFAULT_HOURS, closures=list(closures), space_id=1, now=now,
                      tz=WIB, staff=staff)


def error_key(call) -> str:
    with pytest.raises((InvalidInput, Conflict, NotAllowed)) as caught:
        call()
    return caught.value.key


# Slot alignment and durations -------------------------------------------------------------------

def test_a_booking_on_the_grid_inside_hours_is_accepted():
    check(at(4, 10), at(4, 11))
    check(at(4, 10, 30), at(4, 11))


@pytest.mark.parametrize("start,end", [((4, 10, 15), (4, 11, 0)), ((4, 10, 0), (4, 10, 45)), ((4, 9, 59), (4, 11, 0))])
def test_off_grid_times_are_refused(start, end):
    assert error_key(lambda: check(at(*start), at(*end))) == "booking.error.not_aligned"


def test_sixty_minute_slots_refuse_half_hours():
    hourly = SpaceRules(kind="event_hall", capacity=80, slot_minutes=60, min_minutes=60, max_minutes=600)
    assert error_key(lambda: check(at(4, 10, 30), at(4, 11, 30), rules_=hourly)) == "booking.error.not_aligned"
    check(at(4, 10), at(4, 12), rules_=hourly)


def test_durations_below_minimum_and_above_maximum():
    long_min = SpaceRules(kind="meeting_room", capacity=8, min_minutes=60)
    assert error_key(lambda: check(at(4, 10), at(4, 10, 30), rules_=long_min)) == "booking.error.too_short"
    assert error_key(lambda: check(at(4, 10), at(4, 14, 30))) == "booking.error.too_long"
    check(at(4, 10), at(4, 14, 30), staff=True)  # staff may book longer


def test_end_before_start_past_and_too_far_ahead():
    assert error_key(lambda: check(at(4, 11), at(4, 10))) == "booking.error.end_before_start"
    assert error_key(lambda: check(at(4, 11), at(4, 11))) == "booking.error.end_before_start"
    assert error_key(lambda: check(at(2, 10), at(2, 11))) == "booking.error.past"
    far = NOW + timedelta(days=31)
    far_day = far.astimezone(WIB).date()
    start = datetime(far_day.year, far_day.month, far_day.day, 10, tzinfo=WIB)
    assert error_key(lambda: check(start, start + timedelta(hours=1))) == "booking.error.too_far"


def test_a_booking_cannot_run_into_the_next_day():
    assert error_key(lambda: check(at(4, 19), at(5, 9), staff=True)) == "booking.error.one_day"


# Opening hours and closures ----------------------------------------------------------------------------

def test_opening_hours_differ_by_weekday():
    # Monday to Friday 08-20, Saturday 09-15, Sunday closed.
    friday, saturday, sunday = date(2026, 12, 4), date(2026, 12, 5), date(2026, 12, 6)
    assert opening_of(friday, DEFAULT_HOURS, WIB) == (at(4, 8), at(4, 20))
    assert opening_of(saturday, DEFAULT_HOURS, WIB) == (at(5, 9), at(5, 15))
    assert opening_of(sunday, DEFAULT_HOURS, WIB) is None
    assert within_opening_hours(at(4, 19), at(4, 20), DEFAULT_HOURS, WIB)
    assert not within_opening_hours(at(5, 14), at(5, 16), DEFAULT_HOURS, WIB)
    assert error_key(lambda: check(at(6, 10), at(6, 11))) == "booking.error.outside_hours"
    assert error_key(lambda: check(at(4, 7, 30), at(4, 8, 30))) == "booking.error.outside_hours"
    assert error_key(lambda: check(at(5, 14, 30), at(5, 15, 30))) == "booking.error.outside_hours"


def test_hub_closures_and_space_closures():
    holiday = Period(*whole_day(date(2026, 12, 4), WIB), space_id=None)
    assert error_key(lambda: check(at(4, 10), at(4, 11), closures=[holiday])) == "booking.error.closed"
    other_space = Period(at(4, 9), at(4, 12), space_id=2)
    check(at(4, 10), at(4, 11), closures=[other_space])
    this_space = Period(at(4, 9), at(4, 12), space_id=1)
    assert error_key(lambda: check(at(4, 10), at(4, 11), closures=[this_space])) == "booking.error.closed"
    # A closure ending when the booking starts does not block it.
    check(at(4, 12), at(4, 13), closures=[this_space])


def test_holiday_closure_covers_the_local_day_in_utc():
    start, end = whole_day(date(2026, 12, 25), WIB)
    assert start == datetime(2026, 12, 24, 17, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 25, 17, 0, tzinfo=UTC)


# Rooms and desk seats -------------------------------------------------------------------------------------

def test_rooms_refuse_any_overlap_but_allow_back_to_back():
    taken = [Interval(at(4, 10), at(4, 11))]
    assert error_key(lambda: rules.check_room_free(taken, at(4, 10, 30), at(4, 11, 30))) == "booking.error.slot_taken"
    assert error_key(lambda: rules.check_room_free(taken, at(4, 9), at(4, 12))) == "booking.error.slot_taken"
    rules.check_room_free(taken, at(4, 11), at(4, 12))
    rules.check_room_free(taken, at(4, 9), at(4, 10))


def test_desk_seats_count_the_peak_not_the_sum():
    taken = [Interval(at(4, 8), at(4, 10), 4), Interval(at(4, 10), at(4, 12), 4), Interval(at(4, 9), at(4, 11), 3)]
    # 8-9: 4, 9-10: 7, 10-11: 7, 11-12: 4 -> peak 7 over 8-12 although the sum is 11.
    assert rules.peak_seats(taken, at(4, 8), at(4, 12)) == 7
    assert rules.peak_seats(taken, at(4, 11), at(4, 12)) == 4
    rules.check_seats(taken, at(4, 8), at(4, 12), seats=3, capacity=10)
    with pytest.raises(Conflict) as caught:
        rules.check_seats(taken, at(4, 9), at(4, 10), seats=4, capacity=10)
    assert caught.value.key == "booking.error.no_seats" and caught.value.params["left"] == 3
    rules.check_seats(taken, at(4, 11), at(4, 12), seats=6, capacity=10)


def test_people_over_capacity():
    assert error_key(lambda: rules.check_people(9, ROOM)) == "booking.error.over_capacity"
    rules.check_people(8, ROOM)


# Quotas ------------------------------------------------------------------------------------------------------

def test_week_window_is_monday_to_monday_local_time():
    start, end = rules.week_window(at(6, 23, 30), WIB)  # Sunday night WIB
    assert start == datetime(2026, 11, 30, tzinfo=WIB).astimezone(UTC)
    assert end == datetime(2026, 12, 7, tzinfo=WIB).astimezone(UTC)


def test_hours_per_week_quota_counts_only_that_week():
    quota = Quota(hours_per_week=4, upcoming_bookings=10)
    existing = [Interval(at(3, 10), at(3, 13))]  # 3 h this week
    rules.check_quota(existing=existing, new=[Interval(at(4, 10), at(4, 11))], upcoming_count=1, quota=quota, tz=WIB)
    with pytest.raises(Conflict) as caught:
        rules.check_quota(existing=existing, new=[Interval(at(4, 10), at(4, 11, 30))], upcoming_count=1, quota=quota,
                          tz=WIB)
    assert caught.value.key == "booking.error.quota_hours"
    # Next Monday is another week.
    rules.check_quota(existing=existing, new=[Interval(at(7, 10), at(7, 14))], upcoming_count=1, quota=quota, tz=WIB)


def test_upcoming_bookings_quota():
    quota = Quota(hours_per_week=40, upcoming_bookings=2)
    rules.check_quota(existing=[], new=[Interval(at(4, 10), at(4, 11))], upcoming_count=1, quota=quota, tz=WIB)
    assert error_key(lambda: rules.check_quota(existing=[], new=[Interval(at(4, 10), at(4, 11))], upcoming_count=2,
                                               quota=quota, tz=WIB)) == "booking.error.quota_upcoming"


# Recurrence -----------------------------------------------------------------------------------------------------

def test_weekly_series_by_count_keeps_local_wall_clock():
    occurrences = expand(at(4, 10), at(4, 11), frequency="weekly", tz=WIB, count=4)
    assert [o.starts_at for o in occurrences] == [at(4, 10), at(11, 10), at(18, 10), at(25, 10)]
    assert all(o.ends_at - o.starts_at == timedelta(hours=1) for o in occurrences)


def test_daily_series_until_a_date_is_inclusive():
    occurrences = expand(at(4, 10), at(4, 11), frequency="daily", tz=WIB, until=date(2026, 12, 8))
    assert len(occurrences) == 5
    assert occurrences[-1].starts_at == at(8, 10)


def test_recurrence_refuses_bad_rules():
    assert error_key(lambda: expand(at(4, 10), at(4, 11), frequency="monthly", tz=WIB, count=2)) == \
        "error.field_choice"
    assert error_key(lambda: expand(at(4, 10), at(4, 11), frequency="daily", tz=WIB)) == "booking.error.repeat_how"
    assert error_key(lambda: expand(at(4, 10), at(4, 11), frequency="daily", tz=WIB, count=2,
                                    until=date(2026, 12, 9))) == "booking.error.repeat_how"
    assert error_key(lambda: expand(at(4, 10), at(4, 11), frequency="daily", tz=WIB,
                                    count=MAX_OCCURRENCES + 1)) == "error.field_range"
    assert error_key(lambda: expand(at(4, 10), at(4, 11), frequency="daily", tz=WIB,
                                    until=date(2027, 6, 1))) == "booking.error.too_many_occurrences"
    assert error_key(lambda: expand(at(4, 10), at(4, 11), frequency="daily", tz=WIB,
                                    until=date(2026, 12, 1))) == "booking.error.until_before_start"


def test_recurrence_with_skipped_dates_marks_closed_days():
    """Expansion plus the rules: a holiday inside a weekly series is the one date that fails."""
    holiday = Period(*whole_day(date(2026, 12, 25), WIB))
    occurrences = expand(at(4, 10), at(4, 11), frequency="weekly", tz=WIB, count=4)
    problems = []
    for occurrence in occurrences:
        try:
            check(occurrence.starts_at, occurrence.ends_at, closures=[holiday])
        except Conflict as error:
            problems.append((occurrence.starts_at, error.key))
    assert problems == [(at(25, 10), "booking.error.closed")]


# Check-in and release ---------------------------------------------------------------------------------------------

def test_check_in_window_is_fifteen_minutes_either_side():
    start = at(4, 10)
    for minutes in (-15, -5, 0, 15):
        rules.check_check_in(status="confirmed", starts_at=start, checked_in_at=None,
                             now=start + timedelta(minutes=minutes))
    for minutes in (-16, 16):
        assert error_key(lambda m=minutes: rules.check_check_in(
            status="confirmed", starts_at=start, checked_in_at=None,
            now=start + timedelta(minutes=m))) == "booking.error.check_in_window"
    assert error_key(lambda: rules.check_check_in(status="confirmed", starts_at=start, checked_in_at=start,
                                                  now=start)) == "booking.error.already_checked_in"
    assert error_key(lambda: rules.check_check_in(status="pending", starts_at=start, checked_in_at=None,
                                                  now=start)) == "booking.error.not_confirmed"


def test_auto_release_after_fifteen_minutes_without_check_in():
    start = at(4, 10)
    due = dict(kind="member", status="confirmed", starts_at=start, checked_in_at=None)
    assert not rules.due_for_release(**due, now=start + timedelta(minutes=15))
    assert rules.due_for_release(**due, now=start + timedelta(minutes=16))
    assert not rules.due_for_release(**{**due, "checked_in_at": start}, now=start + timedelta(hours=1))
    assert not rules.due_for_release(**{**due, "kind": "training"}, now=start + timedelta(hours=1))
    assert not rules.due_for_release(**{**due, "status": "pending"}, now=start + timedelta(hours=1))


def test_cancel_until_the_start_and_training_requirement():
    rules.check_cancel(status="confirmed", starts_at=at(4, 10), now=at(4, 9), staff=False)
    assert error_key(lambda: rules.check_cancel(status="confirmed", starts_at=at(4, 10), now=at(4, 10),
                                                staff=False)) == "booking.error.started"
    assert error_key(lambda: rules.check_cancel(status="cancelled", starts_at=at(4, 10), now=at(4, 9),
                                                staff=True)) == "booking.error.not_cancellable"
    assert error_key(lambda: rules.may_book_space(active=True, staff=False, required_training_id=3,
                                                  training_completed=None)) == "booking.error.training_required"
    rules.may_book_space(active=True, staff=True, required_training_id=3, training_completed=None)
    rules.may_book_space(active=True, staff=False, required_training_id=3, training_completed=True)
    assert error_key(lambda: rules.may_book_space(active=False, staff=False, required_training_id=None,
                                                  training_completed=None)) == "booking.error.space_inactive"


def test_slots_of_a_day_follow_opening_hours():
    slots = rules.slots_of_day(date(2026, 12, 5), DEFAULT_HOURS, 30, WIB)  # Saturday 09-15
    assert len(slots) == 12 and slots[0][0] == at(5, 9) and slots[-1][1] == at(5, 15)
    assert rules.slots_of_day(date(2026, 12, 6), DEFAULT_HOURS, 30, WIB) == []


# -- choosing a time on a phone ----------------------------------------------------------------------


def test_duration_chips_follow_the_space_rules():
    assert rules.durations_for(30, 240) == [30, 60, 90, 120]
    assert rules.durations_for(60, 90) == [60, 90]
    assert rules.durations_for(180, 480) == []
    # The length searched for stays inside the space's rules, in whole slots.
    assert rules.length_for(60, min_minutes=30, max_minutes=240, slot_minutes=30) == 60
    assert rules.length_for(30, min_minutes=60, max_minutes=240, slot_minutes=30) == 60
    assert rules.length_for(120, min_minutes=30, max_minutes=90, slot_minutes=30) == 90
    assert rules.length_for(60, min_minutes=30, max_minutes=240, slot_minutes=45) == 90


def starts_of(holding, *, length=60, capacity=1, exclusive=True, closed=(), now=NOW):
    found = rules.free_starts(opening=(at(3, 8), at(3, 12)), step=timedelta(minutes=30),
                              length=timedelta(minutes=length), now=now, holding=holding, capacity=capacity,
                              exclusive=exclusive, closed=list(closed))
    return [moment.astimezone(WIB).strftime("%H:%M") for moment in found]


def test_free_start_times_of_a_room_for_a_length():
    assert starts_of([]) == ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00"]
    booked = [Interval(at(3, 9), at(3, 10))]
    # Back-to-back is fine; any overlap is not.
    assert starts_of(booked) == ["08:00", "10:00", "10:30", "11:00"]
    assert starts_of(booked, length=30) == ["08:00", "08:30", "10:00", "10:30", "11:00", "11:30"]
    assert starts_of([], closed=[(at(3, 10), at(3, 11))]) == ["08:00", "08:30", "09:00", "11:00"]
    # What has begun is not offered.
    assert starts_of([], now=at(3, 9, 10)) == ["09:30", "10:00", "10:30", "11:00"]


def test_free_start_times_of_a_desk_area_keep_a_seat_free_throughout():
    holding = [Interval(at(3, 8), at(3, 10), 2), Interval(at(3, 9), at(3, 11), 1)]
    assert starts_of(holding, capacity=3, exclusive=False) == ["08:00", "10:00", "10:30", "11:00"]
    assert starts_of(holding, capacity=4, exclusive=False)[:3] == ["08:00", "08:30", "09:00"]


def test_the_first_bookable_day_and_why_today_was_skipped():
    from hub_app.domain.opening_hours import first_bookable_day

    thursday = date(2026, 12, 3)

    def first(now, closures=(), hours=DEFAULT_HOURS):
        return first_bookable_day(today=now.astimezone(WIB).date(), now=now, hours=hours, hub_closures=list(closures),
                                  tz=WIB, shortest=timedelta(minutes=30))

    assert first(at(3, 7)) == (thursday, "")
    assert first(at(3, 19, 30)) == (thursday, "")  # the last half hour is still bookable
    assert first(at(3, 19, 45)) == (date(2026, 12, 4), "over")
    # Christmas (a Friday) is a closure; Saturday opens.
    christmas = Period(*whole_day(date(2026, 12, 25), WIB))
    assert first(at(25, 7), [christmas]) == (date(2026, 12, 26), "closure")
    # Sunday has no opening hours; a Saturday evening skips to Monday.
    assert first(at(6, 10)) == (date(2026, 12, 7), "closed")
    assert first(at(5, 16)) == (date(2026, 12, 7), "over")
    # A closure of one space does not close the day, nor does one that covers part of it.
    assert first(at(3, 7), [Period(at(3, 8), at(3, 20), space_id=4), Period(at(3, 8), at(3, 12))]) == (thursday, "")

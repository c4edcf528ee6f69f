"""The programme's pure rules: capacity, waitlist order and promotion, deadline, prerequisites,
completion share, session times, check-in window."""

from datetime import UTC, datetime, timedelta

import pytest

from hub_app.domain import trainings as rules
from hub_app.domain.errors import Conflict, InvalidInput

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
WINDOW = rules.Window(opens_at=NOW - timedelta(days=7), closes_at=NOW + timedelta(days=3),
                      cancel_until=NOW + timedelta(days=2))


def _key(call) -> str:
    with pytest.raises((Conflict, InvalidInput)) as caught:
        call()
    return caught.value.key


def _enrol_check(**changes):
    arguments = {"status": rules.PUBLISHED, "window": WINDOW, "now": NOW, "existing": None,
                 "missing_prerequisites": []}
    arguments.update(changes)
    return rules.check_can_enrol(**arguments)


# --- capacity ---------------------------------------------------------------------------------

def test_a_newcomer_gets_a_seat_only_while_seats_are_free_and_nobody_waits():
    assert rules.seat_for_newcomer(capacity=10, enrolled=9, waitlisted=0)
    assert not rules.seat_for_newcomer(capacity=10, enrolled=10, waitlisted=0)
    # A seat freed but not yet handed on still belongs to the first in the queue.
    assert not rules.seat_for_newcomer(capacity=10, enrolled=9, waitlisted=1)


def test_seats_left_never_negative():
    assert rules.seats_left(10, 3) == 7
    assert rules.seats_left(10, 10) == 0
    assert rules.seats_left(5, 7) == 0


def test_capacity_cannot_drop_below_the_enrolled():
    rules.check_capacity_change(8, 8)
    assert _key(lambda: rules.check_capacity_change(7, 8)) == "trainings.error.capacity_below_enrolled"


# --- enrolment window and state ---------------------------------------------------------------

def test_enrolment_allowed_while_open_and_published():
    _enrol_check()


@pytest.mark.parametrize(("changes", "key"), [
    ({"status": rules.DRAFT}, "trainings.error.not_open"),
    ({"status": rules.CANCELLED}, "trainings.error.not_open"),
    ({"existing": rules.ENROLLED}, "trainings.error.already_enrolled"),
    ({"existing": rules.WAITLISTED}, "trainings.error.already_waitlisted"),
    ({"now": WINDOW.opens_at - timedelta(seconds=1)}, "trainings.error.not_open_yet"),
    ({"now": WINDOW.closes_at}, "trainings.error.closed"),
    ({"missing_prerequisites": [4]}, "trainings.error.prerequisites"),
])
def test_enrolment_refused_with_the_reason(changes, key):
    assert _key(lambda: _enrol_check(**changes)) == key


def test_a_withdrawn_member_may_enrol_again():
    _enrol_check(existing=rules.WITHDRAWN)
    _enrol_check(existing=rules.REMOVED)


def test_window_order_and_first_session():
    start = NOW + timedelta(days=5)
    rules.check_window(WINDOW, start)
    bad_order = rules.Window(NOW, NOW - timedelta(hours=1), NOW)
    assert _key(lambda: rules.check_window(bad_order, start)) == "trainings.error.window_order"
    late_close = rules.Window(NOW, start + timedelta(hours=1), NOW)
    assert _key(lambda: rules.check_window(late_close, start)) == "trainings.error.closes_after_start"
    late_deadline = rules.Window(NOW, NOW + timedelta(days=1), start + timedelta(minutes=1))
    assert _key(lambda: rules.check_window(late_deadline, start)) == "trainings.error.deadline_after_start"
    # Without sessions yet only the order is checked.
    rules.check_window(late_close, None)


# --- cancellation deadline --------------------------------------------------------------------

def test_seat_cancelled_before_the_deadline_only():
    rules.check_cancel(status=rules.ENROLLED, window=WINDOW, now=WINDOW.cancel_until - timedelta(seconds=1))
    late = WINDOW.cancel_until
    assert _key(lambda: rules.check_cancel(status=rules.ENROLLED, window=WINDOW, now=late)) == \
        "trainings.error.deadline_passed"


def test_waitlist_can_be_left_after_the_deadline():
    rules.check_cancel(status=rules.WAITLISTED, window=WINDOW, now=WINDOW.cancel_until + timedelta(days=1))


def test_nothing_to_cancel_when_not_enrolled():
    for status in (rules.WITHDRAWN, rules.REMOVED):
        assert _key(lambda status=status: rules.check_cancel(status=status, window=WINDOW, now=NOW)) == \
            "trainings.error.not_enrolled"


# --- waitlist order and promotion -------------------------------------------------------------

def test_promotion_goes_to_the_lowest_queue_numbers_one_per_free_seat():
    waitlist = [(7, 70), (3, 30), (5, 50), (9, 90)]
    assert rules.promotions(capacity=10, enrolled=8, waitlist=waitlist) == [30, 50]
    assert rules.promotions(capacity=10, enrolled=10, waitlist=waitlist) == []
    assert rules.promotions(capacity=20, enrolled=10, waitlist=waitlist) == [30, 50, 70, 90]
    assert rules.promotions(capacity=10, enrolled=5, waitlist=[]) == []


def test_promotion_only_before_the_training_starts_and_while_published():
    start = NOW + timedelta(days=1)
    assert rules.promotion_possible(training_status=rules.PUBLISHED, first_start=start, now=NOW)
    assert not rules.promotion_possible(training_status=rules.PUBLISHED, first_start=start, now=start)
    assert not rules.promotion_possible(training_status=rules.CANCELLED, first_start=start, now=NOW)


def test_waitlist_position_counts_those_ahead():
    waiting = [4, 9, 12, 20]
    assert rules.waitlist_position(4, waiting) == 1
    assert rules.waitlist_position(12, waiting) == 3
    assert rules.waitlist_position(20, waiting) == 4


# --- prerequisites ----------------------------------------------------------------------------

def test_missing_prerequisites_in_their_order():
    assert rules.missing_prerequisites([3, 1, 2], {1}) == [3, 2]
    assert rules.missing_prerequisites([3, 1], {1, 3, 8}) == []
    assert rules.missing_prerequisites([], set()) == []


# --- completion share -------------------------------------------------------------------------

@pytest.mark.parametrize(("sessions", "share", "needed"), [
    (4, 100, 4), (4, 75, 3), (4, 50, 2), (3, 50, 2), (3, 1, 1), (1, 100, 1), (5, 80, 4), (0, 100, 0),
])
def test_sessions_needed_rounds_up(sessions, share, needed):
    assert rules.sessions_needed(sessions, share) == needed


def test_completion_by_share():
    assert rules.has_completed(4, 4, 100)
    assert not rules.has_completed(3, 4, 100)
    assert rules.has_completed(3, 4, 75)
    assert not rules.has_completed(0, 0, 100)  # a training without sessions cannot be completed


# --- sessions, check-in, rating ---------------------------------------------------------------

def test_session_must_end_after_it_starts_and_be_of_sane_length():
    rules.check_session_times(NOW, NOW + timedelta(hours=2))
    assert _key(lambda: rules.check_session_times(NOW, NOW)) == "trainings.error.session_order"
    assert _key(lambda: rules.check_session_times(NOW, NOW - timedelta(hours=1))) == "trainings.error.session_order"
    assert _key(lambda: rules.check_session_times(NOW, NOW + timedelta(hours=13))) == \
        "trainings.error.session_too_long"


def test_check_in_from_15_minutes_before_until_the_end():
    start, end = NOW, NOW + timedelta(hours=2)
    assert rules.check_in_open(start, end, start - timedelta(minutes=15))
    assert not rules.check_in_open(start, end, start - timedelta(minutes=16))
    assert rules.check_in_open(start, end, end)
    assert not rules.check_in_open(start, end, end + timedelta(seconds=1))


def test_rating_between_one_and_five():
    for stars in range(1, 6):
        rules.check_rating(stars)
    for stars in (0, 6, -1):
        assert _key(lambda stars=stars: rules.check_rating(stars)) == "trainings.error.rating_range"

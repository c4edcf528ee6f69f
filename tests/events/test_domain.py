"""The pure rules of events and the shared seat rules (no database)."""

from datetime import UTC, datetime, timedelta

import pytest

from hub_app.domain import events as rules
from hub_app.domain import seats, trainings
from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
START = NOW + timedelta(days=2)


def _key(call) -> str:
    with pytest.raises((Conflict, InvalidInput, NotAllowed)) as refused:
        call()
    return refused.value.key


def test_trainings_and_events_share_one_copy_of_the_seat_rules():
    assert trainings.seat_for_newcomer is seats.seat_for_newcomer
    assert trainings.promotions is seats.promotions and trainings.seats_left is seats.seats_left
    assert seats.seat_for_newcomer(capacity=2, enrolled=1, waitlisted=0)
    assert not seats.seat_for_newcomer(capacity=2, enrolled=1, waitlisted=1), "nobody jumps the queue"
    assert seats.promotions(capacity=5, enrolled=3, waitlist=[(7, 70), (2, 20), (4, 40)]) == [20, 40]
    assert seats.waitlist_position(7, [2, 4, 7, 9]) == 3
    assert seats.check_capacity_change(3, 3) and not seats.check_capacity_change(2, 3)


def test_ticket_codes_are_random_crockford_and_read_forgivingly():
    codes = {rules.new_ticket_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == 10 and set(code) <= set(rules.TICKET_ALPHABET) for code in codes)
    assert not set("ILOU") & set(rules.TICKET_ALPHABET)
    assert rules.ticket_label("7KQ2MXR4TD") == "7KQ2M-XR4TD"
    assert rules.normalise_ticket(" 7kq2m-xr4td ") == "7KQ2MXR4TD"
    assert rules.normalise_ticket("OIL00-11111") == "01100" + "11111"
    for junk in ("", "7KQ2M", "7KQ2M-XR4TDX", "7KQ2M-XR4T!", None, 42, "A" * 41, ["7KQ2MXR4TD"]):
        assert _key(lambda junk=junk: rules.normalise_ticket(junk)) == "events.error.ticket_format"


def test_who_may_register():
    def check(**values):
        base = {"status": rules.PUBLISHED, "audience": rules.EVERYONE, "starts_at": START, "now": NOW, "guest": False}
        rules.check_can_register(**(base | values))

    check()
    check(guest=True)
    check(audience=rules.MEMBERS_ONLY)
    assert _key(lambda: check(audience=rules.MEMBERS_ONLY, guest=True)) == "events.error.members_only"
    assert _key(lambda: check(status=rules.DRAFT)) == "events.error.not_found"
    assert _key(lambda: check(status=rules.CANCELLED)) == "events.error.cancelled"
    assert _key(lambda: check(now=START)) == "events.error.started"


def test_confirmation_links_work_once_and_for_a_day():
    expires = NOW + rules.CONFIRM_VALID
    rules.check_confirm(status=rules.UNCONFIRMED, confirmed=False, expires_at=expires, now=NOW)
    assert _key(lambda: rules.check_confirm(status=rules.UNCONFIRMED, confirmed=False, expires_at=expires,
                                            now=expires)) == "events.error.link_expired"
    assert _key(lambda: rules.check_confirm(status=rules.REGISTERED, confirmed=True, expires_at=expires,
                                            now=NOW)) == "events.error.link_used"
    assert _key(lambda: rules.check_confirm(status=rules.REG_CANCELLED, confirmed=False, expires_at=expires,
                                            now=expires + timedelta(days=2))) == "events.error.link_expired"


def test_the_door_and_tickets():
    end = START + timedelta(hours=2)
    assert not rules.door_open(starts_at=START, ends_at=end, now=START - timedelta(hours=4))
    assert rules.door_open(starts_at=START, ends_at=end, now=START - timedelta(hours=3))
    assert rules.door_open(starts_at=START, ends_at=end, now=end + timedelta(minutes=59))
    assert _key(lambda: rules.check_door(event_status=rules.PUBLISHED, starts_at=START, ends_at=end,
                                         now=NOW)) == "events.error.door_closed"
    assert _key(lambda: rules.check_door(event_status=rules.CANCELLED, starts_at=START, ends_at=end,
                                         now=START)) == "events.error.cancelled"
    rules.check_ticket(registration_event_id=1, event_id=1, status=rules.REGISTERED)
    assert _key(lambda: rules.check_ticket(registration_event_id=2, event_id=1, status=rules.REGISTERED)) == \
        "events.error.ticket_other_event"
    assert _key(lambda: rules.check_ticket(registration_event_id=1, event_id=1, status=rules.WAITLISTED)) == \
        "events.error.ticket_waitlisted"
    for status in (rules.UNCONFIRMED, rules.REG_CANCELLED):
        assert _key(lambda status=status: rules.check_ticket(registration_event_id=1, event_id=1,
                                                             status=status)) == "events.error.ticket_not_valid"


def test_times_places_reminders_and_retention():
    assert _key(lambda: rules.check_event_times(START, START)) == "events.error.end_before_start"
    assert _key(lambda: rules.check_event_times(START, START + timedelta(hours=13))) == "events.error.too_long"
    assert _key(lambda: rules.check_event_times(NOW - timedelta(hours=1), NOW, now=NOW)) == "events.error.in_past"
    assert _key(lambda: rules.check_place(rules.AT_SPACE, space_id=None, online_url="")) == \
        "events.error.space_required"
    assert _key(lambda: rules.check_online_url("http://meet.example")) == "events.error.url_https"
    assert not rules.reminder_due(starts_at=START, now=NOW)
    assert rules.reminder_due(starts_at=START, now=START - timedelta(hours=23))
    assert not rules.reminder_due(starts_at=START, now=START)
    assert rules.erasure_cutoff(NOW, 30) == NOW - timedelta(days=30)
    assert rules.erasure_cutoff(NOW, -5) == NOW, "a negative setting erases right after the event, never before"

"""Foundation domain rules: password policy, throttling, membership transitions, permissions."""

from datetime import UTC, datetime, timedelta

import pytest

from hub_app.domain import validation
from hub_app.domain.errors import InvalidInput
from hub_app.domain.membership import can_sign_in, next_status
from hub_app.domain.passwords import password_problem
from hub_app.domain.permissions import Actor, may_change_roles, may_manage_members, may_use_hub
from hub_app.domain.throttle import ThrottleLimits, retry_after

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("password", "problem"), [
    ("short7!", "password.too_short"),
    ("x" * 129, "password.too_long"),
    ("password", "password.common"),
    ("12345678", "password.common"),
    ("Password1", "password.common"),
    ("jakarta2026", "password.guessable"),
    ("kopi-temanggung-tubruk-42", None),
    ("Ny4m-ny4m Batik Rina", None),
])
def test_password_policy(password, problem):
    assert password_problem(password) == problem


def test_password_built_from_the_members_own_name_is_refused():
    assert password_problem("rinakusuma", user_inputs=("Rina Kusuma",)) == "password.guessable"


LIMITS = ThrottleLimits(max_failures_per_account=5, max_failures_per_address=20, window=timedelta(minutes=15))


def test_throttle_allows_until_the_limit_then_waits_for_the_oldest_failure_to_expire():
    failures = [NOW - timedelta(minutes=m) for m in (10, 8, 6, 4)]
    assert retry_after(failures, failures, LIMITS, NOW) is None
    failures.append(NOW - timedelta(minutes=1))
    assert retry_after(failures, failures, LIMITS, NOW) == timedelta(minutes=5)


def test_throttle_ignores_failures_outside_the_window():
    old = [NOW - timedelta(minutes=20 + m) for m in range(10)]
    assert retry_after(old, old, LIMITS, NOW) is None


def test_throttle_per_address_counts_failures_across_accounts():
    many = [NOW - timedelta(seconds=s) for s in range(20)]
    wait = retry_after([], many, LIMITS, NOW)
    assert wait is not None and wait > timedelta(minutes=14)


@pytest.mark.parametrize(("current", "action", "expected"), [
    ("pending", "approve", "active"),
    ("pending", "reject", "rejected"),
    ("rejected", "approve", "active"),
    ("active", "suspend", "suspended"),
    ("suspended", "reactivate", "active"),
    ("active", "approve", None),
    ("pending", "suspend", None),
    ("suspended", "reject", None),
    ("active", "delete-everything", None),
])
def test_membership_transitions(current, action, expected):
    assert next_status(current, action) == expected


def test_who_can_sign_in():
    assert can_sign_in("pending") and can_sign_in("active") and can_sign_in("rejected")
    assert not can_sign_in("suspended") and not can_sign_in("deleted")


def test_permissions_by_role_and_status():
    member = Actor(1, "member", "active")
    pending = Actor(2, "member", "pending")
    staff = Actor(3, "staff", "active")
    admin = Actor(4, "admin", "active")
    suspended_staff = Actor(5, "staff", "suspended")
    assert may_use_hub(member) and not may_use_hub(pending) and not may_use_hub(None)
    assert may_manage_members(staff) and may_manage_members(admin)
    assert not may_manage_members(member) and not may_manage_members(suspended_staff)
    assert may_change_roles(admin) and not may_change_roles(staff)


@pytest.mark.parametrize("value", [None, 3, ["a"], {"a": 1}, 1.5])
def test_text_refuses_values_that_are_not_text(value):
    if value is None:
        assert validation.text(value, field="name", max_length=5) == ""
    else:
        with pytest.raises(InvalidInput):
            validation.text(value, field="name", max_length=5)


def test_text_strips_control_characters_and_enforces_length():
    assert validation.text("  Rina\x00 \x07Kusuma ", field="name", max_length=20) == "Rina Kusuma"
    with pytest.raises(InvalidInput) as error:
        validation.text("x" * 21, field="name", max_length=20)
    assert error.value.key == "error.field_too_long" and error.value.field == "name"


@pytest.mark.parametrize("value", [True, "1e9", "", "12abc", -1, 0, 2**63, [1]])
def test_identifier_refuses_anything_but_a_positive_id(value):
    with pytest.raises(InvalidInput):
        validation.identifier(value)


def test_identifier_accepts_ints_and_decimal_strings():
    assert validation.identifier(42) == 42 and validation.identifier("42") == 42

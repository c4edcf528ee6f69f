"""Foundation domain rules: password policy, throttling, membership transitions, permissions."""

from datetime import UTC, datetime, timedelta

import pytest

from hub_app.domain import validation
from hub_app.domain.errors import InvalidInput
from hub_app.domain.membership import can_sign_in, next_status
from hub_app.domain.passwords import password_problem
from hub_app.domain.permissions import Actor, may_change_roles, may_manage_members, may_use_hub
from hub_app.domain.throttle import (
    Attempt,
    MailLimits,
    SentMail,
    ThrottleLimits,
    mail_allowed,
    retry_after,
    wait_minutes,
)

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


LIMITS = ThrottleLimits(max_failures_per_pair=5, max_failures_per_address=20, max_failures_per_account=50,
                        window=timedelta(minutes=15))
ANI, ATTACKER, HOME = "ani@x.example", "198.51.100.9", "203.0.113.5"


def _failures(minutes_ago, account=ANI, address=HOME):
    return [Attempt(at=NOW - timedelta(minutes=m), account=account, address=address) for m in minutes_ago]


def test_throttle_allows_until_the_limit_then_waits_for_the_oldest_failure_to_expire():
    failures = _failures((10, 8, 6, 4))
    assert retry_after(failures, account=ANI, address=HOME, limits=LIMITS, now=NOW) is None
    failures += _failures((1,))
    assert retry_after(failures, account=ANI, address=HOME, limits=LIMITS, now=NOW) == timedelta(minutes=5)


def test_throttle_ignores_failures_outside_the_window():
    old = _failures(range(20, 80))
    assert retry_after(old, account=ANI, address=HOME, limits=LIMITS, now=NOW) is None


def test_throttle_per_address_counts_failures_across_accounts():
    many = [Attempt(at=NOW - timedelta(seconds=s), account=f"guess{s}@x.example", address=ATTACKER)
            for s in range(20)]
    wait = retry_after(many, account=ANI, address=ATTACKER, limits=LIMITS, now=NOW)
    assert wait is not None and wait > timedelta(minutes=14)
    # The accounts it guessed at are not locked for anyone else.
    assert retry_after(many, account="guess3@x.example", address=HOME, limits=LIMITS, now=NOW) is None


def test_an_attacker_locks_only_their_own_address_out_of_the_account():
    attacks = _failures(range(5), address=ATTACKER)
    assert retry_after(attacks, account=ANI, address=ATTACKER, limits=LIMITS, now=NOW) is not None
    assert retry_after(attacks, account=ANI, address=HOME, limits=LIMITS, now=NOW) is None


def test_the_per_account_ceiling_holds_across_many_addresses():
    spread = [Attempt(at=NOW - timedelta(seconds=s), account=ANI, address=f"10.0.{s // 4}.{s}") for s in range(49)]
    assert retry_after(spread, account=ANI, address=HOME, limits=LIMITS, now=NOW) is None
    spread.append(Attempt(at=NOW, account=ANI, address="10.9.9.9"))
    wait = retry_after(spread, account=ANI, address=HOME, limits=LIMITS, now=NOW)
    assert wait is not None and wait > timedelta(minutes=14)


def test_a_success_ends_the_pairs_run_of_failures_but_not_the_address_or_account_counts():
    failures = _failures((10, 9, 8, 7, 6))
    success = [Attempt(at=NOW - timedelta(minutes=5), account=ANI, address=HOME, succeeded=True)]
    assert retry_after(failures, account=ANI, address=HOME, limits=LIMITS, now=NOW) is not None
    assert retry_after(failures + success, account=ANI, address=HOME, limits=LIMITS, now=NOW) is None
    # Signing in to an own account does not clear the address's failures at other accounts.
    spray = [Attempt(at=NOW - timedelta(seconds=s), account=f"g{s}@x.example", address=ATTACKER) for s in range(20)]
    own = [Attempt(at=NOW, account="mine@x.example", address=ATTACKER, succeeded=True)]
    assert retry_after(spray + own, account="mine@x.example", address=ATTACKER, limits=LIMITS, now=NOW) is not None
    # Nor does another address's success clear this address's run.
    elsewhere = [Attempt(at=NOW, account=ANI, address=HOME, succeeded=True)]
    attacks = _failures(range(5), address=ATTACKER)
    assert retry_after(attacks + elsewhere, account=ANI, address=ATTACKER, limits=LIMITS, now=NOW) is not None


def test_wait_minutes_rounds_up():
    assert wait_minutes(timedelta(seconds=1)) == 1
    assert wait_minutes(timedelta(seconds=61)) == 2
    assert wait_minutes(timedelta(minutes=15)) == 15
    assert wait_minutes(timedelta(seconds=-5)) == 1


MAIL = MailLimits(per_recipient=5, per_client=50, repeat_gap=timedelta(seconds=60), window=timedelta(minutes=60))


def _sent(seconds_ago, recipient="r1", client=HOME, kind="reset_password"):
    return [SentMail(at=NOW - timedelta(seconds=s), recipient=recipient, client=client, kind=kind) for s in seconds_ago]


def test_one_mail_of_a_kind_per_recipient_per_gap():
    assert mail_allowed([], recipient="r1", client=HOME, kind="reset_password", limits=MAIL, now=NOW)
    sent = _sent((30,))
    assert not mail_allowed(sent, recipient="r1", client=HOME, kind="reset_password", limits=MAIL, now=NOW)
    # Another kind, another recipient, or after the gap: allowed.
    assert mail_allowed(sent, recipient="r1", client=HOME, kind="verify_email", limits=MAIL, now=NOW)
    assert mail_allowed(sent, recipient="r2", client=HOME, kind="reset_password", limits=MAIL, now=NOW)
    assert mail_allowed(_sent((61,)), recipient="r1", client=HOME, kind="reset_password", limits=MAIL, now=NOW)


def test_mails_per_recipient_and_per_client_in_the_window():
    to_one = _sent((100, 200, 300, 400, 500))
    assert not mail_allowed(to_one, recipient="r1", client="elsewhere", kind="sign_in_link", limits=MAIL, now=NOW)
    assert mail_allowed(_sent((100, 200, 300, 400, 3600)), recipient="r1", client=HOME, kind="sign_in_link",
                        limits=MAIL, now=NOW)
    spray = [mail for n in range(50) for mail in _sent((n + 1,), recipient=f"r{n}", client=ATTACKER)]
    assert not mail_allowed(spray, recipient="new", client=ATTACKER, kind="reset_password", limits=MAIL, now=NOW)
    assert mail_allowed(spray, recipient="new", client=HOME, kind="reset_password", limits=MAIL, now=NOW)


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

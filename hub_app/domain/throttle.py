"""Throttles over recent events, as pure rules: password attempts (sign-in, account deletion) and
account mail (verification, password reset, "already registered", sign-in links)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottleLimits:
    """Failed password attempts allowed inside `window`:

    - per pair: one account from one client address. Low: this is what stops guessing.
    - per address: any accounts from one client address (one client guessing many accounts).
    - per account: one account from all addresses together. Much higher, so that nobody can lock a
      member out from an address or two; a member whose account reaches it signs in with an emailed
      one-time link instead.
    """

    max_failures_per_pair: int
    max_failures_per_address: int
    max_failures_per_account: int
    window: timedelta


@dataclass(frozen=True)
class Attempt:
    at: datetime
    account: str  # the normalised email that was tried
    address: str  # the client address it came from
    succeeded: bool = False


def _wait(failures: list[datetime], limit: int, window: timedelta, now: datetime) -> timedelta | None:
    """The lock lifts when the oldest failure that keeps the count at the limit leaves the window."""
    limit = max(1, limit)
    if len(failures) < limit:
        return None
    failures = sorted(failures)
    return failures[len(failures) - limit] + window - now


def retry_after(attempts: Iterable[Attempt], *, account: str, address: str, limits: ThrottleLimits,
                now: datetime) -> timedelta | None:
    """How long a password attempt for `account` from `address` must wait, or None when it is allowed.

    Only attempts inside the window count. A success from the same account and address ends that
    pair's run of failures (whoever is there knows the password); it does not reset the address's or
    the account's count, so an attacker cannot clear them by signing in to an account of their own.
    """
    recent = [attempt for attempt in attempts if now - attempt.at < limits.window]
    pair_success = max((attempt.at for attempt in recent
                        if attempt.succeeded and attempt.account == account and attempt.address == address),
                       default=None)
    failures = [attempt for attempt in recent if not attempt.succeeded]
    per_pair = [attempt.at for attempt in failures if attempt.account == account and attempt.address == address
                and (pair_success is None or attempt.at > pair_success)]
    per_address = [attempt.at for attempt in failures if attempt.address == address]
    per_account = [attempt.at for attempt in failures if attempt.account == account]
    waits = [wait for wait in (_wait(per_pair, limits.max_failures_per_pair, limits.window, now),
                               _wait(per_address, limits.max_failures_per_address, limits.window, now),
                               _wait(per_account, limits.max_failures_per_account, limits.window, now))
             if wait is not None]
    return max(waits) if waits else None


def wait_minutes(wait: timedelta) -> int:
    """A wait as whole minutes for the message, rounded up, at least 1."""
    return max(1, -(-int(wait.total_seconds()) // 60))


@dataclass(frozen=True)
class MailLimits:
    """Account mail allowed inside `window`: per recipient, per client address that asked for it,
    and one mail of a kind to a recipient per `repeat_gap`."""

    per_recipient: int
    per_client: int
    repeat_gap: timedelta
    window: timedelta


@dataclass(frozen=True)
class SentMail:
    at: datetime
    recipient: str
    client: str
    kind: str


def mail_allowed(sent: Iterable[SentMail], *, recipient: str, client: str, kind: str, limits: MailLimits,
                 now: datetime) -> bool:
    """Whether one more account mail of `kind` to `recipient`, asked for from `client`, may go out."""
    recent = [mail for mail in sent if now - mail.at < limits.window]
    to_recipient = [mail for mail in recent if mail.recipient == recipient]
    if len(to_recipient) >= max(1, limits.per_recipient):
        return False
    if any(mail.kind == kind and now - mail.at < limits.repeat_gap for mail in to_recipient):
        return False
    return sum(1 for mail in recent if mail.client == client) < max(1, limits.per_client)

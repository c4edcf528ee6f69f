"""Sign-in throttling: too many recent failures for an account or a client address locks it out."""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottleLimits:
    max_failures_per_account: int
    max_failures_per_address: int
    window: timedelta


def retry_after(
    failures_for_account: list[datetime],
    failures_for_address: list[datetime],
    limits: ThrottleLimits,
    now: datetime,
) -> timedelta | None:
    """How long the caller must wait before trying again, or None when a try is allowed.

    Only failures inside the window count; the lock lifts when the oldest counted failure
    that keeps the count at the limit leaves the window.
    """
    waits = []
    for failures, limit in (
        (failures_for_account, limits.max_failures_per_account),
        (failures_for_address, limits.max_failures_per_address),
    ):
        recent = sorted(at for at in failures if now - at < limits.window)
        if len(recent) >= limit:
            waits.append(recent[len(recent) - limit] + limits.window - now)
    return max(waits) if waits else None

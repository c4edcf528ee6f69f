"""When a signed-in session ends on its own."""

from datetime import datetime, timedelta


def is_idle(last_seen: datetime, now: datetime, idle_limit: timedelta) -> bool:
    """A session not used for `idle_limit` is over, whatever its absolute expiry says."""
    return now - last_seen >= idle_limit

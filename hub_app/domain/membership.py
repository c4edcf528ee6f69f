"""Membership states and the transitions staff may make between them."""

PENDING = "pending"
ACTIVE = "active"
REJECTED = "rejected"
SUSPENDED = "suspended"
DELETED = "deleted"

STATUSES = (PENDING, ACTIVE, REJECTED, SUSPENDED)

# Staff action -> (states it applies to, resulting state)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({PENDING, REJECTED}), ACTIVE),
    "reject": (frozenset({PENDING}), REJECTED),
    "suspend": (frozenset({ACTIVE}), SUSPENDED),
    "reactivate": (frozenset({SUSPENDED}), ACTIVE),
}

# Actions whose reason the member must be given.
REASON_REQUIRED = frozenset({"reject", "suspend"})


def next_status(current: str, action: str) -> str | None:
    """The state after `action`, or None when the action does not apply to `current`."""
    rule = TRANSITIONS.get(action)
    if rule is None or current not in rule[0]:
        return None
    return rule[1]


def can_sign_in(status: str) -> bool:
    """Pending members sign in to edit their profile and see why they wait; rejected ones to read why."""
    return status in (PENDING, ACTIVE, REJECTED)

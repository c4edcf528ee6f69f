"""Who may do what, by role and membership state. Services ask here; pages never decide."""

from dataclasses import dataclass

from hub_app.domain.errors import NotAllowed
from hub_app.domain.membership import ACTIVE

MEMBER = "member"
STAFF = "staff"
ADMIN = "admin"
ROLES = (MEMBER, STAFF, ADMIN)


@dataclass(frozen=True)
class Actor:
    """The signed-in user acting, as derived from the server-side session."""

    user_id: int
    role: str
    status: str
    name: str = ""
    locale: str = "id"

    @property
    def is_staff(self) -> bool:
        return self.role in (STAFF, ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE


def may_use_hub(actor: Actor | None) -> bool:
    """Book, enrol, post: only active members (staff count as active)."""
    return actor is not None and actor.is_active


def require_member(actor: Actor | None) -> Actor:
    """Booking, enrolling, registering, checking in: a signed-in member whose account may use the
    hub (refused with the message the member sees)."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    if not may_use_hub(actor):
        raise NotAllowed("error.active_required")
    return actor


def may_manage_members(actor: Actor | None) -> bool:
    return actor is not None and actor.is_staff and actor.is_active


def may_change_roles(actor: Actor | None) -> bool:
    return actor is not None and actor.is_admin and actor.is_active


def may_read_audit(actor: Actor | None) -> bool:
    return may_manage_members(actor)

"""Staff run membership: list and search members, approve, reject, suspend, reactivate, roles, and
approve or decline many pending members at once with one reason."""

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import validation
from hub_app.domain.errors import Conflict, HubError, NotAllowed, NotFound
from hub_app.domain.membership import DELETED, REASON_REQUIRED, STATUSES, TRANSITIONS, next_status
from hub_app.domain.permissions import ROLES, Actor, may_change_roles, may_manage_members
from hub_app.domain.queues import BulkOutcome, BulkRefusal, id_list
from hub_app.i18n import format_short_datetime, translate
from hub_app.models import User
from hub_app.services import audit, notifications
from hub_app.services.sign_in_sessions import revoke_sessions_of

PAGE_SIZE = 20
BULK_ACTIONS = ("approve", "reject")


@dataclass
class MemberRow:
    id: int
    name: str
    email: str
    business_name: str
    role: str
    status: str
    status_reason: str
    verified: bool
    joined: str


@dataclass
class MemberPage:
    rows: list[MemberRow]
    next_after_id: int  # 0 when this is the last page


def list_members(actor: Actor | None, *, session: Session, query: object = "", status: object = "",
                 role: object = "", after_id: object = 0) -> MemberPage:
    """Newest first, keyset-paginated by id, with search over name, email and business."""
    if not may_manage_members(actor):
        raise NotAllowed()
    query = validation.text(query, field="query", max_length=100)
    status = validation.choice(status, STATUSES, field="status", required=False)
    role = validation.choice(role, ROLES, field="role", required=False)
    after_id = validation.integer(after_id or 0, field="after_id", minimum=0)

    statement = select(User).where(User.status != DELETED)
    if status:
        statement = statement.where(User.status == status)
    if role:
        statement = statement.where(User.role == role)
    if query:
        pattern = f"%{query.lower().replace('%', '').replace('_', '')}%"
        statement = statement.where(or_(func.lower(User.name).like(pattern), col(User.email_normalized).like(pattern),
                                        func.lower(User.business_name).like(pattern)))
    if after_id:
        statement = statement.where(col(User.id) < after_id)
    users = session.exec(statement.order_by(col(User.id).desc()).limit(PAGE_SIZE + 1)).all()
    rows = [
        MemberRow(id=user.id, name=user.name, email=user.email, business_name=user.business_name, role=user.role,
                  status=user.status, status_reason=user.status_reason, verified=user.email_verified_at is not None,
                  joined=format_short_datetime(user.created_at, actor.locale))
        for user in users[:PAGE_SIZE]
    ]
    return MemberPage(rows=rows, next_after_id=users[PAGE_SIZE - 1].id if len(users) > PAGE_SIZE else 0)


def change_status(actor: Actor | None, *, session: Session, member_id: object, action: object,
                  reason: object = "") -> None:
    """approve | reject | suspend | reactivate, with a reason the member can read."""
    if not may_manage_members(actor):
        raise NotAllowed()
    member_id = validation.identifier(member_id, field="member_id")
    action = validation.choice(action, tuple(TRANSITIONS), field="action")
    reason = validation.text(reason, field="reason", max_length=500, required=action in REASON_REQUIRED)
    begin_write(session)
    member = session.get(User, member_id)
    if member is None or member.status == DELETED:
        raise NotFound()
    if member.id == actor.user_id:
        raise NotAllowed("error.not_on_self")
    if member.role != "member" and not may_change_roles(actor):
        raise NotAllowed()
    new_status = next_status(member.status, action)
    if new_status is None:
        raise Conflict("error.status_transition")
    if action == "approve" and member.email_verified_at is None:
        raise Conflict("error.member_unverified")
    member.status = new_status
    member.status_reason = reason
    session.add(member)
    if action == "suspend":
        revoke_sessions_of(session, member.id)
    audit.record(session, actor, f"member.{action}", target_type="user", target_id=member.id, detail=reason)
    notifications.notify(session, member, f"membership.{action}", params={"reason": reason or "-"},
                         link="/profile")
    session.commit()


def change_role(actor: Actor | None, *, session: Session, member_id: object, role: object) -> None:
    if not may_change_roles(actor):
        raise NotAllowed("error.admin_only")
    member_id = validation.identifier(member_id, field="member_id")
    role = validation.choice(role, ROLES, field="role")
    begin_write(session)
    member = session.get(User, member_id)
    if member is None or member.status == DELETED:
        raise NotFound()
    if member.id == actor.user_id:
        raise NotAllowed("error.not_on_self")
    if member.role == role:
        session.rollback()
        return
    old_role, member.role = member.role, role
    session.add(member)
    audit.record(session, actor, "member.role", target_type="user", target_id=member.id,
                 detail=f"{old_role} -> {role}")
    notifications.notify(session, member, "membership.role", params={"role": role}, link="/profile")
    session.commit()


def decide_many(actor: Actor | None, *, session: Session, member_ids: object, action: object,
                reason: object = "") -> BulkOutcome:
    """Approve or decline (reject) the chosen members with one reason. Each member is decided by
    change_status, the single-member rule, in a transaction of its own, so one that cannot be
    (email not verified, already decided, a staff account, unknown) is reported with its reason
    and the others are still decided."""
    if not may_manage_members(actor):
        raise NotAllowed()
    ids = id_list(member_ids, field_name="member_ids")
    action = validation.choice(action, BULK_ACTIONS, field="action")
    reason = validation.text(reason, field="reason", max_length=500, required=action in REASON_REQUIRED)
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(ids), User.status != DELETED)).all())
    session.rollback()  # end the read: each decision begins its own write transaction
    outcome = BulkOutcome(done=0)
    for member_id in ids:
        try:
            change_status(actor, session=session, member_id=member_id, action=action, reason=reason)
        except HubError as error:
            session.rollback()
            outcome.refused.append(BulkRefusal(
                id=member_id, name=names.get(member_id, f"#{member_id}"),
                reason=translate(error.key, actor.locale, **error.params),
                waits_for_email=error.key == "error.member_unverified"))
        else:
            outcome.done += 1
    return outcome

"""Audit trail of staff actions: who, what, to whom, when.

Staff read it on /admin/audit, filtered by staff member, member, action and a range of the hub's
local days, newest first a page at a time (keyset on id), with readable action names and targets
(a member's name linking to their record, a booking's space and time, a training's title). Every
query is bounded: a page is at most 200 entries, its targets' names come from one query per kind
of target among those entries, and the export stops at EXPORT_LIMIT entries. The filters use the
indexes of revision 0010 (actor, target, action) and the one on created_at.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import validation
from hub_app.domain.audit import ACTIONS, EXPORT_LIMIT, action_key, target_href
from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.domain.membership import DELETED
from hub_app.domain.opening_hours import day_bounds
from hub_app.domain.permissions import Actor, may_read_audit
from hub_app.domain.spreadsheets import csv_document
from hub_app.i18n import CATALOGUE, format_short_datetime, pick, pick_marked, translate
from hub_app.models import (
    AuditEntry,
    Booking,
    Closure,
    ForumCategory,
    ForumPost,
    ForumThread,
    Space,
    Trainer,
    Training,
    User,
)
from hub_app.settings import get_settings

MEMBER_MATCHES = 20  # a member filter by name covers at most this many people
EXPORT_PAGE = 500


def hub_tz() -> ZoneInfo:
    # The bookings and spaces services import this module (to record), so it reads the setting itself.
    return ZoneInfo(get_settings().timezone)


def space_name(space: Space | None, locale: str) -> str:
    return pick_marked(space.name_id, space.name_en, locale) if space else ""


def record(session: Session, actor: Actor | None, action: str, *, target_type: str = "",
           target_id: int | None = None, detail: str = "") -> None:
    """Adds an entry to the caller's transaction."""
    session.add(AuditEntry(actor_id=actor.user_id if actor else None, action=action,
                           target_type=target_type, target_id=target_id, detail=detail[:1000]))


def record_read(session: Session, actor: Actor | None, action: str, **target) -> None:
    """Audits a read that is done (an export) and commits: the read ends first and the entry is
    written in a write transaction of its own, since on SQLite a transaction that has read cannot
    take the write lock once another connection wrote meanwhile ("database is locked")."""
    session.rollback()
    begin_write(session)
    record(session, actor, action, **target)
    session.commit()


@dataclass
class AuditRow:
    id: int
    when: str
    actor: str
    actor_id: int
    action: str  # the code, e.g. "booking.approve"
    action_name: str  # readable, in the staff member's language
    target: str  # readable: a name, a booking's space and time
    target_href: str  # where it is shown in the portal, or ""
    detail: str


@dataclass
class StaffOption:
    id: int
    name: str


@dataclass
class _Filter:
    staff_id: int
    member_ids: list[int] | None  # None: no member filter; []: a member filter that matched nobody
    action: str
    starts: datetime | None
    ends: datetime | None


def action_name(action: str, locale: str) -> str:
    key = action_key(action)
    return translate(key, locale) if key in CATALOGUE else action


def staff_options(actor: Actor | None, *, session: Session) -> list[StaffOption]:
    """The people the "staff member" filter offers: staff and admin accounts, by name."""
    if not may_read_audit(actor):
        raise NotAllowed()
    users = session.exec(select(User).where(col(User.role).in_(("staff", "admin")), User.status != DELETED)
                         .order_by(col(User.name), col(User.id)).limit(200)).all()
    return [StaffOption(id=user.id, name=user.name) for user in users]


def _filter(session: Session, staff_id: object, member: object, action: object, date_from: object,
            date_to: object) -> _Filter:
    staff_id = 0 if staff_id in (None, "", 0, "0") else validation.identifier(staff_id, field="audit_staff")
    member = validation.text(member, field="audit_member", max_length=254)
    action = validation.choice(action, ACTIONS, field="audit_action", required=False)
    tz = hub_tz()
    first = validation.iso_date(date_from, field="audit_from") if date_from else None
    last = validation.iso_date(date_to, field="audit_to") if date_to else None
    if first and last and last < first:
        raise InvalidInput("queues.error.dates_reversed", field="audit_to")
    return _Filter(staff_id=staff_id, member_ids=_member_ids(session, member) if member else None, action=action,
                   starts=day_bounds(first, tz)[0] if first else None, ends=day_bounds(last, tz)[1] if last else None)


def _member_ids(session: Session, member: str) -> list[int]:
    """A member named by id, exact email, or part of the name."""
    if member.isdigit():
        return [int(member)] if len(member) < 12 else []
    if "@" in member:
        where = User.email_normalized == member.lower()
    else:
        # % and _ are letters here, not wildcards: they are left out, and nothing is left matches nobody.
        part = member.lower().replace("%", "").replace("_", "").strip()
        if not part:
            return []
        where = func.lower(User.name).like(f"%{part}%")
    return list(session.exec(select(User.id).where(where).order_by(col(User.id)).limit(MEMBER_MATCHES)).all())


def _query(found: _Filter):
    query = select(AuditEntry, User.name).join(User, col(AuditEntry.actor_id) == User.id, isouter=True)
    if found.staff_id:
        query = query.where(AuditEntry.actor_id == found.staff_id)
    if found.member_ids is not None:
        ids = found.member_ids or [0]
        # About the member: their account, or one of their bookings.
        query = query.where(or_(
            and_(AuditEntry.target_type == "user", col(AuditEntry.target_id).in_(ids)),
            and_(AuditEntry.target_type == "booking",
                 col(AuditEntry.target_id).in_(select(Booking.id).where(col(Booking.user_id).in_(ids))))))
    if found.action:
        query = query.where(AuditEntry.action == found.action)
    if found.starts:
        query = query.where(col(AuditEntry.created_at) >= found.starts)
    if found.ends:
        query = query.where(col(AuditEntry.created_at) < found.ends)
    return query


def list_entries(actor: Actor | None, *, session: Session, before_id: object = None, limit: int = 50,
                 staff_id: object = None, member: object = "", action: object = "", date_from: object = "",
                 date_to: object = "") -> list[AuditRow]:
    """Newest first, a page at a time (keyset on id), filtered; dates are the hub's local days,
    both included."""
    if not may_read_audit(actor):
        raise NotAllowed()
    found = _filter(session, staff_id, member, action, date_from, date_to)
    before_id = 0 if before_id in (None, "", 0) else validation.identifier(before_id, field="before_id")
    query = _query(found)
    if before_id:
        query = query.where(col(AuditEntry.id) < before_id)
    rows = session.exec(query.order_by(col(AuditEntry.id).desc()).limit(max(1, min(limit, 200)))).all()
    return _readable(session, rows, actor.locale)


def _readable(session: Session, rows: list, locale: str) -> list[AuditRow]:
    targets = _targets(session, [entry for entry, _ in rows], locale)
    tz = hub_tz().key
    result = []
    for entry, name in rows:
        label, href = targets.get((entry.target_type, entry.target_id), ("", ""))
        if entry.target_type and not label:
            label = _unnamed(entry.target_type, entry.target_id, locale)
            href = target_href(entry.target_type, entry.target_id)
        result.append(AuditRow(
            id=entry.id, when=format_short_datetime(entry.created_at, locale, tz), actor=name or "-",
            actor_id=entry.actor_id or 0, action=entry.action, action_name=action_name(entry.action, locale),
            target=label, target_href=href, detail=entry.detail))
    return result


def _unnamed(target_type: str, target_id: int | None, locale: str) -> str:
    """A target that is gone (a removed closure) or of a kind without a name: its kind and number."""
    key = f"queues.target.{target_type}"
    kind = translate(key, locale) if key in CATALOGUE else target_type
    return f"{kind} #{target_id}" if target_id is not None else kind


def _targets(session: Session, entries: list[AuditEntry], locale: str) -> dict[tuple[str, int], tuple[str, str]]:
    """(target_type, target_id) -> (readable name, link), one query per kind of target."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.target_type and entry.target_id is not None:
            wanted.setdefault(entry.target_type, set()).add(entry.target_id)
    found: dict[tuple[str, int], tuple[str, str]] = {}

    def add(kind: str, target_id: int, label: str, **link) -> None:
        found[(kind, target_id)] = (label, target_href(kind, target_id, **link))

    tz = hub_tz()
    if ids := wanted.get("user"):
        for user in session.exec(select(User).where(col(User.id).in_(ids))).all():
            add("user", user.id, user.name if user.status != DELETED else translate("deleted.member", locale))
    if ids := wanted.get("booking"):
        for booking, space, name in session.exec(
                select(Booking, Space, User.name).join(Space, col(Space.id) == Booking.space_id)
                .join(User, col(User.id) == Booking.user_id, isouter=True).where(col(Booking.id).in_(ids))).all():
            who = f" · {name}" if name else ""
            add("booking", booking.id,
                f"{space_name(space, locale)} · {format_short_datetime(booking.starts_at, locale, tz.key)}{who}",
                day=booking.starts_at.astimezone(tz).date())
    if ids := wanted.get("space"):
        for space in session.exec(select(Space).where(col(Space.id).in_(ids))).all():
            add("space", space.id, space_name(space, locale))
    if ids := wanted.get("closure"):
        for closure, space in session.exec(select(Closure, Space).join(Space, col(Space.id) == Closure.space_id,
                                                                       isouter=True)
                                           .where(col(Closure.id).in_(ids))).all():
            where = space_name(space, locale) if space else translate("staff.whole_hub", locale)
            add("closure", closure.id, f"{where} · {format_short_datetime(closure.starts_at, locale, tz.key)}")
    if ids := wanted.get("training"):
        for training in session.exec(select(Training).where(col(Training.id).in_(ids))).all():
            add("training", training.id, pick(training.title_id, training.title_en, locale))
    if ids := wanted.get("trainer"):
        for trainer in session.exec(select(Trainer).where(col(Trainer.id).in_(ids))).all():
            add("trainer", trainer.id, trainer.name)
    if ids := wanted.get("forum_thread"):
        for thread in session.exec(select(ForumThread).where(col(ForumThread.id).in_(ids))).all():
            add("forum_thread", thread.id, thread.title)
    if ids := wanted.get("forum_post"):
        for post_id, thread_id, title in session.exec(
                select(ForumPost.id, ForumPost.thread_id, ForumThread.title)
                .join(ForumThread, col(ForumThread.id) == ForumPost.thread_id).where(col(ForumPost.id).in_(ids))).all():
            add("forum_post", post_id, translate("queues.target.post_in", locale, thread=title), thread_id=thread_id)
    if ids := wanted.get("forum_category"):
        for category in session.exec(select(ForumCategory).where(col(ForumCategory.id).in_(ids))).all():
            add("forum_category", category.id, pick(category.name_id, category.name_en, locale))
    return found


def export_csv(actor: Actor | None, *, session: Session, staff_id: object = None, member: object = "",
               action: object = "", date_from: object = "", date_to: object = "") -> str:
    """The filtered entries as CSV (newest first, at most EXPORT_LIMIT), times in the hub's zone with
    the zone named; every cell neutralised for spreadsheets. The export itself is audited."""
    if not may_read_audit(actor):
        raise NotAllowed()
    found = _filter(session, staff_id, member, action, date_from, date_to)
    locale = actor.locale
    header = [translate(key, locale) for key in ("queues.csv.id", "queues.csv.when", "audit.who", "queues.csv.code",
                                                 "audit.what", "audit.target", "queues.csv.link", "audit.detail")]
    body = csv_document(header, _export_rows(session, found, locale))
    record_read(session, actor, "audit.export", detail=_describe(found)[:1000])
    return body


def _export_rows(session: Session, found: _Filter, locale: str) -> Iterator[list]:
    """Pages of EXPORT_PAGE entries (keyset on id), so no page holds more than that in memory
    before it is written."""
    before_id, sent = 0, 0
    while sent < EXPORT_LIMIT:
        query = _query(found)
        if before_id:
            query = query.where(col(AuditEntry.id) < before_id)
        rows = session.exec(query.order_by(col(AuditEntry.id).desc())
                            .limit(min(EXPORT_PAGE, EXPORT_LIMIT - sent))).all()
        if not rows:
            return
        for row in _readable(session, rows, locale):
            yield [row.id, row.when, row.actor, row.action, row.action_name, row.target, row.target_href, row.detail]
        sent += len(rows)
        before_id = rows[-1][0].id


def _describe(found: _Filter) -> str:
    parts = [f"staff={found.staff_id}" if found.staff_id else "",
             f"members={found.member_ids}" if found.member_ids is not None else "",
             f"action={found.action}" if found.action else "",
             f"from={found.starts.isoformat()}" if found.starts else "",
             f"to={found.ends.isoformat()}" if found.ends else ""]
    return " ".join(part for part in parts if part)

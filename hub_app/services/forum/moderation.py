"""Forum moderation: reports, the review queue, hiding and restoring posts, locking, pinning,
moving and deleting threads, posting suspensions, and the staff's category list.

Everything here but report_post is for staff (rules.check_may_moderate). Same services pattern as the
rest of the forum, whose shared helpers (post and thread lookups, the notifications a published
post sends) it uses. Every staff action writes an audit entry and notifies
the author.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import forum as rules
from hub_app.domain import markdown, validation
from hub_app.domain.errors import Conflict, HubError, InvalidInput, NotAllowed, NotFound
from hub_app.domain.membership import DELETED as ACCOUNT_DELETED
from hub_app.domain.permissions import Actor
from hub_app.i18n import format_short_datetime, pick, translate
from hub_app.models import ForumCategory, ForumPost, ForumReport, ForumSuspension, ForumThread, User
from hub_app.models.base import utcnow
from hub_app.services import audit, notifications
from hub_app.services.forum.shared import (
    announce,
    category_by_slug,
    check_visible_thread,
    display_name,
    post_by_id,
    reader_locale,
    recent_writes,
    refresh_thread,
    resolve_reports,
    thread_by_id,
    when_text,
)

QUEUE_SIZE = 50


def _staff_locale(actor: Actor | None, locale: str | None) -> str:
    """Refuses anyone but staff; returns the language to show a staff list in."""
    rules.check_may_moderate(actor)
    return reader_locale(actor, locale)


# --- Read models ----------------------------------------------------------------------------

@dataclass
class ReportItem:
    post_id: int
    thread_id: int
    thread_title: str
    author_id: int
    author_name: str
    excerpt: str
    state: str
    report_count: int
    reasons: list[str] = field(default_factory=list)


@dataclass
class ReviewItem:
    post_id: int
    thread_id: int
    thread_title: str
    author_id: int
    author_name: str
    excerpt: str
    is_opening: bool
    created: str


@dataclass
class SuspensionRow:
    id: int
    member_id: int
    member_name: str
    until: str
    reason: str


@dataclass
class CategoryAdminRow:
    id: int
    slug: str
    name_id: str
    name_en: str
    description_id: str
    description_en: str
    position: int
    read_access: str
    start_access: str


# --- Reports --------------------------------------------------------------------------------

def report_post(actor: Actor | None, *, session: Session, post_id: object, reason: object,
                note: object = "") -> None:
    reason = validation.choice(reason, rules.REPORT_REASONS, field="reason")
    note = validation.text(note, field="note", max_length=rules.NOTE_MAX, multiline=True)
    begin_write(session)
    try:
        post = post_by_id(session, post_id)
        thread = session.get(ForumThread, post.thread_id)
        check_visible_thread(actor, thread, session.get(ForumCategory, thread.category_id))
        rules.check_may_report(actor, author_id=post.author_id, state=post.state)
        rules.check_rate_limit(actor, "report", recent_writes(session, "report", actor.user_id), utcnow())
        if session.exec(select(ForumReport.id).where(ForumReport.post_id == post.id,
                                                     ForumReport.reporter_id == actor.user_id)).first():
            raise Conflict("forum.error.already_reported")
    except HubError:
        session.rollback()
        raise
    session.add(ForumReport(post_id=post.id, reporter_id=actor.user_id, reason=reason, note=note))
    session.commit()


def list_reports(actor: Actor | None, *, session: Session, locale: str | None = None) -> list[ReportItem]:
    """Posts with open reports, oldest report first."""
    locale = _staff_locale(actor, locale)
    reports = session.exec(
        select(ForumReport, User).join(User, col(ForumReport.reporter_id) == User.id)
        .where(col(ForumReport.resolved_at).is_(None)).order_by(col(ForumReport.id)).limit(QUEUE_SIZE * 5)
    ).all()
    items: dict[int, ReportItem] = {}
    for report, reporter in reports:
        item = items.get(report.post_id)
        if item is None:
            if len(items) >= QUEUE_SIZE:
                continue
            post = session.get(ForumPost, report.post_id)
            thread = session.get(ForumThread, post.thread_id)
            author = session.get(User, post.author_id)
            item = items[report.post_id] = ReportItem(
                post_id=post.id, thread_id=thread.id, thread_title=thread.title, author_id=author.id,
                author_name=display_name(author, locale), excerpt=markdown.excerpt(post.body_text, 300),
                state=post.state, report_count=0)
        item.report_count += 1
        reason = translate(f"forum.reason.{report.reason}", locale)
        note = f": {report.note}" if report.note else ""
        item.reasons.append(f"{reason}{note} ({display_name(reporter, locale)})")
    return list(items.values())


# --- Review queue and posts ----------------------------------------------------------------

def list_review_queue(actor: Actor | None, *, session: Session, locale: str | None = None) -> list[ReviewItem]:
    locale = _staff_locale(actor, locale)
    rows = session.exec(
        select(ForumPost, ForumThread, User).join(ForumThread, col(ForumPost.thread_id) == ForumThread.id)
        .join(User, col(ForumPost.author_id) == User.id)
        .where(ForumPost.state == rules.REVIEW).order_by(col(ForumPost.id)).limit(QUEUE_SIZE)
    ).all()
    return [ReviewItem(post_id=post.id, thread_id=thread.id, thread_title=thread.title, author_id=author.id,
                       author_name=display_name(author, locale), excerpt=markdown.excerpt(post.body_text, 300),
                       is_opening=post.is_opening, created=when_text(post.created_at, locale))
            for post, thread, author in rows]


def moderate_post(actor: Actor | None, *, session: Session, post_id: object, action: object,
                  reason: object = "") -> None:
    """hide (with a reason the author reads) or restore a post; restoring a post that waited for
    review approves it and notifies the people it concerns."""
    rules.check_may_moderate(actor)
    action = validation.choice(action, tuple(rules.POST_MODERATION), field="action")
    reason = validation.text(reason, field="reason", max_length=rules.NOTE_MAX, required=action == "hide")
    begin_write(session)
    post = post_by_id(session, post_id, for_update=True)
    new_state = rules.next_post_state(post.state, action)
    if new_state is None:
        session.rollback()
        raise Conflict("forum.error.moderation_state")
    thread = session.get(ForumThread, post.thread_id)
    category = session.get(ForumCategory, thread.category_id)
    author = session.get(User, post.author_id)
    was_waiting = post.state == rules.REVIEW
    post.state = new_state
    post.moderation_note = reason if action == "hide" else ""
    session.add(post)
    if action == "restore" and post.is_opening and thread.state == rules.THREAD_PENDING:
        thread.state = rules.THREAD_VISIBLE
    refresh_thread(session, thread)
    resolve_reports(session, actor, post.id, "hidden" if action == "hide" else "restored")
    if action == "restore" and was_waiting:
        people = {}
        if post.body_source:
            handles = markdown.mentions(post.body_source)
            if handles:
                people = dict(session.exec(select(User.handle, User.id).where(col(User.handle).in_(handles))).all())
        announce(session, post, thread, category, author, people)
    kind = {"hide": "forum.post_hidden", "restore": "forum.post_approved" if was_waiting else "forum.post_restored"}
    audit.record(session, actor, f"forum.post_{'approve' if was_waiting and action == 'restore' else action}",
                 target_type="forum_post", target_id=post.id, detail=reason)
    notifications.notify(session, author, kind[action], params={"thread": thread.title, "reason": reason or "-"},
                         link=f"/forum/t/{thread.id}?from={post.id}")
    session.commit()


def dismiss_reports(actor: Actor | None, *, session: Session, post_id: object) -> None:
    rules.check_may_moderate(actor)
    begin_write(session)
    post = post_by_id(session, post_id)
    if resolve_reports(session, actor, post.id, "dismissed") == 0:
        session.rollback()
        raise Conflict("forum.error.no_open_reports")
    audit.record(session, actor, "forum.reports_dismiss", target_type="forum_post", target_id=post.id)
    session.commit()


# --- Threads --------------------------------------------------------------------------------

def moderate_thread(actor: Actor | None, *, session: Session, thread_id: object, action: object,
                    slug: object = "", reason: object = "") -> None:
    """lock | unlock | pin | unpin | move (to the category `slug`) | delete (with a reason)."""
    rules.check_may_moderate(actor)
    action = validation.choice(action, (*rules.THREAD_FLAGS, "move", "delete"), field="action")
    reason = validation.text(reason, field="reason", max_length=rules.NOTE_MAX, required=action == "delete")
    begin_write(session)
    thread = thread_by_id(session, thread_id, for_update=True)
    if thread.state == rules.THREAD_DELETED:
        session.rollback()
        raise Conflict("forum.error.thread_deleted")
    params = {"thread": thread.title, "reason": reason or "-", "category": ""}
    detail = reason
    if action in rules.THREAD_FLAGS:
        attribute, value = rules.THREAD_FLAGS[action]
        if getattr(thread, attribute) == value:
            session.rollback()
            return
        setattr(thread, attribute, value)
    elif action == "move":
        try:
            target = category_by_slug(session, slug)
        except HubError:
            session.rollback()
            raise
        if target.id == thread.category_id:
            session.rollback()
            return
        author = session.get(User, thread.author_id)
        params["category"] = pick(target.name_id, target.name_en, author.locale if author else "id")
        detail = f"-> {target.slug}"
        thread.category_id = target.id
    else:
        thread.state = rules.THREAD_DELETED
        session.exec(update(ForumReport).where(
            col(ForumReport.post_id).in_(select(ForumPost.id).where(ForumPost.thread_id == thread.id)),
            col(ForumReport.resolved_at).is_(None)).values(resolved_at=utcnow(), resolved_by=actor.user_id,
                                                            resolution="deleted"))
    session.add(thread)
    audit.record(session, actor, f"forum.thread_{action}", target_type="forum_thread", target_id=thread.id,
                 detail=detail)
    author = session.get(User, thread.author_id)
    if author is not None and author.id != actor.user_id:
        notifications.notify(session, author, f"forum.thread_{action}", params=params,
                             link="/forum" if action == "delete" else f"/forum/t/{thread.id}")
    session.commit()


# --- Posting suspensions --------------------------------------------------------------------

def _member_by_reference(session: Session, reference: object) -> User:
    """A member named by @handle, handle, or id (as staff type it)."""
    if isinstance(reference, int) and not isinstance(reference, bool):
        user = session.get(User, reference) if 0 < reference < 2**31 else None
    else:
        text = validation.text(reference, field="member", max_length=40, required=True).lstrip("@").lower()
        user = session.get(User, int(text)) if text.isdigit() and len(text) < 12 else \
            session.exec(select(User).where(User.handle == text)).first()
    if user is None or user.status == ACCOUNT_DELETED:
        raise NotFound("forum.error.member_missing", field="member")
    return user


def suspend_poster(actor: Actor | None, *, session: Session, member: object, days: object, reason: object) -> None:
    """Stops a member from posting (threads, replies, likes, reports) for some days; reading stays."""
    rules.check_may_moderate(actor)
    days = validation.integer(days, field="days", minimum=1, maximum=rules.MAX_SUSPENSION_DAYS)
    reason = validation.text(reason, field="reason", max_length=rules.NOTE_MAX, required=True)
    begin_write(session)
    try:
        user = _member_by_reference(session, member)
        if user.id == actor.user_id:
            raise NotAllowed("error.not_on_self")
        if user.role != "member" and not actor.is_admin:
            raise NotAllowed("forum.error.suspend_staff")
    except HubError:
        session.rollback()
        raise
    until = utcnow() + timedelta(days=days)
    session.add(ForumSuspension(user_id=user.id, until=until, reason=reason, created_by=actor.user_id))
    audit.record(session, actor, "forum.suspend", target_type="user", target_id=user.id,
                 detail=f"{days} d: {reason}")
    notifications.notify(session, user, "forum.suspended",
                         params={"until": format_short_datetime(until, user.locale), "reason": reason}, link="/forum")
    session.commit()


def lift_suspension(actor: Actor | None, *, session: Session, suspension_id: object) -> None:
    rules.check_may_moderate(actor)
    suspension_id = validation.identifier(suspension_id, field="suspension")
    begin_write(session)
    row = session.get(ForumSuspension, suspension_id)
    if row is None or row.lifted_at is not None or row.until <= utcnow():
        session.rollback()
        raise NotFound()
    row.lifted_at = utcnow()
    session.add(row)
    audit.record(session, actor, "forum.unsuspend", target_type="user", target_id=row.user_id)
    user = session.get(User, row.user_id)
    notifications.notify(session, user, "forum.unsuspended", params={}, link="/forum")
    session.commit()


def list_suspensions(actor: Actor | None, *, session: Session, locale: str | None = None) -> list[SuspensionRow]:
    locale = _staff_locale(actor, locale)
    rows = session.exec(
        select(ForumSuspension, User).join(User, col(ForumSuspension.user_id) == User.id)
        .where(col(ForumSuspension.lifted_at).is_(None), col(ForumSuspension.until) > utcnow())
        .order_by(col(ForumSuspension.until)).limit(QUEUE_SIZE)
    ).all()
    return [SuspensionRow(id=row.id, member_id=user.id, member_name=display_name(user, locale),
                          until=when_text(row.until, locale), reason=row.reason) for row, user in rows]


# --- Staff: categories ----------------------------------------------------------------------

def list_categories_admin(actor: Actor | None, *, session: Session) -> list[CategoryAdminRow]:
    rules.check_may_moderate(actor)
    rows = session.exec(select(ForumCategory).order_by(col(ForumCategory.position), col(ForumCategory.id))).all()
    return [CategoryAdminRow(id=row.id, slug=row.slug, name_id=row.name_id, name_en=row.name_en,
                             description_id=row.description_id, description_en=row.description_en,
                             position=row.position, read_access=row.read_access, start_access=row.start_access)
            for row in rows]


def list_category_choices(actor: Actor | None, *, session: Session, locale: str | None = None) -> list[list[str]]:
    """(slug, name) of every category, for staff moving a thread."""
    locale = _staff_locale(actor, locale)
    rows = session.exec(select(ForumCategory).order_by(col(ForumCategory.position), col(ForumCategory.id))).all()
    return [[row.slug, pick(row.name_id, row.name_en, locale)] for row in rows]


def save_category(actor: Actor | None, *, session: Session, form: dict) -> int:
    """Creates a category, or updates the one whose id the form names."""
    rules.check_may_moderate(actor)
    if not isinstance(form, dict):
        raise InvalidInput()
    category_id = form.get("id")
    category_id = validation.identifier(category_id, field="id") if category_id not in (None, "", 0, "0") else None
    values = {
        "slug": rules.check_slug(validation.text(form.get("slug"), field="slug", max_length=rules.SLUG_MAX,
                                                 required=True).lower()),
        "name_id": rules.check_no_markup(validation.text(form.get("name_id"), field="name_id", max_length=80,
                                                         required=True), field="name_id"),
        "name_en": rules.check_no_markup(validation.text(form.get("name_en"), field="name_en", max_length=80),
                                         field="name_en"),
        "description_id": rules.check_no_markup(validation.text(form.get("description_id"), field="description_id",
                                                                max_length=300), field="description_id"),
        "description_en": rules.check_no_markup(validation.text(form.get("description_en"), field="description_en",
                                                                max_length=300), field="description_en"),
        "position": validation.integer(form.get("position") or 0, field="position", minimum=0, maximum=10_000),
        "read_access": validation.choice(form.get("read_access"), rules.READ_ACCESS, field="read_access"),
        "start_access": validation.choice(form.get("start_access"), rules.START_ACCESS, field="start_access"),
    }
    begin_write(session)
    clash = session.exec(select(ForumCategory.id).where(ForumCategory.slug == values["slug"])).first()
    if clash is not None and clash != category_id:
        session.rollback()
        raise Conflict("forum.error.slug_taken", field="slug")
    if category_id is None:
        category = ForumCategory(**values)
    else:
        category = session.get(ForumCategory, category_id)
        if category is None:
            session.rollback()
            raise NotFound("forum.error.category_missing")
        for name, value in values.items():
            setattr(category, name, value)
        category.updated_at = utcnow()
    session.add(category)
    session.flush()
    audit.record(session, actor, "forum.category_save", target_type="forum_category", target_id=category.id,
                 detail=values["slug"])
    session.commit()
    return category.id


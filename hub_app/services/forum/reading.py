"""The forum as members and visitors read it: categories, a category's threads (keyset pages), a
thread's posts with what this reader may do with each, a post's source and quote, a member's threads."""

from datetime import datetime

from sqlalchemy import Boolean, Integer, func, literal, or_, tuple_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from hub_app.db import reads_only
from hub_app.domain import forum as rules
from hub_app.domain import markdown, validation
from hub_app.domain.errors import HubError, NotAllowed
from hub_app.domain.permissions import Actor
from hub_app.i18n import pick, translate
from hub_app.models import (
    ForumCategory,
    ForumPost,
    ForumReaction,
    ForumThread,
    ForumWatch,
    User,
)
from hub_app.models.base import UTCDateTime, utcnow
from hub_app.services.forum.shared import (
    category_by_slug,
    check_visible_thread,
    display_name,
    localized,
    post_by_id,
    reader_locale,
    suspended_until,
    thread_by_id,
    when_text,
)
from hub_app.services.forum.views import (
    POSTS_PER_PAGE,
    THREADS_PER_PAGE,
    CategoryPage,
    CategoryRow,
    PostView,
    ThreadRow,
    ThreadView,
)


def _category_row(category: ForumCategory, locale: str, thread_count: int = 0,
                  latest: tuple[int, str, datetime] | None = None) -> CategoryRow:
    return CategoryRow(
        id=category.id, slug=category.slug, name=pick(category.name_id, category.name_en, locale),
        description=pick(category.description_id, category.description_en, locale),
        members_only=category.read_access == rules.MEMBERS, staff_only=category.start_access == rules.STAFF_ONLY,
        thread_count=thread_count, latest_thread_id=latest[0] if latest else 0,
        latest_title=latest[1] if latest else "", latest_when=when_text(latest[2], locale) if latest else "")


def _categories_with_activity():
    """Every category with its visible threads' count and its latest visible thread, in one
    statement (each figure from the (category, state, activity) index, as before: per category)."""
    in_category = (ForumThread.category_id == ForumCategory.id, ForumThread.state == rules.THREAD_VISIBLE)
    count = select(func.count()).select_from(ForumThread).where(*in_category).correlate(ForumCategory)
    latest_id = (select(ForumThread.id).where(*in_category).order_by(col(ForumThread.last_activity_at).desc())
                 .limit(1).correlate(ForumCategory).scalar_subquery())
    latest = aliased(ForumThread)
    return (select(ForumCategory, count.scalar_subquery(), latest.id, latest.title, latest.last_activity_at)
            .outerjoin(latest, latest.id == latest_id)
            .order_by(col(ForumCategory.position), col(ForumCategory.id)))


_CATEGORIES_WITH_ACTIVITY = _categories_with_activity()


@reads_only
def list_categories(actor: Actor | None, *, session: Session, locale: str | None = None) -> list[CategoryRow]:
    """The categories this reader may open, in staff's order, with their latest activity."""
    locale = reader_locale(actor, locale)
    return [_category_row(category, locale, count, (latest_id, title, when) if latest_id else None)
            for category, count, latest_id, title, when in session.exec(_CATEGORIES_WITH_ACTIVITY).all()
            if rules.may_read(actor, category.read_access)]


def _hint(error: HubError, locale: str) -> str:
    """Why something is closed to this reader, in their language."""
    return translate(error.key, locale, **localized(error, locale).params)


def _start_hint(session: Session, actor: Actor | None, category: ForumCategory, locale: str) -> str:
    try:
        rules.check_may_start_thread(actor, read_access=category.read_access, start_access=category.start_access,
                                     suspended_until=suspended_until(session, actor),
                                     now=utcnow())
    except HubError as error:
        return _hint(error, locale)
    return ""


def list_threads(actor: Actor | None, *, session: Session, slug: object, cursor: object = "",
                 locale: str | None = None) -> CategoryPage:
    """One page of a category: pinned first, then newest activity first (keyset pagination)."""
    locale = reader_locale(actor, locale)
    category = category_by_slug(session, slug)
    rules.check_may_read(actor, category.read_access)
    position = rules.decode_thread_cursor(cursor)
    query = (select(ForumThread, User).join(User, col(ForumThread.author_id) == User.id)
             .where(ForumThread.category_id == category.id, ForumThread.state == rules.THREAD_VISIBLE))
    if position is not None:
        pinned, last_activity, thread_id = position
        query = query.where(tuple_(col(ForumThread.pinned), col(ForumThread.last_activity_at), col(ForumThread.id))
                            < tuple_(literal(pinned, Boolean()), literal(last_activity, UTCDateTime()),
                                     literal(thread_id, Integer())))
    rows = session.exec(query.order_by(col(ForumThread.pinned).desc(), col(ForumThread.last_activity_at).desc(),
                                       col(ForumThread.id).desc()).limit(THREADS_PER_PAGE + 1)).all()
    threads = [
        ThreadRow(id=thread.id, title=thread.title, author_id=author.id, author_name=display_name(author, locale),
                  reply_count=thread.reply_count, last_activity=when_text(thread.last_activity_at, locale),
                  pinned=thread.pinned, locked=thread.locked)
        for thread, author in rows[:THREADS_PER_PAGE]
    ]
    next_cursor = ""
    if len(rows) > THREADS_PER_PAGE:
        last = rows[THREADS_PER_PAGE - 1][0]
        next_cursor = rules.encode_thread_cursor(last.pinned, last.last_activity_at, last.id)
    hint = _start_hint(session, actor, category, locale)
    return CategoryPage(category=_category_row(category, locale), threads=threads, next_cursor=next_cursor,
                        may_start=hint == "", start_hint=hint)


def get_thread(actor: Actor | None, *, session: Session, thread_id: object, from_post: object = 0,
               before_post: object = 0, locale: str | None = None) -> ThreadView:
    """A thread and one page of its posts, oldest first; `from_post` starts the page at a post
    (links from notifications), `before_post` shows the page before it."""
    locale = reader_locale(actor, locale)
    thread = thread_by_id(session, thread_id)
    category = session.get(ForumCategory, thread.category_id)
    check_visible_thread(actor, thread, category)
    from_post = validation.integer(from_post or 0, field="from", minimum=0, maximum=2**62)
    before_post = validation.integer(before_post or 0, field="before", minimum=0, maximum=2**62)
    staff = rules.may_moderate(actor)

    query = (select(ForumPost, User).join(User, col(ForumPost.author_id) == User.id)
             .where(ForumPost.thread_id == thread.id))
    if not staff:
        shown = col(ForumPost.state).in_((rules.VISIBLE, rules.DELETED))
        query = query.where(or_(shown, ForumPost.author_id == actor.user_id) if actor else shown)
    if before_post:
        rows = list(reversed(session.exec(query.where(col(ForumPost.id) < before_post)
                                          .order_by(col(ForumPost.id).desc()).limit(POSTS_PER_PAGE)).all()))
        more_after = True
    else:
        page = query.where(col(ForumPost.id) >= from_post) if from_post else query
        rows = session.exec(page.order_by(col(ForumPost.id)).limit(POSTS_PER_PAGE + 1)).all()
        more_after = len(rows) > POSTS_PER_PAGE
        rows = rows[:POSTS_PER_PAGE]
    next_from = 0
    if rows and more_after:
        following = session.exec(query.where(col(ForumPost.id) > rows[-1][0].id).order_by(col(ForumPost.id))
                                 .limit(1)).first()
        next_from = following[0].id if following else 0
    prev_before = 0
    if rows and session.exec(query.where(col(ForumPost.id) < rows[0][0].id).limit(1)).first() is not None:
        prev_before = rows[0][0].id

    post_ids = [post.id for post, _ in rows]
    liked: set[int] = set()
    if actor and post_ids:
        liked = set(session.exec(select(ForumReaction.post_id).where(ForumReaction.user_id == actor.user_id,
                                                                     col(ForumReaction.post_id).in_(post_ids))).all())
    reply_ids = {post.reply_to_id for post, _ in rows if post.reply_to_id}
    reply_authors: dict[int, str] = {}
    if reply_ids:
        for post_id, user in session.exec(select(ForumPost.id, User).join(User, col(ForumPost.author_id) == User.id)
                                          .where(col(ForumPost.id).in_(reply_ids))).all():
            reply_authors[post_id] = display_name(user, locale)

    now = utcnow()
    suspended = suspended_until(session, actor)
    posts = []
    for post, author in rows:
        posts.append(_post_view(actor, post, author, thread, locale, now, suspended,
                                liked=post.id in liked, reply_author=reply_authors.get(post.reply_to_id, "")))
    reply_hint = ""
    try:
        rules.check_may_reply(actor, read_access=category.read_access, thread_state=thread.state,
                              locked=thread.locked, suspended_until=suspended, now=now)
    except HubError as error:
        reply_hint = _hint(error, locale)
    return ThreadView(
        id=thread.id, title=thread.title, category_slug=category.slug,
        category_name=pick(category.name_id, category.name_en, locale), author_id=thread.author_id,
        state=thread.state, locked=thread.locked, pinned=thread.pinned, posts=posts, next_from=next_from,
        prev_before=prev_before, may_reply=reply_hint == "", reply_hint=reply_hint,
        watch_level=_watch_level(session, thread.id, actor.user_id) if actor else "normal", may_moderate=staff)


def _allowed(check, **kwargs) -> bool:
    try:
        check(**kwargs)
    except HubError:
        return False
    return True


def _post_view(actor: Actor | None, post: ForumPost, author: User, thread: ForumThread, locale: str,
               now: datetime, suspended: datetime | None, *, liked: bool, reply_author: str) -> PostView:
    deleted = post.state == rules.DELETED
    return PostView(
        id=post.id, author_id=author.id, author_name=display_name(author, locale),
        author_handle=author.handle or "",
        # Sanitised again on the way out: whatever is in the row, only Markdown's tags leave here.
        body_html="" if deleted else markdown.sanitize(post.body_html),
        state=post.state, created=when_text(post.created_at, locale), edited=when_text(post.edited_at, locale),
        like_count=post.like_count, liked=liked, is_opening=post.is_opening, reply_to_id=post.reply_to_id or 0,
        reply_to_author=reply_author,
        moderation_note=post.moderation_note if actor and (actor.is_staff or actor.user_id == author.id) else "",
        may_edit=_allowed(rules.check_may_edit, actor=actor, author_id=post.author_id, state=post.state,
                          created_at=post.created_at, locked=thread.locked, suspended_until=suspended, now=now),
        may_delete=_allowed(rules.check_may_delete, actor=actor, author_id=post.author_id, state=post.state),
        may_report=_allowed(rules.check_may_report, actor=actor, author_id=post.author_id, state=post.state),
        may_like=_allowed(rules.check_may_react, actor=actor, author_id=post.author_id, state=post.state),
    )


def _watch_level(session: Session, thread_id: int, user_id: int) -> str:
    row = session.get(ForumWatch, (thread_id, user_id))
    return row.level if row else "normal"


def post_source(actor: Actor | None, *, session: Session, post_id: object) -> str:
    """The Markdown of the actor's own post, to edit it."""
    post = post_by_id(session, post_id)
    if actor is None or post.author_id != actor.user_id or post.state == rules.DELETED:
        raise NotAllowed("forum.error.not_author")
    return post.body_source


def quote_post(actor: Actor | None, *, session: Session, post_id: object) -> str:
    """A Markdown quote of a post the actor can see, to start a reply with."""
    post = post_by_id(session, post_id)
    thread = session.get(ForumThread, post.thread_id)
    check_visible_thread(actor, thread, session.get(ForumCategory, thread.category_id))
    if post.state != rules.VISIBLE:
        raise NotAllowed("forum.error.post_closed")
    author = session.get(User, post.author_id)
    return markdown.quote(post.body_source, display_name(author, actor.locale if actor else "id"))


def threads_by(actor: Actor | None, *, session: Session, member_id: int, locale: str | None = None,
               limit: int = 10) -> list[ThreadRow]:
    """The member's latest visible threads in categories this reader may open."""
    locale = reader_locale(actor, locale)
    readable = [rules.PUBLIC, rules.MEMBERS] if rules.can_read_members_area(actor) else [rules.PUBLIC]
    rows = session.exec(
        select(ForumThread, User).join(User, col(ForumThread.author_id) == User.id)
        .join(ForumCategory, col(ForumThread.category_id) == ForumCategory.id)
        .where(ForumThread.author_id == member_id, ForumThread.state == rules.THREAD_VISIBLE,
               col(ForumCategory.read_access).in_(readable))
        .order_by(col(ForumThread.created_at).desc()).limit(limit)
    ).all()
    return [ThreadRow(id=thread.id, title=thread.title, author_id=author.id, author_name=display_name(author, locale),
                      reply_count=thread.reply_count, last_activity=when_text(thread.last_activity_at, locale),
                      pinned=thread.pinned, locked=thread.locked) for thread, author in rows]

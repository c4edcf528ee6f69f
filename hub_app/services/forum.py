"""The forum: categories, threads, posts, likes and watching, as members read and write them.

Staff moderation (reports, the review queue, hiding, locking, pinning, moving, deleting threads,
posting suspensions, the category list) is in hub_app.services.forum_moderation, which shares the
private helpers below; the forum's personal data is registered at the end of this module.

Public functions follow the services pattern: `fn(actor, *, session, ...)`, check permission with
hub_app.domain.forum, validate what came from the browser, run one transaction, return plain
dataclasses.

Notifications: a mention notifies the member mentioned (in-app and email); a reply notifies the
members watching the thread (the author watches their own thread) and the author of the post
replied to (in-app). Nobody is notified from a thread they muted, nor twice for one post, nor
for a post that is waiting for review (they are told when staff approve it).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Boolean, Integer, delete, func, literal, or_, tuple_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import forum as rules
from hub_app.domain import markdown, validation
from hub_app.domain.errors import HubError, InvalidInput, NotAllowed, NotFound
from hub_app.domain.membership import DELETED as ACCOUNT_DELETED
from hub_app.domain.permissions import Actor
from hub_app.i18n import format_short_datetime, pick, translate
from hub_app.models import (
    ForumCategory,
    ForumPost,
    ForumReaction,
    ForumReport,
    ForumSuspension,
    ForumThread,
    ForumWatch,
    User,
)
from hub_app.models.base import UTCDateTime, utcnow
from hub_app.services import audit, notifications, personal_data

THREADS_PER_PAGE = 20
POSTS_PER_PAGE = 20


# --- Read models ----------------------------------------------------------------------------

@dataclass
class CategoryRow:
    id: int
    slug: str
    name: str
    description: str
    members_only: bool
    staff_only: bool
    thread_count: int
    latest_thread_id: int
    latest_title: str
    latest_when: str


@dataclass
class ThreadRow:
    id: int
    title: str
    author_id: int
    author_name: str
    reply_count: int
    last_activity: str
    pinned: bool
    locked: bool


@dataclass
class CategoryPage:
    category: CategoryRow
    threads: list[ThreadRow]
    next_cursor: str
    may_start: bool
    start_hint: str  # why starting a thread is closed ("" when it is open)


@dataclass
class PostView:
    id: int
    author_id: int
    author_name: str
    author_handle: str
    body_html: str  # sanitised on the server; the only HTML a page may insert
    state: str
    created: str
    edited: str
    like_count: int
    liked: bool
    is_opening: bool
    reply_to_id: int
    reply_to_author: str
    moderation_note: str
    may_edit: bool
    may_delete: bool
    may_report: bool
    may_like: bool


@dataclass
class ThreadView:
    id: int
    title: str
    category_slug: str
    category_name: str
    author_id: int
    state: str
    locked: bool
    pinned: bool
    posts: list[PostView]
    next_from: int  # first post id of the next page, 0 when this is the last page
    prev_before: int  # show posts before this id for the previous page, 0 on the first page
    may_reply: bool
    reply_hint: str
    watch_level: str
    may_moderate: bool


@dataclass
class PostSaved:
    post_id: int
    thread_id: int
    waiting_review: bool


# --- Helpers --------------------------------------------------------------------------------

def author_label(name: str, status: str, locale: str) -> str:
    """The author as shown next to a post: an erased account reads "Deleted member"."""
    if status == ACCOUNT_DELETED or not name:
        return translate("deleted.member", locale)
    return name


def display_name(user: User | None, locale: str) -> str:
    return author_label(user.name, user.status, locale) if user is not None else translate("deleted.member", locale)


def _locale(actor: Actor | None, locale: str | None) -> str:
    if locale in ("id", "en"):
        return locale
    return actor.locale if actor else "id"


def _when(moment: datetime | None, locale: str) -> str:
    return format_short_datetime(moment, locale) if moment else ""


def _suspended_until(session: Session, actor: Actor | None) -> datetime | None:
    """Until when the actor may not post (None: not suspended, or not signed in)."""
    if actor is None:
        return None
    return session.exec(
        select(func.max(ForumSuspension.until)).where(
            ForumSuspension.user_id == actor.user_id, col(ForumSuspension.lifted_at).is_(None),
            col(ForumSuspension.until) > utcnow())
    ).one()


def _localized(error: HubError, locale: str) -> HubError:
    """Dates inside a message (e.g. "suspended until ...") in the reader's language and zone."""
    for name, value in list(error.params.items()):
        if isinstance(value, datetime):
            error.params[name] = format_short_datetime(value, locale)
    return error


@contextmanager
def _refusal_rolls_back(session: Session, actor: Actor | None) -> Iterator[None]:
    """Inside a write transaction: a refusal (HubError) rolls it back and reaches the member with
    its dates in their language."""
    try:
        yield
    except HubError as error:
        session.rollback()
        raise _localized(error, actor.locale if actor else "id") from None


def _category_by_slug(session: Session, slug: object) -> ForumCategory:
    if not isinstance(slug, str) or not slug or len(slug) > rules.SLUG_MAX:
        raise NotFound("forum.error.category_missing")
    category = session.exec(select(ForumCategory).where(ForumCategory.slug == slug)).first()
    if category is None:
        raise NotFound("forum.error.category_missing")
    return category


_Row = TypeVar("_Row", ForumThread, ForumPost)


def _by_id(session: Session, model: type[_Row], row_id: object, *, field: str, missing: str,
           for_update: bool) -> _Row:
    """The row with the id the browser sent; NotFound(`missing`) for a bad id as for an unknown one."""
    try:
        row_id = validation.identifier(row_id, field=field)
    except InvalidInput:
        raise NotFound(missing) from None
    query = select(model).where(model.id == row_id)
    if for_update:
        query = query.with_for_update()
    row = session.exec(query).first()
    if row is None:
        raise NotFound(missing)
    return row


def _thread(session: Session, thread_id: object, *, for_update: bool = False) -> ForumThread:
    return _by_id(session, ForumThread, thread_id, field="thread", missing="forum.error.thread_missing",
                  for_update=for_update)


def _post(session: Session, post_id: object, *, for_update: bool = False) -> ForumPost:
    return _by_id(session, ForumPost, post_id, field="post", missing="forum.error.post_missing",
                  for_update=for_update)


def _check_visible_thread(actor: Actor | None, thread: ForumThread, category: ForumCategory) -> None:
    rules.check_may_read(actor, category.read_access)
    if not rules.thread_visible_to(actor, state=thread.state, author_id=thread.author_id):
        raise NotFound("forum.error.thread_missing")


def _clean_title(value: object) -> str:
    title = validation.text(value, field="title", max_length=rules.TITLE_MAX, required=True)
    if len(title) < rules.TITLE_MIN:
        raise InvalidInput("forum.error.title_short", field="title", min=rules.TITLE_MIN)
    return rules.check_no_markup(title, field="title")


def _clean_body(value: object) -> str:
    if isinstance(value, str) and len(value) > rules.BODY_MAX * 2:
        # Refuse a huge payload before doing any work on it.
        raise InvalidInput("error.field_too_long", field="body", max=rules.BODY_MAX)
    body = validation.text(value, field="body", max_length=rules.BODY_MAX, required=True, multiline=True)
    if markdown.has_raw_html(body):
        raise InvalidInput("forum.error.html", field="body")
    return body


@dataclass
class _Rendered:
    html: str
    text: str
    has_link: bool
    mentioned: dict[str, int]  # handle -> member id, outside quotes: these are notified


def _render(session: Session, source: str) -> _Rendered:
    """Renders a post, refusing mentions of members who do not exist."""
    notified = markdown.mentions(source)
    every = markdown.mentions(source, include_quotes=True)
    known: dict[str, int] = {}
    if every:
        rows = session.exec(select(User.handle, User.id).where(col(User.handle).in_(every),
                                                                 User.status != ACCOUNT_DELETED)).all()
        known = {handle: user_id for handle, user_id in rows}
    rules.check_mentions(notified, known)
    html = markdown.render(source, people=known)
    return _Rendered(html=html, text=markdown.plain_text(html), has_link=markdown.has_link(source, html),
                     mentioned={handle: known[handle] for handle in notified})


def _recent(session: Session, kind: str, user_id: int) -> list[datetime]:
    since = utcnow() - rules.RATE_LIMITS[kind].window
    if kind == "thread":
        query = select(ForumThread.created_at).where(ForumThread.author_id == user_id,
                                                     col(ForumThread.created_at) > since)
    elif kind == "post":
        query = select(ForumPost.created_at).where(ForumPost.author_id == user_id, col(ForumPost.created_at) > since)
    else:
        query = select(ForumReport.created_at).where(ForumReport.reporter_id == user_id,
                                                     col(ForumReport.created_at) > since)
    return list(session.exec(query).all())


def _needs_review(session: Session, actor: Actor, *, has_link: bool) -> bool:
    """Whether the actor's new post waits for staff (rules.needs_review, with their published posts)."""
    limited = (select(ForumPost.id).where(ForumPost.author_id == actor.user_id, ForumPost.state == rules.VISIBLE)
               .limit(rules.TRUSTED_AFTER_POSTS).subquery())
    return rules.needs_review(actor, has_link=has_link,
                              published_posts=session.exec(select(func.count()).select_from(limited)).one())


def _refresh_thread(session: Session, thread: ForumThread) -> None:
    """Reply count and last activity from the visible posts (exact after any change)."""
    session.flush()
    count, latest = session.exec(
        select(func.count(), func.max(ForumPost.created_at))
        .where(ForumPost.thread_id == thread.id, ForumPost.state == rules.VISIBLE)
    ).one()
    opening_visible = session.exec(
        select(func.count()).where(ForumPost.thread_id == thread.id, col(ForumPost.is_opening).is_(True),
                                   ForumPost.state == rules.VISIBLE)).one()
    thread.reply_count = max(0, count - opening_visible)
    if latest is not None:
        if latest.tzinfo is None:
            latest = latest.replace(tzinfo=UTC)
        thread.last_activity_at = max(latest, thread.created_at)
    session.add(thread)


def _watch_level(session: Session, thread_id: int, user_id: int) -> str:
    row = session.get(ForumWatch, (thread_id, user_id))
    return row.level if row else "normal"


def _set_watch(session: Session, thread_id: int, user_id: int, level: str) -> None:
    row = session.get(ForumWatch, (thread_id, user_id))
    if level == "normal":
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = ForumWatch(thread_id=thread_id, user_id=user_id, level=level)
    row.level = level
    row.updated_at = utcnow()
    session.add(row)


def _may_read_as(user: User, category: ForumCategory) -> bool:
    reader = Actor(user_id=user.id, role=user.role, status=user.status)
    return rules.may_read(reader, category.read_access)


def _resolve_reports(session: Session, actor: Actor | None, post_id: int, resolution: str) -> int:
    result = session.exec(update(ForumReport).where(col(ForumReport.post_id) == post_id,
                                                    col(ForumReport.resolved_at).is_(None))
                           .values(resolved_at=utcnow(), resolved_by=actor.user_id if actor else None,
                                   resolution=resolution))
    return result.rowcount


def _notify_readers(session: Session, user_ids: Iterable[int], category: ForumCategory, done: set[int],
                    kind: str, *, params: dict, link: str, email: bool = True) -> None:
    """Notifies each member who may read the category and is not in `done` yet; adds them to it."""
    for user_id in user_ids:
        if user_id in done:
            continue
        user = session.get(User, user_id)
        if user is None or user.status == ACCOUNT_DELETED or not _may_read_as(user, category):
            continue
        notifications.notify(session, user, kind, params=params, link=link, email=email)
        done.add(user_id)


def _announce(session: Session, post: ForumPost, thread: ForumThread, category: ForumCategory,
              author: User, mentioned: dict[str, int]) -> None:
    """Notifies the people a newly published post concerns (see the module docstring)."""
    link = f"/forum/t/{thread.id}?from={post.id}"
    name = display_name(author, "id")
    excerpt = markdown.excerpt(post.body_text, 140)
    muted = set(session.exec(select(ForumWatch.user_id).where(ForumWatch.thread_id == thread.id,
                                                              ForumWatch.level == "muted")).all())
    done = {author.id} | muted
    params = {"author": name, "thread": thread.title, "excerpt": excerpt}
    _notify_readers(session, mentioned.values(), category, done, "forum.mention", params=params, link=link)
    if post.is_opening:
        return
    recipients = list(session.exec(select(ForumWatch.user_id).where(ForumWatch.thread_id == thread.id,
                                                                    ForumWatch.level == "watching")).all())
    if post.reply_to_id:
        replied = session.get(ForumPost, post.reply_to_id)
        if replied is not None:
            recipients.append(replied.author_id)
    # In-app only: a busy thread must not flood inboxes; mentions and moderation do email.
    _notify_readers(session, recipients, category, done, "forum.reply", params=params, link=link, email=False)


# --- Reading --------------------------------------------------------------------------------

def _category_row(category: ForumCategory, locale: str, thread_count: int = 0,
                  latest: tuple[int, str, datetime] | None = None) -> CategoryRow:
    return CategoryRow(
        id=category.id, slug=category.slug, name=pick(category.name_id, category.name_en, locale),
        description=pick(category.description_id, category.description_en, locale),
        members_only=category.read_access == rules.MEMBERS, staff_only=category.start_access == rules.STAFF_ONLY,
        thread_count=thread_count, latest_thread_id=latest[0] if latest else 0,
        latest_title=latest[1] if latest else "", latest_when=_when(latest[2], locale) if latest else "")


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


def list_categories(actor: Actor | None, *, session: Session, locale: str | None = None) -> list[CategoryRow]:
    """The categories this reader may open, in staff's order, with their latest activity."""
    locale = _locale(actor, locale)
    return [_category_row(category, locale, count, (latest_id, title, when) if latest_id else None)
            for category, count, latest_id, title, when in session.exec(_CATEGORIES_WITH_ACTIVITY).all()
            if rules.may_read(actor, category.read_access)]


def _hint(error: HubError, locale: str) -> str:
    """Why something is closed to this reader, in their language."""
    return translate(error.key, locale, **_localized(error, locale).params)


def _start_hint(session: Session, actor: Actor | None, category: ForumCategory, locale: str) -> str:
    try:
        rules.check_may_start_thread(actor, read_access=category.read_access, start_access=category.start_access,
                                     suspended_until=_suspended_until(session, actor),
                                     now=utcnow())
    except HubError as error:
        return _hint(error, locale)
    return ""


def list_threads(actor: Actor | None, *, session: Session, slug: object, cursor: object = "",
                 locale: str | None = None) -> CategoryPage:
    """One page of a category: pinned first, then newest activity first (keyset pagination)."""
    locale = _locale(actor, locale)
    category = _category_by_slug(session, slug)
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
                  reply_count=thread.reply_count, last_activity=_when(thread.last_activity_at, locale),
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
    locale = _locale(actor, locale)
    thread = _thread(session, thread_id)
    category = session.get(ForumCategory, thread.category_id)
    _check_visible_thread(actor, thread, category)
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
    suspended = _suspended_until(session, actor)
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
        state=post.state, created=_when(post.created_at, locale), edited=_when(post.edited_at, locale),
        like_count=post.like_count, liked=liked, is_opening=post.is_opening, reply_to_id=post.reply_to_id or 0,
        reply_to_author=reply_author,
        moderation_note=post.moderation_note if actor and (actor.is_staff or actor.user_id == author.id) else "",
        may_edit=_allowed(rules.check_may_edit, actor=actor, author_id=post.author_id, state=post.state,
                          created_at=post.created_at, locked=thread.locked, suspended_until=suspended, now=now),
        may_delete=_allowed(rules.check_may_delete, actor=actor, author_id=post.author_id, state=post.state),
        may_report=_allowed(rules.check_may_report, actor=actor, author_id=post.author_id, state=post.state),
        may_like=_allowed(rules.check_may_react, actor=actor, author_id=post.author_id, state=post.state),
    )


def post_source(actor: Actor | None, *, session: Session, post_id: object) -> str:
    """The Markdown of the actor's own post, to edit it."""
    post = _post(session, post_id)
    if actor is None or post.author_id != actor.user_id or post.state == rules.DELETED:
        raise NotAllowed("forum.error.not_author")
    return post.body_source


def quote_post(actor: Actor | None, *, session: Session, post_id: object) -> str:
    """A Markdown quote of a post the actor can see, to start a reply with."""
    post = _post(session, post_id)
    thread = session.get(ForumThread, post.thread_id)
    _check_visible_thread(actor, thread, session.get(ForumCategory, thread.category_id))
    if post.state != rules.VISIBLE:
        raise NotAllowed("forum.error.post_closed")
    author = session.get(User, post.author_id)
    return markdown.quote(post.body_source, display_name(author, actor.locale if actor else "id"))


# --- Writing --------------------------------------------------------------------------------

def start_thread(actor: Actor | None, *, session: Session, slug: object, title: object, body: object) -> PostSaved:
    title = _clean_title(title)
    body = _clean_body(body)
    begin_write(session)
    with _refusal_rolls_back(session, actor):
        category = _category_by_slug(session, slug)
        now = utcnow()
        rules.check_may_start_thread(actor, read_access=category.read_access, start_access=category.start_access,
                                     suspended_until=_suspended_until(session, actor), now=now)
        rules.check_rate_limit(actor, "thread", _recent(session, "thread", actor.user_id), now)
        rules.check_rate_limit(actor, "post", _recent(session, "post", actor.user_id), now)
        rendered = _render(session, body)
    review = _needs_review(session, actor, has_link=rendered.has_link)
    thread = ForumThread(category_id=category.id, author_id=actor.user_id, title=title,
                         state=rules.THREAD_PENDING if review else rules.THREAD_VISIBLE,
                         last_activity_at=now, created_at=now)
    session.add(thread)
    session.flush()
    post = ForumPost(thread_id=thread.id, author_id=actor.user_id, body_source=body, body_html=rendered.html,
                     body_text=rendered.text, search_title=title, is_opening=True,
                     state=rules.REVIEW if review else rules.VISIBLE, created_at=now)
    session.add(post)
    session.flush()
    _set_watch(session, thread.id, actor.user_id, "watching")
    if not review:
        _announce(session, post, thread, category, session.get(User, actor.user_id), rendered.mentioned)
    session.commit()
    return PostSaved(post_id=post.id, thread_id=thread.id, waiting_review=review)


def reply(actor: Actor | None, *, session: Session, thread_id: object, body: object,
          reply_to: object = None) -> PostSaved:
    body = _clean_body(body)
    begin_write(session)
    with _refusal_rolls_back(session, actor):
        thread = _thread(session, thread_id, for_update=True)
        category = session.get(ForumCategory, thread.category_id)
        now = utcnow()
        rules.check_may_reply(actor, read_access=category.read_access, thread_state=thread.state,
                              locked=thread.locked, suspended_until=_suspended_until(session, actor), now=now)
        _check_visible_thread(actor, thread, category)
        reply_to_id = None
        if reply_to not in (None, "", 0, "0"):
            target = _post(session, reply_to)
            if target.thread_id != thread.id or not rules.post_visible_to(actor, state=target.state,
                                                                          author_id=target.author_id):
                raise NotFound("forum.error.post_missing")
            reply_to_id = target.id
        rules.check_rate_limit(actor, "post", _recent(session, "post", actor.user_id), now)
        rendered = _render(session, body)
    review = _needs_review(session, actor, has_link=rendered.has_link)
    post = ForumPost(thread_id=thread.id, author_id=actor.user_id, reply_to_id=reply_to_id, body_source=body,
                     body_html=rendered.html, body_text=rendered.text,
                     state=rules.REVIEW if review else rules.VISIBLE, created_at=now)
    session.add(post)
    session.flush()
    if not review:
        _refresh_thread(session, thread)
        _announce(session, post, thread, category, session.get(User, actor.user_id), rendered.mentioned)
    session.commit()
    return PostSaved(post_id=post.id, thread_id=thread.id, waiting_review=review)


def edit_post(actor: Actor | None, *, session: Session, post_id: object, body: object,
              title: object = None) -> PostSaved:
    """The author changes their post (and, on an opening post, the thread's title) within the edit
    window. Newly mentioned members are notified; a new member's edit that adds a link goes back
    to review."""
    body = _clean_body(body)
    begin_write(session)
    with _refusal_rolls_back(session, actor):
        post = _post(session, post_id, for_update=True)
        thread = session.get(ForumThread, post.thread_id)
        now = utcnow()
        rules.check_may_edit(actor, author_id=post.author_id, state=post.state, created_at=post.created_at,
                             locked=thread.locked, suspended_until=_suspended_until(session, actor), now=now)
        new_title = _clean_title(title) if post.is_opening and title not in (None, "") else None
        rendered = _render(session, body)
    before = set(markdown.mentions(post.body_source))
    was_visible = post.state == rules.VISIBLE
    review = post.state == rules.REVIEW or (
        rendered.has_link and not markdown.has_link(post.body_source, post.body_html)
        and _needs_review(session, actor, has_link=True))
    post.body_source, post.body_html, post.body_text = body, rendered.html, rendered.text
    post.edited_at = now
    post.state = rules.REVIEW if review else rules.VISIBLE
    if new_title is not None:
        thread.title = new_title
        post.search_title = new_title
        if review and thread.state == rules.THREAD_VISIBLE and was_visible:
            thread.state = rules.THREAD_PENDING
    session.add(post)
    session.add(thread)
    _refresh_thread(session, thread)
    if not review:
        fresh = {handle: user_id for handle, user_id in rendered.mentioned.items() if handle not in before}
        if fresh:
            category = session.get(ForumCategory, thread.category_id)
            _announce_mentions_only(session, post, thread, category, session.get(User, actor.user_id), fresh)
    session.commit()
    return PostSaved(post_id=post.id, thread_id=thread.id, waiting_review=review)


def _announce_mentions_only(session, post, thread, category, author, mentioned) -> None:
    opening = post.is_opening
    post.is_opening = True  # _announce skips reply notifications for opening posts
    try:
        _announce(session, post, thread, category, author, mentioned)
    finally:
        post.is_opening = opening


def delete_post(actor: Actor | None, *, session: Session, post_id: object) -> None:
    """The author (or staff) deletes a post: its words are erased and a placeholder stays so the
    replies still make sense. An opening post with no other posts takes its thread with it."""
    begin_write(session)
    post = _post(session, post_id, for_update=True)
    try:
        rules.check_may_delete(actor, author_id=post.author_id, state=post.state)
    except HubError:
        session.rollback()
        raise
    thread = session.get(ForumThread, post.thread_id)
    _erase_post(session, post)
    if post.is_opening:
        others = session.exec(select(func.count()).where(ForumPost.thread_id == thread.id, ForumPost.id != post.id,
                                                         ForumPost.state != rules.DELETED)).one()
        if others == 0:
            thread.state = rules.THREAD_DELETED
    _refresh_thread(session, thread)
    _resolve_reports(session, actor, post.id, "deleted")
    if actor.user_id != post.author_id:
        audit.record(session, actor, "forum.post_delete", target_type="forum_post", target_id=post.id)
        author = session.get(User, post.author_id)
        notifications.notify(session, author, "forum.post_deleted", params={"thread": thread.title},
                             link=f"/forum/t/{thread.id}")
    session.commit()


def _erase_post(session: Session, post: ForumPost) -> None:
    post.state = rules.DELETED
    post.body_source = post.body_html = post.body_text = ""
    post.like_count = 0
    session.exec(delete(ForumReaction).where(col(ForumReaction.post_id) == post.id))
    session.add(post)


def toggle_like(actor: Actor | None, *, session: Session, post_id: object) -> tuple[bool, int]:
    """Likes a post, or takes the like back. Returns (liked now, count)."""
    begin_write(session)
    post = _post(session, post_id, for_update=True)
    thread = session.get(ForumThread, post.thread_id)
    try:
        _check_visible_thread(actor, thread, session.get(ForumCategory, thread.category_id))
        rules.check_may_react(actor, author_id=post.author_id, state=post.state)
    except HubError:
        session.rollback()
        raise
    existing = session.get(ForumReaction, (post.id, actor.user_id, "like"))
    if existing is None:
        session.add(ForumReaction(post_id=post.id, user_id=actor.user_id, kind="like"))
    else:
        session.delete(existing)
    session.flush()
    post.like_count = session.exec(select(func.count()).where(ForumReaction.post_id == post.id)).one()
    session.add(post)
    session.commit()
    return existing is None, post.like_count


def set_watch(actor: Actor | None, *, session: Session, thread_id: object, level: object) -> str:
    """watching: notified of every reply; normal: only mentions and replies to my posts; muted: nothing."""
    level = validation.choice(level, rules.WATCH_LEVELS, field="level")
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    begin_write(session)
    thread = _thread(session, thread_id)
    try:
        _check_visible_thread(actor, thread, session.get(ForumCategory, thread.category_id))
    except HubError:
        session.rollback()
        raise
    _set_watch(session, thread.id, actor.user_id, level)
    session.commit()
    return level


# --- Profiles: a member's threads -----------------------------------------------------------

def threads_by(actor: Actor | None, *, session: Session, member_id: int, locale: str | None = None,
               limit: int = 10) -> list[ThreadRow]:
    """The member's latest visible threads in categories this reader may open."""
    locale = _locale(actor, locale)
    readable = [rules.PUBLIC, rules.MEMBERS] if rules.can_read_members_area(actor) else [rules.PUBLIC]
    rows = session.exec(
        select(ForumThread, User).join(User, col(ForumThread.author_id) == User.id)
        .join(ForumCategory, col(ForumThread.category_id) == ForumCategory.id)
        .where(ForumThread.author_id == member_id, ForumThread.state == rules.THREAD_VISIBLE,
               col(ForumCategory.read_access).in_(readable))
        .order_by(col(ForumThread.created_at).desc()).limit(limit)
    ).all()
    return [ThreadRow(id=thread.id, title=thread.title, author_id=author.id, author_name=display_name(author, locale),
                      reply_count=thread.reply_count, last_activity=_when(thread.last_activity_at, locale),
                      pinned=thread.pinned, locked=thread.locked) for thread, author in rows]


# --- Personal data --------------------------------------------------------------------------

def _export(session: Session, user_id: int) -> dict:
    threads = session.exec(select(ForumThread).where(ForumThread.author_id == user_id)).all()
    posts = session.exec(select(ForumPost).where(ForumPost.author_id == user_id).order_by(col(ForumPost.id))).all()
    return {
        "threads": [{"id": row.id, "title": row.title, "created_at": row.created_at, "state": row.state}
                    for row in threads],
        "posts": [{"id": row.id, "thread_id": row.thread_id, "markdown": row.body_source, "state": row.state,
                   "created_at": row.created_at, "edited_at": row.edited_at} for row in posts],
        "likes": [{"post_id": row.post_id, "created_at": row.created_at}
                  for row in session.exec(select(ForumReaction).where(ForumReaction.user_id == user_id)).all()],
        "watches": [{"thread_id": row.thread_id, "level": row.level}
                    for row in session.exec(select(ForumWatch).where(ForumWatch.user_id == user_id)).all()],
        "reports": [{"post_id": row.post_id, "reason": row.reason, "note": row.note, "created_at": row.created_at}
                    for row in session.exec(select(ForumReport).where(ForumReport.reporter_id == user_id)).all()],
        "suspensions": [{"until": row.until, "reason": row.reason, "lifted_at": row.lifted_at}
                        for row in session.exec(select(ForumSuspension)
                                                .where(ForumSuspension.user_id == user_id)).all()],
    }


def _erase(session: Session, user_id: int) -> None:
    """Posts stay (the conversation keeps its sense) under "Deleted member" once the account row is
    anonymised; likes, watches and the notes of reports the member wrote go; the handle is freed."""
    liked = session.exec(select(ForumReaction.post_id).where(ForumReaction.user_id == user_id)).all()
    session.exec(delete(ForumReaction).where(col(ForumReaction.user_id) == user_id))
    session.flush()
    for post_id in liked:
        count = session.exec(select(func.count()).where(ForumReaction.post_id == post_id)).one()
        session.exec(update(ForumPost).where(col(ForumPost.id) == post_id).values(like_count=count))
    session.exec(delete(ForumWatch).where(col(ForumWatch.user_id) == user_id))
    session.exec(update(ForumReport).where(col(ForumReport.reporter_id) == user_id).values(note=""))
    session.exec(update(User).where(col(User.id) == user_id).values(handle=None))


personal_data.register("forum", export=_export, erase=_erase)

"""What the forum's reading, writing and moderation share: rows by the id a browser sent, who may
see a thread, the reader's language and dates, the rate limits' recent writes, a thread's counts
after a change, and the notifications a published post sends (see the package docstring)."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from hub_app.domain import forum as rules
from hub_app.domain import markdown, validation
from hub_app.domain.errors import HubError, InvalidInput, NotFound
from hub_app.domain.membership import DELETED as ACCOUNT_DELETED
from hub_app.domain.permissions import Actor
from hub_app.i18n import format_short_datetime, translate
from hub_app.models import (
    ForumCategory,
    ForumPost,
    ForumReport,
    ForumSuspension,
    ForumThread,
    ForumWatch,
    User,
)
from hub_app.models.base import utcnow
from hub_app.services import notifications


def author_label(name: str, status: str, locale: str) -> str:
    """The author as shown next to a post: an erased account reads "Deleted member"."""
    if status == ACCOUNT_DELETED or not name:
        return translate("deleted.member", locale)
    return name


def display_name(user: User | None, locale: str) -> str:
    return author_label(user.name, user.status, locale) if user is not None else translate("deleted.member", locale)


def reader_locale(actor: Actor | None, locale: str | None) -> str:
    if locale in ("id", "en"):
        return locale
    return actor.locale if actor else "id"


def when_text(moment: datetime | None, locale: str) -> str:
    return format_short_datetime(moment, locale) if moment else ""


def suspended_until(session: Session, actor: Actor | None) -> datetime | None:
    """Until when the actor may not post (None: not suspended, or not signed in)."""
    if actor is None:
        return None
    return session.exec(
        select(func.max(ForumSuspension.until)).where(
            ForumSuspension.user_id == actor.user_id, col(ForumSuspension.lifted_at).is_(None),
            col(ForumSuspension.until) > utcnow())
    ).one()


def localized(error: HubError, locale: str) -> HubError:
    """Dates inside a message (e.g. "suspended until ...") in the reader's language and zone."""
    for name, value in list(error.params.items()):
        if isinstance(value, datetime):
            error.params[name] = format_short_datetime(value, locale)
    return error


@contextmanager
def refusal_rolls_back(session: Session, actor: Actor | None) -> Iterator[None]:
    """Inside a write transaction: a refusal (HubError) rolls it back and reaches the member with
    its dates in their language."""
    try:
        yield
    except HubError as error:
        session.rollback()
        raise localized(error, actor.locale if actor else "id") from None


def category_by_slug(session: Session, slug: object) -> ForumCategory:
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


def thread_by_id(session: Session, thread_id: object, *, for_update: bool = False) -> ForumThread:
    return _by_id(session, ForumThread, thread_id, field="thread", missing="forum.error.thread_missing",
                  for_update=for_update)


def post_by_id(session: Session, post_id: object, *, for_update: bool = False) -> ForumPost:
    return _by_id(session, ForumPost, post_id, field="post", missing="forum.error.post_missing",
                  for_update=for_update)


def check_visible_thread(actor: Actor | None, thread: ForumThread, category: ForumCategory) -> None:
    rules.check_may_read(actor, category.read_access)
    if not rules.thread_visible_to(actor, state=thread.state, author_id=thread.author_id):
        raise NotFound("forum.error.thread_missing")


def recent_writes(session: Session, kind: str, user_id: int) -> list[datetime]:
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


def refresh_thread(session: Session, thread: ForumThread) -> None:
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


def resolve_reports(session: Session, actor: Actor | None, post_id: int, resolution: str) -> int:
    result = session.exec(update(ForumReport).where(col(ForumReport.post_id) == post_id,
                                                    col(ForumReport.resolved_at).is_(None))
                           .values(resolved_at=utcnow(), resolved_by=actor.user_id if actor else None,
                                   resolution=resolution))
    return result.rowcount


def _may_read_as(user: User, category: ForumCategory) -> bool:
    reader = Actor(user_id=user.id, role=user.role, status=user.status)
    return rules.may_read(reader, category.read_access)


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


def announce(session: Session, post: ForumPost, thread: ForumThread, category: ForumCategory,
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

"""The forum as members write it: threads, replies, edits, deletions, likes and watching. Each is one
transaction; a refusal rolls it back and reaches the member in their language."""

from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import forum as rules
from hub_app.domain import markdown, validation
from hub_app.domain.errors import HubError, InvalidInput, NotAllowed, NotFound
from hub_app.domain.membership import DELETED as ACCOUNT_DELETED
from hub_app.domain.permissions import Actor
from hub_app.models import (
    ForumCategory,
    ForumPost,
    ForumReaction,
    ForumThread,
    ForumWatch,
    User,
)
from hub_app.models.base import utcnow
from hub_app.services import audit, notifications
from hub_app.services.forum.shared import (
    announce,
    category_by_slug,
    check_visible_thread,
    post_by_id,
    recent_writes,
    refresh_thread,
    refusal_rolls_back,
    resolve_reports,
    suspended_until,
    thread_by_id,
)
from hub_app.services.forum.views import PostSaved


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


def _needs_review(session: Session, actor: Actor, *, has_link: bool) -> bool:
    """Whether the actor's new post waits for staff (rules.needs_review, with their published posts)."""
    limited = (select(ForumPost.id).where(ForumPost.author_id == actor.user_id, ForumPost.state == rules.VISIBLE)
               .limit(rules.TRUSTED_AFTER_POSTS).subquery())
    return rules.needs_review(actor, has_link=has_link,
                              published_posts=session.exec(select(func.count()).select_from(limited)).one())


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


def start_thread(actor: Actor | None, *, session: Session, slug: object, title: object, body: object) -> PostSaved:
    title = _clean_title(title)
    body = _clean_body(body)
    begin_write(session)
    with refusal_rolls_back(session, actor):
        category = category_by_slug(session, slug)
        now = utcnow()
        rules.check_may_start_thread(actor, read_access=category.read_access, start_access=category.start_access,
                                     suspended_until=suspended_until(session, actor), now=now)
        rules.check_rate_limit(actor, "thread", recent_writes(session, "thread", actor.user_id), now)
        rules.check_rate_limit(actor, "post", recent_writes(session, "post", actor.user_id), now)
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
        announce(session, post, thread, category, session.get(User, actor.user_id), rendered.mentioned)
    session.commit()
    return PostSaved(post_id=post.id, thread_id=thread.id, waiting_review=review)


def reply(actor: Actor | None, *, session: Session, thread_id: object, body: object,
          reply_to: object = None) -> PostSaved:
    body = _clean_body(body)
    begin_write(session)
    with refusal_rolls_back(session, actor):
        thread = thread_by_id(session, thread_id, for_update=True)
        category = session.get(ForumCategory, thread.category_id)
        now = utcnow()
        rules.check_may_reply(actor, read_access=category.read_access, thread_state=thread.state,
                              locked=thread.locked, suspended_until=suspended_until(session, actor), now=now)
        check_visible_thread(actor, thread, category)
        reply_to_id = None
        if reply_to not in (None, "", 0, "0"):
            target = post_by_id(session, reply_to)
            if target.thread_id != thread.id or not rules.post_visible_to(actor, state=target.state,
                                                                          author_id=target.author_id):
                raise NotFound("forum.error.post_missing")
            reply_to_id = target.id
        rules.check_rate_limit(actor, "post", recent_writes(session, "post", actor.user_id), now)
        rendered = _render(session, body)
    review = _needs_review(session, actor, has_link=rendered.has_link)
    post = ForumPost(thread_id=thread.id, author_id=actor.user_id, reply_to_id=reply_to_id, body_source=body,
                     body_html=rendered.html, body_text=rendered.text,
                     state=rules.REVIEW if review else rules.VISIBLE, created_at=now)
    session.add(post)
    session.flush()
    if not review:
        refresh_thread(session, thread)
        announce(session, post, thread, category, session.get(User, actor.user_id), rendered.mentioned)
    session.commit()
    return PostSaved(post_id=post.id, thread_id=thread.id, waiting_review=review)


def edit_post(actor: Actor | None, *, session: Session, post_id: object, body: object,
              title: object = None) -> PostSaved:
    """The author changes their post (and, on an opening post, the thread's title) within the edit
    window. Newly mentioned members are notified; a new member's edit that adds a link goes back
    to review."""
    body = _clean_body(body)
    begin_write(session)
    with refusal_rolls_back(session, actor):
        post = post_by_id(session, post_id, for_update=True)
        thread = session.get(ForumThread, post.thread_id)
        now = utcnow()
        rules.check_may_edit(actor, author_id=post.author_id, state=post.state, created_at=post.created_at,
                             locked=thread.locked, suspended_until=suspended_until(session, actor), now=now)
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
    refresh_thread(session, thread)
    if not review:
        fresh = {handle: user_id for handle, user_id in rendered.mentioned.items() if handle not in before}
        if fresh:
            category = session.get(ForumCategory, thread.category_id)
            _announce_mentions_only(session, post, thread, category, session.get(User, actor.user_id), fresh)
    session.commit()
    return PostSaved(post_id=post.id, thread_id=thread.id, waiting_review=review)


def _announce_mentions_only(session, post, thread, category, author, mentioned) -> None:
    opening = post.is_opening
    post.is_opening = True  # announce skips reply notifications for opening posts
    try:
        announce(session, post, thread, category, author, mentioned)
    finally:
        post.is_opening = opening


def delete_post(actor: Actor | None, *, session: Session, post_id: object) -> None:
    """The author (or staff) deletes a post: its words are erased and a placeholder stays so the
    replies still make sense. An opening post with no other posts takes its thread with it."""
    begin_write(session)
    post = post_by_id(session, post_id, for_update=True)
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
    refresh_thread(session, thread)
    resolve_reports(session, actor, post.id, "deleted")
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
    post = post_by_id(session, post_id, for_update=True)
    thread = session.get(ForumThread, post.thread_id)
    try:
        check_visible_thread(actor, thread, session.get(ForumCategory, thread.category_id))
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
    thread = thread_by_id(session, thread_id)
    try:
        check_visible_thread(actor, thread, session.get(ForumCategory, thread.category_id))
    except HubError:
        session.rollback()
        raise
    _set_watch(session, thread.id, actor.user_id, level)
    session.commit()
    return level

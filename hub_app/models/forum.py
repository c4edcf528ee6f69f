"""Forum tables: categories, threads, posts, likes, watches, reports, posting suspensions; and the
members' @handles (users.handle).

Full-text search lives outside these models because it differs per engine (see migration 0003):
an FTS5 table kept in step by triggers on SQLite, a generated tsvector column with a GIN index on
PostgreSQL. SEARCH_SCHEMA names those objects so the model-vs-migration comparison skips them.
"""

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, event, select, text
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel

from hub_app.domain.forum import handle_base, unique_handle
from hub_app.models.accounts import User
from hub_app.models.base import UTCDateTime, utcnow

# Engine-specific full-text search objects created by migration 0003 (not part of the models).
SEARCH_SCHEMA = frozenset({
    "forum_posts_fts", "forum_posts_fts_data", "forum_posts_fts_idx", "forum_posts_fts_docsize",
    "forum_posts_fts_config", "forum_posts_fts_content", "search_vector", "ix_forum_posts_search",
})

# A member's handle (@rina-kusuma) is unique; NULL for erased accounts.
Index("ix_users_handle", User.__table__.c.handle, unique=True)


class ForumCategory(SQLModel, table=True):
    __tablename__ = "forum_categories"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=40, sa_column_kwargs={"unique": True})
    name_id: str = Field(max_length=80)
    name_en: str = Field(default="", max_length=80)
    description_id: str = Field(default="", max_length=300)
    description_en: str = Field(default="", max_length=300)
    position: int = Field(default=0)
    read_access: str = Field(default="public", max_length=10)  # public | members
    start_access: str = Field(default="members", max_length=10)  # members | staff
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ForumThread(SQLModel, table=True):
    __tablename__ = "forum_threads"
    __table_args__ = (
        # A category page: pinned first, newest activity first, keyset on (pinned, last_activity_at, id).
        Index("ix_forum_threads_listing", "category_id", "state", "pinned", "last_activity_at", "id"),
        # Latest activity per category on /forum.
        Index("ix_forum_threads_latest", "category_id", "state", "last_activity_at"),
        # Rate limits and a member's threads on their profile.
        Index("ix_forum_threads_author", "author_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    category_id: int = Field(foreign_key="forum_categories.id")
    author_id: int = Field(foreign_key="users.id")
    title: str = Field(max_length=150)
    state: str = Field(default="visible", max_length=10)  # visible | pending | deleted
    pinned: bool = Field(default=False)
    locked: bool = Field(default=False)
    reply_count: int = Field(default=0)
    last_activity_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ForumPost(SQLModel, table=True):
    __tablename__ = "forum_posts"
    __table_args__ = (
        Index("ix_forum_posts_thread_id", "thread_id", "id"),
        Index("ix_forum_posts_author", "author_id", "created_at"),
        Index("ix_forum_posts_state_id", "state", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="forum_threads.id")
    author_id: int = Field(foreign_key="users.id")
    reply_to_id: int | None = Field(default=None, foreign_key="forum_posts.id")
    # The Markdown the author wrote (for editing), the sanitised HTML shown to readers, and the
    # plain words (for search and excerpts).
    body_source: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(sa_column=Column(Text, nullable=False))
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    # The thread's title on its opening post (weighted higher in search), "" on replies.
    search_title: str = Field(default="", max_length=150)
    is_opening: bool = Field(default=False)
    state: str = Field(default="visible", max_length=10)  # visible | pending | hidden | deleted
    moderation_note: str = Field(default="", max_length=500)
    like_count: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    edited_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class ForumReaction(SQLModel, table=True):
    __tablename__ = "forum_reactions"
    __table_args__ = (Index("ix_forum_reactions_user", "user_id"),)

    post_id: int = Field(foreign_key="forum_posts.id", primary_key=True)
    user_id: int = Field(foreign_key="users.id", primary_key=True)
    kind: str = Field(default="like", max_length=10, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ForumWatch(SQLModel, table=True):
    """A member's choice for one thread: watching (notified of every reply) or muted (never)."""

    __tablename__ = "forum_watches"
    __table_args__ = (Index("ix_forum_watches_user", "user_id"),)

    thread_id: int = Field(foreign_key="forum_threads.id", primary_key=True)
    user_id: int = Field(foreign_key="users.id", primary_key=True)
    level: str = Field(max_length=10)  # watching | muted
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ForumReport(SQLModel, table=True):
    __tablename__ = "forum_reports"
    __table_args__ = (
        UniqueConstraint("post_id", "reporter_id", name="uq_forum_reports_post_reporter"),
        Index("ix_forum_reports_open", "resolved_at", "id"),
        Index("ix_forum_reports_reporter", "reporter_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="forum_posts.id")
    reporter_id: int = Field(foreign_key="users.id")
    reason: str = Field(max_length=20)  # spam | abuse | off_topic | other
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    resolved_by: int | None = Field(default=None, foreign_key="users.id")
    resolution: str = Field(default="", max_length=20)  # hidden | dismissed | deleted


class ForumSuspension(SQLModel, table=True):
    """Staff stop a member from posting until a time (reading stays open)."""

    __tablename__ = "forum_suspensions"
    __table_args__ = (Index("ix_forum_suspensions_user_until", "user_id", "until"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    until: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    reason: str = Field(max_length=500)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    lifted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


@event.listens_for(OrmSession, "before_flush")
def _assign_handles(session: OrmSession, _flush_context, _instances) -> None:
    """Every new account gets its @handle when it is first written, whichever code path creates
    it (sign-up, the command line, demo data), so anyone can be mentioned from day one."""
    new_users = [obj for obj in session.new if isinstance(obj, User) and not obj.handle and obj.name]
    if not new_users:
        return
    taken_in_flush: set[str] = set()
    postgres = session.get_bind().dialect.name == "postgresql"
    with session.no_autoflush:
        for user in new_users:
            base = handle_base(user.name)
            if postgres:
                # Two people with the same name signing up at the same moment: the second waits here
                # until the first commits, then sees its handle (SQLite serialises writers anyway).
                session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"handle:{base}"})
            rows = session.execute(
                select(User.__table__.c.handle).where(User.__table__.c.handle.like(f"{base}%"))
            ).scalars()
            taken = {handle for handle in rows if handle} | taken_in_flush
            user.handle = unique_handle(base, taken)
            taken_in_flush.add(user.handle)

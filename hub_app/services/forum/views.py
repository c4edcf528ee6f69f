"""What the forum's services return to pages: plain dataclasses, no ORM rows."""

from dataclasses import dataclass

THREADS_PER_PAGE = 20
POSTS_PER_PAGE = 20


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

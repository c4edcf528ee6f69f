"""The forum: categories, threads, posts, likes and watching, as members read and write them, and
staff's moderation and the search.

- views: the dataclasses the services return; shared: what reading, writing and moderation share.
- reading and writing: the members' side, re-exported here (`forum.get_thread`, `forum.reply`).
- moderation: reports, the review queue, hiding, locking, pinning, moving and deleting threads,
  posting suspensions, the category list (staff only but for reporting a post).
- search: full-text search over the posts a reader may see.
- member_data: the forum's part of a member's export and erasure.

Public functions follow the services pattern: `fn(actor, *, session, ...)`, check permission with
hub_app.domain.forum, validate what came from the browser, run one transaction, return plain
dataclasses.

Notifications: a mention notifies the member mentioned (in-app and email); a reply notifies the
members watching the thread (the author watches their own thread) and the author of the post
replied to (in-app). Nobody is notified from a thread they muted, nor twice for one post, nor
for a post that is waiting for review (they are told when staff approve it).
"""

from hub_app.services.forum import member_data as member_data
from hub_app.services.forum.reading import (
    get_thread,
    list_categories,
    list_threads,
    post_source,
    quote_post,
    threads_by,
)
from hub_app.services.forum.shared import author_label, display_name
from hub_app.services.forum.views import (
    POSTS_PER_PAGE,
    THREADS_PER_PAGE,
    CategoryPage,
    CategoryRow,
    PostSaved,
    PostView,
    ThreadRow,
    ThreadView,
)
from hub_app.services.forum.writing import delete_post, edit_post, reply, set_watch, start_thread, toggle_like

__all__ = [
    "POSTS_PER_PAGE", "THREADS_PER_PAGE", "CategoryPage", "CategoryRow", "PostSaved", "PostView", "ThreadRow",
    "ThreadView", "author_label", "delete_post", "display_name", "edit_post", "get_thread", "list_categories",
    "list_threads", "post_source", "quote_post", "reply", "set_watch", "start_thread", "threads_by", "toggle_like",
]

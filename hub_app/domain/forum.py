"""Forum rules with no database: who may read, post, edit and moderate; edit window; rate limits;
mention parsing and handles; which posts wait for review; moderation transitions.

A rule that refuses raises a HubError whose key names the translated message, so the member reads
why (e.g. "this thread is locked", "you are posting too fast, try again in 4 minutes").
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub_app.domain import validation
from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.domain.membership import ACTIVE, PENDING
from hub_app.domain.permissions import Actor

# Who may read a category, and who may start threads in it.
PUBLIC = "public"
MEMBERS = "members"
STAFF_ONLY = "staff"
READ_ACCESS = (PUBLIC, MEMBERS)
START_ACCESS = (MEMBERS, STAFF_ONLY)

# Thread states: visible to its readers; pending while its opening post waits for review;
# deleted by staff (kept for the record, shown to staff only).
THREAD_VISIBLE = "visible"
THREAD_PENDING = "pending"
THREAD_DELETED = "deleted"

# Post states: visible; pending review; hidden by staff; deleted by its author or staff (a
# placeholder stays so replies still make sense, the text is erased).
VISIBLE = "visible"
REVIEW = "pending"
HIDDEN = "hidden"
DELETED = "deleted"
POST_STATES = (VISIBLE, REVIEW, HIDDEN, DELETED)

REPORT_REASONS = ("spam", "abuse", "off_topic", "other")
WATCH_LEVELS = ("watching", "normal", "muted")

TITLE_MIN = 5
TITLE_MAX = 150
BODY_MAX = 20_000  # characters of Markdown; a 100 KB post is refused with a clear message
NOTE_MAX = 500
MAX_MENTIONS = 10
EDIT_WINDOW = timedelta(hours=24)
MAX_SUSPENSION_DAYS = 365
# A member's posts with links wait for staff review until this many of their posts were published.
TRUSTED_AFTER_POSTS = 3
SLUG_MAX = 40
RESERVED_SLUGS = frozenset({"t", "search", "new", "admin"})


@dataclass(frozen=True)
class RateLimit:
    limit: int
    window: timedelta


# Per member; staff are not limited. Each kind has its own message.
RATE_LIMITS = {
    "thread": RateLimit(5, timedelta(hours=1)),
    "post": RateLimit(10, timedelta(minutes=10)),
    "report": RateLimit(10, timedelta(hours=1)),
}


def can_read_members_area(actor: Actor | None) -> bool:
    """Pending and active members (and staff) read members-only categories and the directory."""
    return actor is not None and (actor.is_staff or actor.status in (ACTIVE, PENDING))


def may_read(actor: Actor | None, read_access: str) -> bool:
    return read_access == PUBLIC or can_read_members_area(actor)


def check_may_read(actor: Actor | None, read_access: str) -> None:
    if not may_read(actor, read_access):
        raise NotAllowed("forum.error.members_only")


def may_moderate(actor: Actor | None) -> bool:
    return actor is not None and actor.is_staff and actor.is_active


def _check_active(actor: Actor | None) -> None:
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    if not actor.is_active:
        raise NotAllowed("error.active_required")


def check_not_suspended(actor: Actor, suspended_until: datetime | None, now: datetime) -> None:
    if suspended_until is not None and suspended_until > now and not actor.is_staff:
        raise NotAllowed("forum.error.suspended", until=suspended_until)


def check_may_start_thread(actor: Actor | None, *, read_access: str, start_access: str,
                           suspended_until: datetime | None, now: datetime) -> None:
    _check_active(actor)
    check_may_read(actor, read_access)
    if start_access == STAFF_ONLY and not actor.is_staff:
        raise NotAllowed("forum.error.staff_only_category")
    check_not_suspended(actor, suspended_until, now)


def check_may_reply(actor: Actor | None, *, read_access: str, thread_state: str, locked: bool,
                    suspended_until: datetime | None, now: datetime) -> None:
    _check_active(actor)
    check_may_read(actor, read_access)
    if thread_state != THREAD_VISIBLE:
        raise NotAllowed("forum.error.thread_closed")
    if locked and not actor.is_staff:
        raise NotAllowed("forum.error.locked")
    check_not_suspended(actor, suspended_until, now)


def check_may_edit(actor: Actor | None, *, author_id: int, state: str, created_at: datetime, locked: bool,
                   suspended_until: datetime | None, now: datetime) -> None:
    """Authors edit their own posts within the edit window; nobody edits someone else's words
    (staff hide a post instead)."""
    _check_active(actor)
    if actor.user_id != author_id:
        raise NotAllowed("forum.error.not_author")
    if state in (DELETED, HIDDEN):
        raise NotAllowed("forum.error.post_closed")
    if locked and not actor.is_staff:
        raise NotAllowed("forum.error.locked")
    if now - created_at > EDIT_WINDOW:
        raise NotAllowed("forum.error.edit_window", hours=int(EDIT_WINDOW.total_seconds() // 3600))
    check_not_suspended(actor, suspended_until, now)


def check_may_delete(actor: Actor | None, *, author_id: int, state: str) -> None:
    """Authors delete their own posts at any time (their words, their choice); staff too."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    if actor.user_id != author_id and not may_moderate(actor):
        raise NotAllowed("forum.error.not_author")
    if state == DELETED:
        raise NotAllowed("forum.error.post_closed")


def check_may_react(actor: Actor | None, *, author_id: int, state: str) -> None:
    _check_active(actor)
    if state != VISIBLE:
        raise NotAllowed("forum.error.post_closed")
    if actor.user_id == author_id:
        raise NotAllowed("forum.error.own_post")


def check_may_report(actor: Actor | None, *, author_id: int, state: str) -> None:
    _check_active(actor)
    if actor.user_id == author_id:
        raise NotAllowed("forum.error.own_post")
    if state not in (VISIBLE,):
        raise NotAllowed("forum.error.post_closed")


def check_may_moderate(actor: Actor | None) -> None:
    if not may_moderate(actor):
        raise NotAllowed("admin.staff_only")


def post_visible_to(actor: Actor | None, *, state: str, author_id: int) -> bool:
    """Hidden and waiting posts are seen by their author and staff only; a deleted post shows
    as a placeholder to everyone."""
    if state in (VISIBLE, DELETED):
        return True
    return actor is not None and (actor.user_id == author_id or actor.is_staff)


def thread_visible_to(actor: Actor | None, *, state: str, author_id: int) -> bool:
    if state == THREAD_VISIBLE:
        return True
    if actor is None:
        return False
    if state == THREAD_PENDING:
        return actor.user_id == author_id or actor.is_staff
    return actor.is_staff


def rate_limit_wait(kind: str, recent: list[datetime], now: datetime) -> timedelta | None:
    """How long a member must wait before doing `kind` again, or None when they may."""
    rule = RATE_LIMITS[kind]
    inside = sorted(at for at in recent if now - at < rule.window)
    if len(inside) < rule.limit:
        return None
    return inside[len(inside) - rule.limit] + rule.window - now


def check_rate_limit(actor: Actor, kind: str, recent: list[datetime], now: datetime) -> None:
    if actor.is_staff:
        return
    wait = rate_limit_wait(kind, recent, now)
    if wait is not None:
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        raise NotAllowed(f"forum.error.rate_{kind}", minutes=minutes)


def needs_review(actor: Actor, *, has_link: bool, published_posts: int) -> bool:
    """A new member's posts with links wait for staff review (the usual shape of link spam)."""
    return has_link and not actor.is_staff and published_posts < TRUSTED_AFTER_POSTS


# Moderation: action -> (post states it applies to, resulting state)
POST_MODERATION = {
    "hide": (frozenset({VISIBLE, REVIEW}), HIDDEN),
    "restore": (frozenset({HIDDEN, REVIEW}), VISIBLE),
}


def next_post_state(current: str, action: str) -> str | None:
    rule = POST_MODERATION.get(action)
    if rule is None or current not in rule[0]:
        return None
    return rule[1]


THREAD_FLAGS = {"lock": ("locked", True), "unlock": ("locked", False), "pin": ("pinned", True),
                "unpin": ("pinned", False)}


# --- Handles and mentions -------------------------------------------------------------------

HANDLE_MAX = 30
HANDLE_PATTERN = r"[a-z0-9](?:[a-z0-9-]{0,28}[a-z0-9])?"
# "@name" not glued to a word before it (so "rina@umkm.example" is an email, not a mention),
# ending at a character that cannot continue a handle.
MENTION_PATTERN = re.compile(rf"(?<![\w@/.-])@({HANDLE_PATTERN})(?![\w-])(?!@)", re.IGNORECASE)


def handle_base(name: str) -> str:
    """How a member is addressed in a mention: their name in lower-case ASCII words joined by
    hyphens ("Rina Kusuma" -> "rina-kusuma"); the service adds "-2", "-3"... to keep it unique."""
    ascii_name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_name)
    base = "-".join(words)[: HANDLE_MAX - 4].strip("-")
    return base or "member"


def unique_handle(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def mentions_in(text: str) -> list[str]:
    """The handles mentioned in a piece of plain text, lower-cased, in order, without repeats."""
    seen: list[str] = []
    for match in MENTION_PATTERN.finditer(text or ""):
        handle = match.group(1).lower()
        if handle not in seen:
            seen.append(handle)
    return seen


def check_mentions(handles: list[str], known: dict[str, int]) -> None:
    if len(handles) > MAX_MENTIONS:
        raise InvalidInput("forum.error.too_many_mentions", field="body", max=MAX_MENTIONS)
    for handle in handles:
        if handle not in known:
            raise InvalidInput("forum.error.unknown_mention", field="body", handle=handle)


# --- Categories -----------------------------------------------------------------------------

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


def check_slug(slug: str) -> str:
    if not SLUG_PATTERN.match(slug) or slug in RESERVED_SLUGS:
        raise InvalidInput("forum.error.slug", field="slug")
    return slug


# --- Keyset cursors -------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def encode_thread_cursor(pinned: bool, last_activity: datetime, thread_id: int) -> str:
    """Where the next page of a category starts: after (pinned, last activity, id), newest first.
    Whole microseconds, so the time round-trips exactly."""
    return f"{int(pinned)}.{(last_activity - _EPOCH) // _MICROSECOND}.{thread_id}"


def decode_thread_cursor(cursor: object) -> tuple[bool, datetime, int] | None:
    """(pinned, last activity, thread id), or None for no cursor; anything malformed raises."""
    if cursor in (None, ""):
        return None
    if not isinstance(cursor, str) or len(cursor) > 60:
        raise InvalidInput("error.invalid", field="cursor")
    match = re.fullmatch(r"([01])\.(\d{1,17})\.(\d{1,15})", cursor)
    if not match:
        raise InvalidInput("error.invalid", field="cursor")
    try:
        moment = _EPOCH + int(match.group(2)) * _MICROSECOND
    except OverflowError:
        raise InvalidInput("error.invalid", field="cursor") from None
    return match.group(1) == "1", moment, int(match.group(3))


# --- Text checks ----------------------------------------------------------------------------

def check_no_markup(value: str, *, field: str) -> str:
    """Titles and names are plain text: something that looks like an HTML tag is refused."""
    return validation.no_tags(value, field=field)

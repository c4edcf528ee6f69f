"""The member directory: active members who chose to be listed, searchable and filterable; their
public profiles; and suggestions of members whose offers match what I look for.

Only what a member chose to show leaves here: never an email unless they opted in (show_email),
never anyone who is not active or opted out (show_in_directory). Readers are signed-in members
(pending ones too) and staff; visitors are asked to sign in.

Other features add sections to /members/<id> by appending to PROFILE_SECTIONS a function
`(session, reader: Actor | None, member: User, locale: str) -> ProfileSection | None`
(e.g. the trainings feature: "Completed trainings"). The page shows each returned section with its
title and items, in list order, below the forum threads.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, or_, tuple_
from sqlmodel import Session, col, select

from hub_app.domain import members as matching
from hub_app.domain import validation
from hub_app.domain.errors import InvalidInput, NotAllowed, NotFound
from hub_app.domain.forum import can_read_members_area
from hub_app.domain.membership import ACTIVE
from hub_app.domain.permissions import Actor
from hub_app.domain.profiles import SECTORS, STAGES
from hub_app.i18n import CATALOGUE, format_short_datetime, translate
from hub_app.models import User
from hub_app.services import forum
from hub_app.services.profiles import avatar_url

PAGE_SIZE = 24
SUGGESTIONS = 5
# How many listed members' offers are compared for suggestions (the most recently active first).
SUGGESTION_POOL = 2000


@dataclass
class MemberCard:
    id: int
    name: str
    handle: str
    business_name: str
    sector: str  # translated label
    stage: str  # translated label
    offers: str
    looking_for: str
    avatar_url: str
    matched: str = ""  # for suggestions: the words that matched, e.g. "fotografer, ekspor"


@dataclass
class DirectoryPage:
    rows: list[MemberCard]
    next_cursor: str  # "" on the last page


@dataclass
class SectionItem:
    text: str
    detail: str = ""
    link: str = ""


@dataclass
class ProfileSection:
    title: str  # already in the reader's language
    items: list[SectionItem] = field(default_factory=list)
    empty_text: str = ""


@dataclass
class MemberProfile:
    id: int
    name: str
    handle: str
    business_name: str
    sector: str
    stage: str
    bio: str
    offers: str
    looking_for: str
    email: str  # "" unless the member opted in
    avatar_url: str
    member_since: str
    threads: list[forum.ThreadRow]
    sections: list[ProfileSection]


ProfileSectionHook = Callable[[Session, Actor | None, User, str], ProfileSection | None]
PROFILE_SECTIONS: list[ProfileSectionHook] = []


def _check_reader(actor: Actor | None) -> None:
    if actor is None:
        raise NotAllowed("members.error.sign_in")
    if not can_read_members_area(actor):
        raise NotAllowed("error.not_allowed")


def _listed():
    return (User.status == ACTIVE) & col(User.show_in_directory).is_(True)


def _label(prefix: str, value: str, locale: str) -> str:
    return translate(f"{prefix}.{value}", locale) if value and f"{prefix}.{value}" in CATALOGUE else ""


def _card(user: User, locale: str, matched: str = "") -> MemberCard:
    return MemberCard(id=user.id, name=user.name, handle=user.handle or "", business_name=user.business_name,
                      sector=_label("sector", user.sector, locale), stage=_label("stage", user.stage, locale),
                      offers=user.offers, looking_for=user.looking_for, avatar_url=avatar_url(user), matched=matched)


def _sectors_named(word: str) -> list[str]:
    """Sectors whose label (in either language) contains the word: "kuliner" finds culinary."""
    return [sector for sector in SECTORS
            if any(word in label.lower() for label in CATALOGUE[f"sector.{sector}"]) or word in sector]


def _decode_cursor(cursor: object) -> tuple[str, int] | None:
    if cursor in (None, ""):
        return None
    if not isinstance(cursor, str) or len(cursor) > 140 or "\x1f" not in cursor:
        raise InvalidInput("error.invalid", field="cursor")
    name, _, member_id = cursor.rpartition("\x1f")
    if not member_id.isdigit() or len(member_id) > 15:
        raise InvalidInput("error.invalid", field="cursor")
    return name, int(member_id)


def list_directory(actor: Actor | None, *, session: Session, query: object = "", sector: object = "",
                   stage: object = "", cursor: object = "", locale: str | None = None) -> DirectoryPage:
    """Listed members by name (keyset on lower(name), id); every word of the query must appear in
    the name, handle, business, sector, bio, offers or looking-for."""
    _check_reader(actor)
    locale = locale if locale in ("id", "en") else actor.locale
    query = validation.text(query, field="query", max_length=100)
    sector = validation.choice(sector, SECTORS, field="sector", required=False)
    stage = validation.choice(stage, STAGES, field="stage", required=False)
    position = _decode_cursor(cursor)

    sort_name = func.lower(User.name)
    statement = select(User).where(_listed())
    if sector:
        statement = statement.where(User.sector == sector)
    if stage:
        statement = statement.where(User.stage == stage)
    for word in query.lower().split()[:6]:
        pattern = "%" + word.replace("\\", "").replace("%", "").replace("_", "") + "%"
        if pattern == "%%":
            continue
        fields = [func.lower(getattr(User, name)).like(pattern)
                  for name in ("name", "handle", "business_name", "bio", "offers", "looking_for")]
        named = _sectors_named(word)
        if named:
            fields.append(col(User.sector).in_(named))
        statement = statement.where(or_(*fields))
    if position is not None:
        statement = statement.where(tuple_(sort_name, User.id) > tuple_(*position))
    users = session.exec(statement.order_by(sort_name, col(User.id)).limit(PAGE_SIZE + 1)).all()
    rows = [_card(user, locale) for user in users[:PAGE_SIZE]]
    next_cursor = ""
    if len(users) > PAGE_SIZE:
        last = users[PAGE_SIZE - 1]
        next_cursor = f"{last.name.lower()}\x1f{last.id}"
    return DirectoryPage(rows=rows, next_cursor=next_cursor)


def suggestions(actor: Actor | None, *, session: Session, locale: str | None = None) -> list[MemberCard]:
    """Listed members whose offers match what the reader looks for, best match first."""
    _check_reader(actor)
    locale = locale if locale in ("id", "en") else actor.locale
    me = session.get(User, actor.user_id)
    if me is None or not matching.keywords(me.looking_for):
        return []
    pool = session.exec(
        select(User.id, User.offers).where(_listed(), User.id != me.id, User.offers != "")
        .order_by(col(User.updated_at).desc()).limit(SUGGESTION_POOL)
    ).all()
    best = matching.best_matches(me.looking_for, [(member_id, offers) for member_id, offers in pool],
                                 limit=SUGGESTIONS)
    wanted = matching.keywords(me.looking_for)
    cards = []
    for member_id, _score in best:
        user = session.get(User, member_id)
        words = [word for word in _words(user.offers) if word[: matching.PREFIX] in wanted]
        cards.append(_card(user, locale, matched=", ".join(dict.fromkeys(words))))
    return cards


def _words(text: str) -> list[str]:
    return [word for word in re.findall(r"\w{3,}", (text or "").lower())
            if matching.keywords(word)]


def get_member(actor: Actor | None, *, session: Session, member_id: object, locale: str | None = None) -> MemberProfile:
    """A listed member's public profile, their latest threads and the sections other features add."""
    _check_reader(actor)
    locale = locale if locale in ("id", "en") else actor.locale
    try:
        member_id = validation.identifier(member_id, field="member")
    except InvalidInput:
        raise NotFound("members.error.missing") from None
    user = session.get(User, member_id)
    if user is None or user.status != ACTIVE or not user.show_in_directory:
        raise NotFound("members.error.missing")
    sections = []
    for hook in PROFILE_SECTIONS:
        section = hook(session, actor, user, locale)
        if section is not None:
            sections.append(section)
    return MemberProfile(
        id=user.id, name=user.name, handle=user.handle or "", business_name=user.business_name,
        sector=_label("sector", user.sector, locale), stage=_label("stage", user.stage, locale), bio=user.bio,
        offers=user.offers, looking_for=user.looking_for, email=user.email if user.show_email else "",
        avatar_url=avatar_url(user), member_since=format_short_datetime(user.created_at, locale),
        threads=forum.threads_by(actor, session=session, member_id=user.id, locale=locale), sections=sections)

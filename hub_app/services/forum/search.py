"""Forum search across thread titles and posts, ranked and highlighted, behind one function.

Ranking, the same on both engines: among the newest 1,000 matching posts (all of them, unless a
word is very common), posts whose thread title holds a query word first (opening posts carry the
title), then by relevance.
- SQLite (the embedded default): the FTS5 index forum_posts_fts (migration 0003), relevance by
  bm25 with the title weighted 5x the body, highlighted with highlight()/snippet().
- PostgreSQL: the generated tsvector column forum_posts.search_vector (title weight A, body B,
  'simple' configuration so Indonesian words are matched as written) with its GIN index,
  relevance by ts_rank_cd, highlighted with ts_headline (which also drops tag-like text).

The member's query never reaches either search syntax as written: it is cut into words (letters
and digits only) and each word is matched as a prefix. Highlights come back between two control
characters that member text cannot contain (validation strips them), and are turned into
(text, is_hit) parts, so the page shows them as text: member text cannot inject markup.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import Session

from hub_app.domain import forum as rules
from hub_app.domain import validation
from hub_app.domain.permissions import Actor
from hub_app.i18n import format_short_datetime
from hub_app.services.forum.shared import author_label

HIT_START = "\x02"
HIT_END = "\x03"
MAX_TERMS = 8
RESULTS = 20
# How many of the newest matching posts are ranked (see below).
CANDIDATES = 1000


@dataclass
class SnippetPart:
    text: str
    hit: bool


@dataclass
class SearchHit:
    post_id: int
    thread_id: int
    thread_title: str
    title_parts: list[SnippetPart]
    category_name: str
    author_name: str
    when: str
    parts: list[SnippetPart]
    link: str


def terms(query: str) -> list[str]:
    """The words of a query: lower-case runs of letters and digits, at least 2 long, at most 8."""
    words = []
    for word in re.findall(r"\w+", query.lower()):
        word = word.replace("_", "")
        if len(word) >= 2 and word not in words:
            words.append(word[:40])
    return words[:MAX_TERMS]


def parts(marked: str) -> list[SnippetPart]:
    """Splits a highlighted snippet into plain and highlighted runs of text."""
    result: list[SnippetPart] = []
    for index, chunk in enumerate(re.split(f"[{HIT_START}{HIT_END}]", marked or "")):
        if chunk:
            result.append(SnippetPart(text=chunk.replace(HIT_START, "").replace(HIT_END, ""), hit=index % 2 == 1))
    return result


def _readable(actor: Actor | None) -> list[str]:
    return [rules.PUBLIC, rules.MEMBERS] if rules.can_read_members_area(actor) else [rules.PUBLIC]


# Both engines first take the newest matching posts (CANDIDATES of them), then rank those: a word
# found in a third of all posts would otherwise mean scoring tens of thousands of rows per search.
# Below CANDIDATES matches (the usual case) the ranking covers every match.

_SQLITE_RANKED = """
WITH recent AS (
    SELECT rowid AS post_id, bm25(forum_posts_fts, 5.0, 1.0) AS relevance,
           instr(highlight(forum_posts_fts, 0, :start, :end), :start) > 0 AS in_title
    FROM forum_posts_fts
    WHERE forum_posts_fts MATCH :match
    ORDER BY rowid DESC
    LIMIT :candidates
)
SELECT recent.post_id, p.thread_id, t.title, c.name_id, c.name_en, u.name, u.status, p.created_at
FROM recent
JOIN forum_posts p ON p.id = recent.post_id
JOIN forum_threads t ON t.id = p.thread_id
JOIN forum_categories c ON c.id = t.category_id
JOIN users u ON u.id = p.author_id
WHERE p.state = 'visible' AND t.state = 'visible' AND c.read_access IN ({readable})
ORDER BY recent.in_title DESC, recent.relevance, recent.post_id DESC
LIMIT :limit
"""

_SQLITE_SNIPPETS = """
SELECT rowid, highlight(forum_posts_fts, 0, :start, :end), snippet(forum_posts_fts, 1, :start, :end, '…', 24)
FROM forum_posts_fts
WHERE forum_posts_fts MATCH :match AND rowid IN ({ids})
"""

_POSTGRES = """
WITH recent AS (
    SELECT p.id, p.search_vector
    FROM forum_posts p
    WHERE p.search_vector @@ to_tsquery('simple', :match)
    ORDER BY p.id DESC
    LIMIT :candidates
),
ranked AS (
    SELECT recent.id AS post_id,
           (recent.search_vector @@ to_tsquery('simple', :title_match))::int
           + ts_rank_cd(recent.search_vector, to_tsquery('simple', :match), 32) AS score
    FROM recent
),
visible AS (
    SELECT ranked.post_id, ranked.score, p.thread_id, t.title, p.search_title, p.body_text, c.name_id, c.name_en,
           u.name, u.status, p.created_at
    FROM ranked
    JOIN forum_posts p ON p.id = ranked.post_id
    JOIN forum_threads t ON t.id = p.thread_id
    JOIN forum_categories c ON c.id = t.category_id
    JOIN users u ON u.id = p.author_id
    WHERE p.state = 'visible' AND t.state = 'visible' AND c.read_access IN ({readable})
    ORDER BY ranked.score DESC, ranked.post_id DESC
    LIMIT :limit
)
SELECT visible.post_id, visible.thread_id, visible.title,
       CASE WHEN visible.search_title <> '' THEN ts_headline('simple', visible.search_title,
            to_tsquery('simple', :match), 'HighlightAll=true, StartSel=' || :start || ', StopSel=' || :end)
            ELSE '' END,
       ts_headline('simple', visible.body_text, to_tsquery('simple', :match),
            'MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … ", StartSel=' || :start
            || ', StopSel=' || :end),
       visible.name_id, visible.name_en, visible.name, visible.status, visible.created_at
FROM visible
ORDER BY visible.score DESC, visible.post_id DESC
"""

def _postgres_rows(session: Session, words: list[str], readable: str) -> list[tuple]:
    # Each word as itself OR as a prefix: the same matches as the prefix alone, but PostgreSQL's
    # statistics know the whole word, so for a common word it walks the newest posts instead of
    # fetching every match.
    params = {"start": HIT_START, "end": HIT_END, "candidates": CANDIDATES, "limit": RESULTS,
              "match": " & ".join(f"({word} | {word}:*)" for word in words),
              "title_match": " | ".join(f"{word}:*A" for word in words)}
    return [tuple(row) for row in session.execute(text(_POSTGRES.format(readable=readable)), params).all()]


def _sqlite_rows(session: Session, words: list[str], readable: str) -> list[tuple]:
    params = {"start": HIT_START, "end": HIT_END, "candidates": CANDIDATES, "limit": RESULTS,
              "match": " ".join(f'"{word}"*' for word in words)}
    rows = session.execute(text(_SQLITE_RANKED.format(readable=readable)), params).all()
    if not rows:
        return []
    ids = ", ".join(str(int(row[0])) for row in rows)  # integers from the database
    marked = {post_id: (title, body) for post_id, title, body in
              session.execute(text(_SQLITE_SNIPPETS.format(ids=ids)), params).all()}
    result = []
    for post_id, thread_id, title, name_id, name_en, author, status, created in rows:
        title_marked, body_marked = marked.get(post_id, ("", ""))
        result.append((post_id, thread_id, title, title_marked, body_marked, name_id, name_en, author, status,
                       created))
    return result


def search(actor: Actor | None, *, session: Session, query: object, locale: str | None = None) -> list[SearchHit]:
    """The best matching visible posts in the categories this reader may open (20 at most)."""
    query = validation.text(query, field="query", max_length=200)
    words = terms(query)
    if not words:
        return []
    locale = locale if locale in ("id", "en") else (actor.locale if actor else "id")
    readable = ", ".join(f"'{access}'" for access in _readable(actor))  # fixed values, not member input
    if session.get_bind().dialect.name == "postgresql":
        rows = _postgres_rows(session, words, readable)
    else:
        rows = _sqlite_rows(session, words, readable)
    hits = []
    for post_id, thread_id, title, title_marked, body_marked, name_id, name_en, author, status, created in rows:
        hits.append(SearchHit(
            post_id=post_id, thread_id=thread_id, thread_title=title,
            title_parts=parts(title_marked) if title_marked else [SnippetPart(text=title, hit=False)],
            category_name=(name_en or name_id) if locale == "en" else (name_id or name_en),
            author_name=author_label(author, status, locale), when=format_short_datetime(_aware(created), locale),
            parts=parts(body_marked), link=f"/forum/t/{thread_id}?from={post_id}"))
    return hits


def _aware(moment: datetime | str) -> datetime:
    """Raw SQL gives SQLite's stored text or PostgreSQL's aware datetime; both become aware UTC."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

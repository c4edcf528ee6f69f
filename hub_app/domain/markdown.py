"""Member-written Markdown -> sanitised HTML.

Two locks, so no markup a member wrote can run in another member's browser:
1. markdown-it renders CommonMark with raw HTML switched off (`<script>` becomes text) and refuses
   javascript:/vbscript:/data: links itself;
2. nh3 (ammonia) then keeps only the tags Markdown produces, only http/https/mailto links (and
   relative links into the forum and the member directory), and adds rel="nofollow noopener".

The result is stored next to the source and cleaned again before it is shown (`sanitize`), so a
change to the allow-list, or a row written by something else, is covered too.
"""

import html
import re
from functools import lru_cache
from urllib.parse import quote as percent_encode
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from hub_app.domain.forum import MENTION_PATTERN, mentions_in

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_CLASSES = {"a": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener"
# Relative links a member may write: into the forum and the directory, nowhere else (not
# /api/auth/sign-out, not protocol-relative //elsewhere). The shape is checked on the link as
# written, the place on the path as a browser resolves it (`relative_link`).
_RELATIVE_ALLOWED = re.compile(r"^/(forum|members)(/[A-Za-z0-9_\-./?=&#%]*)?$")
_RELATIVE_ROOTS = ("forum", "members")
_DECODE_ROUNDS = 4
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BARE_LINK = re.compile(r"(https?://|www\.)\S", re.IGNORECASE)


def relative_link(url: str) -> str | None:
    """The link, normalised, when it stays inside the forum or the directory; otherwise None.

    A prefix check on the text alone lets `/forum/../api/auth/sign-out` through, and a browser
    also resolves `%2e%2e`, backslashes and `//host`; a server behind a proxy may decode twice.
    So the path (up to the first `?` or `#` as written) is percent-decoded until it stops
    changing (links still changing after a few rounds are refused), backslashes count as
    slashes, empty and `.` segments drop out and `..` removes the segment before it; then the
    first segment must be `forum` or `members`. Only a few plain characters may be written (no
    space, backslash or `:`), and a control character, even encoded, refuses the link. What
    comes back is the resolved path with each segment encoded again, plus the query and
    fragment as written, so the browser follows exactly the path that was checked.
    """
    if not url or len(url) > 2048 or not _RELATIVE_ALLOWED.match(url):
        return None
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    path, tail = url[:cut], url[cut:]
    decoded, whole = path, url
    for _ in range(_DECODE_ROUNDS):
        decoded, whole = unquote(decoded), unquote(whole)
    if unquote(decoded) != decoded or _CONTROL.search(whole):
        return None
    segments: list[str] = []
    for segment in decoded.replace("\\", "/").split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    if not segments or segments[0] not in _RELATIVE_ROOTS:
        return None
    return "/" + "/".join(percent_encode(segment, safe="") for segment in segments) + tail


def _relative_url(url: str) -> str | None:
    return relative_link(url)


@lru_cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "breaks": True})
    md.enable(["table", "strikethrough"])
    # No images: a member's post must not make every reader's browser fetch an outside URL.
    md.disable("image")
    return md


@lru_cache
def _html_detector() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def has_raw_html(source: str) -> bool:
    """Whether the Markdown holds HTML outside code (it would only show as text: posts are
    Markdown, so the author is told to use Markdown or put code between backticks)."""
    for token in _html_detector().parse(source or ""):
        if token.type == "html_block":
            return True
        if token.type == "inline" and any(child.type == "html_inline" for child in token.children or ()):
            return True
    return False


def sanitize(fragment: str) -> str:
    """Keeps only the markup Markdown produces; safe to put into the page as HTML."""
    return nh3.clean(fragment or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     allowed_classes=ALLOWED_CLASSES, url_schemes=URL_SCHEMES, link_rel=LINK_REL,
                     url_relative=_relative_url, strip_comments=True,
                     clean_content_tags={"script", "style"})


def _inline_tokens(tokens: list[Token]):
    for token in tokens:
        if token.type == "inline" and token.children:
            yield token


def mentions(source: str, *, include_quotes: bool = False) -> list[str]:
    """Handles mentioned in the text of a post, leaving out code and link text, and (unless
    asked) quoted text, so quoting a post does not notify the people it mentioned again."""
    found: list[str] = []
    quote_depth = 0
    for token in _parser().parse(source or ""):
        if token.type == "blockquote_open":
            quote_depth += 1
        elif token.type == "blockquote_close":
            quote_depth -= 1
        if token.type != "inline" or not token.children or (quote_depth and not include_quotes):
            continue
        inline = token
        in_link = 0
        for child in inline.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            elif child.type == "text" and not in_link:
                for handle in mentions_in(child.content):
                    if handle not in found:
                        found.append(handle)
    return found


def _link_mentions(inline: Token, people: dict[str, int]) -> None:
    children: list[Token] = []
    in_link = 0
    for child in inline.children:
        if child.type == "link_open":
            in_link += 1
        elif child.type == "link_close":
            in_link -= 1
        if child.type != "text" or in_link or "@" not in child.content:
            children.append(child)
            continue
        text, position = child.content, 0
        for match in MENTION_PATTERN.finditer(text):
            handle = match.group(1).lower()
            if handle not in people:
                continue
            if match.start() > position:
                children.append(_text(text[position:match.start()]))
            link = Token("link_open", "a", 1)
            link.attrs = {"href": f"/members/{people[handle]}", "class": "mention"}
            children.extend([link, _text(f"@{handle}"), Token("link_close", "a", -1)])
            position = match.end()
        if position < len(text):
            children.append(_text(text[position:]))
    inline.children = children


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def render(source: str, *, people: dict[str, int] | None = None) -> str:
    """Sanitised HTML for a post; `people` maps mentioned handles to member ids (mentions of
    anyone else stay plain text)."""
    md = _parser()
    tokens = md.parse(source or "")
    if people:
        for inline in _inline_tokens(tokens):
            _link_mentions(inline, people)
    return sanitize(md.renderer.render(tokens, md.options, {}))


def plain_text(fragment: str) -> str:
    """The words of a rendered post, for search and for short excerpts in notifications."""
    text = nh3.clean(re.sub(r"<(br|/p|/li|/h\d|/pre|/blockquote|/tr)\b[^>]*>", " \\g<0>", fragment or ""),
                     tags=set())
    return " ".join(html.unescape(text).split())


def has_link(source: str, fragment: str) -> bool:
    """Whether a post carries a link to the outside (a Markdown link or a bare URL)."""
    return 'href="http' in fragment or 'href="mailto' in fragment or bool(_BARE_LINK.search(source or ""))


def quote(source: str, author: str, *, limit: int = 600) -> str:
    """A Markdown quote of (the start of) a post, for replying to it."""
    text = (source or "").strip()
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    lines = [f"> **{_escape_inline(author)}:**", ">"]
    lines += [f"> {line}" if line else ">" for line in text.splitlines()]
    return "\n".join(lines) + "\n\n"


def _escape_inline(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~])", r"\\\1", text)


def excerpt(text: str, limit: int = 140) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"

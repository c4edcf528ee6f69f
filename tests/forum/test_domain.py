"""Forum rules without a database: permissions per category and role, edit window, rate limits,
mentions and handles, review of new members' links, moderation transitions, Markdown safety,
and member matching."""

import html
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from hub_app.domain import forum as rules
from hub_app.domain import markdown
from hub_app.domain import members as matching
from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.domain.permissions import Actor

NOW = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)
VISITOR = None
PENDING = Actor(user_id=2, role="member", status="pending")
MEMBER = Actor(user_id=3, role="member", status="active")
OTHER = Actor(user_id=4, role="member", status="active")
REJECTED = Actor(user_id=5, role="member", status="rejected")
STAFF = Actor(user_id=9, role="staff", status="active")


# --- Reading ---------------------------------------------------------------------------------

@pytest.mark.parametrize("actor, public, members", [
    (VISITOR, True, False), (REJECTED, True, False), (PENDING, True, True), (MEMBER, True, True), (STAFF, True, True),
])
def test_who_reads_which_category(actor, public, members):
    assert rules.may_read(actor, rules.PUBLIC) is public
    assert rules.may_read(actor, rules.MEMBERS) is members
    if not members:
        with pytest.raises(NotAllowed) as refused:
            rules.check_may_read(actor, rules.MEMBERS)
        assert refused.value.key == "forum.error.members_only"


# --- Starting threads and replying -------------------------------------------------------------

def _start(actor, *, start_access=rules.MEMBERS, read_access=rules.PUBLIC, suspended_until=None):
    rules.check_may_start_thread(actor, read_access=read_access, start_access=start_access,
                                 suspended_until=suspended_until, now=NOW)


@pytest.mark.parametrize("actor, key", [
    (VISITOR, "error.sign_in_required"), (PENDING, "error.active_required"), (REJECTED, "error.active_required"),
])
def test_only_active_members_start_threads(actor, key):
    with pytest.raises(NotAllowed) as refused:
        _start(actor)
    assert refused.value.key == key


def test_active_members_and_staff_start_threads_in_member_categories():
    _start(MEMBER)
    _start(STAFF, read_access=rules.MEMBERS)


def test_staff_only_categories_refuse_members_but_not_staff():
    with pytest.raises(NotAllowed) as refused:
        _start(MEMBER, start_access=rules.STAFF_ONLY)
    assert refused.value.key == "forum.error.staff_only_category"
    _start(STAFF, start_access=rules.STAFF_ONLY)


def test_a_suspended_member_cannot_post_until_the_suspension_ends():
    with pytest.raises(NotAllowed) as refused:
        _start(MEMBER, suspended_until=NOW + timedelta(days=3))
    assert refused.value.key == "forum.error.suspended" and refused.value.params["until"] == NOW + timedelta(days=3)
    _start(MEMBER, suspended_until=NOW - timedelta(seconds=1))


def _reply(actor, *, locked=False, state=rules.THREAD_VISIBLE, read_access=rules.PUBLIC):
    rules.check_may_reply(actor, read_access=read_access, thread_state=state, locked=locked,
                          suspended_until=None, now=NOW)


def test_locked_threads_take_replies_from_staff_only():
    with pytest.raises(NotAllowed) as refused:
        _reply(MEMBER, locked=True)
    assert refused.value.key == "forum.error.locked"
    _reply(STAFF, locked=True)


def test_nobody_replies_to_a_thread_that_waits_for_review_or_was_deleted():
    for state in (rules.THREAD_PENDING, rules.THREAD_DELETED):
        with pytest.raises(NotAllowed):
            _reply(STAFF, state=state)


def test_a_pending_member_reads_a_members_category_but_cannot_reply():
    with pytest.raises(NotAllowed) as refused:
        _reply(PENDING, read_access=rules.MEMBERS)
    assert refused.value.key == "error.active_required"


# --- Editing and deleting ----------------------------------------------------------------------

def _edit(actor, *, author_id=MEMBER.user_id, state=rules.VISIBLE, age=timedelta(minutes=5), locked=False):
    rules.check_may_edit(actor, author_id=author_id, state=state, created_at=NOW - age, locked=locked,
                         suspended_until=None, now=NOW)


def test_authors_edit_their_own_posts_within_the_edit_window():
    _edit(MEMBER)
    _edit(MEMBER, age=rules.EDIT_WINDOW - timedelta(seconds=1))
    with pytest.raises(NotAllowed) as refused:
        _edit(MEMBER, age=rules.EDIT_WINDOW + timedelta(seconds=1))
    assert refused.value.key == "forum.error.edit_window" and refused.value.params["hours"] == 24


def test_nobody_edits_someone_elses_post_not_even_staff():
    for actor in (OTHER, STAFF):
        with pytest.raises(NotAllowed) as refused:
            _edit(actor)
        assert refused.value.key == "forum.error.not_author"


def test_hidden_deleted_and_locked_posts_cannot_be_edited_by_their_author():
    for state in (rules.HIDDEN, rules.DELETED):
        with pytest.raises(NotAllowed):
            _edit(MEMBER, state=state)
    with pytest.raises(NotAllowed):
        _edit(MEMBER, locked=True)


def test_authors_and_staff_delete_posts_others_cannot():
    rules.check_may_delete(MEMBER, author_id=MEMBER.user_id, state=rules.VISIBLE)
    rules.check_may_delete(STAFF, author_id=MEMBER.user_id, state=rules.HIDDEN)
    with pytest.raises(NotAllowed):
        rules.check_may_delete(OTHER, author_id=MEMBER.user_id, state=rules.VISIBLE)
    with pytest.raises(NotAllowed):
        rules.check_may_delete(VISITOR, author_id=MEMBER.user_id, state=rules.VISIBLE)
    with pytest.raises(NotAllowed):
        rules.check_may_delete(MEMBER, author_id=MEMBER.user_id, state=rules.DELETED)


def test_likes_and_reports_are_for_other_peoples_visible_posts():
    rules.check_may_react(OTHER, author_id=MEMBER.user_id, state=rules.VISIBLE)
    rules.check_may_report(OTHER, author_id=MEMBER.user_id, state=rules.VISIBLE)
    for check in (rules.check_may_react, rules.check_may_report):
        with pytest.raises(NotAllowed):
            check(MEMBER, author_id=MEMBER.user_id, state=rules.VISIBLE)
        with pytest.raises(NotAllowed):
            check(OTHER, author_id=MEMBER.user_id, state=rules.HIDDEN)
        with pytest.raises(NotAllowed):
            check(PENDING, author_id=MEMBER.user_id, state=rules.VISIBLE)


def test_hidden_and_waiting_posts_are_seen_by_their_author_and_staff_only():
    for state in (rules.HIDDEN, rules.REVIEW):
        assert rules.post_visible_to(MEMBER, state=state, author_id=MEMBER.user_id)
        assert rules.post_visible_to(STAFF, state=state, author_id=MEMBER.user_id)
        assert not rules.post_visible_to(OTHER, state=state, author_id=MEMBER.user_id)
        assert not rules.post_visible_to(VISITOR, state=state, author_id=MEMBER.user_id)
    assert rules.post_visible_to(VISITOR, state=rules.DELETED, author_id=MEMBER.user_id)  # the placeholder


def test_thread_visibility_by_state():
    assert rules.thread_visible_to(VISITOR, state=rules.THREAD_VISIBLE, author_id=3)
    assert rules.thread_visible_to(MEMBER, state=rules.THREAD_PENDING, author_id=MEMBER.user_id)
    assert not rules.thread_visible_to(OTHER, state=rules.THREAD_PENDING, author_id=MEMBER.user_id)
    assert not rules.thread_visible_to(MEMBER, state=rules.THREAD_DELETED, author_id=MEMBER.user_id)
    assert rules.thread_visible_to(STAFF, state=rules.THREAD_DELETED, author_id=MEMBER.user_id)


# --- Rate limits -------------------------------------------------------------------------------

def test_rate_limit_counts_only_inside_the_window_and_says_how_long_to_wait():
    rule = rules.RATE_LIMITS["thread"]
    recent = [NOW - timedelta(minutes=50 - index) for index in range(rule.limit)]
    wait = rules.rate_limit_wait("thread", recent, NOW)
    assert wait == recent[0] + rule.window - NOW == timedelta(minutes=10)
    assert rules.rate_limit_wait("thread", recent[1:], NOW) is None
    old = [NOW - rule.window - timedelta(seconds=1)] * 50
    assert rules.rate_limit_wait("thread", old, NOW) is None


@pytest.mark.parametrize("kind", ["thread", "post", "report"])
def test_rate_limits_refuse_members_with_a_message_and_let_staff_through(kind):
    rule = rules.RATE_LIMITS[kind]
    recent = [NOW - timedelta(seconds=30)] * rule.limit
    with pytest.raises(NotAllowed) as refused:
        rules.check_rate_limit(MEMBER, kind, recent, NOW)
    assert refused.value.key == f"forum.error.rate_{kind}"
    assert refused.value.params["minutes"] >= 1
    rules.check_rate_limit(STAFF, kind, recent, NOW)
    rules.check_rate_limit(MEMBER, kind, recent[1:], NOW)


def test_a_new_members_links_wait_for_review():
    assert rules.needs_review(MEMBER, has_link=True, published_posts=0)
    assert rules.needs_review(MEMBER, has_link=True, published_posts=rules.TRUSTED_AFTER_POSTS - 1)
    assert not rules.needs_review(MEMBER, has_link=True, published_posts=rules.TRUSTED_AFTER_POSTS)
    assert not rules.needs_review(MEMBER, has_link=False, published_posts=0)
    assert not rules.needs_review(STAFF, has_link=True, published_posts=0)


def test_moderation_transitions():
    assert rules.next_post_state(rules.VISIBLE, "hide") == rules.HIDDEN
    assert rules.next_post_state(rules.REVIEW, "hide") == rules.HIDDEN
    assert rules.next_post_state(rules.HIDDEN, "restore") == rules.VISIBLE
    assert rules.next_post_state(rules.REVIEW, "restore") == rules.VISIBLE
    assert rules.next_post_state(rules.DELETED, "restore") is None
    assert rules.next_post_state(rules.HIDDEN, "hide") is None
    assert rules.next_post_state(rules.VISIBLE, "explode") is None
    with pytest.raises(NotAllowed):
        rules.check_may_moderate(MEMBER)
    with pytest.raises(NotAllowed):
        rules.check_may_moderate(Actor(user_id=9, role="staff", status="suspended"))
    rules.check_may_moderate(STAFF)


# --- Handles and mentions ----------------------------------------------------------------------

@pytest.mark.parametrize("name, handle", [
    ("Rina Kusuma", "rina-kusuma"), ("  Andi   Pratama ", "andi-pratama"), ("Dewi Lestari-Putri", "dewi-lestari-putri"),
    ("Ñoño Élan", "nono-elan"), ("<script>alert(1)</script>", "script-alert-1-script"), ("李小龍", "member"),
    ("", "member"), ("A" * 80, "a" * 26),
])
def test_handles_come_from_the_name(name, handle):
    assert rules.handle_base(name) == handle


def test_handles_stay_unique_with_a_number():
    assert rules.unique_handle("rina-kusuma", set()) == "rina-kusuma"
    assert rules.unique_handle("rina-kusuma", {"rina-kusuma"}) == "rina-kusuma-2"
    assert rules.unique_handle("rina-kusuma", {"rina-kusuma", "rina-kusuma-2"}) == "rina-kusuma-3"


@pytest.mark.parametrize("text, handles", [
    ("Halo @rina-kusuma, apa kabar?", ["rina-kusuma"]),
    ("@Andi-Pratama dan @maya-hartono-2.", ["andi-pratama", "maya-hartono-2"]),
    ("kirim ke rina@umkm.example ya", []),
    ("(@maya) @maya @MAYA", ["maya"]),
    ("@rina_kusuma bukan handle", []),
    ("@ spasi dan @-awal", []),
    ("user@host @a", ["a"]),
])
def test_mention_parsing(text, handles):
    assert rules.mentions_in(text) == handles


def test_mentions_in_code_links_and_quotes_do_not_count():
    source = "> **Rina:**\n> halo @andi\n\n`@maya` [@dewi](https://x.example) terima kasih @rina-kusuma"
    assert markdown.mentions(source) == ["rina-kusuma"]
    assert markdown.mentions(source, include_quotes=True) == ["andi", "rina-kusuma"]


def test_mentions_must_name_existing_members_and_not_too_many():
    rules.check_mentions(["rina"], {"rina": 3})
    with pytest.raises(InvalidInput) as refused:
        rules.check_mentions(["rina", "hantu"], {"rina": 3})
    assert refused.value.key == "forum.error.unknown_mention" and refused.value.params["handle"] == "hantu"
    many = [f"m{index}" for index in range(rules.MAX_MENTIONS + 1)]
    with pytest.raises(InvalidInput):
        rules.check_mentions(many, {handle: 1 for handle in many})


# --- Titles, slugs, cursors --------------------------------------------------------------------

def test_titles_and_names_refuse_html_tags_but_keep_comparisons():
    assert rules.check_no_markup("Harga < 10 ribu? 3<5", field="title")
    for value in ("<script>alert(1)</script>", "x <img src=x onerror=alert(1)>", "</title>", "<!-- x -->"):
        with pytest.raises(InvalidInput) as refused:
            rules.check_no_markup(value, field="title")
        assert refused.value.key == "error.markup"


def test_slugs():
    assert rules.check_slug("kolaborasi-mitra") == "kolaborasi-mitra"
    for bad in ("", "Kolaborasi", "a b", "-x", "t", "search", "x" * 41, "<b>"):
        with pytest.raises(InvalidInput):
            rules.check_slug(bad)


def test_thread_cursor_round_trips_exactly_and_refuses_garbage():
    moment = datetime(2026, 3, 4, 5, 6, 7, 123457, tzinfo=UTC)
    assert rules.decode_thread_cursor(rules.encode_thread_cursor(True, moment, 55)) == (True, moment, 55)
    assert rules.decode_thread_cursor("") is None
    for bad in ("x", "2.1.1", "1.1", 5, ["1.2.3"], "1.2.3;drop", "1." + "9" * 30 + ".1"):
        with pytest.raises(InvalidInput):
            rules.decode_thread_cursor(bad)


# --- Markdown ----------------------------------------------------------------------------------

def test_markdown_renders_what_posts_need():
    html = markdown.render("## Judul\n\n- satu\n- dua\n\n> kutipan\n\n`kode` **tebal** [situs](https://jfch.example)")
    for fragment in ("<h2>Judul</h2>", "<li>satu</li>", "<blockquote>", "<code>kode</code>", "<strong>tebal</strong>",
                     '<a href="https://jfch.example" rel="nofollow noopener">situs</a>'):
        assert fragment in html


class _Markup(HTMLParser):
    """Collects the tags and attributes a browser would build from a fragment."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _markup(fragment: str) -> list[tuple[str, dict]]:
    parser = _Markup()
    parser.feed(fragment)
    return parser.tags


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>", "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "<img src=x onerror=alert(1)>",
    "![x](https://evil.example/x.png)", "[x](//evil.example)", "[x](/api/auth/sign-out)",
    '[x](https://a.example "title\\" onmouseover=\\"alert(1))', "<a href=javascript:alert(1)>x</a>",
    "[x](java&#115;cript:alert(1))", "[x](&#x6A;avascript:alert(1))", "[x](\tjavascript:alert(1))",
])
def test_markdown_never_yields_active_markup(source):
    for tag, attributes in _markup(markdown.render(source)):
        assert tag in markdown.ALLOWED_TAGS
        assert not any(name.startswith("on") or name in ("style", "src") for name in attributes)
        if tag == "a":
            assert attributes["rel"] == "nofollow noopener"
            href = attributes.get("href")
            assert href is None or href.startswith(("https://", "http://", "mailto:", "/forum/", "/members/"))


# Links an attacker writes to make a reader's browser go somewhere else on the hub (sign-out,
# an API route) or to another host, while the text starts with an allowed /forum or /members.
ATTACKER_LINKS = [
    "/forum/../api/auth/sign-out", "/forum/./../api/auth/sign-out", "/members/1/../../api/auth/sign-out",
    "/forum/t/1/../../../api/auth/sign-out", "/forum/../../../../etc/passwd",
    "/forum/%2e%2e/api/auth/sign-out", "/forum/%2E%2E/api/auth/sign-out", "/forum/.%2e/api/auth/sign-out",
    "/forum/%2e./api/auth/sign-out", "/forum/%252e%252e/api/auth/sign-out", "/forum/%25252e%25252e/api/auth/sign-out",
    "/forum/%25%32%65%25%32%65/api/auth/sign-out", "/forum/%%32%65%%32%65/api/auth/sign-out",
    "/forum/..%2fapi/auth/sign-out", "/forum/..%2Fapi%2Fauth%2Fsign-out", "/forum/%2e%2e%2fapi%2fauth%2fsign-out",
    "/forum/..%5capi/auth/sign-out", "/forum/%5c..%5c..%5capi", "/forum\\..\\api/auth/sign-out", "/forum/..\\api",
    "/forum/%3f/../../api/auth/sign-out", "/forum/%23/../../api/auth/sign-out",
    "/forum/%2f%2fevil.example", "/forum/..%2f%2fevil.example", "//evil.example/forum/", "/\\evil.example/forum",
    "\\\\evil.example/forum", "/%2fevil.example/forum", "/%5cevil.example/forum", "///evil.example/forum",
    "/forum/%00/../../api", "/forum/%0d%0aSet-Cookie:x", "/forum/%09/../../api", "/forum/%C2%85", "/forum/\t/../../api",
    "/forum/%7f", "JaVaScRiPt:alert(1)", "JAVASCRIPT:alert(1)", "jAvA%73cript:alert(1)", "VbScRiPt:msgbox(1)",
    "DaTa:text/html,<script>alert(1)</script>", "/forum/x?next=javascript:alert(1)", "%2fapi/auth/sign-out",
    "api/auth/sign-out", "/api/auth/sign-out?/forum/", "/Forum/../api/auth/sign-out",
]


def _hrefs(fragment: str) -> list[str]:
    return [attributes["href"] for tag, attributes in _markup(fragment) if tag == "a" and "href" in attributes]


def _assert_stays_in_forum_or_directory(href: str) -> None:
    if href.startswith(("https://", "http://", "mailto:")):
        return
    path = re.split(r"[?#]", href, maxsplit=1)[0]
    assert re.fullmatch(r"/(forum|members)(/[A-Za-z0-9_.~%-]+)*", path), href
    for trick in ("..", "%2e", "%2f", "%5c", "%25", "\\", "//"):
        assert trick not in path.lower(), href
    # As a browser resolves it from a thread page (it also reads %2e as a dot and \ as /):
    resolved = urlsplit(urljoin("https://hub.example/forum/t/1", href))
    assert resolved.netloc == "hub.example" and resolved.path.startswith(("/forum", "/members")), href


@pytest.mark.parametrize("link", ATTACKER_LINKS)
def test_relative_links_cannot_leave_the_forum_and_the_directory(link):
    written = [f"[x]({link})", f"[x](<{link}>)", f'<a href="{html.escape(link)}">x</a>']
    fragments = [markdown.render(source) for source in written[:2]] + [markdown.sanitize(written[2])]
    for fragment in fragments:
        for href in _hrefs(fragment):
            _assert_stays_in_forum_or_directory(href)
    kept = markdown.relative_link(link)
    assert kept is None or kept == "/forum/evil.example", kept


@pytest.mark.parametrize("link, kept", [
    ("/forum/t/12", "/forum/t/12"), ("/members/7", "/members/7"), ("/forum", "/forum"),
    ("/forum/search?q=kopi%20susu", "/forum/search?q=kopi%20susu"), ("/forum/t/12#post-3", "/forum/t/12#post-3"),
    ("/forum/t/12/", "/forum/t/12"), ("/forum/t/1/../2", "/forum/t/2"), ("/forum//t/./12", "/forum/t/12"),
    ("/forum/x/%2e%2e/%2e%2e/members/1", "/members/1"),
])
def test_relative_links_inside_are_kept_with_the_path_resolved(link, kept):
    assert markdown.relative_link(link) == kept
    assert _hrefs(markdown.render(f"[x]({link})")) == [kept]


def test_sanitize_removes_what_markdown_never_produces():
    dirty = ('<p onclick="alert(1)">x</p><script>alert(2)</script><iframe src="https://x"></iframe>'
             '<a href="javascript:alert(3)" class="mention evil">m</a><svg onload=alert(4)></svg><style>*{}</style>')
    clean = markdown.sanitize(dirty)
    assert clean == '<p>x</p><a class="mention" rel="nofollow noopener">m</a>'


def test_raw_html_is_detected_outside_code_only():
    assert markdown.has_raw_html("hi <b>x</b>")
    assert markdown.has_raw_html("<script>alert(1)</script>")
    assert not markdown.has_raw_html("`<b>` and\n\n```\n<script>\n```\n\na < b")


def test_links_are_detected_for_review():
    assert markdown.has_link("lihat www.example.com", markdown.render("lihat www.example.com"))
    assert markdown.has_link("[a](https://x.example)", markdown.render("[a](https://x.example)"))
    assert not markdown.has_link("tanpa tautan", markdown.render("tanpa tautan"))
    assert not markdown.has_link("@rina", markdown.render("@rina", people={"rina": 3}))


def test_mentions_become_links_to_the_member():
    html = markdown.render("halo @rina dan @hantu `@rina`", people={"rina": 7})
    assert '<a href="/members/7" class="mention" rel="nofollow noopener">@rina</a>' in html
    assert "@hantu" in html and html.count("/members/7") == 1


def test_quote_escapes_the_author_and_quotes_every_line():
    quoted = markdown.quote("baris satu\nbaris dua", "Rina [admin](x)")
    assert quoted.startswith("> **Rina \\[admin\\]\\(x\\):**")
    assert "> baris satu\n> baris dua" in quoted
    assert "<a" not in markdown.render(quoted)


# --- Member matching ---------------------------------------------------------------------------

def test_keywords_drop_common_words_and_compare_by_prefix():
    assert matching.keywords("Fotografer produk dan mitra ekspor ke Jerman") == {"fotog", "produ", "mitra", "ekspo",
                                                                                   "jerma"}
    assert matching.match_score("Fotografer produk", "Fotografi produk untuk UMKM") == 2
    assert matching.match_score("Developer aplikasi", "Pengembangan aplikasi web, developer Python") == 2
    assert matching.match_score("investor", "Desain motif batik") == 0


def test_best_matches_orders_by_score_then_id_and_leaves_out_non_matches():
    candidates = [(5, "aplikasi mobile"), (3, "developer aplikasi web"), (4, "batik"), (2, "aplikasi")]
    assert matching.best_matches("developer aplikasi", candidates) == [(3, 2), (2, 1), (5, 1)]
    assert matching.best_matches("", candidates) == []

"""Forum, moderation and member directory handlers, called as each kind of actor with real and
crafted payloads: visitors read public categories, pending members read, active members post,
staff moderate; nobody edits or deletes someone else's post, nobody but staff moderates, and junk
never crashes or changes anything."""

import pytest
from sqlmodel import Session, col, select

from hub_app.domain.permissions import Actor
from hub_app.i18n import translate
from hub_app.models import (
    AuditEntry,
    ForumCategory,
    ForumPost,
    ForumReport,
    ForumSuspension,
    ForumThread,
    ForumWatch,
    Notification,
    User,
)
from hub_app.pages.admin_forum import AdminForumState
from hub_app.pages.forum import ForumState
from hub_app.pages.forum_category import ForumCategoryState
from hub_app.pages.forum_search import ForumSearchState
from hub_app.pages.forum_thread import ForumThreadState
from hub_app.pages.members import DirectoryState, MemberProfileState
from hub_app.services import forum
from hub_app.services.forum import moderation
from tests.handlers.handler_harness import MEGABYTE_TEXT, covers, db_fingerprint, junk_forms, rows

FORUM_TABLES = ["forum_categories", "forum_threads", "forum_posts", "forum_reactions", "forum_watches",
                "forum_reports", "forum_suspensions", "audit_entries", "notifications"]
NOT_STAFF = ["visitor", "pending", "active"]
STAFF = ["staff", "admin"]


def actor(person) -> Actor:
    return Actor(user_id=person.id, role=person.role, status=person.status, name=person.name)


@pytest.fixture
def board(people):
    """Categories and a thread by `other`, with a reply by `active`."""
    with Session(people.engine, expire_on_commit=False) as session:
        kinds = [("umum", "public", "members"), ("anggota", "members", "members"), ("pengumuman", "public", "staff")]
        for position, (slug, read, start) in enumerate(kinds):
            session.add(ForumCategory(slug=slug, name_id=f"Kategori {slug}", name_en=f"Category {slug}",
                                      position=position, read_access=read, start_access=start))
        session.commit()
        thread = forum.start_thread(actor(people.other), session=session, slug="umum", title="Topik milik orang lain",
                                    body="Isi dari orang lain")
        answer = forum.reply(actor(people.active), session=session, thread_id=thread.thread_id,
                             body="Balasan dari anggota aktif")
        members_only = forum.start_thread(actor(people.other), session=session, slug="anggota",
                                          title="Rahasia anggota", body="Hanya untuk anggota")
    return {"thread": thread.thread_id, "opening": thread.post_id, "answer": answer.post_id,
            "members_thread": members_only.thread_id}


def _acceptable_body(value) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= 20_000 and "<" not in value


def thread_tab(hub, person, board, **query):
    tab = hub.browser(person)
    tab.load(f"/forum/t/{board['thread']}", **query).ok()
    return tab


# --- ForumState ----------------------------------------------------------------------------------

@covers(ForumState.load)
@pytest.mark.parametrize("role, sees_members", [("visitor", False), ("pending", True), ("active", True),
                                                ("staff", True)])
def test_forum_lists_the_categories_the_reader_may_open(role, sees_members, hub, people, board):
    tab = hub.browser(people.by_role()[role])
    tab.load("/forum").ok()
    slugs = [row.slug for row in tab.state(ForumState).categories]
    assert ("anggota" in slugs) is sees_members and "umum" in slugs


@covers(ForumState.search)
def test_search_box_opens_the_results_page_with_the_words_escaped(hub, people, board):
    tab = hub.browser()
    tab.load("/forum")
    outcome = tab.call(ForumState.search, {"q": "kopi & <b>"}).ok()
    assert "/forum/search?q=kopi%20%26%20%3Cb%3E" in outcome.delta_text() + " ".join(outcome.scripts)
    for form in junk_forms(q="kopi"):
        tab.call(ForumState.search, form).ok()


# --- ForumCategoryState --------------------------------------------------------------------------

@covers(ForumCategoryState.load, ForumCategoryState.next_page, ForumCategoryState.first_page)
def test_category_pages(hub, people, board):
    for number in range(25):  # a session per call, as in the app
        with Session(people.engine) as session:
            forum.start_thread(Actor(people.staff.id, "staff", "active"), session=session, slug="umum",
                               title=f"Topik staf {number:02d}", body="Isi")
    tab = hub.browser()
    tab.load("/forum/umum").ok()
    state = tab.state(ForumCategoryState)
    first = [row.id for row in state.threads]
    assert len(first) == 20 and state.next_cursor and not state.may_start and state.start_hint
    tab.call(ForumCategoryState.next_page).ok()
    second = [row.id for row in tab.state(ForumCategoryState).threads]
    assert len(second) == 6 and not set(first) & set(second)
    tab.call(ForumCategoryState.next_page).ok()  # no further page: nothing happens
    tab.call(ForumCategoryState.first_page).ok()
    assert [row.id for row in tab.state(ForumCategoryState).threads] == first
    tab.send(ForumCategoryState.next_page, {"cursor": "1.1.1"}).not_crashed()


@covers(ForumCategoryState.load)
@pytest.mark.parametrize("path", ["/forum/tidak-ada", "/forum/" + "x" * 300, "/forum/%3Cscript%3E"])
def test_a_category_that_does_not_exist_shows_a_message(path, hub, people, board):
    tab = hub.browser(people.active)
    tab.load(path).ok()
    state = tab.state(ForumCategoryState)
    assert not state.found and state.error == translate("forum.error.category_missing", "id")


@covers(ForumCategoryState.load)
def test_visitors_cannot_open_a_members_category(hub, people, board):
    tab = hub.browser()
    tab.load("/forum/anggota").ok()
    state = tab.state(ForumCategoryState)
    assert state.threads == [] and state.error == translate("forum.error.members_only", "id")
    pending = hub.browser(people.pending)
    pending.load("/forum/anggota").ok()
    assert [row.title for row in pending.state(ForumCategoryState).threads] == ["Rahasia anggota"]
    assert not pending.state(ForumCategoryState).may_start


@covers(ForumCategoryState.start_thread)
@pytest.mark.parametrize("role", ["visitor", "pending"])
def test_only_active_members_start_threads(role, hub, people, board):
    tab = hub.browser(people.by_role()[role])
    tab.load("/forum/umum")
    before = db_fingerprint(people.engine, FORUM_TABLES)
    tab.call(ForumCategoryState.start_thread, {"title": "Judul yang sah", "body": "Isi"}).ok()
    assert tab.state(ForumCategoryState).form_error
    assert db_fingerprint(people.engine, FORUM_TABLES) == before


@covers(ForumCategoryState.start_thread)
def test_an_active_member_starts_a_thread_and_is_taken_to_it(hub, people, board):
    tab = hub.browser(people.active)
    tab.load("/forum/umum")
    outcome = tab.call(ForumCategoryState.start_thread, {"title": "Cari mitra ekspor", "body": "Halo **semua**"}).ok()
    [thread] = rows(people.engine, ForumThread, ForumThread.title == "Cari mitra ekspor")
    assert thread.author_id == people.active.id
    assert f"/forum/t/{thread.id}" in outcome.delta_text() + " ".join(outcome.scripts)


@covers(ForumCategoryState.start_thread)
def test_staff_only_category_and_bad_threads_are_refused_with_a_message(hub, people, board):
    tab = hub.browser(people.active)
    tab.load("/forum/pengumuman")
    before = db_fingerprint(people.engine, FORUM_TABLES)
    tab.call(ForumCategoryState.start_thread, {"title": "Pengumuman palsu", "body": "Isi"}).ok()
    assert tab.state(ForumCategoryState).form_error == translate("forum.error.staff_only_category", "id")
    tab.load("/forum/umum")
    for form, key in [({"title": "", "body": "Isi"}, "error.field_required"),
                      ({"title": "Judul sah", "body": "x" * 102_400}, "error.field_too_long"),
                      ({"title": "Judul sah", "body": "<script>alert(1)</script>"}, "forum.error.html"),
                      ({"title": "<img src=x onerror=alert(1)>", "body": "Isi"}, "error.markup"),
                      ({"title": "Judul sah", "body": "halo @tidak-ada-orang"}, "forum.error.unknown_mention")]:
        tab.call(ForumCategoryState.start_thread, form).ok()
        assert translate(key, "id", max=20000, handle="tidak-ada-orang").split("{")[0] in \
            tab.state(ForumCategoryState).form_error
    for form in junk_forms(title="Judul yang sah", body="Isi"):
        if isinstance(form.get("title"), str) and isinstance(form.get("body"), str) and \
                len(form["title"]) >= 5 and form["body"].strip() and len(form["body"]) <= 20000 \
                and "<" not in form["title"] + form["body"]:
            continue  # a valid thread; not junk
        tab.call(ForumCategoryState.start_thread, form).ok()
    assert db_fingerprint(people.engine, FORUM_TABLES) == before


# --- ForumThreadState ----------------------------------------------------------------------------

@covers(ForumThreadState.load)
@pytest.mark.parametrize("thread_id", ["999999", "abc", "0", "-1", "9" * 40])
def test_a_thread_that_does_not_exist(thread_id, hub, people, board):
    tab = hub.browser(people.active)
    tab.load(f"/forum/t/{thread_id}").ok()
    state = tab.state(ForumThreadState)
    assert not state.found and state.error == translate("forum.error.thread_missing", "id") and state.posts == []


@covers(ForumThreadState.load)
def test_visitors_read_public_threads_but_not_members_threads(hub, people, board):
    tab = thread_tab(hub, None, board)
    state = tab.state(ForumThreadState)
    assert [post.author_name for post in state.posts] == ["Lain Orang", "Agus Aktif"] and not state.may_reply
    assert not any(post.may_edit or post.may_delete or post.may_like for post in state.posts)
    tab.load(f"/forum/t/{board['members_thread']}").ok()
    assert tab.state(ForumThreadState).posts == [] and not tab.state(ForumThreadState).found


@covers(ForumThreadState.newer, ForumThreadState.older)
def test_thread_pages(hub, people, board):
    for number in range(25):  # a session per call, as in the app
        with Session(people.engine) as session:
            forum.reply(Actor(people.staff.id, "staff", "active"), session=session, thread_id=board["thread"],
                        body=f"Balasan {number}")
    tab = thread_tab(hub, people.pending, board)
    first = [post.id for post in tab.state(ForumThreadState).posts]
    assert len(first) == 20
    tab.call(ForumThreadState.newer).ok()
    second = [post.id for post in tab.state(ForumThreadState).posts]
    assert len(second) == 7 and second[0] > first[-1]
    tab.call(ForumThreadState.newer).ok()
    tab.call(ForumThreadState.older).ok()
    assert [post.id for post in tab.state(ForumThreadState).posts] == first
    tab.call(ForumThreadState.older).ok()
    from_post = thread_tab(hub, people.pending, board, **{"from": str(second[0])})
    assert from_post.state(ForumThreadState).posts[0].id == second[0]


@covers(ForumThreadState.send_reply)
def test_an_active_member_replies_and_the_author_is_notified(hub, people, board):
    tab = thread_tab(hub, people.active, board)
    tab.call(ForumThreadState.send_reply, {"body": "Setuju, ayo kolaborasi!"}).ok()
    state = tab.state(ForumThreadState)
    assert state.info == translate("forum.posted", "id") and state.posts[-1].author_name == "Agus Aktif"
    kinds = [row.kind for row in rows(people.engine, Notification, Notification.user_id == people.other.id)]
    assert kinds == ["forum.reply", "forum.reply"]


@covers(ForumThreadState.send_reply)
@pytest.mark.parametrize("role", ["visitor", "pending"])
def test_visitors_and_pending_members_cannot_reply(role, hub, people, board):
    tab = thread_tab(hub, people.by_role()[role], board)
    before = db_fingerprint(people.engine, FORUM_TABLES)
    tab.call(ForumThreadState.send_reply, {"body": "Boleh ikut?"}).ok()
    assert tab.state(ForumThreadState).reply_error
    assert db_fingerprint(people.engine, FORUM_TABLES) == before


@covers(ForumThreadState.send_reply)
def test_bad_replies_and_locked_threads_are_refused_and_the_draft_kept(hub, people, board):
    tab = thread_tab(hub, people.active, board)
    before = db_fingerprint(people.engine, FORUM_TABLES)
    tab.call(ForumThreadState.send_reply, {"body": "<b>tebal</b>"}).ok()
    assert tab.state(ForumThreadState).reply_error == "Isi: " + translate("forum.error.html", "id")
    assert tab.state(ForumThreadState).draft == "<b>tebal</b>"
    for form in junk_forms(body=MEGABYTE_TEXT[:30_000]):
        if _acceptable_body(form.get("body")):
            continue  # e.g. "../../etc/passwd" is a fine (if odd) reply
        tab.call(ForumThreadState.send_reply, form).ok()
    assert db_fingerprint(people.engine, FORUM_TABLES) == before
    with Session(people.engine) as session:
        moderation.moderate_thread(Actor(people.staff.id, "staff", "active"), session=session,
                                         thread_id=board["thread"], action="lock")
    tab.call(ForumThreadState.send_reply, {"body": "Masih boleh?"}).ok()
    assert tab.state(ForumThreadState).reply_error == translate("forum.error.locked", "id")


@covers(ForumThreadState.quote, ForumThreadState.cancel_quote)
def test_quote_fills_the_reply_box_and_the_reply_points_at_the_post(hub, people, board):
    tab = thread_tab(hub, people.active, board)
    tab.call(ForumThreadState.quote, board["opening"]).ok()
    state = tab.state(ForumThreadState)
    assert state.draft.startswith("> **Lain Orang:**") and state.reply_to == board["opening"]
    tab.call(ForumThreadState.send_reply, {"body": state.draft + "Saya setuju."}).ok()
    [post] = rows(people.engine, ForumPost, ForumPost.body_source.contains("Saya setuju."))
    assert post.reply_to_id == board["opening"]
    tab.call(ForumThreadState.quote, board["opening"]).ok()
    tab.call(ForumThreadState.cancel_quote).ok()
    assert (tab.state(ForumThreadState).reply_to, tab.state(ForumThreadState).draft) == (0, "")
    for junk in (999_999, "abc", None, [1], -4):
        tab.call(ForumThreadState.quote, junk).ok()
        assert tab.state(ForumThreadState).reply_to == 0
    visitor = thread_tab(hub, None, board)
    visitor.call(ForumThreadState.quote, board["members_thread"]).ok()


@covers(ForumThreadState.start_edit, ForumThreadState.save_edit, ForumThreadState.cancel_edit)
def test_authors_edit_their_own_post_only(hub, people, board):
    tab = thread_tab(hub, people.active, board)
    tab.call(ForumThreadState.start_edit, board["answer"]).ok()
    assert tab.state(ForumThreadState).edit_source == "Balasan dari anggota aktif"
    tab.call(ForumThreadState.save_edit, {"body": "Balasan yang diperbaiki"}).ok()
    assert tab.state(ForumThreadState).posts[1].edited
    assert rows(people.engine, ForumPost, ForumPost.id == board["answer"])[0].body_source == "Balasan yang diperbaiki"
    tab.call(ForumThreadState.start_edit, board["answer"]).ok()
    tab.call(ForumThreadState.cancel_edit).ok()
    assert tab.state(ForumThreadState).editing == 0

    before = db_fingerprint(people.engine, FORUM_TABLES)
    tab.call(ForumThreadState.start_edit, board["opening"]).ok()  # someone else's post
    assert tab.state(ForumThreadState).error == translate("forum.error.not_author", "id")
    assert tab.state(ForumThreadState).edit_source == ""
    tab.call(ForumThreadState.save_edit, {"body": "Dibajak", "title": "Judul dibajak"}).ok()
    assert tab.state(ForumThreadState).edit_error
    for role in ["visitor", "pending", "staff"]:
        other_tab = thread_tab(hub, people.by_role()[role], board)
        other_tab.call(ForumThreadState.start_edit, board["answer"]).ok()
        other_tab.call(ForumThreadState.save_edit, {"body": "Dibajak"}).ok()
        assert other_tab.state(ForumThreadState).edit_error
    for form in junk_forms(body="Isi baru", title="Judul baru"):
        tab.call(ForumThreadState.save_edit, form).ok()
    assert db_fingerprint(people.engine, FORUM_TABLES) == before


@covers(ForumThreadState.delete_post)
def test_delete_own_post_only_and_a_placeholder_stays(hub, people, board):
    intruder = thread_tab(hub, people.other, board)
    intruder.call(ForumThreadState.delete_post, board["answer"]).ok()
    assert intruder.state(ForumThreadState).error == translate("forum.error.not_author", "id")
    for role in ["visitor", "pending"]:
        thread_tab(hub, people.by_role()[role], board).call(ForumThreadState.delete_post, board["answer"]).ok()
    assert rows(people.engine, ForumPost, ForumPost.id == board["answer"])[0].state == "visible"
    tab = thread_tab(hub, people.active, board)
    for junk in (None, "x", [board["answer"]], 2**70, -1):
        tab.call(ForumThreadState.delete_post, junk).ok()
    tab.call(ForumThreadState.delete_post, board["answer"]).ok()
    post = rows(people.engine, ForumPost, ForumPost.id == board["answer"])[0]
    assert (post.state, post.body_source) == ("deleted", "")
    assert tab.state(ForumThreadState).posts[1].state == "deleted"


@covers(ForumThreadState.toggle_like)
def test_likes(hub, people, board):
    tab = thread_tab(hub, people.active, board)
    tab.call(ForumThreadState.toggle_like, board["opening"]).ok()
    assert tab.state(ForumThreadState).posts[0].like_count == 1 and tab.state(ForumThreadState).posts[0].liked
    tab.call(ForumThreadState.toggle_like, board["answer"]).ok()  # own post
    assert tab.state(ForumThreadState).error == translate("forum.error.own_post", "id")
    for role in ["visitor", "pending"]:
        other = thread_tab(hub, people.by_role()[role], board)
        other.call(ForumThreadState.toggle_like, board["opening"]).ok()
        assert other.state(ForumThreadState).error
    tab.call(ForumThreadState.toggle_like, board["opening"]).ok()
    assert tab.state(ForumThreadState).posts[0].like_count == 0


@covers(ForumThreadState.report)
def test_reports(hub, people, board):
    tab = thread_tab(hub, people.active, board)
    tab.call(ForumThreadState.report, {"post_id": str(board["opening"]), "reason": "spam", "note": "iklan"}).ok()
    assert tab.state(ForumThreadState).info == translate("forum.reported", "id")
    tab.call(ForumThreadState.report, {"post_id": str(board["opening"]), "reason": "spam"}).ok()
    assert tab.state(ForumThreadState).error == translate("forum.error.already_reported", "id")
    for role in ["visitor", "pending"]:
        other = thread_tab(hub, people.by_role()[role], board)
        other.call(ForumThreadState.report, {"post_id": str(board["opening"]), "reason": "spam"}).ok()
        assert other.state(ForumThreadState).error
    for form in junk_forms(post_id=str(board["answer"]), reason="abuse", note="x"):
        tab.call(ForumThreadState.report, form).ok()
    assert len(rows(people.engine, ForumReport)) == 1


@covers(ForumThreadState.set_watch)
def test_watch_and_mute(hub, people, board):
    tab = thread_tab(hub, people.pending, board)  # pending members may follow what they read
    tab.call(ForumThreadState.set_watch, "watching").ok()
    assert tab.state(ForumThreadState).watch_level == "watching"
    tab.call(ForumThreadState.set_watch, "muted").ok()
    assert [row.level for row in rows(people.engine, ForumWatch, ForumWatch.user_id == people.pending.id)] == ["muted"]
    for junk in ("loud", None, 5, ["watching"], MEGABYTE_TEXT):
        tab.call(ForumThreadState.set_watch, junk).ok()
    assert tab.state(ForumThreadState).watch_level == "muted"
    visitor = thread_tab(hub, None, board)
    visitor.call(ForumThreadState.set_watch, "watching").ok()
    assert visitor.state(ForumThreadState).error == translate("error.sign_in_required", "id")


@covers(ForumThreadState.moderate_post, ForumThreadState.moderate_thread)
@pytest.mark.parametrize("role", NOT_STAFF)
def test_members_cannot_moderate(role, hub, people, board):
    tab = thread_tab(hub, people.by_role()[role], board)
    before = db_fingerprint(people.engine, FORUM_TABLES)
    tab.call(ForumThreadState.moderate_post, {"post_id": str(board["opening"]), "action": "hide",
                                              "reason": "x"}).ok()
    assert tab.state(ForumThreadState).error
    for action in ("lock", "pin", "delete", "move"):
        tab.call(ForumThreadState.moderate_thread, {"action": action, "slug": "anggota", "reason": "x"}).ok()
        assert tab.state(ForumThreadState).error
    assert not tab.state(ForumThreadState).may_moderate
    assert db_fingerprint(people.engine, FORUM_TABLES) == before


@covers(ForumThreadState.moderate_post, ForumThreadState.moderate_thread)
@pytest.mark.parametrize("role", STAFF)
def test_staff_moderate_on_the_thread_page(role, hub, people, board):
    tab = thread_tab(hub, people.by_role()[role], board)
    assert tab.state(ForumThreadState).may_moderate and tab.state(ForumThreadState).categories
    tab.call(ForumThreadState.moderate_post, {"post_id": str(board["answer"]), "action": "hide",
                                              "reason": "Promosi"}).ok()
    assert tab.state(ForumThreadState).posts[1].state == "hidden"
    assert [post.id for post in thread_tab(hub, None, board).state(ForumThreadState).posts] == [board["opening"]]
    for action in ("lock", "pin"):
        tab.call(ForumThreadState.moderate_thread, {"action": action}).ok()
    tab.call(ForumThreadState.moderate_thread, {"action": "move", "slug": "anggota"}).ok()
    [thread] = rows(people.engine, ForumThread, ForumThread.id == board["thread"])
    assert thread.locked and thread.pinned
    with Session(people.engine) as session:
        assert session.get(ForumCategory, thread.category_id).slug == "anggota"
    for form in junk_forms(action="lock", slug="umum", reason="x"):
        tab.call(ForumThreadState.moderate_thread, form).ok()
    for form in junk_forms(post_id=str(board["opening"]), action="hide", reason="x"):
        if form.get("post_id") == str(board["opening"]) and form.get("action") == "hide" and \
                isinstance(form.get("reason"), str) and form["reason"].strip() and len(form["reason"]) <= 500:
            continue  # a valid request
        tab.call(ForumThreadState.moderate_post, form).ok()
    tab.call(ForumThreadState.moderate_thread, {"action": "delete", "reason": "Duplikat"}).ok()
    actions = [row.action for row in rows(people.engine, AuditEntry)]
    assert actions[:4] == ["forum.post_hide", "forum.thread_lock", "forum.thread_pin", "forum.thread_move"]
    assert actions[-1] == "forum.thread_delete"
    assert tab.state(ForumThreadState).thread_state == "deleted"


# --- ForumSearchState ----------------------------------------------------------------------------

@covers(ForumSearchState.load)
def test_search_results_respect_who_reads(hub, people, board):
    visitor = hub.browser()
    visitor.load("/forum/search", q="anggota").ok()
    titles = [hit.thread_title for hit in visitor.state(ForumSearchState).hits]
    assert "Rahasia anggota" not in titles and "Topik milik orang lain" in titles
    member = hub.browser(people.pending)
    member.load("/forum/search", q="rahasia").ok()
    assert [hit.thread_title for hit in member.state(ForumSearchState).hits] == ["Rahasia anggota"]
    for query in ["", "a", MEGABYTE_TEXT[:5000], '" OR *', "<script>alert(1)</script>"]:
        visitor.load("/forum/search", q=query).ok()


# --- AdminForumState -----------------------------------------------------------------------------

@covers(AdminForumState.load)
def test_admin_forum_sends_visitors_to_sign_in_and_refuses_members(hub, people, board):
    assert hub.browser().load("/admin/forum").ok().navigations == ["/login?next=/admin/forum"]
    for role in ("pending", "active"):
        tab = hub.browser(people.by_role()[role])
        tab.load("/admin/forum").ok()
        state = tab.state(AdminForumState)
        assert not state.allowed and state.reports == [] and state.categories == []


@covers(AdminForumState.moderate_post, AdminForumState.dismiss, AdminForumState.suspend, AdminForumState.lift,
        AdminForumState.save_category)
@pytest.mark.parametrize("role", NOT_STAFF)
def test_members_get_nothing_done_on_admin_forum(role, hub, people, board):
    with Session(people.engine) as session:
        moderation.report_post(actor(people.active), session=session, post_id=board["opening"], reason="spam")
        moderation.suspend_poster(Actor(people.staff.id, "staff", "active"), session=session,
                                        member=people.other.id, days=2, reason="x")
        suspension_id = session.exec(select(ForumSuspension.id)).first()
    tab = hub.browser(people.by_role()[role])
    tab.load("/admin/forum")
    before = db_fingerprint(people.engine, FORUM_TABLES)
    tab.call(AdminForumState.moderate_post, {"post_id": str(board["opening"]), "action": "hide", "reason": "x"}).ok()
    tab.call(AdminForumState.dismiss, {"post_id": str(board["opening"])}).ok()
    tab.call(AdminForumState.suspend, {"member": str(people.other.id), "days": "3", "reason": "x"}).ok()
    tab.call(AdminForumState.lift, {"suspension_id": str(suspension_id)}).ok()
    tab.call(AdminForumState.save_category, {"slug": "baru", "name_id": "Baru", "read_access": "public",
                                             "start_access": "members"}).ok()
    assert tab.state(AdminForumState).error
    assert db_fingerprint(people.engine, FORUM_TABLES) == before


@covers(AdminForumState.load, AdminForumState.moderate_post, AdminForumState.dismiss)
@pytest.mark.parametrize("role", STAFF)
def test_staff_work_the_report_and_review_queues(role, hub, people, board):
    with Session(people.engine) as session:
        moderation.report_post(actor(people.active), session=session, post_id=board["opening"], reason="spam",
                                     note="iklan")
        moderation.report_post(actor(people.other), session=session, post_id=board["answer"], reason="off_topic")
        waiting = forum.reply(actor(people.active), session=session, thread_id=board["thread"],
                              body="Lihat https://promo.example")
    assert waiting.waiting_review
    tab = hub.browser(people.by_role()[role])
    tab.load("/admin/forum").ok()
    state = tab.state(AdminForumState)
    assert [item.post_id for item in state.reports] == [board["opening"], board["answer"]]
    assert [item.post_id for item in state.review] == [waiting.post_id]
    assert [row.slug for row in state.categories] == ["umum", "anggota", "pengumuman"]
    tab.call(AdminForumState.moderate_post, {"post_id": str(board["opening"]), "action": "hide",
                                             "reason": "Spam"}).ok()
    tab.call(AdminForumState.dismiss, {"post_id": str(board["answer"])}).ok()
    tab.call(AdminForumState.moderate_post, {"post_id": str(waiting.post_id), "action": "restore"}).ok()
    state = tab.state(AdminForumState)
    assert state.reports == [] and state.review == [] and state.info == translate("forum.done", "id")
    kinds = [row.kind for row in rows(people.engine, Notification, Notification.user_id == people.other.id)]
    assert "forum.post_hidden" in kinds
    for form in junk_forms(post_id="1", action="hide", reason="x"):
        tab.call(AdminForumState.moderate_post, form).ok()
    for form in junk_forms(post_id="1"):
        tab.call(AdminForumState.dismiss, form).ok()


@covers(AdminForumState.suspend, AdminForumState.lift)
def test_staff_suspend_and_lift_posting(hub, people, board):
    tab = hub.browser(people.staff)
    tab.load("/admin/forum")
    with Session(people.engine) as session:
        handle = session.get(User, people.active.id).handle
    tab.call(AdminForumState.suspend, {"member": f"@{handle}", "days": "3", "reason": "Spam berulang"}).ok()
    [row] = tab.state(AdminForumState).suspensions
    assert row.member_name == "Agus Aktif" and row.reason == "Spam berulang"
    member = thread_tab(hub, people.active, board)
    member.call(ForumThreadState.send_reply, {"body": "Halo?"}).ok()
    assert translate("forum.error.suspended", "id").split("{")[0] in member.state(ForumThreadState).reply_error
    for form in [{"member": "@tidak-ada", "days": "3", "reason": "x"}, {"member": f"@{handle}", "days": "0",
                                                                         "reason": "x"},
                 {"member": f"@{handle}", "days": "3", "reason": ""}] + junk_forms(member="x", days="2", reason="y"):
        tab.call(AdminForumState.suspend, form).ok()
    assert len(tab.state(AdminForumState).suspensions) == 1
    tab.call(AdminForumState.lift, {"suspension_id": str(row.id)}).ok()
    assert tab.state(AdminForumState).suspensions == []
    for form in junk_forms(suspension_id=str(row.id)):
        tab.call(AdminForumState.lift, form).ok()
    assert [entry.action for entry in rows(people.engine, AuditEntry)] == ["forum.suspend", "forum.unsuspend"]


@covers(AdminForumState.save_category)
def test_staff_create_and_edit_categories(hub, people, board):
    tab = hub.browser(people.staff)
    tab.load("/admin/forum")
    form = {"id": "", "slug": "acara", "position": "5", "name_id": "Acara", "name_en": "Events",
            "description_id": "Temu anggota", "description_en": "Meetups", "read_access": "public",
            "start_access": "members"}
    tab.call(AdminForumState.save_category, form).ok()
    assert tab.state(AdminForumState).categories[-1].slug == "acara"
    category_id = tab.state(AdminForumState).categories[-1].id
    before = db_fingerprint(people.engine, ["forum_categories"])
    tab.call(AdminForumState.save_category, {**form, "id": str(category_id), "name_id": "<script>x</script>"}).ok()
    assert tab.state(AdminForumState).error == translate("field.name_id", "id") + ": " + \
        translate("error.markup", "id")
    for junk_form in junk_forms(**{**form, "id": str(category_id)}):
        tab.call(AdminForumState.save_category, junk_form).ok()
    after = db_fingerprint(people.engine, ["forum_categories"])
    # Junk creates no category and stores no markup (some junk, e.g. an empty English name, is a
    # legitimate edit of the category named by the form).
    assert len(after["forum_categories"]) == len(before["forum_categories"])
    assert all("<" not in str(value) for row in after["forum_categories"] for value in row)
    with Session(people.engine) as session:
        names = session.exec(select(ForumCategory.name_id).order_by(col(ForumCategory.id))).all()
    assert names[:3] == ["Kategori umum", "Kategori anggota", "Kategori pengumuman"]


# --- DirectoryState and MemberProfileState -------------------------------------------------------

@covers(DirectoryState.load)
def test_directory_asks_visitors_to_sign_in(hub, people, board):
    tab = hub.browser()
    tab.load("/members").ok()
    state = tab.state(DirectoryState)
    assert not state.allowed and state.rows == [] and state.error == translate("members.error.sign_in", "id")


@covers(DirectoryState.load, DirectoryState.search, DirectoryState.next_page, DirectoryState.first_page)
def test_directory_search_and_pages_without_emails(hub, people, board):
    for number in range(26):
        people.add(email=f"dir{number:02d}@test.example", name=f"Zaki {number:02d}", signed_in=False)
    tab = hub.browser(people.pending)
    tab.load("/members").ok()
    state = tab.state(DirectoryState)
    assert len(state.rows) == 24 and state.next_cursor
    first = [row.id for row in state.rows]
    tab.call(DirectoryState.next_page).ok()
    second = [row.id for row in tab.state(DirectoryState).rows]
    # Listed and active: the 26 added, plus active, other, staff and admin (not pending, suspended, rejected).
    assert len(first) + len(second) == 30 and not set(first) & set(second)
    tab.call(DirectoryState.first_page).ok()
    outcome = tab.call(DirectoryState.search, {"query": "Agus", "sector": "", "stage": ""}).ok()
    assert [row.name for row in tab.state(DirectoryState).rows] == ["Agus Aktif"]
    assert "@test.example" not in outcome.delta_text()
    for form in junk_forms(query="agus", sector="fashion", stage="idea"):
        tab.call(DirectoryState.search, form).ok()


@covers(MemberProfileState.load)
def test_profiles_show_only_listed_active_members(hub, people, board):
    tab = hub.browser(people.active)
    tab.load(f"/members/{people.other.id}").ok()
    state = tab.state(MemberProfileState)
    assert state.found and state.member["name"] == "Lain Orang" and state.member["email"] == ""
    assert [thread.title for thread in state.threads] == ["Rahasia anggota", "Topik milik orang lain"]
    for member_id in (people.pending.id, people.suspended.id, 999_999, "abc", "-1"):
        tab.load(f"/members/{member_id}").ok()
        assert not tab.state(MemberProfileState).found and tab.state(MemberProfileState).member == {}
    visitor = hub.browser()
    visitor.load(f"/members/{people.other.id}").ok()
    assert visitor.state(MemberProfileState).member == {}

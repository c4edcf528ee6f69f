"""Forum services against a real database, once on SQLite and once on PostgreSQL: posting,
pagination, mentions and notifications, editing and deleting, likes, watching, reports and rate
limits, review of new members' links, moderation, and bad input."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from hub_app.domain import forum as rules
from hub_app.domain.errors import Conflict, HubError, InvalidInput, NotAllowed, NotFound
from hub_app.models import AuditEntry, ForumPost, ForumReaction, ForumReport, ForumThread, ForumWatch, User
from hub_app.models.base import utcnow
from hub_app.services import forum
from hub_app.services.forum import moderation
from tests.accounts.factories import make_user
from tests.forum.helpers import clear_notifications, handle_of, kinds_of, notifications_of, trust
from tests.transactions import end_read


def _titles(page) -> list[str]:
    return [row.title for row in page.threads]


# --- Handles -----------------------------------------------------------------------------------

def test_every_new_account_gets_a_unique_handle(session, people):
    assert handle_of(session, people.rina.user_id) == "rina-kusuma"
    twin = make_user(session, "rina2@umkm.example", name="Rina Kusuma")
    third = make_user(session, "rina3@umkm.example", name="RINA  kusuma")
    assert (twin.handle, third.handle) == ("rina-kusuma-2", "rina-kusuma-3")


# --- Posting and reading -----------------------------------------------------------------------

def test_an_active_member_starts_a_thread_and_others_reply(session, people, categories):
    saved = forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Cari fotografer produk",
                               body="Saya butuh **fotografer** untuk katalog batik.")
    assert not saved.waiting_review
    forum.reply(people.andi, session=session, thread_id=saved.thread_id, body="Saya kenal satu, nanti saya kabari.")
    view = forum.get_thread(None, session=session, thread_id=saved.thread_id, locale="en")
    assert [post.author_name for post in view.posts] == ["Rina Kusuma", "Andi Pratama"]
    assert view.posts[0].is_opening and "<strong>fotografer</strong>" in view.posts[0].body_html
    assert view.title == "Cari fotografer produk" and view.category_name == "Collaboration and partners"
    page = forum.list_threads(None, session=session, slug="kolaborasi")
    assert page.threads[0].reply_count == 1 and not page.may_start
    listing = forum.list_categories(None, session=session, locale="id")
    kolaborasi = next(row for row in listing if row.slug == "kolaborasi")
    assert (kolaborasi.thread_count, kolaborasi.latest_title) == (1, "Cari fotografer produk")


def test_category_pages_put_pinned_first_then_newest_activity_with_keyset_pages(session, people, categories):
    base = utcnow() - timedelta(days=10)
    for number in range(45):
        session.add(ForumThread(category_id=categories["kolaborasi"].id, author_id=people.rina.user_id,
                                title=f"Topik {number:02d}", last_activity_at=base + timedelta(hours=number),
                                created_at=base))
    session.add(ForumThread(category_id=categories["kolaborasi"].id, author_id=people.staff.user_id,
                            title="Aturan kategori", pinned=True, last_activity_at=base, created_at=base))
    session.add(ForumThread(category_id=categories["kolaborasi"].id, author_id=people.rina.user_id,
                            title="Menunggu", state="pending", last_activity_at=utcnow(), created_at=base))
    session.commit()
    seen, cursor, pages = [], "", 0
    while True:
        page = forum.list_threads(people.andi, session=session, slug="kolaborasi", cursor=cursor)
        seen += _titles(page)
        pages += 1
        cursor = page.next_cursor
        if not cursor:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 46
    assert seen[0] == "Aturan kategori"
    assert seen[1:] == [f"Topik {number:02d}" for number in reversed(range(45))]
    assert "Menunggu" not in seen
    # The forum index counts and names only visible threads, each category its own.
    listing = {row.slug: row for row in forum.list_categories(people.andi, session=session)}
    assert (listing["kolaborasi"].thread_count, listing["kolaborasi"].latest_title) == (46, "Topik 44")
    assert all(row.thread_count == 0 and not row.latest_title for slug, row in listing.items() if slug != "kolaborasi")


def test_thread_pages_are_oldest_first_and_can_start_at_a_post(session, people, categories):
    saved = forum.start_thread(people.staff, session=session, slug="kolaborasi", title="Utas panjang",
                               body="Pembuka")
    ids = [saved.post_id]
    for number in range(44):
        ids.append(forum.reply(people.staff, session=session, thread_id=saved.thread_id,
                               body=f"Balasan {number}").post_id)
    first = forum.get_thread(None, session=session, thread_id=saved.thread_id)
    assert [post.id for post in first.posts] == ids[:20] and first.prev_before == 0 and first.next_from == ids[20]
    second = forum.get_thread(None, session=session, thread_id=saved.thread_id, from_post=first.next_from)
    assert [post.id for post in second.posts] == ids[20:40] and second.prev_before == ids[20]
    back = forum.get_thread(None, session=session, thread_id=saved.thread_id, before_post=second.prev_before)
    assert [post.id for post in back.posts] == ids[:20]
    last = forum.get_thread(None, session=session, thread_id=saved.thread_id, from_post=ids[40])
    assert [post.id for post in last.posts] == ids[40:] and last.next_from == 0
    middle = forum.get_thread(None, session=session, thread_id=saved.thread_id, from_post=ids[7])
    assert middle.posts[0].id == ids[7]


def test_members_only_categories_are_closed_to_visitors(session, people, categories):
    saved = forum.start_thread(people.rina, session=session, slug="internal", title="Info internal anggota",
                               body="Hanya untuk anggota.")
    assert "internal" not in [row.slug for row in forum.list_categories(None, session=session)]
    assert "internal" in [row.slug for row in forum.list_categories(people.dewi, session=session)]
    with pytest.raises(NotAllowed):
        forum.list_threads(None, session=session, slug="internal")
    with pytest.raises(NotAllowed):
        forum.get_thread(None, session=session, thread_id=saved.thread_id)
    view = forum.get_thread(people.dewi, session=session, thread_id=saved.thread_id)  # pending members read
    assert not view.may_reply and view.reply_hint
    end_read(session)
    with pytest.raises(NotAllowed) as refused:
        forum.reply(people.dewi, session=session, thread_id=saved.thread_id, body="Boleh ikut?")
    assert refused.value.key == "error.active_required"


def test_staff_only_categories_refuse_members(session, people, categories):
    with pytest.raises(NotAllowed) as refused:
        forum.start_thread(people.rina, session=session, slug="pengumuman", title="Pengumuman saya", body="Halo")
    assert refused.value.key == "forum.error.staff_only_category"
    assert session.exec(select(ForumThread)).all() == []
    page = forum.list_threads(people.rina, session=session, slug="pengumuman")
    assert not page.may_start and page.start_hint == "Hanya staf yang membuat topik di kategori ini."
    end_read(session)
    forum.start_thread(people.staff, session=session, slug="pengumuman", title="Jam buka Lebaran",
                       body="Hub tutup 30 Maret - 2 April.")


# --- Mentions, replies, watching ---------------------------------------------------------------

def test_a_mention_notifies_the_member_and_a_reply_notifies_the_thread_author(session, people, categories):
    saved = forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Mitra aplikasi pemesanan",
                               body="Ada yang bisa bantu? @andi-pratama kamu pernah cari developer kan?")
    assert kinds_of(session, people.andi.user_id) == ["forum.mention"]
    mention = notifications_of(session, people.andi.user_id)[0]
    assert mention.params["author"] == "Rina Kusuma" and mention.params["thread"] == "Mitra aplikasi pemesanan"
    assert mention.link == f"/forum/t/{saved.thread_id}?from={saved.post_id}"
    view = forum.get_thread(None, session=session, thread_id=saved.thread_id)
    assert f'<a href="/members/{people.andi.user_id}" class="mention"' in view.posts[0].body_html

    end_read(session)
    forum.reply(people.andi, session=session, thread_id=saved.thread_id, body="Iya, @maya-hartono bisa bantu.")
    assert kinds_of(session, people.rina.user_id) == ["forum.reply"]
    assert kinds_of(session, people.maya.user_id) == ["forum.mention"]
    assert kinds_of(session, people.andi.user_id) == ["forum.mention"]  # not notified of their own reply


def test_quoting_a_post_notifies_its_author_once_and_not_the_people_it_mentioned(session, people, categories):
    saved = forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Tanya soal ekspor",
                               body="Halo @andi-pratama, ada info ekspor?")
    first = forum.reply(people.andi, session=session, thread_id=saved.thread_id, body="Coba tanya Maya.")
    clear_notifications(session)
    quote = forum.quote_post(people.maya, session=session, post_id=saved.post_id)
    assert quote.startswith("> **Rina Kusuma:**")
    end_read(session)
    forum.reply(people.maya, session=session, thread_id=saved.thread_id, body=quote + "Saya bisa bantu.",
                reply_to=saved.post_id)
    assert kinds_of(session, people.rina.user_id) == ["forum.reply"]
    assert kinds_of(session, people.andi.user_id) == []
    end_read(session)
    forum.reply(people.maya, session=session, thread_id=saved.thread_id, body="Andi, terima kasih.",
                reply_to=first.post_id)
    assert kinds_of(session, people.andi.user_id) == ["forum.reply"]
    view = forum.get_thread(None, session=session, thread_id=saved.thread_id)
    assert view.posts[2].reply_to_author == "Rina Kusuma"


def test_watching_and_muting_a_thread(session, people, categories):
    saved = forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Acara demo day",
                               body="Siapa ikut demo day?")
    forum.set_watch(people.maya, session=session, thread_id=saved.thread_id, level="watching")
    forum.set_watch(people.rina, session=session, thread_id=saved.thread_id, level="muted")
    forum.reply(people.andi, session=session, thread_id=saved.thread_id, body="Saya ikut, @rina-kusuma!")
    assert kinds_of(session, people.maya.user_id) == ["forum.reply"]
    assert kinds_of(session, people.rina.user_id) == []  # muted: not even the mention
    end_read(session)
    forum.set_watch(people.maya, session=session, thread_id=saved.thread_id, level="normal")
    assert session.get(ForumWatch, (saved.thread_id, people.maya.user_id)) is None
    assert forum.get_thread(people.rina, session=session, thread_id=saved.thread_id).watch_level == "muted"
    with pytest.raises(InvalidInput):
        forum.set_watch(people.rina, session=session, thread_id=saved.thread_id, level="loud")
    with pytest.raises(NotAllowed):
        forum.set_watch(None, session=session, thread_id=saved.thread_id, level="watching")


def test_a_mention_of_someone_who_does_not_exist_changes_nothing(session, people, categories):
    with pytest.raises(InvalidInput) as refused:
        forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Halo semua",
                           body="Halo @hantu-tidak-ada")
    assert refused.value.key == "forum.error.unknown_mention" and refused.value.params["handle"] == "hantu-tidak-ada"
    assert session.exec(select(ForumThread)).all() == [] and session.exec(select(ForumPost)).all() == []


def test_members_only_mentions_do_not_reach_people_who_cannot_read(session, people, categories):
    rejected = make_user(session, "tolak@x.example", name="Tono Tolak", status="rejected")
    forum.start_thread(people.rina, session=session, slug="internal", title="Rapat anggota",
                       body="@tono-tolak dan @dewi-lestari ikut?")
    assert kinds_of(session, rejected.id) == []
    assert kinds_of(session, people.dewi.user_id) == ["forum.mention"]


# --- Editing, deleting, likes ------------------------------------------------------------------

def test_authors_edit_within_the_window_and_the_post_shows_as_edited(session, people, categories):
    saved = forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Judul lama sekali",
                               body="Teks awal")
    forum.edit_post(people.rina, session=session, post_id=saved.post_id, body="Teks baru, halo @maya-hartono",
                    title="Judul baru yang lebih jelas")
    view = forum.get_thread(people.rina, session=session, thread_id=saved.thread_id)
    assert view.title == "Judul baru yang lebih jelas" and view.posts[0].edited
    assert "Teks baru" in view.posts[0].body_html and view.posts[0].may_edit
    assert kinds_of(session, people.maya.user_id) == ["forum.mention"]
    assert forum.post_source(people.rina, session=session, post_id=saved.post_id).startswith("Teks baru")
    end_read(session)
    with pytest.raises(NotAllowed) as refused:
        forum.edit_post(people.andi, session=session, post_id=saved.post_id, body="Dirusak")
    assert refused.value.key == "forum.error.not_author"
    with pytest.raises(NotAllowed):
        forum.post_source(people.andi, session=session, post_id=saved.post_id)
    post = session.get(ForumPost, saved.post_id)
    post.created_at = utcnow() - rules.EDIT_WINDOW - timedelta(minutes=1)
    session.add(post)
    session.commit()
    with pytest.raises(NotAllowed) as refused:
        forum.edit_post(people.rina, session=session, post_id=saved.post_id, body="Terlambat")
    assert refused.value.key == "forum.error.edit_window"
    session.refresh(post)
    assert post.body_source.startswith("Teks baru")


def test_deleting_leaves_a_placeholder_and_erases_the_words(session, people, categories):
    saved = forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Topik dengan balasan",
                               body="Pembuka")
    answer = forum.reply(people.andi, session=session, thread_id=saved.thread_id, body="Nomor saya 0812-xxx")
    forum.reply(people.rina, session=session, thread_id=saved.thread_id, body="Terima kasih!")
    with pytest.raises(NotAllowed):
        forum.delete_post(people.rina, session=session, post_id=answer.post_id)
    forum.delete_post(people.andi, session=session, post_id=answer.post_id)
    post = session.get(ForumPost, answer.post_id)
    assert (post.state, post.body_source, post.body_html, post.body_text) == ("deleted", "", "", "")
    view = forum.get_thread(None, session=session, thread_id=saved.thread_id)
    assert [p.state for p in view.posts] == ["visible", "deleted", "visible"] and view.posts[1].body_html == ""
    assert forum.list_threads(None, session=session, slug="kolaborasi").threads[0].reply_count == 1
    end_read(session)
    with pytest.raises(NotAllowed):
        forum.delete_post(people.andi, session=session, post_id=answer.post_id)


def test_deleting_an_opening_post_with_no_replies_removes_the_thread(session, people, categories):
    saved = forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Salah kategori",
                               body="Ups")
    forum.delete_post(people.rina, session=session, post_id=saved.post_id)
    assert session.get(ForumThread, saved.thread_id).state == "deleted"
    with pytest.raises(NotFound):
        forum.get_thread(people.rina, session=session, thread_id=saved.thread_id)


def test_likes_toggle_and_count_and_never_on_your_own_post(session, people, categories):
    saved = forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Batik untuk seragam",
                               body="Kami terima pesanan seragam batik.")
    assert forum.toggle_like(people.andi, session=session, post_id=saved.post_id) == (True, 1)
    assert forum.toggle_like(people.maya, session=session, post_id=saved.post_id) == (True, 2)
    assert forum.toggle_like(people.andi, session=session, post_id=saved.post_id) == (False, 1)
    with pytest.raises(NotAllowed):
        forum.toggle_like(people.rina, session=session, post_id=saved.post_id)
    with pytest.raises(NotAllowed):
        forum.toggle_like(None, session=session, post_id=saved.post_id)
    with pytest.raises(NotAllowed):
        forum.toggle_like(people.dewi, session=session, post_id=saved.post_id)
    view = forum.get_thread(people.maya, session=session, thread_id=saved.thread_id)
    assert view.posts[0].like_count == 1 and view.posts[0].liked


# --- Rate limits, reports, review --------------------------------------------------------------

def test_rate_limits_on_threads_and_posts_say_how_long_to_wait(session, people, categories):
    for number in range(rules.RATE_LIMITS["thread"].limit):
        forum.start_thread(people.rina, session=session, slug="kolaborasi", title=f"Topik nomor {number}", body="Isi")
    with pytest.raises(NotAllowed) as refused:
        forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Satu lagi", body="Isi")
    assert refused.value.key == "forum.error.rate_thread" and refused.value.params["minutes"] >= 1
    thread_id = session.exec(select(ForumThread.id)).first()
    for number in range(rules.RATE_LIMITS["post"].limit - rules.RATE_LIMITS["thread"].limit):
        end_read(session)
        forum.reply(people.rina, session=session, thread_id=thread_id, body=f"Balasan {number}")
    before = session.exec(select(ForumPost)).all()
    end_read(session)
    with pytest.raises(NotAllowed) as refused:
        forum.reply(people.rina, session=session, thread_id=thread_id, body="Terlalu cepat")
    assert refused.value.key == "forum.error.rate_post"
    assert len(session.exec(select(ForumPost)).all()) == len(before)
    for number in range(3):  # staff are not limited
        end_read(session)
        forum.start_thread(people.staff, session=session, slug="kolaborasi", title=f"Staf {number}", body="Isi")
        forum.start_thread(people.staff, session=session, slug="kolaborasi", title=f"Staf lagi {number}", body="Isi")


def test_reports_once_per_member_and_rate_limited(session, people, categories):
    staff_threads = []
    for number in range(rules.RATE_LIMITS["report"].limit + 1):
        staff_threads.append(forum.start_thread(people.staff, session=session, slug="kolaborasi",
                                                title=f"Topik staf {number}", body="Isi").post_id)
    moderation.report_post(people.rina, session=session, post_id=staff_threads[0], reason="spam", note="iklan")
    with pytest.raises(Conflict):
        moderation.report_post(people.rina, session=session, post_id=staff_threads[0], reason="abuse")
    for post_id in staff_threads[1:rules.RATE_LIMITS["report"].limit]:
        moderation.report_post(people.rina, session=session, post_id=post_id, reason="off_topic")
    with pytest.raises(NotAllowed) as refused:
        moderation.report_post(people.rina, session=session, post_id=staff_threads[-1], reason="spam")
    assert refused.value.key == "forum.error.rate_report"
    with pytest.raises(InvalidInput):
        moderation.report_post(people.andi, session=session, post_id=staff_threads[-1], reason="because")
    with pytest.raises(NotAllowed):
        moderation.report_post(people.staff, session=session, post_id=staff_threads[-1],  # own post
                                     reason="spam")
    assert len(session.exec(select(ForumReport)).all()) == rules.RATE_LIMITS["report"].limit


def test_a_new_members_first_posts_with_links_wait_for_review_then_staff_approve(session, people, categories):
    saved = forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Katalog batik kami",
                               body="Lihat katalog di https://batikrina.example dan kabari @andi-pratama")
    assert saved.waiting_review
    assert forum.list_threads(people.andi, session=session, slug="kolaborasi").threads == []
    with pytest.raises(NotFound):
        forum.get_thread(people.andi, session=session, thread_id=saved.thread_id)
    own = forum.get_thread(people.rina, session=session, thread_id=saved.thread_id)
    assert own.state == "pending" and own.posts[0].state == "pending"
    assert kinds_of(session, people.andi.user_id) == []  # told when it is published
    queue = moderation.list_review_queue(people.staff, session=session)
    assert [item.post_id for item in queue] == [saved.post_id] and queue[0].is_opening
    with pytest.raises(NotAllowed):
        moderation.list_review_queue(people.andi, session=session)

    end_read(session)
    moderation.moderate_post(people.staff, session=session, post_id=saved.post_id, action="restore")
    assert forum.get_thread(people.andi, session=session, thread_id=saved.thread_id).state == "visible"
    assert kinds_of(session, people.andi.user_id) == ["forum.mention"]
    assert kinds_of(session, people.rina.user_id) == ["forum.post_approved"]
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "forum.post_approve")).one()
    assert entry.actor_id == people.staff.user_id and entry.target_id == saved.post_id


def test_trusted_members_and_posts_without_links_are_published_at_once(session, people, categories):
    assert not forum.start_thread(people.andi, session=session, slug="kolaborasi", title="Tanpa tautan",
                                  body="Hanya teks biasa.").waiting_review
    trust(session, people.maya)
    assert not forum.start_thread(people.maya, session=session, slug="kolaborasi", title="Dengan tautan",
                                  body="Repo kami: https://git.example/logistiq").waiting_review


# --- Moderation --------------------------------------------------------------------------------

def test_staff_hide_a_reported_post_from_everyone_but_the_author_and_restore_it(session, people, categories):
    saved = forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Diskusi harga",
                               body="Mari diskusi.")
    bad = forum.reply(people.andi, session=session, thread_id=saved.thread_id, body="Beli followers murah!")
    moderation.report_post(people.maya, session=session, post_id=bad.post_id, reason="spam", note="iklan")
    moderation.report_post(people.rina, session=session, post_id=bad.post_id, reason="spam")
    reports = moderation.list_reports(people.staff, session=session, locale="en")
    assert len(reports) == 1 and reports[0].report_count == 2 and reports[0].author_name == "Andi Pratama"
    assert reports[0].reasons[0] == "Spam or advertising: iklan (Maya Hartono)"
    with pytest.raises(NotAllowed):
        moderation.moderate_post(people.maya, session=session, post_id=bad.post_id, action="hide", reason="x")
    with pytest.raises(InvalidInput):
        moderation.moderate_post(people.staff, session=session, post_id=bad.post_id, action="hide", reason="")

    end_read(session)
    moderation.moderate_post(people.staff, session=session, post_id=bad.post_id, action="hide", reason="Spam")
    assert moderation.list_reports(people.staff, session=session) == []
    for reader in (None, people.maya, people.rina):
        assert [post.id for post in forum.get_thread(reader, session=session, thread_id=saved.thread_id).posts] == \
            [saved.post_id]
    author_view = forum.get_thread(people.andi, session=session, thread_id=saved.thread_id)
    assert author_view.posts[1].state == "hidden" and author_view.posts[1].moderation_note == "Spam"
    staff_view = forum.get_thread(people.staff, session=session, thread_id=saved.thread_id)
    assert staff_view.posts[1].state == "hidden"
    assert kinds_of(session, people.andi.user_id)[-1] == "forum.post_hidden"
    assert notifications_of(session, people.andi.user_id)[-1].params["reason"] == "Spam"
    assert forum.list_threads(None, session=session, slug="kolaborasi").threads[0].reply_count == 0

    end_read(session)
    moderation.moderate_post(people.staff, session=session, post_id=bad.post_id, action="restore")
    assert len(forum.get_thread(None, session=session, thread_id=saved.thread_id).posts) == 2
    assert kinds_of(session, people.andi.user_id)[-1] == "forum.post_restored"
    end_read(session)
    with pytest.raises(Conflict):
        moderation.moderate_post(people.staff, session=session, post_id=bad.post_id, action="restore")
    actions = session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id))).all()
    assert actions == ["forum.post_hide", "forum.post_restore"]


def test_staff_dismiss_reports(session, people, categories):
    saved = forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Tidak bermasalah",
                               body="Isi yang wajar.")
    moderation.report_post(people.andi, session=session, post_id=saved.post_id, reason="other")
    moderation.dismiss_reports(people.staff, session=session, post_id=saved.post_id)
    assert moderation.list_reports(people.staff, session=session) == []
    end_read(session)
    with pytest.raises(Conflict):
        moderation.dismiss_reports(people.staff, session=session, post_id=saved.post_id)


def test_lock_pin_move_and_delete_threads_audited_and_the_author_notified(session, people, categories):
    saved = forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Topik yang dimoderasi",
                               body="Isi")
    other = forum.start_thread(people.andi, session=session, slug="kolaborasi", title="Topik lain yang lebih baru",
                               body="Isi")
    moderation.moderate_thread(people.staff, session=session, thread_id=saved.thread_id, action="lock")
    with pytest.raises(NotAllowed) as refused:
        forum.reply(people.andi, session=session, thread_id=saved.thread_id, body="Masih bisa?")
    assert refused.value.key == "forum.error.locked"
    forum.reply(people.staff, session=session, thread_id=saved.thread_id, body="Ditutup, terima kasih.")
    moderation.moderate_thread(people.staff, session=session, thread_id=other.thread_id, action="pin")
    assert _titles(forum.list_threads(None, session=session, slug="kolaborasi"))[0] == "Topik lain yang lebih baru"
    end_read(session)
    moderation.moderate_thread(people.staff, session=session, thread_id=saved.thread_id, action="move",
                                     slug="internal")
    assert _titles(forum.list_threads(people.andi, session=session, slug="internal")) == ["Topik yang dimoderasi"]
    with pytest.raises(NotAllowed):
        forum.get_thread(None, session=session, thread_id=saved.thread_id)  # now members only
    with pytest.raises(InvalidInput):
        moderation.moderate_thread(people.staff, session=session, thread_id=saved.thread_id, action="delete",
                                         reason="")
    end_read(session)
    moderation.moderate_thread(people.staff, session=session, thread_id=saved.thread_id, action="delete",
                                     reason="Duplikat")
    with pytest.raises(NotFound):
        forum.get_thread(people.rina, session=session, thread_id=saved.thread_id)
    assert forum.get_thread(people.staff, session=session, thread_id=saved.thread_id).state == "deleted"
    assert kinds_of(session, people.rina.user_id) == ["forum.thread_lock", "forum.reply", "forum.thread_move",
                                                      "forum.thread_delete"]
    assert notifications_of(session, people.rina.user_id)[-2].params["category"] == "Ruang anggota"
    actions = session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id))).all()
    assert actions == ["forum.thread_lock", "forum.thread_pin", "forum.thread_move", "forum.thread_delete"]
    with pytest.raises(NotAllowed):
        moderation.moderate_thread(people.rina, session=session, thread_id=other.thread_id, action="unpin")


def test_a_suspended_member_cannot_post_for_a_time_then_can_again(session, people, categories):
    saved = forum.start_thread(people.andi, session=session, slug="kolaborasi", title="Topik untuk suspensi",
                               body="Isi")
    moderation.suspend_poster(people.staff, session=session, member="@rina-kusuma", days=3,
                                    reason="Spam berulang")
    with pytest.raises(NotAllowed) as refused:
        forum.reply(people.rina, session=session, thread_id=saved.thread_id, body="Halo?")
    assert refused.value.key == "forum.error.suspended"
    assert "WIB" in refused.value.params["until"]  # told until when, in the hub's time
    view = forum.get_thread(people.rina, session=session, thread_id=saved.thread_id)  # reading stays open
    assert not view.may_reply and "WIB" in view.reply_hint
    assert kinds_of(session, people.rina.user_id) == ["forum.suspended"]
    rows = moderation.list_suspensions(people.staff, session=session)
    assert [(row.member_name, row.reason) for row in rows] == [("Rina Kusuma", "Spam berulang")]
    end_read(session)
    with pytest.raises(NotAllowed):
        moderation.suspend_poster(people.staff, session=session, member="budi-santoso", days=1,  # self
                                        reason="x")
    with pytest.raises(NotAllowed):
        moderation.suspend_poster(people.staff, session=session, member="sari-wulandari", days=1,  # admin
                                        reason="x")
    with pytest.raises(NotFound):
        moderation.suspend_poster(people.staff, session=session, member="@hantu", days=1, reason="x")
    with pytest.raises(InvalidInput):
        moderation.suspend_poster(people.staff, session=session, member="@andi-pratama", days=0, reason="x")
    moderation.lift_suspension(people.staff, session=session, suspension_id=rows[0].id)
    forum.reply(people.rina, session=session, thread_id=saved.thread_id, body="Maaf, saya kembali.")
    actions = session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id))).all()
    assert actions == ["forum.suspend", "forum.unsuspend"]


def test_staff_manage_categories_with_both_languages(session, people, categories):
    form = {"slug": "acara", "name_id": "Acara & temu", "name_en": "Events and meetups", "description_id": "Acara",
            "description_en": "Events", "position": "4", "read_access": "public", "start_access": "members"}
    category_id = moderation.save_category(people.staff, session=session, form=form)
    assert [row.slug for row in moderation.list_categories_admin(people.staff, session=session)][-1] == "acara"
    end_read(session)
    with pytest.raises(Conflict):
        moderation.save_category(people.staff, session=session, form={**form, "slug": "kolaborasi"})
    for bad in ({"name_id": "<script>alert(1)</script>"}, {"slug": "Acara Baru"}, {"read_access": "everyone"},
                {"name_id": ""}, {"position": "-1"}, {"name_en": "x" * 81}):
        with pytest.raises(InvalidInput):
            moderation.save_category(people.staff, session=session, form={**form, "id": category_id, **bad})
    moderation.save_category(people.staff, session=session, form={**form, "id": category_id, "name_en": "Events"})
    names = {row.slug: row.name for row in forum.list_categories(None, session=session, locale="en")}
    assert names["acara"] == "Events"
    with pytest.raises(NotAllowed):
        moderation.save_category(people.rina, session=session, form=form)
    assert session.exec(select(AuditEntry.action)).all() == ["forum.category_save", "forum.category_save"]


# --- Bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("title, body, key", [
    ("", "Isi", "error.field_required"),
    ("   ", "Isi", "error.field_required"),
    ("Hai", "Isi", "forum.error.title_short"),
    ("x" * 151, "Isi", "error.field_too_long"),
    ("Judul <script>alert(1)</script>", "Isi", "error.markup"),
    ("Judul yang baik", "", "error.field_required"),
    ("Judul yang baik", "x" * 100_000, "error.field_too_long"),
    ("Judul yang baik", "<script>alert(1)</script>", "forum.error.html"),
    ("Judul yang baik", "Foto: <img src=x onerror=alert(1)>", "forum.error.html"),
    (["judul"], "Isi", "error.field_type"),
    ("Judul yang baik", {"body": 1}, "error.field_type"),
])
def test_bad_threads_are_refused_with_a_message_and_change_nothing(session, people, categories, title, body, key):
    with pytest.raises(InvalidInput) as refused:
        forum.start_thread(people.rina, session=session, slug="kolaborasi", title=title, body=body)
    assert refused.value.key == key
    assert session.exec(select(ForumThread)).all() == [] and session.exec(select(ForumPost)).all() == []


@pytest.mark.parametrize("thread_id", [999_999, "999999", "abc", -1, 0, None, [], {"id": 1}, 2**70, True])
def test_a_thread_that_does_not_exist(session, people, categories, thread_id):
    with pytest.raises(NotFound) as refused:
        forum.get_thread(people.rina, session=session, thread_id=thread_id)
    assert refused.value.key == "forum.error.thread_missing"
    end_read(session)
    with pytest.raises(HubError):
        forum.reply(people.rina, session=session, thread_id=thread_id, body="Halo")
    assert session.exec(select(ForumPost)).all() == []


@pytest.mark.parametrize("slug", ["tidak-ada", "", None, 5, ["kolaborasi"], "x" * 500])
def test_a_category_that_does_not_exist(session, people, categories, slug):
    with pytest.raises(NotFound):
        forum.list_threads(None, session=session, slug=slug)
    end_read(session)
    with pytest.raises(HubError):
        forum.start_thread(people.rina, session=session, slug=slug, title="Judul yang baik", body="Isi")


@pytest.mark.parametrize("cursor", ["x", "9.9.9", ["a"], {"a": 1}, "1." + "9" * 40 + ".1"])
def test_bad_cursors_are_refused(session, people, categories, cursor):
    with pytest.raises(InvalidInput):
        forum.list_threads(None, session=session, slug="kolaborasi", cursor=cursor)


def test_replying_to_a_post_of_another_thread_is_refused(session, people, categories):
    one = forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Topik pertama", body="Isi")
    two = forum.start_thread(people.andi, session=session, slug="kolaborasi", title="Topik kedua", body="Isi")
    with pytest.raises(NotFound):
        forum.reply(people.maya, session=session, thread_id=one.thread_id, body="x", reply_to=two.post_id)


def test_erasing_an_account_keeps_its_posts_under_deleted_member(session, people, categories):
    from hub_app.services import profiles
    from tests.accounts.factories import PASSWORD

    saved = forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Topik yang tetap ada",
                               body="Isi dari Rina")
    forum.reply(people.andi, session=session, thread_id=saved.thread_id, body="Balasan Andi")
    andis_post = session.exec(select(ForumPost.id).where(ForumPost.author_id == people.andi.user_id)).one()
    end_read(session)
    forum.toggle_like(people.rina, session=session, post_id=andis_post)
    forum.set_watch(people.rina, session=session, thread_id=saved.thread_id, level="watching")
    exported = profiles.export_my_data(people.rina, session=session)
    assert exported["forum"]["posts"][0]["markdown"] == "Isi dari Rina" and len(exported["forum"]["likes"]) == 1
    end_read(session)
    profiles.delete_account(people.rina, session=session, password=PASSWORD)
    view = forum.get_thread(None, session=session, thread_id=saved.thread_id, locale="en")
    assert [post.author_name for post in view.posts] == ["Deleted member", "Andi Pratama"]
    assert view.posts[0].body_html and view.posts[1].like_count == 0
    assert session.exec(select(ForumReaction)).all() == [] and session.exec(select(ForumWatch).where(
        ForumWatch.user_id == people.rina.user_id)).all() == []
    assert session.get(User, people.rina.user_id).handle is None
    end_read(session)
    with pytest.raises(InvalidInput):  # the handle no longer names anyone
        forum.reply(people.andi, session=session, thread_id=saved.thread_id, body="@rina-kusuma?")




def test_two_people_with_the_same_name_written_at_once_get_different_handles(engine):
    """The second writer waits for the first (PostgreSQL: an advisory lock on the handle; SQLite:
    BEGIN IMMEDIATE) and then takes the next number, instead of failing on the unique index."""
    import threading
    import time

    from sqlmodel import Session

    from hub_app.db import begin_write

    def user(number: int) -> User:
        return User(email=f"sekar{number}@x.example", email_normalized=f"sekar{number}@x.example",
                    name="Sekar Ayu", password_hash="x", status="active")

    outcome: dict = {}

    def second_writer() -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                begin_write(session)
                row = user(2)
                session.add(row)
                session.commit()
                outcome["handle"] = row.handle
        except Exception as error:  # reported below: the test is about this not happening
            outcome["error"] = repr(error)

    with Session(engine, expire_on_commit=False) as first:
        begin_write(first)
        row = user(1)
        first.add(row)
        first.flush()  # handle chosen, not committed yet
        thread = threading.Thread(target=second_writer)
        thread.start()
        time.sleep(0.5)  # let the second writer reach the point where it must wait
        first.commit()
    thread.join(timeout=60)
    assert "error" not in outcome, outcome.get("error")
    assert (row.handle, outcome["handle"]) == ("sekar-ayu", "sekar-ayu-2")

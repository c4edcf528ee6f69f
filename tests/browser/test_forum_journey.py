"""The community journey in real browsers against the production portal:

a member on a 390 px phone (Indonesian) starts a thread in Collaboration and mentions a second
member; the second member (laptop, English) gets the notification and replies; the first member
is notified of the reply; a third member reports the reply; staff hide it at /admin/forum; a
visitor no longer sees it (the author still does, marked hidden); the directory finds the first
member by a skill. Screenshots of every step: test-output/screenshots/<engine>/forum-*.png.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import col, select

from hub_app.db import begin_write
from hub_app.models import ForumPost, ForumReport, Notification
from hub_app.seed import forum as forum_seed
from tests.browser.conftest import LAPTOP, PHONE, _page
from tests.browser.helpers import open_page

pytestmark = pytest.mark.browser

TITLE = "Cari fotografer untuk katalog tenun"
REPLY = "Halo! Studio kami bisa memotret katalog minggu depan."


def _people(portal):
    with portal.session() as session:
        begin_write(session)  # the seed reads then inserts while the portal runs
        forum_seed.seed(session)  # the five categories (threads only for demo accounts, absent here)
    first = portal.make_user("laras.tenun@journey.example", "Laras Wibowo", offers="Tenun ikat, pewarna alami",
                             looking_for="Fotografer produk", business_name="Tenun Laras", sector="craft",
                             stage="early")
    second = portal.make_user("bima.foto@journey.example", "Bima Santoso", locale="en",
                              offers="Product photography", business_name="Studio Bima", sector="creative")
    third = portal.make_user("citra.kopi@journey.example", "Citra Halim")
    staff = portal.make_user("wahyu.staf@journey.example", "Wahyu Staf", role="staff", locale="en")
    return first, second, third, staff


def _new_page(chromium, portal, user, *, phone: bool):
    context, page = _page(chromium, portal, viewport=PHONE if phone else LAPTOP,
                          locale="id-ID" if phone else "en-US", mobile=phone)
    if user is not None:
        portal.sign_in(context, user)
    return context, page


def test_thread_mention_reply_report_hide_and_directory(phone, laptop, chromium, portal, shot):
    first, second, third, staff = _people(portal)
    second_handle = portal.user(second.email).handle
    portal.sign_in(phone.context, first)
    portal.sign_in(laptop.context, second)

    # 1. On a phone, the first member starts a thread in Collaboration and mentions the second.
    open_page(phone, "/forum?lang=id")
    phone.get_by_role("link", name="Kolaborasi & mitra").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Kolaborasi & mitra")
    phone.get_by_text("Buat topik baru").click()
    phone.get_by_label("Judul").fill(TITLE)
    phone.get_by_label("Isi").fill(f"Kami butuh **foto produk** untuk 40 kain tenun. @{second_handle} "
                                   "apakah studio Anda bisa?")
    shot(phone, "forum-01-new-thread-phone-id")
    phone.get_by_role("button", name="Terbitkan topik").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(TITLE)
    mention = phone.locator(".post-body a.mention")
    expect(mention).to_have_text(f"@{second_handle}")
    expect(mention).to_have_attribute("href", f"/members/{second.id}")
    thread_url = phone.url.split("?")[0]
    thread_path = "/" + thread_url.split("/", 3)[3]
    shot(phone, "forum-02-thread-started-phone-id")

    # 2. The second member (laptop, English) is notified of the mention and replies.
    open_page(laptop, "/notifications?lang=en")
    expect(laptop.get_by_test_id("bell")).to_contain_text("1")
    notification = laptop.get_by_test_id("notification").first
    expect(notification).to_contain_text("Laras Wibowo mentioned you")
    expect(notification).to_contain_text(TITLE)
    shot(laptop, "forum-03-mention-notification-laptop-en")
    notification.get_by_role("link").click()
    expect(laptop.get_by_role("heading", level=1)).to_have_text(TITLE)
    laptop.get_by_label("Text").fill(REPLY)
    laptop.get_by_role("button", name="Send reply").click()
    expect(laptop.get_by_test_id("post").filter(has_text=REPLY)).to_be_visible()
    expect(laptop.get_by_role("status").filter(has_text="Published.")).to_be_visible()
    shot(laptop, "forum-04-reply-laptop-en")

    # 3. The first member is notified of the reply.
    open_page(phone, "/notifications")
    expect(phone.get_by_test_id("notification").first).to_contain_text(f"Balasan baru di “{TITLE}”")
    expect(phone.get_by_test_id("notification").first).to_contain_text("Bima Santoso")
    shot(phone, "forum-05-reply-notification-phone-id")

    # 4. A third member reports the reply.
    context, reporter = _new_page(chromium, portal, third, phone=True)
    try:
        open_page(reporter, thread_path)
        reply_post = reporter.get_by_test_id("post").filter(has_text=REPLY)
        reply_post.get_by_text("Laporkan").click()
        reply_post.get_by_label("Alasan").select_option("spam")
        reply_post.get_by_label("Catatan untuk staf (opsional)").fill("Promosi studio")
        shot(reporter, "forum-06-report-form-phone-id")
        reply_post.get_by_role("button", name="Kirim laporan").click()
        expect(reporter.get_by_role("status").filter(has_text="staf akan meninjau")).to_be_visible()
        shot(reporter, "forum-07-reported-phone-id")
    finally:
        context.close()
    with portal.session() as session:
        [report] = session.exec(select(ForumReport).where(ForumReport.reporter_id == third.id)).all()
        reply_row = session.get(ForumPost, report.post_id)
        assert (report.reporter_id, report.reason, reply_row.body_source) == (third.id, "spam", REPLY)

    # 5. Staff hide the reply from the queue at /admin/forum.
    context, staff_page = _new_page(chromium, portal, staff, phone=False)
    try:
        open_page(staff_page, "/admin/forum?lang=en")
        item = staff_page.get_by_test_id("report-item").filter(has_text=REPLY)
        expect(item).to_contain_text("Spam or advertising: Promosi studio (Citra Halim)")
        shot(staff_page, "forum-08-report-queue-laptop-en")
        item.get_by_label("Reason").fill("Advertising is not allowed here")
        item.get_by_role("button", name="Hide").click()
        expect(staff_page.get_by_role("status").filter(has_text="the author has been notified")).to_be_visible()
        expect(staff_page.get_by_test_id("report-item").filter(has_text=REPLY)).to_have_count(0)
        shot(staff_page, "forum-09-hidden-laptop-en")
    finally:
        context.close()
    with portal.session() as session:
        assert session.get(ForumPost, reply_row.id).state == "hidden"
        kinds = session.exec(select(Notification.kind).where(Notification.user_id == second.id)
                             .order_by(col(Notification.id))).all()
        assert kinds == ["forum.mention", "forum.post_hidden"]

    # 6. A visitor does not see the hidden reply; its author still does, marked as hidden.
    context, visitor = _new_page(chromium, portal, None, phone=True)
    try:
        open_page(visitor, thread_path)
        expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(visitor.get_by_test_id("post")).to_have_count(1)
        expect(visitor.get_by_text(REPLY)).to_have_count(0)
        shot(visitor, "forum-10-visitor-phone-id")
    finally:
        context.close()
    open_page(laptop, thread_path)
    hidden = laptop.get_by_test_id("post").filter(has_text=REPLY)
    expect(hidden).to_contain_text("Hidden by staff; only you and staff can see it.")
    expect(hidden).to_contain_text("Advertising is not allowed here")
    shot(laptop, "forum-11-author-sees-hidden-laptop-en")

    # 7. The directory finds the first member by a skill.
    open_page(laptop, "/members")
    laptop.get_by_label("Search").fill("pewarna alami")
    laptop.get_by_role("button", name="Search").click()
    cards = laptop.get_by_test_id("member-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Laras Wibowo")
    expect(cards.first).to_contain_text("Tenun Laras")
    shot(laptop, "forum-12-directory-laptop-en")
    cards.first.get_by_role("link", name="Laras Wibowo").click()
    expect(laptop.get_by_test_id("member-handle")).to_have_text(re.compile(r"^@laras-wibowo"))
    expect(laptop.get_by_role("link", name=TITLE)).to_be_visible()
    assert first.email not in laptop.content()
    shot(laptop, "forum-13-profile-laptop-en")

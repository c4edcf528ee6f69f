"""Staff work the queues. On a phone in Indonesian: tick two pending members and an unverified one on
/admin/members, approve them with one reason, read who could not be approved and why (with
"resend"); no admin page overflows at 390 px. On a laptop in English: the booking desk's previous
and next day, the week view and back to a day, the approval queue's count; the audit log filtered
by action, its CSV link downloading the filtered entries. Screenshots:
test-output/screenshots/<engine>/queues-*.png."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from hub_app.db import begin_write
from hub_app.models import AuditEntry, Space
from hub_app.models.base import utcnow
from tests.browser.helpers import open_page
from tests.staff.helpers import booking

pytestmark = pytest.mark.browser

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= 390"
ADMIN_PAGES = ["/admin", "/admin/members", "/admin/bookings", "/admin/bookings?view=week", "/admin/audit",
               "/admin/spaces", "/admin/trainings", "/admin/forum"]
WIB = ZoneInfo("Asia/Jakarta")
ROOM = "Ruang Antrean"
ROOM_EN = "Queue room"


def test_staff_on_a_phone_approve_two_members_with_one_reason(phone, portal, shot):
    sinta = portal.make_user("sinta.queues@umkm.example", "Sinta Queue", status="pending")
    tomi = portal.make_user("tomi.queues@umkm.example", "Tomi Queue", status="pending")
    ucok = portal.make_user("ucok.queues@umkm.example", "Ucok Belum", status="pending", verified=False)
    staff = portal.make_user("vera.queues@jfch.example", "Vera Staf", role="staff")
    portal.sign_in(phone.context, staff)

    open_page(phone, "/admin/members?status=pending")
    bulk = phone.locator("#bulk-members")
    expect(bulk).to_contain_text("Putuskan yang dipilih")
    for name in ("Sinta Queue", "Tomi Queue", "Ucok Belum"):
        phone.get_by_label(f"Pilih {name}", exact=True).check()
    bulk.get_by_label("Alasan (wajib untuk menolak; dibaca anggota)").fill("Profil usaha lengkap")
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
    shot(phone, "queues-01-members-ticked-phone-id")
    bulk.get_by_role("button", name="Putuskan yang dipilih").click()

    expect(phone.get_by_role("status").filter(has_text="2 disetujui.")).to_be_visible()
    refused = phone.get_by_test_id("bulk-refused")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("Ucok Belum: Anggota ini belum memverifikasi emailnya.")
    expect(phone.get_by_test_id("member-row").filter(has_text="Sinta Queue")).to_have_count(0)
    assert [portal.user(u.email).status for u in (sinta, tomi, ucok)] == ["active", "active", "pending"]
    assert portal.user(sinta.email).status_reason == "Profil usaha lengkap"
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
    shot(phone, "queues-02-members-approved-phone-id")
    refused.get_by_role("button", name="Kirim ulang email verifikasi").click()
    expect(phone.get_by_role("status").filter(has_text="Email verifikasi dikirim ulang.")).to_be_visible()

    # Every admin page fits a 390 px phone; the tables read as cards.
    for path in ADMIN_PAGES + [f"/admin/members/{sinta.id}"]:
        open_page(phone, path)
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        assert phone.evaluate(NO_HORIZONTAL_SCROLL), path
        if path == "/admin/bookings":
            shot(phone, "queues-03-desk-phone-id")
        if path == "/admin/bookings?view=week":
            expect(phone.get_by_test_id("desk-week")).to_be_visible()
            shot(phone, "queues-04-week-phone-id")
        if path == "/admin/audit":
            expect(phone.get_by_test_id("audit-row").filter(has_text="Sinta Queue").first).to_contain_text(
                "Anggota disetujui")
            shot(phone, "queues-05-audit-phone-id")


def _room(portal) -> Space:
    with portal.session() as session:
        begin_write(session)
        room = session.exec(select(Space).where(Space.name_id == ROOM)).first()
        if room is None:
            room = Space(kind="meeting_room", name_id=ROOM, name_en=ROOM_EN, capacity=8, needs_approval=True)
            session.add(room)
            session.commit()
        return room


def test_staff_on_a_laptop_move_through_days_and_weeks_and_export_the_audit(laptop, portal, shot):
    member = portal.make_user("wati.queues@umkm.example", "Wati Queue")
    staff = portal.make_user("yudi.queues@jfch.example", "Yudi Staf", role="staff", locale="en")
    room = _room(portal)
    today = datetime.now(UTC).astimezone(WIB).date()
    tomorrow = today + timedelta(days=1)
    with portal.session() as session:
        start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, tzinfo=WIB).astimezone(UTC)
        booking(session, room, member.id, start, status="pending")
        booking(session, room, member.id, start + timedelta(hours=2))
        session.add(AuditEntry(actor_id=staff.id, action="booking.block", target_type="space", target_id=room.id,
                               detail="=cmd|' /C calc'!A0", created_at=utcnow()))
        session.commit()
    portal.sign_in(laptop.context, staff)

    open_page(laptop, f"/admin/bookings?date={today.isoformat()}&lang=en")
    expect(laptop.get_by_test_id("queue-count")).to_contain_text(re.compile(r"^[1-9]\d* waiting$"))
    laptop.get_by_role("button", name="Next day ›").click()
    laptop.wait_for_url(re.compile(rf"date={tomorrow.isoformat()}$"))
    expect(laptop.get_by_test_id("desk-day")).to_have_text(tomorrow.strftime("%A, %-d %B %Y"))
    rows = laptop.get_by_test_id("admin-booking-row").filter(has_text="Wati Queue")
    expect(rows).to_have_count(2)
    shot(laptop, "queues-06-desk-laptop-en")
    laptop.get_by_role("button", name="‹ Previous day").click()
    laptop.wait_for_url(re.compile(rf"date={today.isoformat()}$"))

    laptop.get_by_role("button", name="Week", exact=True).click()
    laptop.wait_for_url(re.compile(r"view=week$"))
    row = laptop.get_by_test_id("week-row").filter(has_text=ROOM_EN)
    cell = row.get_by_role("button", name=re.compile(rf"^{ROOM_EN}, .* {tomorrow.day} .*: 2 bookings$"))
    if tomorrow.weekday() == 0:  # tomorrow starts the next week
        laptop.get_by_role("button", name="Next week ›").click()
    expect(cell).to_be_visible()
    shot(laptop, "queues-07-week-laptop-en")
    cell.click()
    laptop.wait_for_url(re.compile(rf"date={tomorrow.isoformat()}$"))
    expect(laptop.get_by_test_id("admin-booking-row").filter(has_text="Wati Queue")).to_have_count(2)

    # A linked week opens as a week.
    open_page(laptop, f"/admin/bookings?date={tomorrow.isoformat()}&view=week")
    expect(laptop.get_by_test_id("week-row").filter(has_text=ROOM_EN)).to_be_visible()

    open_page(laptop, "/admin/audit")
    laptop.get_by_label("Action", exact=True).select_option(label="Space blocked")
    laptop.get_by_label("Staff member", exact=True).select_option(label="Yudi Staf")
    laptop.get_by_role("button", name="Apply").click()
    laptop.wait_for_url(re.compile(r"/admin/audit\?staff=\d+&action=booking\.block$"))
    entry = laptop.get_by_test_id("audit-row")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Space blocked")
    expect(entry.get_by_role("link", name=ROOM_EN)).to_have_attribute("href", f"/spaces/{room.id}")
    shot(laptop, "queues-08-audit-laptop-en")
    href = laptop.get_by_test_id("audit-csv").get_attribute("href")
    assert href.startswith("/api/admin/audit.csv?staff=") and "action=booking.block" in href
    response = laptop.context.request.get(portal.url + href)
    assert response.status == 200
    rows = list(csv.reader(io.StringIO(response.body().decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][2:6] == ["Yudi Staf", "booking.block", "Space blocked", ROOM_EN]
    assert rows[1][7] == "'=cmd|' /C calc'!A0"

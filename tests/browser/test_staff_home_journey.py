"""Staff run the day from /admin: on a laptop in English and on a phone in Indonesian they see today's
bookings by hour, what waits for approval (a member whose email is not verified shows "waiting for
email verification" with "resend" instead of Approve), trainings this week and closures coming up;
they approve from the home and from a member's record. Nothing overflows at 390 px on /admin,
/admin/members and /admin/members/<id>. Screenshots: test-output/screenshots/<engine>/staff-*.png."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from hub_app.db import begin_write
from hub_app.domain.staff_home import local_day_bounds
from hub_app.models import Booking, Space
from hub_app.models.base import utcnow
from hub_app.services.bookings import hub_tz
from tests.browser.helpers import open_page
from tests.staff.helpers import booking, closure, training

pytestmark = pytest.mark.browser

DESK = "Area Kerja Staf"
DESK_EN = "Staff test desks"
DONE_BOOKING = "Saved; the member was notified where needed."
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _arrange(portal) -> dict:
    """Members waiting, bookings (one pending, starting soon), a training this week and a closure."""
    ids = {}
    ids["dewi"] = portal.make_user("dewi.staffhome@umkm.example", "Dewi Lestari", status="pending",
                                   business_name="Batik Dewi").id
    ids["eko"] = portal.make_user("eko.staffhome@umkm.example", "Eko Prasetyo", status="pending",
                                  verified=False).id
    ids["fajar"] = portal.make_user("fajar.staffhome@umkm.example", "Fajar Nugroho", status="pending").id
    ids["gita"] = portal.make_user("gita.staffhome@umkm.example", "Gita Member").id
    now = utcnow()
    with portal.session() as session:
        begin_write(session)
        desk = session.exec(select(Space).where(Space.name_id == DESK)).first()
        if desk is None:
            desk = Space(kind="desk_area", name_id=DESK, name_en=DESK_EN, capacity=40)
            session.add(desk)
            session.commit()
        ids["soon"] = booking(session, desk, ids["gita"], now + timedelta(minutes=30), status="pending").id
        ids["later"] = booking(session, desk, ids["gita"], now + timedelta(minutes=40), status="pending").id
        # Checked in today whenever the test runs: near the hub's midnight, "5 minutes ago" is
        # yesterday there, and the page may be opened after the local day turned.
        _, today_start, tomorrow_start = local_day_bounds(now, hub_tz())
        booking(session, desk, ids["gita"], max(now - timedelta(minutes=5), today_start), checked_in=True)
        booking(session, desk, ids["gita"], tomorrow_start, checked_in=True)
        booking(session, desk, ids["gita"], now + timedelta(days=3))
        training(session, [now + timedelta(hours=2)], capacity=12, enrolled=12, waitlisted=4,
                 title="Pemasaran Instagram (staf)")
        closure(session, now + timedelta(days=2), now + timedelta(days=2, hours=5), space=desk,
                reason="Perawatan AC")
    return ids


def _booking_status(portal, booking_id: int) -> str:
    with portal.session() as session:
        return session.get(Booking, booking_id).status


def test_staff_on_a_laptop_in_english_run_the_day_and_resend_a_verification(laptop, portal, shot):
    ids = _arrange(portal)
    staff = portal.user("hana.staffhome@jfch.example") or portal.make_user(
        "hana.staffhome@jfch.example", "Hana Staf", role="staff", locale="en")
    portal.sign_in(laptop.context, staff)
    open_page(laptop, "/?lang=en")
    # The Admin entry of the top bar leads to the staff home.
    laptop.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Admin").click()
    laptop.wait_for_url(re.compile(r"/admin$"))
    open_page(laptop, "/admin")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Staff home")
    today = laptop.get_by_test_id("staff-today")
    expect(today.get_by_test_id("staff-checked-in")).not_to_contain_text(re.compile(r"^0"))
    expect(today.get_by_test_id("staff-hour").first).to_contain_text("bookings: ")
    expect(laptop.get_by_test_id("staff-training").filter(has_text="Pemasaran Instagram (staf)")).to_contain_text(
        "Seats taken: 12/12 · waitlist: 4")
    expect(laptop.get_by_test_id("staff-closure").filter(has_text=DESK_EN)).to_contain_text("Holiday")
    dewi = laptop.get_by_test_id("staff-waiting-member").filter(has_text="Dewi Lestari")
    eko = laptop.get_by_test_id("staff-waiting-member").filter(has_text="Eko Prasetyo")
    expect(eko).to_contain_text("Waiting for email verification")
    expect(eko.get_by_role("button", name="Approve")).to_have_count(0)
    expect(dewi.get_by_role("button", name="Approve")).to_be_visible()
    shot(laptop, "staff-01-home-laptop-en")

    # One tap approves Dewi; declining a booking asks for the reason.
    dewi.get_by_role("button", name="Approve").click()
    expect(laptop.get_by_role("status").filter(has_text="Saved; the member has been notified.")).to_be_visible()
    expect(dewi).to_have_count(0)
    assert portal.user("dewi.staffhome@umkm.example").status == "active"
    later = laptop.get_by_test_id("staff-waiting-booking").filter(has_text="Gita Member").nth(1)
    later.locator("summary").click()
    later.get_by_label("Reason").fill("The area is reserved for an event")
    later.locator("form").get_by_role("button", name="Decline").click()
    expect(laptop.get_by_role("status").filter(has_text=DONE_BOOKING)).to_be_visible()
    assert _booking_status(portal, ids["later"]) == "declined"

    # Eko's email is not verified: resend it, then open his record.
    eko.get_by_role("button", name="Resend the verification email").click()
    expect(laptop.get_by_role("status").filter(has_text="The verification email was sent again.")).to_be_visible()
    assert portal.email_link("eko.staffhome@umkm.example", "/verify/")
    eko.get_by_role("link", name="Eko Prasetyo").click()
    laptop.wait_for_url(re.compile(rf"/admin/members/{ids['eko']}$"))
    open_page(laptop, f"/admin/members/{ids['eko']}")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Eko Prasetyo")
    membership = laptop.get_by_test_id("record-membership")
    expect(membership.get_by_test_id("record-waits-for-email")).to_have_text("Waiting for email verification")
    expect(membership.get_by_role("button", name="Approve")).to_have_count(0)
    expect(laptop.get_by_test_id("record-audit")).to_contain_text("Verification email resent")
    shot(laptop, "staff-02-record-unverified-laptop-en")

    # Gita's record: bookings with a check-in, a quota set for her.
    open_page(laptop, f"/admin/members/{ids['gita']}")
    expect(laptop.get_by_test_id("record-bookings")).to_contain_text("checked in")
    laptop.get_by_label("Hours a week").fill("6")
    laptop.get_by_label("Upcoming bookings").fill("2")
    laptop.get_by_role("button", name="Save the quota").click()
    expect(laptop.get_by_test_id("record-quota")).to_contain_text("Hours a week: 6 · upcoming bookings: 2")
    expect(laptop.get_by_test_id("record-audit")).to_contain_text("Booking quota changed")
    shot(laptop, "staff-03-record-member-laptop-en")


def test_staff_on_a_phone_in_indonesian_approve_from_the_home_and_a_record(phone, portal, shot):
    ids = _arrange(portal) if portal.user("dewi.staffhome@umkm.example") is None else _ids(portal)
    staff = portal.user("indra.staffhome@jfch.example") or portal.make_user(
        "indra.staffhome@jfch.example", "Indra Staf", role="staff")
    portal.sign_in(phone.context, staff)
    open_page(phone, "/")
    phone.locator(".tab-bar").get_by_role("link", name="Admin").click()
    phone.wait_for_url(re.compile(r"/admin$"))
    open_page(phone, "/admin")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Beranda staf")
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
    soon = phone.get_by_test_id("staff-waiting-booking").filter(has_text="Gita Member").first
    expect(soon).to_be_visible()
    shot(phone, "staff-04-home-phone-id")
    soon.get_by_role("button", name="Setujui").click()
    expect(phone.get_by_role("status").filter(has_text="anggota sudah diberi tahu bila perlu")).to_be_visible()
    assert _booking_status(portal, ids["soon"]) == "confirmed"

    # The members list: cards, the unverified member waits for the email; open Fajar's record.
    open_page(phone, "/admin/members?status=pending")
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
    eko = phone.get_by_test_id("member-row").filter(has_text="eko.staffhome@umkm.example")
    expect(eko).to_contain_text("Menunggu verifikasi email")
    expect(eko.get_by_role("button", name="Setujui", exact=True)).to_have_count(0)
    shot(phone, "staff-05-members-phone-id")
    phone.get_by_role("link", name="Fajar Nugroho").click()
    phone.wait_for_url(re.compile(rf"/admin/members/{ids['fajar']}$"))
    open_page(phone, f"/admin/members/{ids['fajar']}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Fajar Nugroho")
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
    shot(phone, "staff-06-record-phone-id")
    phone.get_by_test_id("record-membership").get_by_role("button", name="Setujui", exact=True).click()
    expect(phone.get_by_role("status").filter(has_text="Perubahan disimpan")).to_be_visible()
    expect(phone.get_by_test_id("record-membership").get_by_test_id("record-history")).to_contain_text("Disetujui")
    expect(phone.get_by_test_id("record-membership")).to_contain_text("Aktif")
    assert portal.user("fajar.staffhome@umkm.example").status == "active"
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
    shot(phone, "staff-07-record-approved-phone-id")


def _ids(portal) -> dict:
    with portal.session() as session:
        gita = portal.user("gita.staffhome@umkm.example").id
        pending = session.exec(select(Booking).where(Booking.user_id == gita, Booking.status == "pending")
                               .order_by(Booking.starts_at)).first()
    return {"fajar": portal.user("fajar.staffhome@umkm.example").id, "soon": pending.id}

"""A member's daily use on a 390 px phone in Indonesian: from the home page, a one-hour room for
tomorrow in at most 5 taps; the booking on the home page and in My bookings, then cancelled; a
visitor who taps a time signs in and finds the form where they left it; a pending member learns why
before any form. Screenshots of each step: test-output/screenshots/<engine>/home-*.png."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import col, select

from hub_app.db import begin_write
from hub_app.domain.opening_hours import day_bounds
from hub_app.models import Closure, OpeningHours, Space
from hub_app.models.base import utcnow
from hub_app.services.bookings import hub_tz
from hub_app.services.spaces import load_hours
from tests.browser.conftest import PASSWORD
from tests.browser.helpers import open_page, wait_for_app

pytestmark = pytest.mark.browser

ROOM = "Ruang Rapat Glodok"
TAPPABLE = "a, button, input, select, textarea, summary, [role=button], [tabindex='0']"


def _arrange_room(portal) -> tuple[int, str]:
    """A meeting room of this journey's own, and tomorrow (local) open 08.00-20.00, not closed."""
    tomorrow = utcnow().astimezone(hub_tz()).date() + timedelta(days=1)
    with portal.session() as session:
        begin_write(session)
        room = session.exec(select(Space).where(Space.name_id == ROOM)).first()
        if room is None:
            room = Space(kind="meeting_room", name_id=ROOM, name_en="Glodok Meeting Room", capacity=6,
                         location="Lantai 23, R. 2305", max_minutes=120)
            session.add(room)
        hours = load_hours(session)
        opens, closes = hours.get(tomorrow.weekday(), (8 * 60, 20 * 60))
        hours[tomorrow.weekday()] = (min(opens, 8 * 60), max(closes, 20 * 60))
        for weekday in range(7):
            opens, closes = hours.get(weekday, (0, 0))
            session.merge(OpeningHours(weekday=weekday, opens_minute=opens, closes_minute=closes))
        day_start, day_end = day_bounds(tomorrow, hub_tz())
        for closure in session.exec(select(Closure).where(
                col(Closure.space_id).is_(None), col(Closure.starts_at) < day_end,
                col(Closure.ends_at) > day_start)).all():
            session.delete(closure)
        session.commit()
        return room.id, tomorrow.isoformat()


class Taps:
    """Counts what the member taps (typing into a field is not a tap; focusing it is)."""

    def __init__(self):
        self.count = 0

    def __call__(self, locator):
        self.count += 1
        locator.click()


def tappable_on_first_screen(page) -> list[str]:
    """What a thumb can reach on the first screen, without scrolling."""
    return page.evaluate("""(selector) => {
        const height = window.innerHeight, width = window.innerWidth;
        return [...document.querySelectorAll(selector)].filter((element) => {
            const box = element.getBoundingClientRect();
            const style = getComputedStyle(element);
            // checkVisibility: not inside a closed <details>, not display:none, not visibility:hidden.
            return element.checkVisibility({visibilityProperty: true}) && box.width > 0 && box.height > 0
                && style.visibility !== 'hidden' && box.bottom > 0
                && box.top < height && box.right > 0 && box.left < width;
        }).map((element) => `${element.tagName} ${(element.textContent || '').trim().slice(0, 24)}`);
    }""", TAPPABLE)


def test_member_books_a_room_for_tomorrow_from_home_in_five_taps(phone, portal, shot):
    room, tomorrow = _arrange_room(portal)
    member = portal.user("sari.home@umkm.example") or portal.make_user("sari.home@umkm.example", "Sari Wulandari")
    portal.sign_in(phone.context, member)
    open_page(phone, "/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Halo, Sari Wulandari")
    expect(phone.get_by_test_id("agenda-empty")).to_be_visible()
    shot(phone, "home-01-member-home-empty")

    tap = Taps()
    with phone.expect_navigation():
        tap(phone.get_by_role("link", name="Pesan ruang"))
    wait_for_app(phone)
    shot(phone, "home-02-book-rooms-today-or-next")
    reachable = tappable_on_first_screen(phone)
    assert len(reachable) <= 40, " | ".join(reachable)
    tap(phone.locator(f'.date-strip [data-day="{tomorrow}"]'))
    start = phone.locator(f'[data-agenda-space="{room}"] [data-start="{tomorrow}T10:00"]')
    expect(start).to_be_visible()
    expect(start).to_have_attribute("aria-label", re.compile(rf"^{ROOM}, .*10\.00–11\.00$"))
    expect(phone.get_by_role("button", name="60 mnt")).to_have_attribute("aria-pressed", "true")
    reachable = tappable_on_first_screen(phone)
    assert len(reachable) <= 40, " | ".join(reachable)
    item_height = phone.locator(f'[data-agenda-space="{room}"]').bounding_box()["height"]
    assert item_height <= 2 * phone.viewport_size["height"]
    tap(start)
    form = phone.locator("#booking-form")
    expect(form).to_be_visible()
    expect(form.get_by_label("Selesai")).to_have_value(f"{tomorrow}T11:00")
    expect(form.get_by_label("Judul")).to_have_value("Rapat")
    shot(phone, "home-03-booking-form-end-preset")
    tap(form.get_by_role("button", name="Pesan"))
    confirmation = phone.get_by_test_id("booking-confirmation")
    expect(confirmation).to_contain_text(f"Dipesan: {ROOM}")
    expect(confirmation.get_by_role("link", name="Pesanan saya")).to_be_visible()
    expect(confirmation.get_by_role("link", name="Tambah ke kalender")).to_have_attribute(
        "href", re.compile(r"^/api/bookings/\d+\.ics$"))
    assert tap.count <= 5, f"{tap.count} taps"
    shot(phone, "home-04-booked-with-links")

    # The booking is on the home page and in My bookings; cancelled, it leaves "upcoming".
    open_page(phone, "/")
    item = phone.get_by_test_id("agenda-item").filter(has_text=ROOM)
    expect(item).to_contain_text("Besok")
    expect(item).to_contain_text("10.00–11.00")
    shot(phone, "home-05-home-lists-the-booking")
    with phone.expect_navigation():
        phone.locator(".tab-bar").get_by_role("link", name="Saya", exact=True).click()
    wait_for_app(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="Pesanan saya").click()
    wait_for_app(phone)
    row = phone.get_by_test_id("booking-row").filter(has_text=ROOM)
    expect(row).to_contain_text("10.00")
    row.locator("summary").click()
    row.get_by_role("button", name="Ya, batalkan").click()
    expect(phone.get_by_test_id("booking-row").filter(has_text=ROOM)).to_have_count(0)
    phone.get_by_role("button", name="Lewat / dibatalkan").click()
    expect(phone.get_by_test_id("booking-row").filter(has_text=ROOM)).to_contain_text("Dibatalkan")
    shot(phone, "home-06-cancelled-under-past")


def test_a_visitor_taps_a_time_signs_in_and_finds_the_form(phone, portal, shot):
    room, tomorrow = _arrange_room(portal)
    member = portal.user("tono.home@umkm.example") or portal.make_user("tono.home@umkm.example", "Tono Saputra")
    open_page(phone, f"/book?date={tomorrow}")
    phone.get_by_role("button", name="90 mnt").click()
    phone.locator(f'[data-agenda-space="{room}"] summary').click()  # "more times": past the first six
    with phone.expect_navigation(url=re.compile(r"/login\?next=")):
        phone.locator(f'[data-agenda-space="{room}"] [data-start="{tomorrow}T14:00"]').click()
    wait_for_app(phone)
    phone.get_by_label("Email").fill(member.email)
    phone.get_by_label("Kata sandi").fill(PASSWORD)
    with phone.expect_navigation(url=re.compile(r"/book\?")):
        phone.get_by_role("button", name="Masuk", exact=True).click()
    wait_for_app(phone)
    form = phone.locator("#booking-form")
    expect(form).to_be_visible()
    expect(phone.get_by_test_id("booking-choice")).to_contain_text(ROOM)
    expect(phone.get_by_test_id("booking-choice")).to_contain_text("14.00")
    expect(form.get_by_label("Selesai")).to_have_value(f"{tomorrow}T15:30")
    shot(phone, "home-07-visitor-back-with-the-form")


def test_a_pending_member_sees_why_before_any_form(phone, portal, shot):
    room, tomorrow = _arrange_room(portal)
    pending = portal.user("baru.home@umkm.example") or portal.make_user("baru.home@umkm.example", "Dewi Baru",
                                                                        status="pending")
    portal.sign_in(phone.context, pending)
    open_page(phone, "/")
    checklist = phone.get_by_test_id("membership-checklist")
    expect(checklist).to_contain_text("Email terverifikasi")
    expect(checklist).to_contain_text("Menunggu staf")
    shot(phone, "home-08-pending-checklist")
    open_page(phone, f"/book?date={tomorrow}")
    phone.locator(f'[data-agenda-space="{room}"] [data-start="{tomorrow}T08:00"]').click()
    expect(phone.get_by_test_id("booking-refusal")).to_contain_text("disetujui staf")
    expect(phone.locator("#booking-form")).to_have_count(0)
    shot(phone, "home-09-pending-refused-before-form")


def test_staff_on_a_laptop_in_english_have_their_hub_the_day_grid_and_admin(laptop, phone, portal, shot):
    room, tomorrow = _arrange_room(portal)
    staff = portal.user("yuni.home@jfch.example") or portal.make_user("yuni.home@jfch.example", "Yuni Staf",
                                                                      role="staff", locale="en")
    portal.sign_in(laptop.context, staff)
    open_page(laptop, "/?lang=en")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Hello, Yuni Staf")
    expect(laptop.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Admin")).to_be_visible()
    shot(laptop, "home-10-staff-hub-laptop-en")
    open_page(laptop, f"/book?date={tomorrow}")
    cell = laptop.locator(f'.cal-cell[data-space="{room}"][data-start="{tomorrow}T10:00"]')
    expect(cell).to_be_visible()
    expect(cell).to_have_attribute("aria-label", re.compile(r"^Glodok Meeting Room, .*10:00"))
    expect(laptop.get_by_test_id("free-start-times")).to_be_hidden()
    shot(laptop, "home-11-book-day-grid-laptop-en")
    # On a phone, staff find Admin in the tab bar.
    portal.sign_in(phone.context, staff)
    open_page(phone, "/")
    expect(phone.locator(".tab-bar").get_by_role("link", name="Admin")).to_be_visible()
    shot(phone, "home-12-staff-tab-bar-phone")

"""The space-booking journey in real browsers against the production portal (the shared `portal`,
once on SQLite and once on PostgreSQL):

a member on a 390 px phone books a room for tomorrow 10.00-11.00 and sees it in My bookings; a
second member who tries 10.30-11.30 gets the message; staff on a laptop see the booking in the day
view and in the room's week view, both opened before: they show it without a reload (the change is
pushed to the open calendars that show that day and room); the member checks in; the
member's .ics feed lists the booking, and after the member cancels it does not.
Screenshots of every step go to test-output/screenshots/<engine>/bookings-*.png.

The shared portal starts with an empty database (no demo data): `_arrange` adds the three people,
a meeting room of its own and makes sure the hub is open tomorrow."""

import urllib.request
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import col, select

from hub_app.db import begin_write
from hub_app.domain.opening_hours import day_bounds
from hub_app.models import Booking, Closure, OpeningHours, Space
from hub_app.models.base import utcnow
from hub_app.services.bookings import hub_tz
from hub_app.services.spaces import load_hours
from tests.browser.conftest import PHONE, _page, _watch_hydration
from tests.browser.helpers import open_page

pytestmark = pytest.mark.browser

ROOM = "Ruang Rapat Kota Tua"
TITLE = "Sesi foto katalog batik"


def _arrange(portal) -> dict:
    """Staff, two members and a 4-person meeting room (as in the demo floor); tomorrow (local)
    open 08.00-20.00 and not closed, whatever weekday or holiday it is. The other weekdays keep
    the hours the portal has (its defaults while nobody saved any), so other journeys see no change."""
    staff = portal.make_user("staf.bookings@jfch.example", "Budi Santoso", role="staff", locale="en")
    rina = portal.make_user("rina.bookings@umkm.example", "Rina Kusuma")
    andi = portal.make_user("andi.bookings@startup.example", "Andi Pratama")
    tomorrow = utcnow().astimezone(hub_tz()).date() + timedelta(days=1)
    with portal.session() as session:
        begin_write(session)
        hours = load_hours(session)
        opens, closes = hours.get(tomorrow.weekday(), (8 * 60, 20 * 60))
        hours[tomorrow.weekday()] = (min(opens, 8 * 60), max(closes, 20 * 60))
        for weekday in range(7):  # a closed weekday is an empty span, as the staff form stores it
            opens, closes = hours.get(weekday, (0, 0))
            session.merge(OpeningHours(weekday=weekday, opens_minute=opens, closes_minute=closes))
        day_start, day_end = day_bounds(tomorrow, hub_tz())
        for closure in session.exec(select(Closure).where(  # e.g. a public holiday
                col(Closure.space_id).is_(None), col(Closure.starts_at) < day_end,
                col(Closure.ends_at) > day_start)).all():
            session.delete(closure)
        room = Space(kind="meeting_room", name_id=ROOM, name_en="Old Town Meeting Room", capacity=4,
                     amenities=["whiteboard", "wifi"], location="Lantai 23, R. 2303", max_minutes=120,
                     description_id="Ruang kecil untuk mentoring empat mata.",
                     description_en="A small room for one-to-one mentoring.")
        session.add(room)
        session.commit()
        room_id = room.id
    return {"staff": staff, "rina": rina, "andi": andi, "room": room_id, "day": tomorrow.isoformat()}


def _bookings_of(portal, room_id: int) -> list[Booking]:
    with portal.session() as session:
        return list(session.exec(select(Booking).where(Booking.space_id == room_id)).all())


def _feed_events(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/calendar")
        return response.read().decode()


def test_member_books_sees_checks_in_and_cancels(phone, laptop, chromium, portal, shot):
    arranged = _arrange(portal)
    room, day = arranged["room"], arranged["day"]
    # The laptop's day view has a cell per slot; a phone lists each space's free start times.
    slot = f'.cal-cell[data-space="{room}"][data-start="{day}T10:00"]'
    start_chip = f'.chip[data-space="{room}"][data-start="{day}T10:00"]'

    # Staff open the day view on a laptop first: it must update by itself later.
    staff = laptop
    portal.sign_in(staff.context, arranged["staff"])
    open_page(staff, f"/book?date={day}&lang=en")
    expect(staff.locator(slot)).to_be_visible()
    shot(staff, "bookings-01-staff-day-view-before")
    # Away to the forum and back in the same tab (no page load, no event of the calendar's own on
    # leaving): the calendar shown again is live again.
    staff.get_by_role("link", name="Forum", exact=True).first.click()
    expect(staff.get_by_role("heading", name="Forum", level=1)).to_be_visible()
    staff.go_back()
    expect(staff.locator(slot)).to_be_visible()
    # ... and the room's week from that day in a second tab.
    staff_week = staff.context.new_page()
    _watch_hydration(staff_week)
    open_page(staff_week, f"/spaces/{room}?date={day}&lang=en")
    week_busy = staff_week.locator(f'[data-space="{room}"][data-kind="busy"]')
    expect(staff_week.locator(f'.cal-cell[data-space="{room}"][data-start="{day}T10:00"]')).to_be_visible()
    expect(week_busy).to_have_count(0)

    # A second member has the same calendar open on a second phone and picks 10.30.
    andi_context, andi = _page(chromium, portal, viewport=PHONE, locale="id-ID", mobile=True)
    try:
        portal.sign_in(andi_context, arranged["andi"])
        open_page(andi, f"/book?date={day}")
        andi.get_by_role("button", name="30 mnt").click()
        andi.locator(f'.chip[data-space="{room}"][data-start="{day}T10:30"]').click()
        expect(andi.locator("#booking-form")).to_be_visible()

        # The member books tomorrow 10.00-11.00 on a phone.
        rina = phone
        portal.sign_in(rina.context, arranged["rina"])
        open_page(rina, f"/book?date={day}")
        rina.locator(start_chip).click()
        form = rina.locator("#booking-form")
        form.get_by_label("Selesai").select_option(f"{day}T11:00")
        form.get_by_label("Judul").fill(TITLE)
        form.get_by_label("Jumlah orang").fill("3")
        shot(rina, "bookings-02-member-phone-booking-form")
        form.get_by_role("button", name="Pesan").click()
        expect(rina.get_by_text(f"Dipesan: {ROOM}")).to_be_visible()
        shot(rina, "bookings-03-member-phone-booked")

        open_page(rina, "/bookings")
        row = rina.get_by_test_id("booking-row").filter(has_text=TITLE)
        expect(row).to_contain_text("10.00")
        expect(row).to_contain_text(ROOM)
        shot(rina, "bookings-04-member-my-bookings")

        # The second member's 10.30-11.30 attempt gets the message; nothing is booked.
        andi_form = andi.locator("#booking-form")
        andi_form.get_by_label("Selesai").select_option(f"{day}T11:30")
        andi_form.get_by_label("Judul").fill("Diskusi tim")
        andi_form.get_by_role("button", name="Pesan").click()
        expect(andi.get_by_text("Waktu itu sudah dipesan orang lain. Pilih waktu lain.")).to_be_visible()
        shot(andi, "bookings-05-second-member-refused")
        booked = _bookings_of(portal, room)
        assert [(b.user_id, b.title) for b in booked] == [(arranged["rina"].id, TITLE)]
    finally:
        andi_context.close()

    # Staff's calendar, opened before, shows it without a reload (live update), with the name.
    expect(staff.locator(f'[data-space="{room}"][data-kind="busy"]').filter(has_text="Rina Kusuma")) \
        .to_be_visible()
    expect(staff.locator(slot)).to_have_count(0)
    shot(staff, "bookings-06-staff-day-view-live")
    expect(week_busy.filter(has_text="Rina Kusuma")).to_be_visible()
    shot(staff_week, "bookings-06b-staff-week-view-live")
    staff_week.close()

    # The member subscribes to the .ics feed from the profile page.
    open_page(rina, "/profile")
    rina.get_by_role("button", name="Buat tautan kalender").click()
    feed_field = rina.get_by_label("Tautan kalender Anda")
    expect(feed_field).not_to_have_value("")
    feed_url = feed_field.input_value()
    assert feed_url.startswith(f"{portal.url}/api/calendar/")
    shot(rina, "bookings-07-member-calendar-feed")
    assert TITLE in _feed_events(feed_url)

    # Time passes: the booking now starts in five minutes, so check-in is open.
    with portal.session() as session:
        begin_write(session)
        booking = session.exec(select(Booking).where(Booking.space_id == room)).one()
        start = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=5)
        booking.starts_at, booking.ends_at = start, start + timedelta(hours=1)
        session.add(booking)
        session.commit()
    open_page(rina, "/bookings")
    row = rina.get_by_test_id("booking-row").filter(has_text=TITLE)
    row.get_by_role("button", name="Check-in").click()
    expect(rina.get_by_text("Check-in berhasil")).to_be_visible()
    expect(row).to_contain_text("Sudah check-in")
    shot(rina, "bookings-08-member-checked-in")
    with portal.session() as session:
        assert session.exec(select(Booking.checked_in_at).where(Booking.space_id == room)).one() is not None

    # The member cancels; the feed no longer lists it.
    row.locator("summary").filter(has_text="Batalkan").click()
    row.get_by_role("button", name="Ya, batalkan").click()
    expect(rina.get_by_text("1 pemesanan dibatalkan.")).to_be_visible()
    shot(rina, "bookings-09-member-cancelled")
    assert [b.status for b in _bookings_of(portal, room)] == ["cancelled"]
    assert TITLE not in _feed_events(feed_url)

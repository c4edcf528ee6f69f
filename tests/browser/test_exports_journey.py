"""Staff download the exports from /admin/insights: on a laptop in English the bookings of the period
on screen as XLSX (read back with openpyxl), on a 390 px phone in Indonesian the members as CSV (read
back with the csv module); the files are named by kind and period, times are in WIB, a name that a
spreadsheet would run arrives neutralised, and nothing overflows. Screenshots:
test-output/screenshots/<engine>/exports-*.png."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlmodel import select

from hub_app.db import begin_write
from hub_app.domain.insights import period_for
from hub_app.models import Booking, Space, User
from hub_app.services.bookings import hub_tz
from tests.browser.helpers import open_page

pytestmark = pytest.mark.browser

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
ROOM = "Ruang Ekspor Uji"
MEMBER = "=1+1 Anggota Ekspor"


def _last_month():
    return period_for("last_month", datetime.now(hub_tz()).date())


def _arrange(portal) -> tuple[int, datetime]:
    """A member (since before last month) whose name a spreadsheet would run, and their booking at
    10.00 WIB on the 15th of last month; returns (the member's id, the booking's start as WIB wall-clock time)."""
    member = portal.user("ekspor@umkm.example") or portal.make_user(
        "ekspor@umkm.example", MEMBER, business_name="+62 Ekspor", sector="craft")
    day = _last_month().first_day + timedelta(days=14)
    start = datetime(day.year, day.month, day.day, 10, tzinfo=hub_tz())
    with portal.session() as session:
        begin_write(session)
        # A member since before the period (the members export lists who had joined by its end).
        session.get(User, member.id).created_at = start.astimezone(UTC) - timedelta(days=60)
        room = session.exec(select(Space).where(Space.name_id == ROOM)).first()
        if room is None:
            room = Space(kind="meeting_room", name_id=ROOM, name_en="Export test room", capacity=6)
            session.add(room)
            session.flush()
            session.add(Booking(space_id=room.id, user_id=member.id, starts_at=start.astimezone(UTC),
                                ends_at=(start + timedelta(hours=2)).astimezone(UTC), seats=3, title="@rapat"))
        session.commit()
    return member.id, start.replace(tzinfo=None)


def _staff(portal, email: str, locale: str):
    return portal.user(email) or portal.make_user(email, "Staf Ekspor", role="staff", locale=locale)


def _download(page, link) -> tuple[str, bytes]:
    with page.expect_download() as started:
        link.click()
    download = started.value
    with open(download.path(), "rb") as file:
        return download.suggested_filename, file.read()


def test_staff_on_a_laptop_download_the_periods_bookings_as_xlsx_in_english(laptop, portal, shot):
    member_id, start = _arrange(portal)
    period = _last_month()
    portal.sign_in(laptop.context, _staff(portal, "ekspor.en@jfch.example", "en"))
    open_page(laptop, "/admin/insights?period=last_month&lang=en")
    exports = laptop.get_by_test_id("insights-exports")
    expect(exports.get_by_role("heading", name="Export this period's data")).to_be_visible()
    link = exports.get_by_role("link", name="Bookings (XLSX)")
    expect(link).to_have_attribute("href", f"/api/admin/exports/bookings.xlsx?from={period.first_day}"
                                           f"&to={period.last_day}&lang=en")
    exports.scroll_into_view_if_needed()
    shot(laptop, "exports-01-insights-links-laptop-en")
    name, body = _download(laptop, link)
    assert name == f"hub-bookings-{period.first_day}_{period.last_day}.xlsx"
    rows = [list(row) for row in load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)]
    assert rows[0][:5] == ["Booking no.", "Space", "Member", "Start (WIB)", "End (WIB)"]
    [mine] = [row for row in rows if row[1] == "Export test room"]
    assert mine[2:] == ["'" + MEMBER, start, start + timedelta(hours=2), "Confirmed", "Member", 3, None, "No",
                        "'@rapat"]
    expect(laptop).to_have_url(re.compile(r"/admin/insights\?period=last_month"))  # still on the page


def test_staff_on_a_phone_download_the_members_as_csv_in_indonesian(phone, portal, shot):
    member_id, _ = _arrange(portal)
    period = _last_month()
    portal.sign_in(phone.context, _staff(portal, "ekspor.id@jfch.example", "id"))
    open_page(phone, "/admin/insights?period=last_month")
    exports = phone.get_by_test_id("insights-exports")
    link = exports.get_by_role("link", name="Anggota (CSV)")
    link.scroll_into_view_if_needed()
    expect(link).to_be_visible()
    for each in exports.get_by_role("link").all():
        box = each.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
    shot(phone, "exports-02-insights-links-phone-id")
    name, body = _download(phone, link)
    assert name == f"hub-members-{period.first_day}_{period.last_day}.csv"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0][:4] == ["No. anggota", "Nama", "Email", "Usaha"]
    [mine] = [row for row in rows if row[0] == str(member_id)]
    # Listed in the directory, email not shown there: no email in the file; one booking last month.
    assert mine[1:5] == ["'" + MEMBER, "", "'+62 Ekspor", "Kriya"] and mine[8:10] == ["Ya", "1"]

"""Staff read how the hub is doing at /admin/insights: on a laptop in English (charts beside their
tables) and on a 390 px phone in Indonesian (charts above their tables, nothing wider than the
screen). They switch periods: the period goes into the address, the back button returns to the one
before, custom days work, and a period the address cannot use is named. Screenshots:
test-output/screenshots/<engine>/insights-*.png."""

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from hub_app.db import begin_write
from hub_app.domain.insights import period_for
from hub_app.models import Attendance, Space, TrainingSession
from hub_app.services.bookings import hub_tz
from tests.browser.helpers import open_page
from tests.staff.helpers import booking, enrol, post, training, wib

pytestmark = pytest.mark.browser

ROOM = "Ruang Wawasan"
ROOM_EN = "Insights room"
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _arrange(portal) -> None:
    """Bookings of one room this week (two, one checked in) and last week (one), a training delivered
    last week with two of its three enrolled members present, and a forum post this week."""
    if portal.user("wulan.insights@umkm.example") is not None:
        return
    member = portal.make_user("wulan.insights@umkm.example", "Wulan Insights", sector="culinary", stage="growth")
    other = portal.make_user("yoga.insights@umkm.example", "Yoga Insights", sector="technology", stage="early")
    third = portal.make_user("zahra.insights@umkm.example", "Zahra Insights")
    today = datetime.now(hub_tz()).date()
    monday = period_for("this_week", today).first_day
    with portal.session() as session:
        room = Space(kind="meeting_room", name_id=ROOM, name_en=ROOM_EN, capacity=8)
        session.add(room)
        session.commit()
        booking(session, room, member.id, wib(monday, 9), hours=3, checked_in=True)
        booking(session, room, other.id, wib(monday + timedelta(days=1), 14), hours=2)
        booking(session, room, other.id, wib(monday - timedelta(days=6), 10), hours=1, checked_in=True)
        course = training(session, [wib(monday - timedelta(days=5), 13)], capacity=10, enrolled=3,
                          title="Keuangan UMKM (wawasan)")
        for person in (member, other, third):
            enrol(session, course, person.id)
        begin_write(session)
        delivered = session.exec(select(TrainingSession).where(TrainingSession.training_id == course.id)).one()
        for person in (member, other):
            session.add(Attendance(session_id=delivered.id, user_id=person.id, method="staff"))
        session.commit()
        post(session, member.id, "Ada yang mau berbagi meja di hari Selasa?")


def _staff(portal, email: str, locale: str):
    return portal.user(email) or portal.make_user(email, "Staf Wawasan", role="staff", locale=locale)


def test_staff_on_a_laptop_in_english_read_the_charts_and_switch_periods(laptop, portal, shot):
    _arrange(portal)
    portal.sign_in(laptop.context, _staff(portal, "rani.insights@jfch.example", "en"))
    open_page(laptop, "/admin")
    laptop.get_by_test_id("staff-insights-link").get_by_role("link", name="Hub insights").click()
    laptop.wait_for_url(re.compile(r"/admin/insights$"))
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Hub insights")
    periods = laptop.get_by_role("navigation", name="Choose a period")
    expect(periods.get_by_role("link", name="This week")).to_have_attribute("aria-current", "page")
    this_week = laptop.get_by_test_id("insights-period-label").inner_text()

    space = laptop.get_by_test_id("insights-space-use")
    expect(space.get_by_test_id("insights-headline-bookings").locator("strong")).not_to_have_text("0")
    expect(space.get_by_test_id("insights-headline-bookings")).to_contain_text(re.compile(r"(▲|▼|=)"))
    # Each chart is drawn (an SVG from Recharts) and its numbers are in the table beside it.
    expect(space.get_by_test_id("insights-spaces-chart").locator("svg.recharts-surface")).to_be_visible()
    spaces_table = laptop.get_by_role("table", name="Use rate per space")
    expect(spaces_table.get_by_role("rowheader", name=ROOM_EN)).to_be_visible()
    expect(spaces_table.get_by_role("columnheader", name="Hours booked")).to_be_visible()
    chart_box = space.get_by_test_id("insights-spaces-chart").bounding_box()
    table_box = space.get_by_test_id("insights-spaces-table").bounding_box()
    assert table_box["x"] > chart_box["x"] + chart_box["width"] - 1  # side by side on a laptop
    heat = laptop.get_by_role("table", name=re.compile("Hours booked by weekday"))
    expect(heat.get_by_role("columnheader", name="Mon")).to_be_visible()
    expect(heat.get_by_role("rowheader", name="09:00")).to_be_visible()
    expect(laptop.get_by_test_id("insights-peaks")).to_contain_text("Busiest hours:")
    expect(laptop.get_by_test_id("insights-members-compared-chart").locator("svg.recharts-surface")).to_be_visible()
    shot(laptop, "insights-01-this-week-laptop-en")

    # Last week: its own address and figures; the training delivered then.
    periods.get_by_role("link", name="Last week").click()
    laptop.wait_for_url(re.compile(r"/admin/insights\?period=last_week$"))
    expect(periods.get_by_role("link", name="Last week")).to_have_attribute("aria-current", "page")
    expect(laptop.get_by_test_id("insights-period-label")).not_to_have_text(this_week)
    top = laptop.get_by_role("table", name="Most attended trainings")
    expect(top.get_by_role("row").filter(has_text="Keuangan UMKM (wawasan)")).to_contain_text("66.7%")
    # The hub-wide rate includes other journeys' trainings on the shared portal: its own figure is
    # the row above; here the headline shows a rate.
    expect(laptop.get_by_test_id("insights-headline-attendance_rate").locator("strong")).to_have_text(
        re.compile(r"^\d+(\.\d)?%$"))
    shot(laptop, "insights-02-last-week-laptop-en")

    # The back button returns to this week.
    laptop.go_back()
    laptop.wait_for_url(re.compile(r"/admin/insights$"))
    expect(laptop.get_by_test_id("insights-period-label")).to_have_text(this_week)

    # Custom days, and days in the wrong order.
    custom = laptop.get_by_role("form", name="Custom dates")
    custom.get_by_label("First day").fill("2026-11-30")
    custom.get_by_label("Last day").fill("2026-11-01")
    custom.get_by_role("button", name="Show").click()
    expect(laptop.get_by_role("alert")).to_contain_text(
        "The last day cannot be before the first day.")
    custom.get_by_label("First day").fill("2026-11-01")
    custom.get_by_label("Last day").fill("2026-11-30")
    custom.get_by_role("button", name="Show").click()
    laptop.wait_for_url(re.compile(r"/admin/insights\?from=2026-11-01&to=2026-11-30$"))
    expect(laptop.get_by_test_id("insights-period-label")).to_have_text("1–30 November 2026")


def test_staff_on_a_phone_in_indonesian_read_the_figures_without_overflow(phone, portal, shot):
    _arrange(portal)
    portal.sign_in(phone.context, _staff(portal, "sari.insights@jfch.example", "id"))
    open_page(phone, "/admin/insights?period=kemarin")
    expect(phone.locator(".message.error")).to_contain_text("Periode di alamat tidak dapat dipakai")
    expect(phone.get_by_role("navigation", name="Pilih periode").get_by_role("link", name="Minggu ini")
           ).to_have_attribute("aria-current", "page")
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
    space = phone.get_by_test_id("insights-space-use")
    expect(space.get_by_test_id("insights-spaces-chart").locator("svg.recharts-surface")).to_be_visible()
    # On a phone the table is below its chart, and fits or scrolls inside its own box.
    chart_box = space.get_by_test_id("insights-spaces-chart").bounding_box()
    table_box = space.get_by_test_id("insights-spaces-table").bounding_box()
    assert table_box["y"] >= chart_box["y"] + chart_box["height"] - 1
    assert table_box["x"] + table_box["width"] <= 390
    heat = phone.get_by_role("table", name=re.compile("Jam terpesan per hari"))
    expect(heat.get_by_role("columnheader", name="Sen")).to_be_visible()
    heat_box = phone.get_by_test_id("insights-heat-map").bounding_box()
    assert heat_box["x"] + heat_box["width"] <= 390
    shot(phone, "insights-03-this-week-phone-id")

    phone.get_by_role("navigation", name="Pilih periode").get_by_role("link", name="Bulan ini").click()
    phone.wait_for_url(re.compile(r"/admin/insights\?period=this_month$"))
    expect(phone.locator(".message.error")).to_have_count(0)
    expect(phone.get_by_role("table", name="Tingkat pemakaian per ruang").get_by_role("rowheader", name=ROOM)
           ).to_be_visible()
    expect(phone.get_by_test_id("insights-headline-posts").locator("strong")).not_to_have_text("0")
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
    shot(phone, "insights-04-this-month-phone-id")

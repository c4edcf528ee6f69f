"""Staff download the monthly programme report (PDF) from /admin/insights: on a laptop in English and
on a 390 px phone in Indonesian, the link downloads the report of the month the period on screen
starts in, in the page's language; the file's text is read back with pypdf. Screenshots:
test-output/screenshots/<engine>/report-*.png."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from hub_app.domain.insights import period_for
from hub_app.i18n import format_date
from hub_app.services.bookings import hub_tz
from tests.browser.helpers import open_page
from tests.reports.hub import words

pytestmark = pytest.mark.browser

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _staff(portal, email: str, locale: str):
    return portal.user(email) or portal.make_user(email, "Staf Laporan", role="staff", locale=locale)


def _last_month():
    return period_for("last_month", datetime.now(hub_tz()).date()).first_day


def _download(page, link) -> tuple[str, str]:
    """(the file's suggested name, its text)."""
    with page.expect_download() as started:
        link.click()
    download = started.value
    return download.suggested_filename, words("\n".join(p.extract_text() for p in PdfReader(download.path()).pages))


def test_staff_on_a_laptop_download_the_report_in_english(laptop, portal, shot):
    portal.sign_in(laptop.context, _staff(portal, "laporan.en@jfch.example", "en"))
    open_page(laptop, "/admin/insights?period=last_month&lang=en")
    month = _last_month()
    link = laptop.get_by_role("link", name="Download the monthly programme report (PDF)")
    expect(link).to_have_attribute("href", f"/api/admin/reports/programme-{month:%Y-%m}-en.pdf")
    shot(laptop, "report-01-insights-link-laptop-en")
    name, text = _download(laptop, link)
    assert name == f"programme-report-{month:%Y-%m}-en.pdf"
    assert f"Monthly Programme Report {format_date(month, 'en', 'LLLL y')}" in text
    assert "Key figures" in text and "Space use by kind" in text
    # The page is still there: the download did not navigate away.
    expect(laptop).to_have_url(re.compile(r"/admin/insights\?period=last_month"))


def test_staff_on_a_phone_download_the_report_in_indonesian(phone, portal, shot):
    portal.sign_in(phone.context, _staff(portal, "laporan.id@jfch.example", "id"))
    open_page(phone, "/admin/insights?period=last_month")
    month = _last_month()
    link = phone.get_by_role("link", name="Unduh laporan program bulanan (PDF)")
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box["x"] + box["width"] <= 390 and phone.evaluate(NO_HORIZONTAL_SCROLL)
    shot(phone, "report-02-insights-link-phone-id")
    name, text = _download(phone, link)
    assert name == f"programme-report-{month:%Y-%m}-id.pdf"
    assert f"Laporan Program Bulanan {format_date(month, 'id', 'LLLL y')}" in text
    assert "Angka utama" in text and "Pemakaian ruang per jenis" in text

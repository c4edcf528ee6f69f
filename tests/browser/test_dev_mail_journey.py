"""A new person's first run: with no mail server, a visitor who signs up on a development portal
finds the verification mail in the server's terminal (framed, with the full link) and staff find it
at /admin/mail (phone and laptop); members are refused. The shared `portal` runs as in production,
where the page does not exist, so this module starts its own development portal (SQLite; its
frontend is built for it and never reused by a production portal)."""

import os
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser import conftest as browser
from tests.browser.helpers import open_page, save_screenshot, wait_for_app

pytestmark = pytest.mark.browser

VISITOR_EMAIL = "wulan@batik.example"
PASSWORD = "tenun-ikat-sumba-2026"
_FRAMED = re.compile(r"={72}\n  DEVELOPMENT MAIL.*?\n  To:      " + re.escape(VISITOR_EMAIL)
                     + r"\n.*?\n  Link:    (http://\S+/verify/\S+)\n", re.DOTALL)


@pytest.fixture(scope="module")
def dev_portal():
    port, lock = browser._claim_port()
    original = browser._portal_environment

    def development(*args):
        return original(*args) | {"HUB_ENVIRONMENT": "development"}

    saved_rebuild = os.environ.get("HUB_BROWSER_REBUILD")
    browser._portal_environment = development
    os.environ["HUB_BROWSER_REBUILD"] = "1"  # never serve a production build of this port
    try:
        with browser._running_portal("sqlite", port) as running:
            yield running
    finally:
        browser._portal_environment = original
        if saved_rebuild is None:
            os.environ.pop("HUB_BROWSER_REBUILD", None)
        else:
            os.environ["HUB_BROWSER_REBUILD"] = saved_rebuild
        # A development build must not be reused by a production portal on this port.
        (browser.OUTPUT / f"web-{port}" / ".hub-build-fingerprint").unlink(missing_ok=True)
        os.close(lock)


def _context(chromium, portal, viewport, locale):
    return browser._page(chromium, portal, viewport=viewport, locale=locale, mobile=viewport == browser.PHONE)


def _terminal_link(portal, page, timeout: float = 40) -> str:
    """The verification link as the server printed it (the mail duty runs every 10 s)."""
    deadline = time.monotonic() + timeout
    while True:
        found = _FRAMED.search(portal.log_path.read_text(errors="replace"))
        if found:
            return found.group(1)
        if time.monotonic() > deadline:
            raise AssertionError("no framed development mail in the server's output:\n" + portal.log_tail())
        page.wait_for_timeout(250)


def test_a_visitor_finds_the_verification_mail_in_the_terminal_and_staff_at_admin_mail(chromium, dev_portal):
    phone_context, phone = _context(chromium, dev_portal, browser.PHONE, "id-ID")
    laptop_context, laptop = _context(chromium, dev_portal, browser.LAPTOP, "en-US")
    try:
        open_page(phone, "/signup")
        phone.get_by_label("Nama", exact=True).fill("Wulan Sari")
        phone.get_by_label("Email").fill(VISITOR_EMAIL)
        phone.get_by_label("Kata sandi").fill(PASSWORD)
        phone.get_by_label("Nama usaha atau startup").fill("Batik Wulan")
        phone.get_by_label("Sektor").select_option("craft")
        phone.get_by_label("Tahap usaha").select_option("early")
        phone.get_by_label(re.compile("^Saya menyetujui")).check()
        phone.get_by_role("button", name="Daftar", exact=True).click()
        expect(phone.get_by_test_id("signup-done")).to_contain_text("Cek email Anda")

        # The terminal of `make run` shows the mail, framed, with the whole link; it works.
        link = _terminal_link(dev_portal, phone)
        assert link == dev_portal.email_link(VISITOR_EMAIL, "/verify/")
        phone.goto(link)
        wait_for_app(phone)
        expect(phone.get_by_role("status")).to_contain_text("Email Anda sudah terverifikasi")

        # Staff read the outbox: newest first, recipient, subject, link, time in WIB, status.
        staff = dev_portal.make_user("budi@jfch.example", "Budi Santoso", role="staff")
        dev_portal.sign_in(laptop.context, staff)
        open_page(laptop, "/admin/mail?lang=en")
        expect(laptop.get_by_role("heading", level=1)).to_have_text("Development mail")
        first = laptop.locator("ul.list > li").first
        expect(first).to_contain_text(VISITOR_EMAIL)
        expect(first.get_by_role("link", name=link)).to_have_attribute("href", link)
        expect(first).to_contain_text("WIB")
        expect(first).to_contain_text("Shown (not sent)")
        expect(laptop.get_by_role("link", name="Mail (development)")).to_be_visible()
        save_screenshot(laptop, "development/mail-01-outbox-laptop-en")

        dev_portal.sign_in(phone.context, staff)
        open_page(phone, "/admin/mail?lang=id")
        expect(phone.get_by_role("heading", level=1)).to_have_text("Email pengembangan")
        expect(phone.locator("ul.list > li").first).to_contain_text(VISITOR_EMAIL)
        save_screenshot(phone, "development/mail-02-outbox-phone-id")

        # A member gets the refusal, and no mail.
        member = dev_portal.make_user("rina@umkm.example", "Rina Kusuma")
        dev_portal.sign_in(phone.context, member)
        open_page(phone, "/admin/mail")
        expect(phone.get_by_role("alert")).to_have_text("Hanya staf yang dapat membaca kotak keluar email.")
        expect(phone.locator("ul.list > li")).to_have_count(0)
        expect(phone.get_by_text(VISITOR_EMAIL)).to_have_count(0)
    finally:
        phone_context.close()
        laptop_context.close()

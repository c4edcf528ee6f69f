"""Terms, privacy and the language, in real browsers against the production portal:

- sign-up's consent links to /terms and /privacy, bilingual pages (390 px phone in Indonesian,
  1280 px laptop in English); a required field left empty is focused below the sticky header;
- a member who agreed to an older version signs in and is asked to agree to the current one
  before anything else (phone and laptop), comes back to where they were going, and the version is
  stored;
- a visitor chooses English on a page whose address says ?lang=id (the switch replaces it), signs
  in, and the portal stays English: the choice is stored on the account; <html lang> and <title>
  follow.
Screenshots: test-output/screenshots/<engine>/legal-*.png."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from hub_app.models import User
from hub_app.settings import get_settings
from tests.browser.conftest import PASSWORD
from tests.browser.helpers import open_page, wait_for_app

pytestmark = pytest.mark.browser


def _agreed_to_an_older_version(portal, user) -> None:
    with portal.session() as session:
        session.exec(update(User).where(User.id == user.id).values(consent_version="2025-01"))
        session.commit()


def _sign_in_with_the_form(page, email: str, *, english: bool) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password" if english else "Kata sandi", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in" if english else "Masuk", exact=True).last.click()


def _header_bottom(page) -> float:
    return page.evaluate("document.querySelector('.site-header').getBoundingClientRect().bottom")


def test_sign_up_links_to_the_terms_and_the_privacy_notice(phone, laptop, portal, shot):
    open_page(phone, "/signup")
    consent = phone.get_by_label(re.compile("^Saya menyetujui"))
    expect(consent).to_have_attribute("aria-required", "true")
    expect(phone.get_by_label("Nama", exact=True)).to_have_attribute("aria-required", "true")
    expect(phone.get_by_text("Kolom bertanda * wajib diisi.")).to_be_visible()

    # Submitted empty from the bottom of the form: the first required field gets the focus and is
    # scrolled into view below the sticky header.
    phone.get_by_role("button", name="Daftar", exact=True).last.click()
    expect(phone.get_by_label("Nama", exact=True)).to_be_focused()
    top = phone.get_by_label("Nama", exact=True).evaluate("element => element.getBoundingClientRect().top")
    assert top >= _header_bottom(phone), (top, _header_bottom(phone))

    phone.get_by_role("link", name="Syarat penggunaan").first.click()
    phone.wait_for_url(re.compile(r"/terms$"))
    wait_for_app(phone)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Syarat penggunaan")
    expect(phone).to_have_title("Syarat penggunaan · Jakarta Future City Hub")
    expect(phone.get_by_text(f"Versi {get_settings().terms_version}")).to_be_visible()
    shot(phone, "legal-01-terms-phone-id")
    phone.get_by_role("link", name="Pemberitahuan privasi").first.click()
    phone.wait_for_url(re.compile(r"/privacy$"))
    wait_for_app(phone)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Pemberitahuan privasi")
    expect(phone.get_by_role("heading", name="Hak Anda menurut UU 27/2022")).to_be_visible()
    expect(phone.get_by_text("privasi@jfch.example", exact=False)).to_be_visible()
    shot(phone, "legal-02-privacy-phone-id")

    open_page(laptop, "/privacy?lang=en")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    expect(laptop.get_by_role("heading", name="Your rights under Law 27/2022")).to_be_visible()
    expect(laptop.get_by_role("heading", name="How long")).to_be_visible()
    expect(laptop).to_have_title("Privacy notice · Jakarta Future City Hub")
    expect(laptop.locator("html")).to_have_attribute("lang", "en")
    shot(laptop, "legal-03-privacy-laptop-en")
    laptop.get_by_role("link", name="Terms of use").first.click()
    laptop.wait_for_url(re.compile(r"/terms$"))
    wait_for_app(laptop)
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Terms of use")
    shot(laptop, "legal-04-terms-laptop-en")


def test_a_new_version_is_agreed_to_at_the_next_sign_in(phone, laptop, portal, shot):
    current = get_settings().terms_version
    wulan = portal.make_user("wulan.agree@legal.example", "Wulan Sari")
    hendra = portal.make_user("hendra.agree@legal.example", "Hendra Wijaya", locale="en")
    _agreed_to_an_older_version(portal, wulan)
    _agreed_to_an_older_version(portal, hendra)

    # On a phone in Indonesian: sign in on the way to /book.
    open_page(phone, "/login?next=/book")
    _sign_in_with_the_form(phone, wulan.email, english=False)
    phone.wait_for_url(re.compile(r"/agree\?next="))
    wait_for_app(phone)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Syarat dan pemberitahuan privasi telah diperbarui")
    expect(phone).to_have_title("Persetujuan baru · Jakarta Future City Hub")
    shot(phone, "legal-05-agree-phone-id")
    # Not ticked: the browser refuses and the box gets the focus.
    phone.get_by_role("button", name="Setuju dan lanjutkan").click()
    expect(phone.get_by_label(re.compile("^Saya sudah membaca"))).to_be_focused()
    assert portal.user(wulan.email).consent_version == "2025-01"
    # Another page first: still asked.
    open_page(phone, "/forum")
    phone.wait_for_url(re.compile(r"/agree\?next=%2Fforum"))
    wait_for_app(phone)
    phone.get_by_label(re.compile("^Saya sudah membaca")).check()
    phone.get_by_role("button", name="Setuju dan lanjutkan").click()
    phone.wait_for_url(re.compile(r"/forum$"))
    wait_for_app(phone)
    assert portal.user(wulan.email).consent_version == current
    open_page(phone, "/book")
    expect(phone).to_have_url(re.compile(r"/book"))
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert "/agree" not in phone.url

    # On a laptop in English.
    open_page(laptop, "/login?lang=en")
    _sign_in_with_the_form(laptop, hendra.email, english=True)
    laptop.wait_for_url(re.compile(r"/agree\?next="))
    wait_for_app(laptop)
    expect(laptop.get_by_role("heading", level=1)).to_have_text("The terms and the privacy notice have been updated")
    expect(laptop.locator("label[for=f-consent]")).to_contain_text(f"version {current}.")
    shot(laptop, "legal-06-agree-laptop-en")
    laptop.get_by_label(re.compile("^I have read and agree")).check()
    laptop.get_by_role("button", name="Agree and continue").click()
    laptop.wait_for_url(re.compile(r"/$"))
    wait_for_app(laptop)
    assert portal.user(hendra.email).consent_version == current


def test_the_language_chosen_before_sign_in_stays(laptop, portal, shot):
    dewi = portal.make_user("dewi.lang@legal.example", "Dewi Anggraini", locale="id")

    # An address that says Indonesian; the EN button replaces it and the page stays English.
    open_page(laptop, "/forum?lang=id")
    expect(laptop.locator("html")).to_have_attribute("lang", "id")
    laptop.get_by_role("button", name="EN", exact=True).click()
    laptop.wait_for_url(re.compile(r"/forum$"))
    wait_for_app(laptop)
    expect(laptop.get_by_role("button", name="EN", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(laptop.locator("html")).to_have_attribute("lang", "en")
    expect(laptop).to_have_title("Forum · Jakarta Future City Hub")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Community forum")

    # Signing in keeps English, and stores it on the account (which said Indonesian).
    laptop.get_by_role("link", name="Sign in", exact=True).first.click()
    laptop.wait_for_url(re.compile(r"/login"))
    wait_for_app(laptop)
    expect(laptop).to_have_title("Sign in · Jakarta Future City Hub")
    _sign_in_with_the_form(laptop, dewi.email, english=True)
    laptop.wait_for_url(re.compile(r"/$"))
    wait_for_app(laptop)
    expect(laptop.locator("html")).to_have_attribute("lang", "en")
    expect(laptop.get_by_role("link", name=re.compile("^My profile"))).to_be_visible()
    shot(laptop, "legal-07-signed-in-stays-english-laptop-en")
    assert portal.user(dewi.email).locale == "en"

    # And the ID button switches back, also on an address with ?lang=en.
    open_page(laptop, "/trainings?lang=en")
    laptop.get_by_role("button", name="ID", exact=True).click()
    laptop.wait_for_url(re.compile(r"/trainings$"))
    wait_for_app(laptop)
    expect(laptop.locator("html")).to_have_attribute("lang", "id")
    expect(laptop).to_have_title("Pelatihan · Jakarta Future City Hub")
    assert portal.user(dewi.email).locale == "id"

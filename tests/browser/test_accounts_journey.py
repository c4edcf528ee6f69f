"""The foundation journey in a real browser against the production portal:

a visitor signs up on a 390 px phone in Indonesian (fields found by their visible labels), opens
the verification link from the outbox, staff approve on a laptop in English at /admin/members, the
member signs in (a wrong password first shows the error), sees the active membership on /profile
and the notification (bell count and /notifications), and signs out. Also: ?lang=en switches and
persists, the ID/EN buttons work, the session cookie is HttpOnly. Screenshots of every step go to
test-output/screenshots/<engine>/accounts-*.png.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD
from tests.browser.helpers import click_and_wait_for_reload, open_page, wait_for_app

pytestmark = pytest.mark.browser

MEMBER_EMAIL = "ayu.lestari@umkm.example"
MEMBER_PASSWORD = "rendang-padang-pedas-88"


def sign_in(page, email: str, password: str, *, button: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^(Kata sandi|Password)$")).fill(password)
    page.get_by_role("button", name=button, exact=True).click()


def test_sign_up_verify_approve_sign_in_see_notification_sign_out(phone, laptop, portal, shot):
    staff = portal.make_user("siti.staf@jfch.example", "Siti Rahma", role="staff")

    # 1. A visitor signs up on a phone, in Indonesian.
    open_page(phone, "/signup")
    expect(phone.locator("div.app")).to_have_attribute("lang", "id")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Daftar jadi anggota")
    phone.get_by_label("Nama", exact=True).fill("Ayu Lestari")
    phone.get_by_label("Email").fill(MEMBER_EMAIL)
    phone.get_by_label("Kata sandi").fill(MEMBER_PASSWORD)
    phone.get_by_label("Nama usaha atau startup").fill("Tenun Ayu")
    phone.get_by_label("Sektor").select_option("craft")
    phone.get_by_label("Tahap usaha").select_option("early")
    phone.get_by_label("Bio singkat").fill("Penenun dari Jakarta Timur.")
    phone.get_by_label("Yang saya tawarkan").fill("Kain tenun")
    phone.get_by_label("Yang saya cari").fill("Pembeli grosir")
    phone.get_by_label(re.compile("^Saya menyetujui")).check()
    shot(phone, "accounts-01-signup-form-phone-id")
    phone.get_by_role("button", name="Daftar", exact=True).click()
    expect(phone.get_by_test_id("signup-done")).to_contain_text("Cek email Anda")
    shot(phone, "accounts-02-signup-done-phone-id")
    assert (portal.user(MEMBER_EMAIL).status, portal.user(MEMBER_EMAIL).email_verified_at) == ("pending", None)

    # 2. The verification link from the email.
    link = portal.email_link(MEMBER_EMAIL, "/verify/")
    open_page(phone, link)
    expect(phone.get_by_role("status")).to_contain_text("Email Anda sudah terverifikasi")
    shot(phone, "accounts-03-verified-phone-id")
    assert portal.user(MEMBER_EMAIL).email_verified_at is not None

    # 3. Staff approve on a laptop, in English.
    open_page(laptop, "/login?lang=en")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Sign in")
    sign_in(laptop, staff.email, PASSWORD, button="Sign in")
    laptop.wait_for_url(re.compile(r"/$"))
    # Signed in, the account's language applies; ?lang=en switches it (and stores it on the account).
    open_page(laptop, "/admin/members?lang=en")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Manage members")
    row = laptop.get_by_test_id("member-row").filter(has_text=MEMBER_EMAIL)
    expect(row).to_contain_text("Pending approval")
    expect(row).to_contain_text("Email verified")
    shot(laptop, "accounts-04-admin-members-laptop-en")
    row.get_by_role("button", name="Approve", exact=True).click()
    expect(laptop.get_by_role("status").filter(has_text="Saved; the member has been notified.")).to_be_visible()
    expect(row).to_contain_text("Active")
    shot(laptop, "accounts-05-approved-laptop-en")
    assert portal.user(MEMBER_EMAIL).status == "active"

    # 4. The member signs in on the phone; a wrong password first.
    open_page(phone, "/login")
    sign_in(phone, MEMBER_EMAIL, "salah-kata-sandi-123", button="Masuk")
    expect(phone.get_by_role("alert")).to_have_text("Email atau kata sandi salah.")
    shot(phone, "accounts-06-wrong-password-phone-id")
    phone.get_by_label("Kata sandi").fill(MEMBER_PASSWORD)
    phone.get_by_role("button", name="Masuk", exact=True).click()
    phone.wait_for_url(re.compile(r"/$"))
    wait_for_app(phone)
    expect(phone.get_by_test_id("account-link")).to_contain_text("Ayu Lestari")
    expect(phone.get_by_test_id("bell")).to_contain_text("1")

    # The session cookie is HttpOnly: page scripts cannot read it.
    cookies = {cookie["name"]: cookie for cookie in phone.context.cookies()}
    assert cookies["hub_session"]["httpOnly"] and cookies["hub_session"]["sameSite"] == "Lax"
    assert "hub_session" not in phone.evaluate("document.cookie")

    # 5. The active membership on /profile.
    open_page(phone, "/profile")
    expect(phone.get_by_test_id("membership-status")).to_have_text("Aktif")
    shot(phone, "accounts-07-profile-active-phone-id")

    # 6. The notification: bell count and /notifications.
    phone.get_by_test_id("bell").click()
    phone.wait_for_url(re.compile(r"/notifications$"))
    wait_for_app(phone)
    notification = phone.get_by_test_id("notification").first
    expect(notification).to_contain_text("Keanggotaan Anda disetujui")
    shot(phone, "accounts-08-notifications-phone-id")
    phone.get_by_role("button", name="Tandai dibaca", exact=True).click()
    expect(phone.get_by_test_id("bell")).not_to_contain_text("1")

    # 7. Sign out (on a phone: from the profile page, reached by the account icon).
    phone.get_by_test_id("account-link").click()
    phone.wait_for_url(re.compile(r"/profile$"))
    wait_for_app(phone)
    phone.get_by_role("button", name="Keluar", exact=True).click()
    phone.wait_for_url(re.compile(r"/$"))
    wait_for_app(phone)
    expect(phone.get_by_role("link", name="Masuk")).to_be_visible()
    shot(phone, "accounts-09-signed-out-phone-id")
    assert "hub_session" not in {cookie["name"] for cookie in phone.context.cookies()}
    open_page(phone, "/profile")
    phone.wait_for_url(re.compile(r"/login"))


def test_language_from_query_persists_and_the_switch_works(phone, portal, shot):
    open_page(phone, "/?lang=en")
    expect(phone.locator("div.app")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("link", name="Become a member")).to_be_visible()
    # Without ?lang the choice stays (the hub_lang cookie).
    open_page(phone, "/signup")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Become a member")
    expect(phone.get_by_label("Name", exact=True)).to_be_visible()
    shot(phone, "accounts-10-signup-phone-en")
    # The ID button switches back and reloads: wait for the reload before going anywhere.
    click_and_wait_for_reload(phone, phone.get_by_role("button", name="ID", exact=True))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Daftar jadi anggota")
    expect(phone.get_by_role("button", name="ID", exact=True)).to_have_attribute("aria-pressed", "true")
    open_page(phone, "/login")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Masuk")
    click_and_wait_for_reload(phone, phone.get_by_role("button", name="EN", exact=True))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sign in")
    shot(phone, "accounts-11-login-phone-en")


def test_a_members_language_is_stored_on_the_account(laptop, portal):
    member = portal.make_user("budi.lang@umkm.example", "Budi Lang")
    portal.sign_in(laptop.context, member)
    open_page(laptop, "/profile")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Profil saya")
    click_and_wait_for_reload(laptop, laptop.get_by_role("button", name="EN", exact=True))
    expect(laptop.get_by_role("heading", level=1)).to_have_text("My profile")
    assert portal.user(member.email).locale == "en"
    # Another browser of the same member opens in English without any cookie of its own.
    context = laptop.context.browser.new_context(base_url=portal.url)
    try:
        other = context.new_page()
        from tests.browser.conftest import _watch_hydration

        _watch_hydration(other)
        portal.sign_in(context, member)
        open_page(other, "/profile")
        expect(other.get_by_role("heading", level=1)).to_have_text("My profile")
    finally:
        context.close()

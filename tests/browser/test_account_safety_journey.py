"""Issue 8 in a real browser: a member whose account reached the per-account ceiling of wrong
passwords (guessed at from elsewhere) is offered an emailed sign-in link on the login page, asks for
it, opens it and signs in with one press; the same link in another browser does nothing."""

import re

import pytest
from playwright.sync_api import expect

from hub_app.models import SignInAttempt
from hub_app.settings import get_settings
from tests.browser.conftest import PASSWORD
from tests.browser.helpers import open_page, wait_for_app

pytestmark = pytest.mark.browser


def test_a_locked_out_member_signs_in_with_an_emailed_link(phone, laptop, portal, shot):
    member = portal.make_user("dian.tautan@umkm.example", "Dian Pratiwi")
    with portal.session() as session:  # wrong passwords from many addresses, up to the ceiling
        for n in range(get_settings().signin_max_failures_per_account):
            session.add(SignInAttempt(email_normalized=member.email_normalized, client_address=f"10.9.{n // 4}.{n}"))
        session.commit()

    open_page(phone, "/login")
    phone.get_by_label("Email").fill(member.email)
    phone.get_by_label("Kata sandi").fill(PASSWORD)
    phone.get_by_role("button", name="Masuk", exact=True).click()
    expect(phone.get_by_role("alert")).to_contain_text("Terlalu banyak percobaan masuk")
    shot(phone, "safety-01-locked-out-phone-id")
    phone.get_by_role("link", name="Kirimi saya tautan masuk").first.click()
    phone.wait_for_url(re.compile(r"/sign-in-link$"))
    wait_for_app(phone)
    phone.get_by_label("Email").fill(member.email)
    phone.get_by_role("button", name="Kirim tautan masuk", exact=True).click()
    expect(phone.get_by_role("status").filter(has_text="tautan masuk sudah dikirim")).to_be_visible()
    shot(phone, "safety-02-link-sent-phone-id")

    link = portal.email_link(member.email, "/sign-in-link")
    open_page(phone, link)
    shot(phone, "safety-03-link-opened-phone-id")
    phone.get_by_role("button", name="Masuk sekarang", exact=True).click()
    phone.wait_for_url(re.compile(r"/$"))
    wait_for_app(phone)
    expect(phone.get_by_test_id("account-link")).to_contain_text("Dian Pratiwi")

    # The link works once: in another browser it signs nobody in.
    open_page(laptop, link + "&lang=en")
    laptop.get_by_role("button", name="Sign in now", exact=True).click()
    expect(laptop.get_by_role("alert")).to_have_text("This link is invalid, already used or expired.")
    assert "hub_session" not in {cookie["name"] for cookie in laptop.context.cookies()}
    shot(laptop, "safety-04-link-replayed-laptop-en")

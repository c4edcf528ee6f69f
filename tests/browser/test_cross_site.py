"""What a page of another site can make a visitor's or a member's browser do to the portal: nothing
about who is signed in. An attacker's page is served from another origin on this machine, and
Chromium sends what it always sends (Origin, Sec-Fetch-Site, cookies by their SameSite rule)."""

import http.server
import re
import threading

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.browser.conftest import PASSWORD
from tests.browser.helpers import open_page, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture
def attacker_site():
    """serve(html) -> the URL of a page with that HTML on another origin (127.0.0.2)."""
    pages: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            body = pages.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.2", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(html: str) -> str:
        path = f"/page-{len(pages)}.html"
        pages[path] = html.encode()
        return f"http://127.0.0.2:{server.server_address[1]}{path}"

    yield serve
    server.shutdown()


def auto_post(action: str, fields: dict[str, str]) -> str:
    inputs = "".join(f'<input type="hidden" name="{name}" value="{value}">' for name, value in fields.items())
    return (f'<html><body><form id="f" method="POST" action="{action}">{inputs}</form>'
            '<script>document.getElementById("f").submit()</script></body></html>')


def attackers_ticket(portal, attacker) -> str:
    """A fresh sign-in ticket of the attacker's own account, bound to the attacker's own tab."""
    from hub_app.services import accounts

    with portal.session() as session:
        ticket = accounts.sign_in(None, session=session, email=attacker.email, password=PASSWORD,
                                  client_address="198.51.100.66")
        accounts.bind_ticket(session=session, ticket=ticket, tab="attackers-own-tab-token")
    return ticket


def test_another_site_cannot_sign_a_visitor_into_its_own_account(phone, portal, attacker_site, shot):
    from hub_app.models import OneTimeToken
    from hub_app.services.security import hash_token

    attacker = portal.user("mallory@evil.example") or portal.make_user("mallory@evil.example", "Mallory")
    ticket = attackers_ticket(portal, attacker)
    page = attacker_site(auto_post(f"{portal.url}/api/auth/session",
                                   {"ticket": ticket, "tab": "attackers-own-tab-token", "next": "/profile"}))
    with phone.expect_navigation(url=re.compile(r"/api/auth/session$")):
        phone.goto(page)
    expect(phone.locator("body")).to_contain_text("cross-site request refused")
    assert not [cookie for cookie in phone.context.cookies() if cookie["name"] == "hub_session"]
    with portal.session() as session:
        row = session.exec(select(OneTimeToken).where(OneTimeToken.token_hash == hash_token(ticket))).one()
    assert row.used_at is None  # refused before the ticket was even looked at
    open_page(phone, "/")
    expect(phone.get_by_role("link", name="Masuk")).to_be_visible()
    shot(phone, "security-01-login-csrf-refused")


def test_another_site_cannot_sign_a_member_out(laptop, portal, attacker_site):
    member = portal.user("rina.cross@umkm.example") or portal.make_user("rina.cross@umkm.example", "Rina Silang")
    portal.sign_in(laptop.context, member)
    open_page(laptop, "/profile")
    expect(laptop.get_by_test_id("account-link")).to_contain_text("Rina Silang")
    # A link, an image and a form of another site all aim at sign-out.
    page = attacker_site(f'<img src="{portal.url}/api/auth/sign-out?next=/">'
                         + auto_post(f"{portal.url}/api/auth/sign-out", {"next": "/"}))
    with laptop.expect_navigation(url=re.compile(r"/api/auth/sign-out$")):
        laptop.goto(page)
    open_page(laptop, "/profile")
    expect(laptop.get_by_test_id("account-link")).to_contain_text("Rina Silang")


def test_signing_in_and_out_gives_the_tab_a_new_token(phone, portal):
    member = portal.user("dewi.tab@umkm.example") or portal.make_user("dewi.tab@umkm.example", "Dewi Tab")
    open_page(phone, "/login")
    before = phone.evaluate("window.sessionStorage.getItem('token')")
    phone.get_by_label("Email").fill(member.email)
    phone.get_by_label("Kata sandi").fill(PASSWORD)
    phone.get_by_role("button", name="Masuk", exact=True).click()
    phone.wait_for_url(re.compile(r"/$"))
    wait_for_app(phone)
    expect(phone.get_by_test_id("account-link")).to_contain_text("Dewi Tab")
    signed_in = phone.evaluate("window.sessionStorage.getItem('token')")
    assert signed_in and signed_in != before

    open_page(phone, "/profile")
    with phone.expect_navigation(url=re.compile(r"/$")):
        phone.get_by_role("button", name="Keluar", exact=True).click()
    wait_for_app(phone)
    expect(phone.get_by_role("link", name="Masuk")).to_be_visible()
    signed_out = phone.evaluate("window.sessionStorage.getItem('token')")
    assert signed_out and signed_out not in (before, signed_in)
    assert not [cookie for cookie in phone.context.cookies() if cookie["name"] == "hub_session"]

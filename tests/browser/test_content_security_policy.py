"""The Content-Security-Policy that every page carries is one the running portal satisfies: no page
of the app logs a violation in Chromium (as a visitor and as staff, who see the most), while a
script that an attacker manages to put into a page is refused. The tour of every route runs on the
first engine's portal only: the policy and the pages' scripts do not depend on the database."""

import re
from pathlib import Path

import pytest

from tests.browser.conftest import FIRST_ENGINE_ONLY
from tests.browser.helpers import open_page

pytestmark = pytest.mark.browser

PAGES = Path(__file__).resolve().parents[2] / "hub_app" / "pages"
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def every_route() -> list[str]:
    """Every page of the app, from its @rx.page declarations; dynamic segments get a sample value."""
    routes = set()
    for module in PAGES.glob("*.py"):
        routes.update(re.findall(r'route="([^"]+)"', module.read_text()))
    return sorted(re.sub(r"\[[^\]]+\]", "1", route) for route in routes)


def violations_on(page, path: str) -> list[str]:
    console = []
    page.on("console", lambda message: console.append(message.text)
            if "Content Security Policy" in message.text else None)
    open_page(page, path)
    # Let the page finish what it started on load (lazy chunks, images) before reading the record.
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations") + console


@FIRST_ENGINE_ONLY
@pytest.mark.parametrize("who", ["visitor", "staff"])
def test_no_page_logs_a_policy_violation(who, laptop, portal):
    assert len(every_route()) >= 25
    if who == "staff":
        staff = portal.user("csp-staff@hub.example") or portal.make_user("csp-staff@hub.example", "Staf CSP",
                                                                         role="staff")
        portal.sign_in(laptop.context, staff)
    laptop.context.add_init_script(RECORD_VIOLATIONS)
    found = {path: violations_on(laptop, path) for path in every_route()}
    assert {path: seen for path, seen in found.items() if seen} == {}


def test_a_script_put_into_a_page_does_not_run(phone, portal):
    phone.context.add_init_script(RECORD_VIOLATIONS)
    open_page(phone, "/")
    phone.evaluate("""() => {
        window.__injected = false;
        const script = document.createElement('script');
        script.textContent = 'window.__injected = true';
        document.body.appendChild(script);
        const image = document.createElement('img');
        image.src = 'https://evil.example/pixel.png';
        document.body.appendChild(image);
    }""")
    phone.wait_for_function("window.__cspViolations.length >= 2")
    assert phone.evaluate("window.__injected") is False
    directives = " ".join(phone.evaluate("window.__cspViolations"))
    assert "script-src" in directives and "img-src" in directives

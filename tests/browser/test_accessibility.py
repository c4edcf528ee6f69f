"""axe-core on every route, as a visitor, a member and staff, on a 390 px phone and a 1280 px laptop:
a serious or critical violation fails. One browser context per role and viewport visits all routes,
on the first engine's portal only (the markup does not depend on the database).

axe-core comes from the npm registry (`make setup` puts it in .tools/). The page's
Content-Security-Policy refuses inline scripts (so Playwright's add_script_tag(content=...) would be
blocked) but allows eval, which Reflex needs for rx.call_script: the file's source goes in through
page.evaluate."""

from pathlib import Path

import pytest

from tests.browser.conftest import FIRST_ENGINE_ONLY, LAPTOP, PHONE, _page
from tests.browser.helpers import open_page
from tests.browser.route_tour import all_route_patterns, arrange, path_of, visit_and_evaluate

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE_VERSION = "4.11.1"  # the Makefile's AXE_VERSION
AXE = ROOT / ".tools" / f"axe-core-{AXE_VERSION}" / "package" / "axe.min.js"
FAILING = ("serious", "critical")

RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map((violation) => ({
    id: violation.id, impact: violation.impact, help: violation.help,
    nodes: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
  }));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make setup` (it fetches axe-core@{AXE_VERSION} from the npm registry)")
    return AXE.read_text()


def violations_on(page, path: str, axe_source: str) -> list[str]:
    run = f"async () => {{ if (typeof axe === 'undefined') {{ {axe_source}\n }} return await ({RUN_AXE})(); }}"
    return [f"{found['impact']} {found['id']} ({found['help']}): {node}"
            for found in visit_and_evaluate(page, path, run) if found["impact"] in FAILING for node in found["nodes"]]


@FIRST_ENGINE_ONLY
@pytest.mark.parametrize("viewport", ["phone", "laptop"])
@pytest.mark.parametrize("who", ["visitor", "member", "staff"])
def test_no_serious_accessibility_violation_on_any_route(who, viewport, chromium, portal, axe_source):
    tour = arrange(portal)
    phone = viewport == "phone"
    context, page = _page(chromium, portal, viewport=PHONE if phone else LAPTOP,
                          locale="id-ID" if phone else "en-US", mobile=phone)
    try:
        if who != "visitor":
            portal.sign_in(context, tour.member if who == "member" else tour.staff)
        # The phone in Indonesian, the laptop in English: both languages' texts are checked.
        open_page(page, f"/?lang={'id' if phone else 'en'}")
        found = {}
        for route in sorted(all_route_patterns()):
            path = path_of(route, tour.params)
            problems = violations_on(page, path, axe_source)
            if problems:
                found[path] = problems
    finally:
        context.close()
    assert not found, "\n" + "\n".join(f"{path}: {problem}" for path, problems in found.items()
                                        for problem in problems)

"""Helpers for browser tests (the fixtures are in conftest.py)."""

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"


def save_screenshot(page, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for_app(page, timeout: float = 30) -> None:
    """Waits until the page is hydrated: the event socket is connected and the page's on_load
    handlers have run (so the shell shows who is signed in and the forms send their events).
    Call it after page.goto() or a click that navigates."""
    deadline = time.monotonic() + timeout
    while not getattr(page, "hub_hydrated", False):
        if time.monotonic() > deadline:
            raise AssertionError(f"{page.url} was not hydrated within {timeout} s")
        page.wait_for_timeout(50)


def open_page(page, path: str) -> None:
    """page.goto(path) and wait_for_app(page)."""
    page.goto(path)
    wait_for_app(page)


def click_and_wait_for_reload(page, target) -> None:
    """Clicks `target` (a locator) whose action reloads the page or navigates away (the language
    switch reloads it at the same address, after the new language already shows), then waits for
    the new page to load and hydrate. Without the wait, the next goto or click can land while the
    reload is still in flight (net::ERR_ABORTED on a loaded machine)."""
    with page.expect_navigation():
        target.click()
    wait_for_app(page)

"""Booking journey in real browsers (Playwright on Debian's Chromium) against the production portal:

a member on a 390 px phone books a room for tomorrow 10.00-11.00 and sees it in My bookings; a
second member who tries 10.30-11.30 gets the message; staff on a laptop see the booking in the day
view, and that calendar, opened before, shows it without a reload; the member checks in; the
member's .ics feed lists the booking, and after the member cancels it does not.
Screenshots of each step go to test-output/browser/bookings/.

The portal runs with its own database (migrated, demo data, the hub open every day so that
"tomorrow" is always bookable) on a port in 3200-3299."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete
from sqlmodel import Session, select

from hub_app.db import make_engine
from hub_app.models import Booking, Closure, OpeningHours, Space
from hub_app.models.base import utcnow

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OUTPUT = PROJECT_ROOT / "test-output" / "browser" / "bookings"
WORK = Path(os.environ.get("HUB_BROWSER_WORKDIR", "/tmp/hub-browser-bookings"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "hub-demo-2026!"  # the demo accounts' password (hub_app/seed/accounts.py)
WIB = ZoneInfo("Asia/Jakarta")
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def _free_port() -> int:
    for port in range(3200, 3300):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 3200-3299")


def _wait(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("portal exited:\n" + log.read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} did not answer\n" + log.read_text(errors="replace")[-3000:])


@pytest.fixture(scope="module")
def portal():
    port = _free_port()
    run = WORK / f"run-{port}"
    subprocess.run(["rm", "-rf", str(run)], check=True)
    run.mkdir(parents=True)
    database_url = f"sqlite:///{run / 'hub.db'}"
    env = dict(os.environ)
    env.update({
        "REFLEX_WEB_WORKDIR": str(WORK / ".web"), "REFLEX_STATES_WORKDIR": str(run / ".states"),
        "REFLEX_CHECK_LATEST_VERSION": "0", "REFLEX_TELEMETRY_ENABLED": "0",
        "HUB_ENVIRONMENT": "production", "HUB_SECRET_KEY": secrets.token_urlsafe(32),
        "HUB_DATABASE_URL": database_url, "HUB_REDIS_URL": "", "HUB_UPLOAD_DIR": str(run / "uploads"),
        "HUB_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "HUB_ALLOWED_ORIGINS": f"http://127.0.0.1:{port},http://localhost:{port}", "PYTHONUNBUFFERED": "1",
    })
    bun = PROJECT_ROOT / ".tools" / "bun-1.4.4" / "package" / "bin" / "bun"
    if bun.exists():
        env.setdefault("REFLEX_BUN_PATH", str(bun))
    for command in ("migrate", "seed-demo"):
        subprocess.run([sys.executable, "-m", "hub_app.cli", command], cwd=PROJECT_ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    engine = make_engine(database_url)
    tomorrow = datetime.now(UTC).astimezone(WIB).date() + timedelta(days=1)
    with Session(engine) as session:  # open every day, no holiday tomorrow: "tomorrow" is always bookable
        session.exec(delete(OpeningHours))
        for weekday in range(7):
            session.add(OpeningHours(weekday=weekday, opens_minute=8 * 60, closes_minute=20 * 60))
        for closure in session.exec(select(Closure)).all():
            session.delete(closure)
        session.commit()
    log = run / "portal.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "reflex", "run", "--env", "prod", "--frontend-port",
                                    str(port), "--backend-host", "127.0.0.1"], cwd=PROJECT_ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait(f"http://127.0.0.1:{port}/ping", process, log, timeout=900)
        _wait(f"http://127.0.0.1:{port}/", process, log, timeout=60)
        yield {"base": f"http://127.0.0.1:{port}", "engine": engine, "tomorrow": tomorrow}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        engine.dispose()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _shot(page, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


def _sign_in(browser, base: str, email: str, viewport: dict, lang: str = "id"):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/login?lang={lang}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi" if lang == "id" else "Password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk" if lang == "id" else "Sign in").last.click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _feed_events(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/calendar")
        return response.read().decode()


def test_member_books_sees_checks_in_and_cancels(portal, browser):
    base, tomorrow = portal["base"], portal["tomorrow"]
    with Session(portal["engine"]) as session:
        room = session.exec(select(Space).where(Space.name_id == "Ruang Rapat Kota Tua")).one()
    day = tomorrow.isoformat()
    slot = f'[data-space="{room.id}"][data-start="{day}T10:00"]'

    # Staff open the day view on a laptop first: it must update by itself later.
    staff = _sign_in(browser, base, "staf@jfch.example", LAPTOP, lang="en")
    staff.goto(f"{base}/book?date={day}&lang=en")
    staff.wait_for_selector(slot)
    _shot(staff, "01-staff-day-view-before")

    # A second member has the same slot's calendar open on a phone and picks 10.30.
    andi = _sign_in(browser, base, "andi@startup.example", PHONE)
    andi.goto(f"{base}/book?date={day}")
    andi.locator(f'[data-space="{room.id}"][data-start="{day}T10:30"]').click()
    andi.wait_for_selector("#booking-form")

    # The member books tomorrow 10.00-11.00 on a phone.
    rina = _sign_in(browser, base, "rina@umkm.example", PHONE)
    rina.goto(f"{base}/book?date={day}")
    rina.locator(slot).click()
    form = rina.locator("#booking-form")
    form.get_by_label("Selesai").select_option(f"{day}T11:00")
    form.get_by_label("Judul").fill("Sesi foto katalog batik")
    form.get_by_label("Jumlah orang").fill("3")
    _shot(rina, "02-member-phone-booking-form")
    form.get_by_role("button", name="Pesan").click()
    rina.get_by_text("Dipesan: Ruang Rapat Kota Tua").wait_for()
    _shot(rina, "03-member-phone-booked")

    rina.goto(f"{base}/bookings")
    row = rina.get_by_test_id("booking-row").filter(has_text="Sesi foto katalog batik")
    row.wait_for()
    assert "10.00" in row.inner_text() and "Ruang Rapat Kota Tua" in row.inner_text()
    _shot(rina, "04-member-my-bookings")

    # The second member's 10.30-11.30 attempt gets the message.
    andi_form = andi.locator("#booking-form")
    andi_form.get_by_label("Selesai").select_option(f"{day}T11:30")
    andi_form.get_by_label("Judul").fill("Diskusi tim")
    andi_form.get_by_role("button", name="Pesan").click()
    andi.get_by_text("Waktu itu sudah dipesan orang lain. Pilih waktu lain.").wait_for()
    _shot(andi, "05-second-member-refused")
    with Session(portal["engine"]) as session:
        assert len(session.exec(select(Booking).where(Booking.space_id == room.id)).all()) == 1

    # Staff's calendar, opened before, shows it without a reload (live update), with the name.
    staff.locator(f'[data-space="{room.id}"][data-kind="busy"]').filter(has_text="Rina Kusuma").wait_for(
        timeout=15_000)
    assert staff.locator(slot).count() == 0
    _shot(staff, "06-staff-day-view-live")

    # The member subscribes to the .ics feed from the profile page.
    rina.goto(f"{base}/profile")
    rina.get_by_role("button", name="Buat tautan kalender").click()
    feed_url = rina.get_by_label("Tautan kalender Anda").input_value()
    assert feed_url.startswith(f"{base}/api/calendar/")
    _shot(rina, "07-member-calendar-feed")
    assert "Sesi foto katalog batik" in _feed_events(feed_url)

    # Time passes: the booking now starts in five minutes, so check-in is open.
    with Session(portal["engine"]) as session:
        booking = session.exec(select(Booking).where(Booking.space_id == room.id)).one()
        start = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=5)
        booking.starts_at, booking.ends_at = start, start + timedelta(hours=1)
        session.add(booking)
        session.commit()
    rina.goto(f"{base}/bookings")
    row = rina.get_by_test_id("booking-row").filter(has_text="Sesi foto katalog batik")
    row.get_by_role("button", name="Check-in").click()
    rina.get_by_text("Check-in berhasil").wait_for()
    assert "Sudah check-in" in row.inner_text()
    _shot(rina, "08-member-checked-in")

    # The member cancels; the feed no longer lists it.
    row.locator("summary").filter(has_text="Batalkan").click()
    row.get_by_role("button", name="Ya, batalkan").click()
    rina.get_by_text("1 pemesanan dibatalkan.").wait_for()
    _shot(rina, "09-member-cancelled")
    with Session(portal["engine"]) as session:
        assert session.exec(select(Booking.status).where(Booking.space_id == room.id)).one() == "cancelled"
    assert "Sesi foto katalog batik" not in _feed_events(feed_url)
    for page in (staff, andi, rina):
        page.context.close()

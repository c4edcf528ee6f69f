"""Browser tests: one production portal per test session, driven by Debian's Chromium.

Fixtures (see tests/README.md):
- `portal` (session scope): `reflex run --env prod` on a port of its own with a dedicated database,
  once on SQLite and once on PostgreSQL (HUB_BROWSER_ENGINES=sqlite,postgres). The frontend build
  is kept in test-output/web-<port> and reused while nothing it is built from has changed.
- `phone` (390x844, Indonesian) and `laptop` (1280x800, English): a Playwright page in a fresh
  browser context each.
- `shot(page, name)`: a full-page screenshot in test-output/screenshots/<engine>/<name>.png.
Every test here is marked `browser` (also added automatically). Under `pytest -n 2` both workers run
browser tests, each with its own port, frontend build and portals (the tours of every route are
the longest tests; one worker alone would be the suite's critical path).
"""

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from tests.browser.helpers import save_screenshot

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
BUN = ROOT / ".tools" / "bun-1.4.4" / "package" / "bin" / "bun"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PORTS = range(3100, 3200)
PASSWORD = "nasi-uduk-betawi-2026"
BUILD_TIMEOUT = 1200
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(config, items):
    """Whatever lives in tests/browser is a browser test (`-m "not browser"` leaves it out)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)


# ------------------------------------------------------------------------------------------------
# The portal server
# ------------------------------------------------------------------------------------------------


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _claim_port() -> tuple[int, int]:
    """A free port in our range, held by an exclusive lock file so that two test sessions never
    share a port (and its build folder). Returns (port, lock file descriptor)."""
    OUTPUT.mkdir(exist_ok=True)
    for port in PORTS:
        descriptor = os.open(OUTPUT / f".port-{port}.lock", os.O_CREAT | os.O_RDWR)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)
            continue
        if _port_is_free(port):
            return port, descriptor
        os.close(descriptor)
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def _build_fingerprint(port: int) -> str:
    """Everything the frontend build depends on: the app's code, assets, config, versions, port."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"{version('reflex')}|{port}|{sys.version}".encode())
    files = [ROOT / "rxconfig.py", ROOT / "pyproject.toml"]
    files += sorted((ROOT / "hub_app").rglob("*.py"))
    files += sorted(path for path in (ROOT / "assets").rglob("*") if path.is_file())
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _wait_for(url: str, process: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-5000:]
            raise RuntimeError(f"the portal exited ({process.returncode}):\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as error:
            last = str(error)
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s ({last}):\n"
                       f"{log_path.read_text(errors='replace')[-5000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass
class Portal:
    """A running production portal and its database."""

    engine_name: str  # "sqlite" | "postgres"
    url: str
    port: int
    database_url: str
    upload_dir: Path
    log_path: Path
    process: subprocess.Popen
    engine: object = field(repr=False)
    built: bool = False  # whether this session built the frontend (False: reused an earlier build)

    def session(self) -> Session:
        """A SQLModel session on the portal's database, to arrange data and check results."""
        return Session(self.engine, expire_on_commit=False)

    def make_user(self, email: str, name: str, role: str = "member", status: str = "active",
                  password: str = PASSWORD, *, verified: bool = True, locale: str = "id", **profile):
        """An account made with the real service (argon2 hash), then given this role/status."""
        from hub_app.models import User
        from hub_app.services import accounts

        with self.session() as session:
            user = accounts.create_user(session=session, email=email, name=name, password=password,
                                        role="member" if role not in ("member", "staff", "admin") else role)
            user.status = status
            user.locale = locale
            if not verified:
                user.email_verified_at = None
            for key, value in profile.items():
                setattr(user, key, value)
            session.add(user)
            session.commit()
            return session.get(User, user.id)

    def outbox(self, to: str | None = None) -> list:
        """Emails the portal queued (newest last), optionally only those to one address."""
        from hub_app.models import EmailOutbox

        with self.session() as session:
            query = select(EmailOutbox).order_by(col(EmailOutbox.id))
            if to is not None:
                query = query.where(EmailOutbox.to_address == to)
            return list(session.exec(query).all())

    def email_link(self, to: str, path: str, timeout: float = 10) -> str:
        """The full URL of the newest emailed link to `to` whose path starts with `path`
        (e.g. the verification link: portal.email_link(email, "/verify/"))."""
        deadline = time.monotonic() + timeout
        while True:
            for email in reversed(self.outbox(to)):
                match = re.search(r"(https?://\S+?)(" + re.escape(path) + r"\S*)", email.body_text)
                if match:
                    return self.url + match.group(2)
            if time.monotonic() > deadline:
                raise AssertionError(f"no email to {to} with a link to {path}: {self.outbox(to)}")
            time.sleep(0.2)

    def user(self, email: str):
        from hub_app.models import User

        with self.session() as session:
            return session.exec(select(User).where(User.email_normalized == email.lower())).first()

    def sign_in(self, context, user) -> None:
        """Signs `user` in for a Playwright browser context directly (a new server-side session and
        its HttpOnly cookie), for tests whose subject is not the sign-in form itself."""
        from hub_app.models import UserSession
        from hub_app.models.base import utcnow
        from hub_app.services.security import hash_token, new_token

        token = new_token()
        with self.session() as session:
            session.add(UserSession(user_id=user.id, token_hash=hash_token(token),
                                    expires_at=utcnow() + timedelta(days=1)))
            session.commit()
        context.add_cookies([{"name": "hub_session", "value": token, "url": self.url, "httpOnly": True,
                              "sameSite": "Lax"}])

    def log_tail(self, characters: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-characters:]


def _portal_environment(port: int, run_dir: Path, web_dir: Path, database_url: str) -> dict:
    from hub_app.settings import get_settings

    env = dict(os.environ)
    for name in ("REFLEX_REDIS_URL", "HUB_REDIS_URL", "REFLEX_ENV_MODE", "REFLEX_SKIP_COMPILE"):
        env.pop(name, None)
    env.update({
        "REFLEX_WEB_WORKDIR": str(web_dir),
        "REFLEX_STATES_WORKDIR": str(run_dir / "states"),
        "REFLEX_BUN_PATH": str(BUN),
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "REFLEX_TELEMETRY_ENABLED": "0",
        "HUB_ENVIRONMENT": "production",
        # The tests' own key, so that portal.sign_in() can create sessions the portal accepts.
        "HUB_SECRET_KEY": get_settings().secret_key,
        "HUB_DATABASE_URL": database_url,
        "HUB_UPLOAD_DIR": str(run_dir / "uploads"),
        "HUB_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "HUB_ALLOWED_ORIGINS": f"http://127.0.0.1:{port},http://localhost:{port}",
        "HUB_SMTP_HOST": "",
        "GRANIAN_WORKERS": "1",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def _engines() -> list[str]:
    return [name.strip() for name in os.environ.get("HUB_BROWSER_ENGINES", "sqlite,postgres").split(",")
            if name.strip()]


@contextlib.contextmanager
def _running_portal(engine_name: str, port: int) -> Iterator[Portal]:
    from hub_app.db import make_engine
    from hub_app.migrations import upgrade
    from tests.conftest import create_postgres_database, drop_postgres_database

    run_dir = OUTPUT / f"portal-{port}-{engine_name}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    web_dir = OUTPUT / f"web-{port}"
    if engine_name == "sqlite":
        database_url = f"sqlite:///{run_dir / 'hub.db'}"
    elif engine_name == "postgres":
        database_url = create_postgres_database()
    else:
        raise ValueError(f"unknown engine {engine_name!r} in HUB_BROWSER_ENGINES")
    engine = make_engine(database_url)
    upgrade(engine)

    env = _portal_environment(port, run_dir, web_dir, database_url)
    fingerprint = _build_fingerprint(port)
    stamp = web_dir / ".hub-build-fingerprint"
    static_index = web_dir / "build" / "client" / "index.html"
    reuse = (os.environ.get("HUB_BROWSER_REBUILD") != "1" and stamp.exists()
             and stamp.read_text() == fingerprint and static_index.exists())
    if reuse:
        command = [sys.executable, "-m", "tests.browser.serve", str(port)]
    else:
        stamp.unlink(missing_ok=True)
        command = [sys.executable, "-m", "reflex", "run", "--env", "prod", "--frontend-port", str(port),
                   "--backend-host", "127.0.0.1"]
    log_path = run_dir / "portal.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    portal = Portal(engine_name, url, port, database_url, run_dir / "uploads", log_path, process, engine,
                    built=not reuse)
    started = time.monotonic()
    try:
        _wait_for(url + "/ping", process, log_path, BUILD_TIMEOUT)
        _wait_for(url + "/", process, log_path, 120)
        if not reuse:
            stamp.write_text(fingerprint)
        print(f"\nportal ({engine_name}) on {url}: {'built' if not reuse else 'reused build'}, "
              f"ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
        yield portal
    finally:
        _stop(process)
        engine.dispose()
        if engine_name == "postgres":
            drop_postgres_database(database_url)


@pytest.fixture(scope="session")
def _portal_port():
    port, lock = _claim_port()
    yield port
    os.close(lock)


# For a check of what the browser receives (markup, headers), which is the same whichever database
# the portal runs on: only the first engine's portal. The journeys and the language tour still
# visit every route on each engine.
FIRST_ENGINE_ONLY = pytest.mark.parametrize("portal", _engines()[:1], indirect=True)


@pytest.fixture(scope="session", params=_engines())
def portal(request, _portal_port):
    """The running portal (session scope; once per engine)."""
    with _running_portal(request.param, _portal_port) as running:
        yield running


# ------------------------------------------------------------------------------------------------
# Chromium
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    """Chromium for one test module. Sync Playwright marks an event loop as running on the test's
    thread while it is open; closing it after each module keeps that away from other tests that
    the same xdist worker runs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


_HYDRATED = re.compile(r'"is_hydrated_rx_state_"\s*:\s*true')


def _watch_hydration(page) -> None:
    """Follows the event socket: after each navigation the page counts as ready (hydrated, on_load
    handlers done) once the backend sends is_hydrated=true. See wait_for_app()."""
    page.hub_hydrated = False

    def on_navigated(frame):
        if frame == page.main_frame:
            page.hub_hydrated = False

    def on_frame(payload):
        if isinstance(payload, str) and _HYDRATED.search(payload):
            page.hub_hydrated = True

    page.on("framenavigated", on_navigated)
    page.on("websocket", lambda socket: socket.on("framereceived", on_frame))


def _page(chromium, portal, *, viewport: dict, locale: str, mobile: bool):
    context = chromium.new_context(viewport=viewport, locale=locale, base_url=portal.url, is_mobile=mobile,
                                   has_touch=mobile, timezone_id="Asia/Jakarta")
    context.set_default_timeout(15_000)
    page = context.new_page()
    _watch_hydration(page)
    return context, page


@pytest.fixture
def phone(chromium, portal):
    """A 390x844 phone in Indonesian, in a fresh browser context (no cookies)."""
    context, page = _page(chromium, portal, viewport=PHONE, locale="id-ID", mobile=True)
    yield page
    context.close()


@pytest.fixture
def laptop(chromium, portal):
    """A 1280x800 laptop in English, in a fresh browser context (no cookies)."""
    context, page = _page(chromium, portal, viewport=LAPTOP, locale="en-US", mobile=False)
    yield page
    context.close()


@pytest.fixture
def shot(portal):
    """shot(page, "journey-01-signup") saves test-output/screenshots/<engine>/journey-01-signup.png."""

    def take(page, name: str) -> Path:
        return save_screenshot(page, f"{portal.engine_name}/{name}")

    return take

"""`python -m hub_app.cli report --month YYYY-MM --lang id|en --out FILE`, run as a separate process
against the test database (HUB_DATABASE_URL), on SQLite and PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from tests.reports.hub import MONTH, arrange, words

ROOT = Path(__file__).resolve().parents[2]


def _cli(engine, *args: str) -> subprocess.CompletedProcess:
    """The command on `engine`'s database (None: the tests' default one, for what reads nothing)."""
    environment = dict(os.environ)
    if engine is not None:
        environment["HUB_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    return subprocess.run([sys.executable, "-m", "hub_app.cli", "report", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_the_command_writes_the_months_report(session, engine, tmp_path):
    arrange(session)
    out = tmp_path / "report.pdf"
    done = _cli(engine, "--month", MONTH, "--lang", "en", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"wrote {out} (programme-report-2026-10-en.pdf" in done.stdout
    reader = PdfReader(out)
    text = words("\n".join(page.extract_text() for page in reader.pages))
    assert "Monthly Programme Report" in text and "October 2026 · compared with September 2026" in text
    assert "Space bookings 3 1 +2 (+200%)" in text and "Training sessions delivered 3 0 +3 (new)" in text

    done = _cli(engine, "--month", MONTH, "--out", str(tmp_path / "laporan.pdf"))  # Indonesian by default
    assert done.returncode == 0, done.stderr
    assert "Laporan Program Bulanan" in words(PdfReader(tmp_path / "laporan.pdf").pages[0].extract_text())


def test_the_command_says_what_is_wrong(tmp_path):
    engine = None  # refused before anything is read
    out = tmp_path / "report.pdf"
    done = _cli(engine, "--month", "2026-13", "--lang", "en", "--out", str(out))
    assert done.returncode == 2 and "Give the month as YYYY-MM" in done.stderr and not out.exists()
    done = _cli(engine, "--month", MONTH, "--lang", "de", "--out", str(out))
    assert done.returncode == 2 and "invalid choice: 'de'" in done.stderr and not out.exists()
    done = _cli(engine, "--month", MONTH, "--out", str(tmp_path / "missing" / "report.pdf"))
    assert done.returncode == 1 and "cannot write" in done.stderr
    done = _cli(engine, "--help")
    assert done.returncode == 0 and "monthly programme report" in done.stdout

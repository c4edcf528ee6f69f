"""Production refuses unsafe settings; the command line creates accounts and demo data."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from hub_app.db import make_engine
from hub_app.migrations import upgrade
from hub_app.models import User
from hub_app.settings import DEVELOPMENT_SECRET, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_production_refuses_the_default_secret_key():
    with pytest.raises(ValidationError, match="HUB_SECRET_KEY"):
        Settings(environment="production", secret_key=DEVELOPMENT_SECRET)
    with pytest.raises(ValidationError, match="HUB_SECRET_KEY"):
        Settings(environment="production", secret_key="short")


def test_production_refuses_any_origin():
    with pytest.raises(ValidationError, match="HUB_ALLOWED_ORIGINS"):
        Settings(environment="production", secret_key="x" * 40, allowed_origins=["*"])
    assert Settings(environment="production", secret_key="x" * 40,
                    allowed_origins="https://hub.jakarta.example").allowed_origins == ["https://hub.jakarta.example"]


def test_development_defaults_are_safe_and_local():
    settings = Settings()
    assert settings.timezone == "Asia/Jakarta" and settings.default_locale == "id"
    assert "*" not in settings.allowed_origins and not settings.secure_cookies


def _cli(database: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "HUB_DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run([sys.executable, "-m", "hub_app.cli", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def test_cli_creates_an_active_verified_user_with_the_password_from_stdin(tmp_path):
    database = tmp_path / "cli.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    result = _cli(database, "create-user", "Sari@JFCH.example", "--name", "Sari Wulandari", "--role", "admin",
                  stdin="dawet-ayu-banjarnegara-9\n")
    assert result.returncode == 0, result.stderr
    with Session(engine) as session:
        user = session.exec(select(User)).one()
    assert (user.email_normalized, user.role, user.status) == ("sari@jfch.example", "admin", "active")
    assert user.email_verified_at is not None

    again = _cli(database, "create-user", "sari@jfch.example", "--name", "X", stdin="dawet-ayu-banjarnegara-9\n")
    weak = _cli(database, "create-user", "budi@jfch.example", "--name", "Budi", stdin="password\n")
    assert again.returncode == 1 and "already in use" in again.stderr
    assert weak.returncode == 1 and "too common" in weak.stderr


def test_seed_demo_is_idempotent(tmp_path):
    database = tmp_path / "seed.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    for _ in range(2):
        result = _cli(database, "seed-demo")
        assert result.returncode == 0, result.stderr
    with Session(engine) as session:
        emails = [user.email for user in session.exec(select(User)).all()]
    assert len(emails) == len(set(emails)) and "admin@jfch.example" in emails

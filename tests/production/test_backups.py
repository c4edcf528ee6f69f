"""Backups on both engines, through the real command line (python -m hub_app.cli backup / restore in
a process of its own, as cron or the systemd timer runs it): a migrated database with the demo data
and rolled-up insights plus uploaded files is backed up, wiped (the SQLite file deleted, the
PostgreSQL database dropped and made again empty, the upload folder removed), restored, and every
row of every table and every file compared with what was there before. Restore refuses a database
that already has tables without --force (and replaces it with it), a schema newer than the code,
a damaged file and a backup of the other engine."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session

from hub_app.db import make_engine
from hub_app.migrations import upgrade
from hub_app.seed import seed_demo
from tests.conftest import _postgres_admin_url, create_postgres_database, drop_postgres_database

PROJECT_ROOT = Path(__file__).resolve().parents[2]
UPLOADS = {"avatars/3f9c.webp": b"RIFF\x00webp-avatar" * 50, "spaces/ab12.webp": bytes(range(256)) * 40,
           "events/c0ffee.webp": b"\x00\xff" * 3000}


@pytest.fixture(params=["sqlite", "postgres"])
def portal(request, tmp_path):
    """A migrated database with demo data and insights rollups, and an upload folder with files."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'live' / 'hub.db'}"
        (tmp_path / "live").mkdir()
    else:
        url = create_postgres_database()
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:  # as hub_app.db.new_session makes them
        seed_demo(session)
    from hub_app.services.insights.rollups import roll_up_all

    with Session(engine) as session:
        roll_up_all(session=session)
    engine.dispose()
    uploads = tmp_path / "uploads"
    for name, content in UPLOADS.items():
        (uploads / name).parent.mkdir(parents=True, exist_ok=True)
        (uploads / name).write_bytes(content)
    yield url, uploads
    if request.param == "postgres":
        drop_postgres_database(url)


def cli(url: str, uploads: Path, *args) -> subprocess.CompletedProcess:
    env = dict(os.environ, HUB_DATABASE_URL=url, HUB_UPLOAD_DIR=str(uploads))
    return subprocess.run([sys.executable, "-m", "hub_app.cli", *map(str, args)], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def every_row(url: str) -> dict[str, list[tuple]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            return {table: sorted((tuple(row) for row in connection.execute(text(f'SELECT * FROM "{table}"'))),
                                  key=repr)
                    for table in tables}
    finally:
        engine.dispose()


def every_file(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def wipe(url: str, uploads: Path) -> None:
    shutil.rmtree(uploads)
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def test_backup_wipe_restore_gives_back_every_row_and_file(portal, tmp_path):
    url, uploads = portal
    rows, files = every_row(url), every_file(uploads)
    assert sum(len(table) for table in rows.values()) > 100 and len(files) == len(UPLOADS)
    assert rows["alembic_version"] and rows["users"] and rows["bookings"]

    saved = cli(url, uploads, "backup", "--out", tmp_path / "backup")
    assert saved.returncode == 0, saved.stderr
    assert f"{len(UPLOADS)} uploaded files" in saved.stdout
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert sorted(manifest["alembic_revisions"]) == sorted(row[0] for row in rows["alembic_version"])
    assert len(manifest["alembic_revisions"]) > 1  # the migrations have several heads: all of them kept
    assert set(manifest["files"]) == {manifest["database_file"], *(f"uploads/{name}" for name in UPLOADS)}

    wipe(url, uploads)
    assert not uploads.exists()
    restored = cli(url, uploads, "restore", tmp_path / "backup")
    assert restored.returncode == 0, restored.stderr
    assert every_row(url) == rows
    assert every_file(uploads) == files
    assert "migrate" not in restored.stdout  # the schema is at the code's heads


def test_restore_replaces_an_existing_database_only_with_force(portal, tmp_path):
    url, uploads = portal
    rows, files = every_row(url), every_file(uploads)
    assert cli(url, uploads, "backup", "--out", tmp_path / "backup").returncode == 0

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM forum_posts WHERE id > 1"))
        connection.execute(text("UPDATE users SET name = 'changed after the backup'"))
    engine.dispose()
    (uploads / "avatars" / "3f9c.webp").unlink()
    (uploads / "avatars" / "new-after-backup.webp").write_bytes(b"new")
    changed = every_row(url)

    refused = cli(url, uploads, "restore", tmp_path / "backup")
    assert refused.returncode == 1
    assert "already holds the portal's tables" in refused.stderr and "--force" in refused.stderr
    assert every_row(url) == changed  # nothing touched

    replaced = cli(url, uploads, "restore", tmp_path / "backup", "--force")
    assert replaced.returncode == 0, replaced.stderr
    assert every_row(url) == rows
    assert every_file(uploads) == files


def test_restore_refuses_a_schema_newer_than_the_code(portal, tmp_path):
    url, uploads = portal
    engine = make_engine(url)
    with engine.begin() as connection:  # as a newer version of the portal would have migrated it
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0099_from_the_future')"))
    engine.dispose()
    assert cli(url, uploads, "backup", "--out", tmp_path / "backup").returncode == 0
    wipe(url, uploads)

    refused = cli(url, uploads, "restore", tmp_path / "backup")
    assert refused.returncode == 1
    assert "newer than this code" in refused.stderr and "0099_from_the_future" in refused.stderr
    assert not uploads.exists()
    assert every_row(url) == {}


def test_restore_refuses_a_damaged_or_foreign_backup(portal, tmp_path):
    url, uploads = portal
    assert cli(url, uploads, "backup", "--out", tmp_path / "backup").returncode == 0
    assert cli(url, uploads, "backup", "--out", tmp_path / "backup").returncode == 1  # never into a used folder
    rows = every_row(url)

    other = "postgresql://postgres@127.0.0.1:5432/x" if url.startswith("sqlite") else f"sqlite:///{tmp_path}/x.db"
    foreign = cli(other, uploads, "restore", tmp_path / "backup", "--force")
    assert foreign.returncode == 1 and "database of the same kind" in foreign.stderr

    damaged = tmp_path / "backup" / "uploads" / "spaces" / "ab12.webp"
    damaged.write_bytes(b"x" + damaged.read_bytes()[1:])
    refused = cli(url, uploads, "restore", tmp_path / "backup", "--force")
    assert refused.returncode == 1
    assert "uploads/spaces/ab12.webp does not match its checksum" in refused.stderr
    (tmp_path / "backup" / "manifest.json").unlink()
    unfinished = cli(url, uploads, "restore", tmp_path / "backup", "--force")
    assert unfinished.returncode == 1 and "unfinished" in unfinished.stderr
    assert every_row(url) == rows



def test_an_older_schema_is_restorable_and_named_behind_the_code(tmp_path):
    from hub_app.services.backups import behind_code, code_revisions

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    stored = [row[0] for row in every_row(url)["alembic_version"]]
    assert set(stored) <= code_revisions() and not behind_code(stored)
    assert behind_code(["0009"])


def test_an_unreachable_database_is_named_not_a_traceback(tmp_path):
    missing = "postgresql://postgres@127.0.0.1:5432/hub_no_such_database_for_backups"
    saved = cli(missing, tmp_path / "uploads", "backup", "--out", tmp_path / "backup")
    assert saved.returncode == 1
    assert "cannot reach the PostgreSQL database" in saved.stderr and "Traceback" not in saved.stderr
    assert not (tmp_path / "backup" / "manifest.json").exists()

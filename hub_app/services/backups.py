"""Backups of the portal: the database, the uploaded files and the schema revisions in one folder.

An operator's tool (python -m hub_app.cli backup / restore, the nightly deploy/hub-backup.timer),
not a member's or staff's action: it works on the database and upload folder given to it, with the
server's own rights, and answers in plain English on the command line.

A backup folder holds:
- `database.sqlite` (SQLite's online backup API: a consistent copy while the portal keeps writing)
  or `database.pgdump` (pg_dump -Fc: one consistent snapshot of the whole database);
- `uploads/`: the uploaded files (avatars, space, event and trainer photos), copied after the
  database snapshot, so every file a row names is there (a file uploaded meanwhile is extra, harmless);
- `manifest.json`, written last (a folder without it is an unfinished backup): the engine, the
  Alembic revisions the database was at (a set: the migrations have several heads), the client
  tools' version, and the size and SHA-256 of every file.

Restore checks every checksum first, refuses a backup whose schema has a revision this code's
migrations do not know (made by a newer version of the portal) and a backup of the other engine,
and refuses to overwrite a database that already has tables unless told to (`force`): then the
database is replaced as a whole (SQLite: the backup API copies every page into the live file;
PostgreSQL: the public schema is dropped and pg_restore recreates it in one transaction) and the
upload folder is swapped for the backup's copy. Stop the portal before restoring.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from hub_app.migrations import alembic_config

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
POSTGRES_FILE = "database.pgdump"
UPLOADS = "uploads"


class BackupError(Exception):
    """Why a backup or restore could not be done, in words for the operator."""


@dataclass(frozen=True)
class BackupSummary:
    folder: Path
    engine: str
    revisions: list[str]
    files: int
    bytes: int


@dataclass(frozen=True)
class RestoreSummary:
    engine: str
    revisions: list[str]
    files: int
    behind_code: bool  # the backup's schema is older than the code: `migrate` brings it up to date


def engine_of(database_url: str) -> str:
    scheme = make_url(database_url).get_backend_name()
    if scheme == "sqlite":
        return "sqlite"
    if scheme == "postgresql":
        return "postgresql"
    raise BackupError(f"cannot back up a {scheme} database: the portal runs on SQLite or PostgreSQL")


# -- backup ----------------------------------------------------------------------------------------


def backup(out: Path, *, database_url: str, upload_dir: Path) -> BackupSummary:
    """Writes a backup into `out` (a new or empty folder)."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} is not an empty folder: a backup goes into a new or empty one")
    out.mkdir(parents=True, exist_ok=True)
    engine = engine_of(database_url)
    tools = {}
    if engine == "sqlite":
        revisions = _backup_sqlite(_sqlite_path(database_url), out / SQLITE_FILE)
    else:
        tools = _postgres_tools(database_url)
        revisions = _backup_postgres(database_url, out / POSTGRES_FILE)
    if not revisions:
        raise BackupError("the database has no schema revision (never migrated?): nothing worth backing up")
    copied = _copy_tree(Path(upload_dir), out / UPLOADS)
    files = {name: _describe(out / name) for name in _all_files(out)}
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": engine,
        "alembic_revisions": revisions,
        "tools": tools,
        "database_file": SQLITE_FILE if engine == "sqlite" else POSTGRES_FILE,
        "files": files,
    }
    temporary = out / (MANIFEST + ".part")
    temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(temporary, out / MANIFEST)
    return BackupSummary(folder=out, engine=engine, revisions=revisions, files=copied,
                         bytes=sum(entry["bytes"] for entry in files.values()))


def _sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def _backup_sqlite(source: Path, target: Path) -> list[str]:
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    live = sqlite3.connect(_read_only(source), uri=True)
    copy = sqlite3.connect(target)
    try:
        live.backup(copy)  # page by page, consistent even while the portal writes
        # One self-contained file (no -wal beside it) that opens read-only at restore.
        copy.execute("PRAGMA journal_mode=DELETE")
        return _revisions_sqlite(copy)
    finally:
        copy.close()
        live.close()


def _read_only(path: Path) -> str:
    return f"file:{quote(str(path.resolve()))}?mode=ro"


def _revisions_sqlite(connection: sqlite3.Connection) -> list[str]:
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()
    if not exists:
        return []
    return sorted(row[0] for row in connection.execute("SELECT version_num FROM alembic_version"))


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """The URL for pg_dump / pg_restore / psql without its password (which goes in PGPASSWORD, not
    on a command line that every local user can read in the process list)."""
    url = make_url(database_url)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _sqlalchemy_url(database_url: str) -> str:
    url = make_url(database_url)
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def _major(version: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)*", version)
    if not found:
        raise BackupError(f"cannot read a version from {version!r}")
    return int(found.group(1))


@contextmanager
def _connected(database_url: str, *, write: bool = False):
    """A connection to the PostgreSQL database; an unreachable one is a BackupError that says so."""
    engine = create_engine(_sqlalchemy_url(database_url))
    try:
        with engine.begin() if write else engine.connect() as connection:
            yield connection
    except OperationalError as error:
        raise BackupError(f"cannot reach the PostgreSQL database: {str(error.orig).strip()}") from None
    finally:
        engine.dispose()


def _postgres_tools(database_url: str) -> dict[str, str]:
    """The client tools' and the server's versions; refuses tools older than the server (pg_dump
    cannot dump a newer server and pg_restore cannot read a newer pg_dump's archive)."""
    found = {}
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            raise BackupError(f"{tool} is not installed: apt-get install postgresql-client "
                              "(the same major version as the server)")
        found[tool] = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    with _connected(database_url) as connection:
        server = connection.execute(text("SHOW server_version")).scalar_one()
    found["server"] = server
    for tool in ("pg_dump", "pg_restore"):
        if _major(found[tool].split("(PostgreSQL)")[-1]) < _major(server):
            raise BackupError(f"{found[tool]} is older than the server (PostgreSQL {server}): install the "
                              f"client tools of version {_major(server)}")
    return found


def _revisions_postgres(database_url: str) -> list[str]:
    with _connected(database_url) as connection:
        if not inspect(connection).has_table("alembic_version"):
            return []
        return sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _backup_postgres(database_url: str, target: Path) -> list[str]:
    before = _revisions_postgres(database_url)
    url, env = _libpq(database_url)
    done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}",
                           f"--dbname={url}"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    # pg_dump reads one snapshot; the revisions are read beside it, so a migration in between is caught.
    if _revisions_postgres(database_url) != before:
        raise BackupError("the schema changed (a migration ran) during the backup: run it again")
    return before


def _copy_tree(source: Path, target: Path) -> int:
    target.mkdir()
    if not source.is_dir():
        return 0
    count = 0
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.is_symlink():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
            count += 1
    return count


def _all_files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def _describe(path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}


# -- restore ---------------------------------------------------------------------------------------


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def code_revisions() -> set[str]:
    """Every revision this code's migrations know."""
    return {script.revision for script in _scripts().walk_revisions()}


def behind_code(revisions: list[str]) -> bool:
    """Whether some of the code's migrations are not applied at these revisions (alembic stores only
    the heads of what it applied; a head that another one depends on is applied with it)."""
    applied = {script.revision for script in _scripts().iterate_revisions(tuple(revisions), "base")}
    return applied != code_revisions()


def read_manifest(folder: Path) -> dict:
    """The manifest of a backup whose every file is there with its recorded checksum."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder} holds no {MANIFEST}: not a backup, or an unfinished one") from None
    except (OSError, ValueError) as error:
        raise BackupError(f"cannot read {folder / MANIFEST}: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{folder / MANIFEST} is not a backup manifest of format {FORMAT}")
    files = manifest.get("files") or {}
    for name, recorded in files.items():
        path = (folder / name).resolve()
        if not path.is_relative_to(folder.resolve()):
            raise BackupError(f"the manifest names a file outside the backup: {name}")
        if not path.is_file():
            raise BackupError(f"the backup is incomplete: {name} is missing")
        if _describe(path) != recorded:
            raise BackupError(f"the backup is damaged: {name} does not match its checksum")
    extra = set(_all_files(folder)) - set(files) - {MANIFEST}
    if extra:
        raise BackupError(f"the backup holds files its manifest does not list: {', '.join(sorted(extra)[:5])}")
    if manifest.get("database_file") not in files:
        raise BackupError("the backup's manifest names no database file")
    return manifest


def restore(folder: Path, *, database_url: str, upload_dir: Path, force: bool = False) -> RestoreSummary:
    """Restores a backup into the database and upload folder given (the portal stopped)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    engine = engine_of(database_url)
    if manifest["engine"] != engine:
        raise BackupError(f"this is a {manifest['engine']} backup and the database is {engine}: "
                          "restore it into a database of the same kind")
    revisions = sorted(manifest["alembic_revisions"])
    unknown = sorted(set(revisions) - code_revisions())
    if unknown:
        raise BackupError(f"the backup's schema is newer than this code: revision(s) {', '.join(unknown)} "
                          "are not among this version's migrations; restore it with the portal version "
                          "that made it (or a newer one)")
    database = folder / manifest["database_file"]
    if engine == "sqlite":
        _restore_sqlite(database, _sqlite_path(database_url), force=force)
    else:
        _postgres_tools(database_url)
        _restore_postgres(database, database_url, force=force)
    files = _replace_uploads(folder / UPLOADS, Path(upload_dir))
    return RestoreSummary(engine=engine, revisions=revisions, files=files, behind_code=behind_code(revisions))


def _refuse_existing(what: str, force: bool) -> None:
    if not force:
        raise BackupError(f"{what} already holds the portal's tables; restoring replaces all of it: "
                          "stop the portal and run restore again with --force")


def _restore_sqlite(backup_file: Path, target: Path, *, force: bool) -> None:
    if target.exists():
        live = sqlite3.connect(target)
        try:
            tables = live.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        finally:
            live.close()
        if tables:
            _refuse_existing(str(target), force)
    target.parent.mkdir(parents=True, exist_ok=True)
    saved = sqlite3.connect(_read_only(backup_file), uri=True)
    live = sqlite3.connect(target, timeout=30)
    try:
        saved.backup(live)  # every page replaced under the database's write lock
        live.execute("PRAGMA journal_mode=WAL")  # as the portal runs it (hub_app/db.py)
    finally:
        live.close()
        saved.close()


def _restore_postgres(dump: Path, database_url: str, *, force: bool) -> None:
    with _connected(database_url, write=True) as connection:
        tables = connection.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar_one()
        if tables:
            _refuse_existing("the database", force)
            # Everything the portal made lives in the public schema: tables, sequences, the
            # triggers' functions, btree_gist. Dropped together, so nothing newer than the
            # backup survives next to it.
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    url, env = _libpq(database_url)
    done = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                           f"--dbname={url}", str(dump)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was restored): {done.stderr.strip()}")


def _replace_uploads(saved: Path, target: Path) -> int:
    """Swaps the upload folder for the backup's copy: copied beside it first, then renamed into
    place, so a failure half way leaves the old folder as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(target.name + ".restoring")
    outgoing = target.with_name(target.name + ".replaced")
    for leftover in (incoming, outgoing):
        if leftover.exists():
            shutil.rmtree(leftover)
    count = _copy_tree(saved, incoming)
    if target.exists():
        os.replace(target, outgoing)
    os.replace(incoming, target)
    if outgoing.exists():
        shutil.rmtree(outgoing)
    return count

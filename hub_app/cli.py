"""Command line: `python -m hub_app.cli create-user EMAIL --name NAME --role admin|staff|member`
(password from standard input), `seed-demo`, `migrate`, `deliver-mail`,
`report --month 2026-11 --lang en --out report.pdf`, `rollup-insights`, `backup --out DIR`,
`restore DIR [--force]`."""

import argparse
import os
import sys
from pathlib import Path

from hub_app.db import new_session
from hub_app.domain.errors import HubError
from hub_app.i18n import translate


def _create_user(args) -> int:
    from hub_app.services.accounts import create_user

    password = sys.stdin.readline().rstrip("\n")
    with new_session() as session:
        try:
            user = create_user(session=session, email=args.email, name=args.name, password=password, role=args.role)
        except HubError as error:
            print(translate(error.key, "en", **error.params), file=sys.stderr)
            return 1
    print(f"created {user.role} {user.email} (id {user.id})")
    return 0


def _seed_demo(_args) -> int:
    from hub_app.seed import seed_demo

    with new_session() as session:
        seed_demo(session)
    print("demo data ready")
    return 0


def _migrate(_args) -> int:
    from hub_app.migrations import upgrade

    upgrade()
    return 0


def _deliver_mail(_args) -> int:
    from hub_app.services.notifications import deliver_outbox

    with new_session() as session:
        print(f"sent {deliver_outbox(session=session)} emails")
    return 0


def _report(args) -> int:
    from hub_app.domain.membership import ACTIVE
    from hub_app.domain.permissions import STAFF, Actor
    from hub_app.services.programme_report import programme_report

    # Whoever runs the command line already has the server's database: the report is made as the
    # system, with staff's reading rights (it reads, never writes).
    system = Actor(user_id=0, role=STAFF, status=ACTIVE, name="hub_app.cli", locale=args.lang)
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):  # say so before the work, not after
        print(f"cannot write {args.out}: no such folder or not writable", file=sys.stderr)
        return 1
    with new_session() as session:
        try:
            report = programme_report(system, session=session, month=args.month, lang=args.lang)
        except HubError as error:
            print(translate(error.key, "en", **error.params), file=sys.stderr)
            return 2
    try:
        with open(args.out, "wb") as out:
            out.write(report.pdf)
    except OSError as error:
        print(f"cannot write {args.out}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({report.filename}, {len(report.pdf)} bytes)")
    return 0


def _rollup_insights(_args) -> int:
    from hub_app.services.insights.rollups import roll_up_all

    with new_session() as session:
        print(f"rolled up {roll_up_all(session=session)} days of insights")
    return 0


def _backup(args) -> int:
    from hub_app.services.backups import BackupError, backup
    from hub_app.settings import get_settings

    settings = get_settings()
    try:
        done = backup(args.out, database_url=settings.database_url, upload_dir=settings.upload_dir)
    except BackupError as error:
        print(f"backup failed: {error}", file=sys.stderr)
        return 1
    print(f"backed up the {done.engine} database at revisions {', '.join(done.revisions)} and {done.files} "
          f"uploaded files into {done.folder} ({done.bytes} bytes)")
    return 0


def _restore(args) -> int:
    from hub_app.services.backups import BackupError, restore
    from hub_app.settings import get_settings

    settings = get_settings()
    try:
        done = restore(args.folder, database_url=settings.database_url, upload_dir=settings.upload_dir,
                       force=args.force)
    except BackupError as error:
        print(f"restore refused: {error}", file=sys.stderr)
        return 1
    print(f"restored the {done.engine} database at revisions {', '.join(done.revisions)} and {done.files} "
          "uploaded files")
    if done.behind_code:
        print("the restored schema is older than this code: run `python -m hub_app.cli migrate` before starting")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub_app.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create an active, verified account; password on stdin")
    create.add_argument("email")
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=["admin", "staff", "member"], default="member")
    create.set_defaults(run=_create_user)
    commands.add_parser("seed-demo", help="add demo data (idempotent)").set_defaults(run=_seed_demo)
    commands.add_parser("migrate", help="alembic upgrade heads").set_defaults(run=_migrate)
    commands.add_parser("deliver-mail", help="send queued emails now").set_defaults(run=_deliver_mail)
    report = commands.add_parser(
        "report", help="write the monthly programme report for the hub's partners as a PDF",
        description="Write the monthly programme report (key figures of the month against the previous "
                    "month, charts, most attended trainings, space use by kind) as a PDF. It reads the database "
                    "in HUB_DATABASE_URL as the system, with no sign-in (whoever runs it has the server's "
                    "database), and never writes to it; times are in the hub's zone (WIB).")
    report.add_argument("--month", required=True, help="the month, YYYY-MM, e.g. 2026-11")
    report.add_argument("--lang", choices=["id", "en"], default="id", help="the report's language (default: id)")
    report.add_argument("--out", required=True, help="the PDF file to write")
    report.set_defaults(run=_report)
    commands.add_parser(
        "rollup-insights", help="build the insights' rollups now (after an upgrade; the server's duty keeps them)",
    ).set_defaults(run=_rollup_insights)
    saving = commands.add_parser(
        "backup", help="write a backup (database, uploaded files, schema revisions, checksums) into a folder",
        description="Write a consistent backup of the database in HUB_DATABASE_URL (SQLite: online backup; "
                    "PostgreSQL: pg_dump), the uploaded files in HUB_UPLOAD_DIR and the schema revisions, with "
                    "a manifest of checksums, into a new or empty folder. The portal may keep running.")
    saving.add_argument("--out", required=True, type=Path, help="the folder to write (new or empty)")
    saving.set_defaults(run=_backup)
    restoring = commands.add_parser(
        "restore", help="restore a backup folder into HUB_DATABASE_URL and HUB_UPLOAD_DIR (portal stopped)",
        description="Check a backup's checksums and schema (refused when it is newer than this code), then "
                    "put its database and uploaded files in place. A database that already has tables and "
                    "the upload folder are replaced as a whole only with --force. Stop the portal first.")
    restoring.add_argument("folder", type=Path, help="a folder written by `backup`")
    restoring.add_argument("--force", action="store_true", help="replace an existing database and upload folder")
    restoring.set_defaults(run=_restore)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

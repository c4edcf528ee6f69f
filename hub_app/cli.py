"""Command line: `python -m hub_app.cli create-user EMAIL --name NAME --role admin|staff|member`
(password from standard input), `seed-demo`, `migrate`, `deliver-mail`."""

import argparse
import sys

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
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

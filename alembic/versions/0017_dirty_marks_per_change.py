"""insights: a dirty mark per change, so that writers never wait for a rollup builder

Until now insight_dirty_days held one row per UTC date (a trigger's INSERT ... ON CONFLICT DO
NOTHING), and a change whose date was already marked relied on that row. A builder that deleted it
had to wait until no such change was still in flight, so on PostgreSQL it locked the table in
EXCLUSIVE mode for its whole batch, and every booking, enrolment, attendance and post written
meanwhile waited for the batch: under the drill's load a booking's INSERT took 20 ms on average
instead of 0.6 ms, holding its member's and its space's locks the while.

Now every change adds its own marks (a row per date, with an id), and a builder deletes exactly the
marks it read. A change that commits after the builder read the marks keeps its own, and the next
round rebuilds its days again; so the table lock goes. Builders still take turns on the rollup
state's row (SELECT ... FOR UPDATE). The members' months copy role, sector and stage from users:
a builder adding such rows and a change of a member's role now take turns on a transaction-level
advisory lock (the builder exclusive, the users trigger shared) instead of the table lock.

Revision ID: 0017
Revises: 0015 (0011 made the table and its triggers)
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None

# hub_app.services.insights.rollups.MEMBER_MONTHS_LOCK: the same number.
MEMBER_MONTHS_LOCK = 4_771_170


def _first_rollups():
    """0011, whose table of what marks which dates the triggers are written from."""
    spec = importlib.util.spec_from_file_location("rollups_0011", Path(__file__).with_name("0011_insights_rollups.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sqlite_trigger_names(first) -> list[str]:
    return [*(f"insight_dirty_{table}_{event}" for table in first.MARKED for event in ("insert", "delete", "update")),
            *(f"insight_dirty_{table}_update" for table in first.UPDATES)]


def upgrade() -> None:
    first = _first_rollups()
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE insight_dirty_days DROP CONSTRAINT insight_dirty_days_pkey")
        op.execute("ALTER TABLE insight_dirty_days ADD COLUMN id SERIAL PRIMARY KEY")
        op.create_index("ix_insight_dirty_days_day", "insight_dirty_days", ["day"])
        _postgres_triggers(first)
        return
    # SQLite: the triggers name the table, so they go first and come back marking a row per change.
    for name in _sqlite_trigger_names(first):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("CREATE TABLE insight_dirty_marks (id INTEGER NOT NULL PRIMARY KEY, day DATE NOT NULL)")
    op.execute("INSERT INTO insight_dirty_marks (day) SELECT day FROM insight_dirty_days")
    op.execute("DROP TABLE insight_dirty_days")
    op.execute("ALTER TABLE insight_dirty_marks RENAME TO insight_dirty_days")
    op.create_index("ix_insight_dirty_days_day", "insight_dirty_days", ["day"])
    _sqlite_triggers(first)


def _marks(first, row: str, entries, utc_date) -> str:
    union = " UNION ".join(first._selects(entries, row, utc_date))
    return f"INSERT INTO insight_dirty_days (day) SELECT DISTINCT day FROM ({union}) AS marked WHERE day IS NOT NULL;"


def _postgres_triggers(first) -> None:
    def marks(row: str, entries) -> str:
        return _marks(first, row, entries, lambda column: f"(({column}) AT TIME ZONE 'UTC')::date")

    for table, entries in first.MARKED.items():
        op.execute(f"""
            CREATE OR REPLACE FUNCTION insight_dirty_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN {marks('OLD', entries)} END IF;
                IF TG_OP <> 'DELETE' THEN {marks('NEW', entries)} END IF;
                RETURN NULL;
            END $$""")
    for table, (_columns, _compared, entries) in first.UPDATES.items():
        op.execute(f"""
            CREATE OR REPLACE FUNCTION insight_dirty_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {marks('NEW', entries)} RETURN NULL; END $$""")
    op.execute(f"""
        CREATE OR REPLACE FUNCTION insight_member_months_users() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Takes turns with a rollup builder adding members' months, so that a row it is adding
            -- gets the new values too.
            PERFORM pg_advisory_xact_lock_shared({MEMBER_MONTHS_LOCK});
            IF TG_OP = 'DELETE' THEN DELETE FROM insight_member_months WHERE user_id = OLD.id;
            ELSE {first.COPY_MEMBER};
            END IF;
            RETURN NULL;
        END $$""")


def _sqlite_triggers(first) -> None:
    def marks(row: str, entries) -> str:
        return _marks(first, row, entries, lambda column: f"date({column})")

    for table, entries in first.MARKED.items():
        op.execute(f"CREATE TRIGGER insight_dirty_{table}_insert AFTER INSERT ON {table} BEGIN "
                   f"{marks('NEW', entries)} END")
        op.execute(f"CREATE TRIGGER insight_dirty_{table}_delete AFTER DELETE ON {table} BEGIN "
                   f"{marks('OLD', entries)} END")
        op.execute(f"CREATE TRIGGER insight_dirty_{table}_update AFTER UPDATE ON {table} BEGIN "
                   f"{marks('OLD', entries)} {marks('NEW', entries)} END")
    for table, (columns, compared, entries) in first.UPDATES.items():
        changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in compared)
        op.execute(f"CREATE TRIGGER insight_dirty_{table}_update AFTER UPDATE OF {columns} ON {table} "
                   f"WHEN {changed} BEGIN {marks('NEW', entries)} END")


def downgrade() -> None:
    first = _first_rollups()
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS insight_member_months_users ON users")
        op.execute("DROP FUNCTION IF EXISTS insight_member_months_users()")
        for table in (*first.MARKED, *first.UPDATES):
            op.execute(f"DROP TRIGGER IF EXISTS insight_dirty_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS insight_dirty_{table}()")
    else:
        for name in [*_sqlite_trigger_names(first), "insight_member_months_users", "insight_member_months_users_delete"]:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_insight_dirty_days_day", table_name="insight_dirty_days")
    op.execute("CREATE TABLE insight_dirty_dates (day DATE NOT NULL PRIMARY KEY)")
    op.execute("INSERT INTO insight_dirty_dates (day) SELECT DISTINCT day FROM insight_dirty_days")
    op.execute("DROP TABLE insight_dirty_days")
    op.execute("ALTER TABLE insight_dirty_dates RENAME TO insight_dirty_days")
    if postgres:
        op.execute("ALTER TABLE insight_dirty_days RENAME CONSTRAINT insight_dirty_dates_pkey TO insight_dirty_days_pkey")
        first._postgres_triggers()
    else:
        first._sqlite_triggers()

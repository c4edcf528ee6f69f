"""insights: rollups per local day, and triggers that mark the days they no longer match

services/insights/rollups.py keeps sums per local day (space use per space, the heat map per hour,
bookings per member sector and stage, members' active days per month) so a period's figures read a
few hundred rollup rows instead of every booking. Whenever a row that feeds them is inserted,
changed or deleted, a trigger writes the UTC dates of its old and new timestamps into
insight_dirty_days; those days are read live until the background duty rebuilds them. Triggers,
not application code, so that no writer (a service, a script, plain SQL) can forget it.

Revision ID: 0011
Revises: 0009 (needs 0003 and 0004: forum posts, enrolments and attendance)
"""

import sqlalchemy as sa

from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = ("0003", "0004")

# table -> what a change of one of its rows marks: the UTC dates of its own timestamp columns, or of
# a column of a row it points to ("column", "FROM table WHERE ..." with {row} = OLD / NEW). A booking
# spans at most MAX_SPAN = 24 h, so its start and end dates cover every date it touches.
MARKED = {
    "bookings": [("starts_at", ""), ("ends_at", ""), ("created_at", "")],
    # created/enrolled: active members and seats taken; rated: ratings; the training's end: completion.
    "enrolments": [("created_at", ""), ("enrolled_at", ""), ("rated_at", ""),
                   ("ends_at", "FROM trainings WHERE id = {row}.training_id")],
    # created: active members; the session's end: attendance at sessions delivered.
    "training_attendance": [("created_at", ""), ("end_at", "FROM training_sessions WHERE id = {row}.session_id")],
    "training_sessions": [("end_at", "")],
    "forum_posts": [("created_at", "")],
}
# The member months keep the account's role, sector and stage as they are now.
COPY_MEMBER = ("UPDATE insight_member_months SET role = NEW.role, sector = NEW.sector, stage = NEW.stage "
               "WHERE user_id = NEW.id")
# On SQLite the day rollups are stored in their key's order (WITHOUT ROWID), so a period's days are
# one contiguous read, not an index lookup per row.
CLUSTERED = {"sqlite_with_rowid": False}
PROGRAMME_SUMS = ("sessions", "seats", "attendances", "seated", "ended_enrolled", "ended_completed", "ratings",
                  "rating_sum")
# Changes of a row that move other rows' place in the rollups, with the condition that matters.
UPDATES = {
    # A member's new sector or stage moves their bookings in the by-sector rollup.
    "users": ("sector, stage", ["sector", "stage"],
              [("starts_at", "FROM bookings WHERE user_id = NEW.id AND kind = 'member'")]),
    # A training published, cancelled, its seats or its end changed: its sessions and its end date.
    "trainings": ("status, enrolled_count, ends_at", ["status", "enrolled_count", "ends_at"],
                  [("OLD.ends_at", ""), ("NEW.ends_at", ""),
                   ("end_at", "FROM training_sessions WHERE training_id = NEW.id")]),
}


def upgrade() -> None:
    op.create_table("insight_dirty_days", sa.Column("day", sa.Date(), nullable=False),
                    sa.PrimaryKeyConstraint("day"))
    op.create_table("insight_rollup_state", sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("first_day", sa.Date(), nullable=True), sa.Column("last_day", sa.Date(), nullable=True),
                    sa.PrimaryKeyConstraint("id"))
    op.execute("INSERT INTO insight_rollup_state (id) VALUES (1)")
    op.create_table("insight_space_days", sa.Column("day", sa.Date(), nullable=False),
                    sa.Column("space_id", sa.Integer(), nullable=False),
                    *(sa.Column(name, sa.Integer(), nullable=False) for name in (
                        "seconds", "seat_seconds", "bookings", "checked_in", "no_shows", "final", "final_checked_in",
                        "final_no_shows")),
                    sa.PrimaryKeyConstraint("day", "space_id"), **CLUSTERED)
    op.create_table("insight_hour_days", sa.Column("day", sa.Date(), nullable=False),
                    sa.Column("hour", sa.Integer(), nullable=False), sa.Column("weekday", sa.Integer(), nullable=False),
                    sa.Column("seconds", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("day", "hour"),
                    **CLUSTERED)
    op.create_table("insight_sector_days", sa.Column("day", sa.Date(), nullable=False),
                    sa.Column("sector", sa.String(length=40), nullable=False),
                    sa.Column("stage", sa.String(length=40), nullable=False),
                    sa.Column("bookings", sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint("day", "sector", "stage"), **CLUSTERED)
    op.create_table("insight_member_months", sa.Column("kind", sa.String(length=10), nullable=False),
                    sa.Column("month", sa.Date(), nullable=False),
                    sa.Column("user_id", sa.Integer(), nullable=False), sa.Column("days", sa.Integer(), nullable=False),
                    sa.Column("before_month", sa.Date(), nullable=True),
                    sa.Column("before_days", sa.Integer(), nullable=True),
                    sa.Column("role", sa.String(length=10), nullable=False),
                    sa.Column("sector", sa.String(length=40), nullable=False),
                    sa.Column("stage", sa.String(length=40), nullable=False),
                    sa.PrimaryKeyConstraint("kind", "month", "user_id"))
    op.create_index("ix_insight_member_months_cover", "insight_member_months",
                    ["kind", "month", "role", "days", "before_month", "before_days", "sector", "stage"])
    op.create_table("insight_programme_days", sa.Column("day", sa.Date(), nullable=False),
                    *(sa.Column(name, sa.Integer(), nullable=False) for name in PROGRAMME_SUMS),
                    sa.PrimaryKeyConstraint("day"), **CLUSTERED)
    # The waitlist demand starts from the sessions that start in the period.
    op.create_index("ix_training_sessions_start", "training_sessions", ["start_at", "training_id"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _selects(marks, row: str, utc_date) -> list[str]:
    """One SELECT of the dates (column "day") per mark."""
    selects = []
    for column, source in marks:
        if source:
            selects.append(f"SELECT {utc_date(column)} AS day {source.format(row=row)}")
        else:
            selects.append(f"SELECT {utc_date(column if '.' in column else f'{row}.{column}')} AS day")
    return selects


def _sqlite_triggers() -> None:
    def marks(row: str, entries) -> str:
        return " ".join(f"INSERT OR IGNORE INTO insight_dirty_days (day) SELECT day FROM ({select}) "
                        "WHERE day IS NOT NULL;" for select in _selects(entries, row, lambda x: f"date({x})"))

    for table, entries in MARKED.items():
        op.execute(f"CREATE TRIGGER insight_dirty_{table}_insert AFTER INSERT ON {table} BEGIN "
                   f"{marks('NEW', entries)} END")
        op.execute(f"CREATE TRIGGER insight_dirty_{table}_delete AFTER DELETE ON {table} BEGIN "
                   f"{marks('OLD', entries)} END")
        op.execute(f"CREATE TRIGGER insight_dirty_{table}_update AFTER UPDATE ON {table} BEGIN "
                   f"{marks('OLD', entries)} {marks('NEW', entries)} END")
    op.execute(f"CREATE TRIGGER insight_member_months_users AFTER UPDATE OF role, sector, stage ON users BEGIN "
               f"{COPY_MEMBER}; END")
    op.execute("CREATE TRIGGER insight_member_months_users_delete AFTER DELETE ON users BEGIN "
               "DELETE FROM insight_member_months WHERE user_id = OLD.id; END")
    for table, (columns, compared, entries) in UPDATES.items():
        changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in compared)
        op.execute(f"CREATE TRIGGER insight_dirty_{table}_update AFTER UPDATE OF {columns} ON {table} "
                   f"WHEN {changed} BEGIN {marks('NEW', entries)} END")


def _postgres_triggers() -> None:
    def utc_date(column: str) -> str:
        return f"(({column}) AT TIME ZONE 'UTC')::date"

    def marks(row: str, entries) -> str:
        union = " UNION ".join(_selects(entries, row, utc_date))
        return (f"INSERT INTO insight_dirty_days (day) SELECT DISTINCT day FROM ({union}) AS marked "
                "WHERE day IS NOT NULL ON CONFLICT (day) DO NOTHING;")

    for table, entries in MARKED.items():
        op.execute(f"""
            CREATE FUNCTION insight_dirty_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN {marks('OLD', entries)} END IF;
                IF TG_OP <> 'DELETE' THEN {marks('NEW', entries)} END IF;
                RETURN NULL;
            END $$""")
        op.execute(f"CREATE TRIGGER insight_dirty_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION insight_dirty_{table}()")
    op.execute(f"""
        CREATE FUNCTION insight_member_months_users() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Takes turns with a rollup builder (it locks the dirty days EXCLUSIVE) so that a row it
            -- is adding gets the new values too.
            LOCK TABLE insight_dirty_days IN ROW EXCLUSIVE MODE;
            IF TG_OP = 'DELETE' THEN DELETE FROM insight_member_months WHERE user_id = OLD.id;
            ELSE {COPY_MEMBER};
            END IF;
            RETURN NULL;
        END $$""")
    op.execute("CREATE TRIGGER insight_member_months_users AFTER UPDATE OF role, sector, stage OR DELETE ON users "
               "FOR EACH ROW EXECUTE FUNCTION insight_member_months_users()")
    for table, (columns, compared, entries) in UPDATES.items():
        changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in compared)
        op.execute(f"""
            CREATE FUNCTION insight_dirty_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {marks('NEW', entries)} RETURN NULL; END $$""")
        op.execute(f"CREATE TRIGGER insight_dirty_{table} AFTER UPDATE OF {columns} ON {table} FOR EACH ROW "
                   f"WHEN ({changed}) EXECUTE FUNCTION insight_dirty_{table}()")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS insight_member_months_users ON users")
        op.execute("DROP FUNCTION IF EXISTS insight_member_months_users()")
    else:
        op.execute("DROP TRIGGER IF EXISTS insight_member_months_users")
        op.execute("DROP TRIGGER IF EXISTS insight_member_months_users_delete")
    for table in (*MARKED, *UPDATES):
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS insight_dirty_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS insight_dirty_{table}()")
        else:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS insight_dirty_{table}_{event}")
    op.drop_index("ix_training_sessions_start", table_name="training_sessions")
    op.drop_index("ix_insight_member_months_cover", table_name="insight_member_months")
    for table in ("insight_programme_days", "insight_member_months", "insight_sector_days", "insight_hour_days",
                  "insight_space_days", "insight_rollup_state", "insight_dirty_days"):
        op.drop_table(table)

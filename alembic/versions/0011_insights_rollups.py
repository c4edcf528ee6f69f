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

# table -> the timestamp columns whose UTC dates a change of a row marks (a booking spans at most
# MAX_SPAN = 24 h, so its start and end dates cover every date it touches; created_at feeds the
# active members).
MARKED = {
    "bookings": ("starts_at", "ends_at", "created_at"),
    "enrolments": ("created_at", "enrolled_at"),
    "training_attendance": ("created_at",),
    "forum_posts": ("created_at",),
}
# A member's new sector or stage moves their bookings in the by-sector rollup: the start dates of
# their member bookings are marked.
USER_BOOKING_DATES = "SELECT {date} FROM bookings WHERE user_id = NEW.id AND kind = 'member'"


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
                    sa.PrimaryKeyConstraint("day", "space_id"))
    op.create_table("insight_hour_days", sa.Column("day", sa.Date(), nullable=False),
                    sa.Column("hour", sa.Integer(), nullable=False), sa.Column("weekday", sa.Integer(), nullable=False),
                    sa.Column("seconds", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("day", "hour"))
    op.create_table("insight_sector_days", sa.Column("day", sa.Date(), nullable=False),
                    sa.Column("sector", sa.String(length=40), nullable=False),
                    sa.Column("stage", sa.String(length=40), nullable=False),
                    sa.Column("bookings", sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint("day", "sector", "stage"))
    op.create_table("insight_member_months", sa.Column("month", sa.Date(), nullable=False),
                    sa.Column("user_id", sa.Integer(), nullable=False), sa.Column("days", sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint("month", "user_id"))
    op.create_index("ix_insight_member_months_cover", "insight_member_months", ["month", "user_id", "days"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    def marks(row: str, columns: tuple[str, ...]) -> str:
        return " ".join(f"INSERT OR IGNORE INTO insight_dirty_days (day) SELECT date({row}.{column}) "
                        f"WHERE {row}.{column} IS NOT NULL;" for column in columns)

    for table, columns in MARKED.items():
        op.execute(f"CREATE TRIGGER insight_dirty_{table}_insert AFTER INSERT ON {table} BEGIN "
                   f"{marks('NEW', columns)} END")
        op.execute(f"CREATE TRIGGER insight_dirty_{table}_delete AFTER DELETE ON {table} BEGIN "
                   f"{marks('OLD', columns)} END")
        op.execute(f"CREATE TRIGGER insight_dirty_{table}_update AFTER UPDATE ON {table} BEGIN "
                   f"{marks('OLD', columns)} {marks('NEW', columns)} END")
    op.execute("CREATE TRIGGER insight_dirty_users_update AFTER UPDATE OF sector, stage ON users "
               "WHEN OLD.sector IS NOT NEW.sector OR OLD.stage IS NOT NEW.stage BEGIN "
               "INSERT OR IGNORE INTO insight_dirty_days (day) "
               f"{USER_BOOKING_DATES.format(date='date(starts_at)')}; END")


def _postgres_triggers() -> None:
    def utc_date(row: str, column: str) -> str:
        return f"(({row}.{column} AT TIME ZONE 'UTC')::date)"

    for table, columns in MARKED.items():
        olds = ", ".join(f"({utc_date('OLD', column)})" for column in columns)
        news = ", ".join(f"({utc_date('NEW', column)})" for column in columns)
        op.execute(f"""
            CREATE FUNCTION insight_dirty_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN
                    INSERT INTO insight_dirty_days (day) SELECT DISTINCT day FROM (VALUES {olds}) AS marked (day)
                    WHERE day IS NOT NULL ON CONFLICT (day) DO NOTHING;
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    INSERT INTO insight_dirty_days (day) SELECT DISTINCT day FROM (VALUES {news}) AS marked (day)
                    WHERE day IS NOT NULL ON CONFLICT (day) DO NOTHING;
                END IF;
                RETURN NULL;
            END $$""")
        op.execute(f"CREATE TRIGGER insight_dirty_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION insight_dirty_{table}()")
    op.execute(f"""
        CREATE FUNCTION insight_dirty_users() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO insight_dirty_days (day)
            SELECT DISTINCT day FROM ({USER_BOOKING_DATES.format(date="(starts_at AT TIME ZONE 'UTC')::date AS day")})
            AS marked ON CONFLICT (day) DO NOTHING;
            RETURN NULL;
        END $$""")
    op.execute("CREATE TRIGGER insight_dirty_users AFTER UPDATE OF sector, stage ON users FOR EACH ROW "
               "WHEN (OLD.sector IS DISTINCT FROM NEW.sector OR OLD.stage IS DISTINCT FROM NEW.stage) "
               "EXECUTE FUNCTION insight_dirty_users()")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in (*MARKED, "users"):
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS insight_dirty_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS insight_dirty_{table}()")
        else:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS insight_dirty_{table}_{event}")
    op.drop_index("ix_insight_member_months_cover", table_name="insight_member_months")
    for table in ("insight_member_months", "insight_sector_days", "insight_hour_days", "insight_space_days",
                  "insight_rollup_state", "insight_dirty_days"):
        op.drop_table(table)

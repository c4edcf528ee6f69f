"""certificates: training certificates with a public code; existing completions backfilled

Every enrolment already completed (of a member whose account is not deleted) gets its certificate
here, with the name, titles, dates and hours it would have had if issued at completion, so the
members who finished a training before this revision find it on /trainings/mine like everyone else.

Revision ID: 0013
Revises: 0011
"""

import secrets

import sqlalchemy as sa

from alembic import op
from hub_app.models.base import UTCDateTime

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # domain.certificates.ALPHABET, frozen for this revision
LIVE = sa.text("status = 'valid'")


def upgrade() -> None:
    certificates = op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("training_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title_id", sa.String(length=120), nullable=False),
        sa.Column("title_en", sa.String(length=120), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("replaced_by", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=True),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("show_on_profile", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint("status IN ('valid', 'revoked', 'replaced')", name="ck_certificates_status"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["training_id"], ["trainings.id"]),
        sa.ForeignKeyConstraint(["replaced_by"], ["certificates.id"]),
        sa.ForeignKeyConstraint(["changed_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("uq_certificates_live", "certificates", ["user_id", "training_id"], unique=True,
                    sqlite_where=LIVE, postgresql_where=LIVE)
    op.create_index("ix_certificates_user", "certificates", ["user_id", "issued_at"])
    op.create_index("ix_certificates_training", "certificates", ["training_id"])
    _backfill(certificates)


def _backfill(certificates: sa.Table) -> None:
    connection = op.get_bind()
    sessions = sa.text("""
        SELECT training_id, start_at, end_at FROM training_sessions
        WHERE training_id IN (SELECT training_id FROM enrolments WHERE completed_at IS NOT NULL)
    """).columns(training_id=sa.Integer(), start_at=UTCDateTime(), end_at=UTCDateTime())
    minutes: dict[int, float] = {}
    for training_id, start, end in connection.execute(sessions):
        minutes[training_id] = minutes.get(training_id, 0) + (end - start).total_seconds() / 60
    done = connection.execute(sa.text("""
        SELECT e.user_id, e.training_id, e.completed_at, u.name, t.title_id, t.title_en, t.starts_at, t.ends_at
        FROM enrolments e JOIN users u ON u.id = e.user_id JOIN trainings t ON t.id = e.training_id
        WHERE e.completed_at IS NOT NULL AND u.status <> 'deleted' AND t.starts_at IS NOT NULL
        ORDER BY e.id
    """).columns(user_id=sa.Integer(), training_id=sa.Integer(), completed_at=UTCDateTime(), name=sa.String(),
                 title_id=sa.String(), title_en=sa.String(), starts_at=UTCDateTime(), ends_at=UTCDateTime())).all()
    if done:
        op.bulk_insert(certificates, [
            {"code": "".join(secrets.choice(ALPHABET) for _ in range(20)), "user_id": user_id,
             "training_id": training_id, "name": name[:100], "title_id": title_id, "title_en": title_en,
             "starts_at": starts_at, "ends_at": ends_at or starts_at, "minutes": round(minutes.get(training_id, 0)),
             "issued_at": completed_at, "status": "valid", "reason": "", "show_on_profile": False}
            for user_id, training_id, completed_at, name, title_id, title_en, starts_at, ends_at in done])


def downgrade() -> None:
    op.drop_index("ix_certificates_training", table_name="certificates")
    op.drop_index("ix_certificates_user", table_name="certificates")
    op.drop_index("uq_certificates_live", table_name="certificates")
    op.drop_table("certificates")

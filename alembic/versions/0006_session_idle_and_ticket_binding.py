"""sessions: last seen (idle timeout); sign-in tickets bound to the tab that asked for them

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import hub_app.models.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", hub_app.models.base.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE user_sessions SET last_seen_at = created_at")
    with op.batch_alter_table("one_time_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("binding_hash", sa.String(length=64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("one_time_tokens", schema=None) as batch_op:
        batch_op.drop_column("binding_hash")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")

"""sign-in records: indexes for their retention

services/record_retention.py deletes sign-in attempts, ended sessions and expired one-time links
past settings.sign_in_record_retention_days; these indexes make each round an index range read,
whatever the size of the tables.

Revision ID: 0016
Revises: 0007 (0001 made the tables)
"""

from alembic import op

revision = "0016"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_attempts_attempted_at", ["attempted_at"], unique=False)
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_user_sessions_expires_at", ["expires_at"], unique=False)
        batch_op.create_index("ix_user_sessions_revoked_at", ["revoked_at"], unique=False)
    with op.batch_alter_table("one_time_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_one_time_tokens_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("one_time_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_one_time_tokens_expires_at")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_user_sessions_revoked_at")
        batch_op.drop_index("ix_user_sessions_expires_at")
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_attempts_attempted_at")

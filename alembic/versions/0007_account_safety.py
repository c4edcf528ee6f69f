"""account mails: what the per-address and per-client mail limits count

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
import sqlmodel

import hub_app.models.base
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("recipient_hash", sa.String(length=64), nullable=False),
        sa.Column("client_address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", hub_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("account_mails", schema=None) as batch_op:
        batch_op.create_index("ix_account_mails_recipient_at", ["recipient_hash", "created_at"], unique=False)
        batch_op.create_index("ix_account_mails_client_at", ["client_address", "created_at"], unique=False)
        batch_op.create_index("ix_account_mails_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("account_mails", schema=None) as batch_op:
        batch_op.drop_index("ix_account_mails_created_at")
        batch_op.drop_index("ix_account_mails_client_at")
        batch_op.drop_index("ix_account_mails_recipient_at")
    op.drop_table("account_mails")

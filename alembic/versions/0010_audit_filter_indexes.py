"""audit log filters: indexes for staff member, target and action

/admin/audit filters entries by who acted (actor_id), what they acted on (target_type, target_id;
also the member record's audit entries) and the action, newest first (id). Each index ends in id
so that a filtered page is an index range read in keyset order, at any size of the log.

Revision ID: 0010
Revises: 0008 (0001 made the audit_entries table)
"""

from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entries_actor_id", ["actor_id", "id"], unique=False)
        batch_op.create_index("ix_audit_entries_target_id", ["target_type", "target_id", "id"], unique=False)
        batch_op.create_index("ix_audit_entries_action_id", ["action", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_action_id")
        batch_op.drop_index("ix_audit_entries_target_id")
        batch_op.drop_index("ix_audit_entries_actor_id")

"""terms agreement and languages: a space's location in English

The terms agreement itself needs no new column: users.consent_version (with consent_at) holds the
version a member agreed to, settings.terms_version the current one, and each agreement is in the
audit log. What issue 9's language part adds to the schema is the English location of a space
(spaces.location stays the Indonesian one), so English pages do not show "Lantai 23, sisi barat".

Revision ID: 0008
Revises: 0006 (and needs 0002, which made the spaces table)
"""

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = "0002"  # the spaces table (0006's line of revisions does not include it)


def upgrade() -> None:
    with op.batch_alter_table("spaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location_en", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False,
                                      server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("spaces", schema=None) as batch_op:
        batch_op.drop_column("location_en")

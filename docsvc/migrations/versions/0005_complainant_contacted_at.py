"""complaints: when the complainant was contacted, so the contact-the-complainant clock can be met

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 05:04:34.563698
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("complainant_contacted_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("complainant_contacted_at")

"""service by hand: who received a notice served in person, where, and who served it

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_records") as batch:
        batch.add_column(sa.Column("served_to", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("served_where", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("served_by", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("service_records") as batch:
        for column in ("served_by", "served_where", "served_to"):
            batch.drop_column(column)

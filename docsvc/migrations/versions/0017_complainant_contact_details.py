"""complainant contact details: how the complainant was contacted, by whom, a note

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(
            sa.Column("complainant_contact_method", sa.String(length=20), nullable=True)
        )
        batch.add_column(
            sa.Column("complainant_contacted_by", sa.String(length=200), nullable=True)
        )
        batch.add_column(sa.Column("complainant_contact_note", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("complainant_contact_recorded_by_id", sa.Integer(), nullable=True)
        )
        batch.create_foreign_key(
            op.f("fk_complaints_complainant_contact_recorded_by_id_users"),
            "users",
            ["complainant_contact_recorded_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.drop_constraint(
            op.f("fk_complaints_complainant_contact_recorded_by_id_users"), type_="foreignkey"
        )
        batch.drop_column("complainant_contact_recorded_by_id")
        batch.drop_column("complainant_contact_note")
        batch.drop_column("complainant_contacted_by")
        batch.drop_column("complainant_contact_method")

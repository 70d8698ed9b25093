"""disclosure rulings: the decision a profile's pre-withholding step asks for, as recorded

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("disclosure_requests") as batch:
        batch.add_column(sa.Column("ruling_issued_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ruling_reference", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("ruling_outcome", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("ruling_letter_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("ruling_recorded_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("ruling_recorded_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            op.f("fk_disclosure_requests_ruling_letter_sha256_blobs"),
            "blobs",
            ["ruling_letter_sha256"],
            ["sha256"],
        )
        batch.create_foreign_key(
            op.f("fk_disclosure_requests_ruling_recorded_by_id_users"),
            "users",
            ["ruling_recorded_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("disclosure_requests") as batch:
        batch.drop_constraint(
            op.f("fk_disclosure_requests_ruling_recorded_by_id_users"), type_="foreignkey"
        )
        batch.drop_constraint(
            op.f("fk_disclosure_requests_ruling_letter_sha256_blobs"), type_="foreignkey"
        )
        for column in (
            "ruling_recorded_at",
            "ruling_recorded_by_id",
            "ruling_letter_sha256",
            "ruling_outcome",
            "ruling_reference",
            "ruling_issued_at",
        ):
            batch.drop_column(column)

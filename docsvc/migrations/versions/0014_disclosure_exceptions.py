"""disclosure exceptions: identifiers public in the record, decided by a clerk

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disclosure_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_disclosure_exceptions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_disclosure_exceptions_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["disclosure_requests.id"],
            name=op.f("fk_disclosure_exceptions_request_id_disclosure_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_exceptions")),
        sa.UniqueConstraint(
            "request_id", "case_id", "kind", name=op.f("uq_disclosure_exceptions_request_id")
        ),
    )
    op.create_index(
        op.f("ix_disclosure_exceptions_request_id"),
        "disclosure_exceptions",
        ["request_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_disclosure_exceptions_request_id"), table_name="disclosure_exceptions")
    op.drop_table("disclosure_exceptions")

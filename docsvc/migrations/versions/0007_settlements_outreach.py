"""settlements, outreach, citation outcomes, aggravating: settlement terms, outreach activities, a citation's outcome date and fine imposed, a case's aggravating circumstances (they raise its priority) and follow-up after closure

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 06:07:33.225507
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outreach_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(length=200), nullable=True),
        sa.Column("attendees", sa.Integer(), nullable=True),
        sa.Column("business_name", sa.String(length=300), nullable=True),
        sa.Column("license_status", sa.String(length=20), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_outreach_activities_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_outreach_activities_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outreach_activities")),
    )
    with op.batch_alter_table("outreach_activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outreach_activities_jurisdiction_code"),
            ["jurisdiction_code"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_outreach_activities_occurred_on"), ["occurred_on"], unique=False
        )

    op.create_table(
        "settlements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=False),
        sa.Column("penalties_at_entry", sa.BigInteger(), nullable=False),
        sa.Column("pay_amount", sa.BigInteger(), nullable=False),
        sa.Column("pay_by", sa.Date(), nullable=True),
        sa.Column("deferred_amount", sa.BigInteger(), nullable=False),
        sa.Column("deferred_until", sa.Date(), nullable=True),
        sa.Column("cancel_amount", sa.BigInteger(), nullable=False),
        sa.Column("compliance_through", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("breached_on", sa.Date(), nullable=True),
        sa.Column("cancellation_entry_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cancellation_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_settlements_cancellation_entry_id_ledger_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_settlements_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_settlements_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_settlements_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlements")),
    )
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_settlements_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_settlements_entered_on"), ["entered_on"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "aggravating",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default=sa.text("'[]'"),
            )
        )
        batch_op.add_column(
            sa.Column(
                "follow_up_after_closure", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )

    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("fine_imposed", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.drop_column("fine_imposed")
        batch_op.drop_column("outcome_on")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("follow_up_after_closure")
        batch_op.drop_column("aggravating")

    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlements_entered_on"))
        batch_op.drop_index(batch_op.f("ix_settlements_case_id"))

    op.drop_table("settlements")
    with op.batch_alter_table("outreach_activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outreach_activities_occurred_on"))
        batch_op.drop_index(batch_op.f("ix_outreach_activities_jurisdiction_code"))

    op.drop_table("outreach_activities")

"""legal holds and disposition: holds that stop destruction, and disposition runs with the items each proposed or destroyed under the retention schedule

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 12:01:00.623642
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disposition_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("destroyed", sa.Integer(), nullable=False),
        sa.Column("certificate_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["certificate_sha256"],
            ["blobs.sha256"],
            name=op.f("fk_disposition_runs_certificate_sha256_blobs"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name=op.f("fk_disposition_runs_started_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposition_runs")),
    )
    op.create_table(
        "holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["placed_by_id"], ["users.id"], name=op.f("fk_holds_placed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["released_by_id"], ["users.id"], name=op.f("fk_holds_released_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    op.create_table(
        "disposition_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=64), nullable=False),
        sa.Column("series_code", sa.String(length=40), nullable=False),
        sa.Column("trigger_on", sa.Date(), nullable=False),
        sa.Column("eligible_on", sa.Date(), nullable=False),
        sa.Column(
            "authority",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "required_roles",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "approvals",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "stub",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "files_pending",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["disposition_runs.id"],
            name=op.f("fk_disposition_items_run_id_disposition_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposition_items")),
    )
    with op.batch_alter_table("disposition_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disposition_items_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_disposition_items_status", ["status"], unique=False)

    op.create_table(
        "hold_scopes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hold_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hold_id"], ["holds.id"], name=op.f("fk_hold_scopes_hold_id_holds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hold_scopes")),
    )
    with op.batch_alter_table("hold_scopes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hold_scopes_hold_id"), ["hold_id"], unique=False)
        batch_op.create_index("ix_hold_scopes_kind_ref", ["kind", "ref_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hold_scopes", schema=None) as batch_op:
        batch_op.drop_index("ix_hold_scopes_kind_ref")
        batch_op.drop_index(batch_op.f("ix_hold_scopes_hold_id"))

    op.drop_table("hold_scopes")
    with op.batch_alter_table("disposition_items", schema=None) as batch_op:
        batch_op.drop_index("ix_disposition_items_status")
        batch_op.drop_index(batch_op.f("ix_disposition_items_case_id"))

    op.drop_table("disposition_items")
    op.drop_table("holds")
    op.drop_table("disposition_runs")

"""court bundles: a case's bundle for court, with Bates numbering and certification, split into volumes of a maximum size

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22 14:17:25.426647
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bundles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("redacted", sa.Boolean(), nullable=False),
        sa.Column("bates_prefix", sa.String(length=40), nullable=False),
        sa.Column("bates_start", sa.Integer(), nullable=False),
        sa.Column("max_volume_bytes", sa.BigInteger(), nullable=False),
        sa.Column("court", sa.String(length=10), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=True),
        sa.Column(
            "contents",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("certification_sha256", sa.String(length=64), nullable=True),
        sa.Column("certified_by_id", sa.Integer(), nullable=True),
        sa.Column("certified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_bundles_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["certification_sha256"],
            ["blobs.sha256"],
            name=op.f("fk_bundles_certification_sha256_blobs"),
        ),
        sa.ForeignKeyConstraint(
            ["certified_by_id"], ["users.id"], name=op.f("fk_bundles_certified_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["manifest_sha256"], ["blobs.sha256"], name=op.f("fk_bundles_manifest_sha256_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_bundles_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundles")),
    )
    with op.batch_alter_table("bundles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bundles_case_id"), ["case_id"], unique=False)

    op.create_table(
        "bundle_volumes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bundle_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("first_bates", sa.String(length=60), nullable=False),
        sa.Column("last_bates", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["bundle_id"], ["bundles.id"], name=op.f("fk_bundle_volumes_bundle_id_bundles")
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blobs.sha256"], name=op.f("fk_bundle_volumes_sha256_blobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundle_volumes")),
    )
    with op.batch_alter_table("bundle_volumes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bundle_volumes_bundle_id"), ["bundle_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("bundle_volumes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bundle_volumes_bundle_id"))

    op.drop_table("bundle_volumes")
    with op.batch_alter_table("bundles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bundles_case_id"))

    op.drop_table("bundles")

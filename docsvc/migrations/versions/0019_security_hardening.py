"""security hardening: revocable release links, a session version per user, login throttling,
the audit key that authenticates each chain entry, and the jurisdictions a hold was placed in

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("releases") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("revoke_reason", sa.String(length=300), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_releases_revoked_by_id_users"), "users", ["revoked_by_id"], ["id"]
        )
    with op.batch_alter_table("users") as batch:
        # Raised on logout, password change and disable: every older session stops working.
        batch.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "login_throttles",
        # "user:<hmac of the name>" or "address:<hmac of the address>": one row per key.
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )
    with op.batch_alter_table("audit_events") as batch:
        # Which key authenticated the entry's hash; none on entries written before keys.
        batch.add_column(sa.Column("key_id", sa.String(length=40), nullable=True))
    with op.batch_alter_table("holds") as batch:
        # A hold on a person reaches the cases of the jurisdictions its placer worked in then.
        batch.add_column(
            sa.Column(
                "jurisdictions",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
    op.execute(
        "UPDATE holds SET jurisdictions = "
        "(SELECT users.jurisdictions FROM users WHERE users.id = holds.placed_by_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("holds") as batch:
        batch.drop_column("jurisdictions")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("key_id")
    op.drop_table("login_throttles")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
    with op.batch_alter_table("releases") as batch:
        batch.drop_constraint(batch.f("fk_releases_revoked_by_id_users"), type_="foreignkey")
        for column in ("revoke_reason", "revoked_by_id", "revoked_at", "expires_at"):
            batch.drop_column(column)

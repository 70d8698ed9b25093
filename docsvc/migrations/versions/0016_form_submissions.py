"""form submissions: each page form's one-time token, written with what the form did

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_submissions",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result_url", sa.Text(), nullable=True),
        sa.Column("done", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_form_submissions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_form_submissions")),
    )
    with op.batch_alter_table("form_submissions") as batch:
        batch.create_index(batch.f("ix_form_submissions_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("form_submissions") as batch:
        batch.drop_index(batch.f("ix_form_submissions_created_at"))
    op.drop_table("form_submissions")

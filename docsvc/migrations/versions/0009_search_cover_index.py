"""search: covering index for SQLite's filter-and-group join

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 07:40:00
"""

from alembic import op

from docsvc.search import schema

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema.create_cover(op)


def downgrade() -> None:
    schema.drop_cover(op)

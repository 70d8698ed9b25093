"""search: a covering index for SQLite's filter-and-group join, so a search reads the index instead of the rows (SQLite only)

The DDL is written out here, as it was at this revision, rather than imported from
docsvc.search, so that later changes to the live code cannot rewrite this step of history.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 07:40:00
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# SQLite: the columns a search filters and groups by, in an index it can read instead of the
# table's rows (which carry the whole text): the join from each match costs half as much.
SQLITE_COVER = (
    "CREATE INDEX ix_search_entries_cover ON search_entries "
    "(id, case_id, restricted, jurisdiction_code, doc_type, occurred_on)"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_COVER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX ix_search_entries_cover")

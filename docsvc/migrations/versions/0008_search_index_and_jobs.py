"""search index and jobs: the background-job queue, and the search rows with each engine's full-text index over them

The engine-specific DDL is written out here, as it was at this revision, rather than imported
from docsvc.search, so that later changes to the live code cannot rewrite this step of history.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 06:30:15.509205
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# SQLite: an external-content FTS5 table kept in step by triggers, in the writer's transaction.
# porter stemming over unicode61 with diacritics removed (Nguyễn = Nguyen).
SQLITE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, content='search_entries', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER search_entries_au",
    "DROP TRIGGER search_entries_ad",
    "DROP TRIGGER search_entries_ai",
    "DROP TABLE search_fts",
]

# PostgreSQL: a stored tsvector (title weighted above body) with a GIN index. unaccent is not
# IMMUTABLE, so a generated column goes through a wrapper that pins its dictionary.
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """CREATE OR REPLACE FUNCTION docsvc_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
    """ALTER TABLE search_entries ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', docsvc_unaccent(title)), 'A') ||
        setweight(to_tsvector('english', docsvc_unaccent(body)), 'B')) STORED""",
    "CREATE INDEX ix_search_entries_tsv ON search_entries USING gin (tsv)",
]
POSTGRES_DOWN = [
    "DROP INDEX ix_search_entries_tsv",
    "ALTER TABLE search_entries DROP COLUMN tsv",
    "DROP FUNCTION docsvc_unaccent(text)",
]


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_status_id", ["status", "id"], unique=False)

    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=10), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=60), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("doc_type", sa.String(length=40), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_search_entries_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entries")),
        sa.UniqueConstraint("kind", "ref_id", "part", name=op.f("uq_search_entries_kind")),
    )
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_entries_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_search_entries_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for sql in SQLITE if sqlite else POSTGRES:
        op.execute(sql)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for sql in SQLITE_DOWN if sqlite else POSTGRES_DOWN:
        op.execute(sql)
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_entries_jurisdiction_code"))
        batch_op.drop_index(batch_op.f("ix_search_entries_case_id"))

    op.drop_table("search_entries")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_id")

    op.drop_table("jobs")

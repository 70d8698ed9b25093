"""The engine-specific index over search_entries, created by migration and kept out of the
model comparison."""

from __future__ import annotations

from typing import Any

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


def create(op: Any) -> None:
    dialect = op.get_bind().dialect.name
    for sql in SQLITE if dialect == "sqlite" else POSTGRES:
        op.execute(sql)


def drop(op: Any) -> None:
    dialect = op.get_bind().dialect.name
    for sql in SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN:
        op.execute(sql)


# SQLite: the columns a search filters and groups by, in an index it can read instead of the
# table's rows (which carry the whole text): the join from each match costs half as much.
SQLITE_COVER = (
    "CREATE INDEX ix_search_entries_cover ON search_entries "
    "(id, case_id, restricted, jurisdiction_code, doc_type, occurred_on)"
)


def create_cover(op: Any) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_COVER)


def drop_cover(op: Any) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX ix_search_entries_cover")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave the engine's own index objects out of the models-versus-migrations comparison."""
    if type_ == "table" and name and name.startswith("search_fts"):
        return False
    if type_ == "column" and name == "tsv" and getattr(obj, "table", None) is not None:
        return obj.table.name != "search_entries"
    return not (type_ == "index" and name in ("ix_search_entries_tsv", "ix_search_entries_cover"))

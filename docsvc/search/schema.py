"""The engine-specific index over search_entries (SQLite's FTS5 table and triggers, PostgreSQL's
tsvector column and GIN index), kept out of the model comparison. Its DDL lives in the
migrations that created it (0008, 0009), as each was at its revision."""

from __future__ import annotations

from typing import Any


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave the engine's own index objects out of the models-versus-migrations comparison."""
    if type_ == "table" and name and name.startswith("search_fts"):
        return False
    if type_ == "column" and name == "tsv" and getattr(obj, "table", None) is not None:
        return obj.table.name != "search_entries"
    return not (type_ == "index" and name in ("ix_search_entries_tsv", "ix_search_entries_cover"))

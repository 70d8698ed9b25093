"""Each document type's fields, validated by a schema built from the catalogue's data."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from marshmallow import Schema, fields

from docsvc.profiles.catalog import catalog
from docsvc.validation import Input, Instant, Text

_TYPES: dict[str, Callable[[], fields.Field[Any]]] = {
    "text": lambda: Text(max_length=20000),
    "date": lambda: fields.Date(),
    "datetime": lambda: Instant(),
    "decimal": lambda: fields.Decimal(as_string=True, places=2, allow_nan=False),
    "integer": lambda: fields.Integer(),
    "boolean": lambda: fields.Boolean(),
}


@cache
def field_schema(doc_type: str) -> Schema:
    spec = {f["name"]: _TYPES[f["type"]]() for f in catalog()[doc_type]["fields"]}
    # Required fields are reported with the other missing elements, at issue, not here:
    # a draft may be saved half-filled.
    # Input refuses a field the type does not have (a misspelt one is an error, not dropped).
    strict: type[Schema] = type(f"{doc_type}_fields", (Input,), dict(spec))
    return strict()


def jsonable(loaded: dict[str, Any]) -> dict[str, Any]:
    """Dates and decimals as strings, exactly as the frozen context keeps them."""
    return {
        k: (
            v.isoformat()
            if hasattr(v, "isoformat")
            else str(v)
            if not isinstance(v, (bool, int, str))
            else v
        )
        for k, v in loaded.items()
        if v is not None
    }

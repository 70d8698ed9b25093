"""Browser forms -> the same dicts the API takes, validated by the same schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict

from docsvc.validation import flatten_errors


def local_to_iso(value: str, zone: ZoneInfo) -> str:
    """A datetime-local field ('2026-11-22T09:30') read in the jurisdiction's zone."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=zone).isoformat()
    except ValueError:
        return value  # let the schema say what is wrong with it


def pick(form: MultiDict, *names: str) -> dict[str, Any]:
    """Non-empty form values only: an empty optional field is 'not given'."""
    return {n: form.get(n, "").strip() for n in names if form.get(n, "").strip()}


def load(schema: Schema, data: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    try:
        return schema.load(data), []
    except ValidationError as exc:
        return None, flatten_errors(exc.messages, root="form")

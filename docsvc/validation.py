"""Validation shared by every capability: field types for input schemas, and messages as
sentences a person can act on."""

from __future__ import annotations

import unicodedata
from typing import Any

from marshmallow import Schema, ValidationError, fields


def flatten_errors(messages: Any, prefix: str = "", root: str = "profile") -> list[str]:
    """marshmallow's nested error dict as 'path.to.field: message' lines."""
    out: list[str] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            out.extend(flatten_errors(value, name, root))
    elif isinstance(messages, list):
        for value in messages:
            out.extend(flatten_errors(value, prefix, root))
    else:
        out.append(f"{prefix or root}: {messages}")
    return out


class Text(fields.String):
    """A string trimmed of surrounding space, NFC-normalised, free of control characters."""

    def __init__(
        self, *, max_length: int = 20000, allow_empty: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length
        self.allow_empty = allow_empty

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = unicodedata.normalize(
            "NFC", super()._deserialize(value, attr, data, **kwargs)
        ).strip()
        if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t\r" for ch in text):
            raise ValidationError("contains control characters; remove them.")
        if not text and not self.allow_empty:
            raise ValidationError("must not be empty.")
        if len(text) > self.max_length:
            raise ValidationError(f"is longer than {self.max_length} characters.")
        return text


Instant = fields.AwareDateTime  # docs/API.md: ISO 8601 with an offset; a bare local time is refused


class Input(Schema):
    """Input that refuses a field it does not know."""

    class Meta:
        unknown = "raise"  # a misspelt field is an error, not silently dropped

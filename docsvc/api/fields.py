"""Field types shared by the API schemas."""

from __future__ import annotations

import unicodedata
from typing import Any

from marshmallow import ValidationError, fields


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


Instant = fields.AwareDateTime  # API.md: ISO 8601 with an offset; a bare local time is refused

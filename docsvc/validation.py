"""Validation shared by every capability: field types for input schemas, and messages as
sentences a person can act on."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate


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


# Control characters (Unicode category Cc) other than tab, line feed and carriage return.
_CONTROL = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
_ANY_TEXT = f"^[^{_CONTROL}]*$"
_SOME_TEXT = f"^[^{_CONTROL}]*[^\\s{_CONTROL}][^{_CONTROL}]*$"  # something besides spaces


def _validators(given: Any) -> list[Any]:
    if given is None:
        return []
    return list(given) if isinstance(given, list | tuple) else [given]


class Text(fields.String):
    """A string trimmed of surrounding space, NFC-normalised, free of control characters."""

    def __init__(
        self,
        *,
        max_length: int = 20000,
        allow_empty: bool = False,
        too_long: str = "is longer than {max} characters.",
        **kwargs: Any,
    ) -> None:
        """`too_long`: the message for a longer text, with {length} and {max}."""
        # The document states what _deserialize enforces, so a client (or a fuzzer) reading it
        # sends what is accepted. A field with its own Regexp (a telephone number) keeps that
        # pattern: it already leaves out control characters and blanks.
        published: dict[str, Any] = {"maxLength": max_length}
        if not any(isinstance(v, validate.Regexp) for v in _validators(kwargs.get("validate"))):
            published["pattern"] = _ANY_TEXT if allow_empty else _SOME_TEXT
        if not allow_empty:
            published["minLength"] = 1
        metadata = {**published, **kwargs.pop("metadata", {})}
        super().__init__(**kwargs, metadata=metadata)
        self.max_length = max_length
        self.allow_empty = allow_empty
        self.too_long = too_long

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = unicodedata.normalize(
            "NFC", super()._deserialize(value, attr, data, **kwargs)
        ).strip()
        if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t\r" for ch in text):
            raise ValidationError("contains control characters; remove them.")
        if not text and not self.allow_empty:
            raise ValidationError("must not be empty.")
        if len(text) > self.max_length:
            raise ValidationError(self.too_long.format(length=len(text), max=self.max_length))
        return text


FIRST_YEAR, LAST_YEAR = 1900, 2100


class Instant(fields.AwareDateTime):
    """A moment: ISO 8601 with an offset (docs/API.md; a bare local time is refused), between
    the years 1900 and 2100. Earlier years are typing mistakes, and in them the time zone
    database gives local mean time, offsets in seconds (-07:52:58) that RFC 3339 cannot write.
    Written out as RFC 3339: an offset in whole minutes, or UTC where it has seconds."""

    def __init__(self, **kwargs: Any) -> None:
        about = f"RFC 3339 with an offset, between {FIRST_YEAR} and {LAST_YEAR}."
        metadata = {"description": about, **kwargs.pop("metadata", {})}
        super().__init__(**kwargs, metadata=metadata)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise ValidationError(
                f"must be a time between {FIRST_YEAR} and {LAST_YEAR}; check the year."
            )
        return moment

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(rfc3339(value), attr, obj, **kwargs)


def rfc3339(moment: datetime | None) -> datetime | None:
    """The moment with an offset RFC 3339 can write: whole minutes, else UTC."""
    offset = moment.utcoffset() if moment is not None else None
    if moment is not None and offset is not None and offset % timedelta(minutes=1):
        return moment.astimezone(UTC)
    return moment


CENT = Decimal("0.01")


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class Money(fields.Decimal):
    """Dollars and cents between `minimum` and `maximum`: a JSON number or a decimal string
    ("250.00"), rounded to the cent; answered as a string. The bounds hold for the amount as
    sent, before rounding, so the document's numeric bounds are exactly the ones enforced
    (apispec would publish a Range's bounds through the field, as strings, which no OpenAPI
    tool can read)."""

    def __init__(
        self, *, minimum: Decimal | int = 0, maximum: Decimal | int = 10_000_000, **kwargs: Any
    ) -> None:
        self.minimum, self.maximum = Decimal(minimum), Decimal(maximum)
        published = {
            "type": "number",
            "minimum": _number(self.minimum),
            "maximum": _number(self.maximum),
            "description": "Dollars and cents, rounded to the cent; a decimal string such as "
            '"250.00" is accepted too.',
        }
        metadata = {**published, **kwargs.pop("metadata", {})}
        super().__init__(places=2, as_string=True, allow_nan=False, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValidationError("Not a valid amount; write it as 250.00.")
        try:
            exact = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError("Not a valid amount; write it as 250.00.") from None
        if not exact.is_finite():
            raise ValidationError("Not a valid amount; write it as 250.00.")
        if not self.minimum <= exact <= self.maximum:
            raise ValidationError(f"must be between {self.minimum:,} and {self.maximum:,}.")
        return exact.quantize(CENT)


# Every id is an INTEGER column, 32 bits on PostgreSQL: a larger number is no row's, and sent
# to the database it is an overflow (a 500), not an answer.
ID_MAX = 2**31 - 1


class Id(fields.Integer):
    """A row's id in a body or a query: a whole number from 1 to ID_MAX."""

    def __init__(self, **kwargs: Any) -> None:
        bound = validate.Range(min=1, max=ID_MAX, error="must be an id from {min} to {max}.")
        extra = kwargs.pop("validate", None)
        more = [extra] if callable(extra) else list(extra or [])
        super().__init__(validate=[bound, *more], **kwargs)


class Input(Schema):
    """Input that refuses a field it does not know."""

    class Meta:
        unknown = "raise"  # a misspelt field is an error, not silently dropped

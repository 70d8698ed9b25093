"""Validation messages as sentences a person can act on."""

from __future__ import annotations

from typing import Any


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

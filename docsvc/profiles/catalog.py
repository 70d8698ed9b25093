"""The document-type catalogue (records/document-types.yaml) joined with a profile's titles."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from docsvc.profiles.loader import records_dir
from docsvc.profiles.model import Profile
from docsvc.profiles.schema import ALL_DOCUMENT_TYPES


@cache
def catalog() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((records_dir() / "document-types.yaml").read_text(encoding="utf-8"))
    missing = [t for t in ALL_DOCUMENT_TYPES if t not in data]
    if missing:
        raise RuntimeError(f"document-types.yaml lacks {', '.join(missing)}")
    return data


def document_types_for(profile: Profile) -> list[dict[str, Any]]:
    out = []
    for type_code in ALL_DOCUMENT_TYPES:
        if type_code not in profile.document_types:
            continue  # an optional type the jurisdiction does not use
        base = catalog()[type_code]
        local = profile.document_types[type_code]
        out.append(
            {
                "type": type_code,
                "title": local["title"],
                "service_methods": local["service_methods"],
                "citation": local.get("citation"),
                "recipient": base["recipient"],
                "fields": base["fields"],
                "elements": list(base["elements"]),
                # Made from a record (a granted extension, a citation), not from the form alone.
                "made_from": base.get("made_from"),
            }
        )
    return out

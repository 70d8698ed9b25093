"""Required elements, checked against the data a document is filled from (DESIGN §2).

Each element in records/document-types.yaml names its source; a document missing any is
refused with `missing_elements` naming each, before anything is rendered or stored.
"""

from __future__ import annotations

from typing import Any

from docsvc.labels import words
from docsvc.profiles.catalog import catalog


def label(doc_type: str, name: str) -> str:
    """What a person reads for an element or field of `doc_type`: its label in the catalogue
    ('Corrective action'), never its key."""
    entry = catalog()[doc_type]
    for f in entry["fields"]:
        if f["name"] == name and f.get("label"):
            return str(f["label"])
    return str((entry.get("labels") or {}).get(name) or words(name))


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def missing(doc_type: str, context: dict[str, Any], wording_elements: set[str]) -> list[str]:
    entry = catalog()[doc_type]
    violations = context["violations"]
    fields = context["fields"]
    checks = {
        "violations": lambda _n: (
            bool(violations) and all(_filled(v["description"]) for v in violations)
        ),
        "citation": lambda _n: bool(violations) and all(_filled(v["citation"]) for v in violations),
        "code_text": lambda _n: (
            bool(violations) and all(_filled(v["code_text"]) for v in violations)
        ),
        "photos": lambda _n: bool(context["photos"]),
        "deadline": lambda _n: bool(violations) and _filled(context["deadline"]["unit"]),
        "officer": lambda _n: _filled(context["officer"]["name"]),
        "badge": lambda _n: _filled(context["officer"]["badge"]),
        "property": lambda _n: _filled(context["property"]["address"]),
        "field": lambda n: _filled(fields.get(n)),
        "wording": lambda n: n in wording_elements,
        "case": lambda _n: _filled(context["case"]["number"]),
        "record": lambda n: _filled((context.get("record") or {}).get(n)),
    }
    out = [name for name, source in entry["elements"].items() if not checks[source](name)]
    for f in entry["fields"]:
        if f["required"] and not _filled(fields.get(f["name"])) and f["name"] not in out:
            out.append(f["name"])
    if doc_type == "stop_work_order" and fields.get("involves_structure"):
        # Tom Bean X.A.1.b: the building inspector is notified when a structure is involved.
        for name in ("building_inspector", "building_inspector_notified_at"):
            if not _filled(fields.get(name)):
                out.append(name)
    return out

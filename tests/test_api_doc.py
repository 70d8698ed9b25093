"""docs/API.md names exactly the HTTP endpoints the server has: none missing, none invented."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "API.md"
METHOD = r"(?:GET|POST|PUT|PATCH|DELETE)"
# `GET /api/x`, and `GET`/`POST /api/x` for two methods on one path.
NAMED = re.compile(rf"`({METHOD}(?:`/`{METHOD})*) (/[^`\s?]*)")
PARAM = re.compile(r"\{[^}]*\}|<[^>]*>")


def _documented() -> set[tuple[str, str]]:
    named = set()
    for methods, path in NAMED.findall(DOC.read_text()):
        for method in methods.split("`/`"):
            named.add((method, PARAM.sub("{}", path)))
    return named


def _served(app) -> set[tuple[str, str]]:
    served = set()
    for rule in app.url_map.iter_rules():
        path = rule.rule
        if not (path.startswith(("/api/", "/public/")) or path in ("/healthz", "/readyz")):
            continue  # the browser pages are not part of the contract
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((method, PARAM.sub("{}", path)))
    return served


def test_the_reference_names_every_endpoint_the_server_has(app) -> None:
    missing = _served(app) - _documented()
    assert not missing, f"served but not in docs/API.md: {sorted(missing)}"


def test_the_reference_names_no_endpoint_the_server_lacks(app) -> None:
    invented = _documented() - _served(app)
    assert not invented, f"in docs/API.md but not served: {sorted(invented)}"


def test_the_docstrings_cite_the_reference_in_the_repository() -> None:
    root = DOC.parents[1]
    stale = [
        str(p.relative_to(root))
        for folder in ("docsvc", "tests")
        for p in (root / folder).rglob("*.py")
        if p != Path(__file__).resolve() and re.search(r"(?<!docs/)\bAPI\.md\b", p.read_text())
    ]
    assert not stale, f"cite docs/API.md, not API.md: {stale}"

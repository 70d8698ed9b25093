"""Deque's axe-core in a Playwright (sync) page: the accessibility rules the browser tests assert.

The engine is the axe.min.js shipped inside the pinned ``axe-playwright-python`` package
(axe-core 4.12.1), read with importlib.resources so no network is needed. It is run with
``page.evaluate``, which Playwright sends over the DevTools protocol: it works under the pages'
strict Content-Security-Policy, so the browser context never needs ``bypass_csp``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

# WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus Deque's best practices (landmark-unique,
# region, heading-order, ...): what the service promises (issue 21).
TAGS: tuple[str, ...] = (
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22a",
    "wcag22aa",
    "best-practice",
)

IMPACTS: tuple[str, ...] = ("moderate", "serious", "critical")
ALL_IMPACTS: tuple[str, ...] = ("critical", "serious", "moderate", "minor")

# How many offending elements a failure message names per rule: enough to find them, short
# enough to read.
TARGETS_SHOWN = 3


@cache
def axe_source() -> str:
    """The axe-core engine's source, as shipped in the pinned package."""
    return (
        resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
    )


def axe_version() -> str:
    """The engine's version, from its banner (e.g. '4.12.1')."""
    first = axe_source().split("\n", 1)[0]  # "/*! axe v4.12.1"
    return first.rsplit("v", 1)[-1].strip()


def run(page: Any, *, tags: tuple[str, ...] = TAGS, context: Any = None) -> dict:
    """axe.run on the page's current document; returns axe's raw results (violations only)."""
    # Injected once per document: a navigation gives a fresh window without `axe`.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    options = {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]}
    return page.evaluate(
        "([context, options]) => window.axe.run(context || document, options)",
        [context, options],
    )


def violations(
    page: Any,
    *,
    impacts: tuple[str, ...] = IMPACTS,
    tags: tuple[str, ...] = TAGS,
    context: Any = None,
) -> list[dict]:
    """The page's axe violations whose impact is one of `impacts` (each as axe reports it)."""
    found = run(page, tags=tags, context=context)["violations"]
    return [v for v in found if v.get("impact") in impacts]


def describe(found: list[dict]) -> str:
    """One line per rule: id, impact, help text, how many elements and the first few targets."""
    lines = []
    for v in found:
        targets = [json.dumps(n["target"][-1] if n["target"] else "?") for n in v["nodes"]]
        shown = ", ".join(targets[:TARGETS_SHOWN])
        more = f" (+{len(targets) - TARGETS_SHOWN} more)" if len(targets) > TARGETS_SHOWN else ""
        lines.append(
            f"  {v['id']} [{v['impact']}] {v['help']} — {len(targets)} element(s): {shown}{more}"
        )
    return "\n".join(lines)


def count_by_impact(found: list[dict]) -> dict[str, int]:
    """Offending elements counted by impact (a rule failing on 3 elements counts 3)."""
    counts: dict[str, int] = {}
    for v in found:
        counts[v["impact"]] = counts.get(v["impact"], 0) + len(v["nodes"])
    return counts


def assert_accessible(
    page: Any, where: str, *, impacts: tuple[str, ...] = IMPACTS, context: Any = None
) -> None:
    """Fail with every rule broken on the page (id, impact, help, first targets)."""
    found = violations(page, impacts=impacts, context=context)
    assert not found, (
        f"axe-core {axe_version()} found {len(found)} accessibility rule(s) broken on "
        f"{where} ({page.url}):\n{describe(found)}"
    )

"""A document type's wording (templates/<type>/wording.yaml) rendered into plain paragraphs.

Wording is data a city may replace, so it runs in Jinja's sandbox. Its output is plain text:
escaping is the renderers' job (HTML autoescape, docxtpl autoescape), done once, at the end.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, Template, Undefined
from jinja2.sandbox import SandboxedEnvironment

from docsvc.documents.templates import find

BLOCK_KINDS = ("text", "violations", "photos", "deadline", "signatures")
_env = SandboxedEnvironment(autoescape=False, undefined=Undefined, keep_trailing_newline=False)
_strict = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)


@lru_cache(maxsize=256)
def _load(path: Path, mtime: float) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sections = data.get("sections") if isinstance(data, dict) else None
    if not isinstance(sections, list) or not sections:
        raise ValueError(f"{path}: 'sections' must be a non-empty list")
    for i, s in enumerate(sections):
        if s.get("kind", "text") not in BLOCK_KINDS:
            raise ValueError(f"{path}: sections.{i}.kind must be one of {', '.join(BLOCK_KINDS)}")
        if s.get("kind", "text") == "text" and "text" not in s:
            raise ValueError(f"{path}: sections.{i} is text but has no 'text'")
    return data


def load(code: str, data_dir: Path | None, doc_type: str) -> dict[str, Any]:
    path = find(code, data_dir, f"{doc_type}/wording.yaml")
    return _load(path, path.stat().st_mtime)


def carried_elements(wording: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for s in wording["sections"]:
        if s.get("element"):
            out.add(s["element"])
        out.update(s.get("elements", []))
    return out


def prints_photos(wording: dict[str, Any]) -> bool:
    """Whether this wording prints the chosen photographs (a `photos` section): a type whose
    wording has none is never offered photos, and photos chosen for it are refused."""
    return any(s.get("kind", "text") == "photos" for s in wording["sections"])


def _paragraphs(text: str) -> list[str]:
    """Blank-line-separated paragraphs; single newlines inside one are kept as line breaks."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n")]
    return [b for b in blocks if b]


@lru_cache(maxsize=1024)
def _compiled(source: str) -> Template:
    return _env.from_string(source)


def render_sections(wording: dict[str, Any], context: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for s in wording["sections"]:
        when = s.get("when")
        if when and not _strict.compile_expression(when, undefined_to_none=True)(**context):
            continue
        kind = s.get("kind", "text")
        section = {
            "kind": kind,
            "heading": s.get("heading", ""),
            "with_code_text": bool(s.get("with_code_text")),
            "parties": bool(s.get("parties")),
            "paragraphs": [],
        }
        if kind == "text":
            section["paragraphs"] = _paragraphs(_compiled(s["text"]).render(**context))
        out.append(section)
    return out

"""DOCX rendering with docxtpl, autoescaped: '&', '<' and quotes in names stay text."""

from __future__ import annotations

import io
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import Environment, Template, nodes

from docsvc.store import Store

PHOTO_WIDTH = Mm(54)  # three to a row of the photographs' table
SEAL_WIDTH = Mm(18)


class _CompiledOnce(Environment):
    """docxtpl compiles the whole document XML with from_string on every render; for a given
    template that source never changes, so compile it once and keep it (bounded)."""

    def __init__(self) -> None:
        super().__init__(autoescape=True)
        self._compiled: dict[str, Template] = {}

    def from_string(
        self,
        source: str | nodes.Template,
        globals: MutableMapping[str, Any] | None = None,
        template_class: type[Template] | None = None,
    ) -> Template:
        if globals or template_class or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) > 64:
                self._compiled.clear()
            template = self._compiled[source] = super().from_string(source)
        return template


_env = _CompiledOnce()


def render_docx(
    template_path: Path,
    context: dict[str, Any],
    store: Store,
    *,
    preview: bool = False,
    seal: Path | None = None,
) -> bytes:
    """`seal`: a PNG of the jurisdiction's seal (documents/seals.py: raster_of), or None."""
    tpl = DocxTemplate(str(template_path))
    photos = [
        {
            **ph,
            "image": InlineImage(
                tpl, io.BytesIO(store.open_verified(ph["print_sha256"])), width=PHOTO_WIDTH
            ),
        }
        for ph in context["photos"]
    ]
    seal_image = InlineImage(tpl, str(seal), width=SEAL_WIDTH) if seal else ""
    tpl.render(
        {**context, "photos": photos, "preview": preview, "seal_image": seal_image},
        jinja_env=_env,
        autoescape=True,
    )
    # The title in the file's own properties is the document's, never a person's name.
    tpl.docx.core_properties.title = context["document"]["title"]
    tpl.docx.core_properties.author = context["letterhead"]["organization"]
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()

"""DOCX rendering with docxtpl, autoescaped: '&', '<' and quotes in names stay text."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from docsvc.store import FileStore

PHOTO_WIDTH = Mm(80)


def render_docx(
    template_path: Path, context: dict[str, Any], store: FileStore, *, preview: bool = False
) -> bytes:
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
    tpl.render({**context, "photos": photos, "preview": preview}, autoescape=True)
    # The title in the file's own properties is the document's, never a person's name.
    tpl.docx.core_properties.title = context["document"]["title"]
    tpl.docx.core_properties.author = context["letterhead"]["organization"]
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()

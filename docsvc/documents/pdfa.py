"""Whether a stored PDF still has the structure of the PDF/A we issue: what `docsvc verify`
checks of every issued document and certificate, years after it was made.

A structural check, not a full conformance validation (veraPDF is a Java program the service
does not carry): the points that archival copies lose when something rewrites them (an
editor saving over them, a tool adding a password, fonts dropped by a "reduce size").
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import DictionaryObject, PdfObject, StreamObject

from docsvc.documents.pdf import PDF_VARIANT

# "pdf/a-2b" -> part 2, conformance B
_PART, _CONFORMANCE = PDF_VARIANT.removeprefix("pdf/a-")[0], PDF_VARIANT[-1].upper()


def structure_problems(data: bytes) -> list[str]:
    """What is wrong with `data` as a PDF/A-2b, each as a sentence; empty if nothing."""
    if not data.startswith(b"%PDF-1."):
        return ["does not start with a PDF 1.x header (PDF/A-2 is based on PDF 1.7)"]
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return ["is encrypted (PDF/A forbids encryption)"]
        root = reader.trailer["/Root"].get_object()
        pages = list(reader.pages)
    except (PdfReadError, KeyError, ValueError, TypeError) as exc:
        return [f"does not open as a PDF ({exc})"]
    if not isinstance(root, DictionaryObject):
        return ["has no document catalog (its /Root is not a dictionary)"]
    problems = []
    if "/ID" not in reader.trailer:
        problems.append("has no file identifier (/ID) in its trailer")
    if not any(_is_pdfa_intent(item) for item in root.get("/OutputIntents", [])):
        problems.append("has no PDF/A output intent with an ICC profile")
    problems.extend(_xmp_problems(root))
    if "/JavaScript" in root.get("/Names", {}) or "/AA" in root:
        problems.append("carries scripts or automatic actions")
    for number, page in enumerate(pages, 1):
        for name in _unembedded_fonts(page):
            problems.append(f"page {number}: font {name} is not embedded")
    return problems


def _is_pdfa_intent(item: PdfObject) -> bool:
    intent = item.get_object()
    return (
        isinstance(intent, DictionaryObject)
        and intent.get("/S") == "/GTS_PDFA1"
        and "/DestOutputProfile" in intent
    )


def _xmp_problems(root: DictionaryObject) -> list[str]:
    if "/Metadata" not in root:
        return ["has no XMP metadata (where PDF/A declares itself)"]
    metadata = root["/Metadata"]
    if not isinstance(metadata, StreamObject):
        return ["its XMP metadata is not a stream"]
    xmp = metadata.get_data()
    # XMP allows the identification as attributes or as elements.
    part = re.search(rb'pdfaid:part(?:="|>)\s*(\d)', xmp)
    conformance = re.search(rb'pdfaid:conformance(?:="|>)\s*([A-Za-z])', xmp)
    if part is None or conformance is None:
        return ["its XMP metadata does not identify it as PDF/A"]
    found = (part.group(1).decode(), conformance.group(1).decode().upper())
    if found != (_PART, _CONFORMANCE):
        return [f"declares PDF/A-{found[0]}{found[1].lower()}, not {PDF_VARIANT.upper()}"]
    return []


def _unembedded_fonts(page: DictionaryObject) -> list[str]:
    # A page that draws no text (a photograph) has no /Font, maybe no /Resources at all.
    resources = _resolved(page.get("/Resources"))
    fonts = _resolved(resources.get("/Font")) if isinstance(resources, DictionaryObject) else None
    if not isinstance(fonts, DictionaryObject):
        return []
    missing = []
    for ref in fonts.values():
        font = ref.get_object()
        if font.get("/Subtype") == "/Type3":  # glyphs drawn in the file itself
            continue
        desc = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        fd = desc.get("/FontDescriptor")
        if fd is None or not any(
            k in fd.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
        ):
            missing.append(str(font.get("/BaseFont", "(unnamed)")))
    return missing


def _resolved(obj: PdfObject | None) -> PdfObject | None:
    """`obj`, or what it refers to if it is a reference."""
    return obj.get_object() if obj is not None else None

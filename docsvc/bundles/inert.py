"""Pages copied from uploads into a court bundle carry nothing that acts: no JavaScript, no
actions that run on opening a page or touching an annotation, no launch of a program, no link
to another file or to a non-web address, no embedded files, no form fields, no rich media.
A bundle is opened by judges and opposing counsel; an upload is anyone's file.

What a page shows stays: a filled form field's appearance is flattened into the page before
the field goes, and a link to an http(s) address stays a link. The stored upload is never
changed (the manifest hashes it as filed): this works on the copy opened for the build.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

# Annotations that play, attach or take input; their appearance (if any) is flattened first.
_DROPPED_ANNOTATIONS = {
    "/FileAttachment",
    "/RichMedia",
    "/Movie",
    "/Sound",
    "/Screen",
    "/3D",
    "/Widget",
}
# Actions that only move within the document or open a web page are kept; any other (JavaScript,
# Launch, GoToR, GoToE, SubmitForm, ImportData, ResetForm, Named, Rendition, ...) goes.
# A web address as the PDF standard writes one: 7-bit, printable, no spaces. A control character
# ("http://x/\x00javascript:") is read differently by different viewers: not a web address.
_WEB = re.compile(r"https?://[\x21-\x7e]+", re.IGNORECASE)
# Keys that make a dictionary act or carry a file, wherever they appear (/PA: a link's
# "previous" action, which some viewers still run).
_ACTIVE_KEYS = ("/AA", "/OpenAction", "/JS", "/PA")
_NAME_TREES = ("/JavaScript", "/EmbeddedFiles")


def safe_action(action: object) -> bool:
    """A GoTo within the document, or a URI to an http(s) address."""
    if not isinstance(action, Dictionary):
        return False
    kind = action.get("/S")
    if kind == Name.GoTo:
        return True
    if kind == Name.URI:
        uri = action.get("/URI")
        return isinstance(uri, pikepdf.String) and _WEB.fullmatch(str(uri).strip()) is not None
    return False


def disarm(pdf: Pdf) -> None:
    """Make an opened upload inert, in memory, before its pages are copied."""
    _flatten_fields(pdf)
    for page in pdf.pages:
        _disarm_page(page.obj)
    root = pdf.Root
    for key in ("/OpenAction", "/AA", "/AcroForm"):
        if key in root:
            del root[key]
    names = root.get("/Names")
    if isinstance(names, Dictionary):
        for key in _NAME_TREES:
            if key in names:
                del names[key]


def _flatten_fields(pdf: Pdf) -> None:
    """A form's filled-in values are part of the record: draw each field's appearance into its
    page (generated first where the form asks the viewer to), leaving other annotations be."""
    if "/AcroForm" not in pdf.Root:
        return
    with contextlib.suppress(pikepdf.PdfError):  # a field qpdf cannot draw keeps its own
        pdf.generate_appearance_streams()
    kept: list[tuple[pikepdf.Object, list[pikepdf.Object]]] = []
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if not isinstance(annots, Array):
            continue
        others = [a for a in annots if not _is_widget(a)]
        page.obj.Annots = Array([a for a in annots if _is_widget(a)])
        kept.append((page.obj, others))
    pdf.flatten_annotations("all")
    for page_obj, others in kept:
        left = page_obj.get("/Annots")
        page_obj.Annots = Array([*(left if isinstance(left, Array) else []), *others])


def _is_widget(annot: pikepdf.Object) -> bool:
    return isinstance(annot, Dictionary) and annot.get("/Subtype") == Name.Widget


def _disarm_page(page: pikepdf.Object) -> None:
    if "/AA" in page:
        del page["/AA"]
    annots = page.get("/Annots")
    if annots is None:
        return
    kept = []
    for annot in annots if isinstance(annots, Array) else []:
        if not isinstance(annot, Dictionary) or annot.get("/Subtype") in _DROPPED_ANNOTATIONS:
            continue
        for key in ("/AA", "/PA"):
            if key in annot:
                del annot[key]
        action = annot.get("/A")
        if action is not None:
            if not safe_action(action):
                if annot.get("/Subtype") == Name.Link:
                    continue  # a link that only did harm: gone, not left dead
                del annot["/A"]
            elif "/Next" in action:
                del action["/Next"]  # a chain of further actions, each of any kind
        kept.append(annot)
    if kept:
        page.Annots = Array(kept)
    else:
        del page["/Annots"]


def sweep(pdf: Pdf) -> None:
    """Every dictionary of the volume, however it was reached (an indirect object, or one
    nested directly inside another, as a link's /PA is): an action that is not safe is
    emptied, and keys that act or carry files are removed. Run on the copied pages before the
    volume adds its own links and manifest."""
    for obj in _dictionaries(pdf):
        if _is_action(obj) and not safe_action(obj):
            for key in list(obj.keys()):
                del obj[key]
            continue
        for key in (*_ACTIVE_KEYS, *_NAME_TREES, "/EF"):  # /EF: a file spec's embedded file
            if key in obj:
                del obj[key]


def _dictionaries(pdf: Pdf) -> Iterator[Dictionary]:
    """Each indirect object's dictionaries, its own and those nested in it directly; an
    indirect reference is not followed (its object is visited in its own turn)."""
    for top in pdf.objects:
        stack: list[pikepdf.Object] = [top]
        while stack:
            obj = stack.pop()
            if isinstance(obj, Dictionary):
                yield obj
                values = list(obj.values())
            elif isinstance(obj, Array):
                values = list(obj)
            else:
                continue
            stack.extend(
                v for v in values if isinstance(v, Dictionary | Array) and not v.is_indirect
            )


def _is_action(obj: Dictionary) -> bool:
    """An action dictionary (its /Type is optional): a kind of action in /S, and not a
    structure element, whose /S is a role name and which has a parent (/P)."""
    if obj.get("/Type") not in (None, Name.Action):
        return False
    return obj.get("/S") in _UNSAFE_KINDS and "/P" not in obj


_UNSAFE_KINDS = {
    Name(f"/{kind}")
    for kind in (
        "JavaScript",
        "Launch",
        "URI",
        "GoToR",
        "GoToE",
        "SubmitForm",
        "ImportData",
        "ResetForm",
        "Hide",
        "Named",
        "Rendition",
        "RichMediaExecute",
        "Sound",
        "Movie",
        "GoTo3DView",
        "SetOCGState",
        "Thread",
        "Trans",
    )
}

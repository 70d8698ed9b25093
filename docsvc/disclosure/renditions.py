"""What each responsive record looks like to the public, before boxes are burned in.

A generated document is rendered again from its frozen data with the complainant's fields and
every mention of them replaced by the exemption's label: redaction at the data layer, so the
text of the rest stays text. An uploaded PDF is itself; a photo or scan is rebuilt from its
pixels; a DOCX or e-mail is released as a PDF of its text (never as DOCX, whose comments,
headers, properties and tracked changes carry what the body does not).
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy.orm import Session

from docsvc.attachments.sniff import DOCX, EML, IMAGES, LABELS, PDF
from docsvc.cases.service import case_profile
from docsvc.disclosure.pages import image_pdf
from docsvc.documents.env import Env
from docsvc.documents.pdf import html_environment, write_pdf
from docsvc.documents.service import rendered
from docsvc.documents.templates import find, search_path
from docsvc.identity.needles import Needle, replace_spans
from docsvc.models import Attachment, Case, DisclosureItem, Document
from docsvc.profiles.model import Profile
from docsvc.search.extract import docx_text, eml_text


def public_context(context: dict[str, Any], needles: list[Needle], label: str) -> dict[str, Any]:
    """The frozen context with the complainant's identity replaced wherever it appears."""
    out = copy.deepcopy(context)
    recipient = out.get("recipient") or {}
    if recipient.get("kind") == "complainant":
        recipient.update(name=label, address_lines=[label], email=None)

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            return replace_spans(value, needles, label)[0]
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        return value

    return scrub(out)


def text_pdf(env: Env, jurisdiction: str, title: str, note: str, body: str) -> bytes:
    search = search_path(jurisdiction, env.settings.data_dir)
    html = (
        html_environment(search)
        .get_template("_disclosure/text.html")
        .render(title=title, note=note, body=body)
    )
    css = find(jurisdiction, env.settings.data_dir, "_disclosure/release.css")
    return write_pdf(html, css, env.store)


def document_title(doc: Document) -> str:
    """The document's title as issued (the profile's own name for its type)."""
    return (doc.context or {}).get("document", {}).get("title") or doc.type.replace("_", " ")


def describe(session: Session, item: DisclosureItem) -> str:
    """What the record is, in words that name nobody (no file names, no captions)."""
    case = session.get(Case, item.case_id)
    assert case is not None
    zone = case_profile(session, case).zone  # the day where the record was made, not UTC's
    if item.source == "document":
        doc = session.get(Document, item.source_id)
        assert doc is not None
        title = document_title(doc)
        when = doc.issued_at.astimezone(zone).date().isoformat() if doc.issued_at else "not issued"
        return f"{title}, issued {when}" + (" (superseded)" if doc.superseded_at else "")
    att = session.get(Attachment, item.source_id)
    assert att is not None
    kind = att.kind.replace("_", " ").capitalize()
    what = LABELS.get(att.media_type, att.media_type)
    return f"{kind} ({what}), filed {att.uploaded_at.astimezone(zone).date().isoformat()}"


def source_pdf(
    session: Session,
    env: Env,
    profile: Profile,
    case: Case,
    item: DisclosureItem,
    needles: list[Needle] | None,
    label: str,
) -> bytes:
    """The record as a PDF: redacted at the data layer where it is generated (when `needles`
    is given), otherwise as it is; boxes are applied to this."""
    if item.source == "document":
        doc = session.get(Document, item.source_id)
        assert doc is not None
        return document_pdf(env, profile, doc, needles, label)
    att = session.get(Attachment, item.source_id)
    assert att is not None
    return attachment_pdf(env, case, att)


def document_pdf(
    env: Env, profile: Profile, doc: Document, needles: list[Needle] | None, label: str
) -> bytes:
    """An issued document: its stored PDF, or rendered again without the complainant."""
    assert doc.context is not None
    if needles:
        return rendered(env, profile, public_context(doc.context, needles, label), preview=False)[0]
    assert doc.pdf_sha256 is not None
    return env.store.open_verified(doc.pdf_sha256)


def attachment_pdf(env: Env, case: Case, att: Attachment) -> bytes:
    """An uploaded file as PDF pages: a PDF as it is, an image rebuilt from its pixels, the
    text of a DOCX or e-mail (never the file itself)."""
    data = env.store.open_verified(att.sha256)
    if att.media_type == PDF:
        return data
    if att.media_type in IMAGES:
        return image_pdf(data)
    title = f"{att.kind.replace('_', ' ').capitalize()}, case {case.case_number}"
    if att.media_type in (DOCX, EML):
        body = docx_text(data) if att.media_type == DOCX else eml_text(data)
        note = (
            f"The text of a {LABELS[att.media_type]} file, as PDF. Formatting, comments, "
            "headers and document properties are not part of this copy."
        )
        return text_pdf(env, case.jurisdiction_code, title, note, body)  # autoescaped
    raise ValueError(f"no PDF rendition for {att.media_type}")

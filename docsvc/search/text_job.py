"""The extraction job: read a stored file's text (OCR where needed) into the index.

The file is read and recognised with no transaction open, so a long OCR never holds the
database's write lock; the entry is written in a short transaction afterwards, and only if
the record still exists.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from docsvc.attachments.sniff import PDF
from docsvc.documents.env import Env
from docsvc.models import Attachment, Document, Job
from docsvc.search.entries import EXTRACT_JOB, write_text
from docsvc.search.extract import extract

MODELS: dict[str, type] = {"attachment": Attachment, "document": Document}


def _file_of(obj: Any) -> tuple[str, str] | None:
    """(sha256, media type) of the file whose text is indexed."""
    if isinstance(obj, Attachment):
        return obj.sha256, obj.media_type
    if isinstance(obj, Document) and obj.pdf_sha256 is not None:
        return obj.pdf_sha256, PDF
    return None


def run(session: Session, env: Env, job: Job) -> None:
    """Extract and index; leaves the entry written in the session for the caller to commit."""
    model = MODELS[job.kind.removeprefix(f"{EXTRACT_JOB}:")]
    obj = session.get(model, job.ref_id)
    target = _file_of(obj) if obj is not None else None
    session.rollback()  # end the read before the slow part
    if target is None:
        return  # the record (or its file) is gone: nothing to index
    sha256, media_type = target
    found = extract(env.store.open_verified(sha256), media_type)
    obj = session.get(model, job.ref_id)
    if obj is not None:
        write_text(session, obj, found.text, found.source)

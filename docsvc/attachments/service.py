"""Receiving an attachment: spool, judge its type from content, parse it, then store it.

Nothing is stored until every check has passed. The file lands in the content store (atomic
rename) before its rows are committed, so a crash can leave an unreferenced file but never a
row that points at a missing one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.attachments import photos, sniff, validate
from docsvc.audit import actor_of, append
from docsvc.auth.scope import of_a_case
from docsvc.config import Settings
from docsvc.errors import Invalid, TooLarge, UnsupportedMediaType
from docsvc.models import Attachment, Blob, Case, User
from docsvc.models.base import dialect_insert
from docsvc.profiles.loader import profile_for
from docsvc.store import Store
from docsvc.store.filestore import StagedFile
from docsvc.store.filestore import TooLarge as StoreTooLarge
from docsvc.timeutil import utcnow


@dataclass
class Upload:
    stream: BinaryIO
    filename: str | None
    content_type: str | None


def clean_filename(name: str | None) -> str | None:
    """The name as data: last path component, no control characters, at most 255 characters."""
    if not name:
        return None
    name = unicodedata.normalize("NFC", name)
    name = PureWindowsPath(PurePosixPath(name).name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:255] or None


def stage(store: Store, settings: Settings, upload: Upload, field: str = "file") -> StagedFile:
    """An upload staged in the store within the size limit, not empty (the caller checks its
    type, then commits or discards it). `field` names the form's input in a refusal."""
    prefix = "" if field == "file" else f"{field}: "
    try:
        staged = store.stage_stream(upload.stream, limit=settings.max_upload_bytes)
    except StoreTooLarge as exc:
        raise TooLarge(
            f"{prefix}the file is larger than the {settings.max_upload_bytes // (1024 * 1024)} "
            "MB limit; upload a smaller file or split it.",
            {"limit_bytes": settings.max_upload_bytes},
        ) from exc
    if staged.size == 0:
        staged.discard()
        raise Invalid(f"{prefix}the file is empty; choose the file again.", {"field": field})
    return staged


def _same_file_same_source(session: Session, attachment: Attachment) -> None:
    """The same bytes as a file the complainant supplied are theirs, whichever copy was
    uploaded first and whether or not the box was ticked: a second copy must not carry their
    photo's location and camera to the respondent."""
    same = session.scalars(
        select(Attachment).where(
            Attachment.case_id == attachment.case_id, Attachment.sha256 == attachment.sha256
        )
    ).all()
    if any(a.supplied_by_complainant for a in same):
        attachment.supplied_by_complainant = True
    if attachment.supplied_by_complainant:
        for a in same:
            a.supplied_by_complainant = True


def register_blob(session: Session, sha256: str, size: int, media_type: str) -> None:
    insert = dialect_insert(session.get_bind())
    session.execute(
        insert(Blob)
        .values(sha256=sha256, size=size, media_type=media_type, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["sha256"])
    )


def _judge_type(staged_path: Path, head: bytes, upload: Upload) -> str:
    actual = sniff.detect(staged_path, head)
    by_name, by_header = sniff.claimed_type(upload.filename, upload.content_type)
    accepted = ", ".join(sniff.LABELS[t] for t in sniff.ACCEPTED)
    if actual is None:
        raise UnsupportedMediaType(
            f"the content of the file is not one of the accepted types ({accepted}); convert "
            "it to one of them and upload again.",
            {"accepted": [sniff.LABELS[t] for t in sniff.ACCEPTED]},
        )
    for claim, source in ((by_name, "its file name"), (by_header, "its Content-Type")):
        if claim is not None and claim != actual:
            raise UnsupportedMediaType(
                f"{source} says {sniff.LABELS[claim]} but the content of the file is "
                f"{sniff.LABELS[actual]}; upload the file under its real type.",
                {"claimed": sniff.LABELS[claim], "detected": sniff.LABELS[actual]},
            )
    return actual


def add_attachment(
    session: Session,
    store: Store,
    settings: Settings,
    user: User,
    case: Case,
    upload: Upload,
    *,
    kind: str,
    caption: str | None = None,
    supplied_by_complainant: bool = False,
) -> Attachment:
    # Attachments are accepted in any status: a return receipt can arrive after closure.
    staged = stage(store, settings, upload)
    try:
        media_type = _judge_type(staged.path, staged.read_head(), upload)
        if kind == "photo" and media_type not in sniff.IMAGES:
            raise Invalid(
                f"a photo must be a JPEG, PNG, HEIC or TIFF image, not {sniff.LABELS[media_type]}; "
                "choose kind 'other' or 'correspondence' for documents.",
                {"field": "kind"},
            )
        learnt = validate.check(
            staged.path,
            media_type,
            max_pixels=settings.max_image_pixels,
            max_docx=settings.max_docx_uncompressed_bytes,
        )
        facts: photos.PhotoFacts | None = None
        renditions: tuple[bytes, bytes] | None = None
        if media_type in sniff.IMAGES:
            img = validate.open_image(staged.path, settings.max_image_pixels)
            try:
                facts = photos.read_facts(img, profile_for(session, case.jurisdiction_code).zone)
                renditions = (
                    photos.rendition(img, photos.PRINT_EDGE, 85),
                    photos.rendition(img, photos.THUMB_EDGE, 80),
                )
            finally:
                img.close()
        stored = staged.commit()
    except BaseException:
        staged.discard()
        raise

    register_blob(session, stored.sha256, stored.size, media_type)
    attachment = Attachment(
        case_id=case.id,
        kind=kind,
        media_type=media_type,
        sha256=stored.sha256,
        size=stored.size,
        original_filename=clean_filename(upload.filename),
        caption=caption,
        supplied_by_complainant=supplied_by_complainant,
        uploaded_by_id=user.id,
        uploaded_at=utcnow(),
        page_count=learnt.get("page_count"),
    )
    _same_file_same_source(session, attachment)
    hashes = {"file": stored.sha256}
    if facts is not None and renditions is not None:
        print_file = store.put_bytes(renditions[0])
        thumb_file = store.put_bytes(renditions[1])
        register_blob(session, print_file.sha256, print_file.size, sniff.JPEG)
        register_blob(session, thumb_file.sha256, thumb_file.size, sniff.JPEG)
        attachment.print_sha256 = print_file.sha256
        attachment.thumb_sha256 = thumb_file.sha256
        attachment.taken_at = facts.taken_at
        attachment.taken_at_local = facts.taken_at_local
        attachment.gps_lat, attachment.gps_lon = facts.gps_lat, facts.gps_lon
        attachment.device = facts.device
        attachment.orientation = facts.orientation
        attachment.width, attachment.height = facts.width, facts.height
        hashes |= {"print": print_file.sha256, "thumb": thumb_file.sha256}
    session.add(attachment)
    session.flush()
    case.updated_at = utcnow()
    append(
        session,
        actor_of(user),
        "attachment.add",
        "attachment",
        attachment.id,
        case_id=case.id,
        fields=["kind", "caption", "original_filename", "supplied_by_complainant"],
        hashes=hashes,
    )
    return attachment


def load_attachment(session: Session, user: User, attachment_id: int) -> tuple[Attachment, Case]:
    """The file and its case, if `user` may see the case's jurisdiction; else not found."""
    return of_a_case(
        session, user, Attachment, attachment_id, f"no attachment {attachment_id} that you can see."
    )


def case_photos(session: Session, case: Case) -> list[Attachment]:
    """The case's photos that have a thumbnail (what a document may print as evidence), in
    the order uploaded."""
    return list(
        session.scalars(
            select(Attachment)
            .where(
                Attachment.case_id == case.id,
                Attachment.kind == "photo",
                Attachment.thumb_sha256.is_not(None),
            )
            .order_by(Attachment.id)
        )
    )

"""Open each accepted type with the library that will later read it, so nothing is stored
that the rest of the service cannot parse. Every failure is a sentence saying what to fix."""

from __future__ import annotations

import email
import logging
import sys
import threading
import warnings
import zipfile
from email import policy
from pathlib import Path

import pi_heif
from docx import Document
from PIL import Image, ImageFile
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from docsvc.attachments.sniff import DOCX, EML, IMAGES, LABELS, PDF
from docsvc.errors import Invalid

pi_heif.register_heif_opener()
# WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES to True when imported, which would
# let a truncated upload decode silently with grey fill; validation sets it for its own decode.
_truncation_lock = threading.Lock()
logging.getLogger("pypdf").setLevel(logging.ERROR)


def open_image(path: Path, max_pixels: int) -> Image.Image:
    """The decoded image; a bomb or a truncated/corrupt file raises Invalid."""
    Image.MAX_IMAGE_PIXELS = max_pixels
    img: Image.Image | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path)
            with _truncation_lock:
                previous = ImageFile.LOAD_TRUNCATED_IMAGES
                ImageFile.LOAD_TRUNCATED_IMAGES = False
                try:
                    img.load()
                finally:
                    ImageFile.LOAD_TRUNCATED_IMAGES = previous
        return img
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid(
            f"the image declares more than {max_pixels:,} pixels, far more than any camera photo; "
            "upload the original photo, not an enlarged or crafted one.",
            {"reason": "decompression_bomb"},
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise Invalid(
            "the image could not be decoded: it is truncated or damaged. Upload the file again "
            "from the camera or phone.",
            {"reason": "corrupt_image"},
        ) from exc
    finally:
        if img is not None and sys.exc_info()[0] is not None:
            img.close()  # a failed decode must not leave the file open


def check_pdf(path: Path) -> int:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(path, strict=False)
            if reader.is_encrypted:
                raise Invalid(
                    "the PDF is password-protected; upload a copy without a password.",
                    {"reason": "encrypted_pdf"},
                )
            count = len(reader.pages)
            if count == 0:
                raise ValueError("no pages")
            reader.pages[0].get_contents()
            # A file cut short loses its trailer and xref; pypdf rebuilds those silently,
            # so insist on the end-of-file marker a complete PDF always carries.
            with path.open("rb") as fh:
                fh.seek(max(0, path.stat().st_size - 1024))
                if b"%%EOF" not in fh.read():
                    raise ValueError("no end-of-file marker")
    except Invalid:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        raise Invalid(
            "the PDF could not be read: it is damaged or incomplete. Export or scan it again.",
            {"reason": "corrupt_pdf"},
        ) from exc
    return count


def check_docx(path: Path, max_uncompressed: int) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
            if total > max_uncompressed:
                raise Invalid(
                    f"the DOCX would expand to {total:,} bytes, past the {max_uncompressed:,}-byte "
                    "limit; it is not an ordinary document.",
                    {"reason": "zip_bomb"},
                )
            bad = zf.testzip()
            if bad is not None:
                raise ValueError(f"damaged part {bad}")
        Document(str(path))
    except Invalid:
        raise
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        raise Invalid(
            "the DOCX could not be opened: it is damaged or not a Word document. Save it again "
            "from Word or LibreOffice.",
            {"reason": "corrupt_docx"},
        ) from exc
    except Exception as exc:  # python-docx raises assorted lxml/opc errors on malformed parts
        raise Invalid(
            "the DOCX could not be opened: one of its parts is malformed. Save it again from "
            "Word or LibreOffice.",
            {"reason": "corrupt_docx"},
        ) from exc


def check_eml(path: Path) -> None:
    with path.open("rb") as fh:
        message = email.message_from_binary_file(fh, policy=policy.default)
    if not (message.get("From") or message.get("Date")):
        raise Invalid(
            "the e-mail has no From or Date header; save the message as .eml again.",
            {"reason": "corrupt_eml"},
        )
    if message.defects and any("Missing" in type(d).__name__ for d in message.defects):
        raise Invalid(
            "the e-mail's structure is broken; save the message as .eml again.",
            {"reason": "corrupt_eml"},
        )


def check(path: Path, media_type: str, *, max_pixels: int, max_docx: int) -> dict[str, object]:
    """Parse the file; return what was learnt (page count), raise Invalid if it does not parse."""
    if media_type in IMAGES:
        open_image(path, max_pixels).close()
        return {}
    if media_type == PDF:
        return {"page_count": check_pdf(path)}
    if media_type == DOCX:
        check_docx(path, max_docx)
        return {}
    if media_type == EML:
        check_eml(path)
        return {}
    raise AssertionError(f"no check for {LABELS.get(media_type, media_type)}")

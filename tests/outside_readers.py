"""A third reader of released files, for tests only: the package read from outside, with the
command-line tools a member of the public would use, and matched by code of its own.

Neither the redaction's code nor the leak scanner's is used here: a file is written to disk
and read by `pdftotext`, `qpdf --qdf --object-streams=disable` (every stream decompressed),
`exiftool` (document and image metadata, the images embedded in a PDF extracted with
`pdfimages`), and the Tesseract CLI in three page-segmentation modes (3, 6, 11) on pages
rendered by `pdftoppm`. Identifiers are looked for in each text with everything but letters
and digits taken out (accents folded, case ignored), which is cruder than the scanner's
matching and errs the same way: towards finding.

    read_outside(data, "release.zip")                   -> all text views, joined
    leaks(data, "release.zip", {"name": ..., "phone": ..., "email": ..., "address": ...})
                                                        -> {"name", "phone", ...} found

Needs poppler-utils, qpdf, libimage-exiftool-perl and tesseract-ocr (scripts/setup.sh test).
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

OCR_MODES = (3, 6, 11)
RENDER_DPI = 200
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".gif", ".webp")
_PRINTABLE = re.compile(rb"[\x20-\x7e\xa0-\xff\t\n\r]{3,}")


def read_outside(data: bytes, name: str, *, ocr: bool = True) -> str:
    """Every text the command-line tools get out of a ZIP, PDF, image or other file (a ZIP's
    entries each by their own kind, their names and the archive's comment included)."""
    return "\n".join(_views(data, name, ocr))


def leaks(data: bytes, name: str, identity: dict[str, str | None], *, ocr: bool = True) -> set[str]:
    """The kinds of `identity` ("name", "phone", "email", "address", "unit") the outside
    reading shows."""
    text = _flat(read_outside(data, name, ocr=ocr))
    return {kind for kind, forms in _forms(identity).items() if any(f in text for f in forms)}


def _views(data: bytes, name: str, ocr: bool) -> list[str]:
    if data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data)):
        out = []
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            out.append(zf.comment.decode("utf-8", "replace"))
            for info in zf.infolist():
                out.append(info.filename)
                out.extend(_views(zf.read(info), info.filename, ocr))
        return out
    with tempfile.TemporaryDirectory(prefix="outside-") as tmp:
        path = Path(tmp) / Path(name).name.replace(" ", "_")
        path.write_bytes(data)
        if data[:5] == b"%PDF-":
            return _pdf(path, ocr)
        if name.lower().endswith(IMAGE_SUFFIXES):
            return [_exiftool(path), *(_tesseract([path]) if ocr else [])]
        return [data.decode("utf-8", "replace"), _printable(data), _exiftool(path)]


def _pdf(path: Path, ocr: bool) -> list[str]:
    out = [_run("pdftotext", "-enc", "UTF-8", str(path), "-")]
    out.append(_run("pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"))
    qdf = path.with_suffix(".qdf.pdf")
    _run("qpdf", "--qdf", "--object-streams=disable", str(path), str(qdf))
    if qdf.exists():
        out.append(_printable(qdf.read_bytes()))
    out.append(_exiftool(path))
    images = path.parent / "img"
    images.mkdir()
    _run("pdfimages", "-all", str(path), str(images / "i"))
    for picture in sorted(images.iterdir()):
        out.append(_exiftool(picture))
    if ocr:
        pages = path.parent / "pages"
        pages.mkdir()
        _run("pdftoppm", "-r", str(RENDER_DPI), "-gray", "-png", str(path), str(pages / "p"))
        out.extend(_tesseract(sorted(pages.iterdir())))
    return out


def _tesseract(images: list[Path]) -> list[str]:
    jobs = [(image, mode) for image in images for mode in OCR_MODES]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(
            pool.map(
                lambda job: _run("tesseract", str(job[0]), "stdout", "--psm", str(job[1])), jobs
            )
        )


def _exiftool(path: Path) -> str:
    # -a duplicates, -u unknown tags, -G1 the group of each: every tag the file carries.
    return _run("exiftool", "-a", "-u", "-G1", "-charset", "utf8", str(path))


def _run(*command: str) -> str:
    done = subprocess.run(list(command), capture_output=True, timeout=300, check=False)
    return done.stdout.decode("utf-8", "replace")


def _printable(data: bytes) -> str:
    return "\n".join(m.group(0).decode("latin-1") for m in _PRINTABLE.finditer(data))


# --- matching, on purpose simpler than the scanner's -------------------------------------------


def _flat(text: str) -> str:
    """Letters and digits only, accents folded, lower case: 'O\u2019Bri-\\nen' -> 'obrien'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[\W_]+", "", text)


STREET_WORDS = {"street", "st", "avenue", "ave", "av", "road", "rd", "drive", "dr", "lane", "ln",
                "boulevard", "blvd", "court", "ct", "place", "pl", "way"}  # fmt: skip
DIRECTIONS = {"n": "north", "s": "south", "e": "east", "w": "west"}
UNIT_WORDS = ("apt", "apartment", "unit", "suite", "ste")


def _forms(identity: dict[str, str | None]) -> dict[str, list[str]]:
    forms: dict[str, list[str]] = {}
    if identity.get("name"):
        words = [_flat(w) for w in re.split(r"[\s\-]+", identity["name"] or "")]
        forms["name"] = ["".join(words)] + [w for w in words[1:] if len(w) >= 4]
    if identity.get("phone"):
        digits = re.sub(r"\D", "", identity["phone"] or "")[-10:]
        forms["phone"] = [digits, digits[3:]] if len(digits) == 10 else [digits]
    if identity.get("email"):
        email = identity["email"] or ""
        local = _flat(email.split("@")[0])
        forms["email"] = [_flat(email)] + ([local] if len(local) >= 4 else [])
    if identity.get("address"):
        line = (identity["address"] or "").split(",")[0].split()
        words = [w.strip(".").lower() for w in line]
        cut = next((k for k, w in enumerate(words) if w in UNIT_WORDS or w.startswith("#")), None)
        street, unit = (words, []) if cut is None else (words[:cut], words[cut:])
        if street and street[-1] in STREET_WORDS:
            street = street[:-1]
        number, rest = street[0], street[1:]
        found = [number + "".join(rest)]
        if rest and rest[0] in DIRECTIONS:  # '100 n oak' and '100 north oak'
            found.append(number + DIRECTIONS[rest[0]] + "".join(rest[1:]))
        forms["address"] = found
        if unit:
            value = _flat("".join(unit[1:]) or unit[0].lstrip("#"))
            forms["unit"] = [w + value for w in UNIT_WORDS]
    return forms

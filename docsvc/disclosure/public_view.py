"""What the public page of a release shows (docsvc/public.py): the agency, the request's number,
its dates, each file of the package and the exemption log in words.

Everything listed is read from the package itself (its `index.json` and `exemption-log.json`),
never from the request's rows: the package is exactly what was released, and it passed the leak
scanner with every withheld complainant's identifiers before it left (disclosure/release.py), so
the page can show nothing the package did not. The requester, the request's description and
notes, the cases' captions and anything else typed by staff stay out: only the request's number,
its dates and the agency's letterhead come from the database.

import-linter lets the public surface import this module (pyproject.toml) beside links.py; it is
kept apart from links.py because it reads the package, which links.py (whether a link works)
never needs to.
"""

from __future__ import annotations

import io
import json
import re
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from sqlalchemy.orm import Session

from docsvc.disclosure.links import Office, office_of
from docsvc.labels import zone_name
from docsvc.models import DisclosureRequest, Jurisdiction, Release
from docsvc.profiles.loader import profile_of
from docsvc.store import Store

# A member of the package served on its own: a plain name (no folder, no dot first) of a type
# the release builds. Anything else in a ZIP is only downloaded with the whole package.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}")
MEDIA = {
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
IMAGES = (".png", ".jpg", ".jpeg")
# The package's own files (release.py writes them beside the records).
OWN = {
    "index.pdf": "Index of the records in this release",
    "index.json": "Index of the records (data file, JSON)",
    "exemption-log.pdf": "Exemption log: what was withheld, where, and the law that allows it",
    "exemption-log.json": "Exemption log (data file, JSON)",
}
# What each kind of withheld information is, in words (the log names the kind, never the value).
WITHHELD = {
    "name": "The complainant's name",
    "phone": "The complainant's telephone number",
    "email": "The complainant's e-mail address",
    "address": "The complainant's address",
    "unit": "The complainant's unit or apartment number",
    "other": "Other information identifying the complainant",
    "complainant identity": "The complainant's name and contact details",
}


@dataclass(frozen=True)
class ReleasedFile:
    name: str
    description: str | None
    extent: str  # "3 pages", "1 image", or "" for a data file
    size: str  # "48 KB"
    single: bool  # may be downloaded on its own (public.py: release_file)


@dataclass(frozen=True)
class Withheld:
    """One line of the exemption log in words: what, where, under which law."""

    file: str
    where: str  # "Page 2", "Throughout the file"
    what: str
    statute: str | None


@dataclass(frozen=True)
class NotWithheld:
    """An identifier a clerk confirmed is public in the record: released, and why."""

    file: str
    what: str
    why: str


@dataclass(frozen=True)
class Law:
    statute: str | None
    explanation: str


@dataclass(frozen=True)
class ReleaseView:
    """Everything the public page shows, and nothing else: no requester, no complainant."""

    office: Office
    reference: str  # "Request 42"
    received: str  # "November 20, 2026"
    released: str
    zone: str  # "Pacific time"
    expires: str | None  # "the end of December 4, 2026"
    package_size: str  # "2.3 MB"
    files: tuple[ReleasedFile, ...]
    withheld: tuple[Withheld, ...]
    laws: tuple[Law, ...]
    public: tuple[NotWithheld, ...]


@dataclass(frozen=True)
class _Manifest:
    size: int
    files: tuple[ReleasedFile, ...]
    log: tuple[dict[str, Any], ...]


# A package is stored by its hash and never changes: what it lists is read once per process.
_CACHE: OrderedDict[str, _Manifest] = OrderedDict()
_CACHE_SIZE = 64
_LOCK = threading.Lock()


def view_of(session: Session, store: Store, rel: Release) -> ReleaseView:
    """The public page of a working link's release."""
    req = session.get_one(DisclosureRequest, rel.request_id)
    org = session.get(Jurisdiction, req.jurisdiction_code)
    zone = profile_of(org).zone if org else ZoneInfo("UTC")
    manifest = _manifest(store, rel.package_sha256)
    withheld, laws, public = _log_in_words(manifest.log)
    return ReleaseView(
        office=office_of(session, req),
        reference=f"Request {req.id}",
        received=_day(req.received_at.astimezone(zone)),
        released=_day(rel.released_at.astimezone(zone)),
        zone=zone_name(zone),
        expires=_until(rel.expires_at, zone) if rel.expires_at else None,
        package_size=_size(manifest.size),
        files=manifest.files,
        withheld=withheld,
        laws=laws,
        public=public,
    )


def member(package: bytes, name: str) -> tuple[bytes, str] | None:
    """One file of the package, as it is inside it, and its media type; None for a name the
    package does not hold or that is not served singly."""
    if not _single(name):
        return None
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        if name not in zf.namelist():
            return None
        return zf.read(name), MEDIA[_ext(name)]


def _manifest(store: Store, sha256: str) -> _Manifest:
    with _LOCK:
        if sha256 in _CACHE:
            _CACHE.move_to_end(sha256)
            return _CACHE[sha256]
    built = _read(store.open_verified(sha256))
    with _LOCK:
        _CACHE[sha256] = built
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return built


def _read(package: bytes) -> _Manifest:
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        infos = {i.filename: i for i in zf.infolist() if not i.is_dir()}
        index = _json(zf, infos, "index.json")
        log = _json(zf, infos, "exemption-log.json")
        described = {
            str(f.get("name")): f.get("description")
            for f in (index.get("files") or [])
            if isinstance(f, dict)
        }
        # The records in the index's order, then the package's own files, then anything else.
        order = [n for n in described if n in infos]
        order += [n for n in OWN if n in infos and n not in order]
        order += sorted(n for n in infos if n not in order)
        files = []
        for name in order:
            description = described.get(name) or OWN.get(name)
            files.append(
                ReleasedFile(
                    name=name,
                    description=_dates_in_words(str(description)) if description else None,
                    extent=_extent(zf, name),
                    size=_size(infos[name].file_size),
                    single=_single(name),
                )
            )
    entries = log.get("entries") if isinstance(log, dict) else None
    return _Manifest(
        len(package),
        tuple(files),
        tuple(e for e in entries or [] if isinstance(e, dict)),
    )


def _json(zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], name: str) -> dict[str, Any]:
    if name not in infos:
        return {}
    try:
        value = json.loads(zf.read(name))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _extent(zf: zipfile.ZipFile, name: str) -> str:
    ext = _ext(name)
    if ext in IMAGES:
        return "1 image"
    if ext != ".pdf":
        return ""
    try:  # counted in the released file itself, not taken from the index
        pages = len(PdfReader(io.BytesIO(zf.read(name))).pages)
    except Exception:  # a file pypdf cannot read is listed without a count
        return ""
    return "1 page" if pages == 1 else f"{pages} pages"


def _ext(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _single(name: str) -> bool:
    return bool(SAFE_NAME.fullmatch(name)) and ".." not in name and _ext(name) in MEDIA


def _log_in_words(
    log: tuple[dict[str, Any], ...],
) -> tuple[tuple[Withheld, ...], tuple[Law, ...], tuple[NotWithheld, ...]]:
    """The log as the package's exemption-log.pdf reads it: like lines on a page once, each
    law explained once, and what a clerk confirmed public in the record apart."""
    withheld: dict[tuple[str, int, str, str], Withheld] = {}
    laws: dict[tuple[str, str], Law] = {}
    public: list[NotWithheld] = []
    for e in log:
        document, kind = str(e.get("document") or ""), str(e.get("kind") or "")
        page = e.get("page") if isinstance(e.get("page"), int) else None
        statute = str(e["statute"]) if e.get("statute") else None
        explanation = str(e.get("explanation") or "")
        what = WITHHELD.get(kind, kind.replace("_", " ").capitalize() or "Information")
        if e.get("withheld") is False:
            public.append(NotWithheld(document, what, explanation))
            continue
        where = f"Page {page}" if page else "Throughout the file"
        withheld.setdefault(
            (document, page or 0, kind, statute or ""), Withheld(document, where, what, statute)
        )
        laws.setdefault((statute or "", explanation), Law(statute, explanation))
    rows = tuple(withheld[k] for k in sorted(withheld))
    return rows, tuple(laws[k] for k in sorted(laws)), tuple(public)


def _day(at: date) -> str:
    return f"{at:%B} {at.day}, {at.year}"


ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _dates_in_words(text: str) -> str:
    """'filed 2026-11-30' as a person reads it: 'filed November 30, 2026'."""

    def day(m: re.Match[str]) -> str:
        try:
            return _day(date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return m[0]

    return ISO_DAY.sub(day, text)


def _until(expires_at: datetime, zone: ZoneInfo) -> str:
    """When the link stops: a midnight (a last day chosen by the clerk) is the end of the day
    before."""
    at = expires_at.astimezone(zone)
    if at.time() == time(0):
        return f"the end of {_day(at - timedelta(days=1))}"
    clock = f"{at:%I:%M}".lstrip("0") + (" a.m." if at.hour < 12 else " p.m.")
    return f"{_day(at)} at {clock}"


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{max(1, round(n / 1024))} KB"
    return f"{n / (1024 * 1024):.1f} MB"

"""Building a court bundle, in the background: gather the records, lay out the generated pages
forty records at a time (memory stays bounded however large the case), lay out the cover and
index until their page numbers hold, split into volumes by each page's measured weight,
assemble each with stamps, labels, bookmarks and links, and store volumes and manifest in one
short transaction at the end. Everything is read in one read-only transaction (SQLite's
writers are never held up) and written to temporary files, one source open at a time.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf
from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.attachments.service import register_blob
from docsvc.audit import actor_of, append
from docsvc.bundles.assemble import Bates, Run, Volume, page_sizes, split, write_volume
from docsvc.bundles.contents import SECTIONS, Entry, Redaction, gather
from docsvc.cases.service import case_profile
from docsvc.db import Database
from docsvc.disclosure.prepare import case_needles
from docsvc.disclosure.scan_targets import Targets, targets_for
from docsvc.disclosure.scanner import scan_package
from docsvc.documents.env import Env
from docsvc.documents.pdf import html_environment, layout
from docsvc.documents.templates import find, search_path
from docsvc.errors import Invalid
from docsvc.labels import label
from docsvc.models import Bundle, BundleVolume, Case, Jurisdiction, Party, User
from docsvc.profiles.model import Profile
from docsvc.store import Store
from docsvc.store.filestore import check_hash
from docsvc.timeutil import utcnow

Progress = Callable[[str, int, int], None]
MAX_ATTEMPTS = 4  # re-splits when a volume comes out larger than estimated
CHUNK = 40  # generated entries laid out at a time
VOLUME_OVERHEAD = 128 * 1024
# The index's geometry in _bundle/bundle.css, for guessing its length before laying it out.
INDEX_TITLE_CHARS, INDEX_PAGE_LINES, FIRST_INDEX_PAGE_LINES = 50, 33, 31


def build(database: Database, env: Env, bundle_id: int, progress: Progress | None = None) -> int:
    """Build the bundle and record it; returns its page count."""

    def tell(stage: str, done: int, total: int) -> None:
        if progress:
            progress(stage, done, total)

    with (
        database.read_session() as s,
        tempfile.TemporaryDirectory(prefix="bundle-", dir=env.store.tmp) as tmp_name,
    ):
        tmp = Path(tmp_name)
        bundle = s.get(Bundle, bundle_id)
        assert bundle is not None
        case = s.get(Case, bundle.case_id)
        assert case is not None
        profile = case_profile(s, case)
        redaction = None
        if bundle.redacted:
            label = profile.public_records["complainant_exemption"].get("label") or "Withheld"
            redaction = Redaction(case_needles(s, case.id), label)
        tell("gathering", 0, 1)
        entries = gather(s, env, case, profile, redaction)
        search = search_path(case.jurisdiction_code, env.settings.data_dir)
        css = find(case.jurisdiction_code, env.settings.data_dir, "_bundle/bundle.css")
        runs = _lay_out_body(entries, case, search, css, env, tmp, tell)
        numbering = Bates(bundle.bates_prefix, bundle.bates_start)
        cover = _cover(s, bundle, case, profile, numbering, redaction)
        # Room for what each volume adds beyond its pages: fonts, outline, manifest.
        limit = bundle.max_volume_bytes * 0.99 - VOLUME_OVERHEAD
        for _ in range(MAX_ATTEMPTS):
            volumes, index = _front(runs, cover, numbering, search, css, env, tmp, limit)
            manifest = _manifest(bundle, case, volumes, index, numbering)
            paths = _write(volumes, bundle, case, manifest, numbering, tmp, tell)
            sizes = [p.stat().st_size for p in paths]
            if max(sizes) <= bundle.max_volume_bytes or all(v.pages == 1 for v in volumes):
                break
            limit *= 0.9 * bundle.max_volume_bytes / max(sizes)
        else:
            raise Invalid(
                "the bundle could not be split under the volume size asked for; "
                "ask for a larger max_volume_mb."
            )
        if redaction:
            # The scanner's own targets from the complaint, not the redaction's needles.
            tell("scanning", 0, 1)
            _scan(paths, targets_for(s, [case.id]))
        tell("storing", 0, 1)
        stored = []
        for p in paths:
            with p.open("rb") as fh:
                stored.append(env.store.put_stream(fh))
        manifest_file = env.store.put_bytes(manifest)
        total_pages = volumes[-1].last_page
    with database.session() as s:
        bundle = s.get(Bundle, bundle_id)
        assert bundle is not None
        for st in stored:
            register_blob(s, st.sha256, st.size, "application/pdf")
        register_blob(s, manifest_file.sha256, manifest_file.size, "application/json")
        s.flush()
        for v, st in zip(volumes, stored, strict=True):
            s.add(
                BundleVolume(
                    bundle_id=bundle.id,
                    number=v.number,
                    sha256=st.sha256,
                    size=st.size,
                    pages=v.pages,
                    first_bates=numbering.of(v.first_page),
                    last_bates=numbering.of(v.last_page),
                )
            )
        bundle.status, bundle.built_at, bundle.pages = "done", utcnow(), total_pages
        bundle.manifest_sha256 = manifest_file.sha256
        bundle.contents = index
        append(
            s,
            actor_of(s.get_one(User, bundle.requested_by_id)),
            "bundle.build",
            "bundle",
            bundle.id,
            case_id=bundle.case_id,
            hashes={"volumes": [st.sha256 for st in stored], "manifest": manifest_file.sha256},
        )
        s.commit()
    tell("done", 1, 1)
    return total_pages


def _lay_out_body(
    entries: list[Entry],
    case: Case,
    search: list[Path],
    css: Path,
    env: Env,
    tmp: Path,
    tell: Callable[[str, int, int], None],
) -> list[Run]:
    """Generated entries laid out CHUNK at a time (which page each starts on read from the
    layout's anchors); stored ones written to files and counted. A run per entry, in order,
    each with its measured size in bytes (a photo page weighs a hundred text pages)."""
    template = html_environment(search).get_template("_bundle/body.html")
    store = _BuildStore(env.store, tmp / "rebuilt")
    placed: dict[str, Run] = {}
    done = 0
    tell("laying out", done, len(entries))
    generated = [e for e in entries if e.fragment]
    # Every entry starts a page, so chunks paginate as one document would; a chunk's layout
    # is dropped before the next is made, which bounds memory whatever the case's size.
    for first in range(0, len(generated), CHUNK):
        chunk = generated[first : first + CHUNK]
        path = tmp / f"body-{first // CHUNK}.pdf"
        for e in chunk:
            if e.image is not None:
                e.values["image"] = store.put_image(e.image())
        doc = layout(template.render(entries=chunk, case_number=case.case_number), css, store)
        starts: dict[str, int] = {}
        for i, page in enumerate(doc.pages):
            for key in page.anchors:
                starts.setdefault(key, i)
        bounds = [starts[e.key] for e in chunk] + [len(doc.pages)]
        doc.write_pdf(path)
        del doc
        sizes = page_sizes(path)
        for k, entry in enumerate(chunk):
            entry.pages = bounds[k + 1] - bounds[k]
            size = float(sum(sizes[bounds[k] : bounds[k + 1]]))
            placed[entry.key] = Run(entry, path, bounds[k], entry.pages, size)
        done += len(chunk)
        tell("laying out", done, len(entries))
    for entry in entries:
        if entry.fragment:
            continue
        assert entry.pdf is not None
        path = tmp / f"{entry.key}.pdf"
        path.write_bytes(entry.pdf())
        try:
            with pikepdf.open(path) as pdf:
                entry.pages = len(pdf.pages)
        except pikepdf.PdfError as exc:
            raise Invalid(
                f"{entry.title} ({entry.sources[0]['record']}) could not be read as PDF; "
                "replace the stored file and build again."
            ) from exc
        placed[entry.key] = Run(entry, path, 0, entry.pages, float(path.stat().st_size))
        done += 1
        tell("laying out", done, len(entries))
    return [placed[e.key] for e in entries]


class _BuildStore:
    """The store as the layout reads it, with the images made for this bundle alone beside
    it: in the build's temporary directory, gone with it, never stored or registered."""

    def __init__(self, store: Store, folder: Path) -> None:
        self.store = store
        self.folder = folder
        folder.mkdir(exist_ok=True)

    def put_image(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        (self.folder / sha256).write_bytes(data)
        return sha256

    def local_path(self, sha256: str) -> Path:
        made = self.folder / check_hash(sha256)  # a hash before it names a path
        return made if made.is_file() else self.store.local_path(sha256)


def _front(
    runs: list[Run],
    cover: dict[str, Any],
    numbering: Bates,
    search: list[Path],
    css: Path,
    env: Env,
    tmp: Path,
    limit: float,
) -> tuple[list[Volume], list[dict[str, Any]]]:
    """Lay out the cover and index until the page numbers they print are where the records
    fall (the index's own length moves them), then split into volumes."""
    path = tmp / "front.pdf"
    pages, size = _front_guess(runs), 60_000.0
    for _ in range(6):
        front = Run(None, path, 0, pages, size)
        volumes = split([front, *runs], limit)
        index = _index(volumes, numbering)
        total = volumes[-1].last_page
        html = (
            html_environment(search)
            .get_template("_bundle/front.html")
            .render(
                index=_by_section(index),
                volumes=_volume_rows(volumes, numbering),
                pages=total,
                last_bates=numbering.of(total),
                **cover,
            )
        )
        doc = layout(html, css, env.store)
        doc.write_pdf(path)
        laid = len(doc.pages)
        if laid == pages:
            return volumes, index
        pages, size = laid, float(path.stat().st_size)
    raise RuntimeError("the index's page count did not settle")


def _front_guess(runs: list[Run]) -> int:
    """The cover and index's likely page count, from the index's rows (a title longer than its
    column takes two lines), so that one layout usually suffices: a wrong guess costs another
    layout, never a wrong number."""
    entries = list({r.entry.key: r.entry for r in runs if r.entry is not None}.values())
    lines = sum(1 + len(e.title) // INDEX_TITLE_CHARS for e in entries)
    lines += len({e.section for e in entries}) + INDEX_PAGE_LINES - FIRST_INDEX_PAGE_LINES
    return 1 + -(-lines // INDEX_PAGE_LINES)


def _index(volumes: list[Volume], numbering: Bates) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for v in volumes:
        page = v.first_page
        for run in v.runs:
            e = run.entry
            # A record split across volumes is indexed where it starts.
            if e is not None and e.key not in seen:
                seen.add(e.key)
                rows.append(
                    {
                        "key": e.key,
                        "number": len(rows) + 1,
                        "section": e.section,
                        "title": e.title,
                        "on": e.on,
                        "level": e.level,
                        "volume": v.number,
                        "page": page,
                        "pages": e.pages,
                        "bates": numbering.of(page),
                        "sources": e.sources,
                    }
                )
            page += run.count
    return rows


def _by_section(index: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    return [
        (s, [r for r in index if r["section"] == s])
        for s in SECTIONS
        if any(r["section"] == s for r in index)
    ]


def _volume_rows(volumes: list[Volume], numbering: Bates) -> list[dict[str, Any]]:
    if len(volumes) == 1:
        return []
    return [
        {
            "number": v.number,
            "first_page": v.first_page,
            "last_page": v.last_page,
            "first_bates": numbering.of(v.first_page),
            "last_bates": numbering.of(v.last_page),
        }
        for v in volumes
    ]


def _cover(
    s: Session,
    bundle: Bundle,
    case: Case,
    profile: Profile,
    numbering: Bates,
    redaction: Redaction | None,
) -> dict[str, Any]:
    zone = profile.zone
    jurisdiction = s.get(Jurisdiction, case.jurisdiction_code)
    asker = s.get(User, bundle.requested_by_id)
    parties = s.scalars(select(Party).where(Party.case_id == case.id).order_by(Party.id))
    return {
        "agency": profile.data["letterhead"]["organization"],
        "jurisdiction": jurisdiction.name if jurisdiction else case.jurisdiction_code,
        "case_number": case.case_number,
        "address": case.property.address,
        "status": label(case.status),
        "opened": case.opened_at.astimezone(zone).date().isoformat(),
        "closed": case.closed_at.astimezone(zone).date().isoformat() if case.closed_at else None,
        "parties": [f"{p.name} ({label(p.role).lower()})" for p in parties],
        "prepared_on": utcnow().astimezone(zone).date().isoformat(),
        "prepared_for": (asker.display_name or asker.username) if asker else "counsel",
        "first_bates": numbering.of(1),
        "redacted": redaction is not None,
        "label": redaction.label if redaction else None,
    }


def _manifest(
    bundle: Bundle,
    case: Case,
    volumes: list[Volume],
    index: list[dict[str, Any]],
    numbering: Bates,
) -> bytes:
    rows = []
    for r in index:
        last = r["page"] + r["pages"] - 1
        for src in r["sources"]:
            rows.append(
                {
                    "record": src["record"],
                    "title": r["title"],
                    "section": r["section"],
                    "sha256": src["sha256"],
                    "media_type": src.get("media_type"),
                    "size": src.get("size"),
                    "first_bates": r["bates"],
                    "last_bates": numbering.of(last),
                }
            )
    body = {
        "bundle": bundle.id,
        "case_number": case.case_number,
        "redacted": bundle.redacted,
        "algorithm": "SHA-256",
        "bates_prefix": bundle.bates_prefix,
        "pages": volumes[-1].last_page,
        "files": rows,
    }
    return json.dumps(body, indent=2, sort_keys=True).encode()


def _write(
    volumes: list[Volume],
    bundle: Bundle,
    case: Case,
    manifest: bytes,
    numbering: Bates,
    tmp: Path,
    tell: Callable[[str, int, int], None],
) -> list[Path]:
    targets: dict[str, tuple[int, int]] = {}
    for v in volumes:
        offset = 0
        for run in v.runs:
            if run.entry is not None and run.entry.key not in targets:
                targets[run.entry.key] = (v.number, offset)
            offset += run.count
    names = {v.number: file_name(case.case_number, bundle.id, v.number) for v in volumes}
    total = volumes[-1].last_page
    done = [0]

    def step(n: int) -> None:
        done[0] += n
        if done[0] % 25 == 0 or done[0] == total:
            tell("assembling", done[0], total)

    redacted = " - complainant identity withheld" if bundle.redacted else ""

    def left(page: int) -> str:
        return f"{case.case_number} - page {page} of {total}{redacted}"

    paths = []
    for v in volumes:
        path = tmp / names[v.number]
        write_volume(
            v,
            len(volumes),
            numbering,
            left,
            targets,
            names,
            manifest,
            f"Court bundle, case {case.case_number}",
            path,
            step,
        )
        paths.append(path)
    return paths


def file_name(case_number: str, bundle_id: int, volume: int) -> str:
    return f"{case_number}-bundle-{bundle_id}-vol{volume}.pdf"


def _scan(paths: list[Path], targets: Targets) -> None:
    """The redacted variant leaves only if the release scanner finds nothing in it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for p in paths:
            zf.writestr(p.name, p.read_bytes())
    findings = scan_package(buf.getvalue(), targets)
    if findings:
        where = "; ".join(f"{f.file} ({f.where}, {f.kind})" for f in findings[:5])
        raise Invalid(
            f"the redacted bundle still shows the complainant's identity: {where}. Nothing "
            "was stored; redact the record on the case (or leave it out) and build again."
        )

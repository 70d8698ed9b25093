"""Assembling a bundle's volumes with pikepdf (qpdf): pages from the generated PDFs and the
stored records in order (an upload's pages made inert first: bundles/inert.py), a Bates stamp
on every page, page labels that match the printed page numbers, bookmarks by section and record,
the index's entries made links, the manifest attached.

Volumes split between records where they can (within a record where one alone exceeds the
limit); page numbers and Bates numbers run on across them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, Pdf

from docsvc.bundles import inert, stamp
from docsvc.bundles.contents import Entry

LINK = "https://docsvc.invalid/part/"


@dataclass
class Run:
    """Pages `start`..`start + count - 1` (0-based) of one source file, for one entry."""

    entry: Entry | None  # None: the front (cover and index)
    path: Path
    start: int
    count: int
    size: float  # estimated bytes


@dataclass
class Volume:
    number: int
    runs: list[Run] = field(default_factory=list)
    first_page: int = 1  # bundle page number of its first page

    @property
    def pages(self) -> int:
        return sum(r.count for r in self.runs)

    @property
    def last_page(self) -> int:
        return self.first_page + self.pages - 1

    @property
    def size(self) -> float:
        return sum(r.size for r in self.runs)


def split(runs: list[Run], limit: float) -> list[Volume]:
    """Runs into volumes of at most `limit` estimated bytes, breaking between runs, and inside
    a run only when it alone is larger than a volume."""
    pieces: list[Run] = []
    for r in runs:
        if r.size <= limit or r.count == 1:
            pieces.append(r)
            continue
        per_page = r.size / r.count
        step = max(1, int(limit // per_page))
        for k in range(0, r.count, step):
            n = min(step, r.count - k)
            pieces.append(Run(r.entry, r.path, r.start + k, n, per_page * n))
    volumes = [Volume(1)]
    for piece in pieces:
        current = volumes[-1]
        if current.runs and current.size + piece.size > limit:
            current = Volume(len(volumes) + 1, first_page=current.first_page + current.pages)
            volumes.append(current)
        current.runs.append(piece)
    return volumes


def page_sizes(path: Path) -> list[int]:
    """Each page's weight in bytes: its content streams and the images it draws. Only what it
    draws: a generated document's pages share one resource dictionary naming every image."""
    sizes = []
    with Pdf.open(path) as pdf:
        for page in pdf.pages:
            total = sum(int(c.stream_dict.get("/Length", 0)) for c in _contents(page))
            xobjects = page.resources.get("/XObject", Dictionary())
            drawn = {str(op.operands[0]) for op in pikepdf.parse_content_stream(page, "Do")}
            for name in drawn:
                x = xobjects.get(name)
                if x is not None and x.get("/Subtype") == Name.Image:
                    total += int(x.stream_dict.get("/Length", 0))
            sizes.append(total)
    return sizes


def _contents(page: pikepdf.Page) -> list[pikepdf.Object]:
    contents = page.obj.get("/Contents")
    if contents is None:
        return []
    return list(contents) if isinstance(contents, Array) else [contents]


@dataclass(frozen=True)
class Bates:
    """A bundle's Bates numbering: `prefix` and a zero-padded number, `start` on page 1 and
    running on, page by page, across volumes."""

    prefix: str
    start: int

    def of(self, page: int) -> str:
        """The Bates number of bundle page `page` (1-based)."""
        return f"{self.prefix}{self.start + page - 1:06d}"


def write_volume(
    volume: Volume,
    volumes: int,
    numbering: Bates,
    left: Callable[[int], str],
    targets: dict[str, tuple[int, int]],
    file_names: dict[int, str],
    manifest: bytes,
    title: str,
    out_path: Path,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write one volume to `out_path`, each page stamped with `left(page)` and its Bates
    number. `targets`: entry key -> (volume, 0-based page in it),
    for the index's links; `file_names`: volume number -> the file name a link to another
    volume opens."""
    out = Pdf.new()
    sources: dict[Path, Pdf] = {}
    try:
        font = stamp.font(out)
        starts: list[tuple[Entry | None, int]] = []
        for run in volume.runs:
            src = sources.get(run.path)
            if src is None:
                src = sources[run.path] = Pdf.open(run.path)
                if run.entry is not None and run.entry.fragment is None:
                    inert.disarm(src)  # a stored record: anyone's upload
            first = len(out.pages)
            out.pages.extend(src.pages[run.start : run.start + run.count])
            if run.entry is not None and run.entry.fragment is None:
                for page in out.pages[first:]:  # a stored record: free the strip
                    stamp.make_room(page)
            starts.append((run.entry, first))
        inert.sweep(out)  # whatever an upload's pages reached, before the volume's own links
        for i, page in enumerate(out.pages):
            number = volume.first_page + i
            stamp.stamp(page, font, left(number), numbering.of(number))
            if progress:
                progress(1)
        _link_index(out, volume.number, targets, file_names)
        _outline(out, starts)
        out.Root.PageLabels = out.make_indirect(
            Dictionary(Nums=Array([0, Dictionary(S=Name.D, St=volume.first_page)]))
        )
        out.Root.PageMode = Name.UseOutlines
        title = f"{title}, volume {volume.number} of {volumes}"
        with out.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
            meta["xmp:CreatorTool"] = "docsvc"
        out.docinfo[Name.Title] = title
        out.docinfo[Name.Producer] = "docsvc"
        out.attachments["manifest.json"] = pikepdf.AttachedFileSpec(  # type: ignore[call-arg]  # pikepdf's stub drops its defaults
            out, manifest, description="SHA-256 of every source file", mime_type="application/json"
        )
        out.remove_unreferenced_resources()
        out.save(
            out_path,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            deterministic_id=True,
        )
    finally:
        out.close()
        for src in sources.values():
            src.close()


def _outline(out: Pdf, starts: list[tuple[Entry | None, int]]) -> None:
    with out.open_outline() as outline:
        section_item: OutlineItem | None = None
        section_name = None
        parent: OutlineItem | None = None
        for entry, first in starts:
            if entry is None:
                outline.root.append(OutlineItem("Cover and index", first))
                continue
            if entry.section != section_name:
                section_name = entry.section
                section_item = OutlineItem(entry.section, first)
                outline.root.append(section_item)
            assert section_item is not None
            item = OutlineItem(entry.title, first)
            if entry.level == 2 and parent is not None:
                parent.children.append(item)
            else:
                section_item.children.append(item)
                parent = item


def _link_index(
    out: Pdf,
    number: int,
    targets: dict[str, tuple[int, int]],
    file_names: dict[int, str],
) -> None:
    """The index's entries were laid out as links to placeholder addresses: point each at the
    page where its record starts, in this volume or in the volume's file."""
    for page in out.pages:
        for annot in page.obj.get("/Annots", []):
            action = annot.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if not uri.startswith(LINK):
                continue
            target = targets.get(uri[len(LINK) :])
            if target is None:
                del annot["/A"]
                continue
            volume, index = target
            if volume == number:
                annot.A = Dictionary(S=Name.GoTo, D=Array([out.pages[index].obj, Name.Fit]))
            else:
                annot.A = Dictionary(
                    S=Name.GoToR,
                    F=pikepdf.String(file_names[volume]),
                    D=Array([index, Name.Fit]),
                    NewWindow=False,
                )

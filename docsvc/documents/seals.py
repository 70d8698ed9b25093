"""The jurisdiction's seal or logo, printed in a notice's letterhead.

A city puts `seal.svg` or `seal.png` in its profile folder (records/jurisdictions/<code>/, or
the data directory's jurisdictions/<code>/, which wins). A notice freezes the file's hash in its
context; the renderer prints the file only while it still has that hash, so a re-rendered notice
never shows a seal it was not issued with. No file: no image, nothing else changes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from docsvc.profiles.loader import records_dir

SEAL_FILES = {"seal.svg": "image/svg+xml", "seal.png": "image/png"}  # SVG first: it scales


def _folders(code: str, data_dir: Path | None) -> list[Path]:
    dirs = [data_dir / "jurisdictions" / code] if data_dir is not None else []
    return [*dirs, records_dir() / "jurisdictions" / code]


def find(
    code: str, data_dir: Path | None, names: tuple[str, ...] = tuple(SEAL_FILES)
) -> Path | None:
    """The seal file (of `names`, in order) for jurisdiction `code`, or None."""
    for folder in _folders(code, data_dir):
        for name in names:
            if (folder / name).is_file():
                return folder / name
    return None


def seal_of(code: str, data_dir: Path | None) -> dict[str, str] | None:
    """What a notice's context records of the seal: its file name, media type and hash."""
    path = find(code, data_dir)
    if path is None:
        return None
    return {
        "file": path.name,
        "media_type": SEAL_FILES[path.name],
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }


def seal_path(code: str, data_dir: Path | None, seal: dict[str, str] | None) -> Path | None:
    """The file to print for a context's `seal`: only while it still has the frozen hash."""
    if not seal:
        return None
    path = find(code, data_dir, (seal["file"],))
    if path is None or hashlib.sha256(path.read_bytes()).hexdigest() != seal["sha256"]:
        return None
    return path


def raster_of(code: str, data_dir: Path | None, seal: dict[str, str] | None) -> Path | None:
    """A PNG of the seal for the DOCX (Word takes no SVG): the PNG beside the frozen seal,
    when the folder has one."""
    if seal_path(code, data_dir, seal) is None:
        return None
    return find(code, data_dir, ("seal.png",))

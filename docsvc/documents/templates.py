"""Where a document's templates come from: a jurisdiction's own files first, then the defaults.

Shipped defaults live in templates/; a jurisdiction overrides any of them at the same path under
its profile folder's templates/ (shipped in records/, or installed into the data directory by
`docsvc profile load`).
"""

from __future__ import annotations

from pathlib import Path

from docsvc.profiles.loader import records_dir


def default_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    shipped = here / "_shipped" / "templates"
    return shipped if shipped.is_dir() else here.parent / "templates"


def search_path(code: str, data_dir: Path | None) -> list[Path]:
    dirs = []
    if data_dir is not None:
        dirs.append(data_dir / "jurisdictions" / code / "templates")
    dirs.append(records_dir() / "jurisdictions" / code / "templates")
    dirs.append(default_dir())
    return [d for d in dirs if d.is_dir()]


def find(code: str, data_dir: Path | None, *candidates: str) -> Path:
    """The first of `candidates` (relative paths) found along the search path."""
    for directory in search_path(code, data_dir):
        for name in candidates:
            path = directory / name
            if path.is_file():
                return path
    raise FileNotFoundError(f"no template among {candidates} for {code}")

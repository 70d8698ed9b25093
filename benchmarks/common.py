"""Shared set-up for the benchmarks: a throwaway data directory with the service initialised."""

from __future__ import annotations

import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from docsvc.app import create_app
from docsvc.auth.credentials import create_user, issue_token
from docsvc.bootstrap import initialize
from docsvc.config import Settings

OUT = Path(__file__).resolve().parent / "out"


def fresh_app(root: Path | None = None):  # type: ignore[no-untyped-def]
    root = root or Path(tempfile.mkdtemp(prefix="docsvc-bench-"))
    settings = Settings(
        data_dir=root,
        database_url=f"sqlite:///{root / 'db.sqlite3'}",
        secret_key="b" * 32,
        max_upload_bytes=200 * 1024 * 1024,
    )
    initialize(settings)
    app = create_app(settings)
    with app.extensions["docsvc.db"].session() as s:
        user = create_user(s, "bench", "officer", display_name="Bench Officer", badge="1047")
        token = issue_token(s, user)
        s.commit()
    return app, settings, {"Authorization": f"Bearer {token}"}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": statistics.median(values),
        "p95": percentile(values, 0.95),
        "min": min(values),
        "max": max(values),
    }


def save(name: str, result: dict[str, Any]) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    return path

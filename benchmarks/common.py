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


def fresh_app(root: Path | None = None):
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


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss
    across exec, so a child started from a larger parent would report the parent's peak."""
    with open("/proc/self/status") as fh:
        line = next(x for x in fh if x.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


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


def seed_case(
    client, headers, jurisdiction: str, offset: str, violation_type: str
) -> tuple[str, int, int]:
    """A case opened from a complaint, with an owner and one violation: (number, owner id,
    violation id)."""
    body = {
        "jurisdiction": jurisdiction,
        "property": {"address": "1418 Elm Street"},
        "complaint": {
            "received_at": f"2026-11-02T09:30:00{offset}",
            "channel": "web",
            "description": "Tires, debris and weeds over 3 ft behind the garage.",
            "anonymous": False,
            "complainant": {"name": "A Neighbour", "phone": "903-555-0100"},
            "disclosure_preference": "nondisclosure",
        },
    }
    r = client.post("/api/cases", json=body, headers=headers)
    assert r.status_code == 201, r.json
    case = r.json["case_number"]
    owner = client.post(
        f"/api/cases/{case}/parties",
        headers=headers,
        json={"role": "owner", "name": "Smith & Sons <LLC>", "mailing_address": "PO Box 9"},
    ).json["id"]
    vid = client.post(
        f"/api/cases/{case}/violations",
        headers=headers,
        json={
            "violation_type": violation_type,
            "description": "Tires, debris and weeds over 3 ft",
            "observed_at": f"2026-11-03T10:00:00{offset}",
        },
    ).json["id"]
    return case, owner, vid

"""Reading, checking and storing jurisdiction profiles."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from docsvc.models import Jurisdiction
from docsvc.profiles.model import Profile
from docsvc.profiles.schema import ProfileSchema
from docsvc.timeutil import utcnow
from docsvc.validation import flatten_errors

PROFILE_FILE = "profile.yaml"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it


class ProfileError(Exception):
    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.path = path
        self.problems = problems


def records_dir() -> Path:
    """Where the shipped records program lives: inside the wheel, or beside the package."""
    here = Path(__file__).resolve().parent.parent
    shipped = here / "_shipped" / "records"
    return shipped if shipped.is_dir() else here.parent / "records"


def shipped_profile_paths() -> list[Path]:
    return sorted((records_dir() / "jurisdictions").glob(f"*/{PROFILE_FILE}"))


def _resolve(path: Path) -> Path:
    return path / PROFILE_FILE if path.is_dir() else path


def load_profile_file(path: Path) -> Profile:
    path = _resolve(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except FileNotFoundError as exc:
        raise ProfileError(path, ["no such file"]) from exc
    except yaml.YAMLError as exc:
        raise ProfileError(path, [f"not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise ProfileError(path, ["the file must hold a mapping of profile fields"])
    try:
        data = ProfileSchema().load(raw)
    except ValidationError as exc:
        raise ProfileError(path, flatten_errors(exc.messages)) from exc
    # Round-trip through JSON so dates become strings exactly as they will be stored.
    return Profile(json.loads(json.dumps(data, default=str)))


def check_profile_path(path: Path) -> Profile:
    return load_profile_file(path)


def profile_sha256(profile: Profile) -> str:
    return hashlib.sha256(
        json.dumps(profile.data, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def store_profile(session: Session, profile: Profile) -> tuple[Jurisdiction, bool]:
    """Insert or update the jurisdiction row; returns (row, changed)."""
    digest = profile_sha256(profile)
    row = session.get(Jurisdiction, profile.code)
    if row is not None and row.profile_sha256 == digest:
        return row, False
    if row is None:
        row = Jurisdiction(code=profile.code)
        session.add(row)
    row.name = profile.name
    row.timezone = profile.timezone
    row.case_prefix = profile.case_prefix
    row.profile = profile.data
    row.profile_sha256 = digest
    row.loaded_at = utcnow()
    return row, True


def profile_of(row: Jurisdiction) -> Profile:
    return Profile(row.profile)


def find_jurisdiction(session: Session, code: str) -> Jurisdiction | None:
    """Loaded jurisdiction `code`, if there is one."""
    return session.get(Jurisdiction, code)


def profile_for(session: Session, code: str) -> Profile:
    """The profile of jurisdiction `code` (which must exist: a case's, say)."""
    return profile_of(session.get_one(Jurisdiction, code))


def summary(row: Jurisdiction) -> dict[str, Any]:
    p = row.profile
    return {
        "code": row.code,
        "name": row.name,
        "state": p["state"],
        "timezone": row.timezone,
        "case_number_prefix": row.case_prefix,
        "complaint_rules": p["complaints"],
        "public_records": {
            "law": p["public_records"]["law"],
            "response_clock": p["public_records"]["response_clock"],
        },
        "sources": p["sources"],
    }

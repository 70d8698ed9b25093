"""Retention schedules as data: one YAML file per jurisdiction (shipped in `retention/`, or a
city's adopted file of the same name in `DATA/retention/`), read and checked here.

A period counts from a date to the same date N years, months and days later; from 29 February
it ends on 1 March of a common year, so a record is never kept a day short.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from docsvc.errors import Invalid

TRIGGERS = ("created", "case_closed", "last_action", "lien_released", "appeals_exhausted")
SELECTORS = ("has_lien", "has_notice", "always")
BLOCKS = ("legal_hold", "open_request", "unreleased_lien")
APPROVER_ROLES = ("records", "attorney", "admin")


@dataclass(frozen=True)
class Period:
    years: int = 0
    months: int = 0
    days: int = 0

    def after(self, start: date) -> date:
        months = start.month - 1 + self.months + 12 * self.years
        year, month = start.year + months // 12, months % 12 + 1
        last = calendar.monthrange(year, month)[1]
        if start.day > last:  # 29 Feb (or the 31st) in a shorter month: the next day's first
            end = date(year, month, last) + timedelta(days=1)
        else:
            end = date(year, month, start.day)
        return end + timedelta(days=self.days)

    def text(self) -> str:
        parts = [(self.years, "year"), (self.months, "month"), (self.days, "day")]
        return ", ".join(f"{n} {w}{'s' if n != 1 else ''}" for n, w in parts if n) or "0 days"


@dataclass(frozen=True)
class Series:
    code: str
    title: str
    when: str
    trigger: tuple[str, ...]
    period: Period | None
    disposition: str
    citation: str
    state_item: str | None
    note: str | None


@dataclass(frozen=True)
class Schedule:
    jurisdiction: str
    title: str
    floor: Period | None
    floor_citation: str | None
    blocks: dict[str, str]
    approvals: tuple[tuple[str, str], ...]  # (role, as what)
    series: tuple[Series, ...]
    source: str  # "shipped" or "adopted"
    sha256: str

    @property
    def required_roles(self) -> list[str]:
        return [role for role, _ in self.approvals]


def shipped_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    shipped = here / "_shipped" / "retention"
    return shipped if shipped.is_dir() else here.parent / "retention"


def path_for(code: str, data_dir: Path) -> tuple[Path, str]:
    adopted = data_dir / "retention" / f"{code}.yaml"
    if adopted.is_file():
        return adopted, "adopted"
    return shipped_dir() / f"{code}.yaml", "shipped"


def load(code: str, data_dir: Path) -> Schedule | None:
    """The jurisdiction's schedule, or None when it has none (nothing becomes eligible)."""
    path, source = path_for(code, data_dir)
    if not path.is_file():
        return None
    raw = path.read_bytes()
    return parse(yaml.safe_load(raw), source, hashlib.sha256(raw).hexdigest(), path)


def _period(value: Any, where: str, problems: list[str]) -> Period | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not set(value) <= {"years", "months", "days", "citation"}:
        problems.append(f"{where}: give years, months and/or days, or null")
        return None
    nums = {k: value.get(k, 0) for k in ("years", "months", "days")}
    if not all(isinstance(v, int) and 0 <= v <= 200 for v in nums.values()):
        problems.append(f"{where}: years, months and days are whole numbers from 0")
        return None
    return Period(**nums)


def parse(data: Any, source: str, sha256: str, path: Path) -> Schedule:
    problems: list[str] = []
    if not isinstance(data, dict):
        raise Invalid(f"{path}: the file must hold a mapping")
    floor_raw = data.get("floor")
    floor = _period(floor_raw, "floor", problems)
    blocks = data.get("blocks") or {}
    for name in BLOCKS:
        if not isinstance(blocks.get(name), str):
            problems.append(f"blocks.{name}: give the authority for this block")
    approvals = []
    for n, a in enumerate(data.get("approvals") or []):
        if not isinstance(a, dict) or a.get("role") not in APPROVER_ROLES:
            problems.append(f"approvals[{n}]: role must be one of {', '.join(APPROVER_ROLES)}")
            continue
        approvals.append((a["role"], str(a.get("as") or a["role"])))
    if not approvals:
        problems.append("approvals: at least one role must approve a disposition")
    series = []
    for n, s in enumerate(data.get("series") or []):
        where = f"series[{n}]"
        if not isinstance(s, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        trigger = s.get("trigger") or []
        if not trigger or any(t not in TRIGGERS for t in trigger):
            problems.append(f"{where}.trigger: events from {', '.join(TRIGGERS)}")
        if s.get("when") not in SELECTORS:
            problems.append(f"{where}.when: one of {', '.join(SELECTORS)}")
        for key in ("code", "title", "citation"):
            if not isinstance(s.get(key), str) or not s[key].strip():
                problems.append(f"{where}.{key}: required")
        if s.get("disposition") != "destroy":
            problems.append(f"{where}.disposition: only 'destroy' is supported")
        series.append(
            Series(
                code=str(s.get("code")),
                title=str(s.get("title")),
                when=str(s.get("when")),
                trigger=tuple(trigger),
                period=_period(s.get("period"), f"{where}.period", problems),
                disposition="destroy",
                citation=str(s.get("citation")),
                state_item=s.get("state_item"),
                note=s.get("note"),
            )
        )
    if not series or series[-1].when != "always":
        problems.append("series: the last series must have when: always, so every case has one")
    if problems:
        raise Invalid(f"{path}: " + "; ".join(problems), {"problems": problems})
    return Schedule(
        jurisdiction=str(data.get("jurisdiction")),
        title=str(data.get("title") or ""),
        floor=floor,
        floor_citation=floor_raw.get("citation") if isinstance(floor_raw, dict) else None,
        blocks={k: blocks[k] for k in BLOCKS},
        approvals=tuple(approvals),
        series=tuple(series),
        source=source,
        sha256=sha256,
    )

"""What a report is: tables and charts, plus the checks that tie its totals to the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    total: list[Any] | None = None
    note: str | None = None


@dataclass
class Chart:
    """A chart spec; drawn by docsvc.reports.charts. kind: bar, stacked_bar, barh,
    stacked_barh or line. series: name -> values, one per label."""

    title: str
    kind: str
    labels: list[str]
    series: dict[str, list[float]]
    y_label: str = ""
    percent: bool = False


@dataclass
class Report:
    name: str
    title: str
    jurisdiction: str
    organization: str
    year: int
    generated_at: datetime
    basis: list[str]
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    # Each check: what was compared, the report's figure, the ledger's, whether they agree.
    reconciliation: list[dict[str, Any]] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def reconciled(self) -> bool:
        return all(c["agrees"] for c in self.reconciliation)


def year_bounds(year: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The calendar year in the jurisdiction's own zone, as instants [start, end)."""
    return (
        datetime.combine(date(year, 1, 1), time(0), zone),
        datetime.combine(date(year + 1, 1, 1), time(0), zone),
    )


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)

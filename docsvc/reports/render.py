"""A report to CSV (one block per table, for a spreadsheet) and to PDF (tables and charts)."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from markupsafe import Markup

from docsvc.documents import templates
from docsvc.documents.pdf import html_environment, write_pdf
from docsvc.reports.charts import svg
from docsvc.reports.model import Report
from docsvc.store import Store


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.1f}"
    return str(value)


def _plain(value: Any) -> Any:
    """JSON's value for a cell: numbers stay numbers, money and dates become strings."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_json(report: Report) -> dict[str, Any]:
    out = _plain(asdict(report))
    out["reconciled"] = report.reconciled
    return out


def _safe(text: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def to_csv(report: Report) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([report.title])
    w.writerow([f"{report.organization} · {report.year}"])
    w.writerow([f"Generated {report.generated_at.isoformat(timespec='seconds')}"])
    for t in report.tables:
        w.writerow([])
        w.writerow([t.title])
        w.writerow(t.columns)
        for row in t.rows:
            w.writerow([_safe(cell(v)) for v in row])
        if t.total is not None:
            w.writerow([_safe(cell(v)) for v in t.total])
    if report.reconciliation:
        w.writerow([])
        w.writerow(["Reconciliation with the ledger"])
        w.writerow(["Check", "Report", "Ledger", "Agrees"])
        for c in report.reconciliation:
            agrees = "yes" if c["agrees"] else "no"
            w.writerow([c["check"], cell(c["report"]), cell(c["ledger"]), agrees])
    # BOM: Excel then reads the file as UTF-8 (names like O'Brien-Nguyễn survive).
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_html(report: Report, jurisdiction: str, data_dir: Path | None) -> tuple[str, Path]:
    search = templates.search_path(jurisdiction, data_dir)
    env = html_environment(search)
    html = env.get_template("_reports/report.html").render(
        report=report,
        charts=[Markup(svg(c)) for c in report.charts],
        cell=cell,
    )
    return html, templates.find(jurisdiction, data_dir, "_reports/report.css")


def to_pdf(report: Report, jurisdiction: str, data_dir: Path | None, store: Store) -> bytes:
    html, css = to_html(report, jurisdiction, data_dir)
    return write_pdf(html, css, store)

"""Releasing a request: the package built, scanned, and only then stored and linked.

The package is a ZIP of PDFs named by case number and sequence, an index, and the exemption
log as PDF and JSON. It is assembled outside any transaction, scanned by the leak scanner with
every withheld complainant's identifiers, and refused (409 release_blocked, with the findings)
if anything is found that a clerk has not dismissed with a reason. A release that passes is
stored, hashed, linked by an unguessable token and audited in one transaction.
"""

from __future__ import annotations

import io
import json
import secrets
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.attachments.service import register_blob
from docsvc.audit import actor_of, append
from docsvc.cases.service import case_profile
from docsvc.disclosure import exceptions, ruling
from docsvc.disclosure.pages import Box, rebuild
from docsvc.disclosure.prepare import WITHHOLDING, label_of, needles_for
from docsvc.disclosure.renditions import describe, source_pdf
from docsvc.disclosure.requests import get_request
from docsvc.disclosure.scan_targets import Targets, targets_for
from docsvc.disclosure.scanner import Finding, scan_package
from docsvc.documents.env import Env
from docsvc.documents.pdf import html_environment, write_pdf
from docsvc.documents.templates import find, search_path
from docsvc.errors import Conflict, NotFound
from docsvc.models import (
    Case,
    DisclosureCase,
    DisclosureItem,
    DisclosureRequest,
    Jurisdiction,
    Redaction,
    Release,
    ScanFinding,
    User,
)
from docsvc.profiles.loader import profile_of
from docsvc.timeutil import utcnow

ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # entries carry no real time (nor anyone's time zone)


class ReviewRequired(Conflict):
    code = "review_required"


class ReleaseBlocked(Conflict):
    code = "release_blocked"


@dataclass
class Package:
    data: bytes
    log: list[dict[str, Any]]
    files: int
    # What the leak scanner looks for, from the case records (never the redaction's needles),
    # and whether any case withholds: then the package is scanned.
    targets: Targets
    withholding: bool


def release_of(session: Session, user: User, request_id: int) -> Release:
    """The release of a request `user` may see: what a staff download of the package sends,
    from the API and the pages alike (the caller checks the 'disclosure' permission)."""
    req = get_request(session, user, request_id)
    rel = session.scalar(select(Release).where(Release.request_id == req.id))
    if rel is None:
        raise NotFound(f"request {req.id} has not been released.")
    return rel


def check_ready(session: Session, req: DisclosureRequest, accept_proposed: bool) -> None:
    """Everything a person must do before the machine may build the package."""
    if req.status == "preparing":
        raise ReviewRequired(
            "the records are still being prepared for review; try again when the request "
            "is in review."
        )
    if req.status == "released":
        raise Conflict("the request is already released; its package is at its public link.")
    decisions = session.scalars(
        select(DisclosureCase).where(DisclosureCase.request_id == req.id)
    ).all()
    pending = [d for d in decisions if d.decision == "counsel"]
    if pending:
        numbers = [session.get_one(Case, d.case_id).case_number for d in pending]
        raise ReviewRequired(
            "the profile names no exemption that settles the complainant's identity in "
            f"{', '.join(numbers)}: seek counsel's review and record counsel's "
            "decision for each before releasing.",
            {"cases": numbers},
        )
    blocker = waits_for(session, req, decisions)
    if blocker:
        raise ReviewRequired(
            blocker,
            {"ruling_due_at": req.ruling_due_at.isoformat() if req.ruling_due_at else None},
        )
    proposed = session.scalar(
        select(Redaction.id).where(Redaction.request_id == req.id, Redaction.status == "proposed")
    )
    if proposed is not None and req.reviewed_at is None and not accept_proposed:
        raise ReviewRequired(
            "the proposed boxes are not reviewed yet: review them, or release accepting the "
            "proposed boxes as they are.",
        )


def waits_for(
    session: Session, req: DisclosureRequest, decisions: Sequence[DisclosureCase] | None = None
) -> str | None:
    """Why a release must wait for the profile's step before withholding (Texas: the Attorney
    General's), in words; None when it need not (nothing is withheld, or the step is done).
    The page says it in place of the release form."""
    if decisions is None:
        decisions = session.scalars(
            select(DisclosureCase).where(DisclosureCase.request_id == req.id)
        ).all()
    if not any(d.decision == "redact" for d in decisions):
        return None
    return ruling.release_blocker(session, req)


def file_names(session: Session, items: Sequence[DisclosureItem]) -> list[str]:
    """Each record's file name in the package, in `items`' order (by seq): its case number
    and its place among that case's records. The page reads findings back by these names."""
    per_case: dict[int, int] = {}
    names = []
    for item in items:
        case = session.get(Case, item.case_id)
        assert case is not None
        per_case[item.case_id] = per_case.get(item.case_id, 0) + 1
        names.append(f"{case.case_number}-{per_case[item.case_id]:03d}.pdf")
    return names


Progress = Callable[[str, int, int], None]  # (stage, done, total)


def build_package(
    session: Session,
    env: Env,
    req: DisclosureRequest,
    reviewer: User,
    progress: Progress | None = None,
) -> Package:
    items = session.scalars(
        select(DisclosureItem)
        .where(DisclosureItem.request_id == req.id)
        .order_by(DisclosureItem.seq)
    ).all()
    decisions = {
        d.case_id: d
        for d in session.scalars(select(DisclosureCase).where(DisclosureCase.request_id == req.id))
    }
    boxes: dict[int, list[Box]] = {}
    for r in session.scalars(select(Redaction).where(Redaction.request_id == req.id)):
        boxes.setdefault(r.item_id, []).append(Box(r.page, r.x0, r.y0, r.x1, r.y1, r.kind))
    now = utcnow()
    # Every date in the package is the jurisdiction's: a request received at 16:00 Pacific
    # was received that day, not the next (UTC's).
    org = session.get(Jurisdiction, req.jurisdiction_code)
    zone = profile_of(org).zone if org else ZoneInfo("UTC")
    at = now.astimezone(zone).isoformat(timespec="seconds")
    reviewer_name = reviewer.display_name or reviewer.username
    files: list[tuple[str, bytes]] = []
    index: list[dict[str, Any]] = []
    log: list[dict[str, Any]] = []
    names = file_names(session, items)
    for n, item in enumerate(items):
        if progress:
            progress("building", n, len(items))
        case = session.get(Case, item.case_id)
        assert case is not None
        decision = decisions[item.case_id]
        # A disclosed complainant is released; another complainant about the property never.
        needles = needles_for(session, decision)
        label = label_of(decision)
        name = names[n]
        source = source_pdf(session, env, case_profile(session, case), case, item, needles, label)
        item_boxes = boxes.get(item.id, []) if needles else []
        data = rebuild(source, item_boxes, label, f"{case.case_number} record {item.seq}")
        files.append((name, data))
        index.append(
            {
                "name": name,
                "case_number": case.case_number,
                "description": describe(session, item),
                "pages": item.page_count,
                "redactions": len(item_boxes),
            }
        )
        entry = {
            "document": name,
            "statute": decision.statute,
            "explanation": decision.explanation,
            "reviewer": reviewer_name,
            "at": at,
        }
        for b in item_boxes:
            log.append({**entry, "page": b.page, "kind": b.kind})
        if needles and item.source == "document":
            # Generated records are redacted in their data: the label stands in the text.
            log.append({**entry, "page": None, "kind": "complainant identity"})
    by_id = {d.case_id: session.get(Case, d.case_id) for d in decisions.values()}
    case_files = {i: f"all records of {c.case_number}" for i, c in by_id.items() if c}
    reviewers: dict[int | None, str] = {}
    for e in exceptions.log_entries(session, req.id, case_files):
        rid = e.pop("reviewer_id")
        if rid not in reviewers:
            who = session.get(User, rid) if rid else None
            reviewers[rid] = (who.display_name or who.username) if who else reviewer_name
        decided = e["at"] or now
        log.append(
            {
                **e,
                "reviewer": reviewers[rid],
                "at": decided.astimezone(zone).isoformat(timespec="seconds"),
            }
        )
    organization = org.name if org else req.jurisdiction_code
    meta = {
        "request_id": req.id,
        "organization": organization,
        "received": req.received_at.astimezone(zone).date().isoformat(),
        "released": now.astimezone(zone).date().isoformat(),
    }
    files.append(("index.pdf", _pdf(env, req, "_disclosure/index.html", files=index, **meta)))
    files.append(("index.json", _json({**meta, "files": index})))
    files.append(
        (
            "exemption-log.pdf",
            _pdf(env, req, "_disclosure/log.html", entries=log, **_log_rows(log), **meta),
        )
    )
    files.append(("exemption-log.json", _json({"request_id": req.id, "entries": log})))
    # Every case that withholds, counsel's undecided too: its complainant as recorded, less
    # only what a clerk confirmed is public in its record.
    # And in every case, the other complainants about its property.
    withheld = [d.case_id for d in decisions.values() if d.decision in WITHHOLDING]
    targets = targets_for(
        session, list(decisions), exceptions.waived(session, req.id), own=set(withheld)
    )
    return Package(_zip(files), log, len(files), targets, bool(targets))


def _log_rows(log: list[dict[str, Any]]) -> dict[str, Any]:
    """The log for reading: each statute explained once; like entries on a page counted; what
    a clerk confirmed public in the record (no statute) listed apart."""
    withheld = [
        e for e in log if e["statute"] is not None or "Not withheld" not in e["explanation"]
    ]
    statutes = {e["statute"]: e["explanation"] for e in withheld if e["statute"]}
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for e in withheld:
        key = (e["document"], e["page"] or 0, e["kind"], e["statute"] or "")
        rows.setdefault(key, {**e, "count": 0})["count"] += 1
    return {
        "statutes": sorted(statutes.items()),
        "rows": [rows[k] for k in sorted(rows)],
        "public": [e for e in log if e not in withheld],
    }


def _pdf(env: Env, req: DisclosureRequest, template: str, **values: Any) -> bytes:
    search = search_path(req.jurisdiction_code, env.settings.data_dir)
    html = html_environment(search).get_template(template).render(**values)
    return write_pdf(
        html,
        find(req.jurisdiction_code, env.settings.data_dir, "_disclosure/release.css"),
        env.store,
    )


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str).encode("utf-8")


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out.getvalue()


def scan(package: Package, progress: Progress | None = None) -> tuple[list[Finding], float]:
    """The leak scanner over the whole package (seconds taken, for the record)."""
    started = time.monotonic()
    findings = (
        scan_package(
            package.data,
            package.targets,
            progress=(lambda done, total: progress("scanning", done, total)) if progress else None,
        )
        if package.withholding
        else []
    )
    return findings, time.monotonic() - started


def record_findings(
    session: Session, req: DisclosureRequest, findings: list[Finding]
) -> list[ScanFinding]:
    """Record new findings; return those a clerk has not dismissed."""
    known = {
        f.key: f
        for f in session.scalars(select(ScanFinding).where(ScanFinding.request_id == req.id))
    }
    open_ones = []
    for f in findings:
        row = known.get(f.key()[:600])
        if row is None:
            row = _finding_row(req, f, utcnow())
            session.add(row)
            known[row.key] = row
        if row.dismissed_at is None:
            open_ones.append(row)
    session.flush()
    return open_ones


def _finding_row(req: DisclosureRequest, f: Finding, now: datetime) -> ScanFinding:
    return ScanFinding(
        request_id=req.id, key=f.key()[:600], file=f.file[:300], location=f.where[:200],
        kind=f.kind, found_at=now,
    )  # fmt: skip


def finding_dict(f: ScanFinding) -> dict[str, Any]:
    return {
        "id": f.id,
        "file": f.file,
        "where": f.location,
        "kind": f.kind,
        "dismissed": f.dismissed_at is not None,
    }


def record_release(
    session: Session,
    env: Env,
    user: User,
    req: DisclosureRequest,
    package: Package,
    seconds: float,
    expires_at: datetime | None = None,
) -> Release:
    stored = env.store.put_bytes(package.data)
    register_blob(session, stored.sha256, stored.size, "application/zip")
    release = Release(
        request_id=req.id,
        token=secrets.token_urlsafe(32),
        package_sha256=stored.sha256,
        exemption_log=package.log,
        released_by_id=user.id,
        released_at=utcnow(),
        files=package.files,
        scan_seconds=round(seconds, 3),
        expires_at=expires_at,
    )
    session.add(release)
    req.status, req.updated_at = "released", utcnow()
    session.flush()
    append(
        session,
        actor_of(user),
        "disclosure.release",
        "disclosure",
        req.id,
        fields=["package", "expires_at"] if expires_at else ["package"],
        hashes={"package": stored.sha256},
    )
    return release

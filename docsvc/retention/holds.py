"""Legal holds and the holds that open public-records requests place by law.

A hold covers cases: named ones, every case on a named property, every case naming a named
person (by the normalised name of the party). While it stands, nothing that exists in those
cases may be changed or destroyed (409 on_hold); new records may still be added, and filling in
what was empty (a notice issued, a service recorded) is adding. The check runs on every flush, so
no code path can forget it; disposition re-checks before it erases.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.auth.scope import visible
from docsvc.errors import Conflict, Invalid, NotFound, OnHold
from docsvc.models import (
    Appeal,
    Attachment,
    BuildingInspectorNotice,
    Bundle,
    BundleVolume,
    Case,
    Citation,
    Complaint,
    DisclosureCase,
    DisclosureRequest,
    Document,
    Hold,
    HoldScope,
    Inspection,
    LedgerEntry,
    Lien,
    Party,
    Property,
    ReturnReceipt,
    ServiceRecord,
    Settlement,
    User,
    Violation,
    Voucher,
)
from docsvc.timeutil import utcnow

OPEN_REQUEST_STATUSES = ("preparing", "review")
# The case file's own records. Disclosure work, search rows, jobs and the audit trail are about
# the case, not part of it.
CASE_RECORDS = (
    Case, Complaint, Party, Violation, Inspection, Attachment, Document, ServiceRecord,
    ReturnReceipt, BuildingInspectorNotice, LedgerEntry, Lien, Citation, Appeal, Settlement,
    Voucher, Bundle, BundleVolume,
)  # fmt: skip
# Columns that record a step in the case's life rather than its content: a held case still
# moves (closed, a lien released, an appeal decided); what it holds does not change.
WORKFLOW = frozenset(
    {
        "status", "updated_at", "closed_at", "closure_reason", "resolution", "superseded_at",
        "needs_reservice", "effective_at", "satisfied_on", "released_on", "decision",
        "decided_on", "appeals_exhausted_on", "hearing_on", "hearing_body", "deadline_at",
        "assigned_officer_id", "aggravating", "follow_up_after_closure",
    }
)  # fmt: skip


def place(session: Session, user: User, data: dict[str, Any]) -> Hold:
    scopes: list[tuple[str, int]] = []
    for number in data.get("case_numbers") or []:
        case = session.scalar(select(Case).where(Case.case_number == number))
        if case is None or not visible(user, case.jurisdiction_code):
            raise Invalid(f"no case {number}: check the case number.", {"field": "case_numbers"})
        scopes.append(("case", case.id))
    for pid in data.get("property_ids") or []:
        prop = session.get(Property, pid)
        if prop is None or not visible(user, prop.jurisdiction_code):
            raise Invalid(f"no property {pid}: check the property id.")
        scopes.append(("property", pid))
    for pid in data.get("party_ids") or []:
        party = session.get(Party, pid)
        case = session.get(Case, party.case_id) if party else None
        if case is None or not visible(user, case.jurisdiction_code):
            raise Invalid(f"no party {pid}: check the party id.")
        scopes.append(("party", pid))
    if not scopes:
        raise Invalid(
            "name what the hold covers: case_numbers, property_ids or party_ids.",
            {"field": "case_numbers"},
        )
    hold = Hold(
        matter=data["matter"], reason=data["reason"], placed_by_id=user.id, placed_at=utcnow()
    )
    session.add(hold)
    session.flush()
    session.add_all(HoldScope(hold_id=hold.id, kind=k, ref_id=r) for k, r in dict.fromkeys(scopes))
    append(session, actor_of(user), "hold.place", "hold", hold.id, fields=["matter", "scope"])
    session.flush()
    return hold


def release(session: Session, user: User, hold_id: int, reason: str | None) -> Hold:
    hold = session.get(Hold, hold_id)
    if hold is None:
        raise NotFound(f"no hold {hold_id}.")
    if hold.released_at is not None:
        raise Conflict(f"hold {hold_id} was already released on {hold.released_at:%Y-%m-%d}.")
    hold.released_at, hold.released_by_id, hold.release_reason = utcnow(), user.id, reason
    append(session, actor_of(user), "hold.release", "hold", hold.id, fields=["released_at"])
    session.flush()
    return hold


def holds(session: Session, *, active_only: bool = False) -> list[Hold]:
    """Every hold, active ones first, newest first within each; or only the active ones, in
    the order placed (as the retention page lists them)."""
    if active_only:
        stmt = select(Hold).where(Hold.released_at.is_(None)).order_by(Hold.id)
    else:
        stmt = select(Hold).order_by(Hold.released_at.is_not(None), Hold.id.desc())
    return list(session.scalars(stmt))


def hold_cases(session: Session, hold_id: int) -> list[int]:
    return sorted(_expand(session, hold_id=hold_id))


def _expand(
    session: Session, only: Collection[int] | None = None, hold_id: int | None = None
) -> dict[int, list[str]]:
    """{case id: [why, ...]} for the active legal holds (or one hold)."""
    stmt = select(HoldScope.kind, HoldScope.ref_id, Hold.id, Hold.matter).join(
        Hold, Hold.id == HoldScope.hold_id
    )
    stmt = stmt.where(Hold.id == hold_id) if hold_id else stmt.where(Hold.released_at.is_(None))
    out: dict[int, list[str]] = {}
    rows = session.execute(stmt).all()
    if not rows:
        return out

    def add(case_ids: Iterable[int], hid: int, matter: str) -> None:
        for cid in case_ids:
            if only is None or cid in only:
                out.setdefault(cid, []).append(f"legal hold {hid} ({matter})")

    for kind, ref, hid, matter in rows:
        if kind == "case":
            add([ref], hid, matter)
        elif kind == "property":
            add(session.scalars(select(Case.id).where(Case.property_id == ref)), hid, matter)
        else:
            key = session.scalar(select(Party.name_key).where(Party.id == ref))
            add(session.scalars(select(Party.case_id).where(Party.name_key == key)), hid, matter)
    return out


def blocks(session: Session, only: Collection[int] | None = None) -> dict[int, list[str]]:
    """Why each case may not be changed or destroyed now: legal holds and open requests."""
    out = _expand(session, only)
    stmt = (
        select(DisclosureCase.case_id, DisclosureRequest.id)
        .join(DisclosureRequest, DisclosureRequest.id == DisclosureCase.request_id)
        .where(DisclosureRequest.status.in_(OPEN_REQUEST_STATUSES))
    )
    for cid, rid in session.execute(stmt):
        if only is None or cid in only:
            out.setdefault(cid, []).append(f"open records request {rid}")
    return out


def _case_of(session: Session, obj: object) -> int | None:
    if isinstance(obj, Case):
        return obj.id
    if isinstance(obj, ServiceRecord):
        return session.scalar(select(Document.case_id).where(Document.id == obj.document_id))
    if isinstance(obj, ReturnReceipt):
        return session.scalar(
            select(Document.case_id)
            .join(ServiceRecord, ServiceRecord.document_id == Document.id)
            .where(ServiceRecord.id == obj.service_id)
        )
    if isinstance(obj, BundleVolume):
        return session.scalar(select(Bundle.case_id).where(Bundle.id == obj.bundle_id))
    if isinstance(obj, BuildingInspectorNotice):
        return session.scalar(select(Document.case_id).where(Document.id == obj.document_id))
    return getattr(obj, "case_id", None)


def _changes_content(obj: object) -> bool:
    for attr in inspect(obj).attrs:
        if attr.key in WORKFLOW:
            continue
        hist = attr.history
        if hist.has_changes() and any(v is not None for v in hist.deleted):
            return True
    return False


def install() -> None:
    """Hook the guard into every session (idempotent): no change to a held record is flushed."""
    if not event.contains(Session, "before_flush", _guard):
        event.listen(Session, "before_flush", _guard)


def _guard(session: Session, _ctx: object, _instances: object) -> None:
    if not session.deleted and not session.dirty:
        return
    with session.no_autoflush:
        touched: dict[int, str] = {}
        for obj in session.deleted:
            if isinstance(obj, CASE_RECORDS):
                cid = _case_of(session, obj)
                if cid is not None:
                    touched[cid] = "destroyed"
        for obj in session.dirty:
            if isinstance(obj, CASE_RECORDS) and _changes_content(obj):
                cid = _case_of(session, obj)
                if cid is not None:
                    touched.setdefault(cid, "changed")
            elif isinstance(obj, Property) and _changes_content(obj):
                for cid in session.scalars(select(Case.id).where(Case.property_id == obj.id)):
                    touched.setdefault(cid, "changed")
        if not touched:
            return
        held = blocks(session, set(touched))
    if held:
        cid = min(held)
        number = session.scalar(select(Case.case_number).where(Case.id == cid))
        raise OnHold(
            f"case {number} is under {held[cid][0]}: what it holds may not be "
            f"{touched[cid]} until the hold is released. New records may still be added.",
            {"case_number": number, "holds": held[cid]},
        )

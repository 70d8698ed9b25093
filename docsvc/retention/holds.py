"""Legal holds and the holds that open public-records requests place by law.

A hold covers cases: named ones, every case on a named property, every case naming a named
person (by the normalised name of the party). While it stands, nothing that exists in those
cases may be changed or destroyed (409 on_hold); new records may still be added, and filling in
what was empty (a notice issued, a service recorded) is adding. The check runs on every flush, so
no code path can forget it; disposition re-checks before it erases.

A hold belongs to the jurisdictions of what it covers (`hold_jurisdictions`): a case's or a
property's own, and for a person only the cases of the jurisdictions its placer worked in when
placing it (a clerk limited to Texas neither holds nor learns of a California case naming the
same person, even after being given California later). Only a user who sees each of them
sees the hold or releases it (`auth.scope.sees_all`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.auth.scope import all_in_sight, among, sees_all, visible
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
    Extension,
    Hold,
    HoldScope,
    Inspection,
    LedgerEntry,
    Lien,
    Party,
    Permit,
    PermitAction,
    Property,
    Referral,
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
    Voucher, Bundle, BundleVolume, Referral, Extension, Permit, PermitAction,
)  # fmt: skip
# Columns that record a step in the case's life rather than its content: a held case still
# moves (closed, a lien released, an appeal decided); what it holds does not change.
WORKFLOW = frozenset(
    {
        "status", "updated_at", "closed_at", "closure_reason", "resolution", "superseded_at",
        "needs_reservice", "effective_at", "satisfied_on", "released_on", "decision",
        "decided_on", "appeals_exhausted_on", "hearing_on", "hearing_body", "deadline_at",
        "assigned_officer_id", "aggravating", "follow_up_after_closure", "decided_by",
        "decided_by_id", "decision_note", "new_compliance_date", "notice_document_id",
        "applied_on", "obtained_on", "permit_number",
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
        matter=data["matter"],
        reason=data["reason"],
        placed_by_id=user.id,
        placed_at=utcnow(),
        jurisdictions=list(user.jurisdictions) if user.jurisdictions is not None else None,
    )
    session.add(hold)
    session.flush()
    session.add_all(HoldScope(hold_id=hold.id, kind=k, ref_id=r) for k, r in dict.fromkeys(scopes))
    session.flush()
    # The jurisdictions it reaches, named in the audit row (an administrator's hold may span).
    codes = sorted(hold_jurisdictions(session, hold.id))
    append(
        session, actor_of(user), "hold.place", "hold", hold.id, fields=["matter", "scope", *codes]
    )
    session.flush()
    return hold


def find_hold(session: Session, user: User, hold_id: int) -> Hold:
    """Hold `hold_id`, if `user` sees every jurisdiction it reaches; else not found, in the
    words used for an id that does not exist."""
    hold = session.get(Hold, hold_id)
    missing = f"no hold {hold_id}."
    if hold is None:
        raise NotFound(missing)
    all_in_sight(user, hold_jurisdictions(session, hold_id), missing)
    return hold


def release(session: Session, user: User, hold_id: int, reason: str | None) -> Hold:
    hold = find_hold(session, user, hold_id)
    if hold.released_at is not None:
        raise Conflict(f"hold {hold_id} was already released on {hold.released_at:%Y-%m-%d}.")
    hold.released_at, hold.released_by_id, hold.release_reason = utcnow(), user.id, reason
    codes = sorted(hold_jurisdictions(session, hold.id))
    append(session, actor_of(user), "hold.release", "hold", hold.id, fields=["released_at", *codes])
    session.flush()
    return hold


def holds(session: Session, user: User, *, active_only: bool = False) -> list[Hold]:
    """The holds `user` sees (each of whose jurisdictions they see), active ones first, newest
    first within each; or only the active ones, in the order placed (as the retention page
    lists them)."""
    if active_only:
        stmt = select(Hold).where(Hold.released_at.is_(None)).order_by(Hold.id)
    else:
        stmt = select(Hold).order_by(Hold.released_at.is_not(None), Hold.id.desc())
    return [h for h in session.scalars(stmt) if sees_all(user, hold_jurisdictions(session, h.id))]


def hold_cases(session: Session, hold_id: int) -> list[int]:
    return sorted(_expand(session, hold_id=hold_id))


def hold_jurisdictions(session: Session, hold_id: int) -> set[str]:
    """The jurisdictions hold `hold_id` reaches: those of the cases and properties it names,
    of the cases of the people it names, and of every case it covers now."""
    codes: set[str] = set()
    for kind, ref in session.execute(
        select(HoldScope.kind, HoldScope.ref_id).where(HoldScope.hold_id == hold_id)
    ):
        if kind == "case":
            code = session.scalar(select(Case.jurisdiction_code).where(Case.id == ref))
        elif kind == "property":
            code = session.scalar(select(Property.jurisdiction_code).where(Property.id == ref))
        else:
            code = session.scalar(
                select(Case.jurisdiction_code)
                .join(Party, Party.case_id == Case.id)
                .where(Party.id == ref)
            )
        if code is not None:
            codes.add(code)
    ids = hold_cases(session, hold_id)
    if ids:
        codes.update(
            session.scalars(select(Case.jurisdiction_code).where(Case.id.in_(ids)).distinct())
        )
    return codes


def _expand(
    session: Session, only: Collection[int] | None = None, hold_id: int | None = None
) -> dict[int, list[str]]:
    """{case id: [why, ...]} for the active legal holds (or one hold). A hold on a person
    reaches the cases naming them in the jurisdictions its placer worked in when placing it."""
    stmt = select(HoldScope.kind, HoldScope.ref_id, Hold.id, Hold.matter, Hold.jurisdictions).join(
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

    for kind, ref, hid, matter, placer in rows:
        if kind == "case":
            add([ref], hid, matter)
        elif kind == "property":
            add(session.scalars(select(Case.id).where(Case.property_id == ref)), hid, matter)
        else:
            key = session.scalar(select(Party.name_key).where(Party.id == ref))
            naming = (
                select(Party.case_id)
                .join(Case, Case.id == Party.case_id)
                .where(Party.name_key == key, among(Case.jurisdiction_code, placer))
            )
            add(session.scalars(naming), hid, matter)
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

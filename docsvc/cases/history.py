"""Prior complaint history on a property and for each person (Los Gatos VI.a.viii), and the
case's own history as the audit log has it (the case page's timeline).

People are matched across cases by normalised name or mailing address; the property by its
normalised address (one property row per address and jurisdiction).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVarTuple

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from docsvc.auth.scope import among
from docsvc.models import AuditEvent, Case, Complaint, Party, User


def _summary(case: Case) -> dict[str, Any]:
    return {
        "case_number": case.case_number,
        "status": case.status,
        "opened_at": case.opened_at.isoformat(),
        "origin": case.origin,
    }


_Row = TypeVarTuple("_Row")


def _within(stmt: Select[*_Row], jurisdictions: list[str] | None) -> Select[*_Row]:
    """Only cases of the jurisdictions the viewer works for (None: every jurisdiction): a case
    elsewhere is not theirs to know of, not even its number."""
    return stmt.where(among(Case.jurisdiction_code, jurisdictions))


def property_history(
    session: Session, case: Case, jurisdictions: list[str] | None
) -> list[dict[str, Any]]:
    rows = session.scalars(
        _within(
            select(Case).where(Case.property_id == case.property_id, Case.id != case.id),
            jurisdictions,
        ).order_by(Case.opened_at.desc())
    )
    return [_summary(c) for c in rows]


def party_history(
    session: Session, case: Case, jurisdictions: list[str] | None
) -> dict[int, list[dict[str, Any]]]:
    """For each party of the case: other cases naming the same person or mailing address."""
    out: dict[int, list[dict[str, Any]]] = {}
    for party in case.parties:
        rows = session.execute(
            _within(
                select(Case, Party.role)
                .join(Party, Party.case_id == Case.id)
                .where(
                    Case.id != case.id,
                    or_(Party.name_key == party.name_key, Party.address_key == party.address_key),
                ),
                jurisdictions,
            ).order_by(Case.opened_at.desc())
        ).all()
        seen: dict[str, dict[str, Any]] = {}
        for other, role in rows:
            entry = seen.setdefault(other.case_number, {**_summary(other), "roles": []})
            if role not in entry["roles"]:
                entry["roles"].append(role)
        out[party.id] = list(seen.values())
    return out


def complainant_history(
    session: Session, case: Case, jurisdictions: list[str] | None
) -> list[dict[str, Any]]:
    """Other complaints by the same complainant: complainant identity, so only for a caller
    that got the identity through the guard (which audited the view)."""
    complaint = case.complaint
    if complaint is None or not complaint.complainant_name_key:
        return []
    rows = session.scalars(
        _within(
            select(Case)
            .join(Complaint, Complaint.case_id == Case.id)
            .where(
                Case.id != case.id,
                Complaint.complainant_name_key == complaint.complainant_name_key,
            ),
            jurisdictions,
        ).order_by(Case.opened_at.desc())
    )
    return [_summary(c) for c in rows]


def case_events(
    session: Session, case: Case, *, leaving_out: Collection[str] = ()
) -> list[tuple[AuditEvent, User | None]]:
    """The case's audit events, oldest first, each with who acted (None: the system), without
    the actions `leaving_out`."""
    rows = session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.case_id == case.id, AuditEvent.action.not_in(leaving_out))
        .order_by(AuditEvent.seq)
    )
    return [(e, who) for e, who in rows]

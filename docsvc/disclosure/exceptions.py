"""Identifiers a clerk has confirmed are public in the record anyway (the complainant lives at
the property, or is a party): the only ones a release does not withhold or scan for.

Never a heuristic: the machine proposes (whole-address and whole-name comparison), a person
confirms or rejects, with who and when, and the exemption log says "not withheld: public in
the record" with the reason. Until a proposal is confirmed its identifier is withheld.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.cases.normalize import name_key
from docsvc.errors import Conflict, Invalid, NotFound
from docsvc.identity.guard import for_processing
from docsvc.identity.needles import same_building, street_address
from docsvc.labels import label
from docsvc.models import (
    Case,
    DisclosureException,
    DisclosureItem,
    DisclosureRequest,
    Party,
    Property,
    Redaction,
    User,
)
from docsvc.timeutil import utcnow

AT_PROPERTY = "the complainant's address is the property's, which the record names"
UNIT_KEPT = "; the complainant's unit stays withheld"


def propose(session: Session, req: DisclosureRequest, case: Case) -> list[DisclosureException]:
    """The proposals for one responsive case, from the stored record."""
    who = for_processing(session, case.id)
    if who is None:
        return []
    out: list[DisclosureException] = []
    prop = session.get(Property, case.property_id)
    home = street_address(who.address) if who.address else None
    at = street_address(prop.address) if prop else None
    if home and at and same_building(home, at):
        reason = AT_PROPERTY + (UNIT_KEPT if home.unit and home.unit != at.unit else "")
        out.append(_proposal(req, case, "address", reason))
    if who.name:
        key = name_key(who.name)
        roles = session.scalars(
            select(Party.role).where(Party.case_id == case.id, Party.name_key == key)
        ).all()
        if key and roles:
            role = roles[0].replace("_", " ")
            out.append(_proposal(req, case, "name", f"the complainant is the case's {role}"))
    session.add_all(out)
    return out


def _proposal(req: DisclosureRequest, case: Case, kind: str, reason: str) -> DisclosureException:
    return DisclosureException(
        request_id=req.id,
        case_id=case.id,
        kind=kind,
        reason=reason,
        status="proposed",
        proposed_at=utcnow(),
    )


def decide(
    session: Session, user: User, req: DisclosureRequest, exception_id: int, confirm: bool
) -> tuple[DisclosureException, bool]:
    """A clerk's decision on one proposal, while the request is in review. Confirming drops the
    boxes found for that identifier in the case's records. The flag says whether the case's
    records must be prepared again (a confirmed one rejected: its boxes were dropped)."""
    row = session.get(DisclosureException, exception_id)
    if row is None or row.request_id != req.id:
        raise NotFound(f"no proposed exception {exception_id} in request {req.id}.")
    if req.status != "review":
        raise Conflict(
            f"the request is {label(req.status, 'request').lower()}; what is public in the "
            "record is decided while it is in review."
        )
    status = "confirmed" if confirm else "rejected"
    was = row.status
    row.status, row.decided_by_id, row.decided_at = status, user.id, utcnow()
    items = select(DisclosureItem.id).where(
        DisclosureItem.request_id == req.id, DisclosureItem.case_id == row.case_id
    )
    if confirm:
        session.execute(
            delete(Redaction).where(
                Redaction.item_id.in_(items),
                Redaction.kind == row.kind,
                Redaction.origin == "found",
            )
        )
    req.updated_at = utcnow()
    append(
        session,
        actor_of(user),
        f"disclosure.exception.{'confirm' if confirm else 'reject'}",
        "disclosure",
        req.id,
        case_id=row.case_id,
        fields=[row.kind],
    )
    session.flush()
    return row, not confirm and was == "confirmed"


def waived(session: Session, request_id: int) -> dict[int, set[str]]:
    """{case id: identifier kinds ("name", "address") confirmed public in that case's record}."""
    out: dict[int, set[str]] = {}
    for row in session.scalars(
        select(DisclosureException).where(
            DisclosureException.request_id == request_id,
            DisclosureException.status == "confirmed",
        )
    ):
        out.setdefault(row.case_id, set()).add(row.kind)
    return out


def listing(session: Session, request_id: int) -> list[tuple[DisclosureException, str]]:
    """Each proposal with its case number, in case order."""
    rows = session.execute(
        select(DisclosureException, Case.case_number)
        .join(Case, Case.id == DisclosureException.case_id)
        .where(DisclosureException.request_id == request_id)
        .order_by(Case.case_number, DisclosureException.kind)
    ).all()
    return [(e, number) for e, number in rows]


def log_entries(session: Session, request_id: int, names: dict[int, str]) -> list[dict[str, Any]]:
    """The exemption log's lines for confirmed exceptions: what was not withheld and why
    (never the value). `names` maps a case id to how the log names its files."""
    out = []
    for row, number in listing(session, request_id):
        if row.status != "confirmed":
            continue
        out.append(
            {
                "document": names.get(row.case_id, number),
                "page": None,
                "kind": row.kind,
                "withheld": False,
                "statute": None,
                "explanation": f"Not withheld: public in the record ({row.reason}).",
                "reviewer_id": row.decided_by_id,
                "at": row.decided_at,
            }
        )
    return out


def parse_decision(value: Any) -> bool:
    if value not in ("confirm", "reject"):
        raise Invalid(
            "choose whether to confirm it (release it) or reject it (keep it withheld).",
            {"field": "decision"},
        )
    return value == "confirm"

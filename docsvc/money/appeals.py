"""Appeals and hearings: filed against an issued notice or a citation, heard, decided; the
final decision (or the appeal period passing) exhausts appeals, which retention counts from."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.errors import Conflict, Invalid
from docsvc.models import Appeal, Case, Citation, Document, Party, User
from docsvc.timeutil import utcnow


def file(session: Session, user: User, case: Case, data: dict[str, Any]) -> Appeal:
    doc_id, cit_id = data.get("document_id"), data.get("citation_id")
    if (doc_id is None) == (cit_id is None):
        raise Invalid(
            "an appeal is of one issued notice (document_id) or one citation (citation_id).",
            {"field": "document_id"},
        )
    target = session.get(Document, doc_id) if doc_id else session.get(Citation, cit_id)
    if target is None or target.case_id != case.id:
        raise Invalid(
            f"no such {'document' if doc_id else 'citation'} in case {case.case_number}.",
            {"field": "document_id" if doc_id else "citation_id"},
        )
    if isinstance(target, Document) and target.status == "draft":
        raise Conflict(f"document {doc_id} is a draft; only an issued notice can be appealed.")
    party = session.get(Party, data["appellant_party_id"])
    if party is None or party.case_id != case.id:
        raise Invalid("the appellant must be a party of the case.", {"field": "appellant_party_id"})
    appeal = Appeal(
        case_id=case.id,
        document_id=doc_id,
        citation_id=cit_id,
        appellant_party_id=party.id,
        filed_on=data["filed_on"],
        grounds=data["grounds"],
        created_by_id=user.id,
        created_at=utcnow(),
    )
    session.add(appeal)
    session.flush()
    append(
        session,
        actor_of(user),
        "appeal.file",
        "appeal",
        appeal.id,
        case_id=case.id,
        fields=["filed_on", "grounds", "appellant_party_id"],
    )
    return appeal


def case_appeals(session: Session, case: Case) -> list[Appeal]:
    """The case's appeals, oldest first."""
    return list(
        session.scalars(select(Appeal).where(Appeal.case_id == case.id).order_by(Appeal.id))
    )


def set_hearing(session: Session, user: User, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    if appeal.decision is not None:
        raise Conflict(f"appeal {appeal.id} is already decided.")
    if data["hearing_on"] < appeal.filed_on:
        raise Invalid("the hearing cannot be before the appeal was filed.", {"field": "hearing_on"})
    appeal.hearing_on, appeal.hearing_body = data["hearing_on"], data["hearing_body"]
    append(
        session,
        actor_of(user),
        "appeal.hearing",
        "appeal",
        appeal.id,
        case_id=appeal.case_id,
        fields=["hearing_on", "hearing_body"],
    )
    return appeal


def decide(session: Session, user: User, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    if appeal.decision is not None:
        raise Conflict(f"appeal {appeal.id} is already decided ({appeal.decision}).")
    if data["decision"] != "withdrawn" and appeal.hearing_on is None:
        raise Conflict("set the hearing before recording a decision (a withdrawal needs none).")
    if data["decided_on"] < (appeal.hearing_on or appeal.filed_on):
        raise Invalid("decided_on is before the hearing (or the filing).", {"field": "decided_on"})
    appeal.decision, appeal.decided_on = data["decision"], data["decided_on"]
    if data.get("final", True):
        appeal.appeals_exhausted_on = data["decided_on"]
    append(
        session,
        actor_of(user),
        "appeal.decide",
        "appeal",
        appeal.id,
        case_id=appeal.case_id,
        fields=["decision", "decided_on", "appeals_exhausted_on"],
    )
    return appeal

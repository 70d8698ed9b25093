"""Citations: only after a field investigation verified the violation (Los Gatos VII.c.ii); the
fine from the profile's schedule by offence within its repeat window. Each citation reports
where the person stands toward the attorney referral, where the profile has the rule
(`referrals.repeat_citations`, Tom Bean XIII.A.2: followup/referrals.py)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.cases.repeats import accrued_violation_ids
from docsvc.cases.service import case_profile
from docsvc.errors import Conflict, Invalid
from docsvc.followup.referrals import citation_referral
from docsvc.models import Case, Citation, Inspection, Party, User, Violation
from docsvc.models.money import FINE_OUTCOMES
from docsvc.timeutil import add_months, utcnow

VERIFY_CITATION = "Los Gatos Code Compliance Standards §VII.c.ii"


def issue(
    session: Session, user: User, case: Case, data: dict[str, Any]
) -> tuple[Citation, dict[str, Any] | None]:
    violation = session.get(Violation, data["violation_id"])
    party = session.get(Party, data["party_id"])
    if violation is None or violation.case_id != case.id:
        raise Invalid(
            f"case {case.case_number} has no violation {data['violation_id']}.",
            {"field": "violation_id"},
        )
    if party is None or party.case_id != case.id:
        raise Invalid(
            f"party {data['party_id']} is not a party of case {case.case_number}.",
            {"field": "party_id"},
        )
    zone = case_profile(session, case).zone
    issued_end = datetime.combine(data["issued_on"], time.max, tzinfo=zone)
    verified = session.scalar(
        select(Inspection.id)
        .where(
            Inspection.case_id == case.id,
            Inspection.visited_at <= issued_end,
            Inspection.violations_observed != "",
        )
        .limit(1)
    )
    if verified is None:
        raise Invalid(
            "no field investigation has verified a violation in this case yet; record the "
            "inspection (with the violations observed) before citing.",
            {"rule": "field_investigation_required", "citation": VERIFY_CITATION},
        )
    if data["issued_on"] < violation.observed_at.astimezone(zone).date():
        raise Invalid("issued_on is before the violation was observed.", {"field": "issued_on"})
    fine = scheduled_fine(session, case, party, violation, data["issued_on"], data.get("fine"))
    citation = Citation(
        case_id=case.id,
        violation_id=violation.id,
        party_id=party.id,
        number=data["number"],
        infraction=violation.violation_type,
        fine=fine,
        issued_on=data["issued_on"],
        court=data.get("court"),
        hearing_on=data.get("hearing_on"),
        outcome="pending",
        created_by_id=user.id,
        created_at=utcnow(),
    )
    duplicate = session.scalar(
        select(Citation.id)
        .join(Case, Case.id == Citation.case_id)
        .where(Case.jurisdiction_code == case.jurisdiction_code, Citation.number == data["number"])
    )
    if duplicate is not None:
        raise Conflict(f"citation number {data['number']} is already used.")
    session.add(citation)
    try:
        session.flush()
    except IntegrityError as exc:  # pragma: no cover - guarded above
        raise Conflict("the citation could not be recorded; try again.") from exc
    append(
        session,
        actor_of(user),
        "citation.issue",
        "citation",
        citation.id,
        case_id=case.id,
        fields=["number", "infraction", "fine", "issued_on", "party_id"],
    )
    return citation, citation_referral(
        session, case_profile(session, case), case, party, violation.violation_type
    )


def case_citations(session: Session, case: Case) -> list[Citation]:
    """The case's citations, oldest first."""
    return list(
        session.scalars(select(Citation).where(Citation.case_id == case.id).order_by(Citation.id))
    )


def scheduled_fine(
    session: Session,
    case: Case,
    party: Party,
    violation: Violation,
    issued_on: date,
    given: Decimal | None,
) -> Decimal:
    """The fine: as given (within the schedule's maximum), else the schedule's amount for this
    offence: 1 + the earlier citations within the repeat window of this person for this
    infraction, or on the violation's first report and its repeats (a repeat accrues to the
    first reported violation where the profile says so, Los Gatos III.b.v, whoever owns the
    property now)."""
    infraction = violation.violation_type
    schedule = (case_profile(session, case).data.get("money") or {}).get("fines")
    if schedule is None:
        if given is None:
            raise Invalid(
                "this jurisdiction's profile has no fine schedule; give the fine.",
                {"field": "fine"},
            )
        return given
    # Profiles are stored as JSON: amounts are strings.
    top = Decimal(schedule["maximum"]) if schedule.get("maximum") is not None else None
    if given is not None:
        if top is not None and given > top:
            raise Invalid(
                f"the fine ({given}) is above the maximum of {top} ({schedule['citation']}).",
                {"field": "fine", "maximum": str(top)},
            )
        return given
    since = add_months(issued_on, -schedule["repeat_window_months"])
    prior = session.scalar(
        select(func.count(Citation.id))
        .join(Party, Party.id == Citation.party_id)
        .join(Case, Case.id == Citation.case_id)
        .where(
            Case.jurisdiction_code == case.jurisdiction_code,
            or_(
                and_(Party.name_key == party.name_key, Citation.infraction == infraction),
                Citation.violation_id.in_(accrued_violation_ids(session, violation.id)),
            ),
            Citation.issued_on > since,
            Citation.issued_on <= issued_on,
        )
    )
    amounts = schedule["by_violation_type"].get(infraction) or schedule["amounts"]
    return Decimal(amounts[min(prior or 0, len(amounts) - 1)])


def record_outcome(
    session: Session, user: User, citation: Citation, data: dict[str, Any]
) -> Citation:
    """What the court or hearing officer decided, and on what day."""
    if citation.outcome != "pending":
        raise Conflict(f"citation {citation.number} already has its outcome ({citation.outcome}).")
    if data["outcome_on"] < citation.issued_on:
        raise Invalid("outcome_on is before the citation was issued.", {"field": "outcome_on"})
    imposed = data.get("fine_imposed")
    if data["outcome"] in FINE_OUTCOMES:
        imposed = citation.fine if imposed is None else imposed
        if data["outcome"] == "reduced" and imposed >= citation.fine:
            raise Invalid(
                f"a reduced fine must be below the fine cited ({citation.fine}).",
                {"field": "fine_imposed"},
            )
    elif imposed is not None:
        raise Invalid(
            f"a citation {data['outcome']} imposes no fine; leave fine_imposed out.",
            {"field": "fine_imposed"},
        )
    citation.outcome = data["outcome"]
    citation.outcome_on = data["outcome_on"]
    citation.fine_imposed = imposed
    append(
        session,
        actor_of(user),
        "citation.outcome",
        "citation",
        citation.id,
        case_id=citation.case_id,
        fields=["outcome", "outcome_on", "fine_imposed"],
    )
    return citation

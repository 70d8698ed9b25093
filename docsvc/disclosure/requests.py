"""Opening a public-records request: its clocks, the responsive records, each case's decision.

The response clock comes from the profile (Washington five business days, California ten
days, Missouri three business days, Texas ten business days), run from receipt in the
jurisdiction's zone and calendar. A profile with a step required before anything is withheld
(Texas: an Attorney General decision requested within ten business days) gives the request a
second clock, and a release that withholds anything waits until that step is recorded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.auth.scope import visible, within
from docsvc.cases.service import get_case, jurisdiction_for
from docsvc.disclosure import exceptions
from docsvc.disclosure.decisions import decide
from docsvc.disclosure.prepare import PREPARE_JOB
from docsvc.documents.deadlines import Rule, deadline
from docsvc.errors import Conflict, Invalid, NotFound
from docsvc.jobs.queue import enqueue
from docsvc.models import (
    Attachment,
    Case,
    Complaint,
    DisclosureCase,
    DisclosureItem,
    DisclosureRequest,
    Document,
    Jurisdiction,
    Release,
    User,
)
from docsvc.profiles.loader import profile_of
from docsvc.search.query import CASES_PER_PAGE, Filters, search
from docsvc.timeutil import utcnow

MAX_CASES = 200  # a request reaching further is split by the clerk into several
CLOCK_SKEW_SECONDS = 300


def get_request(session: Session, user: User, request_id: int) -> DisclosureRequest:
    req = session.get(DisclosureRequest, request_id)
    if req is None or not visible(user, req.jurisdiction_code):
        raise NotFound(f"no disclosure request {request_id} that you can see.")
    return req


def _cases_in_scope(
    session: Session, user: User, code: str, numbers: list[str], query: str | None
) -> list[Case]:
    found: dict[int, Case] = {}
    for n in numbers:
        try:
            case = get_case(session, user, n)
        except NotFound as exc:  # said beside the case numbers on a form
            raise NotFound(exc.message, {"field": "case_numbers"}) from exc
        if case.jurisdiction_code != code:
            raise Invalid(
                f"case {n} belongs to another jurisdiction; a request covers one jurisdiction.",
                {"field": "case_numbers"},
            )
        found[case.id] = case
    if query:
        page = 1
        while True:  # every case the search finds, a page at a time
            # Unrestricted text only: a case found through its complainant's identity (the
            # complainant entry, a letter they wrote) must not become responsive, or the index
            # would tell the requester whom the person complained about.
            results = search(
                session, query, Filters(jurisdictions=[code], include_restricted=False), page
            )
            for hit in results.hits:
                found.setdefault(hit.case_id, session.get_one(Case, hit.case_id))
            if page * CASES_PER_PAGE >= results.cases or len(found) > MAX_CASES:
                break
            page += 1
    if not found:
        raise Invalid(
            "no case is responsive: give case_numbers, or a query that finds at least one case.",
            {"field": "case_numbers"},
        )
    if len(found) > MAX_CASES:
        raise Invalid(
            f"the request reaches more than {MAX_CASES} cases; narrow the query or split it.",
            {"field": "query"},
        )
    return sorted(found.values(), key=lambda c: c.case_number)


def _records(session: Session, case: Case) -> list[tuple[str, int]]:
    """The case's records as released: issued (and superseded) documents, then files."""
    docs = session.scalars(
        select(Document.id)
        .where(Document.case_id == case.id, Document.status != "draft")
        .order_by(Document.issued_at, Document.id)
    ).all()
    files = session.scalars(
        select(Attachment.id).where(Attachment.case_id == case.id).order_by(Attachment.id)
    ).all()
    return [("document", i) for i in docs] + [("attachment", i) for i in files]


def open_request(session: Session, user: User, data: dict[str, Any]) -> DisclosureRequest:
    code = data["jurisdiction"]
    profile = profile_of(jurisdiction_for(session, user, code))
    received: datetime = data["received_at"]
    if (received - utcnow()).total_seconds() > CLOCK_SKEW_SECONDS:
        local_now = utcnow().astimezone(profile.zone).strftime("%Y-%m-%d %H:%M %Z")
        raise Invalid(
            f"the time the request was received is later than now ({local_now} where it was "
            "received); give it in the jurisdiction's local time.",
            {"field": "received_at"},
        )
    cases = _cases_in_scope(session, user, code, data.get("case_numbers") or [], data.get("query"))
    pr = profile.public_records
    step = pr.get("pre_withholding_step")
    now = utcnow()
    req = DisclosureRequest(
        jurisdiction_code=code,
        requester_name=data["requester"]["name"],
        requester_email=data["requester"].get("email"),
        received_at=received,
        description=data["description"],
        case_numbers=[c.case_number for c in cases],
        query=data.get("query"),
        due_at=deadline(Rule.of(pr["response_clock"]), received, profile),
        ruling_due_at=deadline(Rule.of(step), received, profile) if step else None,
        status="preparing",
        notes=data.get("notes"),
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    session.add(req)
    session.flush()
    seq = 0
    for case in cases:
        complaint = session.scalar(select(Complaint).where(Complaint.case_id == case.id))
        d = decide(profile, complaint)
        session.add(
            DisclosureCase(
                request_id=req.id,
                case_id=case.id,
                decision=d.decision,
                statute=d.statute,
                label=d.label,
                explanation=d.explanation,
                decided_at=now,
            )
        )
        if d.decision != "none":
            exceptions.propose(session, req, case)
        for source, source_id in _records(session, case):
            seq += 1
            session.add(
                DisclosureItem(
                    request_id=req.id, case_id=case.id, source=source, source_id=source_id, seq=seq
                )
            )
    session.flush()
    enqueue(session.connection(), PREPARE_JOB, req.id)
    append(session, actor_of(user), "disclosure.open", "disclosure", req.id, fields=["scope"])
    return req


def record_counsel_decision(
    session: Session, user: User, req: DisclosureRequest, case: Case, data: dict[str, Any]
) -> DisclosureCase:
    """A person's decision where the profile leaves one to counsel (or overrides it)."""
    if req.status == "released":
        raise Conflict("the request is released; open a new request to release again.")
    row = session.scalar(
        select(DisclosureCase).where(
            DisclosureCase.request_id == req.id, DisclosureCase.case_id == case.id
        )
    )
    if row is None:
        raise NotFound(f"case {case.case_number} is not part of request {req.id}.")
    if row.decision == "none":
        raise Conflict(f"case {case.case_number} has no identified complainant to decide on.")
    if data["decision"] == "redact" and not data.get("statute"):
        raise Invalid("name the statute that authorises withholding.", {"field": "statute"})
    row.decision = data["decision"]
    row.statute = data.get("statute") or row.statute
    row.label = data.get("label") or row.label or row.statute
    row.explanation = data["explanation"]
    row.decided_by_id, row.decided_at = user.id, utcnow()
    req.updated_at = utcnow()
    append(
        session,
        actor_of(user),
        "disclosure.decision",
        "disclosure",
        req.id,
        case_id=case.id,
        fields=["decision", "statute", "explanation"],
    )
    return row


def request_zone(session: Session, req: DisclosureRequest) -> ZoneInfo:
    """The zone of the request's jurisdiction: its dates are shown in it."""
    row = session.get(Jurisdiction, req.jurisdiction_code)
    return profile_of(row).zone if row else ZoneInfo("UTC")


def shown_statuses(session: Session, reqs: list[DisclosureRequest]) -> dict[int, str]:
    """Each request's status as a person is told it: a request closed after its release is
    "closed_released", not the "closed" of one closed with nothing sent (the response log and
    the requester's record must not read as if they were given nothing)."""
    ids = [r.id for r in reqs if r.status == "closed"]
    released = (
        set(session.scalars(select(Release.request_id).where(Release.request_id.in_(ids))))
        if ids
        else set()
    )
    return {r.id: "closed_released" if r.id in released else r.status for r in reqs}


def listing(session: Session, user: User) -> list[DisclosureRequest]:
    """The requests of the jurisdictions `user` may see: open ones first, each by due date."""
    rows = session.scalars(
        select(DisclosureRequest)
        .where(within(user, DisclosureRequest.jurisdiction_code))
        .order_by(DisclosureRequest.due_at, DisclosureRequest.id)
    )
    return sorted(rows, key=lambda r: r.status in ("released", "closed"))

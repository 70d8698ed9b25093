"""Each case's clocks, from its jurisdiction's rules, and the officer's due list.

Clocks: investigate a complaint (Lee's Summit II.B.3), contact the complainant (Los Gatos
III.b.i), correct by each served notice's compliance date, re-inspect once that date has passed
(Tom Bean VIII.D.2, Los Gatos VII.a.iv), follow up six months after a closure with extenuating
circumstances (Tom Bean XIII.D), confirm a settlement's sustained compliance, refer to the
attorney once a violation cited a third time stands uncorrected past its correction period
(Tom Bean XIII.A.2) or once a violation is flagged an imminent threat (XIII.A.1), and apply for
and obtain the permit a violation needs (Los Gatos VII.a.vi). Each is met (on time or late),
upcoming (a clock that opens later: the referral, until the correction period has passed), due,
or overdue. The due list sorts by the policies' priority rank (Tom Bean III.A,
Los Gatos II.a.i; raised by aggravating circumstances, III.E / II.a.iv), then by the date due.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from docsvc.auth.scope import among, scope
from docsvc.cases import service as cases
from docsvc.documents import compliance, naming
from docsvc.documents.deadlines import END_OF_DAY, Rule, deadline
from docsvc.followup import permits as permit_rules
from docsvc.followup import referrals
from docsvc.followup.contact import contact_facts
from docsvc.followup.referrals import RepeatTrigger
from docsvc.identity.mask import masker_of
from docsvc.models import (
    Case,
    Document,
    Inspection,
    Jurisdiction,
    Settlement,
    User,
)
from docsvc.models.enforcement import Permit, Referral
from docsvc.profiles.loader import profile_of
from docsvc.profiles.model import Profile
from docsvc.timeutil import utcnow

NON_PRIORITY = 99
OPEN_STATUSES = ("open", "investigating", "notice_issued", "in_compliance_agreement", "escalated")


@dataclass
class Clock:
    name: str
    label: str
    due_at: datetime
    met_at: datetime | None
    citation: str
    detail: dict[str, Any]
    # A clock that runs only from a later moment (the referral once the correction period has
    # passed): until then it is upcoming, and not on the due list.
    opens_at: datetime | None = None

    def status(self, now: datetime) -> str:
        if self.met_at is not None:
            return "met" if self.met_at <= self.due_at else "met_late"
        if self.opens_at is not None and now <= self.opens_at:
            return "upcoming"
        return "overdue" if now > self.due_at else "due"

    def as_dict(self, now: datetime, zone: Any) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "status": self.status(now),
            "due_at": self.due_at.astimezone(zone).isoformat(),
            "met_at": self.met_at.astimezone(zone).isoformat() if self.met_at else None,
            "citation": self.citation,
            **self.detail,
        }


def priority(case: Case, profile: Profile) -> int:
    """The highest priority among the case's violations; a violation flagged as an imminent
    threat ranks at the profile's rank for one; a non-priority case with an aggravating
    circumstance on record moves to the profile's aggravated rank."""
    rule = profile.data.get("priority") or {}
    threat = rule.get("imminent_threat_rank")
    ranks = [
        threat
        if threat and v.imminent_threat and v.corrected_at is None
        else profile.violation_types.get(v.violation_type, {}).get("priority_rank")
        for v in case.violations
    ]
    rank = min([r for r in ranks if r] or [NON_PRIORITY])
    if rule and case.aggravating:
        rank = min(rank, rule["aggravated_rank"])
    return rank


@dataclass
class _Facts:
    """What a case's clocks are computed from besides the case itself; read for many cases
    in a few queries (the due list covers every open case)."""

    visits: list[datetime] = field(default_factory=list)  # inspections, in order
    documents: list[Document] = field(default_factory=list)  # issued, with a deadline
    settlements: list[Settlement] = field(default_factory=list)
    repeats: list[RepeatTrigger] = field(default_factory=list)  # repeat-citation referrals
    referrals: list[Referral] = field(default_factory=list)
    permits: list[Permit] = field(default_factory=list)
    # A notice's compliance date moved by a granted extension (Los Gatos VII.b.ii).
    extended: dict[int, date] = field(default_factory=dict)
    # Text typed on the case shown in a clock's label (a permit's description), with the
    # complainant masked: set for the cases that have such text.
    masked: Callable[[str | None], str | None] = lambda text: text

    def first_visit(self, after: datetime | None = None) -> datetime | None:
        return next((v for v in self.visits if after is None or v > after), None)


_CHUNK = 500  # ids in one IN (...): well under every database's limit on parameters


def _facts(
    session: Session, case_ids: list[int], profiles: dict[str, Profile]
) -> dict[int, _Facts]:
    facts = {i: _Facts() for i in case_ids}
    after = {
        code: rule["after"]
        for code, p in profiles.items()
        if (rule := referrals.rules(p).get(referrals.REPEAT))
    }
    for case_id, triggers in referrals.repeat_triggers(session, case_ids, after).items():
        facts[case_id].repeats = triggers
    for at in range(0, len(case_ids), _CHUNK):
        ids = case_ids[at : at + _CHUNK]
        for case_id, visited in session.execute(
            select(Inspection.case_id, Inspection.visited_at)
            .where(Inspection.case_id.in_(ids))
            .order_by(Inspection.visited_at)
        ):
            facts[case_id].visits.append(visited)
        for doc in session.scalars(
            select(Document)
            .where(
                Document.case_id.in_(ids),
                Document.status == "issued",
                Document.deadline_at.is_not(None),
            )
            .order_by(Document.id)
        ):
            facts[doc.case_id].documents.append(doc)
        noticed = [d for i in ids for d in facts[i].documents]
        for doc_id, day in compliance.granted_dates(session, [d.id for d in noticed]).items():
            facts[next(d.case_id for d in noticed if d.id == doc_id)].extended[doc_id] = day
        for settlement in session.scalars(
            select(Settlement)
            .where(Settlement.case_id.in_(ids), Settlement.compliance_through.is_not(None))
            .order_by(Settlement.id)
        ):
            facts[settlement.case_id].settlements.append(settlement)
        for referral in session.scalars(
            select(Referral)
            .where(Referral.case_id.in_(ids), Referral.kind == referrals.IMMINENT)
            .order_by(Referral.referred_on, Referral.id)
        ):
            facts[referral.case_id].referrals.append(referral)
        for permit in session.scalars(
            select(Permit).where(Permit.case_id.in_(ids)).order_by(Permit.id)
        ):
            facts[permit.case_id].permits.append(permit)
    for case_id, f in facts.items():
        if f.permits:  # one query or two, only for the cases whose labels quote a typed text
            f.masked = masker_of(session.connection(), case_id)
    return facts


def case_clocks(session: Session, case: Case, profile: Profile) -> list[Clock]:
    facts = _facts(session, [case.id], {case.jurisdiction_code: profile})
    return _clocks(case, profile, facts[case.id])


def _clocks(case: Case, profile: Profile, facts: _Facts) -> list[Clock]:
    out: list[Clock] = []
    rules = profile.data.get("clocks") or {}
    complaint = case.complaint
    if complaint is not None:
        rule = rules.get("investigate_complaint")
        if rule:
            out.append(
                Clock(
                    "investigate",
                    "Investigate the complaint",
                    deadline(Rule.of(rule), complaint.received_at, profile),
                    facts.first_visit(),
                    rule["citation"],
                    {},
                )
            )
        rule = rules.get("contact_complainant")
        if rule and not complaint.anonymous:
            out.append(
                Clock(
                    "contact_complainant",
                    "Contact the complainant",
                    deadline(Rule.of(rule), complaint.received_at, profile),
                    complaint.complainant_contacted_at,
                    rule["citation"],
                    {},
                )
            )
    violations = {v.id: v for v in case.violations}
    parties = {p.id: p.name for p in case.parties}
    reinspect = rules.get("reinspect_after_compliance_date")
    for doc in facts.documents:
        # Which notice, to whom: "Courtesy Notice CN-12 to Dana Owner".
        which = naming.name(profile.document_types[doc.type]["title"], doc.id) + (
            f" to {parties[doc.recipient_party_id]}" if doc.recipient_party_id in parties else ""
        )
        due = compliance.compliance_due(doc, facts.extended, profile)
        assert due is not None  # only documents with a deadline are gathered
        covered = [violations[i] for i in doc.violation_ids if i in violations]
        corrected = [at for v in covered if (at := v.corrected_at) is not None]
        met = max(corrected) if covered and len(corrected) == len(covered) else None
        out.append(
            Clock(
                "compliance",
                f"Compliance date of {which}",
                due,
                met,
                "the notice's compliance deadline",
                {"document_id": doc.id},
            )
        )
        # Corrected in time: nothing left to re-inspect.
        if reinspect and not (met is not None and met <= due):
            out.append(
                Clock(
                    "reinspection",
                    f"Re-inspect after the compliance date of {which}",
                    deadline(Rule.of(reinspect), due, profile),
                    facts.first_visit(due),
                    reinspect["citation"],
                    {"document_id": doc.id},
                )
            )
    follow_up = rules.get("follow_up_after_closure")
    if follow_up and case.follow_up_after_closure and case.closed_at is not None:
        out.append(
            Clock(
                "follow_up_after_closure",
                "Follow-up inspection after closure",
                deadline(Rule.of(follow_up), case.closed_at, profile),
                facts.first_visit(case.closed_at),
                follow_up["citation"],
                {},
            )
        )
    for settlement in facts.settlements:
        through = settlement.compliance_through
        assert through is not None  # only settlements with a compliance period are gathered
        ended = settlement.completed_on or settlement.breached_on
        out.append(
            Clock(
                "settlement_compliance",
                "Confirm sustained compliance under the settlement",
                datetime.combine(through, END_OF_DAY, profile.zone),
                datetime.combine(ended, time(12), profile.zone) if ended else None,
                "the settlement's terms (JCC 19.30.025)",
                {"settlement_id": settlement.id},
            )
        )
    out.extend(_referral_clocks(case, profile, facts))
    out.extend(_permit_clocks(case, profile, facts))
    return out


def _referral_clocks(case: Case, profile: Profile, facts: _Facts) -> list[Clock]:
    out: list[Clock] = []
    rules = referrals.rules(profile)
    repeat = rules.get(referrals.REPEAT)
    for t in facts.repeats:
        if repeat is None:
            break
        met = referrals.noon(t.referred_on, profile) if t.referred_on else None
        if met is None and t.violation.corrected_at is not None:
            continue  # corrected: no referral needed
        ends = referrals.correction_period_end(profile, t.violation.violation_type, t.cited_on)
        out.append(
            Clock(
                "attorney_referral",
                f"Refer to the {repeat['referred_to']}: cited {len(t.numbers)} times for "
                f"{profile.violation_types.get(t.infraction, {}).get('title', t.infraction)}, "
                "if still not corrected",
                ends,
                met,
                repeat["citation"],
                {
                    "infraction": t.infraction,
                    "citations": t.numbers,
                    "violation_id": t.violation.id,
                },
                opens_at=ends,
            )
        )
    imminent = rules.get(referrals.IMMINENT)
    for v in case.violations:
        at = v.imminent_threat_at
        if imminent is None or not v.imminent_threat or at is None:
            continue
        flagged_on = at.astimezone(profile.zone).date()
        made = next((r for r in facts.referrals if r.referred_on >= flagged_on), None)
        if made is None and v.corrected_at is not None:
            continue
        due = referrals.imminent_threat_due(profile, at)
        assert due is not None  # the rule is there
        out.append(
            Clock(
                "attorney_referral_imminent",
                f"Refer to the {imminent['referred_to']}: a violation is an imminent threat",
                due,
                referrals.noon(made.referred_on, profile) if made else None,
                imminent["citation"],
                {"violation_id": v.id},
            )
        )
    return out


def _permit_clocks(case: Case, profile: Profile, facts: _Facts) -> list[Clock]:
    rule = permit_rules.rules(profile).get("time_frames")
    if not rule:
        return []
    corrected = {v.id for v in case.violations if v.corrected_at is not None}
    out: list[Clock] = []
    for p in facts.permits:
        if p.obtained_on is None and p.violation_id in corrected:
            continue  # corrected by other means (Los Gatos VII.a.vi): no permit needed now
        for name, label, by, on in (
            ("permit_apply", "Apply for the permit", p.apply_by, p.applied_on),
            ("permit_obtain", "Obtain the permit", p.obtain_by, p.obtained_on),
        ):
            out.append(
                Clock(
                    name,
                    f"{label}: {facts.masked(p.description)}",
                    datetime.combine(by, END_OF_DAY, profile.zone),
                    referrals.noon(on, profile) if on else None,
                    rule["citation"],
                    {"permit_id": p.id, "violation_id": p.violation_id},
                )
            )
    return out


def due_list(
    session: Session, profiles: dict[str, Profile], now: datetime, jurisdictions: list[str] | None
) -> list[dict[str, Any]]:
    # Closed cases stay on the list while their follow-up inspection is pending.
    stmt = select(Case).where(
        or_(
            Case.status.in_(OPEN_STATUSES),
            and_(Case.status == "closed", Case.follow_up_after_closure.is_(True)),
        )
    )
    stmt = stmt.where(among(Case.jurisdiction_code, jurisdictions))
    # Every case's rows in a few queries, not a few per case: the list covers them all.
    stmt = stmt.options(
        selectinload(Case.complaint),
        selectinload(Case.violations),
        selectinload(Case.parties),
        selectinload(Case.property),
    ).order_by(Case.id)
    cases = session.scalars(stmt).all()
    facts = _facts(session, [c.id for c in cases], profiles)
    items = []
    for case in cases:
        profile = profiles[case.jurisdiction_code]
        rank = priority(case, profile)
        for clock in _clocks(case, profile, facts[case.id]):
            if clock.status(now) in ("due", "overdue"):
                items.append(
                    {
                        "case_number": case.case_number,
                        "address": case.property.address,
                        "priority": rank,
                        **clock.as_dict(now, profile.zone),
                    }
                )
    items.sort(key=lambda i: (i["priority"], i["due_at"]))
    return items


def clocks_view(session: Any, case: Any) -> dict[str, Any]:
    profile = cases.case_profile(session, case)
    now = utcnow()
    contact = contact_facts(session, case)
    return {
        "case_number": case.case_number,
        "priority": priority(case, profile),
        "aggravating": case.aggravating,
        "clocks": [
            {**c.as_dict(now, profile.zone), **(contact if c.name == "contact_complainant" else {})}
            for c in case_clocks(session, case, profile)
        ],
    }


def due_for(
    session: Session, user: User, now: datetime, wanted: str | None = None
) -> list[dict[str, Any]]:
    """The due list of the jurisdictions `user` may see (or just `wanted`)."""
    profiles = {j.code: profile_of(j) for j in session.scalars(select(Jurisdiction))}
    return due_list(session, profiles, now, scope(user, wanted))

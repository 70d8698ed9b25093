"""Referrals to the city attorney, where the profile's `referrals` has the rule (Tom Bean XIII.A).

- `repeat_citations` (XIII.A.2): once a person has been cited `after` times for one infraction
  (in this jurisdiction, across cases), the referral falls due when the violation cited last
  still stands uncorrected at the end of its correction period: the violation type's deadline
  rule from the code library, counted from the end of that citation's day. Before then it is
  "upcoming"; a violation corrected meanwhile needs no referral.
- `imminent_threat` (XIII.A.1): a violation the officer flagged as an imminent threat to health,
  safety or the environment starts a clock at the flag, `within` the profile's period.

Either is met by a recorded referral (`Referral`) on the case.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.cases.service import case_profile
from docsvc.documents.deadlines import END_OF_DAY, Rule, deadline
from docsvc.errors import Invalid, NotFound
from docsvc.identity.mask import masker
from docsvc.models import Case, Citation, Party, User, Violation
from docsvc.models.enforcement import REFERRAL_KINDS, Referral
from docsvc.profiles.model import Profile
from docsvc.timeutil import CLOCK_SKEW, utcnow

REPEAT = "repeat_citations"
IMMINENT = "imminent_threat"
_CHUNK = 500


def rules(profile: Profile) -> dict[str, Any]:
    """The profile's referral rules by kind; a kind it does not name does not apply."""
    return profile.data.get("referrals") or {}


def noon(day: date, profile: Profile) -> datetime:
    """A date recorded without a time, as a moment: midday, so it meets a clock due that day."""
    return datetime.combine(day, time(12), profile.zone)


def correction_period_end(profile: Profile, violation_type: str, cited_on: date) -> datetime:
    """The end of the correction period after a citation: the violation type's deadline rule,
    from the end of the day it was cited (an unknown type: that day itself)."""
    vtype = profile.violation_types.get(violation_type)
    rule = Rule.of(vtype["deadline"]) if vtype else Rule("immediate", None)
    return deadline(rule, datetime.combine(cited_on, END_OF_DAY, profile.zone), profile)


@dataclass
class RepeatTrigger:
    """One person's citations for one infraction, counted to the rule's `after`."""

    infraction: str
    numbers: list[str]  # the person's citations for it, in order
    cited_on: date  # the citation whose correction period counts
    violation: Violation  # the violation that citation cited
    case_id: int  # where the clock runs: that citation's case
    referred_on: date | None = None  # the first referral recorded for it


@dataclass
class _Group:
    citations: list[tuple[Citation, Violation]] = field(default_factory=list)


def repeat_triggers(
    session: Session, case_ids: list[int], after_by_jurisdiction: dict[str, int]
) -> dict[int, list[RepeatTrigger]]:
    """For each case, the repeat-citation referrals whose clock runs on it. Counts a person's
    citations across all cases of the jurisdiction (by Party.name_key), in a few queries."""
    out: dict[int, list[RepeatTrigger]] = defaultdict(list)
    if not case_ids or not after_by_jurisdiction:
        return out
    keys: set[tuple[str, str, str]] = set()
    for at in range(0, len(case_ids), _CHUNK):
        ids = case_ids[at : at + _CHUNK]
        keys.update(
            (j, k, i)
            for j, k, i in session.execute(
                select(Case.jurisdiction_code, Party.name_key, Citation.infraction)
                .join(Party, Party.id == Citation.party_id)
                .join(Case, Case.id == Citation.case_id)
                .where(
                    Citation.case_id.in_(ids),
                    Case.jurisdiction_code.in_(list(after_by_jurisdiction)),
                )
                .distinct()
            )
        )
    groups: dict[tuple[str, str, str], _Group] = defaultdict(_Group)
    wanted = sorted(keys)
    for at in range(0, len(wanted), _CHUNK):
        part = wanted[at : at + _CHUNK]
        rows = session.execute(
            select(Case.jurisdiction_code, Party.name_key, Citation, Violation)
            .join(Party, Party.id == Citation.party_id)
            .join(Case, Case.id == Citation.case_id)
            .join(Violation, Violation.id == Citation.violation_id)
            .where(tuple_(Case.jurisdiction_code, Party.name_key, Citation.infraction).in_(part))
            .order_by(Citation.issued_on, Citation.id)
        )
        for j, k, citation, violation in rows:
            groups[(j, k, citation.infraction)].citations.append((citation, violation))
    wanted_cases = set(case_ids)
    found: list[tuple[RepeatTrigger, set[int], date]] = []
    for (j, _, infraction), group in groups.items():
        after = after_by_jurisdiction[j]
        cited = group.citations
        if len(cited) < after:
            continue
        counted = cited[after - 1 :]
        # The first citation from the `after`-th on whose violation still stands; when every
        # one is corrected, the `after`-th (shown only if a referral was made for it).
        citation, violation = next(
            ((c, v) for c, v in counted if v.corrected_at is None), counted[0]
        )
        trigger = RepeatTrigger(
            infraction,
            [c.number for c, _ in cited],
            citation.issued_on,
            violation,
            citation.case_id,
        )
        found.append((trigger, {c.case_id for c, _ in cited}, counted[0][0].issued_on))
    if not found:
        return out
    every_case = sorted({i for _, cases, _ in found for i in cases})
    made: list[Referral] = []
    for at in range(0, len(every_case), _CHUNK):
        made.extend(
            session.scalars(
                select(Referral)
                .where(Referral.kind == REPEAT, Referral.case_id.in_(every_case[at : at + _CHUNK]))
                .order_by(Referral.referred_on, Referral.id)
            )
        )
    for trigger, cases, since in found:
        trigger.referred_on = next(
            (
                r.referred_on
                for r in made
                if r.case_id in cases
                and r.referred_on >= since
                and (r.basis or {}).get("infraction") == trigger.infraction
            ),
            None,
        )
        if trigger.case_id in wanted_cases:
            out[trigger.case_id].append(trigger)
    return out


def citation_referral(
    session: Session, profile: Profile, case: Case, party: Party, infraction: str
) -> dict[str, Any] | None:
    """What the citation API says of the referral after a citation: how many times this person
    has been cited for the infraction, and when the referral falls due if the violation stands
    uncorrected. None where the profile has no such rule."""
    rule = rules(profile).get(REPEAT)
    if rule is None:
        return None
    count = session.scalar(
        select(func.count(Citation.id))
        .join(Party, Party.id == Citation.party_id)
        .join(Case, Case.id == Citation.case_id)
        .where(
            Case.jurisdiction_code == case.jurisdiction_code,
            Party.name_key == party.name_key,
            Citation.infraction == infraction,
        )
    )
    triggers = repeat_triggers(session, [case.id], {case.jurisdiction_code: rule["after"]})
    trigger = next((t for t in triggers.get(case.id, []) if t.infraction == infraction), None)
    due_at = (
        correction_period_end(profile, trigger.violation.violation_type, trigger.cited_on)
        if trigger is not None and trigger.violation.corrected_at is None
        else None
    )
    return {
        "citations_for_infraction": count or 0,
        "after": rule["after"],
        "due_at": due_at.isoformat() if due_at else None,
        "attorney_referral_due": due_at is not None
        and utcnow() > due_at
        and (trigger is None or trigger.referred_on is None),
        "citation": rule["citation"],
    }


def imminent_threat_due(profile: Profile, flagged_at: datetime) -> datetime | None:
    rule = rules(profile).get(IMMINENT)
    return deadline(Rule.of(rule["within"]), flagged_at, profile) if rule else None


def case_referrals(session: Session, case: Case) -> list[Referral]:
    return list(
        session.scalars(select(Referral).where(Referral.case_id == case.id).order_by(Referral.id))
    )


def flag_imminent_threat(
    session: Session, user: User, case: Case, violation_id: int, data: dict[str, Any]
) -> Violation:
    """Flag (or clear) a violation as an imminent threat to health, safety or the environment.
    data: imminent_threat, and optionally at (aware; default now) and note."""
    violation = session.get(Violation, violation_id)
    if violation is None or violation.case_id != case.id:
        raise NotFound(f"case {case.case_number} has no violation {violation_id}.")
    if data["imminent_threat"]:
        at = data.get("at") or utcnow()
        if at < violation.observed_at or at > utcnow() + CLOCK_SKEW:
            raise Invalid(
                "at must fall between when the violation was observed and now.", {"field": "at"}
            )
        violation.imminent_threat = True
        violation.imminent_threat_at = at
        violation.imminent_threat_note = (data.get("note") or "").strip() or None
    else:
        violation.imminent_threat = False
        violation.imminent_threat_at = None
        violation.imminent_threat_note = None
    case.updated_at = utcnow()
    append(
        session,
        actor_of(user),
        "violation.imminent_threat"
        if violation.imminent_threat
        else "violation.imminent_threat_cleared",
        "violation",
        violation.id,
        case_id=case.id,
        fields=["imminent_threat", "imminent_threat_at", "imminent_threat_note"],
    )
    return violation


def record_referral(session: Session, user: User, case: Case, data: dict[str, Any]) -> Referral:
    """Record that the case was referred. data: kind, referred_on, and optionally referred_to
    (default: whom the profile names), infraction (repeat citations on a case cited for more
    than one) and note. The basis is taken from the case: the citations, or the flagged
    violations."""
    profile = case_profile(session, case)
    kind = data["kind"]
    if kind not in REFERRAL_KINDS:
        raise Invalid("kind must be repeat_citations or imminent_threat.", {"field": "kind"})
    rule = rules(profile).get(kind)
    if rule is None:
        raise Invalid(
            f"{profile.name}'s policy has no referral for "
            + ("repeated citations." if kind == REPEAT else "an imminent threat."),
            {"field": "kind"},
        )
    zone = profile.zone
    on = data["referred_on"]
    if on > utcnow().astimezone(zone).date() or on < case.opened_at.astimezone(zone).date():
        raise Invalid(
            "referred_on must fall between the day the case was opened and today.",
            {"field": "referred_on"},
        )
    basis: dict[str, Any]
    if kind == REPEAT:
        cited = list(
            session.scalars(
                select(Citation).where(Citation.case_id == case.id).order_by(Citation.id)
            )
        )
        infractions = sorted({c.infraction for c in cited})
        infraction = data.get("infraction") or (infractions[0] if len(infractions) == 1 else None)
        if not cited:
            raise Invalid(
                "this case has no citation yet: record the citations the referral rests on.",
                {"field": "kind"},
            )
        if infraction not in infractions:
            raise Invalid(
                "give the infraction referred: one of " + ", ".join(infractions) + ".",
                {"field": "infraction"},
            )
        basis = {
            "infraction": infraction,
            "citations": [c.number for c in cited if c.infraction == infraction],
        }
    else:
        flagged = [v for v in case.violations if v.imminent_threat]
        if not flagged:
            raise Invalid(
                "no violation of this case is flagged as an imminent threat; flag it first.",
                {"field": "kind"},
            )
        basis = {"violations": [v.id for v in flagged]}
    referral = Referral(
        case_id=case.id,
        kind=kind,
        referred_on=on,
        referred_to=(data.get("referred_to") or "").strip() or rule["referred_to"],
        basis=basis,
        note=(data.get("note") or "").strip() or None,
        created_by_id=user.id,
        created_at=utcnow(),
    )
    session.add(referral)
    session.flush()
    case.updated_at = utcnow()
    append(
        session,
        actor_of(user),
        "referral.record",
        "referral",
        referral.id,
        case_id=case.id,
        fields=["kind", "referred_on", "referred_to", "basis", "note"],
    )
    return referral


def masked(session: Session, case: Case, text: str | None) -> str | None:
    """Text an officer typed on the case, with the complainant masked."""
    return masker(session, case)(text)


def present_referral(session: Session, case: Case, r: Referral) -> dict[str, Any]:
    """The referral as the API returns it and the case page shows it; whom it went to and the
    note masked like every text typed on a case (the basis holds the profile's infraction code,
    citation numbers and violation ids, nothing typed about a person)."""
    masked = masker(session, case)
    return {
        "id": r.id,
        "kind": r.kind,
        "referred_on": r.referred_on,
        "referred_to": masked(r.referred_to),
        "basis": r.basis or {},
        "note": masked(r.note),
    }

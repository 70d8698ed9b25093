"""What the case page shows of referrals to the attorney and of permits: only the parts the
jurisdiction's profile has a rule for (`referrals`, `permits`), read from the profile, never
from the jurisdiction's name. Text an officer typed is masked like every text on a case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.followup import permits, referrals
from docsvc.identity.mask import masker
from docsvc.models import Case, Citation
from docsvc.models.enforcement import REFERRAL_KINDS
from docsvc.profiles.model import Profile


def _title(profile: Profile, code: str) -> str:
    return str(profile.violation_types.get(code, {}).get("title", code))


def referrals_and_permits(session: Session, case: Case, profile: Profile) -> dict[str, Any]:
    """The card's parts: `threats` (the imminent-threat flag), `referrals` and `permits`, each
    None where the profile has no rule for it."""
    mask = masker(session, case)
    zone = profile.zone
    violations = sorted(case.violations, key=lambda v: v.id)

    def named(v: Any) -> str:
        # Two violations of one type are told apart by the day they were observed.
        observed = v.observed_at.astimezone(zone)
        return f"{_title(profile, v.violation_type)}, observed {observed:%Y-%m-%d}"

    referral_rules = referrals.rules(profile)
    threat_part: dict[str, Any] | None = None
    # The flag matters where the profile refers an imminent threat to the attorney (Tom Bean
    # XIII.A.1) or ranks it first (`priority.imminent_threat_rank`).
    refer = referral_rules.get(referrals.IMMINENT)
    ranked = profile.data.get("priority") or {}
    ranks = bool(ranked.get("imminent_threat_rank"))
    if refer or ranks:
        citations = [refer["citation"]] if refer else []
        if ranks and ranked.get("imminent_threat_citation"):
            citations.append(ranked["imminent_threat_citation"])
        threat_part = {
            "referred": refer is not None,
            "ranked": ranks,
            "citations": citations,
            "violations": [
                {
                    "id": v.id,
                    "name": named(v),
                    "corrected": v.corrected_at is not None,
                    "imminent_threat": v.imminent_threat,
                    "at": v.imminent_threat_at.astimezone(zone) if v.imminent_threat_at else None,
                    "note": mask(v.imminent_threat_note),
                }
                for v in violations
            ],
        }
    referral_part: dict[str, Any] | None = None
    if any(k in referral_rules for k in REFERRAL_KINDS):
        infractions = sorted(
            set(session.scalars(select(Citation.infraction).where(Citation.case_id == case.id)))
        )
        kinds = [k for k in REFERRAL_KINDS if k in referral_rules]
        referral_part = {
            "kinds": kinds,
            "rules": {k: referral_rules[k] for k in kinds},
            "referred_to": referral_rules[kinds[0]]["referred_to"],
            "infractions": [(code, _title(profile, code)) for code in infractions],
            "recorded": [
                {
                    **referrals.present_referral(session, case, r),
                    "basis_text": _basis(r.basis or {}, violations, named),
                }
                for r in referrals.case_referrals(session, case)
            ],
        }
    permit_rules = permits.rules(profile)
    permit_part: dict[str, Any] | None = None
    if permit_rules.get("time_frames") or permit_rules.get("actions"):
        by_id = {v.id: v for v in violations}
        needed = permits.case_permits(session, case)
        shown = {p.id: permits.present_permit(session, case, p) for p in needed}
        permit_part = {
            "time_frames": permit_rules.get("time_frames"),
            "actions_allowed": [
                (a["action"], a["citation"]) for a in permit_rules.get("actions") or []
            ],
            # The ordinance each action is taken under, where the profile names it.
            "authorities": {
                a["action"]: a["authority"]
                for a in permit_rules.get("actions") or []
                if a.get("authority")
            },
            "open_violations": [(v.id, named(v)) for v in violations if v.corrected_at is None],
            "permits": [
                {
                    **shown[p.id],
                    "violation": named(by_id[p.violation_id]) if p.violation_id in by_id else "",
                }
                for p in needed
            ],
            # An action may name one of the case's permits (a select's options: id, words).
            "permit_options": [(str(i), p["description"] or "") for i, p in shown.items()],
            "actions": [
                permits.present_action(session, case, a, profile)
                for a in permits.case_permit_actions(session, case)
            ],
        }
    return {"threats": threat_part, "referrals": referral_part, "permits": permit_part}


def _basis(basis: dict[str, Any], violations: list[Any], named: Any) -> str:
    """What a referral rested on, in words: the citations, or the violations flagged."""
    if basis.get("citations"):
        return "Citations " + ", ".join(str(n) for n in basis["citations"])
    flagged = [named(v) for v in violations if v.id in set(basis.get("violations") or [])]
    return ("Flagged as an imminent threat: " + "; ".join(flagged)) if flagged else ""

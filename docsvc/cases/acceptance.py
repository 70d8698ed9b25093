"""A jurisdiction's complaint acceptance rules, applied at intake.

The rules are the profile's data; this module only reads them. A refusal names the rule and
its citation so the officer can tell the complainant why.
"""

from __future__ import annotations

from typing import Any

from docsvc.errors import ComplaintRefused, Invalid
from docsvc.labels import label
from docsvc.profiles.model import Profile


def check_complaint(profile: Profile, complaint: dict[str, Any]) -> None:
    rules = profile.complaints
    citation = rules["citation"]
    anonymous = complaint["anonymous"]
    if anonymous:
        if rules["anonymous"] == "refused":
            _refuse(
                profile, "anonymous_not_accepted", "does not accept anonymous complaints", citation
            )
        if rules["anonymous"] == "discretion" and not complaint.get("discretion_approved_by"):
            _refuse(
                profile,
                "anonymous_needs_discretion",
                "accepts an anonymous complaint only with the approval of the "
                f"{rules['discretion_authority']}; record who approved it in "
                "discretion_approved_by",
                citation,
            )
    if rules["written_required"] and complaint.get("channel") not in rules["written_channels"]:
        _refuse(
            profile,
            "written_complaint_required",
            f"requires a written complaint (accepted: {_either(rules['written_channels'])})",
            citation,
            field="complaint.channel",
        )
    if rules["identifiable_complainant_required"] and not anonymous:
        person = complaint.get("complainant") or {}
        reachable = any(person.get(k) for k in ("phone", "email", "address"))
        if not person.get("name") or not reachable:
            _refuse(
                profile,
                "identifiable_complainant_required",
                "requires an identifiable complainant reachable by telephone, mail or e-mail: "
                "give the complainant's name and at least one of phone, email or address",
                citation,
            )


def check_complaint_type(profile: Profile, complaint: dict[str, Any]) -> None:
    """The type of complaint, from the profile's list (Tom Bean VI.A.4, Los Gatos V.a.iv):
    required where the profile says so; refused where the profile lists none."""
    rules = profile.complaints
    types = {t["code"]: t["title"] for t in rules.get("types") or []}
    given = complaint.get("complaint_type")
    where = {"field": "complaint.complaint_type", "allowed": list(types)}
    if given is None:
        if rules.get("type_required"):
            raise Invalid(
                f"choose the type of complaint: {profile.name} records it with every complaint "
                f"({rules.get('types_citation') or rules['citation']}).",
                where,
            )
        return
    if not types:
        raise Invalid(
            f"{profile.name} keeps no list of complaint types: leave the type of complaint out.",
            where,
        )
    if given not in types:
        raise Invalid(
            f"that is not one of {profile.name}'s types of complaint; choose one of: "
            + "; ".join(types.values())
            + ".",
            where,
        )


def check_anonymous_factors(profile: Profile, complaint: dict[str, Any]) -> None:
    """An anonymous complaint accepted at discretion records the finding on each factor the
    discretion weighs (Tom Bean V.A.2 (a)-(c)), not only who approved it."""
    rules = profile.complaints
    factors = {f["code"]: f["title"] for f in rules.get("anonymous_factors") or []}
    given = complaint.get("anonymous_factors")
    where = {"field": "complaint.anonymous_factors", "factors": list(factors)}
    weighed = complaint["anonymous"] and rules["anonymous"] == "discretion" and factors
    if not weighed:
        if given:
            raise Invalid(
                "the weighing of factors is recorded only for an anonymous complaint accepted "
                "at discretion: leave it out.",
                where,
            )
        return
    given = given or {}
    unknown = sorted(set(given) - set(factors))
    if unknown:
        raise Invalid(
            f"not a factor {profile.name} weighs: {', '.join(unknown)}; the factors are "
            f"{', '.join(factors)}.",
            where,
        )
    missing = [title for code, title in factors.items() if not (given.get(code) or "").strip()]
    if missing:
        raise Invalid(
            f"record the finding of the {rules['discretion_authority']} on each factor weighed "
            f"before accepting an anonymous complaint ({rules['citation']}); missing: "
            + "; ".join(missing)
            + ".",
            where,
        )


def _either(codes: list[str]) -> str:
    """Channels in words, as a sentence lists them: 'web form, e-mail or mail'."""
    said = [label(c).lower() for c in codes]
    return " or ".join(filter(None, (", ".join(said[:-1]), *said[-1:])))


def _refuse(
    profile: Profile, rule: str, what: str, citation: str, field: str | None = None
) -> None:
    where = {"field": field} if field else {}
    raise ComplaintRefused(
        f"{profile.name} {what}.",
        {"rule": rule, "citation": citation, "jurisdiction": profile.code, **where},
    )

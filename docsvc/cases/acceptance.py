"""A jurisdiction's complaint acceptance rules, applied at intake.

The rules are the profile's data; this module only reads them. A refusal names the rule and
its citation so the officer can tell the complainant why.
"""

from __future__ import annotations

from typing import Any

from docsvc.errors import ComplaintRefused
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
        channels = ", ".join(rules["written_channels"])
        _refuse(
            profile,
            "written_complaint_required",
            f"requires a written complaint (channels accepted: {channels})",
            citation,
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


def _refuse(profile: Profile, rule: str, what: str, citation: str) -> None:
    raise ComplaintRefused(
        f"{profile.name} {what}.",
        {"rule": rule, "citation": citation, "jurisdiction": profile.code},
    )

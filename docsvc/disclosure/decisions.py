"""Whether a case's complainant identity is withheld from a release, by the profile's law.

The profile's `public_records.complainant_exemption` says which statute applies, whether the
complainant's stated wish governs (Washington, RCW 42.56.240(2)), and whether no exemption was
identified so counsel must decide (Missouri). Nothing here guesses: where the law leaves a
judgement, the decision is "counsel" and the release waits for one recorded by a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from docsvc.identity.guard import complaint_of_processing
from docsvc.identity.needles import Identity
from docsvc.models import Complaint
from docsvc.profiles.model import Profile


@dataclass(frozen=True)
class Decision:
    decision: str  # redact | disclose | counsel | none
    statute: str | None
    label: str | None
    explanation: str


def identity_of(complaint: Complaint | None) -> Identity | None:
    who = complaint_of_processing(complaint)
    if who is None:
        return None
    found = Identity.of(who)
    return found if found.needles() else None


def decide(profile: Profile, complaint: Complaint | None) -> Decision:
    if identity_of(complaint) is None:
        return Decision("none", None, None, "The case has no identified complainant.")
    assert complaint is not None
    ex = profile.public_records["complainant_exemption"]
    statute, label = ex.get("statute"), ex.get("label")
    if ex.get("counsel_review"):
        return Decision("counsel", None, label, ex["explanation"])
    if ex.get("preference_governs"):
        wish = complaint.disclosure_preference
        if wish == "disclosure":
            return Decision(
                "disclose",
                statute,
                None,
                f"At filing the complainant asked that their identity be disclosed; under "
                f"{statute} that wish governs.",
            )
        if wish != "nondisclosure":
            return Decision(
                "counsel",
                statute,
                label,
                f"The complainant stated no wish at filing, so {statute} protects their "
                "identity only if disclosure would endanger a person's life, safety or "
                "property. Seek counsel's review and record the decision.",
            )
    return Decision("redact", statute, label, ex["explanation"])

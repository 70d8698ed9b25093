"""The step a profile requires before anything is withheld (Texas: asking the Attorney General
for a decision, Gov't Code §552.301) and the decision itself, as a clerk records them.

What the profile says (public_records.pre_withholding_step.ruling): who decides, whether a
release that withholds waits for the request or for the ruling, and what each outcome does to
the cases whose complainant is withheld: stays withheld (withhold), goes back for a decision
case by case (counsel: the ruling allows part of it), or is disclosed (disclose: the records
are prepared again without the boxes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.attachments import sniff, validate
from docsvc.attachments.service import Upload, register_blob, stage
from docsvc.audit import actor_of, append
from docsvc.config import Settings
from docsvc.disclosure.prepare import prepare_again
from docsvc.errors import Conflict, Invalid
from docsvc.labels import label
from docsvc.models import DisclosureCase, DisclosureRequest, Jurisdiction, User
from docsvc.profiles.loader import profile_of
from docsvc.profiles.schema import RULING_OUTCOMES
from docsvc.store import Store
from docsvc.timeutil import utcnow

CLOCK_SKEW_SECONDS = 300
EFFECTS = {
    "withhold": "the complainant's identity stays withheld",
    "counsel": "each case withheld comes back for your decision on what the ruling allows",
    "disclose": "the complainant's identity is released; the records are prepared again",
}


@dataclass(frozen=True)
class Step:
    """The profile's pre-withholding step for a request, as the pages and the release read it."""

    citation: str
    description: str
    ruling: dict[str, Any] | None  # None: only the request is recorded
    zone: ZoneInfo

    @property
    def authority(self) -> str:
        return (self.ruling or {}).get("authority", "the authority")

    @property
    def waits_for_ruling(self) -> bool:
        return self.ruling is not None and self.ruling.get("release_waits_for") == "ruling"

    def effect(self, outcome: str) -> str:
        return str((self.ruling or {}).get("outcomes", {}).get(outcome, {}).get("effect"))

    def outcomes(self) -> list[tuple[str, str]]:
        """Each outcome the ruling may have, with what recording it does here, in words."""
        return [(o, EFFECTS.get(self.effect(o), "")) for o in RULING_OUTCOMES]


def step_for(session: Session, req: DisclosureRequest) -> Step | None:
    """The request's jurisdiction's step, or None where its profile has none."""
    row = session.get(Jurisdiction, req.jurisdiction_code)
    if row is None:
        return None
    profile = profile_of(row)
    raw = profile.public_records.get("pre_withholding_step")
    if not raw:
        return None
    return Step(raw["citation"], raw.get("description") or "", raw.get("ruling"), profile.zone)


def _required(session: Session, req: DisclosureRequest) -> Step:
    step = step_for(session, req)
    if step is None:
        raise Conflict(
            f"{req.jurisdiction_code}'s profile requires no decision before withholding; "
            "there is nothing to record."
        )
    return step


def _check_when(
    value: datetime, field: str, after: datetime | None, what: str, zone: ZoneInfo
) -> None:
    """Not in the future, and (by the jurisdiction's calendar) not before `after`."""
    if (value - utcnow()).total_seconds() > CLOCK_SKEW_SECONDS:
        raise Invalid(f"{field}: the date is in the future; record it once it has happened.",
                      {"field": field})  # fmt: skip
    if after is not None and value.astimezone(zone).date() < after.astimezone(zone).date():
        raise Invalid(f"{field}: the date is before {what}; check the date.", {"field": field})


def record_request(
    session: Session, user: User, req: DisclosureRequest, requested_at: datetime | None
) -> DisclosureRequest:
    """When the decision was asked for (None takes it back, before a ruling is recorded)."""
    step = _required(session, req)
    if requested_at is None and req.ruling_outcome is not None:
        raise Conflict(f"the {step.authority}'s ruling is recorded; the request stays recorded.")
    if requested_at is not None:
        _check_when(
            requested_at, "ruling_requested_at", req.received_at, "the request arrived", step.zone
        )
    req.ruling_requested_at, req.updated_at = requested_at, utcnow()
    append(session, actor_of(user), "disclosure.ruling_requested", "disclosure", req.id,
           fields=["ruling_requested_at"])  # fmt: skip
    return req


def record_ruling(
    session: Session,
    store: Store,
    settings: Settings,
    user: User,
    req: DisclosureRequest,
    data: dict[str, Any],
    letter: Upload | None = None,
) -> DisclosureRequest:
    """The ruling: issued_at, reference, outcome (RULING_OUTCOMES) and its letter, if given
    (it may come later: attach_letter). Each case withheld takes the outcome's effect from the
    profile; a correction of the date or number keeps the outcome (a different outcome is a
    new request's matter)."""
    step = _required(session, req)
    outcome = data.get("outcome")
    if outcome not in RULING_OUTCOMES:
        raise Invalid(
            "outcome: choose what the ruling decided: "
            + ", ".join(f"{o} ({label(o).lower()})" for o in RULING_OUTCOMES) + ".",
            {"field": "outcome"},
        )  # fmt: skip
    if req.ruling_requested_at is None:
        raise Conflict(
            f"record when the {step.authority}'s decision was requested before its ruling."
        )
    if req.ruling_outcome is not None and req.ruling_outcome != outcome:
        raise Conflict(
            f"the ruling is recorded as '{label(req.ruling_outcome).lower()}'; a ruling's outcome "
            "is not changed afterwards. Correct its date, number or letter only."
        )
    reference = (data.get("reference") or "").strip()
    if not reference:
        raise Invalid("reference: give the ruling's number (as on its letter).",
                      {"field": "reference"})  # fmt: skip
    issued: datetime = data["issued_at"]
    _check_when(
        issued, "issued_at", req.ruling_requested_at, "the decision was requested", step.zone
    )
    first = req.ruling_outcome is None
    req.ruling_issued_at, req.ruling_reference, req.ruling_outcome = issued, reference, outcome
    req.ruling_recorded_by_id, req.ruling_recorded_at = user.id, utcnow()
    req.updated_at = utcnow()
    changed = _apply(session, req, step, outcome) if first and req.status != "released" else []
    append(
        session,
        actor_of(user),
        "disclosure.ruling",
        "disclosure",
        req.id,
        fields=["issued_at", "reference", "outcome"],
    )
    for case_id in changed if step.effect(outcome) == "disclose" else []:
        prepare_again(session, req, case_id)
    if letter is not None:
        attach_letter(session, store, settings, user, req, letter)
    return req


def attach_letter(
    session: Session,
    store: Store,
    settings: Settings,
    user: User,
    req: DisclosureRequest,
    letter: Upload,
) -> DisclosureRequest:
    """The ruling's letter (a PDF), stored and hashed as a case file is; a later one replaces
    it (the audit trail keeps each hash)."""
    step = _required(session, req)
    if req.ruling_outcome is None:
        raise Conflict(f"record the {step.authority}'s ruling before its letter.")
    req.ruling_letter_sha256 = _store_letter(session, store, settings, letter)
    req.updated_at = utcnow()
    append(session, actor_of(user), "disclosure.ruling_letter", "disclosure", req.id,
           fields=["letter"], hashes={"letter": req.ruling_letter_sha256})  # fmt: skip
    return req


def _apply(session: Session, req: DisclosureRequest, step: Step, outcome: str) -> list[int]:
    """The outcome's effect on each case whose complainant is withheld: the cases changed."""
    effect = step.effect(outcome)
    if effect not in ("counsel", "disclose"):
        return []
    issued = req.ruling_issued_at
    when = issued.astimezone(step.zone).date().isoformat() if issued else ""
    ruling = f"{step.authority} ruling {req.ruling_reference} of {when}"
    changed = []
    for row in session.scalars(
        select(DisclosureCase).where(
            DisclosureCase.request_id == req.id, DisclosureCase.decision == "redact"
        )
    ):
        if effect == "counsel":
            row.decision = "counsel"
            row.explanation = (
                f"The {ruling} allows withholding in part: record for this case what it allows."
            )
        else:
            row.decision, row.statute, row.label = "disclose", None, None
            row.explanation = f"The {ruling} decided the information must be released."
        row.decided_at = utcnow()
        changed.append(row.case_id)
    return changed


def _store_letter(session: Session, store: Store, settings: Settings, letter: Upload) -> str:
    """The ruling's letter, stored and hashed as a case file is: a PDF, checked that it
    parses, within the upload limit."""
    staged = stage(store, settings, letter, field="letter")
    try:
        if sniff.detect(staged.path, staged.read_head()) != sniff.PDF:
            raise Invalid(
                "letter: the ruling's letter must be a PDF (as the Attorney General sends it); "
                "scan or save it as PDF and upload again.",
                {"field": "letter"},
            )
        validate.check(
            staged.path,
            sniff.PDF,
            max_pixels=settings.max_image_pixels,
            max_docx=settings.max_docx_uncompressed_bytes,
        )
        stored = staged.commit()
    except BaseException:
        staged.discard()
        raise
    register_blob(session, stored.sha256, stored.size, sniff.PDF)
    return stored.sha256


def release_blocker(session: Session, req: DisclosureRequest) -> str | None:
    """Why a release that withholds cannot go yet, per the profile's step; None if it can."""
    step = step_for(session, req)
    if step is None:
        return None
    if req.ruling_requested_at is None:
        return (
            f"{step.citation}: {step.description} Record the date the decision was requested "
            "before releasing with anything withheld."
        )
    if step.waits_for_ruling and req.ruling_outcome is None:
        citation = (step.ruling or {}).get("citation", step.citation)
        return (
            f"{citation}: a release that withholds anything waits for the {step.authority}'s "
            "ruling. Record the ruling (date, number, outcome) when it arrives, then release."
        )
    return None


def ruling_dict(session: Session, req: DisclosureRequest, zone: Any) -> dict[str, Any] | None:
    """The recorded ruling for the API and the page (None until recorded)."""
    if req.ruling_outcome is None:
        return None
    step = step_for(session, req)
    return {
        "issued_at": req.ruling_issued_at.astimezone(zone).isoformat()
        if req.ruling_issued_at
        else None,
        "reference": req.ruling_reference,
        "outcome": req.ruling_outcome,
        "effect": step.effect(req.ruling_outcome) if step else None,
        "has_letter": req.ruling_letter_sha256 is not None,
        "recorded_at": req.ruling_recorded_at.astimezone(zone).isoformat()
        if req.ruling_recorded_at
        else None,
    }

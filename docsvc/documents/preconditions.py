"""What must be true of a case before a document type is issued, as each profile lists it
(`document_types.<type>.requires`, each with the rule it comes from):

- notice_of_violation_issued: a voluntary compliance agreement extends the deadline of a notice
  of violation already issued on the case (Tom Bean VIII.C.2, Los Gatos VII.b.ii);
- case_closed: a notice of resolution tells the complainant how a closed case was resolved
  (Tom Bean XIII.C);
- owner_notice: a notice to someone other than the owner says a separate notice is sent to the
  owner, so the owner's own is issued first, or in the same batch (Los Gatos VII.a.ii);
- warning_first: a written warning comes before enforcement unless there is an immediate
  adverse impact, which is then written down (Jefferson County Rule 1(a)(ii)).

A state the case has not reached is a 409; a reason asked for and not given, a 422.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.errors import Conflict, Invalid
from docsvc.models import Case, Document, Party
from docsvc.profiles.model import Profile

ISSUED = ("issued", "superseded")  # a superseded notice was issued; its correction is too


def _title(profile: Profile, doc_type: str) -> str:
    return str(profile.document_types[doc_type]["title"])


def issued_of(session: Session, case: Case, doc_type: str) -> list[Document]:
    return list(
        session.scalars(
            select(Document).where(
                Document.case_id == case.id,
                Document.type == doc_type,
                Document.status.in_(ISSUED),
            )
        )
    )


def owner_notified(session: Session, case: Case, doc: Document) -> bool | None:
    """Whether the owner has their own issued notice of this type: None when the document is
    not addressed to a party other than the owner (the question does not arise)."""
    party = session.get(Party, doc.recipient_party_id) if doc.recipient_party_id else None
    if party is None or party.role == "owner":
        return None
    owners = {p.id for p in case.parties if p.role == "owner"}
    return any(d.recipient_party_id in owners for d in issued_of(session, case, doc.type))


def _nov_issued(session: Session, profile: Profile, case: Case, doc: Document, cite: str) -> None:
    if not issued_of(session, case, "notice_of_violation"):
        nov = _title(profile, "notice_of_violation")
        raise Conflict(
            f"a {_title(profile, doc.type)} extends the deadline of a {nov} already issued, and "
            f"no {nov} is issued on case {case.case_number}: issue the {nov} first ({cite}).",
            {
                "rule": "notice_of_violation_issued",
                "citation": cite,
                "missing": "notice_of_violation",
            },
        )


def _case_closed(session: Session, profile: Profile, case: Case, doc: Document, cite: str) -> None:
    if case.status != "closed":
        raise Conflict(
            f"a {_title(profile, doc.type)} tells the complainant how the case was resolved, and "
            f"case {case.case_number} is still open: close the case first ({cite}).",
            {"rule": "case_closed", "citation": cite, "missing": "case_closed"},
        )


def _owner_notice(session: Session, profile: Profile, case: Case, doc: Document, cite: str) -> None:
    if owner_notified(session, case, doc) is not False:
        return
    title = _title(profile, doc.type)
    has_owner = any(p.role == "owner" for p in case.parties)
    fix = (
        f"issue the owner's {title} first, or with this one"
        if has_owner
        else f"add the owner as a party of case {case.case_number} and issue their {title} "
        "first, or with this one"
    )
    raise Conflict(
        f"this {title} says a separate notice is sent to the owner, and the owner has none: "
        f"{fix} ({cite}).",
        {"rule": "owner_notice", "citation": cite, "missing_recipient": "owner"},
    )


def _warning_first(
    session: Session, profile: Profile, case: Case, doc: Document, cite: str
) -> None:
    if issued_of(session, case, "warning_notice") or (doc.no_warning_reason or "").strip():
        return
    raise Invalid(
        f"{profile.name} gives a written warning before enforcement, and no "
        f"{_title(profile, 'warning_notice')} is issued on case {case.case_number}: issue one "
        "first, or give no_warning_reason: why this could not wait (an immediate adverse "
        f"impact on people or the environment) ({cite}).",
        {"field": "no_warning_reason", "rule": "warning_first", "citation": cite},
    )


CHECKS: dict[str, Callable[[Session, Profile, Case, Document, str], None]] = {
    "notice_of_violation_issued": _nov_issued,
    "case_closed": _case_closed,
    "owner_notice": _owner_notice,
    "warning_first": _warning_first,
}


def rules(profile: Profile, doc_type: str) -> dict[str, str]:
    """The checks the profile lists for a type: {check: citation}."""
    listed = profile.document_types.get(doc_type, {}).get("requires") or []
    return {r["check"]: r["citation"] for r in listed}


def check(session: Session, profile: Profile, case: Case, doc: Document) -> None:
    """Refuse the issue when the case lacks what the profile says this type requires."""
    for name, cite in rules(profile, doc.type).items():
        CHECKS[name](session, profile, case, doc, cite)


def check_reason_applies(profile: Profile, doc_type: str, reason: str | None) -> None:
    """A no-warning reason only where the profile asks for a warning first: elsewhere it
    would print a rule the jurisdiction does not have."""
    if reason and "warning_first" not in rules(profile, doc_type):
        raise Invalid(
            f"{profile.name} does not ask for a warning before a "
            f"{_title(profile, doc_type)}: leave no_warning_reason out.",
            {"field": "no_warning_reason"},
        )

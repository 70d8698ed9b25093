"""The data a document is filled from: built from the case at issue, then frozen.

Every value a renderer needs is here, JSON-serialisable, so an issued document can be
re-rendered identically years later (and a public rendition re-rendered from it with the
complainant's fields replaced). The complainant's identity enters only a document addressed
to the complainant; a photo the complainant supplied is never credited to them.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from docsvc.cases.patrol import community_resources
from docsvc.documents.deadlines import Rule, strictest
from docsvc.identity import guard
from docsvc.identity.needles import mask
from docsvc.labels import money
from docsvc.models import Attachment, Case, Document, Party, User, Violation
from docsvc.profiles.catalog import catalog
from docsvc.profiles.model import Profile
from docsvc.profiles.schema import DEFAULT_WINDOW

ROLE_LABELS = {
    "owner": "owner",
    "occupant": "occupant",
    "tenant": "tenant",
    "agent": "agent of the owner",
    "contractor": "contractor",
    "lien_holder": "lien holder",
    "contract_purchaser": "contract purchaser",
    "lessee": "lessee",
    "responsible": "person responsible",
    "complainant": "complainant",
}
CLOSURE_TEXT = {
    "no_violation": "no violation was found after investigation",
    "voluntary_compliance": "the violations were corrected voluntarily",
    "convicted_and_corrected": "the responsible person was convicted and the violations corrected",
    "deferred_to_agency": "the matter was completed by the state or federal agency it was "
    "referred to",
    "unresolvable": "the matter could not be resolved within the established timelines",
}


def long_date(value: date | datetime | None, profile: Profile) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(profile.zone).date()
    return f"{value:%B} {value.day}, {value.year}"


def long_datetime(value: datetime | None, profile: Profile) -> str:
    if value is None:
        return ""
    local = value.astimezone(profile.zone)
    hour = local.strftime("%I:%M %p").lstrip("0")
    return f"{long_date(local, profile)} at {hour} {local.tzname()}"


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def display_fields(
    doc_type: str, fields: dict[str, Any], issued_on: date, profile: Profile
) -> dict:
    """The request's fields plus the derived values the wording shows."""
    out = dict(fields)
    if doc_type == "voluntary_compliance_agreement":
        out.setdefault("without_penalty", True)
        if fields.get("extended_deadline"):
            out["extended_deadline_text"] = long_date(
                date.fromisoformat(fields["extended_deadline"]), profile
            )
    if doc_type == "settlement_agreement":
        penalty = Decimal(fields.get("penalty_amount") or "0")
        cancelled = Decimal(fields.get("cancelled_amount") or "0")
        costs = Decimal(fields.get("abatement_costs") or "0")
        months = int(fields.get("deferred_months") or 0)
        out |= {
            "penalty_amount": money(penalty),
            "cancelled_amount": money(cancelled),
            "cancelled_amount_value": str(cancelled) if cancelled else "",
            "penalty_payable": money(penalty - cancelled),
            "abatement_costs": money(costs),
            "abatement_costs_value": str(costs) if costs else "",
            "deferred_months": months,
            "deferred_months_value": months,
            "deferred_until_text": long_date(add_months(issued_on, months), profile)
            if months
            else "",
        }
    if doc_type == "stop_work_order" and fields.get("building_inspector_notified_at"):
        out["building_inspector_notified_on"] = long_datetime(
            datetime.fromisoformat(fields["building_inspector_notified_at"]), profile
        )
    return out


def address_lines(address: str) -> list[str]:
    """ "PO Box 9, Tom Bean, TX 75489" -> two lines; the "City, ST ZIP" line is kept whole, as
    USPS Publication 28 sets an address out (name, delivery line, city-state-ZIP last). The
    comma after the city stays: Publication 28 allows it, and the leak scanner's needles for an
    address are built from the address as written."""
    parts = [p.strip() for p in address.replace("\n", ",").split(",") if p.strip()]
    if len(parts) >= 3:
        parts = [*parts[:-2], f"{parts[-2]}, {parts[-1]}"]
    return parts


def recipient_of(doc: Document, case: Case, party: Party | None) -> dict[str, Any]:
    if doc.recipient_kind == "complainant":
        # Filled in for the machine: the document is addressed to them, and each view of it
        # goes through the identity guard (it bears identity).
        who = guard.complaint_of_processing(case.complaint)
        assert who is not None
        return {
            "kind": "complainant",
            "name": who.name or "",
            "role": "complainant",
            "role_label": ROLE_LABELS["complainant"],
            "address_lines": address_lines(who.address or ""),
            "email": who.email,
        }
    assert party is not None
    return {
        "kind": "party",
        "party_id": party.id,
        "name": party.name,
        "role": party.role,
        "role_label": ROLE_LABELS.get(party.role, party.role),
        "address_lines": address_lines(party.mailing_address),
    }


def officer_of(issuer: User) -> dict[str, str]:
    """The signature block: how the respondent reaches the officer who issued the notice.
    A blank field is "" (the layouts print only what is there)."""
    return {
        "name": issuer.display_name,
        "badge": issuer.badge or "",
        "role": issuer.role,
        "title": issuer.title or "",
        "phone": issuer.phone or "",
        "email": issuer.email or "",
    }


def letters_of(profile: Profile) -> dict[str, Any]:
    """How the jurisdiction's letters are laid out (profile `letters`): with the address where
    a #10 window envelope shows it, or plain."""
    letters = profile.data.get("letters") or {}
    return {
        "window_envelope": bool(letters.get("window_envelope")),
        "window": dict(letters.get("window") or DEFAULT_WINDOW),
    }


def build_context(
    *,
    doc: Document,
    case: Case,
    profile: Profile,
    issuer: User,
    party: Party | None,
    violations: list[Violation],
    photos: list[Attachment],
    now: datetime,
    supersedes: Document | None = None,
    record: dict[str, Any] | None = None,
    others: list[guard.Complainant] | None = None,
    seal: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The template's data. `others`: the complainants of the other complaints about the
    property (guard.others_about_the_property), never named in any document of this case."""
    data = profile.data
    library = profile.violation_types
    local_type = profile.document_types[doc.type]
    issued_on = now.astimezone(profile.zone).date()
    rules = [Rule.of(library[v.violation_type]["deadline"]) for v in violations]
    rule = strictest(rules)
    vlist: list[dict[str, Any]] = []
    for v in violations:
        vt = library[v.violation_type]
        vlist.append(
            {
                "id": v.id,
                "type": v.violation_type,
                "title": vt["title"],
                "citation": vt["citation"],
                "description": v.description,
                "observed_on": long_date(v.observed_at, profile),
                "code_text": vt["text"],
                "text_status": vt["text_status"],
                "deadline_text": Rule.of(vt["deadline"]).short(),
                "involves_structure": vt.get("involves_structure", False),
            }
        )
    # A document served on the respondent never names the complainant (not in a caption, not
    # in an officer's description quoting them); one addressed to the complainant may.
    to_respondent = doc.recipient_kind != "complainant"
    own = guard.complaint_of_processing(case.complaint) if to_respondent else None
    hidden = ([own] if own else []) + list(others or [])

    def plain(text: str | None) -> str:
        return mask(text or "", hidden, "the complainant", case.property.address)

    for item in vlist:
        item["description"] = plain(item["description"])
    # A notice of extension: every violation is due on the date granted, whatever its type's rule.
    extended_to = (record or {}).get("new_compliance_date")
    if extended_to:
        for item in vlist:
            item["deadline_text"] = f"by {extended_to}"
    plist = []
    for p in photos:
        credit = (
            "Photograph supplied to the City"
            if p.supplied_by_complainant
            else ("Photograph by the investigating officer")
        )
        plist.append(
            {
                "id": p.id,
                "sha256": p.sha256,
                "print_sha256": p.print_sha256,
                # Their own photo's caption is theirs: on the respondent's copy, none.
                "caption": "" if to_respondent and p.supplied_by_complainant else plain(p.caption),
                "taken": long_datetime(p.taken_at, profile) if p.taken_at else "date not recorded",
                "credit": credit,
                "width": p.width,
                "height": p.height,
            }
        )
    fields = display_fields(doc.type, doc.fields or {}, issued_on, profile)
    if doc.type == "stop_work_order" and "involves_structure" not in doc.fields:
        fields["involves_structure"] = any(v["involves_structure"] for v in vlist)
    return {
        "schema": 1,
        "document": {
            "id": doc.id,
            "type": doc.type,
            "title": local_type["title"],
            "issued_on": long_date(issued_on, profile),
            "issued_at": now.isoformat(),
            "sample": any(v["text_status"] == "sample" for v in vlist),
            "supersedes": {
                "id": supersedes.id,
                "issued_on": long_date(supersedes.issued_at, profile),
            }
            if supersedes
            else None,
            "service_methods": local_type["service_methods"],
            "recipient_kind": catalog()[doc.type]["recipient"],
            # Why enforcement went without a written warning first, where the profile asks
            # for one (Jefferson County Rule 1(a)(ii)): printed on the notice.
            "no_warning_reason": plain(doc.no_warning_reason),
        },
        "jurisdiction": {
            "code": profile.code,
            "name": profile.name,
            "state": data["state"],
            "timezone": profile.timezone,
        },
        "letterhead": data["letterhead"],
        "letters": letters_of(profile),
        # The jurisdiction's seal or logo (seals.py), frozen by its hash: None when it has none.
        "seal": seal,
        "case": {
            "number": case.case_number,
            "opened_on": long_date(case.opened_at, profile),
            "closure_reason": case.closure_reason,
            "closure_reason_text": CLOSURE_TEXT.get(case.closure_reason or "", ""),
        },
        "property": {"address": case.property.address, "parcel": case.property.parcel},
        "recipient": recipient_of(doc, case, party),
        "officer": officer_of(issuer),
        "signers": data["signers"],
        "violations": vlist,
        "photos": plist,
        "deadline": {
            "unit": rule.unit if rule else None,
            "amount": rule.amount if rule else None,
            "rule_text": f"by {extended_to}, as extended"
            if extended_to
            else rule.text()
            if rule
            else "",
            # Beside a known date: "(15 days after service)".
            "after_text": rule.after() if rule and not extended_to else "",
            "date_text": "",
            "service_text": "",
            # A notice of extension runs no clock of its own: the extended notice's runs to the
            # date granted (documents/compliance.py).
            "fixed": bool(extended_to),
        },
        "fields": {k: plain(v) if isinstance(v, str) else v for k, v in fields.items()},
        # Groups willing to help with the corrections, where the profile lists them on this type.
        "community_resources": community_resources(profile, doc.type),
        # The record a type is made from (a granted extension, a citation): documents/records.py.
        "record": {k: plain(v) if isinstance(v, str) else v for k, v in (record or {}).items()},
    }


def with_defaults(context: dict[str, Any]) -> dict[str, Any]:
    """A frozen context as today's layouts read it: one frozen before the signature block, the
    seal and the window envelope existed renders as it was laid out then (plain, no seal)."""
    out = dict(context)
    out.setdefault("letters", {"window_envelope": False, "window": dict(DEFAULT_WINDOW)})
    out.setdefault("seal", None)
    out["officer"] = {"title": "", "phone": "", "email": "", **out["officer"]}
    out["deadline"] = {"after_text": "", **out["deadline"]}
    return out

"""Words for the codes the service stores: the one way a code becomes something a person reads,
on pages (the `label` Jinja filter), in PDFs, bundles and reports (`label()`).

A violation type or a document type is named by its jurisdiction's profile (its `title`); every
other code by WORDS below, with a few words that differ by what the code is about (a bundle that
is 'done' is ready; a job that is 'done' is done). A code nobody has named yet still reads as
words (underscores and hyphens as spaces), never as the code itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

WORDS: dict[str, str] = {
    # case statuses
    "open": "Open",
    "refused": "Refused",
    "investigating": "Investigating",
    "notice_issued": "Notice issued",
    "in_compliance_agreement": "In a compliance agreement",
    "escalated": "Escalated",
    "closed": "Closed",
    # how a complaint arrived
    "web": "Web form",
    "phone": "Telephone",
    "walk_in": "In person",
    "email": "E-mail",
    "mail": "Mail",
    # how the complainant was contacted (with phone and email above)
    "in_person": "In person",
    "letter": "Letter",
    "voicemail": "Voicemail message",
    "staff": "City staff",
    "council": "Council member",
    # how a case began
    "complaint": "Complaint",
    "patrol": "Patrol",
    "staff_report": "Staff report",
    "permit_monitoring": "Permit monitoring",
    "council_report": "Council report",
    # the complainant's wish on disclosure
    "nondisclosure": "Keep my identity confidential",
    "disclosure": "May be disclosed",
    "unspecified": "Not stated",
    # refusal and closure reasons
    "no_standing": "No standing",
    "frivolous": "Frivolous",
    "retaliatory": "Retaliatory",
    "unfounded": "Unfounded",
    "no_jurisdiction": "Outside the jurisdiction",
    "no_violation": "No violation found",
    "voluntary_compliance": "Corrected voluntarily",
    "convicted_and_corrected": "Convicted and corrected",
    "deferred_to_agency": "Deferred to another agency",
    "unresolvable": "Cannot be resolved",
    # party roles
    "owner": "Owner",
    "occupant": "Occupant",
    "tenant": "Tenant",
    "agent": "Agent",
    "contractor": "Contractor",
    "lien_holder": "Lien holder",
    "contract_purchaser": "Contract purchaser",
    "lessee": "Lessee",
    "responsible": "Responsible party",
    # service methods and what became of them
    "personal": "Personal service",
    "door_hanger": "Door hanger",
    "posting": "Posting at the property",
    "first_class_mail": "First-class mail",
    "certified_mail": "Certified mail",
    "served": "Served",
    "mailed": "Mailed",
    "delivered": "Delivered",
    "returned": "Returned to sender",
    "unclaimed": "Unclaimed",
    # documents
    "draft": "Draft",
    "issued": "Issued",
    "superseded": "Superseded",
    # a request for more time (Los Gatos VII.b.ii; refused above)
    "pending": "Waiting for a decision",
    "granted": "Granted",
    # files
    "photo": "Photo",
    "complaint_form": "Complaint form",
    "correspondence": "Correspondence",
    "return_receipt": "Return receipt",
    "other": "Other",
    # background work (jobs, bundles, retention runs)
    "queued": "Waiting for the background worker",
    "running": "In progress",
    "building": "Being built",
    "done": "Done",
    "failed": "Failed",
    # public-records requests, their decisions and what was withheld
    "preparing": "Preparing the records",
    "review": "In review",
    "released": "Released",
    "redact": "Withheld",
    "disclose": "Disclosed",
    "counsel": "Waiting for counsel's decision",
    "none": "No identified complainant",
    "name": "Name",
    "address": "Address",
    "unit": "Unit",
    "proposed": "Proposed",
    "confirmed": "Confirmed",
    "rejected": "Rejected",
    # an Attorney General's (or other authority's) ruling on withholding
    "withhold": "Withholding allowed",
    "partly": "Withholding allowed in part",
    "release": "Must release",
    # clocks
    "due": "Due",
    "overdue": "Overdue",
    "met": "Met",
    "met_late": "Met late",
    "upcoming": "Not yet due",
    # referrals to the attorney, and actions on permits
    "repeat_citations": "Repeated citations",
    "imminent_threat": "Imminent threat",
    "withheld": "Withheld",
    "suspended": "Suspended",
    "revoked": "Revoked",
    # money
    "penalty": "Penalty",
    "daily_penalty": "Daily penalty",
    "abatement_cost": "Abatement cost",
    "compliance_cost": "Compliance cost",
    "payment": "Payment",
    "cancellation": "Cancellation",
    "active": "Active",
    "completed": "Completed",
    "breached": "Breached",
    "recorded": "Recorded",
    "satisfied": "Satisfied",
    "education": "Education visit",
    "business_license_check": "Business license check",
    "current": "Current",
    "lapsed": "Lapsed",
    # what a patrol review found (no_violation above)
    "violation_found": "Violation found",
    "no_access": "Could not be seen from the street",
    # retention
    "approved": "Approved",
    "destroyed": "Destroyed",
    "cancelled": "Cancelled",
    # the text of an ordinance as quoted
    "adopted": "Adopted text",
    "sample": "Sample text",
}

# What happened, as the case's timeline tells it (audit actions).
EVENTS: dict[str, str] = {
    "case.open": "Case opened",
    "case.refuse": "Case refused",
    "case.close": "Case closed",
    "case.aggravating": "Aggravating circumstances recorded",
    "case.another_complaint": "Another complaint about the property, from someone else",
    "violation.repeat": "Recorded as a repeat of the first reported violation",
    "property.location": "Location of the property recorded",
    "party.add": "Party added",
    "violation.add": "Violation recorded",
    "violation.correct": "Violation corrected",
    "inspection.add": "Inspection report added",
    "attachment.add": "File added",
    "document.create": "Notice prepared",
    "document.update": "Draft changed",
    "document.discard": "Draft discarded",
    "document.issue": "Notice issued",
    "document.supersede": "Notice superseded",
    "document.service": "Service recorded",
    "document.return_receipt": "Return receipt recorded",
    "extension.request": "Request for more time recorded",
    "extension.granted": "More time granted",
    "extension.refused": "Request for more time refused",
    "complainant.contact": "Complainant contacted",
    "complainant.view": "Complainant's identity shown",
    "citation.issue": "Citation issued",
    "citation.outcome": "Citation outcome recorded",
    "violation.imminent_threat": "Flagged as an imminent threat",
    "violation.imminent_threat_cleared": "Imminent-threat flag cleared",
    "referral.record": "Referred to the attorney",
    "permit.add": "Permit needed, with its time frame",
    "permit.update": "Permit application or issue recorded",
    "permit.action": "Action on a permit recorded",
    "ledger.add": "Ledger entry added",
    "lien.record": "Lien recorded",
    "voucher.issue": "Voucher issued",
    "fund.deposit": "Deposit to the enforcement fund",
    "fund.voucher": "Voucher paid from the enforcement fund",
    "fund.abatement": "Abatement paid from the enforcement fund",
    "fund.adjustment": "Enforcement fund adjusted",
    "settlement.enter": "Settlement entered",
    "settlement.complete": "Settlement completed",
    "settlement.breach": "Settlement breached",
    "outreach.add": "Outreach recorded",
    "patrol.area_add": "Patrol area added",
    "patrol.assign": "Properties placed in a patrol area",
    "patrol.review": "Property reviewed on patrol",
    "appeal.file": "Appeal filed",
    "appeal.hearing": "Appeal hearing scheduled",
    "appeal.decide": "Appeal decided",
    "bundle.request": "Court bundle requested",
    "bundle.build": "Court bundle built",
    "bundle.certify": "Court bundle certified",
    "disclosure.open": "Records request opened",
    "disclosure.update": "Records request changed",
    "disclosure.review": "Records request reviewed",
    "disclosure.decision": "Counsel's decision recorded",
    "disclosure.dismiss": "Finding dismissed",
    "disclosure.release": "Records released",
    "disclosure.revoke": "Public link revoked",
    "disclosure.expiry": "Public link's expiry set",
    "disclosure.ruling": "Ruling recorded",
    "disclosure.ruling_requested": "Ruling requested",
    "disclosure.ruling_letter": "Ruling letter attached",
    "hold.place": "Legal hold placed",
    "hold.release": "Legal hold released",
    "retention.propose": "Proposed for destruction",
    "retention.certify": "Destruction certified",
    "retention.execute": "Records destroyed",
}

# Where the same code means something else by what it is about.
BY_KIND: dict[str, dict[str, str]] = {
    # who holds a role, as a group ('Officers and administrators record entries')
    "roles": {
        "officer": "officers",
        "records": "records staff",
        "attorney": "attorneys",
        "admin": "administrators",
    },
    "event": EVENTS,
    "bundle": {"queued": "Waiting to be built", "done": "Ready", "failed": "Not built"},
    "job": {"done": "Done", "failed": "Failed"},
    "request": {"closed": "Closed without release", "closed_released": "Closed after release"},
}


def words(code: str) -> str:
    """A code nobody named, as words: 'junk_debris' -> 'Junk debris'."""
    text = code.replace("_", " ").replace("-", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


@cache
def _titles() -> dict[str, str]:
    """Violation and document types by code across the shipped profiles (their own titles),
    for a code shown where no profile is at hand."""
    from docsvc.profiles.loader import load_profile_file, shipped_profile_paths

    out: dict[str, str] = {}
    for path in shipped_profile_paths():
        profile = load_profile_file(path)
        for code, v in profile.violation_types.items():
            out.setdefault(code, v["title"])
        for code, d in profile.document_types.items():
            out.setdefault(code, d["title"])
    return out


def label(code: Any, kind: str | None = None, profile: Any = None) -> str:
    """What a person reads for `code`: the profile's title for a violation or document type,
    else the words for it (by `kind` where those differ), else the code as words."""
    if code is None:
        return ""
    text = str(code)
    if profile is not None:
        if text in profile.violation_types:
            return str(profile.violation_types[text]["title"])
        if text in profile.document_types:
            return str(profile.document_types[text]["title"])
    if kind and text in BY_KIND.get(kind, {}):
        return BY_KIND[kind][text]
    if text in WORDS:
        return WORDS[text]
    title = _titles().get(text)
    return title if title is not None else words(text)


def known_codes() -> set[str]:
    """Every code this module names that would read as a code if printed raw (one with an
    underscore or a hyphen): what a test looks for on pages, PDFs and reports."""
    return {c for c in (*WORDS, *_titles()) if "_" in c or "-" in c}


def money(value: Decimal | str | None) -> str:
    """An amount as a person reads it, with thousands separators: '3,750.50' (documents, and
    pages through the `money` filter, where amounts arrive as the API's strings)."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f}"


# A zone as the people who live in it name it; any other by its abbreviation ('AKST time').
ZONE_WORDS: dict[str, str] = {
    "America/Los_Angeles": "Pacific time",
    "America/Denver": "Mountain time",
    "America/Phoenix": "Mountain time (Arizona)",
    "America/Chicago": "Central time",
    "America/New_York": "Eastern time",
    "America/Anchorage": "Alaska time",
    "Pacific/Honolulu": "Hawaii time",
}


def zone_name(zone: ZoneInfo | str) -> str:
    """A jurisdiction's zone in words ('Pacific time'), never its code ('America/Los_Angeles')."""
    key = zone if isinstance(zone, str) else zone.key
    if key in ZONE_WORDS:
        return ZONE_WORDS[key]
    return f"{datetime.now(UTC).astimezone(ZoneInfo(key)).tzname()} time"


def when(value: datetime | date | str | None, zone: ZoneInfo | str | None = None) -> str:
    """A moment as a person reads it, in the jurisdiction's zone and naming it:
    'Nov 30, 2026, 9:30 AM PST' (a page's `when` filter; `zone` a ZoneInfo or its key, e.g.
    'America/Los_Angeles'). A stored time without a zone is UTC; the API's ISO text carries
    only an offset, so the zone gives the name. A day alone ('2026-11-30') reads as
    'Nov 30, 2026': a date has no zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        parsed: datetime | date = (
            date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        )
    else:
        parsed = value
    if not isinstance(parsed, datetime):
        return f"{parsed:%b} {parsed.day}, {parsed:%Y}"
    at = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if zone is not None:
        at = at.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)
    hour = at.strftime("%I").lstrip("0")
    return f"{at:%b} {at.day}, {at:%Y}, {hour}:{at:%M} {at:%p} {at.tzname()}"

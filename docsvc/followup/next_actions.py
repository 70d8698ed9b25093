"""What a case needs next: the one or two steps the case page offers as buttons ("Add the owner
as a party", "Record service for Notice of Violation NOV-2", "Re-inspect by Dec 14"), and its
next clock in words.

Read from the case's state, parties, violations, documents, service and clocks (the clocks as
`clocks.clocks_view` computed them: never recomputed here). Only a role that may do the step is
offered it: officers and administrators record; records staff and attorneys build the court
bundle of a case referred to the attorney. Each action names the case page's form that does it
(its id) and the section holding it, so a surface can link to it; the rules here know no URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from docsvc.auth.permissions import allowed
from docsvc.cases import service as cases
from docsvc.documents import naming
from docsvc.documents import service as documents
from docsvc.followup.clocks import NON_PRIORITY, OPEN_STATUSES, clocks_view
from docsvc.labels import when
from docsvc.models import Bundle, Case, Document, User
from docsvc.models.enforcement import Referral
from docsvc.timeutil import utcnow

MOST = 2  # a header offering more is a menu, not a next step
RUNNING = ("due", "overdue")  # a clock not met and open now


@dataclass(frozen=True)
class NextAction:
    action: str  # what is done: 'add_owner', 'record_service', ...
    label: str  # the button's words
    form: str  # the id of the case page's form that does it; '' for another page's
    section: str  # the case page's section holding the form (the link without script)
    document_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "label": self.label,
            "form": self.form,
            "section": self.section,
            "document_id": self.document_id,
        }


def day(at: datetime) -> str:
    """'Dec 14'."""
    return f"{at:%b} {at.day}"


def _by(clock: dict[str, Any]) -> str:
    at = datetime.fromisoformat(clock["due_at"])
    return f"(overdue since {day(at)})" if clock["status"] == "overdue" else f"by {day(at)}"


def _from_clock(clock: dict[str, Any]) -> NextAction | None:
    """The step that meets a running clock, where the case page has its form."""
    name, by = clock["name"], _by(clock)
    if name == "investigate":
        return NextAction("inspect", f"Inspect the property {by}", "inspection-form", "inspections")
    if name == "reinspection":
        return NextAction(
            "reinspect", f"Re-inspect {by}", "inspection-form", "inspections", clock["document_id"]
        )
    if name == "contact_complainant":
        return NextAction(
            "contact_complainant", f"Contact the complainant {by}", "contact-form", "clocks"
        )
    if name.startswith("attorney_referral"):
        return NextAction(
            "refer", f"Refer to the attorney {by}", "referral-form", "referrals-permits"
        )
    if name == "permit_apply":
        return NextAction(
            "record_permit_application",
            f"Record the permit application {by}",
            f"permit-{clock['permit_id']}-applied-form",
            "referrals-permits",
        )
    return None  # a compliance date or a settlement: waited for, not done from here


def _pipeline(session: Session, case: Case) -> list[NextAction]:
    """The steps the case's records still lack, in the order a case moves."""
    out: list[NextAction] = []
    violations = list(case.violations)
    open_ids = {v.id for v in violations if v.corrected_at is None}
    docs = documents.case_documents(session, case)
    profile = cases.case_profile(session, case)

    def name(d: Document) -> str:
        return naming.name(profile.document_types[d.type]["title"], d.id)

    if not violations:
        out.append(
            NextAction("record_violation", "Record a violation", "violation-form", "violations")
        )
        if case.inspections:  # visited and nothing found: the case can end here
            out.append(NextAction("close", "Close the case", "close-form", "case-actions"))
        return out
    if open_ids and not any(p.role == "owner" for p in case.parties):
        out.append(NextAction("add_owner", "Add the owner as a party", "party-form", "parties"))
    for d in docs:
        if d.status == "draft":
            out.append(
                NextAction("issue", f"Issue {name(d)}", f"issue-form-{d.id}", "documents", d.id)
            )
    for d in docs:
        if d.status != "issued":
            continue
        if not d.services or d.needs_reservice:
            words = (
                f"Serve {name(d)} again" if d.needs_reservice else f"Record service for {name(d)}"
            )
            out.append(
                NextAction("record_service", words, f"service-form-{d.id}", "documents", d.id)
            )
        elif d.services[-1].method == "certified_mail" and not d.services[-1].receipts:
            out.append(
                NextAction(
                    "record_receipt",
                    f"Record the return receipt for {name(d)}",
                    f"receipt-form-{d.id}",
                    "documents",
                    d.id,
                )
            )
    # A violation on no notice yet: after the notices already out are served.
    covered = {i for d in docs if d.status in ("draft", "issued") for i in d.violation_ids}
    if open_ids - covered and case.parties:
        out.append(NextAction("issue_notice", "Issue a notice of violation", "", "documents"))
    if not open_ids:
        out.append(NextAction("close", "Close the case", "close-form", "case-actions"))
    return out


def _referred_unbundled(session: Session, case: Case) -> bool:
    referred = session.scalar(select(exists().where(Referral.case_id == case.id)))
    bundled = session.scalar(select(exists().where(Bundle.case_id == case.id)))
    return bool(referred) and not bundled


def next_actions(
    session: Session,
    case: Case,
    user: User,
    clocks: dict[str, Any] | None = None,
    *,
    most: int = MOST,
) -> list[NextAction]:
    """The case's next steps for `user`, most pressing first: an overdue clock (and the first
    investigation, which starts everything), then what the records lack, then a clock due."""
    if case.status not in OPEN_STATUSES:
        return []  # closed or refused: nothing more is recorded
    if not allowed(user.role, "cases.write"):
        # Referred to the attorney and not yet bundled: the case file for court is theirs to make.
        if allowed(user.role, "bundles") and _referred_unbundled(session, case):
            return [NextAction("build_bundle", "Build a court bundle", "bundle-form", "bundles")]
        return []
    view = clocks if clocks is not None else clocks_view(session, case)
    running = sorted(
        (c for c in view["clocks"] if c["status"] in RUNNING),
        key=lambda c: datetime.fromisoformat(c["due_at"]),
    )
    first = [c for c in running if c["status"] == "overdue" or c["name"] == "investigate"]
    later = [c for c in running if c not in first]
    steps = [
        *(a for c in first if (a := _from_clock(c))),
        *_pipeline(session, case),
        *(a for c in later if (a := _from_clock(c))),
    ]
    out: list[NextAction] = []
    for step in steps:  # one button per form: two clocks met by one inspection are one step
        if all(step.form != a.form or not step.form for a in out) and step not in out:
            out.append(step)
    return out[:most]


@dataclass(frozen=True)
class NextClock:
    label: str  # "Re-inspect after the compliance date of Notice of Violation NOV-2"
    status: str  # due | overdue
    due_at: datetime  # in the jurisdiction's zone
    words: str  # "overdue since Dec 14, 2026, 5:00 PM PST (3 days ago)"


def next_clock(
    clocks: dict[str, Any], zone: ZoneInfo, now: datetime | None = None
) -> NextClock | None:
    """The soonest running deadline of `clocks` (as `clocks_view` gave them), in words and in
    the jurisdiction's zone, named ('PST')."""
    running = [c for c in clocks["clocks"] if c["status"] in RUNNING]
    if not running:
        return None
    clock = min(running, key=lambda c: datetime.fromisoformat(c["due_at"]))
    # The clock carries the zone's offset only: its name ('PST') comes from the zone itself.
    due = datetime.fromisoformat(clock["due_at"]).astimezone(zone)
    at = when(due, zone)  # 'Nov 25, 2026, 11:59 PM CST'
    days = (due.date() - (now or utcnow()).astimezone(due.tzinfo).date()).days
    if clock["status"] == "overdue":
        ago = "today" if days == 0 else "yesterday" if days == -1 else f"{-days} days ago"
        words = f"overdue since {at} ({ago})"
    else:
        soon = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
        words = f"due {at} ({soon})"
    return NextClock(clock["label"], clock["status"], due, words)


def priority_words(rank: int) -> str:
    return "Not a priority" if rank == NON_PRIORITY else f"Priority {rank}"

"""The policies' limits on agreements.

Voluntary compliance without penalty is refused for a repeat offense on the property or by the
same person, or where an earlier violation went uncorrected after enforcement (Tom Bean
VIII.C.1, Los Gatos VII.b.i). A settlement defers payment for at most three years and never
waives abatement or compliance costs (Jefferson County Rule 5; JCC 19.30.025).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from docsvc.errors import Invalid
from docsvc.models import Case, Document, Party, Violation

MAX_DEFERRAL_MONTHS = 36
REPEAT_CITATION = (
    "Tom Bean Directive 103.059 §VIII.C.1; Los Gatos Code Compliance Standards §VII.b.i"
)
SETTLEMENT_CITATION = "Jefferson County Rules of Procedure, Rule 5; JCC 19.30.025"
ENFORCEMENT_TYPES = ("warning_notice", "notice_of_violation", "stop_work_order")


def _related_cases(session: Session, case: Case, respondent: Party | None) -> list[int]:
    """Other cases on the same property, or naming the same respondent."""
    conds = [Case.property_id == case.property_id]
    if respondent is not None:
        conds.append(Party.name_key == respondent.name_key)
    rows = session.execute(
        select(Case.id)
        .outerjoin(Party, Party.case_id == Case.id)
        .where(Case.id != case.id, Case.status != "refused", or_(*conds))
    ).scalars()
    return sorted(set(rows))


def prior_offenses(
    session: Session, case: Case, respondent: Party | None, violation_types: set[str]
) -> dict[str, list[str]]:
    related = _related_cases(session, case, respondent)
    if not related:
        return {"repeat": [], "uncorrected": []}
    rows = session.execute(
        select(Case.case_number, Violation.violation_type, Violation.corrected_at, Case.id)
        .join(Violation, Violation.case_id == Case.id)
        .where(Case.id.in_(related))
    ).all()
    enforced = set(
        session.scalars(
            select(Document.case_id).where(
                Document.case_id.in_(related),
                Document.type.in_(ENFORCEMENT_TYPES),
                Document.status != "draft",
            )
        )
    )
    repeat = sorted({n for n, vtype, _c, _id in rows if vtype in violation_types})
    uncorrected = sorted(
        {n for n, _v, corrected, cid in rows if corrected is None and cid in enforced}
    )
    return {"repeat": repeat, "uncorrected": uncorrected}


def check_vca(
    session: Session,
    case: Case,
    respondent: Party | None,
    violation_types: set[str],
    fields: dict[str, Any],
) -> None:
    if not fields.get("without_penalty", True):
        if not fields.get("penalty_terms"):
            raise Invalid(
                "an agreement with a penalty states it: give 'penalty_terms'.",
                {"field": "penalty_terms"},
            )
        return
    found = prior_offenses(session, case, respondent, violation_types)
    if found["repeat"] or found["uncorrected"]:
        why = "a repeat offense" if found["repeat"] else "an earlier violation left uncorrected"
        raise Invalid(
            f"compliance without penalty is not available for {why} (cases "
            f"{', '.join(found['repeat'] or found['uncorrected'])}); set 'without_penalty' to "
            "false and state the 'penalty_terms'.",
            {
                "rule": "repeat_offense" if found["repeat"] else "uncorrected_violation",
                "citation": REPEAT_CITATION,
                "cases": found,
            },
        )


def check_settlement(fields: dict[str, Any]) -> None:
    penalty = Decimal(str(fields.get("penalty_amount", "0")))
    cancelled = Decimal(str(fields.get("cancelled_amount") or "0"))
    months = int(fields.get("deferred_months") or 0)
    problems = {}
    if penalty <= 0:
        problems["penalty_amount"] = "must be more than zero"
    if months < 0 or months > MAX_DEFERRAL_MONTHS:
        problems["deferred_months"] = (
            f"payment may be deferred for at most {MAX_DEFERRAL_MONTHS} months"
        )
    if cancelled < 0 or cancelled > penalty:
        problems["cancelled_amount"] = (
            "only the penalty can be cancelled, never more than it: abatement and compliance "
            "costs cannot be waived"
        )
    if fields.get("waive_costs"):
        problems["waive_costs"] = "abatement and compliance costs cannot be waived"
    if problems:
        raise Invalid(
            "the settlement breaks the rules for settlements: "
            + "; ".join(f"{k}: {v}" for k, v in problems.items())
            + ".",
            {"fields": problems, "citation": SETTLEMENT_CITATION},
        )

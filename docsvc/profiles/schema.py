"""The shape of a jurisdiction profile, validated field by field.

A profile is the city's own rules as data: its calendar, complaint acceptance rules, code
library, document titles and service methods, public-records clock and exemption, letterhead.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from docsvc.models.documents import SERVICE_METHODS
from docsvc.models.enforcement import PERMIT_ACTIONS

DOCUMENT_TYPES = (
    "warning_notice",
    "notice_of_violation",
    "stop_work_order",
    "voluntary_compliance_agreement",
    "settlement_agreement",
    "notice_of_resolution",
)
# Types a profile offers only if it lists them: a notice of extension (a profile granting
# extensions on written request) and the Uniform Citation and Complaint (Los Gatos VII.c.iii).
OPTIONAL_DOCUMENT_TYPES = ("notice_of_extension", "uniform_citation")
ALL_DOCUMENT_TYPES = (*DOCUMENT_TYPES, *OPTIONAL_DOCUMENT_TYPES)
# What must be true of a case before a type is issued (docsvc/documents/preconditions.py).
PRECONDITIONS = ("notice_of_violation_issued", "case_closed", "owner_notice", "warning_first")
DEADLINE_UNITS = ("hours", "calendar_days", "business_days", "immediate", "stop_work_order")
CLOCK_UNITS = ("hours", "calendar_days", "business_days")
FOLLOW_UP_UNITS = (*CLOCK_UNITS, "months")
TEXT_STATUSES = ("adopted", "sample")
CHANNELS = ("web", "phone", "walk_in", "email", "mail", "staff", "council")

_slug = validate.Regexp(r"^[a-z0-9][a-z0-9_-]*$", error="use lower-case letters, digits, - and _")


class _Strict(Schema):
    class Meta:
        # An unknown key is almost always a typo in a hand-edited profile: say so.
        unknown = "raise"


class CalendarSchema(_Strict):
    country = fields.String(required=True)
    subdivision = fields.String(load_default=None)
    extra_closures = fields.List(fields.Date(), load_default=list)
    roll_to_business_day = fields.Boolean(load_default=True)

    @validates_schema
    def _known_calendar(self, data: dict[str, Any], **_: Any) -> None:
        try:
            holidays.country_holidays(data["country"], subdiv=data.get("subdivision"), years=2026)
        except NotImplementedError as exc:
            raise ValidationError(f"unknown holiday calendar: {exc}", "country") from exc


class DeadlineSchema(_Strict):
    unit = fields.String(required=True, validate=validate.OneOf(DEADLINE_UNITS))
    amount = fields.Integer(load_default=None, validate=validate.Range(min=1, max=3650))

    @validates_schema
    def _amount_when_counted(self, data: dict[str, Any], **_: Any) -> None:
        counted = data["unit"] in CLOCK_UNITS
        if counted and data.get("amount") is None:
            raise ValidationError(f"a deadline in {data['unit']} needs an amount", "amount")
        if not counted and data.get("amount") is not None:
            raise ValidationError(f"a deadline of '{data['unit']}' takes no amount", "amount")


class ClockSchema(_Strict):
    unit = fields.String(required=True, validate=validate.OneOf(FOLLOW_UP_UNITS))
    amount = fields.Integer(required=True, validate=validate.Range(min=1, max=3650))
    citation = fields.String(required=True)
    description = fields.String(load_default=None)


class ViolationTypeSchema(_Strict):
    code = fields.String(required=True, validate=_slug)
    title = fields.String(required=True, validate=validate.Length(min=3))
    category = fields.String(load_default=None)
    citation = fields.String(required=True)
    deadline = fields.Nested(DeadlineSchema, required=True)
    deadline_source = fields.String(required=True)
    text = fields.String(required=True, validate=validate.Length(min=10))
    text_status = fields.String(required=True, validate=validate.OneOf(TEXT_STATUSES))
    involves_structure = fields.Boolean(load_default=False)
    priority_rank = fields.Integer(load_default=None, validate=validate.Range(min=1, max=6))


class PreconditionSchema(_Strict):
    check = fields.String(required=True, validate=validate.OneOf(PRECONDITIONS))
    citation = fields.String(required=True)


class ExtensionRuleSchema(_Strict):
    """More time on a written request (docsvc/documents/extensions.py): who decides, for which
    notices, for minor violations only (no priority-ranked type), and at most how many days
    after the request the new date may fall."""

    authority = fields.String(required=True, validate=validate.Length(min=3))
    citation = fields.String(required=True)
    max_days = fields.Integer(load_default=None, validate=validate.Range(min=1, max=365))
    minor_only = fields.Boolean(load_default=False)
    notices = fields.List(
        fields.String(validate=validate.OneOf(DOCUMENT_TYPES)),
        load_default=lambda: ["notice_of_violation"],
        validate=validate.Length(min=1),
    )


class DocumentTypeSchema(_Strict):
    title = fields.String(required=True, validate=validate.Length(min=3))
    service_methods = fields.List(
        fields.String(validate=validate.OneOf(SERVICE_METHODS)),
        required=True,
        validate=validate.Length(min=1),
    )
    citation = fields.String(load_default=None)
    requires = fields.List(fields.Nested(PreconditionSchema), load_default=list)


class CodedTextSchema(_Strict):
    """A code the service stores and the words a person reads for it."""

    code = fields.String(required=True, validate=_slug)
    title = fields.String(required=True, validate=validate.Length(min=3))


class ComplaintRulesSchema(_Strict):
    anonymous = fields.String(
        required=True, validate=validate.OneOf(("allowed", "discretion", "refused"))
    )
    discretion_authority = fields.String(load_default=None)
    # What the discretion weighs (Tom Bean V.A.2 (a)-(c)): each needs a finding on record
    # before an anonymous complaint is accepted.
    anonymous_factors = fields.List(fields.Nested(CodedTextSchema), load_default=list)
    # The type of complaint recorded at intake (Tom Bean VI.A.4, Los Gatos V.a.iv).
    types = fields.List(fields.Nested(CodedTextSchema), load_default=list)
    type_required = fields.Boolean(load_default=False)
    types_citation = fields.String(load_default=None)
    written_required = fields.Boolean(required=True)
    written_channels = fields.List(
        fields.String(validate=validate.OneOf(CHANNELS)), load_default=list
    )
    identifiable_complainant_required = fields.Boolean(load_default=False)
    citation = fields.String(required=True)

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        if data["anonymous"] == "discretion" and not data.get("discretion_authority"):
            raise ValidationError(
                "name who may approve an anonymous complaint", "discretion_authority"
            )
        if data["written_required"] and not data.get("written_channels"):
            raise ValidationError(
                "list the channels that count as a written complaint", "written_channels"
            )
        if data.get("anonymous_factors") and data["anonymous"] != "discretion":
            raise ValidationError(
                "factors are weighed only where anonymous complaints are at discretion",
                "anonymous_factors",
            )
        if data.get("type_required") and not data.get("types"):
            raise ValidationError("list the complaint types that are required", "types")
        for key in ("types", "anonymous_factors"):
            codes = [t["code"] for t in data.get(key) or []]
            if len(codes) != len(set(codes)):
                raise ValidationError("a code appears twice", key)


class ServiceRulesSchema(_Strict):
    first_class_mail_effective_days = fields.Integer(
        required=True, validate=validate.Range(min=0, max=30)
    )
    certified_unclaimed_fallback_days = fields.Integer(
        required=True, validate=validate.Range(min=0, max=60)
    )
    citation = fields.String(required=True)


class ExemptionSchema(_Strict):
    statute = fields.String(load_default=None)
    label = fields.String(required=True)
    explanation = fields.String(required=True)
    counsel_review = fields.Boolean(load_default=False)
    # Washington: the complainant's stated wish at filing governs (RCW 42.56.240(2)).
    preference_governs = fields.Boolean(load_default=False)

    @validates_schema
    def _statute_or_counsel(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("statute") and not data.get("counsel_review"):
            raise ValidationError(
                "give the statute, or set counsel_review: true where none is identified", "statute"
            )


RULING_OUTCOMES = ("withhold", "partly", "release")
RULING_EFFECTS = ("withhold", "counsel", "disclose")


class RulingOutcomeSchema(_Strict):
    # What the outcome does to each case whose complainant is withheld: stays withheld,
    # goes back to counsel (the ruling allows part of it), or is disclosed.
    effect = fields.String(required=True, validate=validate.OneOf(RULING_EFFECTS))


class RulingSchema(_Strict):
    """The decision the step asks for (Texas: the Attorney General's ruling) and what the
    release does with it."""

    authority = fields.String(required=True)
    citation = fields.String(required=True)
    # request: a release that withholds may go once the ruling is requested; ruling: it waits
    # for the ruling itself.
    release_waits_for = fields.String(required=True, validate=validate.OneOf(["request", "ruling"]))
    outcomes = fields.Dict(
        keys=fields.String(validate=validate.OneOf(RULING_OUTCOMES)),
        values=fields.Nested(RulingOutcomeSchema),
        required=True,
        validate=validate.Length(equal=len(RULING_OUTCOMES)),
    )


class PreWithholdingStepSchema(ClockSchema):
    ruling = fields.Nested(RulingSchema, load_default=None)


class PublicRecordsSchema(_Strict):
    law = fields.String(required=True)
    response_clock = fields.Nested(ClockSchema, required=True)
    pre_withholding_step = fields.Nested(PreWithholdingStepSchema, load_default=None)
    complainant_exemption = fields.Nested(ExemptionSchema, required=True)


class PersonSchema(_Strict):
    name = fields.String(required=True)
    title = fields.String(required=True)


class LetterheadSchema(_Strict):
    organization = fields.String(required=True)
    department = fields.String(required=True)
    address_lines = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    phone = fields.String(load_default=None)
    email = fields.String(load_default=None)


# Where a #10 window envelope's address window lands on a letter sheet folded in thirds, in
# inches from the sheet's top-left edge. The envelope is 9 1/2 x 4 1/8 in; its standard address
# window is 4 1/2 x 1 1/8 in, 7/8 in from its left edge and 1/2 in from its bottom. A letter
# sheet (8 1/2 x 11 in) folded in thirds makes a 8 1/2 x 3 2/3 in insert whose top panel faces
# the window. Resting on the envelope's bottom, centred (1/2 in of play each side):
#   left   = 7/8 - 1/2                 = 0.375 in
#   top    = 3 2/3 - (1/2 + 1 1/8)     = 2.042 in  (window bottom at 3 2/3 - 1/2 = 3.167 in)
# The address is kept inside the window by `inset_x`/`inset_y`: USPS DMM 601.6.3 asks for at
# least 1/8 in clear between the address and every window edge with the insert moved to its
# limits, so inset_x = 1/2 in sideways play + 1/8 in, inset_y = 1/8 in. (The insert can also
# rise 4 1/8 - 3 2/3 = 0.458 in; the three-line address a notice prints stays within the
# window's top 0.6 in, so it stays visible.)
DEFAULT_WINDOW = {
    "left": 0.375,
    "top": 2.042,
    "width": 4.5,
    "height": 1.125,
    "inset_x": 0.625,
    "inset_y": 0.125,
}


def _inches(top: float) -> validate.Range:
    return validate.Range(min=0, max=top)


class WindowSchema(_Strict):
    """An envelope's address window on the folded sheet, in inches (DEFAULT_WINDOW)."""

    left = fields.Float(required=True, validate=_inches(8.5))
    top = fields.Float(required=True, validate=_inches(11))
    width = fields.Float(required=True, validate=_inches(8.5))
    height = fields.Float(required=True, validate=_inches(11))
    inset_x = fields.Float(load_default=DEFAULT_WINDOW["inset_x"], validate=_inches(2))
    inset_y = fields.Float(load_default=DEFAULT_WINDOW["inset_y"], validate=_inches(1))

    @validates_schema
    def _room_for_an_address(self, data: dict[str, Any], **_: Any) -> None:
        if data["width"] <= 2 * data["inset_x"] or data["height"] <= 2 * data["inset_y"]:
            raise ValidationError("the insets leave no room for the address in the window")
        if data["left"] + data["width"] > 8.5 or data["top"] + data["height"] > 11:
            raise ValidationError("the window must lie on a letter sheet (8.5 x 11 in)")


class LettersSchema(_Strict):
    """How notices are laid out for mailing. window_envelope: the recipient's address printed
    where a window envelope shows it (templates/_layout/_address_block.html); off, the plain
    layout with the address under the title."""

    window_envelope = fields.Boolean(load_default=False)
    window = fields.Nested(WindowSchema, load_default=lambda: dict(DEFAULT_WINDOW))


LIEN_COVERS = ("penalties", "costs")


class LienRuleSchema(_Strict):
    """When a lien falls due and what it covers (docsvc/money/ledger.py: lien_due): each amount
    it covers starts its clock the day it fell due; once the oldest has stayed unpaid
    `unpaid_days`, the lien covers everything it covers then unpaid."""

    unpaid_days = fields.Integer(required=True, validate=validate.Range(min=1, max=3650))
    covers = fields.List(
        fields.String(validate=validate.OneOf(LIEN_COVERS)),
        load_default=lambda: ["penalties"],
        validate=validate.Length(min=1),
    )
    citation = fields.String(required=True)


class VoucherRuleSchema(_Strict):
    max_amount = fields.Decimal(required=True, as_string=True, places=2)
    household_interval_years = fields.Integer(required=True, validate=validate.Range(min=0, max=50))
    annual_total = fields.Decimal(required=True, as_string=True, places=2)
    approval = fields.String(required=True)
    citation = fields.String(required=True)


class SettlementFactorSchema(_Strict):
    """A factor the director weighs before settling, by the rule's own letter or name."""

    code = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", error="a short code"),
    )
    text = fields.String(required=True, validate=validate.Length(min=5))


class SettlementRuleSchema(_Strict):
    max_deferral_years = fields.Integer(required=True, validate=validate.Range(min=0, max=30))
    citation = fields.String(required=True)
    # Each settlement records a finding on every factor (docsvc/money/settlements.py).
    factors = fields.List(fields.Nested(SettlementFactorSchema), load_default=list)
    factors_citation = fields.String(load_default=None)

    @validates_schema
    def _factors(self, data: dict[str, Any], **_: Any) -> None:
        codes = [f["code"] for f in data.get("factors") or []]
        if len(codes) != len(set(codes)):
            raise ValidationError("a factor code appears twice", "factors")
        if codes and not data.get("factors_citation"):
            raise ValidationError("cite the rule that lists the factors", "factors_citation")


# A fine in dollars and cents, never negative. A partial rather than a dict of options spread
# with ** so each option keeps its type.
_fine = partial(fields.Decimal, as_string=True, places=2, validate=validate.Range(min=0))


class FineScheduleSchema(_Strict):
    """Citation fines by offence: the first, second, ... within the repeat window; the last
    amount applies to every later one."""

    amounts = fields.List(_fine(), required=True, validate=validate.Length(min=1))
    by_violation_type = fields.Dict(
        keys=fields.String(), values=fields.List(_fine()), load_default=dict
    )
    repeat_window_months = fields.Integer(required=True, validate=validate.Range(min=1, max=120))
    maximum = _fine(load_default=None)
    text_status = fields.String(required=True, validate=validate.OneOf(TEXT_STATUSES))
    citation = fields.String(required=True)

    @validates_schema
    def _within_maximum(self, data: dict[str, Any], **_: Any) -> None:
        top = data.get("maximum")
        schedules = [data["amounts"], *data["by_violation_type"].values()]
        if top is not None and any(a > top for s in schedules for a in s):
            raise ValidationError("a scheduled fine is above the maximum", "amounts")
        if any(not s for s in schedules):
            raise ValidationError("each schedule needs at least one amount", "by_violation_type")


class FundRuleSchema(_Strict):
    """The jurisdiction's enforcement fund (docsvc/money/fund.py): vouchers are paid from it,
    abatement may be, each use approved by `approval`."""

    name = fields.String(required=True, validate=validate.Length(min=3))
    approval = fields.String(required=True)
    administered_by = fields.String(load_default=None)
    citation = fields.String(required=True)


class MoneySchema(_Strict):
    fund = fields.Nested(FundRuleSchema, load_default=None)
    lien = fields.Nested(LienRuleSchema, load_default=None)
    vouchers = fields.Nested(VoucherRuleSchema, load_default=None)
    settlements = fields.Nested(SettlementRuleSchema, load_default=None)
    fines = fields.Nested(FineScheduleSchema, load_default=None)


class CircumstanceSchema(_Strict):
    code = fields.String(required=True, validate=_slug)
    text = fields.String(required=True, validate=validate.Length(min=5))


class AutoCircumstanceSchema(_Strict):
    circumstance = fields.String(required=True, validate=_slug)
    citation = fields.String(required=True)
    # Tom Bean III.A.6 counts complaints from different people; Los Gatos II.a.i.6 counts
    # every further complaint about the property, whoever made it.
    different_complainants = fields.Boolean(load_default=True)


class PrioritySchema(_Strict):
    """Aggravating circumstances move a non-priority case to priority status, at a rank."""

    aggravating_circumstances = fields.List(
        fields.Nested(CircumstanceSchema), required=True, validate=validate.Length(min=1)
    )
    aggravated_rank = fields.Integer(required=True, validate=validate.Range(min=1, max=6))
    citation = fields.String(required=True)
    # A violation the officer flags as an imminent threat to health, safety or the environment
    # ranks here, whatever its type (Tom Bean III.A.1, Los Gatos II.a.i.1: first).
    imminent_threat_rank = fields.Integer(load_default=None, validate=validate.Range(min=1, max=6))
    imminent_threat_citation = fields.String(load_default=None)
    # Complaints from separate people about one property (Tom Bean III.A.6): the
    # circumstance recorded on each open case about it when another arrives.
    multiple_complainants = fields.Nested(AutoCircumstanceSchema, load_default=None)

    @validates_schema
    def _known_circumstance(self, data: dict[str, Any], **_: Any) -> None:
        auto = data.get("multiple_complainants")
        known = {c["code"] for c in data["aggravating_circumstances"]}
        if auto and auto["circumstance"] not in known:
            raise ValidationError(
                f"'{auto['circumstance']}' is not one of the aggravating circumstances",
                "multiple_complainants",
            )


class RepeatViolationsSchema(_Strict):
    """A violation like one reported before on the same property accrues to the first report
    (Los Gatos III.b.v): alike by the same violation type, or by the same category."""

    match = fields.String(required=True, validate=validate.OneOf(("type", "category")))
    # The aggravating circumstance a repeat records on its case (raising its priority).
    circumstance = fields.String(load_default=None, validate=_slug)
    citation = fields.String(required=True)


class ClocksSchema(_Strict):
    investigate_complaint = fields.Nested(ClockSchema, load_default=None)
    contact_complainant = fields.Nested(ClockSchema, load_default=None)
    follow_up_after_closure = fields.Nested(ClockSchema, load_default=None)
    reinspect_after_compliance_date = fields.Nested(ClockSchema, load_default=None)


class PatrolRuleSchema(_Strict):
    """Every property in the jurisdiction reviewed from the street on patrol, once in each
    period (the only period so far: the calendar year)."""

    review_every = fields.String(required=True, validate=validate.OneOf(("calendar_year",)))
    citation = fields.String(required=True)
    description = fields.String(load_default=None)


class CommunityResourceSchema(_Strict):
    name = fields.String(required=True, validate=validate.Length(min=2))
    helps_with = fields.String(required=True, validate=validate.Length(min=3))
    contact = fields.String(required=True, validate=validate.Length(min=3))


class CommunityResourcesSchema(_Strict):
    """Groups willing to help residents correct violations, listed on the notices named."""

    on_notices = fields.List(
        fields.String(validate=validate.OneOf(DOCUMENT_TYPES)),
        required=True,
        validate=validate.Length(min=1),
    )
    items = fields.List(
        fields.Nested(CommunityResourceSchema), required=True, validate=validate.Length(min=1)
    )
    # sample: the list ships as a placeholder until the city supplies its own.
    text_status = fields.String(required=True, validate=validate.OneOf(TEXT_STATUSES))
    citation = fields.String(required=True)


class ShareTargetSchema(_Strict):
    """A share of complaints to be resolved within so many days of receipt."""

    days = fields.Integer(required=True, validate=validate.Range(min=1, max=3650))
    share = fields.Float(required=True, validate=validate.Range(min=0, max=1, min_inclusive=False))
    citation = fields.String(required=True)
    description = fields.String(load_default=None)


class TargetsSchema(_Strict):
    resolved_within = fields.Nested(ShareTargetSchema, load_default=None)


class ReportBasisSchema(_Strict):
    """The jurisdiction's own rule a report answers, cited on it."""

    citation = fields.String(required=True)
    description = fields.String(load_default=None)


class ReportsSchema(_Strict):
    workload = fields.Nested(ReportBasisSchema, load_default=None)
    settlements = fields.Nested(ReportBasisSchema, load_default=None)


class PeriodSchema(_Strict):
    unit = fields.String(required=True, validate=validate.OneOf(CLOCK_UNITS))
    amount = fields.Integer(required=True, validate=validate.Range(min=1, max=3650))


class RepeatCitationsReferralSchema(_Strict):
    """Refer once a person cited `after` times for one infraction has let its correction period
    pass uncorrected. `period: violation_deadline`: the violation type's deadline rule, counted
    from the day of the citation (docsvc/followup/referrals.py)."""

    after = fields.Integer(required=True, validate=validate.Range(min=1, max=20))
    period = fields.String(required=True, validate=validate.OneOf(("violation_deadline",)))
    referred_to = fields.String(required=True, validate=validate.Length(min=3))
    citation = fields.String(required=True)
    description = fields.String(load_default=None)


class ImminentThreatReferralSchema(_Strict):
    """Refer a violation flagged as an imminent threat within a period of the flag."""

    within = fields.Nested(PeriodSchema, required=True)
    referred_to = fields.String(required=True, validate=validate.Length(min=3))
    citation = fields.String(required=True)
    description = fields.String(load_default=None)


class ReferralsSchema(_Strict):
    repeat_citations = fields.Nested(RepeatCitationsReferralSchema, load_default=None)
    imminent_threat = fields.Nested(ImminentThreatReferralSchema, load_default=None)


class PermitActionRuleSchema(_Strict):
    action = fields.String(required=True, validate=validate.OneOf(PERMIT_ACTIONS))
    citation = fields.String(required=True)
    description = fields.String(load_default=None)
    # The ordinance or code section the action is taken under, where the jurisdiction has
    # one: the page offers it as the action's authority.
    authority = fields.String(load_default=None)


class PermitTimeFramesSchema(_Strict):
    citation = fields.String(required=True)
    description = fields.String(load_default=None)


class PermitsSchema(_Strict):
    """Time frames to apply for and obtain a permit a violation needs, and the actions on
    permits the policy provides (docsvc/followup/permits.py)."""

    time_frames = fields.Nested(PermitTimeFramesSchema, load_default=None)
    actions = fields.List(fields.Nested(PermitActionRuleSchema), load_default=list)

    @validates("actions")
    def _once_each(self, value: list[dict[str, Any]], **_: Any) -> None:
        names = [a["action"] for a in value]
        if len(names) != len(set(names)):
            raise ValidationError("an action appears twice")


class ProfileSchema(_Strict):
    code = fields.String(required=True, validate=_slug)
    name = fields.String(required=True)
    state = fields.String(required=True, validate=validate.Length(equal=2))
    timezone = fields.String(required=True)
    case_number_prefix = fields.String(
        required=True, validate=validate.Regexp(r"^[A-Z]{1,8}$", error="1 to 8 capital letters")
    )
    sources = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    calendar = fields.Nested(CalendarSchema, required=True)
    complaints = fields.Nested(ComplaintRulesSchema, required=True)
    clocks = fields.Nested(ClocksSchema, load_default=dict)
    money = fields.Nested(MoneySchema, load_default=dict)
    priority = fields.Nested(PrioritySchema, load_default=None)
    referrals = fields.Nested(ReferralsSchema, load_default=dict)
    permits = fields.Nested(PermitsSchema, load_default=dict)
    patrol = fields.Nested(PatrolRuleSchema, load_default=None)
    community_resources = fields.Nested(CommunityResourcesSchema, load_default=None)
    targets = fields.Nested(TargetsSchema, load_default=dict)
    reports = fields.Nested(ReportsSchema, load_default=dict)
    repeat_violations = fields.Nested(RepeatViolationsSchema, load_default=None)
    service = fields.Nested(ServiceRulesSchema, required=True)
    public_records = fields.Nested(PublicRecordsSchema, required=True)
    letterhead = fields.Nested(LetterheadSchema, required=True)
    letters = fields.Nested(
        LettersSchema,
        load_default=lambda: {"window_envelope": False, "window": dict(DEFAULT_WINDOW)},
    )
    signers = fields.List(
        fields.Nested(PersonSchema), required=True, validate=validate.Length(min=1)
    )
    records_custodian = fields.Nested(PersonSchema, required=True)
    violation_types = fields.List(
        fields.Nested(ViolationTypeSchema), required=True, validate=validate.Length(min=1)
    )
    extensions = fields.Nested(ExtensionRuleSchema, load_default=None)
    document_types = fields.Dict(
        keys=fields.String(validate=validate.OneOf(ALL_DOCUMENT_TYPES)),
        values=fields.Nested(DocumentTypeSchema),
        required=True,
    )

    @validates("timezone")
    def _zone(self, value: str, **_: Any) -> None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(f"'{value}' is not an IANA time zone") from exc

    @validates("document_types")
    def _all_six(self, value: dict[str, Any], **_: Any) -> None:
        missing = [t for t in DOCUMENT_TYPES if t not in value]
        if missing:
            raise ValidationError(
                "every profile offers all six types; missing: " + ", ".join(missing)
            )

    @validates_schema
    def _extensions_print_a_notice(self, data: dict[str, Any], **_: Any) -> None:
        granted = data.get("extensions") is not None
        if granted != ("notice_of_extension" in (data.get("document_types") or {})):
            raise ValidationError(
                "a profile granting extensions offers the notice of extension, and only then",
                "document_types",
            )

    @validates("violation_types")
    def _unique_codes(self, value: list[dict[str, Any]], **_: Any) -> None:
        seen: set[str] = set()
        for item in value:
            if item["code"] in seen:
                raise ValidationError(f"violation type code '{item['code']}' appears twice")
            seen.add(item["code"])

    @validates_schema
    def _repeat_circumstance_known(self, data: dict[str, Any], **_: Any) -> None:
        wanted = (data.get("repeat_violations") or {}).get("circumstance")
        known = {
            c["code"] for c in (data.get("priority") or {}).get("aggravating_circumstances", [])
        }
        if wanted and wanted not in known:
            raise ValidationError(
                f"'{wanted}' is not one of the profile's aggravating circumstances",
                "repeat_violations",
            )
        category = (data.get("repeat_violations") or {}).get("match") == "category"
        if category and any(not v.get("category") for v in data.get("violation_types") or []):
            raise ValidationError(
                "repeats matched by category need a category on every violation type",
                "repeat_violations",
            )

    @validates_schema
    def _fines_name_known_types(self, data: dict[str, Any], **_: Any) -> None:
        fines = (data.get("money") or {}).get("fines") or {}
        known = {v["code"] for v in data.get("violation_types") or []}
        unknown = sorted(set(fines.get("by_violation_type") or {}) - known)
        if unknown:
            raise ValidationError(
                "fine schedule names unknown violation types: " + ", ".join(unknown),
                "money",
            )

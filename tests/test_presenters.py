"""Each presenter (docsvc/web/present.py, the ledger's and the clocks' read models) and the Out
schema that documents it for the API name the same keys, at every level the schema describes.

flask-smorest dumps a response through its schema, so a key the presenter adds and the schema
lacks is silently dropped from the API (the pages still show it), and a field the schema declares
that the presenter never fills is silently missing. Neither fails anywhere else.

One realistic world is built through the API (a served notice with its return receipt, photos,
one supplied by the complainant, an inspection with measurements, a corrected violation, a
certified court bundle, a released records request, a hold, a destroyed old case, a Jefferson
County ledger with a lien, a voucher and a settlement); then, as the pages do, each presenter is
called on the real rows inside a request context.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pytest
from marshmallow import Schema, fields
from sqlalchemy import select

from docsvc.attachments.schemas import AttachmentOut
from docsvc.bundles.schemas import BundleOut
from docsvc.cases import service as cases
from docsvc.cases.queries import find_cases
from docsvc.cases.schemas import CaseListOut, CaseOut, CaseSummaryOut, PartyOut, ViolationOut
from docsvc.disclosure.schemas import DisclosureOut
from docsvc.documents.schemas import DocumentOut
from docsvc.followup.clocks import clocks_view
from docsvc.followup.schemas import ClocksOut
from docsvc.identity import guard
from docsvc.models import (
    Attachment,
    Bundle,
    Case,
    DisclosureRequest,
    DispositionItem,
    Document,
    Hold,
    Job,
    User,
)
from docsvc.money.ledger import ledger_view
from docsvc.money.schemas import (
    FundEntryOut,
    LedgerEntryOut,
    LedgerOut,
    LienOut,
    SettlementOut,
    VoucherOut,
)
from docsvc.retention.schemas import DispositionItemOut, HoldOut, RetentionJobOut
from docsvc.web import present
from docsvc.web.context import db
from tests.conftest import complaint_case
from tests.documents_helpers import served_case
from tests.retention_helpers import adopt, closed_case

# Differences allowed on purpose: (schema class name, key) -> why. None today; an entry is a
# key the API deliberately does not show, or shows without the presenter filling it.
ALLOWED: dict[tuple[str, str], str] = {}


def ok(r: Any, status: int = 201) -> dict:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:500])
    return r.json


@dataclass
class World:
    case: str  # Los Gatos: the served notice, photos, inspection, bundle, request, hold
    document: int
    bundle: int
    request: int
    hold: int
    job: int
    ledger_case: str  # Jefferson County: penalties, a lien, a voucher, a settlement
    # What the API answered to calls whose handler builds its own dict: (schema, JSON).
    answers: dict[str, tuple[Schema, dict]] = dataclasses.field(default_factory=dict)


@pytest.fixture
def world(client, officer, records, attorney, work, clock, settings) -> World:
    # An old Los Gatos case, closed in 2021, destroyed under the adopted schedule below.
    adopt(settings.data_dir)
    old = closed_case(
        client,
        officer,
        clock,
        "2021-03-10T10:00:00-08:00",
        address="9 Quarry Road",
        received_at="2021-03-10T09:30:00-08:00",
    )
    built, doc = served_case(client, officer, clock)
    h = officer.headers
    ok(
        client.post(
            f"/api/cases/{built.case}/inspections",
            headers=h,
            json={
                "investigator": "Officer Dana Ruiz",
                "visited_at": "2026-11-17T10:00:00-08:00",
                "place": "Rear yard, from the alley",
                "violations_observed": "Tires and weeds behind the garage.",
                "conditions_observed": "",
                "witnesses": "",
                "evidence": "Two photos.",
                "discussions": "",
                "action_needed": "Remove the tires; mow.",
                "recommended_action": "Notice of violation to the owner.",
                "referrals": "",
                "measurements": [
                    {"what": "weed height", "value": "38", "unit": "in", "where": "by the shed"}
                ],
            },
        )
    )
    answers: dict[str, tuple[Schema, dict]] = {}
    answers["POST .../violations/<id>/correct"] = (
        ViolationOut(),
        ok(
            client.post(
                f"/api/cases/{built.case}/violations/{built.violations[1]}/correct",
                headers=h,
                json={"corrected_at": "2026-11-20T12:00:00-08:00", "method": "Permit obtained."},
            ),
            200,
        ),
    )
    answers["POST .../parties"] = (
        PartyOut(),
        ok(
            client.post(
                f"/api/cases/{built.case}/parties",
                headers=h,
                json={"role": "owner", "name": "Elm Street Trust", "mailing_address": "PO Box 1"},
            )
        ),
    )
    bundle = ok(
        client.post(f"/api/cases/{built.case}/bundles", headers=attorney.headers, json={}), 202
    )["id"]
    request = ok(
        client.post(
            "/api/disclosures",
            headers=records.headers,
            json={
                "jurisdiction": "los-gatos-ca",
                "requester": {"name": "Pat Reporter", "email": "pat@news.example"},
                "received_at": "2026-11-21T08:30:00-08:00",
                "description": "All records about 1418 Elm Street",
                "case_numbers": [built.case],
            },
        )
    )["id"]
    work()  # the bundle built, the request's records prepared
    ok(client.post(f"/api/bundles/{bundle}/certify", headers=records.headers, json={}), 200)
    ok(
        client.post(
            f"/api/disclosures/{request}/release",
            headers=records.headers,
            json={"accept_proposed_redactions": True},
        )
    )

    # The old case proposed, approved by both roles the schedule names, and destroyed.
    clock("2026-11-22T09:00:00-08:00")
    ok(
        client.post(
            "/api/retention/propose", headers=records.headers, json={"as_of": "2026-11-22"}
        ),
        200,
    )
    queued = client.get("/api/retention/queue", headers=records.headers).json
    ids = [i["id"] for i in queued if i["case_number"] == old]
    assert ids, queued
    for who in (records, attorney):
        ok(client.post("/api/retention/approve", headers=who.headers, json={"ids": ids}), 200)
    job = ok(
        client.post(
            "/api/retention/execute", headers=records.headers, json={"as_of": "2026-11-22"}
        ),
        202,
    )["id"]
    work()
    # Last: a hold stops changes to what the case holds.
    hold = ok(
        client.post(
            "/api/holds",
            headers=attorney.headers,
            json={
                "matter": "Smith v. Town",
                "reason": "Suit filed over the abatement",
                "case_numbers": [built.case],
                "party_ids": [built.owner],
            },
        )
    )["id"]

    # Jefferson County: a penalty unpaid for 90 days gets a lien; a voucher; a settlement.
    jc = ok(
        client.post(
            "/api/cases",
            headers=h,
            json=complaint_case(jurisdiction="jefferson-county-wa", address="900 Discovery Road"),
        )
    )["case_number"]
    for entry in (
        {"kind": "penalty", "amount": "750.00", "assessed_on": "2026-01-02"},
        {"kind": "abatement_cost", "amount": "310.45", "assessed_on": "2026-01-20"},
    ):
        answers["POST .../ledger"] = (
            LedgerEntryOut(),
            ok(client.post(f"/api/cases/{jc}/ledger", headers=h, json=entry)),
        )
    answers["POST .../liens"] = (
        LienOut(),
        ok(
            client.post(
                f"/api/cases/{jc}/liens",
                headers=h,
                json={"recorded_on": "2026-04-10", "recording_number": "2026-0001234"},
            )
        ),
    )
    deposit = {
        "kind": "deposit",
        "amount": "500.00",
        "entry_on": "2026-01-02",
        "description": "Penalties collected",
    }
    answers["POST .../fund"] = (
        FundEntryOut(),
        ok(client.post("/api/jurisdictions/jefferson-county-wa/fund", headers=h, json=deposit)),
    )
    answers["POST .../vouchers"] = (  # paid from the fund just filled
        VoucherOut(),
        ok(
            client.post(
                f"/api/cases/{jc}/vouchers",
                headers=h,
                json={
                    "amount": "120.00",
                    "issued_on": "2026-03-01",
                    "approved_by": "DCD Director",
                    "purpose": "Dump fees for illegally dumped tires",
                },
            )
        ),
    )
    answers["POST .../settlements"] = (
        SettlementOut(),
        ok(
            client.post(
                f"/api/cases/{jc}/settlements",
                headers=h,
                json={
                    "entered_on": "2026-06-01",
                    "approved_by": "Director, DCD",
                    "pay_amount": "250.00",
                    "pay_by": "2026-07-01",
                    "deferred_amount": "500.00",
                    "deferred_until": "2027-06-01",
                    "factors": {c: "Considered." for c in "ABCDE"},  # Rule 5(a)(iii)
                },
            )
        ),
    )
    return World(built.case, doc["id"], bundle, request, hold, job, jc, answers)


# --- Comparing a presenter's dict with a schema ------------------------------------------------


def _nested_schema(field: fields.Field) -> Schema | None:
    """The schema a field dumps its value through (a Nested, or a List of Nested), if any."""
    inner = field.inner if isinstance(field, fields.List) else field
    return inner.schema if isinstance(inner, fields.Nested) else None


def differences(
    schema: Schema, value: dict[str, Any], where: str = "", *, sent: bool = False
) -> list[str]:
    """Every key the schema declares that the dict lacks, and the reverse, down through the
    nested schemas. A field's key in a presenter's dict is what marshmallow reads (its
    `attribute`, else its name); in the API's JSON (`sent`), what it writes (its `data_key`,
    else its name). DocumentOut's `fields_` reads and writes "fields"."""
    name = type(schema).__name__
    declared = {
        ((f.data_key if sent else f.attribute) or key): f for key, f in schema.fields.items()
    }
    out = [
        f"{where or name}: the presenter adds {k!r}, which {name} drops from the API"
        for k in sorted(set(value) - set(declared))
        if (name, k) not in ALLOWED
    ]
    out += [
        f"{where or name}: {name} declares {k!r}, which the presenter never fills"
        for k in sorted(set(declared) - set(value))
        if (name, k) not in ALLOWED
    ]
    for key, field in declared.items():
        inner = _nested_schema(field)
        if inner is None or value.get(key) is None:
            continue
        items = value[key] if isinstance(field, fields.List) else [value[key]]
        for i, item in enumerate(items):
            out += differences(inner, item, f"{where or name}.{key}[{i}]", sent=sent)
    return out


def nested_values(schema: Schema, value: dict[str, Any]) -> set[str]:
    """The nested fields that carried a value here: proof the world reached them."""
    return {
        key
        for key, field in schema.fields.items()
        if _nested_schema(field) is not None and value.get(field.attribute or key)
    }


# --- The presenters on the world's rows --------------------------------------------------------


def presented(app, world: World, officer_id: int, records_id: int) -> dict[str, Any]:
    """Every presenter on the world's rows inside a request context, as the pages call them:
    name -> (schema, dict or list of dicts)."""
    with app.test_request_context("/"):
        s = db()
        case = s.scalar(select(Case).where(Case.case_number == world.case))
        profile = cases.case_profile(s, case)
        officer, records = s.get(User, officer_id), s.get(User, records_id)
        # The officer is shown the complainant through the guard (audited); records staff are
        # not, so the complaint's identity and what bears it are withheld from them.
        who = guard.view_identity(s, officer, case, "test.presenters")
        assert who is not None
        atts = s.scalars(select(Attachment).where(Attachment.case_id == case.id)).all()
        docs = s.scalars(select(Document).where(Document.case_id == case.id)).all()
        jc = s.scalar(select(Case).where(Case.case_number == world.ledger_case))
        return {
            "case_detail, complainant shown": (
                CaseOut(),
                [present.case_detail(s, case, profile, officer, who)],
            ),
            "case_detail, complainant withheld": (
                CaseOut(),
                [present.case_detail(s, case, profile, records, None)],
            ),
            "case_summary": (CaseSummaryOut(), [present.case_summary(case, profile.zone)]),
            "case_list_dict": (CaseListOut(), [present.case_list_dict(find_cases(s, officer))]),
            "attachment_dict": (
                AttachmentOut(),
                [
                    present.attachment_dict(a, case.case_number, profile.zone, withheld=w)
                    for a in atts
                    for w in (False, True)
                ],
            ),
            "document_dict": (DocumentOut(), [present.document_dict(d, case) for d in docs]),
            "bundle_dict": (BundleOut(), [present.bundle_dict(s.get(Bundle, world.bundle), case)]),
            "hold_dict": (HoldOut(), [present.hold_dict(s, s.get(Hold, world.hold))]),
            "item_dict": (
                DispositionItemOut(),
                [present.item_dict(i) for i in s.scalars(select(DispositionItem))],
            ),
            "job_dict": (RetentionJobOut(), [present.job_dict(s.get(Job, world.job))]),
            "ledger_view": (LedgerOut(), [ledger_view(s, jc, None)]),
            "clocks_view": (ClocksOut(), [clocks_view(s, case)]),
            "request_dict": (
                DisclosureOut(),
                [present.request_dict(s.get(DisclosureRequest, world.request))],
            ),
        }


def test_presenters_and_out_schemas_agree(app, client, world: World, officer, records) -> None:
    shown = presented(app, world, officer.id, records.id)
    one = {name: dicts[0] for name, (_, dicts) in shown.items()}
    # The world reaches every nested schema, so the comparison below is not vacuous.
    for name in ("case_detail, complainant shown", "case_detail, complainant withheld"):
        # The officer is offered the case's next steps; records staff, who record none, are not.
        steps = {"next_actions"} if name.endswith("shown") else set()
        assert nested_values(CaseOut(), one[name]) == {
            "property", "complaint", "parties", "violations", "inspections", "attachments", *steps
        }  # fmt: skip
        assert one[name]["inspections"][0]["measurements"], "the world has a measurement"
        assert any(v["corrected_at"] for v in one[name]["violations"])
    assert one["case_detail, complainant shown"]["complaint"]["complainant"] is not None
    withheld = one["case_detail, complainant withheld"]
    assert withheld["complaint"]["complainant"] is None
    assert any(a["withheld_until_shown"] for a in withheld["attachments"])
    assert len(one["case_list_dict"]["results"]) >= 2
    assert any(a["thumbnail_url"] for a in shown["attachment_dict"][1]), "the world has a photo"
    served = next(d for d in shown["document_dict"][1] if d["id"] == world.document)
    assert served["services"] and served["services"][0]["receipts"], "served, with a receipt"
    bundle = one["bundle_dict"]
    assert bundle["status"] == "done" and bundle["volumes"] and bundle["certification_url"]
    assert one["hold_dict"]["case_numbers"] == [world.case] and len(one["hold_dict"]["scope"]) == 2
    assert any(i["stub"] for i in shown["item_dict"][1]), "an item destroyed, its stub kept"
    assert one["job_dict"]["run"] and one["job_dict"]["run"]["destroyed"] == 1
    assert nested_values(LedgerOut(), one["ledger_view"]) == {
        "entries", "liens", "vouchers", "settlements"
    }  # fmt: skip
    assert one["clocks_view"]["clocks"]
    req = one["request_dict"]
    assert req["status"] == "released" and req["items"] and req["cases"] and req["release"]
    # The disclosure API answers without a schema today: DisclosureOut documents the dict and
    # dumping through it changes nothing, so the API may declare it (docsvc/api/disclosure.py).
    assert DisclosureOut().dump(req) == req

    found = {
        name: diffs
        for name, (schema, dicts) in shown.items()
        if (diffs := sorted({d for value in dicts for d in differences(schema, value)}))
    }
    assert found == {}

    # Seen from outside: the API sends every key the page's presenter makes.
    h = officer.headers
    api = {
        "GET /api/cases/<n>": (CaseOut(), client.get(f"/api/cases/{world.case}", headers=h)),
        "GET /api/documents/<id>": (
            DocumentOut(),
            client.get(f"/api/documents/{world.document}", headers=h),
        ),
        "GET /api/cases/<n>/ledger": (
            LedgerOut(),
            client.get(f"/api/cases/{world.ledger_case}/ledger", headers=h),
        ),
        "GET /api/disclosures/<id>": (
            DisclosureOut(),
            client.get(f"/api/disclosures/{world.request}", headers=records.headers),
        ),
    }
    sent = {name: (schema, r.json) for name, (schema, r) in api.items()} | world.answers
    missing = {
        name: diffs
        for name, (schema, body) in sent.items()
        if (diffs := differences(schema, body, sent=True))
    }
    assert missing == {}


class Inner(Schema):
    a = fields.Integer()


class Outer(Schema):
    fields_ = fields.Dict(data_key="fields", attribute="fields")
    one = fields.Nested(Inner, allow_none=True)
    many = fields.List(fields.Nested(Inner))


def test_the_comparison_sees_each_kind_of_difference() -> None:
    """The checker itself: a key too many, a key missing, at the top and nested, by the key
    marshmallow reads (and, for the API's JSON, the key it writes)."""
    good = {"fields": {}, "one": {"a": 1}, "many": [{"a": 1}, {"a": 2}]}
    assert differences(Outer(), good) == []
    assert differences(Outer(), good | {"one": None}) == []  # allow_none: nothing below
    bad = {"fields_": {}, "one": {"a": 1, "url": "/x"}, "many": [{"a": 1}, {}], "extra": 1}
    assert differences(Outer(), bad) == [
        "Outer: the presenter adds 'extra', which Outer drops from the API",
        "Outer: the presenter adds 'fields_', which Outer drops from the API",
        "Outer: Outer declares 'fields', which the presenter never fills",
        "Outer.one[0]: the presenter adds 'url', which Inner drops from the API",
        "Outer.many[1]: Inner declares 'a', which the presenter never fills",
    ]
    assert nested_values(Outer(), good) == {"one", "many"}

"""Building a realistic case to issue documents from, and reading documents back."""

from __future__ import annotations

import io
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tests import helpers
from tests.conftest import complaint_case

VIOLATION_FOR = {
    "tom-bean-tx": ("nuisance-no-structure", "building-work-without-permit"),
    "los-gatos-ca": ("junk-debris", "construction-without-permit"),
    "jefferson-county-wa": ("solid-waste-accumulation", "development-without-permit"),
    "lees-summit-mo": ("exterior-property-maintenance", "work-without-permit"),
}
OFFSET = {"tom-bean-tx": "-06:00", "lees-summit-mo": "-06:00"}

FIELDS = {
    "warning_notice": {},
    "notice_of_violation": {
        "corrective_action": "Remove the tires & debris; mow to under 12 inches."
    },
    "stop_work_order": {
        "work_description": "Framing of a rear addition",
        "involves_structure": False,
        "conditions_to_resume": "Obtain a building permit & pass inspection.",
    },
    "voluntary_compliance_agreement": {
        "admission": "I admit the yard is overgrown.",
        "extended_deadline": "2027-01-15",
    },
    "settlement_agreement": {
        "penalty_amount": "1500.00",
        "deferred_months": 24,
        "cancelled_amount": "250.00",
        "abatement_costs": "310.45",
        "factors": "Responded to every notice; corrected within 30 days.",
        "compliance_timeline": "Keep the yard clear for 24 months.",
    },
    "notice_of_resolution": {"resolution": "The owner removed the tires and mowed the yard."},
}


@dataclass
class Built:
    case: str
    owner: int
    tenant: int
    violations: list[int]
    photo: int
    complainant_photo: int


def build_case(
    client,
    headers,
    jurisdiction: str,
    owner_name: str = "Smith & Sons <LLC>",
    description: str = "Tires & weeds <over 3 ft> behind the garage",
) -> Built:
    off = OFFSET.get(jurisdiction, "-08:00")
    body = complaint_case(jurisdiction=jurisdiction, received_at=f"2026-11-16T09:30:00{off}")
    case = client.post("/api/cases", json=body, headers=headers).json["case_number"]
    owner = client.post(
        f"/api/cases/{case}/parties",
        headers=headers,
        json={
            "role": "owner",
            "name": owner_name,
            "mailing_address": "PO Box 9, Springfield, ST 00000",
        },
    ).json["id"]
    tenant = client.post(
        f"/api/cases/{case}/parties",
        headers=headers,
        json={
            "role": "tenant",
            "name": "O'Brien-Nguyễn, Trần",
            "mailing_address": "1418 Elm Street",
        },
    ).json["id"]
    vids = [
        client.post(
            f"/api/cases/{case}/violations",
            headers=headers,
            json={
                "violation_type": vt,
                "description": description,
                "observed_at": f"2026-11-17T10:00:00{off}",
            },
        ).json["id"]
        for vt in VIOLATION_FOR[jurisdiction]
    ]

    def photo(color: str, by_complainant: bool) -> int:
        r = client.post(
            f"/api/cases/{case}/attachments",
            headers=headers,
            content_type="multipart/form-data",
            data={
                "kind": "photo",
                "caption": "Rear yard & shed",
                "supplied_by_complainant": str(by_complainant).lower(),
                "file": (io.BytesIO(helpers.jpeg(color=color)), "p.jpg"),
            },
        )
        return r.json["id"]

    return Built(case, owner, tenant, vids, photo("green", False), photo("gray", True))


def document_body(doc_type: str, built: Built, **over) -> dict:
    body = {
        "type": doc_type,
        "violation_ids": built.violations[:1],
        # Only a type whose wording prints photographs takes them (the others refuse them).
        "photo_ids": [built.photo] if doc_type == "notice_of_violation" else [],
        "fields": dict(FIELDS[doc_type]),
    }
    if doc_type == "notice_of_resolution":
        body["recipient"] = "complainant"
        body["violation_ids"], body["photo_ids"] = [], []
    else:
        body["recipient_party_id"] = built.owner
    body.update(over)
    return body


def pdf_text(data: bytes, tmp: Path) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def qpdf_check(data: bytes, tmp: Path) -> subprocess.CompletedProcess:
    path = tmp / "check.pdf"
    path.write_bytes(data)
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)


def docx_xml(data: bytes) -> etree._Element:
    """word/document.xml parsed by a strict XML parser: a broken escape fails here."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read("word/document.xml"), etree.XMLParser(recover=False))


def docx_text(data: bytes) -> str:
    from docx import Document

    d = Document(io.BytesIO(data))
    return "\n".join(p.text for p in d.paragraphs)


def issue(client, headers, built, doc_type: str, **over):
    r = client.post(
        f"/api/cases/{built.case}/documents",
        headers=headers,
        json=document_body(doc_type, built, **over),
    )
    assert r.status_code == 201, r.json
    return r.json


def article_number() -> str:
    from docsvc.documents.usps import check_digit

    body = "940711120620818070238"
    return body + str(check_digit(body))


def mailed_notice(client, headers, advance):
    """A Los Gatos notice of violation issued on the pinned clock and sent by certified mail
    half an hour later: (the case, the document)."""
    from datetime import timedelta

    built = build_case(client, headers, "los-gatos-ca")
    doc = issue(client, headers, built, "notice_of_violation")
    advance(timedelta(hours=1))
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=headers,
        json={
            "method": "certified_mail",
            "mailed_at": "2030-11-20T09:30:00-08:00",
            "article_number": article_number(),
        },
    )
    assert r.status_code == 201, r.json
    return built, doc


def served_case(client, officer, clock):
    """A Los Gatos case with a notice served by certified mail and its return receipt, two
    photos, an e-mailed letter and a scanned PDF from the owner."""
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    doc = issue(client, officer.headers, built, "notice_of_violation")
    clock("2026-11-18T10:00:00-08:00")
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=officer.headers,
        json={"method": "certified_mail", "mailed_at": "2026-11-18T09:30:00-08:00",
              "article_number": article_number()},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    clock("2026-11-21T09:00:00-08:00")
    r = client.post(
        f"/api/documents/{doc['id']}/return-receipt",
        headers=officer.headers,
        content_type="multipart/form-data",
        data={"status": "delivered", "delivered_at": "2026-11-20T14:05:00-08:00",
              "signed_by": "R. Smith",
              "file": (io.BytesIO(helpers.pdf("PS Form 3811 green card")), "3811.pdf")},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    letter = helpers.pdf_with(helpers.text_ops("Letter from the owner: we will clean up."))
    r = helpers.upload(client, officer.headers, built.case, letter, "l.pdf", kind="correspondence")
    assert r.status_code == 201, r.json
    return built, doc

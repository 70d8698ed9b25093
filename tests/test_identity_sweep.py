"""A sweep of every readable route: the complainant's identity appears only where a role may see
it, each view with exactly one audit row, and never across jurisdictions.

One case file in Los Gatos (A) holds everything a complainant's identity can hide in: the
complaint, a photo they supplied (its caption names them), the complaint form, a phone log
quoting them, a notice of resolution addressed to them, a records request in review and one
released, a court bundle. The same complainant filed in Jefferson County (B), and the same owner
is a party there, so history could cross jurisdictions. A third, old case by them in A was
destroyed under the retention schedule (its certificate is a record of its own).

Every GET rule of the URL map (and the case page's "Show complainant" button) is called with
its path variables filled from these objects, by the public, by each role and by each role
limited to jurisdiction B. Every response is read as a person would read it (HTML and JSON as
text, PDFs through pdftotext, ZIP and DOCX entry by entry, images by their bytes and the text
OCR reads in them, such as a record's page drawn for review) and the `complainant.view` rows of
the audit log are counted around each call. All violations are collected and reported together.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import subprocess
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from docsvc.auth.permissions import allowed
from docsvc.documents.env import Env
from docsvc.models import AuditEvent, Case, DisclosureItem, Redaction
from docsvc.reports import catalog as report_catalog
from docsvc.retention.evaluate import VERDICTS
from docsvc.store import FileStore
from docsvc.worker import drain
from tests import helpers
from tests.conftest import complaint_case
from tests.retention_helpers import adopt, closed_case

A = "los-gatos-ca"
B = "jefferson-county-wa"
ROLES = ("officer", "records", "attorney", "admin")
PERSON = {
    "name": "Zebulon Quixote-Marwick",
    "phone": "(408) 555-0199",
    "email": "zq.marwick@example.net",
    "address": "77 W Juniper Lane Apt 9C",
}
OWNER = {"name": "Harlan Vexbridge Holdings LLC", "mailing_address": "PO Box 4410, San Jose, CA"}

# Each identifier of the complainant, as it may be written, matched in folded text (accents
# dropped, case folded): the surname (either half), the given name, the phone's digits in any
# format, the e-mail, the street of the home address.
IDENTIFIERS = {
    "name": re.compile(r"quixote|marwick|zebulon"),
    "phone": re.compile(r"555[^0-9a-z]{0,3}0199"),
    "email": re.compile(r"zq\.marwick"),
    "address": re.compile(r"juniper"),
}
# Words searched for: the surname, the street, a word of the phone log (whose snippet carries
# the phone), and the phone itself.
SEARCHES = ("Quixote-Marwick", "juniper", "callback", "0199")

# Routes whose purpose is to show the complainant: a caller who may see them must see them.
REVEALS = {
    "cases.get_case": "the case file, complainant included",
    "ui.cases.reveal_complainant": "the case page's 'Show complainant' button",
}
# A search hit whose record names the complainant is shown with the identifiers masked: the hit
# itself still tells that this case's complainant matched, so it is a view like any other.
MASKED = "[complainant]"

# The one state-changing route in scope (the rest of POST/PUT/PATCH/DELETE are not swept).
POSTS = {"ui.cases.reveal_complainant"}


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", html.unescape(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def identifiers_in(folded: str) -> list[str]:
    return [kind for kind, pattern in IDENTIFIERS.items() if pattern.search(folded)]


def around(folded: str, pattern: re.Pattern[str]) -> str:
    """The first match in its context, printable and on one line, for the report."""
    m = pattern.search(folded)
    if m is None:
        return ""
    bit = folded[max(0, m.start() - 30) : m.end() + 30]
    return "«" + " ".join("".join(c if c.isprintable() else " " for c in bit).split()) + "»"


def without_echoes(folded: str, query: dict[str, Any]) -> str:
    """The text less the caller's own words echoed back (a search box, a login redirect's
    `next=`): what a caller typed is not a view of what the service holds."""
    for value in query.values():
        v = str(value)
        for enc in {v, quote(v), quote_plus(v), quote(v, safe="")}:
            e = fold(enc)
            for before in ("=", "%3d", 'value="'):
                folded = folded.replace(before + e, before + "<echo>")
    return folded


def case_number_in(number: str, folded: str) -> bool:
    return (
        re.search(rf"(?<![0-9a-z]){re.escape(number.casefold())}(?![0-9a-z])", folded) is not None
    )


# --- Reading a response as its reader would ---------------------------------------------------


class Reader:
    """Text of response bodies, by content; each distinct body is read once."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.cache: dict[str, str] = {}

    def pdf(self, data: bytes) -> str:
        path = self.tmp / "sweep.pdf"
        path.write_bytes(data)
        out = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True
        )
        if out.returncode != 0:
            raise ValueError(f"pdftotext could not read the PDF: {out.stderr.strip()[:200]}")
        # The raw bytes too: metadata (author, title, XMP) never reaches pdftotext's output.
        return out.stdout + "\n" + data.decode("latin-1")

    def ocr(self, data: bytes) -> str:
        """What a reader sees in a picture: a record's page drawn for review says who filed it."""
        image = Image.open(io.BytesIO(data)).convert("L")
        image = image.resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS)
        png = io.BytesIO()
        image.save(png, "PNG")
        out = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", "eng"], input=png.getvalue(), capture_output=True
        )
        if out.returncode != 0:
            raise ValueError(f"tesseract could not read the image: {out.stderr[-200:]!r}")
        return out.stdout.decode("utf-8", errors="replace")

    def zip(self, data: bytes) -> str:
        parts = []
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name in zf.namelist():
                parts.append(name)
                parts.append(self.blob(zf.read(name), name))
        return "\n".join(parts)

    def blob(self, data: bytes, name: str = "", mimetype: str = "") -> str:
        if data.startswith(b"%PDF-"):
            return self.pdf(data)
        if data.startswith(b"PK\x03\x04"):
            return self.zip(data)
        if data[:3] == b"\xff\xd8\xff" or data[:4] == b"\x89PNG":
            # The bytes (EXIF, comments, text chunks) and the text drawn in the pixels.
            return data.decode("latin-1") + "\n" + self.ocr(data)
        text = data.decode("utf-8", errors="replace")
        # Markup splits words (DOCX runs, a search hit's <mark>): read the text between tags too.
        return text + "\n" + re.sub(r"<[^>]+>", "", text)

    def read(self, resp: Any) -> str:
        data = resp.get_data()
        key = hashlib.sha256(data).hexdigest() + resp.mimetype
        if key not in self.cache:
            self.cache[key] = self.blob(data, mimetype=resp.mimetype)
        headers = "\n".join(f"{k}: {v}" for k, v in resp.headers.items())
        return headers + "\n" + self.cache[key]


# --- Who calls ----------------------------------------------------------------------------------


@dataclass
class Caller:
    role: str | None  # None: the public
    jurisdictions: list[str] | None
    user_id: int | None
    headers: dict[str, str]
    browser: Any  # a test client with this caller's session cookie
    csrf: str

    def may_see(self, jurisdiction: str) -> bool:
        if self.role is None:
            return False
        return self.jurisdictions is None or jurisdiction in self.jurisdictions

    @property
    def scope(self) -> str:
        if self.role is None:
            return "-"
        return "all" if self.jurisdictions is None else ", ".join(self.jurisdictions)

    @property
    def limited_to_b(self) -> bool:
        return self.jurisdictions is not None and A not in self.jurisdictions


def sign_in(app: Flask, user: Any) -> tuple[Any, str]:
    browser = app.test_client()
    token = helpers.csrf(browser.get("/login").data)
    r = browser.post(
        "/login", data={"username": user.username, "password": user.password, "csrf_token": token}
    )
    assert r.status_code == 302, f"{user.username} could not sign in"
    assert browser.get("/cases").status_code == 200
    return browser, helpers.csrf(browser.get("/login").data)


def callers(app: Flask, client: Any, make_user: Callable[..., Any]) -> list[Caller]:
    public = app.test_client()
    out = [Caller(None, None, None, {}, public, helpers.csrf(public.get("/login").data))]
    for limit in (None, [B]):
        for role in ROLES:
            user = make_user(role, jurisdictions=limit, with_password=True)
            assert client.get("/api/cases", headers=user.headers).status_code == 200
            browser, token = sign_in(app, user)
            out.append(Caller(role, limit, user.id, user.headers, browser, token))
    return out


# --- The seeded case files ----------------------------------------------------------------------


@dataclass(frozen=True)
class V:
    """A value for a path variable, and the jurisdiction of the object it names (if any)."""

    value: Any
    jurisdiction: str | None = None


@dataclass
class Seeded:
    case_a: str
    case_b: str
    destroyed: str  # the old case in A, gone but for its certificate
    attachments: dict[str, int] = field(default_factory=dict)
    documents: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    items: dict[int, list[int]] = field(default_factory=dict)
    pages: dict[int, int] = field(default_factory=dict)
    bundle: int = 0
    volumes: list[int] = field(default_factory=list)
    token: str = ""
    job: int = 0
    run: int = 0


def ok(r: Any, status: int = 201) -> dict:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:500])
    return r.json


def pdf_file(*lines: str) -> bytes:
    return helpers.pdf_with(helpers.text_ops(*lines))


def seed(client, officer, records, attorney, work, clock, settings) -> Seeded:
    # The old case, closed in 2021 and destroyed under the adopted schedule in 2026.
    adopt(settings.data_dir)
    destroyed = closed_case(
        client,
        officer,
        clock,
        "2021-03-10T10:00:00-08:00",
        address="9 Quarry Road",
        received_at="2021-03-10T09:30:00-08:00",
        complainant=PERSON,
    )
    advance = clock("2026-11-22T09:00:00-08:00")
    assert ok(
        client.post(
            "/api/retention/propose", headers=records.headers, json={"as_of": "2026-11-22"}
        ),
        200,
    )["added"]
    queued = client.get("/api/retention/queue", headers=records.headers).json
    ids = [i["id"] for i in queued if i["case_number"] == destroyed]
    for who in (records, attorney):
        ok(client.post("/api/retention/approve", headers=who.headers, json={"ids": ids}), 200)
    job = ok(
        client.post(
            "/api/retention/execute", headers=records.headers, json={"as_of": "2026-11-22"}
        ),
        202,
    )["id"]
    work()
    run = client.get(f"/api/retention/jobs/{job}", headers=records.headers).json["run"]
    assert run and run["destroyed"] == 1, run
    advance(timedelta(minutes=5))

    h = officer.headers
    case_a = ok(
        client.post(
            "/api/cases",
            headers=h,
            json=complaint_case(
                jurisdiction=A,
                address="310 Alder Court",
                description="An old couch and tires piled in the front yard.",
                complainant=PERSON,
            ),
        )
    )["case_number"]
    s = Seeded(case_a=case_a, case_b="", destroyed=destroyed, job=job, run=run["id"])
    owner = ok(
        client.post(f"/api/cases/{case_a}/parties", headers=h, json={"role": "owner", **OWNER})
    )
    violation = ok(
        client.post(
            f"/api/cases/{case_a}/violations",
            headers=h,
            json={
                "violation_type": "junk-debris",
                "description": "Couch and four tires in the front yard.",
                "observed_at": "2026-11-17T10:00:00-08:00",
            },
        )
    )
    ok(
        client.post(
            f"/api/cases/{case_a}/inspections",
            headers=h,
            json={
                "investigator": "Officer Dana Ruiz",
                "visited_at": "2026-11-17T10:00:00-08:00",
                "place": "Front yard of 310 Alder Court, from the sidewalk",
                "violations_observed": "Couch and tires stored in the front yard.",
                "conditions_observed": "",
                "witnesses": "",
                "evidence": "Two photos.",
                "discussions": "",
                "action_needed": "Remove the couch and tires.",
                "recommended_action": "Notice of violation to the owner.",
                "referrals": "",
            },
        )
    )
    uploads = {
        "officer photo": (helpers.jpeg(color="green"), "yard.jpg", "photo", {"caption": "Front yard from the sidewalk"}),
        "complainant photo": (
            helpers.jpeg(color="gray"),
            "from-neighbour.jpg",
            "photo",
            {
                "caption": "The yard seen from Zebulon Quixote-Marwick's kitchen window",
                "supplied_by_complainant": "true",
            },
        ),
        "complaint form": (
            pdf_file(
                "CODE ENFORCEMENT COMPLAINT FORM",
                "Name: Zebulon Quixote-Marwick",
                "Phone: (408) 555-0199   E-mail: zq.marwick@example.net",
                "Home address: 77 W Juniper Lane Apt 9C, Los Gatos",
                "Property: 310 Alder Court. An old couch and tires in the front yard.",
            ),
            "complaint-form.pdf",
            "complaint_form",
            {},
        ),
        "phone log": (
            pdf_file(
                "Phone log, 18 November 2026",
                "Caller asked for a callback at (408) 555-0199 about the couch on Alder Court.",
            ),
            "phone-log.pdf",
            "correspondence",
            {},
        ),
    }  # fmt: skip
    for label, (data, name, kind, form) in uploads.items():
        s.attachments[label] = ok(helpers.upload(client, h, case_a, data, name, kind=kind, **form))[
            "id"
        ]
    notice = {
        "type": "notice_of_violation",
        "recipient_party_id": owner["id"],
        "violation_ids": [violation["id"]],
        "photo_ids": [s.attachments["officer photo"]],
        "fields": {"corrective_action": "Remove the couch and tires from the front yard."},
    }
    s.documents["notice to the owner"] = ok(
        client.post(f"/api/cases/{case_a}/documents", headers=h, json=notice)
    )["id"]
    resolution = {
        "type": "notice_of_resolution",
        "recipient": "complainant",
        "violation_ids": [],
        "photo_ids": [],
        "fields": {"resolution": "The owner removed the couch and the tires."},
        "draft": True,
    }
    doc = ok(client.post(f"/api/cases/{case_a}/documents", headers=h, json=resolution))
    assert doc["status"] == "draft"
    issued = ok(client.post(f"/api/documents/{doc['id']}/issue", headers=h), 200)
    assert issued["status"] == "issued"
    s.documents["resolution to the complainant"] = doc["id"]

    # The same complainant, and the same owner, in jurisdiction B.
    s.case_b = ok(
        client.post(
            "/api/cases",
            headers=h,
            json=complaint_case(
                jurisdiction=B,
                address="12 Cedar Road",
                received_at="2026-11-18T09:30:00-08:00",
                description="Junk vehicles on the lot.",
                complainant=PERSON,
            ),
        )
    )["case_number"]
    ok(client.post(f"/api/cases/{s.case_b}/parties", headers=h, json={"role": "owner", **OWNER}))

    # Two records requests covering case A: one left in review, one released.
    for label in ("in review", "released"):
        body = {
            "jurisdiction": A,
            "requester": {"name": "Pat Reporter", "email": "pat@news.example"},
            "received_at": "2026-11-20T10:00:00-08:00",
            "description": "All records about 310 Alder Court",
            "case_numbers": [case_a],
        }
        s.requests[label] = ok(client.post("/api/disclosures", headers=records.headers, json=body))[
            "id"
        ]
    # A court bundle, unredacted, asked for by an attorney.
    s.bundle = ok(
        client.post(f"/api/cases/{case_a}/bundles", headers=attorney.headers, json={}), 202
    )["id"]
    work()  # text indexed, the requests' records prepared, the bundle built

    for label, rid in s.requests.items():
        detail = client.get(f"/api/disclosures/{rid}", headers=records.headers).json
        assert detail["status"] == "review", (label, detail["status"])
        s.items[rid] = [i["id"] for i in detail["items"] if i["pages"]]
        s.pages.update({i["id"]: i["pages"] for i in detail["items"]})
        assert s.items[rid], detail
    rid = s.requests["released"]
    rel = client.post(
        f"/api/disclosures/{rid}/release",
        headers=records.headers,
        json={"accept_proposed_redactions": True},
    )
    assert rel.status_code == 201, rel.json
    s.token = rel.json["public_url"].rsplit("/", 1)[-1]

    bundle = client.get(f"/api/bundles/{s.bundle}", headers=attorney.headers).json
    assert bundle["status"] == "done", bundle["error"]
    s.volumes = [v["number"] for v in bundle["volumes"]]
    ok(client.post(f"/api/bundles/{s.bundle}/certify", headers=records.headers, json={}), 200)
    # A second letter to the complainant, kept as a draft: its file is a preview rendered on
    # each request (made after the requests and the bundle, which gather issued records).
    draft = {**resolution, "fields": {"resolution": "The owner is clearing the yard."}}
    doc = ok(client.post(f"/api/cases/{case_a}/documents", headers=h, json=draft))
    assert doc["status"] == "draft"
    s.documents["draft to the complainant"] = doc["id"]
    work()
    return s


# --- The table of path variables -----------------------------------------------------------------

Fill = list[V] | Callable[[dict[str, V]], list[V]]


def fill_table(app: Flask, s: Seeded) -> dict[str, Fill]:
    """Every path variable of a swept rule, and the seeded values it takes. A variable missing
    here fails the test: a new route cannot slip past the sweep."""
    documents = [V(i, A) for i in s.documents.values()]
    return {
        "case_number": [V(s.case_a, A), V(s.case_b, B)],
        "attachment_id": [V(i, A) for i in s.attachments.values()],
        "variant": [V(v) for v in ("original", "print", "thumb")],
        "document_id": documents,
        "doc_id": documents,
        "fmt": [V("pdf"), V("docx")],
        "bundle_id": [V(s.bundle, A)],
        "number": lambda bound: [V(n, A) for n in s.volumes],
        "request_id": [V(i, A) for i in s.requests.values()],
        "item_id": lambda bound: [V(i, A) for i in s.items[bound["request_id"].value]],
        "page": lambda bound: [V(n) for n in range(1, s.pages[bound["item_id"].value] + 1)],
        "token": [V(s.token)],
        "job_id": [V(s.job)],
        "run_id": [V(s.run)],
        "code": [V(A), V(B)],
        "name": [V(n) for n in report_catalog.REPORTS],
        "filename": [V(f) for f in sorted(os.listdir(app.static_folder or ""))],
    }


def query_table() -> dict[str, list[dict[str, Any]]]:
    """Query strings a route needs to show anything (default: none)."""
    searches = [{"q": q} for q in SEARCHES]
    reports = [
        {"jurisdiction": j, "year": 2026, "format": f}
        for j in (A, B)
        for f in report_catalog.FORMATS
    ]
    return {
        "search.get_search": searches,
        "ui.search.search_page": [{}, *searches],
        "reports.get_report": reports,
        "ui.followup.reports": [{}]
        + [
            {"name": n, "jurisdiction": j, "year": "2026"}
            for n in report_catalog.REPORTS
            for j in (A, B)
        ],
        "retention.retention_list": [{}] + [{"verdict": v} for v in VERDICTS],
        "cases.list_cases": [{}, {"address": "Alder"}],
        "ui.cases.cases": [{}, {"address": "Alder"}],
    }


def bearing(database: Any, s: Seeded) -> Callable[[str, dict[str, Any]], bool]:
    """Whether a response serves a file that bears the complainant's identity by what it is,
    whatever its pixels say to OCR: a file they supplied, the complaint form, a file whose text
    quotes them, a letter to them, the unredacted bundle, a review page of any of these or one
    on which their identity was found (a proposed box)."""
    theirs = {s.attachments[k] for k in ("complainant photo", "complaint form", "phone log")}
    letters = {
        s.documents["resolution to the complainant"],
        s.documents["draft to the complainant"],
    }
    with database.session() as session:
        items = {
            i.id
            for i in session.scalars(select(DisclosureItem))
            if (i.source == "attachment" and i.source_id in theirs)
            or (i.source == "document" and i.source_id in letters)
        }
        boxed = {(i, p) for i, p in session.execute(select(Redaction.item_id, Redaction.page))}

    def bears(endpoint: str, values: dict[str, Any]) -> bool:
        if endpoint in ("attachments.attachment_file", "ui.cases.attachment"):
            return values["attachment_id"] in theirs
        if endpoint in (
            "documents.document_pdf",
            "documents.document_docx",
            "ui.documents.document_file",
        ):
            return (values.get("document_id") or values.get("doc_id")) in letters
        if endpoint in (
            "bundles.volume",
            "ui.bundles.bundle_volume",
            "bundles.manifest",
            "ui.bundles.bundle_manifest",
        ):
            return True  # the bundle seeded is unredacted
        if endpoint == "ui.disclosure.disclosure_page_image":
            return values["item_id"] in items or (values["item_id"], values["page"]) in boxed
        return False

    return bears


def bindings(rule: Any, table: dict[str, Fill], unfilled: list[str]) -> list[dict[str, V]]:
    # A variable whose values depend on others' comes after them.
    later = ("item_id", "page", "number")
    names = sorted(rule.arguments, key=lambda n: later.index(n) if n in later else -1)
    out: list[dict[str, V]] = [{}]
    for name in names:
        fill = table.get(name)
        if fill is None:
            unfilled.append(f"{rule.rule}: no value for <{name}>")
            return []
        grown = []
        for bound in out:
            values = fill(bound) if callable(fill) else fill
            if not values:
                unfilled.append(f"{rule.rule}: the seed gave <{name}> no value")
            grown.extend({**bound, name: v} for v in values)
        out = grown
    return out


# --- The sweep -----------------------------------------------------------------------------------


@dataclass
class Violation:
    route: str
    path: str
    who: Caller
    status: int | str
    problem: str


def views_after(database: Any, seq: int) -> list[tuple[int | None, int | None]]:
    with database.session() as session:
        rows = session.execute(
            select(AuditEvent.case_id, AuditEvent.actor_id)
            .where(AuditEvent.action == "complainant.view", AuditEvent.seq > seq)
            .order_by(AuditEvent.seq)
        ).all()
        return [(case_id, actor_id) for case_id, actor_id in rows]


def last_seq(database: Any) -> int:
    with database.session() as session:
        return session.scalar(select(func.max(AuditEvent.seq))) or 0


@pytest.mark.slow
def test_identity_only_where_a_role_may_see_it_each_view_audited_once(
    app, client, database, settings, make_user, officer, records, attorney, clock, tmp_path
) -> None:
    def work() -> None:
        drain(database, Env(FileStore(settings.store_dir), settings))

    s = seed(client, officer, records, attorney, work, clock, settings)
    with database.session() as session:
        case_ids = {
            session.scalar(select(Case.id).where(Case.case_number == number)): code
            for number, code in ((s.case_a, A), (s.case_b, B))
        }
    everyone = callers(app, client, make_user)
    table = fill_table(app, s)
    queries = query_table()
    reader = Reader(tmp_path)
    adapter = app.url_map.bind("localhost")
    # Jurisdiction A's case numbers, which a jurisdiction-B caller must never read.
    a_numbers = {s.case_a: "case A", s.destroyed: "the destroyed case in A"}
    bears = bearing(database, s)

    rules = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        methods = rule.methods or set()
        if "GET" in methods:
            rules.append((rule, "GET"))
        elif rule.endpoint in POSTS and "POST" in methods:
            rules.append((rule, "POST"))
    assert {r.endpoint for r, _ in rules} >= POSTS, "the 'Show complainant' route is gone"

    unfilled: list[str] = []
    violations: list[Violation] = []
    calls = 0
    revealed = 0
    api_client = app.test_client(use_cookies=False)
    for rule, method in rules:
        is_api = not rule.endpoint.startswith("ui.") and rule.endpoint != "static"
        for bound in bindings(rule, table, unfilled):
            scope = {v.jurisdiction for v in bound.values() if v.jurisdiction}
            values = {k: v.value for k, v in bound.items()}
            for query in queries.get(rule.endpoint, [{}]):
                path = adapter.build(rule.endpoint, values | query, method=method)
                public_body = None  # what anyone may fetch is no jurisdiction's secret
                for who in everyone:  # the public first
                    calls += 1
                    before = last_seq(database)
                    status: int | str
                    try:
                        if method == "POST":
                            resp = who.browser.post(path, data={"csrf_token": who.csrf})
                        elif is_api:
                            resp = api_client.get(path, headers=who.headers)
                        else:
                            resp = who.browser.get(path)
                        try:
                            status, body = resp.status_code, resp.get_data()
                            text = without_echoes(fold(reader.read(resp)), query)
                        finally:
                            resp.close()  # a static file is streamed from an open file
                    except Exception as exc:  # every call is judged: none stops the sweep
                        status, body, text = "raised", b"", ""
                        problem = f"could not be read: {exc!r}"[:300]
                        violations.append(Violation(rule.rule, path, who, status, problem))
                    if who.role is None and status == 200:
                        public_body = body
                    rows = views_after(database, before)
                    found = check(
                        Call(
                            rule.endpoint,
                            path,
                            who,
                            status,
                            text,
                            rows,
                            scope,
                            status == 200 and bears(rule.endpoint, values),
                        ),
                        case_ids,
                        {} if body == public_body else a_numbers,
                    )
                    if rule.endpoint in REVEALS and identifiers_in(text):
                        revealed += 1
                    violations.extend(Violation(rule.rule, path, who, status, p) for p in found)

    cells = len(rules) * len(everyone)
    summary = (
        f"identity sweep: {len(rules)} rules x {len(everyone)} callers = {cells} route/caller "
        f"cells; {calls} requests with path variables and query strings filled in"
    )
    print(summary)
    assert revealed, "the sweep never saw the complainant where it must: it proves nothing"
    assert not unfilled, "path variables the sweep could not fill:\n" + "\n".join(unfilled)
    if violations:
        raise AssertionError(f"{summary}\n{len(violations)} violations:\n{table_of(violations)}")


@dataclass
class Call:
    endpoint: str
    path: str
    who: Caller
    status: int | str
    text: str  # folded
    rows: list[tuple[int | None, int | None]]  # (case id, actor id) of new complainant.view rows
    scope: set[str]  # jurisdictions of the objects the path names
    bears: bool = False  # a file that is the complainant's identity by what it is


def check(call: Call, case_ids: dict[int, str], a_numbers: dict[str, str]) -> list[str]:
    """What is wrong with one response, given the complainant.view rows it wrote."""
    who, status, text, rows, scope = call.who, call.status, call.text, call.rows, call.scope
    problems = []
    shown = identifiers_in(text)
    if not shown and call.bears:
        shown = ["a file that bears the complainant's identity"]
    if not shown and MASKED in text:
        shown = ["a record naming the complainant (masked)"]
    may_view = who.role is not None and allowed(who.role, "complainant.view")
    sees_scope = all(who.may_see(j) for j in scope)
    if shown:
        what = ", ".join(shown) + " " + around(text, IDENTIFIERS.get(shown[0], re.compile("$^")))
        if who.role is None:
            problems.append(f"the public is shown the complainant ({what})")
        elif not may_view:
            problems.append(f"shows the complainant ({what}) to a role without complainant.view")
        if who.role is not None and not sees_scope:
            problems.append(f"shows the complainant ({what}) of a case in {sorted(scope)}")
        per_case = Counter(case for case, _ in rows)
        if not rows:
            problems.append(f"shows the complainant ({what}) with no complainant.view audit row")
        elif scope and len(rows) != 1:
            problems.append(f"shows the complainant ({what}) with {len(rows)} audit rows, not 1")
        elif not scope and max(per_case.values()) > 1:
            problems.append(f"{max(per_case.values())} audit rows for one view of one case")
    elif rows:
        problems.append(
            f"{len(rows)} complainant.view audit row(s) but nothing of the complainant shown"
        )
    elif call.endpoint in REVEALS and status == 200 and may_view and sees_scope:
        problems.append(f"should show the complainant ({REVEALS[call.endpoint]}) and does not")
    for case_id, actor_id in rows:
        if who.user_id is not None and actor_id != who.user_id:
            problems.append(f"an audit row names actor {actor_id}, not the caller")
        code = case_ids.get(case_id or -1)
        if code is not None and not who.may_see(code):
            problems.append(f"an audit row records a view of a case in {code}")
    if who.limited_to_b:
        if scope - {B} and isinstance(status, int) and status < 400:
            problems.append(f"answers {status} for an object in jurisdiction A")
        data = re.sub(r'placeholder="[^"]*"', "", text)  # a form's example is no case's number
        for number, label in a_numbers.items():
            if number.casefold() not in call.path.casefold() and case_number_in(number, data):
                where = around(data, re.compile(re.escape(number.casefold())))
                problems.append(f"reads {label}'s number {number} {where}")
    if isinstance(status, int) and status >= 500:
        problems.append(f"server error {status}: the response could not be judged")
    return problems


def table_of(violations: list[Violation]) -> str:
    head = ("route", "request", "role", "jurisdictions", "status", "problem")
    rows = sorted(
        (v.route, v.path, v.who.role or "public", v.who.scope, str(v.status), v.problem)
        for v in violations
    )
    widths = [min(60, max(len(r[i]) for r in [head, *rows])) for i in range(5)]
    return "\n".join(
        "  ".join(r[i].ljust(widths[i]) for i in range(5)) + "  " + r[5] for r in [head, *rows]
    )


# Keep the sweep honest about its own inputs: the detectors find what they are meant to.
def test_the_detectors_find_each_identifier_in_any_format() -> None:
    for text, kind in (
        ("Zebulon QUIXOTE-MARWICK", "name"),
        ("Quixoté", "name"),
        ("call 408.555.0199", "phone"),
        ("+1 (408) 5550199", "phone"),
        ("ZQ.Marwick@Example.NET", "email"),
        ("77 W JUNIPER LN", "address"),
    ):
        assert kind in identifiers_in(fold(text)), text
    assert identifiers_in(fold("408 555 0142, Elm Street, Maria")) == []
    assert case_number_in("LG-2026-0001", fold("see lg-2026-0001."))
    assert not case_number_in("LG-2026-0001", fold("LG-2026-00012"))
    echoed = fold('<input name="q" value="Quixote-Marwick"> /login?next=%2Fsearch%3Fq%3Djuniper')
    assert identifiers_in(without_echoes(echoed, {"q": "Quixote-Marwick"})) == ["address"]
    assert identifiers_in(without_echoes(echoed, {"q": "juniper"})) == ["name"]
    assert identifiers_in(without_echoes(fold("Zebulon Quixote-Marwick"), {"q": "x"})) == ["name"]

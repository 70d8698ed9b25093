"""Annual reports: built from the records on every request, as JSON, CSV and PDF with charts;
their money totals agree with the ledger."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import timedelta

import pytest

from tests.conftest import complaint_case
from tests.test_clocks import INSPECTION

LS = "lees-summit-mo"
JC = "jefferson-county-wa"


def report(client, h, name: str, jurisdiction: str, year: int = 2030, fmt: str = "json"):
    return client.get(
        f"/api/reports/{name}?jurisdiction={jurisdiction}&year={year}&format={fmt}", headers=h
    )


def rows(data: dict, key: str) -> list[list]:
    return next(t for t in data["tables"] if t["key"] == key)["rows"]


def total(data: dict, key: str) -> list:
    return next(t for t in data["tables"] if t["key"] == key)["total"]


def csv_blocks(body: bytes) -> dict[str, list[list[str]]]:
    """The CSV's tables by title: header row first."""
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    blocks: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for row in csv.reader(io.StringIO(text[1:])):
        if not row:
            current = None
        elif current is None and len(row) == 1:
            current = blocks.setdefault(row[0], [])
        elif current is not None:
            current.append(row)
    return blocks


def ledger_entry(client, h, case: str, **entry):
    r = client.post(f"/api/cases/{case}/ledger", headers=h, json=entry)
    assert r.status_code == 201, r.json
    return r.json


@pytest.fixture
def settled(client, officer, clock):
    """Two Jefferson County settlements entered in 2030, one completed that year."""
    clock("2031-01-15T09:00:00-08:00")
    h = officer.headers
    out = []
    for i, (penalty, terms) in enumerate(
        [
            (
                "2500.00",
                {
                    "pay_amount": "500.00",
                    "deferred_amount": "1000.00",
                    "deferred_until": "2032-03-01",
                    "cancel_amount": "1000.00",
                    "compliance_through": "2030-09-01",
                },
            ),
            (
                "333.33",
                {
                    "pay_amount": "111.11",
                    "cancel_amount": "222.22",
                    "compliance_through": "2031-05-01",
                },
            ),
        ]
    ):
        case = client.post(
            "/api/cases",
            headers=h,
            json=complaint_case(jurisdiction=JC, address=f"{10 + i} Water Street"),
        ).json["case_number"]
        ledger_entry(client, h, case, kind="penalty", amount=penalty, assessed_on="2030-01-15")
        ledger_entry(
            client, h, case, kind="abatement_cost", amount="310.45", assessed_on="2030-01-20"
        )
        body = {
            "entered_on": f"2030-0{3 + i}-01",
            "approved_by": '=HYPERLINK("x")',
            "factors": {c: "Considered." for c in "ABCDE"},  # Rule 5(a)(iii)
        } | terms
        s = client.post(f"/api/cases/{case}/settlements", headers=h, json=body)
        assert s.status_code == 201, s.json
        out.append((case, s.json))
    client.post(
        f"/api/settlements/{out[0][1]['id']}/complete", headers=h, json={"on": "2030-09-01"}
    )
    return out


@pytest.mark.rule("JC 5(a)(viii)")
def test_settlements_report_agrees_with_the_ledger(client, officer, settled) -> None:
    h = officer.headers
    data = report(client, h, "settlements", JC).json
    entered = rows(data, "entered")
    assert [r[0] for r in entered] == [c for c, _ in settled]
    t = total(data, "entered")
    assert t[4:7] == ["2833.33", "611.11", "1000.00"] and t[8] == "1222.22"
    assert t[10] == "620.90"  # costs are never settled: still owed
    events = rows(data, "events")
    assert events == [[settled[0][0], "2030-09-01", "compliance confirmed; cancelled", "1000.00"]]
    ledger_cancelled = sum(
        float(e["amount"])
        for case, _ in settled
        for e in client.get(f"/api/cases/{case}/ledger", headers=h).json["entries"]
        if e["kind"] == "cancellation"
    )
    assert ledger_cancelled == 1000.00
    assert data["reconciled"] is True
    assert {c["check"]: c["agrees"] for c in data["reconciliation"]} == {
        "Paid + deferred + cancelled parts equal the penalties settled": True,
        "Cancellations posted to the ledger in 2030": True,
        # Jefferson County keeps an enforcement fund (Rule 6): its year is checked too.
        "Enforcement Fund: opening + in - out equals the balance on 2030-12-31": True,
    }
    # Another year holds none of them.
    assert rows(report(client, h, "settlements", JC, 2029).json, "entered") == []


def test_settlements_report_as_csv_and_pdf(client, officer, settled, tmp_path) -> None:
    h = officer.headers
    r = report(client, h, "settlements", JC, fmt="csv")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == (
        'attachment; filename="jefferson-county-wa-settlements-2030.csv"'
    )
    blocks = csv_blocks(r.data)
    entered = blocks["Settlements entered in 2030"]
    assert entered[0][4] == "Penalties settled" and entered[-1][4] == "2833.33"
    # A cell a spreadsheet would run as a formula is defused.
    assert entered[1][3] == '\'=HYPERLINK("x")'
    recon = blocks["Reconciliation with the ledger"]
    assert recon[0] == ["Check", "Report", "Ledger", "Agrees"]
    assert all(row[3] == "yes" for row in recon[1:])  # words, not True

    pdf = report(client, h, "settlements", JC, fmt="pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    path = tmp_path / "settlements.pdf"
    path.write_bytes(pdf.data)
    subprocess.run(["qpdf", "--check", str(path)], check=True, capture_output=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Annual Report on Settlements, 2030" in text and settled[0][0] in text
    # The chart's words are text, not pixels.
    assert "How each settlement split the penalties" in text
    assert "cancelled on compliance" in text


@pytest.fixture
def workload(client, officer, clock):
    h = officer.headers
    advance = clock("2030-02-10T09:00:00-06:00")
    made = []
    for i in range(2):
        body = complaint_case(
            jurisdiction=LS, address=f"{i} Main Street", received_at="2030-02-10T08:00:00-06:00"
        )
        made.append(client.post("/api/cases", headers=h, json=body).json["case_number"])
    client.post(
        f"/api/cases/{made[0]}/violations",
        headers=h,
        json={
            "violation_type": "health-hazard",
            "description": "Open sewage",
            "observed_at": "2030-02-11T09:00:00-06:00",
        },
    )
    # Investigated in time (Wed 12 Feb), and late (Tue 18 Feb; due Mon 17 Feb).
    client.post(
        f"/api/cases/{made[0]}/inspections",
        headers=h,
        json=INSPECTION | {"visited_at": "2030-02-12T10:00:00-06:00"},
    )
    client.post(
        f"/api/cases/{made[1]}/inspections",
        headers=h,
        json=INSPECTION | {"visited_at": "2030-02-18T10:00:00-06:00"},
    )
    advance(timedelta(days=30))  # 12 March
    made.append(
        client.post(
            "/api/cases",
            headers=h,
            json={"jurisdiction": LS, "origin": "patrol", "property": {"address": "9 Elm"}},
        ).json["case_number"]
    )
    client.post(
        f"/api/cases/{made[0]}/close",
        headers=h,
        json={"reason": "voluntary_compliance", "resolution": "Cleaned up"},
    )
    # A daily penalty across the new year: only its 2030 days count for 2030.
    ledger_entry(
        client,
        h,
        made[1],
        kind="daily_penalty",
        amount="10.00",
        assessed_on="2029-12-22",
        ends_on="2030-01-10",
    )
    ledger_entry(
        client,
        h,
        made[1],
        kind="payment",
        amount="55.55",
        applies_to="penalties",
        assessed_on="2030-03-01",
    )
    for y, status in [
        (2028, "none"),
        (2029, "current"),
        (2029, "lapsed"),
        (2030, "current"),
        (2030, "current"),
        (2030, "none"),
    ]:
        r = client.post(
            "/api/outreach",
            headers=h,
            json={
                "jurisdiction": LS,
                "kind": "business_license_check",
                "occurred_on": f"{y}-01-15",
                "description": "Annual licence check",
                "business_name": "O'Brien-Nguyễn Bakery",
                "license_status": status,
            },
        )
        assert r.status_code == 201, r.json
    for attendees in (20, 15):
        client.post(
            "/api/outreach",
            headers=h,
            json={
                "jurisdiction": LS,
                "kind": "education",
                "occurred_on": "2030-02-20",
                "description": "Property maintenance basics",
                "audience": "Neighbourhood association",
                "attendees": attendees,
            },
        )
    return made, advance


@pytest.mark.rule("LS IV", "LS II.C", "LS II.D")
def test_workload_report(client, officer, workload) -> None:
    data = report(client, officer.headers, "workload", LS).json
    months = {r[0]: r for r in rows(data, "cases_by_month")}
    columns = next(t for t in data["tables"] if t["key"] == "cases_by_month")["columns"]
    feb, mar = (
        dict(zip(columns, months["Feb"], strict=True)),
        dict(zip(columns, months["Mar"], strict=True)),
    )
    assert feb["Opened: complaint"] == 2 and feb["Opened"] == 2
    assert mar["Opened: patrol"] == 1 and mar["Closed"] == 1
    assert total(data, "cases_by_month")[-1] == 3
    assert rows(data, "violations_by_type") == [["Hazard to public health", 1, 0]]
    assert total(data, "education")[1:3] == ["2 sessions", 35]
    trend = rows(data, "business_licences")
    assert [r[0] for r in trend] == [2026, 2027, 2028, 2029, 2030]
    assert trend[-1][1:] == [3, 2, 0, 1, 66.7] and trend[-2][-1] == 50.0 and trend[0][-1] is None
    money = {r[0]: r[1] for r in rows(data, "money")}
    assert money["Penalties assessed"] == "100.00"  # 1-10 January 2030
    assert money["Payments toward penalties"] == "55.55"
    assert data["reconciled"] is True


def test_one_education_session_is_counted_in_words(client, officer, clock) -> None:
    clock("2030-02-10T09:00:00-06:00")
    r = client.post(
        "/api/outreach",
        headers=officer.headers,
        json={
            "jurisdiction": LS,
            "kind": "education",
            "occurred_on": "2030-02-01",
            "description": "Property maintenance basics",
            "attendees": 12,
        },
    )
    assert r.status_code == 201, r.json
    data = report(client, officer.headers, "workload", LS).json
    assert total(data, "education")[1:3] == ["1 session", 12]


def test_reports_regenerate_from_the_data(client, officer, workload) -> None:
    made, _ = workload
    before = report(client, officer.headers, "workload", LS).json
    ledger_entry(
        client,
        officer.headers,
        made[1],
        kind="payment",
        amount="0.01",
        applies_to="penalties",
        assessed_on="2030-06-30",
    )
    after = report(client, officer.headers, "workload", LS).json
    pay = {r[0]: r[1] for r in rows(before, "money")}["Payments toward penalties"]
    pay_after = {r[0]: r[1] for r in rows(after, "money")}["Payments toward penalties"]
    assert (pay, pay_after) == ("55.55", "55.56") and after["reconciled"] is True


def test_workload_pdf_has_its_charts(client, officer, workload, tmp_path) -> None:
    r = report(client, officer.headers, "workload", LS, fmt="pdf")
    path = tmp_path / "w.pdf"
    path.write_bytes(r.data)
    subprocess.run(["qpdf", "--check", str(path)], check=True, capture_output=True)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    for heading in (
        "Annual Code Enforcement Workload Report, 2030",
        "Cases opened by month, by origin",
        "Business licence participation",
        "Education given",
        "Reconciliation with the ledger",
    ):
        assert heading in text
    assert "O'Brien-Nguyễn" not in text  # counts, not the businesses' names


def test_clock_performance(client, officer, workload) -> None:
    data = report(client, officer.headers, "clock-performance", LS).json
    table = next(t for t in data["tables"] if t["key"] == "by_month")
    year = dict(zip(table["columns"], table["total"], strict=True))
    assert (year["Complaints"], year["Investigated in time"], year["Investigated late"]) == (
        2,
        1,
        1,
    )
    assert year["% in time"] == 50.0
    # Three cases opened; the first closed after 30 days; the others still open.
    assert (year["Cases opened"], year["Resolved within 90 days"], year["Still open"]) == (3, 1, 2)
    assert year["% resolved within 90 days"] == 33.3
    assert "5 business days" in table["note"] and "II.B.3" in table["note"]
    csv_body = report(client, officer.headers, "clock-performance", LS, fmt="csv").data
    assert csv_blocks(csv_body)["Clock performance, by month"][-1][0] == "Year"


def test_report_requests_are_checked(client, officer, make_user, workload) -> None:
    h = officer.headers
    assert report(client, h, "gossip", LS).status_code == 404
    assert report(client, h, "workload", "atlantis").status_code == 404
    assert report(client, h, "workload", LS, fmt="xml").status_code == 422
    assert report(client, h, "workload", LS, year=2099).status_code == 422
    assert client.get("/api/reports/workload?year=2030", headers=h).status_code == 422
    assert report(client, {}, "workload", LS).status_code == 401
    elsewhere = make_user("officer", jurisdictions=["los-gatos-ca"])
    assert report(client, elsewhere.headers, "workload", LS).status_code == 404
    names = [x["name"] for x in client.get("/api/reports", headers=h).json]
    assert names == ["workload", "settlements", "clock-performance"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"kind": "business_license_check"}, "business_name"),
        ({"kind": "education", "license_status": "current"}, "license_status"),
        ({"kind": "education", "occurred_on": "2099-01-01"}, "occurred_on"),
        ({"kind": "education", "jurisdiction": "atlantis"}, "jurisdiction"),
        ({"kind": "lecture"}, "kind"),
    ],
)
@pytest.mark.rule("LS II.C")
def test_outreach_is_validated(client, officer, extra, field) -> None:
    body = {
        "jurisdiction": LS,
        "occurred_on": "2030-01-01",
        "description": "Talk at the library",
    } | extra
    r = client.post("/api/outreach", headers=officer.headers, json=body)
    assert r.status_code == 422
    assert field in r.get_data(as_text=True)


LG = "los-gatos-ca"
TB = "tom-bean-tx"


@pytest.fixture
def resolutions(client, officer, clock):
    """Five Los Gatos complaints of 2030, seen on 1 June 2030: January's resolved in 36 days
    and in 101; February's closed as unresolvable within 90 days, and one open past its 90
    days; May's open within its 90 days."""
    h = officer.headers
    advance = clock("2030-01-10T09:00:00-08:00")
    made: dict[str, str] = {}

    def receive(key: str, at: str) -> None:
        body = complaint_case(jurisdiction=LG, address=f"{len(made) + 1} Los Gatos Boulevard")
        body["complaint"]["received_at"] = at
        r = client.post("/api/cases", headers=h, json=body)
        assert r.status_code == 201, r.json
        made[key] = r.json["case_number"]

    def close(key: str, reason: str) -> None:
        r = client.post(
            f"/api/cases/{made[key]}/close",
            headers=h,
            json={"reason": reason, "resolution": "Checked on site."},
        )
        assert r.status_code == 200, r.json

    receive("a", "2030-01-10T08:00:00-08:00")
    advance(timedelta(days=10))  # 20 January
    receive("b", "2030-01-20T08:00:00-08:00")
    advance(timedelta(days=16))  # 5 February
    receive("c", "2030-02-05T08:00:00-08:00")
    advance(timedelta(days=10))  # 15 February: 36 days after a's receipt
    close("a", "voluntary_compliance")
    advance(timedelta(days=5))  # 20 February
    receive("d", "2030-02-20T08:00:00-08:00")
    advance(timedelta(days=9))  # 1 March
    close("c", "unresolvable")
    advance(timedelta(days=61))  # 1 May: 101 days after b's receipt
    receive("e", "2030-05-01T08:00:00-07:00")
    close("b", "voluntary_compliance")
    advance(timedelta(days=31))  # 1 June
    return made


@pytest.mark.rule("LG III.b.iv")
def test_clock_performance_against_the_resolution_target(
    client, officer, resolutions, tmp_path
) -> None:
    h = officer.headers
    data = report(client, h, "clock-performance", LG).json
    table = next(t for t in data["tables"] if t["key"] == "resolution_target")
    assert table["columns"][2] == "Resolved within 90 days"
    months = {r[0]: r[1:] for r in table["rows"]}
    # complaints, in time, not in time, still running, % achieved, target %, met
    assert months["Jan"] == [2, 1, 1, 0, 50.0, 80.0, "no"]
    assert months["Feb"] == [2, 0, 2, 0, 0.0, 80.0, "no"]
    assert months["May"] == [1, 0, 0, 1, None, 80.0, ""]
    assert table["total"] == ["Year", 5, 1, 3, 1, 25.0, 80.0, "no"]
    assert "III.b.iv" in table["note"]
    said = next(b for b in data["basis"] if b.startswith("Target"))
    assert "80% of complaints resolved within 90 days" in said
    assert "25% of the 4 complaints decided, below the target" in said
    chart = data["charts"][0]
    assert chart["series"]["target (80%)"] == [80.0] * 12
    assert chart["series"]["complaints resolved within 90 days of receipt"][0] == 50.0

    path = tmp_path / "clocks.pdf"
    path.write_bytes(report(client, h, "clock-performance", LG, fmt="pdf").data)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert "Complaints resolved within 90 days of receipt, against the target" in text
    assert "below the target" in text and "target (80%)" in text  # the words and the chart

    # Lee's Summit sets no such target: its report shows none.
    ls = report(client, h, "clock-performance", LS).json
    assert [t["key"] for t in ls["tables"]] == ["by_month"]
    assert not any("Target" in b for b in ls["basis"])
    assert not any("target" in name for name in ls["charts"][0]["series"])


# What names each jurisdiction's policy (its own words for it, as its profile cites them).
POLICIES = {
    LS: ("Lee's Summit", "PACE"),
    LG: ("Los Gatos", "Code Compliance Standards"),
    TB: ("Tom Bean", "Directive"),
    JC: ("Jefferson County", "Rules of Procedure", "JCC"),
}


def shown(data: dict) -> str:
    """Everything a report shows a reader, as one text (its JSON's identifiers left out)."""
    parts = [data["title"], data["organization"], *data["basis"]]
    for t in data["tables"]:
        parts += [t["title"], t["note"] or "", *t["columns"]]
        parts += [str(v) for row in [*t["rows"], t["total"] or []] for v in row]
    for c in data["charts"]:
        parts += [c["title"], c["y_label"], *c["labels"], *c["series"]]
    parts += [c["check"] for c in data["reconciliation"]]
    return " ".join(parts)


def test_reports_cite_only_their_own_rules_in_words(client, officer, workload) -> None:
    from docsvc.labels import known_codes

    h = officer.headers
    codes = known_codes()
    for entry in client.get("/api/reports", headers=h).json:
        for marks in POLICIES.values():
            assert not any(m in entry["title"] for m in marks), entry
        for code in POLICIES:
            text = shown(report(client, h, entry["name"], code).json)
            for other, marks in POLICIES.items():
                if other != code:
                    cited = [m for m in marks if m in text]
                    assert not cited, (entry["name"], code, cited)
            raw = set(re.findall(r"[a-z0-9]+(?:[_-][a-z0-9]+)+", text)) & codes
            assert not raw, (entry["name"], code, raw)

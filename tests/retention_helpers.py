"""A city's adopted retention schedule and old closed cases, for the retention tests and the
browser's walk through the Retention page."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import complaint_case

ADOPTED = """
jurisdiction: los-gatos-ca
title: Town of Los Gatos, adopted schedule (test)
floor: {years: 2, citation: "Cal. Gov. Code § 34090(d)"}
blocks:
  legal_hold: "litigation hold"
  open_request: "CPRA request pending"
  unreleased_lien: "Cal. Gov. Code § 34090(a)"
approvals: [{role: records, as: Department head}, {role: attorney, as: Town Attorney}]
series:
  - {code: CE-LIEN-CASE, title: Lien case, when: has_lien, trigger: [lien_released, case_closed],
     period: {years: 3}, disposition: destroy, citation: "Resolution 2026-1 item 4",
     state_item: null}
  - {code: CE-COMPLAINT, title: Complaint file, when: always, trigger: [case_closed],
     period: {years: 1}, disposition: destroy, citation: "Resolution 2026-1 item 2",
     state_item: "LG-CE-2"}
"""


def adopt(data_dir: Path) -> Path:
    """Install the test schedule as Los Gatos's adopted one (what a records officer does)."""
    path = data_dir / "retention" / "los-gatos-ca.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ADOPTED, encoding="utf-8")
    return path


def closed_case(client, officer, clock, at: str, **complaint) -> str:
    clock(at)
    number = client.post(
        "/api/cases", headers=officer.headers, json=complaint_case(**complaint)
    ).json["case_number"]
    r = client.post(
        f"/api/cases/{number}/close",
        headers=officer.headers,
        json={"reason": "voluntary_compliance", "resolution": "Cleared."},
    )
    assert r.status_code == 200, r.json
    return number

"""The docsvc command (docs/API.md, CLI)."""

from __future__ import annotations

import pytest

from tests.conftest import complaint_case


def test_init_is_idempotent(run_cli) -> None:
    first = run_cli("init")
    assert first.exit_code == 0
    again = run_cli("init")
    assert again.exit_code == 0 and "none (all current)" in again.output


def test_user_create_prints_the_token_last_and_it_works(run_cli, client) -> None:
    result = run_cli(
        "user",
        "create",
        "dana",
        "--role",
        "officer",
        "--badge",
        "1047",
        "--password-stdin",
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("dsv_") and " " not in token
    h = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/cases", json=complaint_case(), headers=h).status_code == 201

    assert run_cli("user", "disable", "dana").exit_code == 0
    assert client.get("/api/cases", headers=h).status_code == 401


def test_token_revoke(run_cli, client) -> None:
    token = run_cli("user", "create", "sam", "--role", "records").output.strip().splitlines()[-1]
    h = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/cases", headers=h).status_code == 200
    assert run_cli("token", "revoke", token).exit_code == 0
    assert client.get("/api/cases", headers=h).status_code == 401
    assert run_cli("token", "revoke", token).exit_code == 1


def test_token_create_issues_another_working_token(run_cli, client) -> None:
    first = run_cli("user", "create", "ann", "--role", "records").output.strip().splitlines()[-1]
    assert run_cli("token", "revoke", first).exit_code == 0
    result = run_cli("token", "create", "ann")
    assert result.exit_code == 0, result.output
    second = result.output.strip().splitlines()[-1]
    assert second != first and second.startswith("dsv_")
    assert (
        client.get("/api/cases", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    )
    missing = run_cli("token", "create", "nobody")
    assert missing.exit_code == 1 and "no user 'nobody'" in missing.output
    assert run_cli("user", "disable", "ann").exit_code == 0
    refused = run_cli("token", "create", "ann")
    assert refused.exit_code == 1 and "disabled" in refused.output


def test_user_create_refuses_bad_input(run_cli) -> None:
    assert run_cli("user", "create", "x", "--role", "mayor").exit_code == 2
    assert run_cli("user", "create", "../x", "--role", "officer").exit_code == 1
    short = run_cli("user", "create", "y", "--role", "officer", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "at least" in short.output
    run_cli("user", "create", "z", "--role", "officer")
    dup = run_cli("user", "create", "z", "--role", "officer")
    assert dup.exit_code == 1 and "already exists" in dup.output


def test_demo_setup_prints_logins(run_cli) -> None:
    result = run_cli("demo", "--no-serve")
    assert result.exit_code == 0, result.output
    for role in ("officer", "records", "attorney", "admin"):
        assert f"  {role}" in result.output
    assert "demo cases created" in result.output
    assert run_cli("verify").exit_code == 0


def test_demo_data_fills_the_ledger_and_the_reports(run_cli, client, records) -> None:
    assert run_cli("demo", "--no-serve").exit_code == 0
    found = client.get("/api/cases?jurisdiction=jefferson-county-wa", headers=records.headers).json
    case = found["results"][0]["case_number"]
    ledger = client.get(f"/api/cases/{case}/ledger", headers=records.headers).json
    assert ledger["balances"]["penalties_held"] == "1000.00"
    assert [s["status"] for s in ledger["settlements"]] == ["active"]
    opened = ledger["settlements"][0]["entered_on"][:4]
    data = client.get(
        f"/api/reports/settlements?jurisdiction=jefferson-county-wa&year={opened}",
        headers=records.headers,
    ).json
    assert (
        data["reconciled"]
        and len(next(t for t in data["tables"] if t["key"] == "entered")["rows"]) == 1
    )


@pytest.mark.slow
def test_demo_scan_is_found_by_ocr_after_the_worker_runs(run_cli, client, records) -> None:
    assert run_cli("demo", "--no-serve").exit_code == 0
    h = records.headers
    assert client.get("/api/search?q=Quimby", headers=h).json["results"] == []
    assert run_cli("worker", "--once").exit_code == 0
    hits = client.get("/api/search?q=Quimby", headers=h).json["results"]
    assert [(x["kind"], x["source"], x["title"]) for x in hits] == [
        ("attachment", "ocr", "Owner's letter (scanned)")
    ]
    assert run_cli("verify").exit_code == 0


@pytest.mark.rule("LS II.B.1")
def test_demo_data_shows_the_map_the_patrol_plan_and_the_fund(run_cli, client, records) -> None:
    assert run_cli("demo", "--no-serve").exit_code == 0
    h = records.headers
    for code in ("tom-bean-tx", "los-gatos-ca", "jefferson-county-wa", "lees-summit-mo"):
        number = client.get(f"/api/cases?jurisdiction={code}", headers=h).json["results"][0][
            "case_number"
        ]
        prop = client.get(f"/api/cases/{number}", headers=h).json["property"]
        assert prop["latitude"] is not None and len(prop["parcel_outline"]) == 4, code
    (area,) = client.get("/api/patrol-areas?jurisdiction=lees-summit-mo", headers=h).json
    assert (area["properties"], area["reviewed"], area["percent"]) == (4, 2, 50.0)
    fund = client.get("/api/jurisdictions/jefferson-county-wa/fund", headers=h).json
    assert fund["closing"] == "2500.00"


def test_python_dash_m_knows_every_command() -> None:
    # The background worker and administrators run `python -m docsvc.cli`: every command the
    # installed `docsvc` has must be there too (the module once ran main() before the last
    # ones were defined, so `migrate` and `retention` were missing).
    import subprocess
    import sys

    from docsvc.cli import main

    out = subprocess.run(
        [sys.executable, "-m", "docsvc.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    listed = {line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == set(main.commands)

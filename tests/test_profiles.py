"""Jurisdiction profiles are data, validated field by field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from docsvc.profiles import ProfileError, load_profile_file, shipped_profile_paths
from docsvc.profiles.catalog import document_types_for
from docsvc.profiles.schema import ALL_DOCUMENT_TYPES, DOCUMENT_TYPES

CODES = {"tom-bean-tx", "los-gatos-ca", "jefferson-county-wa", "lees-summit-mo"}


def test_the_four_policies_ship_as_valid_profiles() -> None:
    profiles = [load_profile_file(p) for p in shipped_profile_paths()]
    assert {p.code for p in profiles} == CODES
    for p in profiles:
        assert set(DOCUMENT_TYPES) <= set(p.document_types) <= set(ALL_DOCUMENT_TYPES)
        assert p.violation_types, p.code


def test_sample_text_says_so_in_its_first_words() -> None:
    for path in shipped_profile_paths():
        for v in load_profile_file(path).data["violation_types"]:
            if v["text_status"] == "sample":
                assert v["text"].startswith("SAMPLE TEXT"), (path, v["code"])


@pytest.mark.rule("TB VIII.C", "TB IV.B.2")
def test_tom_bean_deadline_table_is_encoded() -> None:
    (path,) = [p for p in shipped_profile_paths() if p.parent.name == "tom-bean-tx"]
    vt = load_profile_file(path).violation_types
    assert vt["nuisance-no-structure"]["deadline"] == {"unit": "calendar_days", "amount": 10}
    assert vt["nuisance-structure"]["deadline"] == {"unit": "calendar_days", "amount": 30}
    assert vt["abandoned-vehicle"]["deadline"] == {"unit": "hours", "amount": 24}
    assert vt["rv-parking"]["deadline"] == {"unit": "hours", "amount": 72}
    assert vt["road-hazard"]["deadline"] == {"unit": "immediate", "amount": None}
    assert vt["building-work-without-permit"]["deadline"]["unit"] == "stop_work_order"


def test_jefferson_titles_its_nov_as_the_county_code_does() -> None:
    (path,) = [p for p in shipped_profile_paths() if p.parent.name == "jefferson-county-wa"]
    types = {t["type"]: t for t in document_types_for(load_profile_file(path))}
    assert types["notice_of_violation"]["title"] == "Notice of Violation and Order of Abatement"
    assert types["notice_of_resolution"]["recipient"] == "complainant"


def _broken(tmp_path: Path, mutate) -> Path:
    (src,) = [p for p in shipped_profile_paths() if p.parent.name == "tom-bean-tx"]
    data = yaml.safe_load(src.read_text())
    mutate(data)
    out = tmp_path / "profile.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True))
    return out


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d.update(timezone="America/Tom_Bean"),
            "timezone: 'America/Tom_Bean' is not an IANA",
        ),
        (
            lambda d: d["violation_types"][2]["deadline"].update(unit="fortnights"),
            "violation_types.2.deadline.unit",
        ),
        (
            lambda d: d["violation_types"][0]["deadline"].pop("amount"),
            "violation_types.0.deadline.amount",
        ),
        (
            lambda d: d["document_types"].pop("settlement_agreement"),
            "missing: settlement_agreement",
        ),
        (
            lambda d: d["document_types"]["warning_notice"].update(
                service_methods=["carrier_pigeon"]
            ),
            "document_types.warning_notice.value.service_methods.0",
        ),
        (lambda d: d["violation_types"].append(dict(d["violation_types"][0])), "appears twice"),
        (lambda d: d["complaints"].pop("discretion_authority"), "complaints.discretion_authority"),
        (
            lambda d: d["public_records"]["complainant_exemption"].pop("statute"),
            "public_records.complainant_exemption.statute",
        ),
        (lambda d: d.update(case_number_prefx="TB"), "case_number_prefx: Unknown field"),
        (lambda d: d["calendar"].update(country="XX"), "calendar.country"),
    ],
)
def test_a_bad_profile_names_the_bad_field(tmp_path: Path, mutate, expected: str) -> None:
    with pytest.raises(ProfileError) as info:
        load_profile_file(_broken(tmp_path, mutate))
    assert any(expected in p for p in info.value.problems), info.value.problems


def test_cli_profile_check_exits_1_naming_the_field(tmp_path: Path, run_cli) -> None:
    bad = _broken(tmp_path, lambda d: d.update(timezone="Mars/Olympus"))
    result = run_cli("profile", "check", str(bad))
    assert result.exit_code == 1
    assert "timezone" in result.output and "Mars/Olympus" in result.output
    good = run_cli("profile", "check", str(shipped_profile_paths()[0].parent))
    assert good.exit_code == 0 and good.output.startswith("ok:")


def test_a_fifth_city_is_a_data_folder(tmp_path: Path, run_cli, client) -> None:
    def fifth(d: dict) -> None:
        d.update(
            code="springfield-or",
            name="City of Springfield, Oregon",
            state="OR",
            timezone="America/Los_Angeles",
            case_number_prefix="SP",
        )
        d["calendar"].update(subdivision="OR")

    folder = tmp_path / "springfield-or"
    folder.mkdir()
    _broken(folder, fifth)
    assert run_cli("profile", "load", str(folder)).exit_code == 0
    codes = [j["code"] for j in client.get("/api/jurisdictions").json]
    assert "springfield-or" in codes
    assert run_cli("profile", "load", str(folder)).output.startswith("unchanged")

"""docs/API.md's roles table, endpoint by endpoint: 401 for the public, 403 for a role that may not,
404 for what a role may not see."""

from __future__ import annotations

import io

import pytest

from tests.conftest import complaint_case
from tests.helpers import jpeg

ROLES = ("public", "officer", "records", "attorney", "admin")
WRITERS = {"officer", "admin"}


@pytest.fixture
def world(client, make_user):
    users = {r: make_user(r) for r in ROLES if r != "public"}
    r = client.post("/api/cases", json=complaint_case(), headers=users["officer"].headers)
    case = r.json["case_number"]
    r = client.post(
        f"/api/cases/{case}/attachments",
        headers=users["officer"].headers,
        data={"kind": "photo", "file": (io.BytesIO(jpeg()), "p.jpg")},
        content_type="multipart/form-data",
    )
    return {"users": users, "case": case, "attachment": r.json["id"]}


def _headers(world, role: str) -> dict:
    return {} if role == "public" else world["users"][role].headers


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/api/jurisdictions",
        "/api/jurisdictions/tom-bean-tx/violation-types",
        "/api/jurisdictions/lees-summit-mo/document-types",
        "/api/openapi.json",
    ],
)
def test_reference_data_is_open_to_everyone(client, world, role: str, path: str) -> None:
    assert client.get(path, headers=_headers(world, role)).status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "path",
    [
        "/api/cases",
        "/api/cases/{case}",
        "/api/attachments/{attachment}/original",
        "/api/attachments/{attachment}/thumb",
    ],
)
def test_staff_read(client, world, role: str, path: str) -> None:
    url = path.format(case=world["case"], attachment=world["attachment"])
    r = client.get(url, headers=_headers(world, role))
    assert r.status_code == (401 if role == "public" else 200)
    if role == "public":
        assert r.json["code"] == "unauthorized"
        assert "Maria" not in r.get_data(as_text=True)


WRITES = [
    ("/api/cases", lambda w: complaint_case(address="77 Oak Avenue"), 201),
    (
        "/api/cases/{case}/parties",
        lambda w: {
            "role": "owner",
            "name": "Smith & Sons <LLC>",
            "mailing_address": "PO Box 9, Los Gatos",
        },
        201,
    ),
    (
        "/api/cases/{case}/violations",
        lambda w: {
            "violation_type": "junk-debris",
            "description": "Couch",
            "observed_at": "2026-11-17T10:00:00-08:00",
        },
        201,
    ),
    (
        "/api/cases/{case}/inspections",
        lambda w: {
            "investigator": "Officer Ruiz",
            "visited_at": "2026-11-17T10:00:00-08:00",
            "place": "Front yard",
            "violations_observed": "Couch on lawn",
            "conditions_observed": "",
            "witnesses": "",
            "evidence": "2 photos",
            "discussions": "",
            "action_needed": "Remove couch",
            "recommended_action": "Courtesy notice, 10 days",
            "referrals": "",
        },
        201,
    ),
    ("/api/cases/{case}/refuse", lambda w: {"reason": "unfounded", "note": "Nothing there"}, 200),
    (
        "/api/cases/{case}/close",
        lambda w: {"reason": "no_violation", "resolution": "Nothing found"},
        200,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "body", "ok"), WRITES)
def test_case_writes(client, world, role: str, path: str, body, ok: int) -> None:
    r = client.post(
        path.format(case=world["case"]), json=body(world), headers=_headers(world, role)
    )
    expected = 401 if role == "public" else ok if role in WRITERS else 403
    assert r.status_code == expected, r.json


@pytest.mark.parametrize("role", ROLES)
def test_attachment_upload(client, world, role: str) -> None:
    r = client.post(
        f"/api/cases/{world['case']}/attachments",
        headers=_headers(world, role),
        data={"kind": "photo", "file": (io.BytesIO(jpeg(color="red")), "q.jpg")},
        content_type="multipart/form-data",
    )
    assert r.status_code == (401 if role == "public" else 201 if role in WRITERS else 403)


def test_a_case_outside_the_users_jurisdictions_is_not_found(client, world, make_user) -> None:
    tom_bean_only = make_user("officer", jurisdictions=["tom-bean-tx"])
    r = client.get(f"/api/cases/{world['case']}", headers=tom_bean_only.headers)
    assert r.status_code == 404 and r.json["code"] == "not_found"
    r = client.get(
        f"/api/attachments/{world['attachment']}/original", headers=tom_bean_only.headers
    )
    assert r.status_code == 404
    listed = client.get("/api/cases", headers=tom_bean_only.headers).json
    assert listed["total"] == 0
    r = client.post("/api/cases", json=complaint_case(), headers=tom_bean_only.headers)
    assert r.status_code == 403


def test_unknown_objects_are_404(client, world) -> None:
    h = world["users"]["records"].headers
    assert client.get("/api/cases/LG-2026-999999", headers=h).status_code == 404
    assert client.get("/api/attachments/999999/original", headers=h).status_code == 404
    assert client.get("/api/jurisdictions/atlantis/violation-types").status_code == 404


def test_bad_tokens_are_401(client, world) -> None:
    for header in ("Bearer nope", "Basic abc", "Bearer "):
        r = client.get("/api/cases", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.headers["WWW-Authenticate"].startswith("Bearer")

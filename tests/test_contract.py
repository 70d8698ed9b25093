"""The OpenAPI document matches the routes the server really has; models match migrations."""

from __future__ import annotations

import re

from docsvc.migrate import pending_model_changes

API_MD_PATHS = {
    ("GET", "/healthz"),
    ("GET", "/api/jurisdictions"),
    ("GET", "/api/jurisdictions/{code}/violation-types"),
    ("GET", "/api/jurisdictions/{code}/document-types"),
    ("POST", "/api/cases"),
    ("GET", "/api/cases"),
    ("GET", "/api/cases/{case_number}"),
    ("POST", "/api/cases/{case_number}/refuse"),
    ("POST", "/api/cases/{case_number}/close"),
    ("POST", "/api/cases/{case_number}/parties"),
    ("POST", "/api/cases/{case_number}/violations"),
    ("POST", "/api/cases/{case_number}/violations/{violation_id}/correct"),
    ("POST", "/api/cases/{case_number}/inspections"),
    ("POST", "/api/cases/{case_number}/attachments"),
    ("GET", "/api/search"),
    ("POST", "/api/disclosures"),
    ("GET", "/api/disclosures/{request_id}/proposed-redactions"),
    ("PUT", "/api/disclosures/{request_id}/redactions"),
    ("POST", "/api/disclosures/{request_id}/findings/{finding_id}/dismiss"),
    ("POST", "/api/disclosures/{request_id}/release"),
    ("GET", "/api/disclosures/{request_id}/package"),
    ("GET", "/api/disclosures/{request_id}/exemption-log"),
    ("GET", "/public/releases/{token}"),
}


def _served(app) -> set[tuple[str, str]]:
    out = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/", "/healthz", "/public/")):
            continue
        if rule.rule == "/api/openapi.json":
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        out |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return out


def test_openapi_matches_the_routes(app, client) -> None:
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {
        (m.upper(), p) for p, ops in spec["paths"].items() for m in ops if m != "parameters"
    }
    assert documented == _served(app)
    assert documented >= API_MD_PATHS


def test_openapi_documents_the_error_shape_and_auth(client) -> None:
    spec = client.get("/api/openapi.json").json
    assert set(spec["components"]["schemas"]["ErrorOut"]["properties"]) == {
        "error",
        "code",
        "details",
    }
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    create = spec["paths"]["/api/cases"]["post"]
    assert "201" in create["responses"] and "422" in create["responses"]
    upload = spec["paths"]["/api/cases/{case_number}/attachments"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]


def test_models_and_migrations_agree(database) -> None:
    assert pending_model_changes(database.engine) == []

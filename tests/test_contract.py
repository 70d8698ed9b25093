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


def test_an_upload_documents_its_whole_multipart_body(client) -> None:
    """Every multipart operation names the file and each form field it reads (flask-smorest
    documented only the file, so a client could not learn it must send `kind`)."""
    paths = client.get("/api/openapi.json").json
    schemas, uploads = paths["components"]["schemas"], {}
    for path, ops in paths["paths"].items():
        for method, op in ops.items():
            if not isinstance(op, dict):  # the path's own "parameters"
                continue
            body = op.get("requestBody", {}).get("content", {}).get("multipart/form-data")
            if body:
                ref = body["schema"]["$ref"].rsplit("/", 1)[-1]
                uploads[f"{method.upper()} {path}"] = schemas[ref]
    attach = uploads["POST /api/cases/{case_number}/attachments"]
    assert {"file", "kind", "caption", "supplied_by_complainant"} <= set(attach["properties"])
    assert {"file", "kind"} <= set(attach["required"])
    receipt = uploads["POST /api/documents/{document_id}/return-receipt"]
    assert {"file", "status", "delivered_at", "signed_by"} <= set(receipt["properties"])
    assert {"file", "status"} <= set(receipt["required"])
    assert set(uploads["POST /api/disclosures/{request_id}/ruling/letter"]["properties"]) == {
        "file"
    }


def test_models_and_migrations_agree(database) -> None:
    assert pending_model_changes(database.engine) == []

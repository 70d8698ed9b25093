"""Bad input cannot reach a 500, and nobody learns an operation's shape without a token
(security issue 19): every case here walks the whole URL map or the whole OpenAPI document, so
a route added later is covered without being named."""

from __future__ import annotations

import io
import re

import pytest
from werkzeug.exceptions import NotFound

from docsvc.auth.permissions import allowed
from docsvc.auth.routes import ROUTES
from docsvc.validation import ID_MAX
from docsvc.web.errors import MULTIPART_ENDPOINTS

# The only addresses under /api/ that answer without a token (docs/API.md, Roles).
OPEN_API_ENDPOINTS = {
    "api-docs.openapi_json",
    "reference.jurisdictions",
    "reference.violation_types",
    "reference.document_types",
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "QUERY"}
PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
HUGE = [2**31, 2**63, 79130012323689651720637382656]  # past PostgreSQL INTEGER, past int64


def _path(rule, number: int | str = 1) -> str:
    """The rule's address with `number` for each int parameter and a word for the others."""
    return PARAM.sub(lambda m: str(number) if m.group(1) == "int" else "x", rule.rule)


def _rules(app, prefix: str = "/"):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith(prefix)]


def _token_rules(app):
    return [r for r in _rules(app, "/api/") if r.endpoint not in OPEN_API_ENDPOINTS]


def _json_writes(app):
    return [
        (rule, method)
        for rule in _token_rules(app)
        for method in sorted(rule.methods & WRITES)
        if rule.endpoint not in MULTIPART_ENDPOINTS
    ]


def _sentence(r) -> str:
    body = r.json
    assert set(body) == {"error", "code", "details"}, body
    assert body["error"].endswith(".") and len(body["error"]) > 20, body
    return body["error"]


def test_the_open_api_addresses_are_the_documented_ones(app, client) -> None:
    open_ones = {r.endpoint for r in _rules(app, "/api/")} - {r.endpoint for r in _token_rules(app)}
    assert open_ones == OPEN_API_ENDPOINTS
    assert client.get("/api/jurisdictions").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/jurisdictions/los-gatos-ca/violation-types").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic b2ZmaWNlcjpwdw=="}],
    ids=["anonymous", "unknown-token", "not-bearer"],
)
def test_no_valid_token_is_401_before_the_body_or_query_is_read(app, client, headers) -> None:
    """Every operation under /api/ but the open ones: 401, never the 422 (or 415) that would
    describe its fields to whoever asks, whatever the body or the query holds."""
    checked = 0
    for rule in _token_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = _path(rule) + "?page=none&per_page=-1&year=x&limit=0&q="
            for body in ({"json": {"no_such_field": [1], "jurisdiction": 7}}, {"data": "a=b"}):
                r = client.open(path, method=method, headers=headers, **body)
                assert r.status_code == 401, (method, rule.rule, r.status_code, r.json)
                assert r.json["code"] == "unauthorized" and _sentence(r)
                assert r.headers["WWW-Authenticate"].startswith("Bearer")
                checked += 1
    assert checked > 100


def test_a_role_without_the_permission_is_403_before_the_body_is_read(
    app, client, officer, records, attorney
) -> None:
    """The route's permission (docsvc/auth/routes.py) is checked with the token: a role that
    may not call an operation is not told its fields (422) or its body type (415) either."""
    checked = 0
    for rule in _token_rules(app):
        permission = ROUTES[rule.endpoint].permission
        for staff in (officer, records, attorney):
            if allowed(staff.role, permission):
                continue
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                path = _path(rule) + "?page=none&year=x&limit=0"
                for body in ({"json": {"no_such_field": 1}}, {"data": "a=b"}):
                    r = client.open(path, method=method, headers=staff.headers, **body)
                    assert r.status_code == 403, (staff.role, method, rule.rule, r.status_code)
                    assert r.json["code"] == "forbidden" and _sentence(r)
                    checked += 1
    assert checked > 50


def test_the_document_says_which_operations_need_a_token(client) -> None:
    spec = client.get("/api/openapi.json").json
    open_paths = {
        "/api/openapi.json",
        "/api/jurisdictions",
        "/api/jurisdictions/{code}/violation-types",
        "/api/jurisdictions/{code}/document-types",
    }
    guarded = 0
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if method == "parameters":
                continue
            if path.startswith("/api/") and path not in open_paths:
                assert op["responses"]["401"] == {"$ref": "#/components/responses/UNAUTHORIZED"}
                assert op["security"] == [{"bearerAuth": []}], (method, path)
                guarded += 1
            else:
                assert "401" not in op["responses"], (method, path)
    assert guarded > 50
    assert "UNAUTHORIZED" in spec["components"]["responses"]


def test_json_nested_ten_thousand_deep_is_400_on_every_write(app, client, admin) -> None:
    deep_array = "[" * 10_000 + "]" * 10_000
    deep_object = '{"a":' * 10_000 + "1" + "}" * 10_000
    for rule, method in _json_writes(app):
        for body in (deep_array, deep_object):
            r = client.open(
                _path(rule),
                method=method,
                data=body,
                content_type="application/json",
                headers=admin.headers,
            )
            assert r.status_code == 400, (method, rule.rule, r.status_code, r.data[:200])
            assert "32 levels deep" in _sentence(r)
    # Who is asking comes first: the public gets 401 for the same body.
    r = client.post("/api/cases", data=deep_array, content_type="application/json")
    assert r.status_code == 401


def test_json_nesting_within_the_limit_still_reaches_validation(client, officer) -> None:
    # 32 levels, with brackets and escaped quotes inside strings that must not count.
    body = '{"property": ' + "[" * 31 + '"[[{\\"[["' + "]" * 31 + "}"
    r = client.post(
        "/api/cases", data=body, content_type="application/json", headers=officer.headers
    )
    assert r.status_code == 422 and "property" in r.json["details"]["fields"]


def test_a_json_body_over_one_megabyte_is_413_before_it_is_parsed(app, client, admin) -> None:
    big = '{"description": "' + "x" * (2 * 1024 * 1024) + '"}'
    for rule, method in _json_writes(app):
        r = client.open(
            _path(rule),
            method=method,
            data=big,
            content_type="application/json",
            headers=admin.headers,
        )
        assert r.status_code == 413, (method, rule.rule, r.status_code)
        assert r.json["code"] == "too_large" and "the 1 MB limit" in _sentence(r)


def test_a_json_body_just_under_the_limit_reaches_validation(client, officer) -> None:
    body = '{"description": "' + "x" * (1024 * 1024 - 100) + '"}'
    chunked = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}
    for extra in ({}, {"environ_overrides": chunked}):
        r = client.post(
            "/api/cases",
            data=body,
            content_type="application/json",
            headers=officer.headers,
            **extra,
        )
        assert r.status_code == 422 and "jurisdiction" in r.json["details"]["fields"]


def test_a_chunked_json_body_stops_at_one_megabyte(client, officer) -> None:
    """No Content-Length (chunked, as gunicorn passes it on): read up to the limit, then 413."""
    big = b'{"description": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    r = client.post(
        "/api/cases",
        input_stream=io.BytesIO(big),
        content_type="application/json",
        headers=officer.headers,
        environ_overrides={"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"},
    )
    assert r.status_code == 413 and "the 1 MB limit" in _sentence(r)


def test_a_page_form_over_one_megabyte_is_413(client) -> None:
    r = client.post("/login", data={"username": "x" * (2 * 1024 * 1024), "password": "y"})
    assert r.status_code == 413
    assert b"the 1 MB limit" in r.data


def test_a_number_too_long_to_parse_is_422_not_500(client, officer) -> None:
    body = '{"jurisdiction": "los-gatos-ca", "origin_note": ' + "9" * 5000 + "}"
    r = client.post(
        "/api/cases", data=body, content_type="application/json", headers=officer.headers
    )
    assert r.status_code == 422 and "well-formed JSON" in _sentence(r)


def test_ids_beyond_a_row_are_404_at_routing_on_every_route(app, client, officer) -> None:
    """Every route with an int parameter, API and pages: a number no INTEGER column can hold
    is no address (404), before sign-in, body or database."""
    adapter = app.url_map.bind("localhost")
    checked = 0
    for rule in _rules(app):
        if "<int" not in rule.rule:
            continue
        for method in sorted(rule.methods - {"OPTIONS"}):
            adapter.match(_path(rule, ID_MAX), method=method)  # the largest id is an address
            for number in HUGE:
                with pytest.raises(NotFound):
                    adapter.match(_path(rule, number), method=method)
                for headers in ({}, officer.headers):
                    r = client.open(_path(rule, number), method=method, headers=headers, json={})
                    assert r.status_code == 404, (method, rule.rule, number, r.status_code)
                    checked += 1
    assert checked > 100


def _schema(spec, ref_or_schema):
    ref = ref_or_schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else ref_or_schema


def _integer(schema) -> bool:
    kind = schema.get("type")
    return kind == "integer" or (isinstance(kind, list) and "integer" in kind)


def _huge_bodies(spec, schema, huge):
    """(where, body) for each integer field of a request body: the field alone, too big, and
    where the error must name it. An array of integers gets one such element, an array of
    objects one object with the field; so does a body that is itself an array."""
    schema = _schema(spec, schema)
    if schema.get("type") == "array":
        for where, value in _huge_bodies(spec, schema.get("items", {}), huge):
            yield ["0", *where], [value]
        return
    for name, prop in schema.get("properties", {}).items():
        prop = _schema(spec, prop)
        if prop.get("readOnly"):
            continue
        if _integer(prop):
            yield [name], {name: huge}
        elif prop.get("type") == "array":
            items = _schema(spec, prop.get("items", {}))
            if _integer(items):
                yield [name], {name: [huge]}
            for where, value in _huge_bodies(spec, items, huge) if "properties" in items else ():
                yield [name, "0", *where], {name: [value]}


def test_integers_beyond_a_row_in_a_body_are_422_naming_the_field(client, admin) -> None:
    spec = client.get("/api/openapi.json").json
    checked = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if method == "parameters":
                continue
            content = op.get("requestBody", {}).get("content", {}).get("application/json")
            if not content:
                continue
            address = re.sub(r"\{[^}]+\}", lambda m: "1" if "_id" in m.group() else "x", path)
            for where, body in (
                found for huge in HUGE[:2] for found in _huge_bodies(spec, content["schema"], huge)
            ):
                r = client.open(address, method=method.upper(), json=body, headers=admin.headers)
                assert r.status_code == 422, (method, path, where, body, r.status_code)
                named = r.json["details"]["fields"]
                for key in where:
                    assert key in named, (method, path, where, r.json["details"]["fields"])
                    named = named[key]
                checked.append((path, ".".join(where)))
    assert len(checked) >= 40, checked
    assert ("/api/cases/{case_number}/citations", "violation_id") in checked
    assert ("/api/disclosures/{request_id}/redactions", "0.document_id") in checked


def test_integers_beyond_their_range_in_a_query_are_422(client, admin) -> None:
    spec = client.get("/api/openapi.json").json
    checked = 0
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if method == "parameters":
                continue
            for param in op.get("parameters", []):
                if param["in"] != "query" or not _integer(param["schema"]):
                    continue
                address = re.sub(r"\{[^}]+\}", lambda m: "1" if "_id" in m.group() else "x", path)
                r = client.open(
                    address,
                    method=method.upper(),
                    query_string={param["name"]: str(2**63)},
                    headers=admin.headers,
                )
                assert r.status_code == 422, (method, path, param["name"], r.status_code)
                assert param["name"] in r.json["details"]["fields"]
                checked += 1
    assert checked >= 5


@pytest.mark.parametrize("who", ["anonymous", "officer"])
def test_every_undeclared_method_is_405_with_allow(app, client, officer, who) -> None:
    """Every route, API and pages: a method the address does not take is 405 naming the ones
    it does (RFC 9110), whoever asks and whatever the body: routing answers first."""
    headers = officer.headers if who == "officer" else {}
    adapter = app.url_map.bind("localhost")
    checked = 0
    for path in sorted({_path(rule) for rule in _rules(app)}):
        allowed = set(adapter.allowed_methods(path))
        for method in sorted(METHODS - allowed):
            for body in ({"json": {"x": 1}}, {"data": "x", "content_type": "text/plain"}):
                r = client.open(path, method=method, headers=headers, **body)
                assert r.status_code == 405, (method, path, r.status_code)
                assert set(r.headers["Allow"].split(", ")) == allowed, (method, path)
                checked += 1
    assert checked > 300


def test_a_nul_character_is_refused_in_words(client, officer) -> None:
    """PostgreSQL cannot store a NUL: a query or body holding one reached it as a DataError
    (500; found by the fuzz lane on the PostgreSQL lane). Refused before, on either engine."""
    r = client.get("/api/search?q=elm&jurisdiction=los%00gatos", headers=officer.headers)
    assert r.status_code == 422 and "NUL character" in r.json["error"]
    r = client.post(
        "/api/cases",
        headers=officer.headers,
        data='{"jurisdiction": "los\\u0000gatos"}',
        content_type="application/json",
    )
    assert r.status_code == 422 and "NUL character" in r.json["error"]

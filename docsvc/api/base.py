"""The flask-smorest Api, with our error shape in place of its own, and the one gate every API
operation passes before its arguments are read: who is asking."""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from flask import Flask, Response, request
from flask_smorest import Api as SmorestApi
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from docsvc.auth.routes import ROUTES
from docsvc.errors import Unauthorized
from docsvc.web.context import api_user, require
from docsvc.web.errors import handle_http_exception
from docsvc.web.intake import check_json_body

# Blueprints anyone may call without a token (docs/API.md, Roles): health and reference data,
# the OpenAPI document (flask-smorest's "api-docs") and the public release link. Every other
# address under /api/ needs a token, a new one included unless it is added here.
OPEN_BLUEPRINTS = frozenset({"reference", "api-docs", "public"})
NO_TOKEN = (
    "send a staff API token as 'Authorization: Bearer <token>' (a browser session does not "
    "count here)."
)


class ErrorOut(Schema):
    error = fields.String(required=True)
    code = fields.String(required=True)
    details = fields.Dict()


def token_required(path: str, endpoint: str | None) -> bool:
    """Whether the operation at this address needs an API token."""
    return path.startswith("/api/") and (endpoint or "").split(".")[0] not in OPEN_BLUEPRINTS


def authenticate() -> None:
    """Before any view: a token-only operation answers 401 to the public or a bad token, and
    403 to a role without the route's permission (docsvc/auth/routes.py), before its body or
    query is parsed: a 422 would describe the operation to whoever asks. Then the JSON body's
    depth and form are checked. Each view still checks its permission, and the record's
    jurisdiction (404) once it has loaded it."""
    if not request.path.startswith("/api/"):
        return
    if token_required(request.path, request.endpoint):
        user = api_user()
        if user is None:
            raise Unauthorized(NO_TOKEN)
        route = ROUTES.get(request.endpoint or "")
        if route is not None and route.permission is not None:
            require(user, route.permission)
    check_json_body()


class TokenDoc(BasePlugin):
    """The OpenAPI document says what `authenticate` enforces: each operation it guards takes
    the bearer token and may answer 401."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        rule = kwargs.get("rule")
        if not isinstance(rule, Rule) or not token_required(rule.rule, rule.endpoint):
            return
        for operation in (operations or {}).values():
            operation.setdefault("security", [{"bearerAuth": []}])
            operation.setdefault("responses", {})["401"] = "UNAUTHORIZED"


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorOut  # documents {"error", "code", "details"} for every error response

    def init_app(self, app: Flask, *, spec_kwargs: dict[str, Any] | None = None) -> None:
        kwargs = dict(spec_kwargs or {})
        kwargs["extra_plugins"] = [*kwargs.get("extra_plugins", ()), TokenDoc()]
        super().init_app(app, spec_kwargs=kwargs)
        app.before_request(authenticate)

    def handle_http_exception(self, error: HTTPException) -> Response | tuple[Any, ...]:
        return handle_http_exception(error)


def multipart(schema: type[Schema]) -> dict[str, Any]:
    """An operation's whole multipart body for the document: flask-smorest documents only one
    of an operation's form and files arguments (the last), leaving the form's fields out."""
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}

"""The flask-smorest Api, with our error shape in place of its own."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Api as SmorestApi
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from docsvc.web.errors import handle_http_exception


class ErrorOut(Schema):
    error = fields.String(required=True)
    code = fields.String(required=True)
    details = fields.Dict()


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorOut  # documents {"error", "code", "details"} for every error response

    def handle_http_exception(self, error: HTTPException) -> Response | tuple[Any, ...]:
        return handle_http_exception(error)

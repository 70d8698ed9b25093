"""The public surface: the only thing anyone without an account receives is a released package,
at the unguessable link the records clerk sent. Kept apart and small so it is easy to audit;
import-linter (pyproject.toml) holds it to the few modules a release needs."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from sqlalchemy import select

from docsvc.errors import NotFound
from docsvc.models import Release
from docsvc.web.context import db
from docsvc.web.files import send_package

blp = Blueprint("public", __name__, description="Released packages, for whoever holds the link")
TOKEN_MAX = 100  # tokens are 43 characters; a longer one is not looked up


@blp.route("/public/releases/<token>", methods=["GET"])
@blp.doc(responses={"200": {"description": "The released ZIP"}})
def release(token: str) -> Response:
    """The released package, for whoever holds the link: the only thing the public receives."""
    rel = (
        db().scalar(select(Release).where(Release.token == token))
        if len(token) < TOKEN_MAX
        else None
    )
    if rel is None:
        raise NotFound("no release at this link; check the link you were sent.")
    return send_package(rel)

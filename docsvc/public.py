"""The public surface: a released package at the unguessable link the clerk sent, and nothing
else. Kept apart and small to be easy to audit: import-linter holds it to what a release needs
(of the capabilities, only disclosure/links.py, which says whether a link still works)."""

from __future__ import annotations

from flask import Response, render_template
from flask_smorest import Blueprint

from docsvc.disclosure.links import Office, follow
from docsvc.web.context import db
from docsvc.web.files import send_package

blp = Blueprint("public", __name__, description="Released packages, for whoever holds the link")


@blp.route("/public/releases/<token>", methods=["GET"])
@blp.doc(
    responses={
        "200": {"description": "The released ZIP"},
        "404": {"description": "No release at this link (a page in words)"},
        "410": {"description": "The link was revoked or has expired (a page in words)"},
    }
)
def release(token: str) -> Response | tuple[str, int, dict[str, str]]:
    """The released package, for whoever holds the link: the only thing the public receives.
    A link that no longer works says whom to ask, and nothing about the request."""
    found = follow(db(), token)
    if found is None:
        return _page(404, None)
    if found.release is None:
        return _page(410, found.office)
    return send_package(found.release)


def _page(status: int, office: Office | None) -> tuple[str, int, dict[str, str]]:
    # A person follows these links, not a program: a page in words, never JSON or a trace.
    page = render_template("public_release.html", status=status, office=office)
    return page, status, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}

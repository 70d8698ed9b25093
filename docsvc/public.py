"""The public surface: a released package at the unguessable link the clerk sent, and nothing
else. Kept apart and small to be easy to audit: import-linter holds it to what a release needs
(of the capabilities, only disclosure/links.py, which says whether a link still works, and
disclosure/public_view.py, which reads what the package holds for the page).

The link's address answers a person and a program alike: a browser (its Accept prefers HTML)
gets a page naming the agency, the request, each file and what was withheld; anything else
gets the ZIP, as outside clients have always had it (docs/API.md). `/package.zip` is the ZIP
whatever is asked."""

from __future__ import annotations

from flask import Response, render_template, request, url_for
from flask_smorest import Blueprint

from docsvc.disclosure.links import Followed, Office, follow
from docsvc.disclosure.public_view import member, view_of
from docsvc.web.context import db, file_store
from docsvc.web.files import send_package
from docsvc.web.present import public_address

blp = Blueprint("public", __name__, description="Released packages, for whoever holds the link")

ZIP, HTML = "application/zip", "text/html"
GONE = {
    "404": {"description": "No release at this link (a page in words)"},
    "410": {"description": "The link was revoked or has expired (a page in words)"},
}
Answer = Response | tuple[str, int, dict[str, str]]


@blp.route("/public/releases/<token>", methods=["GET"])
@blp.doc(
    responses={
        "200": {
            "description": "The released ZIP; a page describing it when Accept prefers text/html"
        },
        **GONE,
    }
)
def release(token: str) -> Answer:
    """The release for whoever holds the link: the ZIP, or for a browser a page about it.
    A link that no longer works says whom to ask, and nothing about the request."""
    found = follow(db(), token)
    if found is None or found.release is None:
        return _vary(_gone(found))
    # Equal preference (*/*, or no Accept at all) goes to the ZIP: what clients always had.
    if request.accept_mimetypes.best_match([ZIP, HTML], default=ZIP) != HTML:
        return _vary(send_package(found.release))
    view = view_of(db(), file_store(), found.release)
    here = public_address(url_for("public.release", token=token))
    page = render_template(
        "public_release_page.html",
        view=view,
        link=here,
        package_url=public_address(url_for("public.release_package", token=token)),
        file_url=lambda name: public_address(
            url_for("public.release_file", token=token, name=name)
        ),
    )
    return _vary((page, 200, _page_headers()))


@blp.route("/public/releases/<token>/package.zip", methods=["GET"])
@blp.doc(responses={"200": {"description": "The released ZIP, whatever Accept says"}, **GONE})
def release_package(token: str) -> Answer:
    """The released ZIP, always: the page's "Download all"."""
    found = follow(db(), token)
    if found is None or found.release is None:
        return _gone(found)
    return send_package(found.release)


@blp.route("/public/releases/<token>/files/<name>", methods=["GET"])
@blp.doc(responses={"200": {"description": "One file of the released ZIP, as it is in it"}, **GONE})
def release_file(token: str, name: str) -> Answer:
    """One file of the package, the same bytes the ZIP holds (scanned with it before it left)."""
    found = follow(db(), token)
    if found is None or found.release is None:
        return _gone(found)
    got = member(file_store().open_verified(found.release.package_sha256), name)
    if got is None:
        return _page(404, None, missing_file=True)
    data, mimetype = got
    resp = Response(data, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["Cache-Control"] = "private, no-store"
    # Opened by mistake in the browser, a file runs nothing and reaches nothing.
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp


def _gone(found: Followed | None) -> tuple[str, int, dict[str, str]]:
    return _page(404, None) if found is None else _page(410, found.office)


def _page(
    status: int, office: Office | None, missing_file: bool = False
) -> tuple[str, int, dict[str, str]]:
    # A person follows these links, not a program: a page in words, never JSON or a trace.
    page = render_template(
        "public_release.html", status=status, office=office, missing_file=missing_file
    )
    return page, status, _page_headers()


def _page_headers() -> dict[str, str]:
    # The address is the key to the records: not kept by caches, not indexed, not sent on.
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
    }


@blp.after_request
def _unlisted(resp: Response) -> Response:
    # Page, ZIP or single file alike: kept out of search engines' indexes.
    resp.headers["X-Robots-Tag"] = "noindex"
    return resp


def _vary(answer: Answer) -> Answer:
    """The link's own address answers by Accept: said, so no cache mixes the two."""
    if isinstance(answer, Response):
        answer.headers["Vary"] = "Accept"
        return answer
    page, status, headers = answer
    return page, status, {**headers, "Vary": "Accept"}

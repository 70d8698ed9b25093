"""The mailing page: issued notices waiting to go by certified mail, in the user's
jurisdictions, with their mailing labels and certified-mail cover sheets to print; and one
notice's cover sheet, where the officer types the article number from the PS Form 3800 label
until the mailing is recorded. Printing records nothing: the mailing is recorded on the case
page once it is sent."""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template, request
from flask.typing import ResponseReturnValue

from docsvc.documents import mailing, service
from docsvc.documents.schemas import CoverSheetQuery
from docsvc.errors import DocsvcError, Invalid
from docsvc.ui.base import in_navigation, staff
from docsvc.ui.forms import Bound, Field, Spec, refused, register
from docsvc.web.context import database, db, env

bp = Blueprint("mailing", __name__)
MAX_ID = 2_147_483_647  # ids are 32-bit in the database (docs/API.md, Conventions)

COVER = register(
    "cover-sheet",
    Spec(
        (
            Field(
                "article",
                "Article number",
                hint="From the certified-mail label (PS Form 3800) on the envelope: 20 or 22 "
                "digits, spaces allowed.",
            ),
        ),
        CoverSheetQuery,
        verb="printed",
    ),
)

# A jurisdiction whose profile lets some document go by certified mail keeps this page.
in_navigation(
    "Mailing",
    "ui.mailing.mailing_page",
    lambda p: any(mailing.CERTIFIED in t["service_methods"] for t in p.document_types.values()),
)


def _pdf(body: bytes, filename: str) -> Response:
    resp = Response(body, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    resp.headers["Cache-Control"] = "no-store"  # may bear identity: fetched and audited each time
    return resp


def _spec(waiting: list[dict[str, object]]) -> Spec:
    """The page's form: an article number for each notice waiting; it prints, saves nothing."""
    return Spec(
        tuple(Field(f"article-{n['id']}", f"Article number for {n['name']}") for n in waiting),
        verb="printed",
    )


def _page(problem: DocsvcError | None = None) -> tuple[str, int]:
    """The page; refused, each notice's message beside its own article number, the rest on
    top, under "Not printed."."""
    user = staff("cases.write")
    waiting = [mailing.describe(w) for w in mailing.awaiting(db(), user)]
    form = Bound("mailing", _spec(waiting), request.args, typed=problem is not None)
    if problem is not None:
        rows = (problem.details or {}).get("articles")
        shown = {str(n["id"]) for n in waiting}
        if isinstance(rows, dict) and set(rows) <= shown:
            for doc_id, message in rows.items():
                form.errors[f"article-{doc_id}"] = [_sentence(message)]
        else:
            form.general.append(_sentence(problem.message))
        g.ui_form = form
    return render_template(
        "mailing.html",
        waiting=waiting,
        chosen={int(i) for i in request.args.getlist("documents") if i.isdigit()},
        form=form,
    ), (problem.status if problem is not None else 200)


@bp.route("/mailing")
def mailing_page() -> tuple[str, int]:
    """Notices waiting to be mailed, to choose from for labels and cover sheets."""
    return _page()


@bp.route("/mailing/print")
def print_batch() -> ResponseReturnValue:
    """The chosen notices' labels or cover sheets, as one PDF; the page again, saying what to
    fix, when something is refused."""
    user = staff("cases.write")
    session = db()
    raw = request.args.getlist("documents")
    action = request.args.get("action", "labels")
    if request.args.get("cover"):
        # A notice's own "Cover sheet" button: that notice alone, with the number in its row.
        raw, action = [request.args["cover"]], "covers"
    try:
        if not raw:
            raise Invalid("Tick at least one notice, then press Print again.")
        if any(not i.isdigit() or not 0 < int(i) <= MAX_ID for i in raw):
            raise Invalid("Choose the notices from the list.")
        ids = list(dict.fromkeys(int(i) for i in raw))
        wanted = [service.get_document(session, user, i) for i in ids]
        typed = {i: request.args.get(f"article-{i}", "") for i in ids}
        if action == "covers":
            body = mailing.cover_sheets(
                database(), session, env(), user, [(d, c, typed[d.id]) for d, c in wanted]
            )
            return _pdf(body, "certified-mail-cover-sheets.pdf")
        body = mailing.mailing_labels(database(), session, env(), user, wanted, typed)
        return _pdf(body, "mailing-labels.pdf")
    except DocsvcError as exc:
        session.rollback()
        return _page(exc)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def _cover_page(document_id: int, status: int = 200) -> tuple[str, int]:
    user = staff("cases.write")
    doc, case = service.get_document(db(), user, document_id)
    profile_title = mailing.title_of(db(), doc, case)
    recorded = mailing.recorded_article(doc)
    return render_template(
        "mailing_cover.html",
        doc={"id": doc.id, "name": profile_title, "status": doc.status},
        case_number=case.case_number,
        recorded=mailing.grouped(recorded) if recorded else None,
        not_certified=mailing.certified_refusal(db(), doc, case),
        to_complainant=mailing.to_complainant(doc),
        may_print=mailing.may_print(user, doc),
    ), status


@bp.route("/documents/<int:document_id>/cover-sheet")
def cover_sheet(document_id: int) -> ResponseReturnValue:
    """One notice's certified-mail cover sheet: the form (the article number, until the mailing
    is recorded), and with `print` the PDF, or the form again saying what to fix."""
    user = staff("cases.write")
    if "print" not in request.args:
        return _cover_page(document_id)
    session = db()
    doc, case = service.get_document(session, user, document_id)
    typed = request.args.get("article", "")
    try:
        body = mailing.cover_sheet(database(), session, env(), user, doc, case, typed)
    except DocsvcError as exc:
        session.rollback()
        refused("cover", COVER, exc, {"article": typed})
        return _cover_page(document_id, exc.status)
    return _pdf(body, f"{case.case_number}-certified-mail-cover-{doc.id}.pdf")

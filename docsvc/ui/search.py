"""The search page: the header's box on every page leads here; filters, snippets, paging."""

from __future__ import annotations

import math

from flask import Blueprint, render_template, request

from docsvc.errors import DocsvcError
from docsvc.models.cases import CASE_STATUSES
from docsvc.profiles.schema import DOCUMENT_TYPES
from docsvc.search.guarded import run_search
from docsvc.search.query import CASES_PER_PAGE, Hit
from docsvc.search.schemas import SearchQuery
from docsvc.ui.base import staff, visible_jurisdictions
from docsvc.ui.forms import load, pick
from docsvc.web.context import database, db

bp = Blueprint("search", __name__)

FILTERS = ("q", "jurisdiction", "case_status", "doc_type", "from", "to", "page")


@bp.route("/search")
def search_page() -> tuple[str, int]:
    user = staff("search")
    chosen = pick(request.args, *FILTERS)
    errors: list[str] = []
    status = 200
    results = None
    groups: list[tuple[str, list[Hit]]] = []
    if chosen.get("q"):
        query, errors = load(SearchQuery(), chosen)
        if query is not None:
            try:
                results = run_search(database(), db(), user, query)
            except DocsvcError as exc:
                errors, status = [exc.message], exc.status
        if errors and status == 200:
            status = 400
    if results is not None:
        for h in results.hits:
            if not groups or groups[-1][0] != h.case_number:
                groups.append((h.case_number, []))
            groups[-1][1].append(h)
    pages = math.ceil(results.cases / CASES_PER_PAGE) if results else 0
    return render_template(
        "search.html",
        chosen=chosen,
        jurisdictions=visible_jurisdictions(user),
        statuses=CASE_STATUSES,
        doc_types=DOCUMENT_TYPES,
        results=results,
        groups=groups,
        pages=pages,
        page_args=lambda n: {**{k: v for k, v in chosen.items() if k != "page"}, "page": n},
        errors=errors,
    ), status

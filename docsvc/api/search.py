"""Full-text search over every case file (staff)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from docsvc.search.guarded import run_search
from docsvc.search.schemas import SearchOut, SearchQuery
from docsvc.web.context import api_user, database, db, require

blp = Blueprint("search", __name__, description="Full-text search (staff)")
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


@blp.route("/api/search", methods=["GET"])
@blp.arguments(SearchQuery, location="query")
@blp.response(200, SearchOut)
@blp.doc(security=SECURITY)
def get_search(query: dict[str, Any]) -> dict[str, Any]:
    """Words, "quoted phrases" and prefix* terms, all required; accent-insensitive and stemmed.
    Cases ranked by their best record, 20 to a page, up to five hits each."""
    user = require(api_user(), "search")
    r = run_search(database(), db(), user, query)
    return {
        "total": r.total,
        "cases": r.cases,
        "page": r.page,
        "results": [
            {
                "case_number": h.case_number,
                "document_id": h.document_id,
                "kind": h.kind,
                "title": h.title,
                "snippet": str(h.snippet),
                "score": h.score,
                "source": h.source,
            }
            for h in r.hits
        ],
    }

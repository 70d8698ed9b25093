"""A search as a user may see it: restricted hits (the complainant entry, their files, files
that quote them) only through the identity guard, which audits each case they come from, and
their titles and snippets with every identifier masked: the values are shown on the case page,
behind "Show complainant", never in a list of hits."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.auth.permissions import allowed
from docsvc.auth.scope import scope
from docsvc.db import Database
from docsvc.identity import guard
from docsvc.identity.mask import snippet_masker
from docsvc.models import Case, User
from docsvc.search.query import Filters, Results, search


def guarded_search(
    database: Database, session: Session, user: User, query: str, filters: Filters, page: int
) -> Results:
    """`search` with restricted entries for a role that may see identity (audited, masked)."""
    filters.include_restricted = allowed(user.role, "complainant.view")
    results = search(session, query, filters, page)
    shown = {h.case_id for h in results.hits if h.restricted}
    if not shown:
        return results
    maskers = {}
    with database.session() as s:
        for case in s.scalars(select(Case).where(Case.id.in_(shown))):
            guard.record_view(s, user, case, "search")
            maskers[case.id] = snippet_masker(s, case)
        s.commit()
    for h in results.hits:
        if h.restricted:  # highlighting is lost with the identifiers: plain text, escaped
            h.snippet = Markup(escape(maskers[h.case_id](Markup(h.snippet).striptags())))
            h.title = maskers[h.case_id](h.title)  # a caption may quote them too
    return results


def run_search(database: Database, session: Session, user: User, query: dict[str, Any]) -> Results:
    """A SearchQuery as `user` may run it: within their scope, restricted hits through the
    identity guard."""
    return guarded_search(
        database,
        session,
        user,
        query["q"],
        Filters(
            jurisdictions=scope(user, query.get("jurisdiction")),
            case_status=query.get("case_status"),
            doc_type=query.get("doc_type"),
            date_from=query.get("from_"),
            date_to=query.get("to"),
        ),
        query.get("page", 1),
    )

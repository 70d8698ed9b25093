"""Searching: one function for both engines.

A query is read as words, "quoted phrases" and prefix* terms, all of which must match. It is
never passed to the engine's own query language: each part is rebuilt from its word characters
and quoted (FTS5) or handed to plainto/phraseto_tsquery (PostgreSQL), so quotes, operators and
syntax in the input are only text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from docsvc.errors import DocsvcError

MAX_QUERY = 500
MAX_PARTS = 12
CASES_PER_PAGE = 20
HITS_PER_CASE = 5
MARK_OPEN, MARK_CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧: cannot be typed into a snippet by accident
WORD = re.compile(r"\w+", re.UNICODE)
PART = re.compile(r'"([^"]*)"?|(\S+)')


class BadQuery(DocsvcError):
    status = 400
    code = "bad_query"


@dataclass(frozen=True)
class Part:
    kind: str  # word | phrase | prefix | compound (one token of several words: O'Brien, LG-2026-1)
    words: tuple[str, ...]
    raw: str = ""  # a compound token as typed: PostgreSQL parses it as it parsed the text


@dataclass
class Filters:
    jurisdictions: list[str] | None = None  # None: every jurisdiction
    case_status: str | None = None
    doc_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    include_restricted: bool = False


@dataclass
class Hit:
    entry_id: int
    case_id: int
    case_number: str
    kind: str
    ref_id: int
    document_id: int | None
    title: str
    score: float
    restricted: bool
    source: str
    snippet: Markup = field(default_factory=Markup)


@dataclass
class Results:
    total: int
    cases: int
    page: int
    hits: list[Hit]


def parse(q: str) -> list[Part]:
    """Words, phrases and prefixes; an unbalanced quote runs to the end of the query."""
    if len(q) > MAX_QUERY:
        raise BadQuery(
            f"the query is {len(q)} characters long; shorten it to {MAX_QUERY} or fewer."
        )
    parts: list[Part] = []
    for m in PART.finditer(q):
        quoted, bare = m.group(1), m.group(2)
        if quoted is not None:
            words = tuple(WORD.findall(quoted))
            if words:
                parts.append(Part("phrase" if len(words) > 1 else "word", words))
            continue
        words = tuple(WORD.findall(bare))
        if not words:
            continue  # a stray operator or punctuation
        if bare.endswith("*") and len(words[-1]) >= 2:
            parts.extend(Part("word", (w,)) for w in words[:-1])
            parts.append(Part("prefix", (words[-1],)))
        elif len(words) > 1:
            parts.append(Part("compound", words, bare.strip("\"'()*")))
        else:
            parts.append(Part("word", words))
    if not parts:
        raise BadQuery("give at least one word to search for.")
    if len(parts) > MAX_PARTS:
        raise BadQuery(f"use at most {MAX_PARTS} words or phrases.")
    return parts


def fts5_match(parts: list[Part]) -> str:
    def one(p: Part) -> str:
        quoted = '"' + " ".join(w.replace('"', "") for w in p.words) + '"'
        return quoted + "*" if p.kind == "prefix" else quoted

    return " AND ".join(one(p) for p in parts)


def _pg_tsquery(parts: list[Part], params: dict[str, Any]) -> str:
    pieces = []
    for i, p in enumerate(parts):
        key = f"q{i}"
        if p.kind == "prefix":
            params[key] = p.words[0].lower()
            pieces.append(f"to_tsquery('english', quote_literal(docsvc_unaccent(:{key})) || ':*')")
        else:
            params[key] = p.raw if p.kind == "compound" else " ".join(p.words)
            # A compound token goes to PostgreSQL as typed, so its parser splits it as it
            # split the text (LG-2026-000001 holds the signed numbers -2026 and -000001).
            fn = "phraseto_tsquery" if p.kind == "phrase" else "plainto_tsquery"
            pieces.append(f"{fn}('english', docsvc_unaccent(:{key}))")
    return " && ".join(pieces)


def _where(filters: Filters, params: dict[str, Any]) -> str:
    clauses = []
    if filters.jurisdictions is not None:
        clauses.append("e.jurisdiction_code IN :jurisdictions")
        params["jurisdictions"] = list(filters.jurisdictions)
    if filters.case_status:
        clauses.append("c.status = :case_status")
        params["case_status"] = filters.case_status
    if filters.doc_type:
        clauses.append("e.doc_type = :doc_type")
        params["doc_type"] = filters.doc_type
    if filters.date_from:
        clauses.append("e.occurred_on >= :date_from")
        params["date_from"] = filters.date_from
    if filters.date_to:
        clauses.append("e.occurred_on <= :date_to")
        params["date_to"] = filters.date_to
    if not filters.include_restricted:
        clauses.append("e.restricted = :no")
        params["no"] = False
    return "".join(f" AND {c}" for c in clauses)


def _sql(
    dialect: str, parts: list[Part], filters: Filters, params: dict[str, Any]
) -> tuple[str, str]:
    """(FROM ... WHERE ... for the matching entries, the score expression; higher is better).
    Cases are joined only to filter by their status: each join is paid on every match."""
    where = _where(filters, params)
    cases = " JOIN cases c ON c.id = e.case_id" if filters.case_status else ""
    if dialect == "sqlite":
        params["match"] = fts5_match(parts)
        # The covering index, not the table (whose rows hold the whole text): SQLite would
        # otherwise look each match up by primary key and read three times the pages.
        return (
            "FROM search_fts JOIN search_entries e INDEXED BY ix_search_entries_cover "
            f"ON e.id = search_fts.rowid{cases} WHERE search_fts MATCH :match" + where,
            "-bm25(search_fts, 4.0, 1.0)",
        )
    tsq = _pg_tsquery(parts, params)
    return (
        f"FROM search_entries e{cases}, (SELECT {tsq}) AS q(tsq) WHERE e.tsv @@ q.tsq" + where,
        "ts_rank_cd(e.tsv, q.tsq)",
    )


def _expanding(sql: str, *names: str) -> Any:
    stmt = text(sql)
    return stmt.bindparams(*(bindparam(n, expanding=True) for n in names))


def search(session: Session, q: str, filters: Filters, page: int = 1) -> Results:
    """Cases ranked by their best-matching record, a page of cases at a time, with up to
    HITS_PER_CASE hits each and highlighted snippets."""
    parts = parse(q)
    dialect = session.get_bind().dialect.name
    params: dict[str, Any] = {}
    frm, score = _sql(dialect, parts, filters, params)
    expand = ["jurisdictions"] if "jurisdictions" in params else []
    page = max(1, page)
    # One pass over the matches (materialised once: FTS5's rank functions cannot sit inside an
    # aggregate, and the count, the case ranking and the page's hits all read it).
    rows = session.execute(
        _expanding(
            f"WITH m AS MATERIALIZED (SELECT e.id, e.case_id, {score} AS score {frm}), "
            "g AS (SELECT case_id, max(score) AS best, count(*) AS n FROM m GROUP BY case_id), "
            "top AS (SELECT case_id, best FROM g ORDER BY best DESC, case_id "
            "LIMIT :limit OFFSET :offset), "
            "h AS (SELECT m.id, m.case_id, m.score, row_number() OVER "
            "(PARTITION BY m.case_id ORDER BY m.score DESC, m.id) AS n "
            "FROM m WHERE m.case_id IN (SELECT case_id FROM top)) "
            "SELECT h.id, h.case_id, c.case_number, e.kind, e.ref_id, e.document_id, e.title, "
            "e.restricted, e.source, h.score, (SELECT sum(n) FROM g) AS total, "
            "(SELECT count(*) FROM g) AS ncases "
            "FROM h JOIN top t ON t.case_id = h.case_id JOIN search_entries e ON e.id = h.id "
            "JOIN cases c ON c.id = h.case_id "
            "WHERE h.n <= :hits ORDER BY t.best DESC, h.case_id, h.n",
            *expand,
        ),
        {
            **params,
            "limit": CASES_PER_PAGE,
            "offset": (page - 1) * CASES_PER_PAGE,
            "hits": HITS_PER_CASE,
        },
    ).all()
    if not rows:  # nothing matched, or a page past the end: the totals still count
        total, ncases = session.execute(
            _expanding(f"SELECT count(*), count(DISTINCT e.case_id) {frm}", *expand), params
        ).one()
        return Results(total, ncases, page, [])
    hits = [
        Hit(
            r.id,
            r.case_id,
            r.case_number,
            r.kind,
            r.ref_id,
            r.document_id,
            r.title,
            round(float(r.score), 4),
            bool(r.restricted),
            r.source,
        )
        for r in rows
    ]
    snippets = _snippets(session, dialect, parts, [h.entry_id for h in hits])
    for h in hits:
        h.snippet = snippets.get(h.entry_id, Markup(""))
    return Results(rows[0].total, rows[0].ncases, page, hits)


def _snippets(
    session: Session, dialect: str, parts: list[Part], ids: list[int]
) -> dict[int, Markup]:
    """Highlighted excerpts for the page's hits only (the costly part of a search)."""
    params: dict[str, Any] = {"ids": ids}
    if dialect == "sqlite":
        params.update(match=fts5_match(parts), lo=min(ids), hi=max(ids))
        # One pass over the matches within the hits' rowid range, the list applied as a plain
        # filter (the "+"): given the IN list itself, FTS5 would run the whole query once a hit.
        sql = (
            f"SELECT rowid AS id, snippet(search_fts, 1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 24) "
            "AS s FROM search_fts WHERE search_fts MATCH :match "
            "AND rowid BETWEEN :lo AND :hi AND +rowid IN :ids"
        )
    else:
        tsq = _pg_tsquery(parts, params)
        sql = (
            "SELECT e.id, ts_headline('english', e.body, "
            f"{tsq}, 'StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=30, MinWords=12, "
            "MaxFragments=2, FragmentDelimiter= … ') AS s FROM search_entries e WHERE e.id IN :ids"
        )
    rows = session.execute(_expanding(sql, "ids"), params).all()
    return {r.id: highlight(r.s or "") for r in rows}


def highlight(raw: str) -> Markup:
    """Escape the record's text, then turn the engine's markers into <mark>."""
    safe = str(escape(raw))
    return Markup(safe.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))

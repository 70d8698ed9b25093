"""What a page or a list shows of a record before the complainant is shown through the guard:
the text with every identifier of the case's complainant, and of the other complainants about
its property, masked."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from docsvc.identity.guard import Complainant, hidden_for
from docsvc.identity.needles import mask, squashed, words
from docsvc.models import Case, Property

LABEL = "complainant"
ELLIPSIS = "…"
EDGE_WORDS = 3  # how many words at a cut are tried as the start or end of an identifier
_WORD = re.compile(r"\w+")
_ONE_MASK = re.compile(rf"\[{LABEL}\](?:[^\w{ELLIPSIS}]{{0,3}}\[{LABEL}\])+")  # masks side by side


def masker(session: Session, case: Case) -> Callable[[str | None], str | None]:
    """A function masking the case's complainant in a text (a caption, a snippet, a complaint's
    description). The property's street address stays: it is the case's subject, even when the
    complainant lives there (their unit is still masked)."""
    return _masker(hidden_for(session, case.id), case.property.address)


def masker_of(conn: Connection, case_id: int) -> Callable[[str | None], str | None]:
    """As `masker`, from a connection and the case's id (the search index's flush hook, on
    every record written: a case with no identified complainant costs one query)."""
    hidden = hidden_for(conn, case_id)
    if not hidden:
        return lambda text: text
    address = conn.scalar(
        select(Property.address)
        .join(Case, Case.property_id == Property.id)
        .where(Case.id == case_id)
    )
    return _masker(hidden, address or "")


def _masker(hidden: list[Complainant], address: str) -> Callable[[str | None], str | None]:
    return lambda text: mask(text, hidden, LABEL, address) if text else text


def names_complainant(masked: Callable[[str | None], str | None], value: Any) -> bool:
    """Whether any text in `value` (a string, or lists and dicts of them) names the
    complainant: what masking would change."""
    if isinstance(value, str):
        return masked(value) != value
    if isinstance(value, dict):
        return any(names_complainant(masked, v) for v in value.values())
    if isinstance(value, list):
        return any(names_complainant(masked, v) for v in value)
    return False


def snippet_masker(session: Session, case: Case) -> Callable[[str], str]:
    """As `masker`, for an excerpt cut out of a longer text: where the cut ("…", or either end)
    falls inside an identifier, the part left ("(408", "Ramasw") is masked too."""
    hidden = hidden_for(session, case.id)
    whole = _masker(hidden, case.property.address)
    # Each identifier from each of its words on ("obriennguyen", "5550142"): a cut may fall
    # inside the part written alone (a surname, the local number).
    forms = {f for who in hidden for value in who.as_dict().values() for f in _tails(value)}
    public = _tails(case.property.address)  # a cut inside the property's address is no one's

    def cut(text: str) -> str:
        text = whole(text) or text
        if not forms:
            return text
        parts = text.split(ELLIPSIS)
        for n, part in enumerate(parts):
            # A cut after the part's last words: the start of an identifier? Before its first
            # words: the end of one?
            part = _edge(part, forms, public, lambda ws, k: ws[-k:], str.startswith)
            parts[n] = _edge(part, forms, public, lambda ws, k: ws[:k], str.endswith)
        return _ONE_MASK.sub(f"[{LABEL}]", ELLIPSIS.join(parts))

    return cut


def _edge(
    part: str,
    forms: set[str],
    public: set[str],
    take: Callable[[list[re.Match[str]], int], list[re.Match[str]]],
    part_of: Callable[[str, str], bool],
) -> str:
    """`part` with the most words at one edge (up to EDGE_WORDS) that are part of an
    identifier, and not of the property's address, masked."""
    words = list(_WORD.finditer(part))
    for k in range(min(EDGE_WORDS, len(words)), 0, -1):
        run = take(words, k)
        a, b = run[0].start(), run[-1].end()
        if _theirs(squashed(part[a:b]), forms, public, part_of):
            return f"{part[:a]}[{LABEL}]{part[b:]}"
    return part


def _tails(value: str | None) -> set[str]:
    parts = words(value or "").split()
    return {t for t in ("".join(parts[i:]) for i in range(len(parts))) if len(t) >= 4}


def _theirs(
    piece: str, forms: set[str], public: set[str], part_of: Callable[[str, str], bool]
) -> bool:
    """Whether a piece left at a cut is part of the complainant's identifiers and not of the
    property's address."""
    if len(piece) < 3:
        return False
    return any(part_of(f, piece) for f in forms) and not any(part_of(f, piece) for f in public)

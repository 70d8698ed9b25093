"""What a user may see, decided in one place.

A user is limited to a list of jurisdictions or (no list) sees them all. `visible` answers for
one jurisdiction, `scope` gives the list a query is limited to, `within` is the same rule as a
SQL condition, `visible_jurisdictions` lists the jurisdictions themselves, and `in_sight`
loads a row of a jurisdiction-bound record or says it is not found: a record in a jurisdiction
the user may not see does not exist for them. A record that spans jurisdictions (a legal hold,
a disposition run, the job that ran it) is seen only by a user who sees each of them
(`sees_all`, `all_in_sight`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from docsvc.errors import NotFound
from docsvc.models import Case, Jurisdiction, User


def visible(user: User, code: str) -> bool:
    """May `user` see records of jurisdiction `code`?"""
    return user.jurisdictions is None or code in user.jurisdictions


def scope(user: User, wanted: str | None = None) -> list[str] | None:
    """The jurisdictions a query by `user` covers: all they may see (None: every one), or just
    `wanted` if they may see it (else none)."""
    if wanted:
        return [wanted] if visible(user, wanted) else []
    return None if user.jurisdictions is None else list(user.jurisdictions)


def within(user: User, column: Any, wanted: str | None = None) -> ColumnElement[bool]:
    """`scope` as a WHERE condition on a jurisdiction-code column."""
    return among(column, scope(user, wanted))


def among(column: Any, codes: list[str] | None) -> ColumnElement[bool]:
    """A scope already worked out (`scope(user)`, passed down to a query) as a WHERE condition:
    None is every jurisdiction, an empty list none."""
    if codes is None:
        return true()
    return column.in_(codes) if codes else false()


def visible_jurisdictions(session: Session, user: User) -> list[Jurisdiction]:
    """The loaded jurisdictions `user` may see, by name."""
    return list(
        session.scalars(
            select(Jurisdiction).where(within(user, Jurisdiction.code)).order_by(Jurisdiction.name)
        )
    )


def in_sight(user: User, code: str | None, what: str) -> None:
    """Not found (`what`, e.g. "no bundle 12.") unless `user` may see jurisdiction `code`."""
    if code is None or not visible(user, code):
        raise NotFound(what)


def sees_all(user: User, codes: Collection[str] | None) -> bool:
    """May `user` see every jurisdiction in `codes`? None stands for every jurisdiction, and a
    record that names none (what it covered is gone) is told to no limited user either: only a
    user with no limit sees those."""
    if user.jurisdictions is None:
        return True
    return bool(codes) and all(visible(user, c) for c in codes or ())


def all_in_sight(user: User, codes: Collection[str] | None, what: str) -> None:
    """Not found (`what`) unless `user` sees every jurisdiction in `codes` (see `sees_all`)."""
    if not sees_all(user, codes):
        raise NotFound(what)


class _OfACase(Protocol):
    case_id: Any


R = TypeVar("R", bound=_OfACase)


def of_a_case(
    session: Session, user: User, model: type[R], row_id: int, missing: str
) -> tuple[R, Case]:
    """A record that belongs to a case (a file, a bundle, a lien...) and its case; not found
    (`missing`) when either does not exist or the case is out of the user's sight (never 403:
    existence is not told)."""
    row = session.get(model, row_id)
    case = session.get(Case, row.case_id) if row is not None else None
    in_sight(user, case.jurisdiction_code if case else None, missing)
    assert row is not None and case is not None
    return row, case

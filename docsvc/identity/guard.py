"""The one way to read complainant identity.

The complainant's name, phone, e-mail and address, and the bytes or text of a file that may
carry them (the complaint form, a file the complainant supplied, a document addressed to the
complainant, a search entry marked restricted), are read through this module and nowhere else
(tests/test_identity_guard.py greps the tree for direct reads). Two doors:

- `view_*` for a person: checks the permission and the user's jurisdictions, and writes one
  `complainant.view` audit row in the caller's transaction naming where it was shown.
- `for_processing` for the machine (redaction, the leak scanner, the search index, generated
  documents): nobody sees the values, they only decide what to find or fill in, so no view is
  recorded; the caller never shows them to a person except through a `view_*` door.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from docsvc.audit import append
from docsvc.audit.chain import Actor
from docsvc.auth.permissions import allowed
from docsvc.auth.scope import visible
from docsvc.errors import Forbidden, NotFound
from docsvc.models import Attachment, Case, Complaint, Document, SearchEntry, User

if TYPE_CHECKING:  # docsvc.db imports the search index, which imports this module
    from docsvc.db import Database

VIEW_ACTION = "complainant.view"


@dataclass(frozen=True)
class Complainant:
    """The identifying fields of one complaint, as recorded. Never logged."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
        }

    def any(self) -> bool:
        return any(v and v.strip() for v in (self.name, self.phone, self.email, self.address))


def _of(complaint: Complaint | None) -> Complainant | None:
    if complaint is None or complaint.anonymous:
        return None
    who = Complainant(
        complaint.complainant_name,
        complaint.complainant_phone,
        complaint.complainant_email,
        complaint.complainant_address,
    )
    return who if who.any() else None


def check(user: User, case: Case) -> None:
    """403 for a role that may not see identity; 404 for a case outside the user's
    jurisdictions (as get_case answers, so its existence is not confirmed)."""
    if not visible(user, case.jurisdiction_code):
        raise NotFound(f"no case {case.case_number} that you can see.")
    if not allowed(user.role, "complainant.view"):
        raise Forbidden("your role may not see the complainant's identity.")


def record_view(session: Session, user: User, case: Case, where: str) -> None:
    """The audit row of one view of the case's complainant identity, in the caller's
    transaction (it commits or rolls back with what was shown)."""
    check(user, case)
    append(
        session,
        Actor(user.id, user.role),
        VIEW_ACTION,
        "case",
        case.case_number,
        case_id=case.id,
        fields=[where],
    )


def view_identity(session: Session, user: User, case: Case, where: str) -> Complainant | None:
    """The complainant of `case` for `user` to see at `where`, the view audited in `session`;
    None (and nothing recorded) when the complaint identifies nobody. Checks first: a user
    who may not see it gets 403/404, not the values."""
    check(user, case)
    who = for_processing(session, case.id)
    if who is not None:
        record_view(session, user, case, where)
    return who


def view_identity_now(database: Database, user: User, case: Case, where: str) -> Complainant | None:
    """As view_identity, for a read-only request: the audit row is written and committed in a
    short transaction of its own before anything is shown."""
    return _committed(database, case, lambda s, fresh: view_identity(s, user, fresh, where))


def view_file_now(
    database: Database, user: User, case: Case, obj: Attachment | Document, where: str
) -> bool:
    """Before the bytes of `obj` are sent to `user`: the jurisdiction check, and for a file
    that bears identity the view's audit row, committed first (see view_identity_now). True
    when it bears identity: the caller then keeps it out of caches, so each showing is fetched
    and recorded."""
    if obj.case_id != case.id or not visible(user, case.jurisdiction_code):
        raise NotFound("no such file that you can see.")
    with database.read_session() as r:
        bears = bears_identity(obj, r)
    if bears:
        _committed(database, case, lambda s, fresh: record_view(s, user, fresh, where))
    return bears


T = TypeVar("T")


def _committed(database: Database, case: Case, step: Callable[[Session, Case], T]) -> T:
    """`step` in a short write transaction of its own, on the case as that session reads it:
    a read-only request's audit row, committed before anything is shown."""
    with database.session() as s:
        fresh = s.get(Case, case.id)
        assert fresh is not None
        out = step(s, fresh)
        s.commit()
    return out


def for_processing(session: Session | Connection, case_id: int) -> Complainant | None:
    """The complainant's identifiers for the machine to find or fill in (see module doc). A
    Connection serves the search index's flush hook, where the ORM session is mid-flush."""
    row = session.execute(
        select(
            Complaint.anonymous,
            Complaint.complainant_name,
            Complaint.complainant_phone,
            Complaint.complainant_email,
            Complaint.complainant_address,
        ).where(Complaint.case_id == case_id)
    ).first()
    if row is None or row[0]:
        return None
    who = Complainant(*row[1:])
    return who if who.any() else None


def others_about_the_property(session: Session | Connection, case_id: int) -> list[Complainant]:
    """The complainants of the other complaints about the case's property, for the machine (see
    for_processing): a case about a property several people complained about can quote any of
    them ("she heard Mr. X already called"), and what it shows or releases masks them all."""
    at = select(Case.property_id).where(Case.id == case_id).scalar_subquery()
    rows = session.execute(
        select(
            Complaint.complainant_name,
            Complaint.complainant_phone,
            Complaint.complainant_email,
            Complaint.complainant_address,
        )
        .join(Case, Case.id == Complaint.case_id)
        .where(Case.property_id == at, Case.id != case_id, Complaint.anonymous.is_(False))
        .order_by(Complaint.id)
    ).all()
    return [w for w in (Complainant(*row) for row in rows) if w.any()]


def hidden_for(session: Session | Connection, case_id: int) -> list[Complainant]:
    """Everyone a view of the case's records masks: its complainant, then the complainants of
    the other complaints about its property."""
    own = for_processing(session, case_id)
    return ([own] if own is not None else []) + others_about_the_property(session, case_id)


def complaint_of_processing(complaint: Complaint | None) -> Complainant | None:
    """As for_processing, for a complaint row the caller already holds."""
    return _of(complaint)


def bears_identity(obj: Attachment | Document, session: Session | None = None) -> bool:
    """A file that may carry the complainant's identity: what they supplied, the complaint
    form, a document addressed to them; and, given a session, any file the index marks
    restricted (its text or its caption, file name or camera fields name them: a phone log
    quoting their number), or whose text the worker has not read yet (until then, nobody
    knows)."""
    if isinstance(obj, Attachment):
        if obj.supplied_by_complainant or obj.kind == "complaint_form":
            return True
    elif obj.recipient_kind == "complainant":
        return True
    if session is None:
        return False
    kind = "attachment" if isinstance(obj, Attachment) else "document"
    entries = session.execute(
        select(SearchEntry.part, SearchEntry.restricted).where(
            SearchEntry.kind == kind, SearchEntry.ref_id == obj.id
        )
    ).all()
    if any(restricted for _, restricted in entries):
        return True
    # Files whose text the worker reads (as the index's needs_text says): not read yet.
    read = isinstance(obj, Attachment) and obj.kind != "photo"
    read = read or (isinstance(obj, Document) and obj.status == "issued")
    return read and "text" not in {part for part, _ in entries}

"""A case's story in words, newest first, from its audit trail: "Nov 17, 2026, 10:00 AM PST —
Violation recorded: Junk and debris, by Officer Dana Reyes".

Each line passes through the case's masker: what it names (a party, a caption, even a staff
member sharing the complainant's surname) never shows the complainant to a page that has not
gone through the identity guard. Views of the complainant are audit, not the case's story."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.cases import history
from docsvc.documents import naming
from docsvc.identity import guard
from docsvc.identity.mask import masker
from docsvc.labels import label, when
from docsvc.models import Case, Party, User, Violation
from docsvc.profiles.model import Profile


@dataclass(frozen=True)
class Entry:
    at: datetime  # in the jurisdiction's zone
    when: str  # "Nov 17, 2026, 10:00 AM PST"
    action: str  # the audit action (for tests and styling, never shown)
    what: str  # "Violation recorded"
    about: str | None  # "Junk and debris", "Notice of Violation NOV-2"
    who: str  # "Officer Dana Reyes", or "The system"

    @property
    def text(self) -> str:
        said = f"{self.what}: {self.about}" if self.about else self.what
        return f"{said}, by {self.who}"


def _who(user: User | None) -> str:
    if user is None:
        return "the system"
    # "Officer Dana Reyes": the role first, unless the name already starts with it; a title
    # follows the name ("Officer Dana Ruiz, Code Compliance Officer"), never "Code Compliance
    # Officer Officer Dana Ruiz".
    role = label(user.role)
    name = user.display_name
    who = name if name.lower().startswith(role.lower()) else f"{role} {name}"
    return f"{who}, {user.title}" if user.title else who


def _about(session: Session, case: Case, profile: Profile) -> dict[tuple[str, str], str]:
    """What each record the trail names is called, by (object_type, object_id)."""
    out = naming.case_names(session, case.id, profile)
    for v in session.scalars(select(Violation).where(Violation.case_id == case.id)):
        title = profile.violation_types.get(v.violation_type, {}).get("title", v.violation_type)
        out[("violation", str(v.id))] = title
    for p in session.scalars(select(Party).where(Party.case_id == case.id)):
        out[("party", str(p.id))] = f"{p.name}, the {label(p.role).lower()}"
    return out


def case_timeline(session: Session, case: Case, profile: Profile) -> list[Entry]:
    """The case's events, newest first, each said in words with the complainant masked."""
    masked = masker(session, case)
    names = _about(session, case, profile)
    # What happened to the case; views of the complainant are audit, not its story.
    rows = history.case_events(session, case, leaving_out=(guard.VIEW_ACTION,))
    out = []
    for event, user in reversed(rows):
        at = event.at.astimezone(profile.zone)
        about = names.get((event.object_type, str(event.object_id)))
        out.append(
            Entry(
                at=at,
                when=when(at, profile.zone),
                action=event.action,
                what=label(event.action, "event"),
                about=masked(about),
                who=masked(_who(user)) or "",
            )
        )
    return out

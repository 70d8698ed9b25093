"""What a page or a list shows of a record before the complainant is shown through the guard:
the text with every identifier of the case's complainant masked."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from docsvc.disclosure.identity import mask
from docsvc.identity.guard import for_processing
from docsvc.models import Case

LABEL = "complainant"


def masker(session: Session, case: Case) -> Callable[[str | None], str | None]:
    """A function masking the case's complainant in a text (a caption, a snippet, a complaint's
    description). The property's street address stays: it is the case's subject, even when the
    complainant lives there (their unit is still masked)."""
    hidden = for_processing(session, case.id)
    address = case.property.address
    return lambda text: mask(text, hidden, LABEL, address) if text else text

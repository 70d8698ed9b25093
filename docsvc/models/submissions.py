"""Page forms already acted on: a form's one-time token, written in the transaction of what
it did, so that a second press of the same form (a double tap, Back and Reload) does nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from docsvc.models.base import Base, UTCDateTime


class FormSubmission(Base):
    __tablename__ = "form_submissions"

    # The form's token with the address it was sent to (docsvc.ui.submissions.key): the
    # primary key is what makes the second of two presses at once wait and then fail.
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Where the first press went, and what it said it did, for the second to say the same.
    result_url: Mapped[str | None] = mapped_column(Text)
    done: Mapped[str | None] = mapped_column(Text)

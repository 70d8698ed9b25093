"""Every page form acts once, whatever the taps.

Each state-changing form carries a one-time token made when its page was rendered (the
`submission` hidden input, `_forms.html`'s `once()`; the confirmation page carries the
original form's). The first commit of the request writes the token in the same transaction
as what the form did (`_record`, a session hook, so it also holds for the services that run
their own units of work, like issuing). A second POST of the same token, at once (a double
tap: it waits on the first's transaction, then meets the primary key) or later (Back and
Reload), does nothing and is sent with a 303 where the first one went, saying so. A POST
without the token is refused (400): with JavaScript off or slow, the server is the truth.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, g, has_request_context, redirect, request, session, url_for
from markupsafe import Markup, escape
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from docsvc.models import FormSubmission, Jurisdiction
from docsvc.models.base import dialect_insert
from docsvc.timeutil import utcnow
from docsvc.ui.base import staff
from docsvc.web.context import browser_user, database, db
from docsvc.web.errors import error_response

bp = Blueprint("submissions", __name__)

FIELD = "submission"
KEEP = timedelta(days=1)  # how long a used token is remembered (pruned as new ones are written)
# POSTs a second press cannot double: signing in and out, and showing the complainant (a view,
# audited each time it is asked for).
NOT_CHANGES = frozenset({"ui.signin.login", "ui.signin.logout", "ui.cases.reveal_complainant"})
MISSING = (
    "This form was sent without its one-time token, so nothing was done: open the page "
    "again and send the form from there."
)
_INFO = "docsvc.submission"
R = TypeVar("R")  # what a short read returns


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_field() -> Markup:
    """The hidden input a form carries, fresh each time a page is rendered (templates use
    `once()` from _forms.html)."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(new_token())}">')


def key(token: str, path: str, user_id: int | None) -> str:
    """What is stored: the token for the address it was sent to and by whom. One page's
    token sent to another form's address is that form's own first press."""
    return hashlib.sha256(f"{token}\n{path}\n{user_id}".encode()).hexdigest()


@dataclass
class Pending:
    """This request's token, until the commit that records it."""

    key: str
    user_id: int | None
    recorded: bool = False


class AlreadyDone(Exception):
    """A second press met the first's token at commit: its transaction is rolled back."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _read(fn: Callable[[Session], R]) -> R:
    """A short read of its own: the request's session may not have begun (no lock taken)."""
    with database().read_session() as s:
        return fn(s)


def _pending() -> Pending | None:
    return g.get("submission") if has_request_context() else None


def _record(sess: Session) -> None:
    """The first commit of a form's request writes its token in that transaction. Another
    transaction holding the same token (a press at the same moment) makes this insert wait
    for it; once it has committed, nothing is inserted and this commit is abandoned."""
    p = _pending()
    if p is None or p.recorded or sess.info.get(_INFO) is p:
        return
    insert = dialect_insert(sess.get_bind())
    stmt = (
        insert(FormSubmission)
        .values(token=p.key, user_id=p.user_id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["token"])
        # RETURNING, not rowcount: the ORM's insert reports no rowcount on PostgreSQL (-1).
        .returning(FormSubmission.token)
    )
    if sess.execute(stmt).first() is None:
        raise AlreadyDone(p.key)
    sess.info[_INFO] = p


def _recorded(sess: Session) -> None:
    p = sess.info.pop(_INFO, None)
    if p is not None:
        p.recorded = True


def _not_recorded(sess: Session) -> None:
    sess.info.pop(_INFO, None)


def _one_time() -> Response | tuple[str, int] | None:
    """Refuse a form without its token; answer a token already used with where it went."""
    if request.method != "POST" or request.endpoint in NOT_CHANGES:
        return None
    token = request.form.get(FIELD, "").strip()
    if not token or len(token) > 200:
        return error_response(400, "validation_error", MISSING)
    user = browser_user()
    p = Pending(key(token, request.path, user.id if user else None), user.id if user else None)
    g.submission = p
    row = _read(lambda s: s.get(FormSubmission, p.key))
    return None if row is None else _already(row)


def _already_at_commit(exc: AlreadyDone) -> Response:
    sess = g.get("db")
    if sess is not None:
        sess.rollback()
    row = _read(lambda s: s.get(FormSubmission, exc.token))
    if row is None:  # pruned meanwhile: nothing to point at but the start
        flash("This was already done, so nothing was done again.")
        return redirect(url_for("ui.cases.cases"), 303)
    return _already(row)


def _zone(user_id: int | None) -> ZoneInfo:
    """The zone of the person's jurisdiction (or the first one) to say when it was done."""
    user = browser_user()
    codes = (user.jurisdictions or []) if user is not None and user.id == user_id else []
    stmt = select(Jurisdiction.timezone).order_by(Jurisdiction.code).limit(1)
    if codes:
        stmt = stmt.where(Jurisdiction.code.in_(codes))
    name = _read(lambda s: s.scalar(stmt))
    return ZoneInfo(name or "UTC")


def _already(row: FormSubmission) -> Response:
    zone = _zone(row.user_id)
    at = row.created_at.astimezone(zone)
    now = utcnow().astimezone(zone)
    when = f"{at:%H:%M}" if at.date() == now.date() else f"{at:%d %B %Y at %H:%M}"
    done = f" {row.done}" if row.done else ""
    flash(f"This was already done at {when}, so nothing was done again.{done}")
    # A press at the same moment may be answered before the first has said where it went.
    return redirect(row.result_url or url_for("ui.submissions.submitted", token=row.token), 303)


def _where_it_went(resp: Response) -> Response:
    """Remember where the first press went and what it said it did; prune old tokens."""
    p = _pending()
    if p is None or not p.recorded:
        return resp
    result: str | None
    if 300 <= resp.status_code < 400:
        result = resp.location
    else:
        back = request.referrer or ""
        base = request.host_url.rstrip("/")
        result = back[len(base) :] if back.startswith(base + "/") else None
    said = [m for c, m in session.get("_flashes", []) if c != "error"]
    s = db()
    s.rollback()  # nothing of the request is pending now; do not hold a read open
    s.execute(
        update(FormSubmission)
        .where(FormSubmission.token == p.key)
        .values(result_url=result, done=said[-1] if said else None)
    )
    s.execute(delete(FormSubmission).where(FormSubmission.created_at < utcnow() - KEEP))
    s.commit()
    return resp


@bp.route("/submitted/<token>")
def submitted(token: str) -> Response:
    """Where a form's first press went (a second press answered before it was known)."""
    user = staff()
    row = db().get(FormSubmission, token)
    if row is None or row.user_id != user.id or not row.result_url:
        return redirect(url_for("ui.cases.cases"), 303)
    return redirect(row.result_url, 303)


def install(pages: Blueprint) -> None:
    """Every form of `pages` (and of the blueprints under it) is done once: its token checked
    before the view, recorded in the view's own commit, and where it went kept after it."""
    pages.add_app_template_global(token_field, "submission_field")
    pages.before_request(_one_time)
    pages.register_error_handler(AlreadyDone, _already_at_commit)
    pages.after_request(_where_it_went)
    for name, fn in (
        ("before_commit", _record),
        ("after_commit", _recorded),
        ("after_rollback", _not_recorded),
    ):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)

"""Signing in and out of the pages (the API takes bearer tokens instead)."""

from __future__ import annotations

from flask import (
    Blueprint,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from docsvc.auth import throttle
from docsvc.auth.credentials import end_sessions
from docsvc.web.context import browser_user, database, db, login_browser, settings

bp = Blueprint("signin", __name__)


@bp.route("/")
def home() -> Response:
    return redirect(url_for("ui.cases.cases") if browser_user() else url_for("ui.signin.login"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("login.html", error=None)
    attempt = throttle.sign_in(
        database(),
        request.form.get("username", ""),
        request.form.get("password", ""),
        # The peer's address; behind a proxy only when DOCSVC_PROXY_FIX says to trust it.
        request.remote_addr or "unknown",
        settings().secret_key,
    )
    if attempt.lockout is not None:
        page = render_template("login.html", error=attempt.lockout.message())
        return page, 429, {"Retry-After": str(attempt.lockout.seconds())}
    if attempt.user is None:
        error = "That user name and password do not match an active account."
        return render_template("login.html", error=error), 401
    login_browser(attempt.user)
    target = request.args.get("next", "")
    # Only same-site paths: never an open redirect, and nothing a Location header cannot carry
    # (a line break in it was a 500 after the session was made).
    if (
        not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or any(ch < " " or ch == "\x7f" for ch in target)
    ):
        target = url_for("ui.cases.cases")
    return redirect(target)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    user = browser_user()
    if user is not None:
        # Not only this browser's cookie: a copy saved before signing out stops working too.
        end_sessions(db(), user)
        db().commit()
    session.clear()
    return redirect(url_for("ui.signin.login"))

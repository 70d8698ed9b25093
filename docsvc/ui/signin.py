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

from docsvc.auth.credentials import check_login
from docsvc.web.context import browser_user, db, login_browser

bp = Blueprint("signin", __name__)


@bp.route("/")
def home() -> Response:
    return redirect(url_for("ui.cases.cases") if browser_user() else url_for("ui.signin.login"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    error = None
    if request.method == "POST":
        user = check_login(db(), request.form.get("username", ""), request.form.get("password", ""))
        if user is None:
            error = "That user name and password do not match an active account."
        else:
            login_browser(user)
            target = request.args.get("next", "")
            # Only same-site paths: never an open redirect.
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("ui.cases.cases")
            return redirect(target)
    return render_template("login.html", error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    session.clear()
    return redirect(url_for("ui.signin.login"))

"""Per-request state: the unit-of-work session and who is asking.

API calls authenticate with `Authorization: Bearer <token>`; browser pages with the session
cookie. No credentials means the public.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, request, session
from sqlalchemy.orm import Session

from docsvc.auth.credentials import user_for_token
from docsvc.auth.permissions import allowed
from docsvc.config import Settings
from docsvc.db import Database
from docsvc.documents.env import Env
from docsvc.errors import Forbidden, Unauthorized
from docsvc.models import User
from docsvc.store import Store


def database() -> Database:
    return current_app.extensions["docsvc.db"]


def settings() -> Settings:
    return current_app.extensions["docsvc.settings"]


def file_store() -> Store:
    return current_app.extensions["docsvc.store"]


def db() -> Session:
    """The request's unit of work. Reads (GET, HEAD) take no write lock on SQLite, so a slow
    page or a draft preview never holds up writers; other methods write and lock."""
    if "db" not in g:
        read_only = request.method in ("GET", "HEAD")
        maker = database().read_sessionmaker if read_only else database().sessionmaker
        g.db = maker()
    return g.db


def _lookup(fn: Callable[[Session], User | None]) -> User | None:
    """Who is asking, looked up in a short read-only session of its own (the request's own
    session has not begun yet, so no lock is taken before the handler decides)."""
    with database().read_session() as session:
        return fn(session)


def close_db(_exc: BaseException | None = None) -> None:
    sess = g.pop("db", None)
    if sess is not None:
        sess.rollback()  # anything not explicitly committed is dropped
        sess.close()


def api_user() -> User | None:
    if "api_user" not in g:
        header = request.headers.get("Authorization", "")
        user = None
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("send the API token as 'Authorization: Bearer <token>'.")
            user = _lookup(lambda s: user_for_token(s, token.strip()))
            if user is None:
                raise Unauthorized("the API token is unknown, revoked or its user disabled.")
        g.api_user = user
    return g.api_user


def browser_user() -> User | None:
    if "browser_user" not in g:
        user = None
        user_id = session.get("user_id")
        if user_id is not None:
            user = _lookup(lambda s: s.get(User, user_id))
            # Signing out, a new password or disabling raises the account's session version:
            # a cookie signed with an older one (saved before, or elsewhere) no longer works.
            if (
                user is None
                or user.disabled
                or session.get("session_version") != user.session_version
            ):
                session.clear()
                user = None
        g.browser_user = user
    return g.browser_user


def login_browser(user: User) -> None:
    session.clear()  # a new session (and CSRF token): nothing from before signing in carries on
    session["user_id"] = user.id
    session["session_version"] = user.session_version
    session.permanent = True


def require(user: User | None, permission: str) -> User:
    """401 for the public, 403 for a role that may not do this."""
    if user is None:
        raise Unauthorized("sign in or send an API token: this needs a staff account.")
    if not allowed(user.role, permission):
        raise Forbidden(f"the {user.role} role may not do this.")
    return user


def env() -> Env:
    return Env(file_store(), settings())

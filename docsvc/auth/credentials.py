"""Passwords (scrypt via Werkzeug) and API tokens (random, stored as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from docsvc.models import ApiToken, User
from docsvc.models.users import ROLES
from docsvc.timeutil import utcnow

TOKEN_PREFIX = "dsv_"
MIN_PASSWORD = 10


class CredentialError(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise CredentialError(f"a password needs at least {MIN_PASSWORD} characters")
    return generate_password_hash(password, method="scrypt")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    username: str,
    role: str,
    *,
    display_name: str | None = None,
    badge: str | None = None,
    password: str | None = None,
    jurisdictions: list[str] | None = None,
) -> User:
    if role not in ROLES:
        raise CredentialError(f"role must be one of: {', '.join(ROLES)}")
    if (
        not username
        or len(username) > 80
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        raise CredentialError("a user name is 1-80 letters, digits, '.', '-' or '_'")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise CredentialError(f"user '{username}' already exists")
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        badge=badge,
        password_hash=hash_password(password) if password else None,
        jurisdictions=jurisdictions,
        disabled=False,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def issue_token(session: Session, user: User) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            token_sha256=token_digest(token),
            label=token[:10],
            created_at=utcnow(),
        )
    )
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == token_digest(token)))
    if row is None or row.revoked_at is not None or row.user.disabled:
        return None
    return row.user


def revoke_token(session: Session, token: str) -> bool:
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == token_digest(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def check_login(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.disabled or not user.password_hash:
        # Hash anyway so a wrong user name takes as long as a wrong password.
        check_password_hash(generate_password_hash("x" * MIN_PASSWORD), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None

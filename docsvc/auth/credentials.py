"""Passwords (scrypt via Werkzeug) and API tokens (random, stored as SHA-256)."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select, update
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


# Checked against when there is no usable password (unknown name, disabled account, no
# password): made once per process with the same scrypt cost as a real one, so every sign-in
# does exactly one scrypt check and a name's existence cannot be told by timing. Nobody knows
# its password, and it is never stored.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(24))


def end_sessions(session: Session, user: User) -> None:
    """Every browser session of `user` stops working, wherever its cookie was saved: the one
    place sign-out, a password change and disabling raise the account's session version."""
    session.execute(
        update(User).where(User.id == user.id).values(session_version=User.session_version + 1)
    )


def set_password(session: Session, user: User, password: str) -> None:
    """A new password; sessions signed in with the old one end."""
    user.password_hash = hash_password(password)
    end_sessions(session, user)


def disable_user(session: Session, user: User) -> None:
    """No more sign-ins, API calls or open sessions for `user`."""
    user.disabled = True
    end_sessions(session, user)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_PHONE = re.compile(r"[0-9+() .\-xX]{3,40}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _contact(value: str | None) -> str | None:
    """A contact field as stored: trimmed, and None when blank (never printed as "None")."""
    value = (value or "").strip()
    return value or None


def create_user(
    session: Session,
    username: str,
    role: str,
    *,
    display_name: str | None = None,
    badge: str | None = None,
    password: str | None = None,
    jurisdictions: list[str] | None = None,
    title: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> User:
    """A staff account. `title`, `phone` and `email` are printed in the signature block of the
    notices the user issues; blank ones are left out."""
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
    title, phone, email = (_contact(v) for v in (title, phone, email))
    if title is not None and len(title) > 120:
        raise CredentialError("a title is at most 120 characters")
    if phone is not None and (len(phone) > 40 or not _PHONE.fullmatch(phone)):
        raise CredentialError(
            "a telephone number is digits, spaces and + ( ) - . x, at most 40 characters, "
            "such as (903) 546-6000 x 12"
        )
    if email is not None and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        raise CredentialError("an e-mail address looks like name@example.org")
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        badge=badge,
        title=title,
        phone=phone,
        email=email,
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
    """The active account with this name and password, else None. The same work on every
    path: one scrypt check, against the dummy hash where the account cannot sign in."""
    user = session.scalar(select(User).where(User.username == username))
    stored = None
    if user is not None and not user.disabled and user.password_hash:
        stored = user.password_hash
    matches = check_password_hash(stored or _DUMMY_HASH, password)
    return user if matches and stored else None

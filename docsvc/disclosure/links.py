"""A release's public link: whether it still works, revoking it (by hand, or when its request
is closed) and its expiry.

The public surface (docsvc/public.py) asks `follow` what a link gives; import-linter lets it
import this module and no other capability (pyproject.toml), so keep it small and free of
anything that could name the requester or the complainant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.errors import Conflict, Invalid, NotFound
from docsvc.models import DisclosureRequest, Jurisdiction, Release, User
from docsvc.profiles.loader import profile_of
from docsvc.timeutil import utcnow

TOKEN_MAX = 100  # tokens are 43 characters; a longer one is not looked up
LIVE, REVOKED, EXPIRED = "live", "revoked", "expired"
CLOSED_REASON = "The request was closed."
# The audit names the fields a revocation sets, never their values.
REVOKE_FIELDS = ("revoke_reason", "revoked_at", "revoked_by_id")


def state(rel: Release, now: datetime | None = None) -> str:
    """live, revoked or expired: revoked wins (it is final), then the expiry."""
    if rel.revoked_at is not None:
        return REVOKED
    if rel.expires_at is not None and (now or utcnow()) >= rel.expires_at:
        return EXPIRED
    return LIVE


@dataclass(frozen=True)
class Office:
    """Whom the public asks about a link that no longer works: the agency's records office,
    from its profile (never the requester, never the complainant)."""

    organization: str
    custodian: str | None
    address_lines: tuple[str, ...]
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class Followed:
    """What a link gives: the release while it works; else the office to ask (gone)."""

    release: Release | None
    office: Office | None

    @property
    def gone(self) -> bool:
        return self.release is None


def follow(session: Session, token: str) -> Followed | None:
    """The release at `token` if its link still works; `gone` with the office to ask if it was
    revoked or has expired; None if there is no such link."""
    if len(token) >= TOKEN_MAX:
        return None
    rel = session.scalar(select(Release).where(Release.token == token))
    if rel is None:
        return None
    if state(rel) == LIVE:
        return Followed(rel, None)
    return Followed(None, office_of(session, session.get_one(DisclosureRequest, rel.request_id)))


def office_of(session: Session, req: DisclosureRequest) -> Office:
    """The records office of the request's agency, from its profile's letterhead."""
    org = session.get(Jurisdiction, req.jurisdiction_code)
    if org is None:
        return Office(req.jurisdiction_code, None, (), None, None)
    data = profile_of(org).data
    head = data.get("letterhead") or {}
    custodian = data.get("records_custodian") or {}
    return Office(
        head.get("organization") or org.name,
        custodian.get("title"),
        tuple(head.get("address_lines") or ()),
        head.get("phone"),
        head.get("email"),
    )


def release_row(session: Session, req: DisclosureRequest) -> Release:
    rel = session.scalar(select(Release).where(Release.request_id == req.id))
    if rel is None:
        raise NotFound(f"request {req.id} has not been released.")
    return rel


def unrevoked(session: Session, req: DisclosureRequest) -> Release | None:
    """The request's release while its link is not revoked (working or expired): what closing
    the request revokes."""
    return session.scalar(
        select(Release).where(Release.request_id == req.id, Release.revoked_at.is_(None))
    )


def revoke(session: Session, user: User, req: DisclosureRequest, reason: str) -> Release:
    """Stop the link now, for good: whoever follows it is told to ask the records office.
    Audited with the fields set, never the reason's words."""
    rel = release_row(session, req)
    if rel.revoked_at is not None:
        raise Conflict("the public link is already revoked; a revoked link stays revoked.")
    _revoke(session, user, req, rel, reason)
    return rel


def _revoke(
    session: Session, user: User, req: DisclosureRequest, rel: Release, reason: str
) -> None:
    rel.revoked_at, rel.revoked_by_id, rel.revoke_reason = utcnow(), user.id, reason[:300]
    req.updated_at = utcnow()
    # On the request's trail, as its release is: one history per request.
    append(session, actor_of(user), "disclosure.revoke", "disclosure", req.id, fields=REVOKE_FIELDS)


def close(session: Session, user: User, req: DisclosureRequest, keep_link: bool) -> None:
    """Close the request; its public link is revoked with it unless the clerk keeps it.
    A request already closed stays as it is (closing again revokes nothing kept)."""
    if req.status == "closed":
        return
    req.status, req.updated_at = "closed", utcnow()
    rel = unrevoked(session, req)
    if rel is not None and not keep_link:
        _revoke(session, user, req, rel, CLOSED_REASON)


def check_expiry(expires_at: datetime | None, field: str = "expires_at") -> None:
    """An expiry is later than now (an expiry already past would publish nothing)."""
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid(
            "the link's expiry must be later than now; give a later date, or none.",
            {"field": field},
        )


def set_expiry(
    session: Session, user: User, req: DisclosureRequest, expires_at: datetime | None
) -> Release:
    """When the link stops working (None: it does not expire). A revoked link stays revoked;
    an expired one may be given a later expiry, which opens it again."""
    rel = release_row(session, req)
    if rel.revoked_at is not None:
        raise Conflict("the public link is revoked; a revoked link stays revoked.")
    check_expiry(expires_at)
    rel.expires_at, req.updated_at = expires_at, utcnow()
    append(
        session, actor_of(user), "disclosure.expiry", "disclosure", req.id, fields=["expires_at"]
    )
    return rel

"""Asking for a bundle, reading where it stands, and the custodian's certification."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.attachments.service import register_blob
from docsvc.audit import actor_of, append
from docsvc.auth.scope import of_a_case
from docsvc.bundles.certification import certification_pdf
from docsvc.documents.env import Env
from docsvc.errors import Conflict, Invalid, NotFound
from docsvc.jobs import queue
from docsvc.models import Bundle, Case, Job, User
from docsvc.timeutil import utcnow

BUILD_JOB = "bundle_build"
DEFAULT_VOLUME_MB = 25  # a common court cap on one filed PDF
PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$")


def request_bundle(session: Session, user: User, case: Case, data: dict[str, Any]) -> Bundle:
    prefix = data.get("bates_prefix") or f"{case.case_number}-"
    if not PREFIX.match(prefix):
        raise Invalid(
            "bates_prefix: 1 to 30 letters, digits, '.', '_' or '-', starting with a letter "
            "or digit (it is printed on every page)."
        )
    mb = data.get("max_volume_mb") or DEFAULT_VOLUME_MB
    if not 1 <= mb <= 2000:
        raise Invalid("max_volume_mb: between 1 and 2000.")
    start = data.get("bates_start") or 1
    if not 1 <= start <= 99_999_999:
        raise Invalid("bates_start: a whole number from 1 (continue a production's numbering).")
    court = data.get("court") or "state"
    if court not in ("state", "federal"):
        raise Invalid("court: 'state' or 'federal' (whose business-records rule certifies it).")
    bundle = Bundle(
        case_id=case.id,
        status="queued",
        redacted=bool(data.get("redacted")),
        bates_prefix=prefix,
        bates_start=start,
        max_volume_bytes=int(mb * 1024 * 1024),
        court=court,
        requested_by_id=user.id,
        requested_at=utcnow(),
    )
    session.add(bundle)
    session.flush()
    queue.enqueue(session.connection(), BUILD_JOB, bundle.id, {"user_id": user.id})
    append(
        session,
        actor_of(user),
        "bundle.request",
        "bundle",
        bundle.id,
        case_id=case.id,
        fields=["redacted"] if bundle.redacted else [],
    )
    session.flush()
    return bundle


def state_of(session: Session, bundle: Bundle) -> tuple[str, dict[str, Any] | None, str | None]:
    """(status, progress, error): the bundle's own status once finished, else its job's."""
    if bundle.status in ("done", "failed"):
        return bundle.status, None, bundle.error
    job: Job | None = queue.latest(session, BUILD_JOB, bundle.id)
    if job is None:
        return bundle.status, None, None
    if job.status == "failed":
        return (
            "failed",
            job.progress,
            "the build failed; ask for the bundle again, and tell the administrator if it "
            "fails again",
        )
    return ("building" if job.status == "running" else "queued"), job.progress, None


def certify(session: Session, env: Env, user: User, bundle: Bundle, title: str | None) -> Bundle:
    """The records custodian's certification of a built bundle, signed by `user`."""
    if bundle.status != "done":
        raise Conflict("the bundle is not built yet; certify it once it is done.")
    if bundle.certification_sha256 is not None:
        raise Conflict("the bundle is already certified; ask for a new bundle to certify again.")
    case = session.get(Case, bundle.case_id)
    if case is None:
        raise NotFound("no such bundle.")
    pdf = certification_pdf(session, env, case, bundle, user, title)
    stored = env.store.put_bytes(pdf)
    register_blob(session, stored.sha256, stored.size, "application/pdf")
    bundle.certification_sha256, bundle.certified_by_id = stored.sha256, user.id
    bundle.certified_at = utcnow()
    append(
        session,
        actor_of(user),
        "bundle.certify",
        "bundle",
        bundle.id,
        case_id=case.id,
        hashes={"certification": stored.sha256},
    )
    session.flush()
    return bundle


def find_bundle(session: Session, user: User, bundle_id: int) -> tuple[Bundle, Case]:
    """The bundle and its case, if `user` may see the case's jurisdiction; else not found."""
    return of_a_case(session, user, Bundle, bundle_id, f"no bundle {bundle_id}.")


def case_bundles(session: Session, case: Case, limit: int | None = None) -> list[Bundle]:
    """The case's bundles, newest first (the latest `limit` of them)."""
    stmt = select(Bundle).where(Bundle.case_id == case.id).order_by(Bundle.id.desc())
    return list(session.scalars(stmt if limit is None else stmt.limit(limit)))

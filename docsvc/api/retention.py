"""Legal holds and retention: what the schedules allow, the disposition queue, approvals,
execution in the background, and the certificates of destruction (records, attorneys)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from flask import Response, url_for
from flask_smorest import Blueprint
from sqlalchemy import select

from docsvc.api.attachments import send_stored
from docsvc.attachments.sniff import PDF
from docsvc.errors import NotFound
from docsvc.jobs import queue
from docsvc.models import Case, DispositionItem, DispositionRun, Hold, HoldScope, Job
from docsvc.retention import holds as holding
from docsvc.retention.disposition import approve, certified_run, propose
from docsvc.retention.evaluate import evaluate
from docsvc.retention.jobs import EXECUTE_JOB
from docsvc.retention.schemas import (
    ApproveIn,
    DispositionItemOut,
    ExecuteIn,
    HoldIn,
    HoldOut,
    HoldReleaseIn,
    ProposalOut,
    ProposeIn,
    RetentionJobOut,
    RetentionOut,
    RetentionQuery,
)
from docsvc.timeutil import utcnow
from docsvc.web.context import api_user, db, require, settings

blp = Blueprint("retention", __name__, description="Legal holds and retention (records, attorneys)")
SECURITY = [{"bearerAuth": []}]


def _today() -> date:
    return utcnow().date()


def hold_dict(session: Any, hold: Hold) -> dict[str, Any]:
    scope = [
        {"kind": k, "id": r}
        for k, r in session.execute(
            select(HoldScope.kind, HoldScope.ref_id).where(HoldScope.hold_id == hold.id)
        )
    ]
    ids = holding.hold_cases(session, hold.id)
    numbers = session.scalars(select(Case.case_number).where(Case.id.in_(ids))).all()
    return {
        "id": hold.id, "matter": hold.matter, "reason": hold.reason, "placed_at": hold.placed_at,
        "released_at": hold.released_at, "scope": scope, "case_numbers": sorted(numbers),
    }  # fmt: skip


@blp.route("/api/holds", methods=["POST"])
@blp.arguments(HoldIn)
@blp.response(201, HoldOut)
@blp.doc(security=SECURITY)
def place_hold(data: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Place a legal hold on cases, properties (every case on them) or parties (every case
    naming the person)."""
    user = require(api_user(), "holds")
    session = db()
    hold = holding.place(session, user, data)
    out = hold_dict(session, hold)
    session.commit()
    return out


@blp.route("/api/holds", methods=["GET"])
@blp.response(200, HoldOut(many=True))
@blp.doc(security=SECURITY)
def list_holds():  # type: ignore[no-untyped-def]
    require(api_user(), "holds")
    session = db()
    rows = session.scalars(select(Hold).order_by(Hold.released_at.is_not(None), Hold.id.desc()))
    return [hold_dict(session, h) for h in rows]


@blp.route("/api/holds/<int:hold_id>/release", methods=["POST"])
@blp.arguments(HoldReleaseIn)
@blp.response(200, HoldOut)
@blp.doc(security=SECURITY)
def release_hold(data: dict[str, Any], hold_id: int):  # type: ignore[no-untyped-def]
    """Release a hold (audited); what it covered may be changed and disposed of again."""
    user = require(api_user(), "holds")
    session = db()
    hold = holding.release(session, user, hold_id, data["reason"])
    out = hold_dict(session, hold)
    session.commit()
    return out


@blp.route("/api/retention", methods=["GET"])
@blp.arguments(RetentionQuery, location="query")
@blp.response(200, RetentionOut)
@blp.doc(security=SECURITY)
def retention_list(query: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Every case judged against its schedule on `as_of` (today): counts by verdict, and the
    cases of one verdict (default: eligible and blocked) with the reasons."""
    user = require(api_user(), "retention.list")
    as_of = query["as_of"] or _today()
    wanted = {query["verdict"]} if query["verdict"] else {"eligible", "blocked"}
    counts: Counter[str] = Counter()
    items = []
    for v in evaluate(db(), settings().data_dir, as_of):
        if not user.may_see_jurisdiction(v.jurisdiction):
            continue
        counts[v.verdict] += 1
        if v.verdict in wanted and len(items) < query["limit"]:
            items.append(v.as_dict())
    return {"as_of": as_of, "counts": dict(counts), "items": items}


@blp.route("/api/retention/propose", methods=["POST"])
@blp.arguments(ProposeIn)
@blp.response(200, ProposalOut)
@blp.doc(security=SECURITY)
def retention_propose(data: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Queue the eligible cases for approval (and withdraw queued ones no longer eligible)."""
    require(api_user(), "retention.execute")
    session = db()
    p = propose(session, settings().data_dir, data["as_of"] or _today())
    session.commit()
    return {"added": p.added, "cancelled": p.cancelled, "queued": p.queued}


def item_dict(item: DispositionItem) -> dict[str, Any]:
    return {
        "id": item.id, "case_number": item.case_number, "jurisdiction": item.jurisdiction_code,
        "series": item.series_code, "trigger_on": item.trigger_on.isoformat(),
        "eligible_on": item.eligible_on.isoformat(), "status": item.status,
        "required_roles": item.required_roles, "approvals": item.approvals,
        "authority": item.authority, "stub": item.stub, "note": item.note,
    }  # fmt: skip


@blp.route("/api/retention/queue", methods=["GET"])
@blp.response(200, DispositionItemOut(many=True))
@blp.doc(security=SECURITY)
def retention_queue():  # type: ignore[no-untyped-def]
    """Items proposed or approved, waiting for execution."""
    user = require(api_user(), "retention.approve")
    rows = db().scalars(
        select(DispositionItem)
        .where(DispositionItem.status.in_(("proposed", "approved")))
        .order_by(DispositionItem.id)
    )
    return [item_dict(i) for i in rows if user.may_see_jurisdiction(i.jurisdiction_code)]


@blp.route("/api/retention/approve", methods=["POST"])
@blp.arguments(ApproveIn)
@blp.response(200, DispositionItemOut(many=True))
@blp.doc(security=SECURITY)
def retention_approve(data: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Approve queued items for the caller's role (records; an attorney where the schedule
    asks for counsel's consent)."""
    user = require(api_user(), "retention.approve")
    session = db()
    items = approve(session, user, data["ids"])
    out = [item_dict(i) for i in items]
    session.commit()
    return out


@blp.route("/api/retention/execute", methods=["POST"])
@blp.arguments(ExecuteIn)
@blp.response(202, RetentionJobOut)
@blp.doc(security=SECURITY)
def retention_execute(data: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Destroy every approved item, in the background (progress at the job's URL)."""
    user = require(api_user(), "retention.execute")
    return queue_execution(user, data["as_of"] or _today())


def queue_execution(user: Any, as_of: date) -> dict[str, Any]:
    session = db()
    queue.enqueue(
        session.connection(), EXECUTE_JOB, 0, {"user_id": user.id, "as_of": as_of.isoformat()}
    )
    session.commit()
    job = queue.latest(session, EXECUTE_JOB, 0)
    assert job is not None
    return job_dict(job)


def job_dict(job: Job) -> dict[str, Any]:
    run_id = (job.progress or {}).get("run_id")
    run = db().get(DispositionRun, run_id) if run_id else None
    return {
        "id": job.id,
        "status": job.status,
        "progress": job.progress,
        "run": {
            "id": run.id,
            "destroyed": run.destroyed,
            "certificate_url": url_for("retention.certificate", run_id=run.id),
        }
        if run
        else None,
    }


@blp.route("/api/retention/jobs/<int:job_id>", methods=["GET"])
@blp.response(200, RetentionJobOut)
@blp.doc(security=SECURITY)
def retention_job(job_id: int):  # type: ignore[no-untyped-def]
    require(api_user(), "retention.list")
    job = db().get(Job, job_id)
    if job is None or job.kind != EXECUTE_JOB:
        raise NotFound(f"no disposition job {job_id}.")
    return job_dict(job)


@blp.route("/api/retention/runs/<int:run_id>/certificate", methods=["GET"])
@blp.doc(security=SECURITY, responses={200: {"description": "the certificate (PDF)"}})
def certificate(run_id: int) -> Response:
    """The certificate of destruction of a run (a retained record)."""
    run = certified_run(db(), require(api_user(), "retention.list"), run_id)
    return send_stored(
        run.certificate_sha256, PDF, f"certificate-of-destruction-{run_id}.pdf", "attachment"
    )

"""Legal holds and retention: what the schedules allow, the disposition queue, approvals,
execution in the background, and the certificates of destruction (records, attorneys)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response
from flask_smorest import Blueprint

from docsvc.retention import holds as holding
from docsvc.retention.disposition import approve, certified_run, propose, queued
from docsvc.retention.evaluate import judged
from docsvc.retention.jobs import execution_job, queue_execution
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
from docsvc.web.files import send_certificate
from docsvc.web.present import hold_dict, item_dict, job_dict

blp = Blueprint("retention", __name__, description="Legal holds and retention (records, attorneys)")
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _today() -> date:
    return utcnow().date()


@blp.route("/api/holds", methods=["POST"])
@blp.arguments(HoldIn)
@blp.response(201, HoldOut)
@blp.doc(security=SECURITY)
def place_hold(data: dict[str, Any]) -> dict[str, Any]:
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
def list_holds() -> list[dict[str, Any]]:
    """The holds in the caller's jurisdictions (each jurisdiction a hold reaches)."""
    user = require(api_user(), "holds")
    session = db()
    return [hold_dict(session, h) for h in holding.holds(session, user)]


@blp.route("/api/holds/<int:hold_id>/release", methods=["POST"])
@blp.arguments(HoldReleaseIn)
@blp.response(200, HoldOut)
@blp.doc(security=SECURITY)
def release_hold(data: dict[str, Any], hold_id: int) -> dict[str, Any]:
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
def retention_list(query: dict[str, Any]) -> dict[str, Any]:
    """Every case judged against its schedule on `as_of` (today): counts by verdict, and the
    cases of one verdict (default: eligible and blocked) with the reasons."""
    user = require(api_user(), "retention.list")
    as_of = query["as_of"] or _today()
    wanted = {query["verdict"]} if query["verdict"] else {"eligible", "blocked"}
    counts, items = judged(db(), settings().data_dir, user, as_of, wanted, query["limit"])
    return {"as_of": as_of, "counts": dict(counts), "items": items}


@blp.route("/api/retention/propose", methods=["POST"])
@blp.arguments(ProposeIn)
@blp.response(200, ProposalOut)
@blp.doc(security=SECURITY)
def retention_propose(data: dict[str, Any]) -> dict[str, Any]:
    """Queue the eligible cases of the caller's jurisdictions for approval (and withdraw
    queued ones no longer eligible)."""
    user = require(api_user(), "retention.execute")
    session = db()
    p = propose(session, settings().data_dir, data["as_of"] or _today(), user)
    session.commit()
    return {"added": p.added, "cancelled": p.cancelled, "queued": p.queued}


@blp.route("/api/retention/queue", methods=["GET"])
@blp.response(200, DispositionItemOut(many=True))
@blp.doc(security=SECURITY)
def retention_queue() -> list[dict[str, Any]]:
    """Items proposed or approved, waiting for execution."""
    user = require(api_user(), "retention.approve")
    return [item_dict(i) for i in queued(db(), user)[1]]


@blp.route("/api/retention/approve", methods=["POST"])
@blp.arguments(ApproveIn)
@blp.response(200, DispositionItemOut(many=True))
@blp.doc(security=SECURITY)
def retention_approve(data: dict[str, Any]) -> list[dict[str, Any]]:
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
def retention_execute(data: dict[str, Any]) -> dict[str, Any]:
    """Destroy every approved item of the caller's jurisdictions, in the background (progress
    at the job's URL)."""
    user = require(api_user(), "retention.execute")
    return job_dict(queue_execution(db(), user, data["as_of"] or _today()))


@blp.route("/api/retention/jobs/<int:job_id>", methods=["GET"])
@blp.response(200, RetentionJobOut)
@blp.doc(security=SECURITY)
def retention_job(job_id: int) -> dict[str, Any]:
    user = require(api_user(), "retention.list")
    return job_dict(execution_job(db(), user, job_id))


@blp.route("/api/retention/runs/<int:run_id>/certificate", methods=["GET"])
@blp.doc(security=SECURITY, responses={200: {"description": "the certificate (PDF)"}})
def certificate(run_id: int) -> Response:
    """The certificate of destruction of a run (a retained record)."""
    return send_certificate(certified_run(db(), require(api_user(), "retention.list"), run_id))

"""The retention page: what the schedules allow today and what blocks the rest, the disposition
queue with approvals, execution with its progress, certificates, and legal holds."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from docsvc.auth.permissions import allowed
from docsvc.errors import Invalid
from docsvc.jobs import queue
from docsvc.models import User
from docsvc.retention import holds as holding
from docsvc.retention.disposition import (
    approve,
    approved_count,
    approver_role,
    awaiting,
    case_numbers,
    certified_run,
    propose,
    queued,
    recent_runs,
)
from docsvc.retention.evaluate import judged
from docsvc.retention.jobs import APPROVE_JOB, latest_execution, queue_execution
from docsvc.retention.schemas import HoldIn
from docsvc.timeutil import utcnow
from docsvc.ui.base import Step, StepConfirm, form_step, staff
from docsvc.ui.forms import Ask, Field, Spec, ask, confirmed, load, pick, register
from docsvc.web.context import db, settings
from docsvc.web.files import send_certificate
from docsvc.web.present import hold_dict, item_dict

bp = Blueprint("retention", __name__)

SHOWN = 200


HOLD = register(
    "hold",
    Spec(
        (
            Field("matter", "Matter", required=True),
            Field("reason", "Reason", required=True),
            Field("case_numbers", "Case numbers", required=True, hint="Separated by commas."),
        )
    ),
)
HOLD_RELEASE = register("hold-release", Spec((Field("reason", "Reason for release"),)))
APPROVE = register("approve", Spec((Field("item", "Case files to approve", "check"),)))


def _page(errors: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    user = staff("retention.approve")
    s = db()
    today = utcnow().date()
    counts: Counter[str] = Counter()
    listed: list[dict[str, Any]] = []
    if allowed(user.role, "retention.list"):
        counts, listed = judged(s, settings().data_dir, user, today, limit=SHOWN)
    queued_count, waiting_items = queued(s, user, SHOWN)
    items = [item_dict(i) for i in waiting_items]
    active = holding.holds(s, user, active_only=True)
    return render_template(
        "retention.html",
        today=today,
        counts=counts,
        listed=listed,
        items=items,
        queued=queued_count,
        waiting=len(awaiting(s, user)),
        approving=queue.latest(s, APPROVE_JOB, user.id),
        runs=recent_runs(s, user),
        holds=[hold_dict(s, h) for h in active],
        job=latest_execution(s, user),
        role=approver_role(user),
        errors=errors or [],
    ), status


@bp.route("/retention")
def retention_page() -> tuple[str, int]:
    return _page()


def _act(
    permission: str,
    step: Step,
    done: str,
    form: tuple[str, Spec] | None = None,
    confirm: StepConfirm | None = None,
) -> ResponseReturnValue:
    return form_step(
        permission,
        step,
        done,
        url_for("ui.retention.retention_page"),
        _page,
        form=form,
        confirm=confirm,
    )


@bp.route("/retention/propose", methods=["POST"])
def retention_propose() -> ResponseReturnValue:
    return _act(
        "retention.execute",
        lambda s, user: propose(s, settings().data_dir, utcnow().date(), user),
        "Eligible case files queued for approval.",
    )


@bp.route("/retention/approve", methods=["POST"])
def retention_approve() -> ResponseReturnValue:
    ids = [int(v) for v in request.form.getlist("item") if v.isdigit()]

    def step(s: Session, user: User) -> None:
        if not ids:
            raise Invalid("tick the case files to approve.", {"field": "item"})
        approve(s, user, ids)

    def confirm(s: Session, user: User) -> Ask:
        numbers = case_numbers(s, user, ids)
        return Ask(
            f"Approve the destruction of {_files(len(ids))} as {approver_role(user)}"
            + (f": {', '.join(numbers)}?" if numbers else "?"),
            "Your approval is recorded in your name and cannot be taken back; once every "
            "approval a file needs is given, it is destroyed at the next disposition.",
            "Yes, approve",
        )

    return _act(
        "retention.approve",
        step,
        f"{len(ids)} approval(s) recorded.",
        ("approve", APPROVE),
        confirm if ids else None,
    )


def _files(n: int) -> str:
    return f"{n} case file{'s' if n != 1 else ''}"


@bp.route("/retention/approve-all", methods=["POST"])
def retention_approve_all() -> ResponseReturnValue:
    """Every queued file waiting for the user's role, approved in the background in batches
    (a city's first run may queue tens of thousands)."""
    user = staff("retention.approve")
    s = db()
    if not confirmed():
        return ask(
            Ask(
                f"Approve the destruction of all {_files(len(awaiting(s, user)))} that wait "
                f"for {approver_role(user)}?",
                "Each approval is recorded in your name and cannot be taken back; once every "
                "approval a file needs is given, it is destroyed at the next disposition.",
                "Yes, approve them all",
            ),
            url_for("ui.retention.retention_page"),
        )
    queue.enqueue(s.connection(), APPROVE_JOB, user.id, {"user_id": user.id})
    s.commit()
    flash("Approving every queued file that waits for you, in the background.")
    return redirect(url_for("ui.retention.retention_page"))


@bp.route("/retention/execute", methods=["POST"])
def retention_execute() -> ResponseReturnValue:
    user = staff("retention.execute")
    if not confirmed():
        return ask(
            Ask(
                f"Destroy the {_files(approved_count(db(), user))} approved for destruction?",
                "Their records, files and index entries are destroyed for good: only a stub "
                "and a certificate of destruction are kept. This cannot be undone.",
                "Yes, destroy them",
            ),
            url_for("ui.retention.retention_page"),
        )
    queue_execution(db(), user, utcnow().date())
    flash("Disposition started: approved case files are destroyed in the background.")
    return redirect(url_for("ui.retention.retention_page"))


@bp.route("/retention/holds", methods=["POST"])
def place_hold() -> ResponseReturnValue:
    numbers = [n.strip() for n in request.form.get("case_numbers", "").split(",") if n.strip()]
    raw = {**pick(request.form, "matter", "reason"), "case_numbers": numbers}

    def step(s: Session, user: User) -> None:
        data, problems = load(HoldIn(), raw, "hold", HOLD)  # the API's rules, limits included
        if data is None:
            raise Invalid(" ".join(problems))
        if not numbers:
            raise Invalid("give the case numbers the hold covers.", {"field": "case_numbers"})
        holding.place(s, user, data)

    return _act("holds", step, "Hold placed.", ("hold", HOLD))


@bp.route("/retention/holds/<int:hold_id>/release", methods=["POST"])
def release_hold(hold_id: int) -> ResponseReturnValue:
    reason = request.form.get("reason", "").strip() or None
    return _act(
        "holds",
        lambda s, user: holding.release(s, user, hold_id, reason),
        f"Hold {hold_id} released.",
        (f"hold-release-{hold_id}", HOLD_RELEASE),
    )


@bp.route("/retention/runs/<int:run_id>/certificate.pdf")
def retention_certificate(run_id: int) -> Response:
    return send_certificate(certified_run(db(), staff("retention.list"), run_id))

"""Court bundle pages: ask for one from the case page, follow its build, download its volumes
and manifest, and (records) certify it as custodian."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from docsvc.bundles import service
from docsvc.bundles.certification import certifier, rule_for
from docsvc.bundles.schemas import BundleIn
from docsvc.bundles.service import find_bundle
from docsvc.cases.service import case_profile, get_case
from docsvc.documents.env import Env
from docsvc.errors import DocsvcError, Invalid
from docsvc.jobs import queue
from docsvc.ui.base import render_case, staff
from docsvc.ui.forms import (
    CANCELLED,
    Ask,
    Field,
    Spec,
    ask,
    cancelled,
    confirmed,
    form_for,
    kept,
    load,
    pick,
    refused,
    register,
)
from docsvc.web.context import db, file_store, settings
from docsvc.web.files import send_certification, send_manifest, send_volume
from docsvc.web.present import bundle_dict

bp = Blueprint("bundles", __name__)


BUNDLE = register(
    "bundle",
    Spec(
        (
            Field("bates_prefix", "Bates prefix"),
            Field("bates_start", "First Bates number", "number"),
            Field("max_volume_mb", "Largest volume, MB", "number"),
            Field("court", "Court", "choice"),
            Field("redacted", "Redacted for service on the respondent", "check"),
        ),
        BundleIn,
    ),
)


CERTIFY = register(
    "certify",
    Spec(
        (
            Field(
                "title",
                "Your title",
                required=False,
                hint="As it is to appear under your signature; empty: the profile's custodian "
                "title.",
            ),
        )
    ),
)


@bp.route("/cases/<case_number>/bundles", methods=["POST"])
def request_bundle(case_number: str) -> ResponseReturnValue:
    user = staff("bundles")
    s = db()
    case = get_case(s, user, case_number)
    # Empty fields are not given: the service's defaults apply, as they do for the API.
    raw: dict[str, Any] = pick(
        request.form, "bates_prefix", "bates_start", "max_volume_mb", "court"
    )
    raw["redacted"] = request.form.get("redacted") == "on"
    data, _ = load(BundleIn(), raw, "bundle", BUNDLE)  # a refusal comes back beside its field
    if data is not None:
        try:
            bundle = service.request_bundle(s, user, case, data)
            s.commit()
            flash(f"Bundle {bundle.id} asked for: it is built in the background.")
            return redirect(url_for("ui.bundles.bundle_page", bundle_id=bundle.id))
        except DocsvcError as exc:
            s.rollback()
            refused("bundle", BUNDLE, exc)
    return render_case(case, user, status=422)


def _page(bundle_id: int, errors: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    user = staff("bundles")
    s = db()
    bundle, case = find_bundle(db(), user, bundle_id)
    shown = bundle_dict(bundle, case)
    job = (
        queue.latest(s, service.BUILD_JOB, bundle.id)
        if shown["status"] in ("queued", "building")
        else None
    )
    profile = case_profile(s, case)
    try:
        rule = rule_for(settings().data_dir, profile, bundle.court)["rule"]
    except Invalid:
        rule = None  # the page says so; certifying refuses with the reason
    return render_template(
        "bundle.html",
        bundle=shown,
        case_number=case.case_number,
        job=job,
        court_rule=rule,
        again={
            "bates_prefix": bundle.bates_prefix,
            "bates_start": bundle.bates_start,
            "max_volume_mb": f"{bundle.max_volume_bytes / 1024 / 1024:g}",
            "court": bundle.court,
            "redacted": bundle.redacted,
        },
        certifier=certifier(s, bundle),
        certified_at=bundle.certified_at,
        zone=profile.zone,
        certify=form_for("certify", CERTIFY),
        errors=errors or [],
    ), status


@bp.route("/bundles/<int:bundle_id>")
def bundle_page(bundle_id: int) -> tuple[str, int]:
    return _page(bundle_id)


@bp.route("/bundles/<int:bundle_id>/volumes/<int:number>.pdf")
def bundle_volume(bundle_id: int, number: int) -> Response:
    user = staff("bundles")
    return send_volume(user, *find_bundle(db(), user, bundle_id), number, "ui")


@bp.route("/bundles/<int:bundle_id>/manifest.json")
def bundle_manifest(bundle_id: int) -> Response:
    user = staff("bundles")
    return send_manifest(user, *find_bundle(db(), user, bundle_id), "ui")


@bp.route("/bundles/<int:bundle_id>/certification.pdf")
def bundle_certification(bundle_id: int) -> Response:
    return send_certification(*find_bundle(db(), staff("bundles"), bundle_id))


@bp.route("/bundles/<int:bundle_id>/certify", methods=["POST"])
def certify_bundle(bundle_id: int) -> ResponseReturnValue:
    user = staff("bundles.certify")
    s = db()
    bundle, case = find_bundle(db(), user, bundle_id)
    title = request.form.get("title", "").strip() or None
    if cancelled():  # back from the confirmation: the form as typed
        kept("certify", CERTIFY)
        flash(CANCELLED)
        return _page(bundle_id)
    if len(title or "") > 200:
        refused("certify", CERTIFY, {"title": ["give a title of at most 200 characters."]})
        return _page(bundle_id, status=422)
    # A signature in the custodian's name cannot be taken back: ask first. What the service
    # would refuse (not built, certified already) is said at once, before asking.
    if not confirmed() and bundle.status == "done" and bundle.certification_sha256 is None:
        try:
            rule_for(settings().data_dir, case_profile(s, case), bundle.court)
        except Invalid as exc:
            refused("certify", CERTIFY, exc)
            return _page(bundle_id, status=exc.status)
        return ask(
            Ask(
                f"Certify bundle {bundle.id} of case {case.case_number} as custodian?",
                "The certification is signed in your name and attached to the bundle: it "
                "cannot be withdrawn or changed afterwards. A correction is a new bundle, "
                "certified again.",
                "Yes, certify it",
            ),
            url_for("ui.bundles.bundle_page", bundle_id=bundle_id),
            keep=True,
        )
    try:
        service.certify(s, Env(file_store(), settings()), user, bundle, title)
        s.commit()
    except DocsvcError as exc:
        s.rollback()
        refused("certify", CERTIFY, exc)
        return _page(bundle_id, status=exc.status)
    flash("Certified: the certification is signed in your name as custodian.")
    return redirect(url_for("ui.bundles.bundle_page", bundle_id=bundle_id))

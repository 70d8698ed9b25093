"""What every page shares: who is signed in (`staff`), what every template sees, the case page
that most forms come back to, and the two ways a form is handled (`form_step`, `case_action`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from marshmallow import Schema
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from docsvc.auth import scope
from docsvc.auth.permissions import PERMISSIONS, allowed
from docsvc.auth.routes import ROUTES
from docsvc.bundles import service as bundles
from docsvc.cases import location
from docsvc.cases import service as cases
from docsvc.documents import elements, naming
from docsvc.documents import service as documents
from docsvc.errors import DocsvcError
from docsvc.followup.clocks import clocks_view
from docsvc.followup.contact import METHODS as CONTACT_METHODS
from docsvc.followup.next_actions import next_actions, next_clock, priority_words
from docsvc.followup.timeline import case_timeline
from docsvc.followup.view import referrals_and_permits
from docsvc.identity import guard
from docsvc.labels import BY_KIND, label
from docsvc.models import (
    Case,
    Jurisdiction,
    User,
)
from docsvc.models.cases import (
    CASE_STATUSES,
    CHANNELS,
    CLOSURE_REASONS,
    DISCLOSURE_PREFERENCES,
    ORIGINS,
    PARTY_ROLES,
    REFUSAL_REASONS,
)
from docsvc.models.documents import RECEIPT_STATUSES
from docsvc.models.files import ATTACHMENT_KINDS
from docsvc.profiles.loader import profile_of
from docsvc.profiles.model import Profile
from docsvc.ui.forms import (
    CANCELLED,
    Ask,
    Spec,
    ask,
    bound_form,
    cancelled,
    confirmed,
    form_for,
    kept,
    load,
    local_now,
    refused,
)
from docsvc.web.context import browser_user, db, env, require
from docsvc.web.present import bundle_dict, case_detail, document_dict

CHOICES = {
    "statuses": CASE_STATUSES,
    "channels": CHANNELS,
    "origins": ORIGINS,
    "preferences": DISCLOSURE_PREFERENCES,
    "party_roles": PARTY_ROLES,
    "refusal_reasons": REFUSAL_REASONS,
    "closure_reasons": CLOSURE_REASONS,
    "attachment_kinds": ATTACHMENT_KINDS,
    "receipt_statuses": RECEIPT_STATUSES,
    "contact_methods": CONTACT_METHODS,
}

# The callbacks a page hands to `form_step` and `case_action`.
Step = Callable[[Session, User], object]  # does the form's work; what it returns is unused
StepConfirm = Callable[[Session, User], Ask]  # the question before a step that cannot be undone
Reshow = Callable[[list[str], int], ResponseReturnValue]  # the page again: (errors, status)
# The posted form and the case's zone -> what the schema loads.
Build = Callable[[MultiDict[str, str], ZoneInfo], dict[str, Any]]
Act = Callable[[Session, User, Case, dict[str, Any]], object]  # (session, user, case, data)
ActConfirm = Callable[[Case, dict[str, Any]], Ask]  # (case, data) -> the question
CaseReshow = Callable[[str, int], ResponseReturnValue]  # the page again: (case number, status)


def staff(permission: str = "cases.read") -> User:
    user = browser_user()
    if user is None:
        abort(redirect(url_for("ui.signin.login", next=request.full_path)))
    return require(user, permission)


@dataclass(frozen=True)
class Page:
    """A page in the navigation only for a user one of whose jurisdictions' profiles keeps
    what it is about (a patrol plan, an enforcement fund)."""

    label: str
    endpoint: str
    keeps: Callable[[Profile], object]  # the profile's rule, or None where it keeps none
    per_jurisdiction: bool = False  # the endpoint takes `code`: one link per such jurisdiction


PAGES: list[Page] = []


def in_navigation(
    label: str,
    endpoint: str,
    keeps: Callable[[Profile], object],
    *,
    per_jurisdiction: bool = False,
) -> None:
    """Called once by the page module that draws the page."""
    PAGES.append(Page(label, endpoint, keeps, per_jurisdiction))


def _navigation(user: User) -> list[tuple[str, str]]:
    """The (words, address) of each registered page the user's jurisdictions keep."""
    jurisdictions = [(j, profile_of(j)) for j in visible_jurisdictions(user)]
    links = []
    for page in PAGES:
        needs = ROUTES[page.endpoint].permission
        if needs is not None and not allowed(user.role, needs):
            continue  # never offered to a role the page would refuse (the routes table says)
        kept = [j for j, profile in jurisdictions if page.keeps(profile)]
        if not kept:
            continue
        if not page.per_jurisdiction:
            links.append((page.label, url_for(page.endpoint)))
            continue
        for j in kept:
            text = page.label if len(kept) == 1 else f"{page.label} · {j.name}"
            links.append((text, url_for(page.endpoint, code=j.code)))
    return links


def who_may(endpoint: str) -> str:
    """The roles the routes table lets through `endpoint`, in words: 'Officers and
    administrators'."""
    permission = ROUTES[endpoint].permission
    if permission is None:
        return "Anyone"
    named = [words for role, words in BY_KIND["roles"].items() if role in PERMISSIONS[permission]]
    said = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
    return said[:1].upper() + said[1:]


def page_context() -> dict[str, Any]:
    """What every page template sees."""
    user = browser_user()
    return {
        "current_user": user,
        # Asked by the navigation only, when a page is drawn for someone signed in.
        "profile_pages": lambda: _navigation(user) if user is not None else [],
        "can": (lambda perm: user is not None and allowed(user.role, perm)),
        "choices": CHOICES,
        "form_for": form_for,
        "refused_form": bound_form(),
        # A select's options from codes: the code is sent, its words are shown.
        "options": lambda codes: [(c, label(c)) for c in codes],
    }


def visible_jurisdictions(user: User) -> list[Jurisdiction]:
    return scope.visible_jurisdictions(db(), user)


def render_case(
    case: Case,
    user: User,
    *,
    reveal: bool = False,
    errors: list[str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    s = db()
    profile = cases.case_profile(s, case)
    who = guard.view_identity(s, user, case, "ui.case.reveal") if reveal else None
    if reveal:
        s.commit()
    clocks = clocks_view(s, case)
    # The header's next steps and the case's own (its API shape) come from one reading.
    actions = next_actions(s, case, user, clocks)
    detail = case_detail(s, case, profile, user, who, clocks=clocks, actions=actions)
    return render_template(
        "case.html",
        case=detail,
        profile=profile.data,
        zone=profile.zone,
        violation_types=profile.data["violation_types"],
        violation_options=[(t["code"], t["title"]) for t in profile.data["violation_types"]],
        # Newest first, in words, the complainant masked (followup/timeline.py).
        timeline=case_timeline(s, case, profile),
        now_local=local_now(profile.zone),
        clocks=clocks,
        # The header's next steps and next deadline, from the clocks just computed.
        next_actions=actions,
        next_clock=next_clock(clocks, profile.zone),
        priority_words=priority_words(clocks["priority"]),
        # Referrals and permits: each part only where the profile has its rule.
        followup=referrals_and_permits(s, case, profile),
        documents=case_documents(case),
        bundles=case_bundles(s, user, case),
        # Drawn from the property's own point and outline (escaped there): no tile server.
        location_map=Markup(drawn) if (drawn := location.sketch(case.property)) else None,
        location_typed=location.as_typed(case.property),
        revealed=reveal,
        errors=errors or [],
    ), status


def form_step(
    permission: str,
    step: Step,
    done: str,
    success: str,
    reshow: Reshow,
    *,
    confirm: StepConfirm | None = None,
    form: tuple[str, Spec] | None = None,
) -> ResponseReturnValue:
    """Run `step(session, user)` for a page's form and commit, then go to `success` with `done`
    flashed; or roll back and re-show the page (`reshow(errors, status)`) with the reason,
    filed under its input when `form` (key, spec) says which form it was.

    With `confirm(session, user)` -> Ask, the step cannot be undone: without `confirmed=yes`
    it is run and rolled back (so a refusal is heard at once), and the page asks first; its
    Cancel re-shows the page with the form as typed."""
    user = staff(permission)
    s = db()
    if confirm is not None and cancelled():
        if form is not None:
            kept(*form)
        flash(CANCELLED)
        return reshow([], 200)
    try:
        question = confirm(s, user) if confirm is not None and not confirmed() else None
        step(s, user)
        if question is not None:
            s.rollback()  # checked, not done: nothing is kept until confirmed
            return ask(question, success, keep=form is not None)
        s.commit()
        flash(done)
    except DocsvcError as exc:
        s.rollback()
        mine = bound_form()
        # A schema's refusal is already filed by field (`load` with the spec).
        if form is not None and (mine is None or mine.key != form[0]):
            refused(form[0], form[1], exc)
        return reshow([exc.message], exc.status)
    return redirect(success)


def case_action(
    case_number: str,
    schema: Schema,
    build: Build,
    act: Act,
    done: str,
    *,
    form: str,
    spec: Spec,
    page: str = "ui.cases.case_page",
    anchor: str = "",
    reshow: CaseReshow | None = None,
    confirm: ActConfirm | None = None,
) -> ResponseReturnValue:
    """Validate a case's form with the API schema, run the service, or re-show the page
    (`reshow(case_number, status)`; by default the case page) with the form as refused.

    With `confirm(case, data)` -> Ask, the step cannot be undone: without `confirmed=yes` it
    is run and rolled back (every check made) and the confirmation page asks."""
    user = staff("cases.write")
    s = db()
    if confirm is not None and cancelled():  # back from the confirmation: the form as typed
        kept(form, spec)
        flash(CANCELLED)
        if reshow is not None:
            return reshow(case_number, 200)
        return render_case(cases.get_case(s, user, case_number), user)
    case = cases.get_case(s, user, case_number, for_update=True)
    zone = cases.case_profile(s, case).zone
    data, _ = load(schema, build(request.form, zone), form, spec)
    status = 422
    if data is not None:
        try:
            question = confirm(case, data) if confirm is not None and not confirmed() else None
            act(s, user, case, data)
            back = url_for(page, case_number=case_number) + anchor
            if question is not None:
                s.rollback()  # checked, not done: nothing is kept until confirmed
                return ask(question, back, keep=True)
            s.commit()
            flash(done)
            return redirect(back)
        except DocsvcError as exc:
            s.rollback()
            refused(form, spec, exc)
            status = exc.status
    if reshow is not None:
        return reshow(case_number, status)
    return render_case(cases.get_case(s, user, case_number), user, status=status)


def case_documents(case: Any) -> list[dict[str, Any]]:
    """The case's documents for the case page, with recipients named for staff."""
    s = db()
    out = []
    parties = {p.id: p for p in case.parties}
    profile = cases.case_profile(s, case)
    violations = {v.id: v for v in cases.case_violations(s, case)}
    for d in documents.case_documents(s, case):
        item = document_dict(d, case)
        item["recipient_label"] = (
            parties[d.recipient_party_id].name if d.recipient_party_id else "the complainant"
        )
        item["methods"] = profile.document_types[d.type]["service_methods"]
        # Told apart at a glance: its number and the violations it names (frozen when issued).
        item["name"] = naming.name(item["title"], d.id)
        item["number"] = naming.number(item["title"], d.id)
        frozen = (d.context or {}).get("violations")
        item["violation_titles"] = (
            [v["title"] for v in frozen]
            if frozen is not None
            else [
                label(violations[i].violation_type, profile=profile)
                for i in d.violation_ids
                if i in violations
            ]
        )
        if d.status == "draft":
            item["missing_labels"] = [
                elements.label(d.type, m) for m in documents.gaps(s, env(), staff(), d, case)
            ]
        out.append(item)
    return out


LISTED = 20  # a case is bundled a handful of times; the API lists every one


def case_bundles(session: Session, user: User, case: Case) -> list[dict[str, Any]]:
    """The case's latest bundles for the case page's card (empty for a role without access)."""
    if not allowed(user.role, "bundles"):
        return []
    return [bundle_dict(b, case) for b in bundles.case_bundles(session, case, LISTED)]

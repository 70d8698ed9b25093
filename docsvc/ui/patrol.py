"""The patrol plan's page (Lee's Summit II.B.1): each area of the jurisdictions whose profile
asks for a yearly review of every property, with this year's coverage, and the forms to add an
area, to place a property in one by its address and to record a review from the street."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from docsvc.cases import patrol
from docsvc.profiles.loader import profile_of
from docsvc.reports.schemas import PatrolAreaIn, PatrolAreaQuery, PatrolAssignIn, PatrolReviewIn
from docsvc.timeutil import utcnow
from docsvc.ui.base import form_step, in_navigation, staff, visible_jurisdictions
from docsvc.ui.forms import Field, Spec, load, pick, refused, register
from docsvc.web.context import db

bp = Blueprint("patrol", __name__)

AREA = register(
    "patrol-area",
    Spec(
        (
            Field("jurisdiction", "Jurisdiction", "choice"),
            Field("name", "Name", hint="How officers call it: a route, a ward, a neighbourhood."),
            Field("description", "Description", hint="Its bounds, in words."),
        ),
        PatrolAreaIn,
    ),
)
PLACE = register(
    "patrol-place",
    Spec(
        (
            Field(
                "address",
                "Address",
                path=("properties", "address"),
                required=True,
                hint="A property already in another area moves to this one.",
            ),
        ),
        PatrolAssignIn,
    ),
)
YEAR = register(
    "patrol-year",
    Spec(
        (Field("year", "Year", "number", hint="The calendar year of the reviews."),),
        PatrolAreaQuery,
    ),
)
REVIEW = register(
    "patrol-review",
    Spec(
        (
            Field(
                "address",
                "Property",
                hint="Add a property to the area first if it is not listed.",
            ),
            Field("reviewed_on", "Reviewed on", "date"),
            Field("outcome", "What was seen", "choice"),
            Field("note", "Note"),
        ),
        PatrolReviewIn,
    ),
)


def _patrolled(user: Any) -> list[Any]:
    """The user's jurisdictions whose profile keeps a patrol plan."""
    return [j for j in visible_jurisdictions(user) if patrol.patrol_rule(profile_of(j))]


in_navigation("Patrol", "ui.patrol.patrol_page", patrol.patrol_rule)


def _page(errors: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    user = staff()
    year = None
    try:
        year = PatrolAreaQuery().load(pick(request.args, "year")).get("year")
    except ValidationError as exc:
        # Beside the year's input, as typed (the query string is this form's values).
        refused("patrol-year", YEAR, exc, request.args)
    jurisdictions = []
    for j in _patrolled(user):
        profile = profile_of(j)
        jurisdictions.append(
            {
                "code": j.code,
                "name": j.name,
                "option": (j.code, j.name),
                "rule": patrol.patrol_rule(profile),
                # A review's date defaults to today where the area is, and is never later.
                "today": utcnow().astimezone(profile.zone).date().isoformat(),
            }
        )
    areas = patrol.areas_view(db(), user, None, year)
    for a in areas:
        # The review form picks one of the area's properties, reviewed this year or not, as the
        # server stores its address (the server still checks it is the area's).
        waiting = set(a["not_reviewed"])
        a["address_options"] = [
            (address, address if address in waiting else f"{address} (reviewed in {a['year']})")
            for address in a["addresses"]
        ]
    by_code = {
        j["code"]: [a for a in areas if a["jurisdiction"] == j["code"]] for j in jurisdictions
    }
    shown_year = year or (areas[0]["year"] if areas else utcnow().year)
    return render_template(
        "patrol.html",
        jurisdictions=jurisdictions,
        areas=by_code,
        year=shown_year,
        outcomes=patrol.REVIEW_OUTCOMES,
        errors=errors or [],
    ), (422 if year is None and request.args.get("year") else status)


@bp.route("/patrol")
def patrol_page() -> tuple[str, int]:
    """The areas with this year's coverage (or `?year=`)."""
    return _page()


def _reshow(errors: list[str], status: int) -> tuple[str, int]:
    return _page(errors, status)


@bp.route("/patrol/areas", methods=["POST"])
def add_area() -> ResponseReturnValue:
    staff("cases.write")
    data, _ = load(
        PatrolAreaIn(),
        pick(request.form, "jurisdiction", "name", "description"),
        "patrol-area",
        AREA,
    )
    if data is None:
        return _page(status=422)
    return form_step(
        "cases.write",
        lambda s, u: patrol.create_area(s, u, data),
        f"Patrol area '{data['name']}' added.",
        url_for("ui.patrol.patrol_page"),
        _reshow,
        form=("patrol-area", AREA),
    )


@bp.route("/patrol/areas/<int:area_id>/properties", methods=["POST"])
def place_property(area_id: int) -> ResponseReturnValue:
    user = staff("cases.write")
    area = patrol.get_area(db(), user, area_id)
    key = f"patrol-place-{area_id}"
    address = request.form.get("address", "").strip()
    if not address:
        refused(key, PLACE, {"address": ["Missing data for required field."]})
        return _page(status=422)
    data, _ = load(PatrolAssignIn(), {"properties": [{"address": address}]}, key, PLACE)
    if data is None:
        return _page(status=422)
    return form_step(
        "cases.write",
        lambda s, u: patrol.assign(s, u, patrol.get_area(s, u, area_id), data["properties"]),
        f"{address} is in the patrol area '{area.name}'.",
        url_for("ui.patrol.patrol_page") + f"#area-{area_id}",
        _reshow,
        form=(key, PLACE),
    )


@bp.route("/patrol/areas/<int:area_id>/reviews", methods=["POST"])
def record_review(area_id: int) -> ResponseReturnValue:
    user = staff("cases.write")
    patrol.get_area(db(), user, area_id)
    key = f"patrol-review-{area_id}"
    data, _ = load(
        PatrolReviewIn(),
        pick(request.form, "address", "reviewed_on", "outcome", "note"),
        key,
        REVIEW,
    )
    if data is None:
        return _page(status=422)
    return form_step(
        "cases.write",
        lambda s, u: patrol.record_review(s, u, patrol.get_area(s, u, area_id), data),
        f"Review of {data['address']} recorded.",
        url_for("ui.patrol.patrol_page") + f"#area-{area_id}",
        _reshow,
        form=(key, REVIEW),
    )

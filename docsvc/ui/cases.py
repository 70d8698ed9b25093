"""Server-rendered pages for officers, records staff and attorneys (tablet-friendly)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from docsvc.attachments.schemas import AttachmentForm
from docsvc.attachments.service import load_attachment
from docsvc.cases import location, service
from docsvc.cases.queries import find_cases, usual_jurisdiction
from docsvc.cases.schemas import (
    AggravatingIn,
    CaseIn,
    CloseIn,
    CorrectIn,
    InspectionIn,
    LocationIn,
    PartyIn,
    RefuseIn,
    ViolationIn,
)
from docsvc.errors import DocsvcError
from docsvc.models.cases import (
    CASE_STATUSES,
    INSPECTION_TEXT,
)
from docsvc.profiles.loader import find_jurisdiction, profile_of
from docsvc.ui.base import case_action, render_case, staff, visible_jurisdictions
from docsvc.ui.forms import (
    Ask,
    Field,
    Spec,
    form_for,
    load,
    local_now,
    local_to_iso,
    pick,
    refused,
    register,
)
from docsvc.web.context import db
from docsvc.web.files import serve_variant, store_upload
from docsvc.web.present import case_list_dict

bp = Blueprint("cases", __name__)


@bp.route("/cases")
def cases() -> str:
    user = staff()
    filters = {k: request.args.get(k, "").strip() for k in ("status", "jurisdiction", "address")}
    if filters["status"] not in CASE_STATUSES:
        filters["status"] = ""  # an unknown status from an old link lists every case
    page = max(1, request.args.get("page", 1, type=int) or 1)
    found = case_list_dict(
        find_cases(
            db(),
            user,
            status=filters["status"] or None,
            jurisdiction=filters["jurisdiction"] or None,
            address=filters["address"] or None,
            page=page,
        )
    )
    return render_template(
        "cases.html",
        results=found["results"],
        total=found["total"],
        page=page,
        filters=filters,
        jurisdictions=visible_jurisdictions(user),
    )


FOR_A_COMPLAINT = "Required when the case is from a complaint."
INTAKE = register(
    "intake",
    Spec(
        (
            Field("jurisdiction", "Jurisdiction", "choice"),
            Field("origin", "Origin", "choice"),
            Field(
                "origin_note", "Note on origin", hint="Patrol route, staff member, permit number."
            ),
            Field("address", "Address", path=("property.address", "property")),
            Field("parcel", "Parcel number", path=("property.parcel",)),
            Field("zoning", "Zoning", path=("property.zoning",)),
            # The complaint's own parts: required of a case from a complaint only, so not
            # `required` in the browser, where the origin chosen may make them optional (the
            # server's refusal says what is missing; the page's script marks them as needed).
            Field(
                "received_at",
                "Received",
                "datetime",
                ("complaint.received_at",),
                False,
                FOR_A_COMPLAINT,
            ),
            Field("channel", "Channel", "choice", ("complaint.channel",)),
            Field(
                "description",
                "What was reported",
                "text",
                ("complaint.description",),
                False,
                FOR_A_COMPLAINT,
            ),
            Field(
                "complaint_type",
                "Type of complaint",
                "choice",
                ("complaint.complaint_type",),
                False,
                "From the list of the jurisdiction chosen, where it keeps one.",
            ),
            Field("anonymous", "Anonymous complaint", "check", ("complaint.anonymous",)),
            Field(
                "discretion_approved_by",
                "Anonymous complaint approved by",
                path=("complaint.discretion_approved_by",),
                hint="Where the jurisdiction requires it.",
            ),
            # One input per factor of the chosen jurisdiction (factor-<jurisdiction>-<code>);
            # a message about any of them is shown beside the group.
            Field(
                "anonymous_factors",
                "Findings on the factors weighed",
                path=("complaint.anonymous_factors",),
                required=False,
            ),
            Field(
                "c_name",
                "Complainant name",
                path=("complaint.complainant.name", "complaint.complainant"),
            ),
            Field("c_phone", "Complainant phone", "tel", ("complaint.complainant.phone",)),
            Field("c_email", "Complainant email", "email", ("complaint.complainant.email",)),
            Field("c_address", "Complainant address", path=("complaint.complainant.address",)),
            Field(
                "disclosure_preference",
                "Complainant's wish on disclosure, stated now",
                "choice",
                ("complaint.disclosure_preference", "complaint"),
                False,
            ),
        ),
        CaseIn,
    ),
)


def _intake_dict(form: Any, zone: ZoneInfo) -> dict[str, Any]:
    data: dict[str, Any] = pick(form, "jurisdiction", "origin", "origin_note")
    data["property"] = pick(form, "address", "parcel", "zoning")
    if data.get("origin", "complaint") == "complaint" or form.get("description", "").strip():
        complaint = pick(
            form,
            "channel",
            "description",
            "disclosure_preference",
            "discretion_approved_by",
            "complaint_type",
        )
        complaint["received_at"] = local_to_iso(form.get("received_at", ""), zone)
        complaint["anonymous"] = form.get("anonymous") == "on"
        # The findings typed for the jurisdiction chosen; others' boxes are not its factors.
        prefix = f"factor-{data.get('jurisdiction', '')}-"
        factors = {
            k.removeprefix(prefix): v for k, v in pick(form, *form).items() if k.startswith(prefix)
        }
        if factors and complaint["anonymous"]:
            complaint["anonymous_factors"] = factors
        person = {k: v for k, v in pick(form, "c_name", "c_phone", "c_email", "c_address").items()}
        if person and not complaint["anonymous"]:
            complaint["complainant"] = {k[2:]: v for k, v in person.items()}
        data["complaint"] = complaint
    return data


@bp.route("/cases/new", methods=["GET", "POST"])
def new_case() -> ResponseReturnValue:
    user = staff("cases.write")
    jurisdictions = visible_jurisdictions(user)
    zones = {j.code: ZoneInfo(j.timezone) for j in jurisdictions}
    status = 200
    if request.method == "POST":
        s = db()
        row = find_jurisdiction(s, request.form.get("jurisdiction", ""))
        zone = ZoneInfo(row.timezone) if row else ZoneInfo("UTC")
        data, _ = load(CaseIn(), _intake_dict(request.form, zone), "intake", INTAKE)
        status = 422
        if data is not None:
            try:
                case = service.open_case(s, user, data)
                s.commit()
                flash(f"Case {case.case_number} opened.")
                return redirect(url_for("ui.cases.case_page", case_number=case.case_number))
            except DocsvcError as exc:
                s.rollback()
                refused("intake", INTAKE, exc)
                status = exc.status
    first = usual_jurisdiction(db(), user, [j.code for j in jurisdictions])
    # Received defaults to now where the case is (each jurisdiction's own now, for the
    # page's script to switch to when another is chosen).
    now = {code: local_now(zone) for code, zone in zones.items()}
    defaults = {
        "jurisdiction": first,
        "origin": "complaint",
        "received_at": now.get(first, ""),
        "channel": "web",
        "disclosure_preference": "unspecified",
    }
    return render_template(
        "case_new.html",
        jurisdictions=jurisdictions,
        now=now,
        # Each jurisdiction's complaint types and anonymous-complaint factors, as its profile
        # lists them (none: no list, no factors).
        intake_rules={j.code: profile_of(j).complaints for j in jurisdictions},
        form=form_for("intake", INTAKE, defaults),
    ), status


@bp.route("/cases/<case_number>")
def case_page(case_number: str) -> tuple[str, int]:
    user = staff()
    return render_case(service.get_case(db(), user, case_number), user)


@bp.route("/cases/<case_number>/complainant", methods=["POST"])
def reveal_complainant(case_number: str) -> tuple[str, int]:
    user = staff("complainant.view")
    return render_case(service.get_case(db(), user, case_number), user, reveal=True)


PARTY = register(
    "party",
    Spec(
        (
            Field("role", "Role", "choice"),
            Field("name", "Name"),
            Field("mailing_address", "Mailing address"),
            Field("phone", "Phone", "tel"),
            Field("email", "Email", "email"),
        ),
        PartyIn,
    ),
)


@bp.route("/cases/<case_number>/parties", methods=["POST"])
def add_party(case_number: str) -> ResponseReturnValue:
    return case_action(
        case_number,
        PartyIn(),
        lambda f, _z: pick(f, "role", "name", "mailing_address", "phone", "email"),
        service.add_party,
        "Party added.",
        form="party",
        spec=PARTY,
        anchor="#parties",
    )


VIOLATION = register(
    "violation",
    Spec(
        (
            Field("violation_type", "Type", "choice"),
            Field("description", "What you saw"),
            Field("observed_at", "Observed", "datetime"),
        ),
        ViolationIn,
    ),
)


@bp.route("/cases/<case_number>/violations", methods=["POST"])
def add_violation(case_number: str) -> ResponseReturnValue:
    def build(f: MultiDict[str, str], z: ZoneInfo) -> dict[str, Any]:
        d = pick(f, "violation_type", "description")
        d["observed_at"] = local_to_iso(f.get("observed_at", ""), z)
        return d

    return case_action(
        case_number,
        ViolationIn(),
        build,
        service.add_violation,
        "Violation recorded.",
        form="violation",
        spec=VIOLATION,
        anchor="#violations",
    )


CORRECT = register(
    "correct",
    Spec((Field("corrected_at", "Corrected", "datetime"), Field("method", "How")), CorrectIn),
)


@bp.route("/cases/<case_number>/violations/<int:violation_id>/correct", methods=["POST"])
def correct_violation(case_number: str, violation_id: int) -> ResponseReturnValue:
    def build(f: MultiDict[str, str], z: ZoneInfo) -> dict[str, Any]:
        return {"corrected_at": local_to_iso(f.get("corrected_at", ""), z), **pick(f, "method")}

    return case_action(
        case_number,
        CorrectIn(),
        build,
        lambda s, u, c, d: service.correct_violation(
            s, u, c, violation_id, d["corrected_at"], d["method"]
        ),
        "Violation marked corrected.",
        form=f"correct-{violation_id}",
        spec=CORRECT,
        anchor="#violations",
    )


INSPECTION = register(
    "inspection",
    Spec(
        (
            Field("investigator", "Investigator"),
            Field("visited_at", "Visited", "datetime"),
            Field("place", "Place"),
            # Either one: the schema asks for what was observed or, if nothing, the conditions.
            Field("violations_observed", "Violations observed", required=False),
            Field("conditions_observed", "If none, conditions observed", required=False),
            Field("witnesses", "Witnesses interviewed", required=False),
            Field("evidence", "Evidence obtained", required=False),
            Field("discussions", "Documented discussions", required=False),
            Field("action_needed", "Action needed to correct", required=False),
            Field("recommended_action", "Recommended enforcement and timeline"),
            Field("referrals", "Referrals", required=False),
            Field("m_what", "Measured: what", path=("measurements.0.what", "measurements")),
            Field("m_value", "Measured: value", "number", ("measurements.0.value",)),
            Field("m_unit", "Measured: unit", path=("measurements.0.unit",)),
            Field("m_where", "Measured: where taken", path=("measurements.0.where",)),
        ),
        InspectionIn,
    ),
)


@bp.route("/cases/<case_number>/inspections", methods=["POST"])
def add_inspection(case_number: str) -> ResponseReturnValue:
    def build(f: MultiDict[str, str], z: ZoneInfo) -> dict[str, Any]:
        d: dict[str, Any] = {k: f.get(k, "") for k in INSPECTION_TEXT}
        d["visited_at"] = local_to_iso(f.get("visited_at", ""), z)
        m = pick(f, "m_what", "m_value", "m_unit", "m_where")
        if m:
            d["measurements"] = [{k[2:]: v for k, v in m.items()}]
        return d

    return case_action(
        case_number,
        InspectionIn(),
        build,
        service.add_inspection,
        "Inspection report saved.",
        form="inspection",
        spec=INSPECTION,
        anchor="#inspections",
    )


REFUSE = register(
    "refuse",
    Spec(
        (Field("reason", "Refuse as", "choice"), Field("note", "Reason on record")),
        RefuseIn,
    ),
)


@bp.route("/cases/<case_number>/refuse", methods=["POST"])
def refuse(case_number: str) -> ResponseReturnValue:
    return case_action(
        case_number,
        RefuseIn(),
        lambda f, _z: pick(f, "reason", "note"),
        lambda s, u, c, d: service.refuse_case(s, u, c, d["reason"], d.get("note")),
        "Case refused.",
        form="refuse",
        spec=REFUSE,
        confirm=lambda c, d: Ask(
            f"Refuse case {c.case_number} at {c.property.address} as "
            f"{d['reason'].replace('_', ' ')}?",
            "The case is refused for good: nothing more can be recorded on it and it "
            "cannot be opened again.",
            "Yes, refuse the case",
        ),
    )


CLOSE = register(
    "close",
    Spec(
        (
            Field("reason", "Close as", "choice"),
            Field("resolution", "Resolution"),
            Field("follow_up", "Extenuating circumstances: inspect again after closure", "check"),
        ),
        CloseIn,
    ),
)


@bp.route("/cases/<case_number>/close", methods=["POST"])
def close(case_number: str) -> ResponseReturnValue:
    return case_action(
        case_number,
        CloseIn(),
        lambda f, _z: pick(f, "reason", "resolution") | {"follow_up": f.get("follow_up") == "on"},
        lambda s, u, c, d: service.close_case(
            s, u, c, d["reason"], d["resolution"], follow_up=d["follow_up"]
        ),
        "Case closed.",
        form="close",
        spec=CLOSE,
        confirm=lambda c, d: Ask(
            f"Close case {c.case_number} at {c.property.address} as "
            f"{d['reason'].replace('_', ' ')}?",
            "A closed case cannot be opened again: nothing more can be recorded on it."
            + (" A follow-up inspection is scheduled." if d["follow_up"] else ""),
            "Yes, close the case",
        ),
    )


AGGRAVATING = register(
    "aggravating",
    Spec(
        (Field("circumstances", "Aggravating circumstances", "check", required=False),),
        AggravatingIn,
    ),
)


@bp.route("/cases/<case_number>/aggravating", methods=["POST"])
def aggravating(case_number: str) -> ResponseReturnValue:
    return case_action(
        case_number,
        AggravatingIn(),
        lambda f, _z: {"circumstances": f.getlist("circumstances")},
        lambda s, u, c, d: service.set_aggravating(s, u, c, d["circumstances"]),
        "Aggravating circumstances saved.",
        form="aggravating",
        spec=AGGRAVATING,
        anchor="#clocks",
    )


LOCATION = register(
    "location",
    Spec(
        (
            Field("latitude", "Latitude", "number", hint="Degrees north, like 33.5187."),
            Field("longitude", "Longitude", "number", hint="Degrees east, like -96.4836."),
            Field(
                "parcel_outline",
                "Parcel outline",
                path=("parcel_outline",),
                required=False,
                hint="One corner a line, latitude then longitude: 33.5189, -96.4839.",
            ),
        ),
        LocationIn,
    ),
)


def _outline(text: str) -> Any:
    """The outline as typed (a corner a line), as the schema takes it; what does not read as
    numbers is passed on for the schema to refuse in words."""
    points: list[Any] = []
    for line in (x.strip() for x in text.splitlines()):
        if not line:
            continue
        parts = [p.strip() for p in line.replace(";", ",").split(",")]
        try:
            points.append([float(p) for p in parts])
        except ValueError:
            points.append(parts)
    return points or None


@bp.route("/cases/<case_number>/location", methods=["POST"])
def set_location(case_number: str) -> ResponseReturnValue:
    def build(f: MultiDict[str, str], _z: ZoneInfo) -> dict[str, Any]:
        d: dict[str, Any] = pick(f, "latitude", "longitude")
        d.setdefault("latitude", None)
        d.setdefault("longitude", None)
        d["parcel_outline"] = _outline(f.get("parcel_outline", ""))
        return d

    return case_action(
        case_number,
        LocationIn(),
        build,
        location.set_location,
        "Location saved.",
        form="location",
        spec=LOCATION,
        anchor="#location",
    )


UPLOAD = register(
    "upload",
    Spec(
        (
            Field("file", "Photo or document", "file", required=True),
            Field("kind", "Kind", "choice"),
            Field("caption", "Caption"),
            Field("supplied_by_complainant", "Supplied by the complainant", "check"),
        ),
        AttachmentForm,
    ),
)


@bp.route("/cases/<case_number>/attachments", methods=["POST"])
def upload(case_number: str) -> ResponseReturnValue:
    user = staff("cases.write")
    s = db()
    case = service.get_case(s, user, case_number, for_update=True)
    form, _ = load(
        AttachmentForm(),
        {
            "kind": request.form.get("kind", "photo"),
            **pick(request.form, "caption"),
            "supplied_by_complainant": request.form.get("supplied_by_complainant") == "on",
        },
        "upload",
        UPLOAD,
    )
    files = [f for f in request.files.getlist("file") if f and f.filename]
    status = 422
    if not files:
        refused("upload", UPLOAD, {"file": ["Missing data for required field."]})
    elif form is not None:
        try:
            for f in files:
                store_upload(user, case, f, form)
            s.commit()
            flash(f"{len(files)} file{'s' if len(files) != 1 else ''} added.")
            return redirect(url_for("ui.cases.case_page", case_number=case_number) + "#photos")
        except DocsvcError as exc:
            s.rollback()
            # What the file itself was refused for (type, size, pixels) is said beside it.
            refused("upload", UPLOAD, DocsvcError(exc.message, {"field": "file"}))
            status = exc.status
            case = service.get_case(s, user, case_number)
    return render_case(case, user, status=status)


@bp.route("/attachments/<int:attachment_id>/<variant>")
def attachment(attachment_id: int, variant: str) -> Response:
    user = staff()
    if variant not in ("original", "print", "thumb"):
        abort(404)
    att, case = load_attachment(db(), user, attachment_id)
    return serve_variant(user, att, case, variant, "ui")


@bp.route("/jurisdictions/<code>")
def jurisdiction(code: str) -> str:
    staff()
    row = find_jurisdiction(db(), code)
    if row is None:
        abort(404)
    return render_template("jurisdiction.html", profile=profile_of(row).data)

"""`docsvc demo`: demo users with fresh passwords, and a few realistic cases."""

from __future__ import annotations

import io
import secrets
from datetime import date, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.attachments.service import Upload, add_attachment
from docsvc.auth.credentials import create_user, issue_token, set_password
from docsvc.cases import location, patrol, service
from docsvc.config import Settings
from docsvc.models import Case, User
from docsvc.money import fund, ledger, settlements
from docsvc.reports import outreach
from docsvc.store import Store
from docsvc.timeutil import add_months, utcnow

# (username, role, display name, badge, title, telephone, e-mail): the last three print in the
# signature block of the notices each issues. Sample values (example.org is reserved).
DEMO_USERS = [
    (
        "officer",
        "officer",
        "Officer Dana Ruiz",
        "1047",
        "Code Compliance Officer",
        "(903) 546-6012",
        "dana.ruiz@example.org",
    ),
    (
        "records",
        "records",
        "Records Clerk Sam Lee",
        None,
        "Records Clerk",
        "(903) 546-6020",
        "records@example.org",
    ),
    ("attorney", "attorney", "City Attorney Jo Park", None, "City Attorney", None, None),
    ("admin", "admin", "Administrator", None, None, None, None),
]


def ensure_demo_users(session: Session) -> list[tuple[str, str, str, str]]:
    """(username, role, password, token) for each demo user; passwords are new every run."""
    out = []
    for username, role, display, badge, title, phone, email in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = create_user(
                session,
                username,
                role,
                display_name=display,
                badge=badge,
                password=password,
                title=title,
                phone=phone,
                email=email,
            )
        else:
            set_password(session, user, password)  # the old password's sessions end
            user.disabled = False
            # A demo database made before users had contact details gets them.
            user.title = user.title or title
            user.phone = user.phone or phone
            user.email = user.email or email
        out.append((username, role, password, issue_token(session, user)))
    return out


def ensure_demo_cases(session: Session, store: Store, settings: Settings) -> int:
    if session.scalar(select(Case.id).limit(1)) is not None:
        return 0
    officer = session.scalars(select(User).where(User.username == "officer")).one()
    now = utcnow()
    samples = [
        (
            "tom-bean-tx",
            "1418 Elm Street, Tom Bean, TX",
            "Tall grass and a pile of tires behind the garage.",
            "Maria O'Brien-Nguyễn",
            "nuisance-no-structure",
            (33.5187, -96.4836),
        ),
        (
            "los-gatos-ca",
            "25 University Avenue, Los Gatos, CA",
            "Gas leaf blower every morning at 7 am.",
            None,
            "leaf-blower-noise",
            (37.22655, -121.98205),
        ),
        (
            "jefferson-county-wa",
            "900 Discovery Road, Port Townsend, WA",
            "Junk vehicles accumulating in the front yard.",
            "Smith & Sons <LLC>",
            "junk-vehicle",
            (48.10570, -122.79370),
        ),
    ]
    made = {}
    for code, address, description, complainant, vtype, point in samples:
        complaint = {
            "received_at": now - timedelta(days=2),
            "channel": "web",
            "description": description,
            "anonymous": complainant is None,
            "disclosure_preference": "nondisclosure" if complainant else "unspecified",
        }
        # The type of complaint, where the profile keeps a list (Tom Bean VI.A.4, Los Gatos V.a.iv).
        kind = {"tom-bean-tx": "nuisance", "los-gatos-ca": "noise"}.get(code)
        if kind:
            complaint["complaint_type"] = kind
        if complainant:
            complaint["complainant"] = {"name": complainant, "phone": "(903) 555-0142"}
        case = service.open_case(
            session,
            officer,
            {
                "jurisdiction": code,
                "origin": "complaint",
                "property": {"address": address},
                "complaint": complaint,
            },
        )
        service.add_violation(
            session,
            officer,
            case,
            {
                "violation_type": vtype,
                "description": description,
                "observed_at": now - timedelta(days=1),
            },
        )
        _demo_location(session, officer, case, point)
        made[code] = case
    jc = made["jefferson-county-wa"]
    _demo_scan(session, store, settings, officer, jc)
    jc_today = now.astimezone(service.case_profile(session, jc).zone).date()
    _demo_money(session, officer, jc, jc_today)
    _demo_fund(session, officer, jc_today)
    ls = service.open_case(
        session,
        officer,
        {
            "jurisdiction": "lees-summit-mo",
            "origin": "patrol",
            "origin_note": "Annual street-front review, route 4",
            "property": {"address": "301 SE Main Street, Lee's Summit, MO"},
        },
    )
    _demo_location(session, officer, ls, (38.91085, -94.38160))
    _demo_patrol(session, officer, now.astimezone(service.case_profile(session, ls).zone).date())
    for kind, extra in (
        ("education", {"audience": "Neighbourhood association", "attendees": 24}),
        (
            "business_license_check",
            {"business_name": "Main Street Bakery", "license_status": "current"},
        ),
    ):
        outreach.record(
            session,
            officer,
            {
                "jurisdiction": "lees-summit-mo",
                "kind": kind,
                "occurred_on": now.date(),
                "description": "Demo: property maintenance basics"
                if kind == "education"
                else "Demo: annual licence check",
                **extra,
            },
        )
    return len(samples) + 1


DEMO_SCAN = (
    "Dear Code Enforcement,",
    "We will tow the two junk vehicles",
    "to the salvage yard by the end of",
    "the month. Harold Quimby, owner",
)


def _demo_scan(
    session: Session, store: Store, settings: Settings, officer: User, case: Case
) -> None:
    """A scanned letter with no text layer: the worker's OCR makes it searchable."""
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 44)
    page = Image.new("L", (1700, 700), 255)
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(DEMO_SCAN):
        draw.text((90, 90 + i * 110), line, fill=0, font=font)
    out = io.BytesIO()
    page.save(out, "PNG")
    out.seek(0)
    add_attachment(
        session,
        store,
        settings,
        officer,
        case,
        Upload(out, "owner-letter-scan.png", "image/png"),
        kind="correspondence",
        caption="Owner's letter (scanned)",
    )


def _demo_money(session: Session, officer: User, case: Case, today: date) -> None:
    """A penalty, a cost and a settlement, so the ledger and the settlements report show."""
    for kind, amount in (("penalty", "1500.00"), ("abatement_cost", "310.45")):
        ledger.add_entry(
            session,
            officer,
            case,
            {"kind": kind, "amount": Decimal(amount), "assessed_on": today - timedelta(days=1)},
        )
    settlements.enter(
        session,
        officer,
        case,
        {
            "entered_on": today,
            "approved_by": "Director, Community Development",
            "pay_amount": Decimal("500.00"),
            "deferred_amount": Decimal("750.00"),
            "deferred_until": add_months(today, 24),
            "cancel_amount": Decimal("250.00"),
            "compliance_through": add_months(today, 12),
            # Jefferson County's factors (Rule 5(a)(iii)): a finding on each.
            "factors": {
                "A": "Answered the notice of violation and met staff on site.",
                "B": "No hearing was held.",
                "C": "First violation on this property.",
                "D": "Removed most of the debris within a month.",
                "E": "None.",
            },
        },
    )


def _demo_location(session: Session, officer: User, case: Case, point: tuple[float, float]) -> None:
    """The property's point and a parcel about 30 by 20 metres around it, so the case page's
    location map shows."""
    lat, lon = point
    dlat, dlon = 0.0001, 0.0002
    outline = [
        [lat + dlat, lon - dlon],
        [lat + dlat, lon + dlon],
        [lat - dlat, lon + dlon],
        [lat - dlat, lon - dlon],
    ]
    location.set_location(
        session, officer, case, {"latitude": lat, "longitude": lon, "parcel_outline": outline}
    )


DEMO_PATROL = (
    "301 SE Main Street, Lee's Summit, MO",
    "305 SE Main Street, Lee's Summit, MO",
    "309 SE Main Street, Lee's Summit, MO",
    "12 SE 3rd Street, Lee's Summit, MO",
)


def _demo_patrol(session: Session, officer: User, today: date) -> None:
    """A Lee's Summit patrol area (II.B.1) with four properties, two reviewed this year, so
    the patrol page and the workload report show coverage."""
    area = patrol.create_area(
        session,
        officer,
        {
            "jurisdiction": "lees-summit-mo",
            "name": "Downtown, route 4",
            "description": "SE Main Street and SE 3rd Street, between Douglas and Green",
        },
    )
    patrol.assign(session, officer, area, [{"address": a} for a in DEMO_PATROL])
    # Within this calendar year, however early in January the demo runs.
    first = date(today.year, 1, 1)
    for address, days, outcome, note in (
        (DEMO_PATROL[0], 3, "violation_found", "Peeling paint and a broken window; case opened."),
        (DEMO_PATROL[1], 1, "no_violation", None),
    ):
        patrol.record_review(
            session,
            officer,
            area,
            {
                "address": address,
                "reviewed_on": max(today - timedelta(days=days), first),
                "outcome": outcome,
                **({"note": note} if note else {}),
            },
        )


def _demo_fund(session: Session, officer: User, today: date) -> None:
    """A deposit in Jefferson County's enforcement fund (Rule 6(a)(i)-(ii)): the fund page shows
    a balance."""
    fund.record(
        session,
        officer,
        "jefferson-county-wa",
        {
            "kind": "deposit",
            "amount": Decimal("2500.00"),
            "entry_on": today,
            "description": "Demo: civil penalties and abatement costs collected this quarter",
        },
    )

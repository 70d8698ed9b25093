"""`docsvc demo`: demo users with fresh passwords, and a few realistic cases."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.auth.credentials import create_user, hash_password, issue_token
from docsvc.cases import service
from docsvc.models import Case, User
from docsvc.timeutil import utcnow

DEMO_USERS = [
    ("officer", "officer", "Officer Dana Ruiz", "1047"),
    ("records", "records", "Records Clerk Sam Lee", None),
    ("attorney", "attorney", "City Attorney Jo Park", None),
    ("admin", "admin", "Administrator", None),
]


def ensure_demo_users(session: Session) -> list[tuple[str, str, str, str]]:
    """(username, role, password, token) for each demo user; passwords are new every run."""
    out = []
    for username, role, display, badge in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = create_user(
                session, username, role, display_name=display, badge=badge, password=password
            )
        else:
            user.password_hash = hash_password(password)
            user.disabled = False
        out.append((username, role, password, issue_token(session, user)))
    return out


def ensure_demo_cases(session: Session) -> int:
    if session.scalar(select(Case.id).limit(1)) is not None:
        return 0
    officer = session.scalar(select(User).where(User.username == "officer"))
    now = utcnow()
    samples = [
        (
            "tom-bean-tx",
            "1418 Elm Street, Tom Bean, TX",
            "Tall grass and a pile of tires behind the garage.",
            "Maria O'Brien-Nguyễn",
            "nuisance-no-structure",
        ),
        (
            "los-gatos-ca",
            "25 University Avenue, Los Gatos, CA",
            "Gas leaf blower every morning at 7 am.",
            None,
            "leaf-blower-noise",
        ),
        (
            "jefferson-county-wa",
            "900 Discovery Road, Port Townsend, WA",
            "Junk vehicles accumulating in the front yard.",
            "Smith & Sons <LLC>",
            "junk-vehicle",
        ),
    ]
    for code, address, description, complainant, vtype in samples:
        complaint = {
            "received_at": now - timedelta(days=2),
            "channel": "web",
            "description": description,
            "anonymous": complainant is None,
            "disclosure_preference": "nondisclosure" if complainant else "unspecified",
        }
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
    service.open_case(
        session,
        officer,
        {
            "jurisdiction": "lees-summit-mo",
            "origin": "patrol",
            "origin_note": "Annual street-front review, route 4",
            "property": {"address": "301 SE Main Street, Lee's Summit, MO"},
        },
    )
    return len(samples) + 1

"""The records custodian's certification of a bundle: the business-records rule of the
jurisdiction's state (or the federal rule), its statements filled from the case and the built
bundle, the volumes' and manifest's SHA-256, signed by the records user who certifies."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from docsvc.cases.service import case_profile
from docsvc.documents.env import Env
from docsvc.documents.pdf import html_environment, write_pdf
from docsvc.documents.templates import find, search_path
from docsvc.errors import Invalid
from docsvc.models import Bundle, Case, User
from docsvc.profiles.loader import records_dir
from docsvc.profiles.model import Profile
from docsvc.timeutil import utcnow

FILE = "court-certifications.yaml"


def rules(data_dir: Path) -> dict[str, Any]:
    """The certification rules: the city's confirmed file in DATA/records, else the shipped."""
    adopted = data_dir / "records" / FILE
    return _read(adopted if adopted.is_file() else records_dir() / FILE)


@cache
def _read(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def rule_for(data_dir: Path, profile: Profile, court: str) -> dict[str, Any]:
    """The rule a bundle for `court` ('state' or 'federal') is certified under."""
    key = "federal" if court == "federal" else profile.data["state"]
    rule = rules(data_dir)["rules"].get(key)
    if rule is None:
        raise Invalid(f"no business-records rule is on file for {key}; add it to {FILE}.")
    return rule


def certifier(session: Session, bundle: Bundle) -> User | None:
    """The records user who certified `bundle` (None: not certified)."""
    return session.get(User, bundle.certified_by_id) if bundle.certified_by_id else None


def certification_pdf(
    session: Session, env: Env, case: Case, bundle: Bundle, user: User, title: str | None
) -> bytes:
    profile = case_profile(session, case)
    rule = rule_for(env.settings.data_dir, profile, bundle.court)
    volumes = bundle.volumes
    agency = profile.data["letterhead"]["organization"]
    facts = {
        "agency": agency,
        "pages": bundle.pages,
        "first_bates": volumes[0].first_bates,
        "last_bates": volumes[-1].last_bates,
        "case_number": case.case_number,
    }
    custodian = profile.data["records_custodian"]
    html = (
        html_environment(search_path(case.jurisdiction_code, env.settings.data_dir))
        .get_template("_bundle/certification.html")
        .render(
            rule=rule,
            statements=[s.format(**facts) for s in rule["statements"]],
            sample=rules(env.settings.data_dir).get("form_status") == "sample",
            agency=agency,
            case=case,
            bundle=bundle,
            volumes=volumes,
            signer=user.display_name or user.username,
            title=title or custodian["title"],
            signed_on=utcnow().astimezone(profile.zone).date().isoformat(),
        )
    )
    return write_pdf(
        html, find(case.jurisdiction_code, env.settings.data_dir, "_bundle/bundle.css"), env.store
    )

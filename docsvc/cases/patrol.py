"""Community preservation, as the profile asks for it (Lee's Summit II.B):

- the patrol plan (`patrol`, II.B.1): the jurisdiction divided into areas, each property
  assigned to one and reviewed from the street at least once a calendar year; the coverage the
  workload report shows. A review is not part of any case file: it records that someone looked,
  case or no case.
- the community resources (`community_resources`, II.B.2): groups willing to help residents
  correct violations, listed on the notices the profile names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.auth.scope import visible, within
from docsvc.cases.normalize import address_key
from docsvc.cases.service import _find_or_create_property, jurisdiction_for
from docsvc.errors import Conflict, Invalid, NotFound
from docsvc.models import Jurisdiction, PatrolArea, Property, PropertyReview, User
from docsvc.profiles.loader import profile_of
from docsvc.profiles.model import Profile
from docsvc.timeutil import utcnow

REVIEW_OUTCOMES = ("no_violation", "violation_found", "no_access")
UNASSIGNED = "Not yet in any area"


def patrol_rule(profile: Profile) -> dict[str, Any] | None:
    """The profile's yearly review of every property, or None where its rules set none."""
    rule: dict[str, Any] | None = profile.data.get("patrol")
    return rule


def community_resources(profile: Profile, doc_type: str) -> dict[str, Any] | None:
    """What a notice of `doc_type` lists of the community resources (None where the profile
    keeps none, or does not list them on that notice)."""
    kept = profile.data.get("community_resources")
    if not kept or doc_type not in kept["on_notices"]:
        return None
    return {
        "items": [dict(item) for item in kept["items"]],
        "sample": kept["text_status"] == "sample",
        "citation": kept["citation"],
    }


def _with_rule(jurisdiction: Jurisdiction) -> dict[str, Any]:
    rule = patrol_rule(profile_of(jurisdiction))
    if rule is None:
        raise Invalid(
            f"{jurisdiction.name}'s rules set no patrol review of every property, so it keeps "
            "no patrol areas.",
            {"field": "jurisdiction"},
        )
    return rule


def create_area(session: Session, user: User, data: dict[str, Any]) -> PatrolArea:
    """An area of the patrol plan, its name unique in the jurisdiction."""
    jurisdiction = jurisdiction_for(session, user, data["jurisdiction"])
    _with_rule(jurisdiction)
    name = data["name"]
    taken = f"{jurisdiction.name} already has a patrol area named '{name}': choose another name."
    if session.scalar(
        select(PatrolArea.id).where(
            PatrolArea.jurisdiction_code == jurisdiction.code, PatrolArea.name == name
        )
    ):
        raise Conflict(taken)
    row = PatrolArea(
        jurisdiction_code=jurisdiction.code,
        name=name,
        description=data.get("description"),
        created_by_id=user.id,
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():  # another request may create the same name at once
            session.add(row)
    except IntegrityError as exc:
        raise Conflict(taken) from exc
    append(session, actor_of(user), "patrol.area_add", "patrol_area", row.id, fields=sorted(data))
    return row


def get_area(session: Session, user: User, area_id: int) -> PatrolArea:
    """The area, or 404 for one that does not exist or that the user's jurisdictions exclude."""
    area = session.get(PatrolArea, area_id)
    if area is None or not visible(user, area.jurisdiction_code):
        raise NotFound(f"no patrol area {area_id} that you can see.")
    return area


def assign(
    session: Session, user: User, area: PatrolArea, properties: list[dict[str, Any]]
) -> list[Property]:
    """Puts each property (by address; a new address becomes a property, as at intake) in
    `area`, moving it from any other area."""
    out = []
    moved = 0
    for given in properties:
        prop = _find_or_create_property(session, area.jurisdiction_code, given)
        if prop.patrol_area_id not in (None, area.id):
            moved += 1
        prop.patrol_area_id = area.id
        out.append(prop)
    session.flush()
    append(
        session,
        actor_of(user),
        "patrol.assign",
        "patrol_area",
        area.id,
        fields=["properties", *(["moved_from_another_area"] if moved else [])],
    )
    return out


def record_review(
    session: Session, user: User, area: PatrolArea, data: dict[str, Any]
) -> PropertyReview:
    """A property of `area` reviewed from the street on `reviewed_on`."""
    prop = session.scalar(
        select(Property).where(
            Property.jurisdiction_code == area.jurisdiction_code,
            Property.address_key == address_key(data["address"]),
        )
    )
    if prop is None or prop.patrol_area_id != area.id:
        raise Invalid(
            f"{data['address']} is not in the patrol area '{area.name}': assign it to the area "
            "first.",
            {"field": "address"},
        )
    # A day of slack: the server's UTC date runs ahead of the western zones'.
    if data["reviewed_on"] > utcnow().date() + timedelta(days=1):
        raise Invalid("reviewed_on is in the future.", {"field": "reviewed_on"})
    row = PropertyReview(
        property_id=prop.id,
        reviewed_on=data["reviewed_on"],
        outcome=data["outcome"],
        note=data.get("note"),
        created_by_id=user.id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    append(
        session,
        actor_of(user),
        "patrol.review",
        "property_review",
        row.id,
        fields=sorted(k for k in data if k != "address"),
    )
    return row


@dataclass
class Coverage:
    """One area's coverage in a calendar year."""

    area_id: int | None  # None: the properties not yet in any area
    name: str
    description: str | None
    properties: int
    reviewed: int
    not_reviewed: list[str] = field(default_factory=list)  # their addresses
    addresses: list[str] = field(default_factory=list)  # every property's, reviewed or not

    @property
    def percent(self) -> float | None:
        return round(100 * self.reviewed / self.properties, 1) if self.properties else None


def coverage(session: Session, jurisdiction: str, year: int) -> list[Coverage]:
    """Per area of `jurisdiction` (by name, then the properties in no area, if any): the
    properties in it, how many were reviewed at least once in `year`, and those not yet."""
    areas = session.scalars(
        select(PatrolArea)
        .where(PatrolArea.jurisdiction_code == jurisdiction)
        .order_by(PatrolArea.name)
    ).all()
    props = session.scalars(
        select(Property)
        .where(Property.jurisdiction_code == jurisdiction)
        .order_by(Property.address)
    ).all()
    reviewed = set(
        session.scalars(
            select(PropertyReview.property_id)
            .join(Property, Property.id == PropertyReview.property_id)
            .where(
                Property.jurisdiction_code == jurisdiction,
                PropertyReview.reviewed_on.between(date(year, 1, 1), date(year, 12, 31)),
            )
        )
    )
    by_area: dict[int | None, list[Property]] = defaultdict(list)
    for p in props:
        by_area[p.patrol_area_id].append(p)
    rows: list[tuple[int | None, str, str | None]] = [(a.id, a.name, a.description) for a in areas]
    if by_area.get(None):
        rows.append((None, UNASSIGNED, None))
    out = []
    for area_id, name, description in rows:
        members = by_area.get(area_id, [])
        out.append(
            Coverage(
                area_id,
                name,
                description,
                len(members),
                sum(1 for p in members if p.id in reviewed),
                [p.address for p in members if p.id not in reviewed],
                [p.address for p in members],
            )
        )
    return out


def areas_view(
    session: Session, user: User, jurisdiction: str | None, year: int | None
) -> list[dict[str, Any]]:
    """The patrol areas `user` may see (or just `jurisdiction`'s), each with its coverage in
    `year` (default: the current year in the area's own zone)."""
    codes = session.scalars(
        select(Jurisdiction.code)
        .where(within(user, Jurisdiction.code, jurisdiction))
        .order_by(Jurisdiction.code)
    ).all()
    out: list[dict[str, Any]] = []
    for code in codes:
        row = session.get(Jurisdiction, code)
        assert row is not None
        profile = profile_of(row)
        if patrol_rule(profile) is None:
            continue
        in_year = year or utcnow().astimezone(profile.zone).year
        for c in coverage(session, code, in_year):
            if c.area_id is None:
                continue
            out.append(
                {
                    "id": c.area_id,
                    "jurisdiction": code,
                    "name": c.name,
                    "description": c.description,
                    "year": in_year,
                    "properties": c.properties,
                    "reviewed": c.reviewed,
                    "percent": c.percent,
                    "not_reviewed": c.not_reviewed,
                    "addresses": c.addresses,
                }
            )
    return out

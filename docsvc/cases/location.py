"""Where the property is, and the case file's location map (Tom Bean VI.B.2) drawn from it,
on the case page and in the court bundle (docsvc/bundles/contents.py).

The map is a sketch drawn here from the property's own coordinates, with no tile server and
nothing fetched: the parcel's outline scaled to fit, a marker at the property's point, a north
arrow, a scale bar and the property's address as the caption. Only the property's fields are
read: the complainant's address is never drawn or captioned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.errors import Invalid
from docsvc.models import Case, Property, User
from docsvc.timeutil import utcnow

MAX_OUTLINE_POINTS = 500
# The parcel lies around its point: a vertex farther than this is a typing slip (latitude and
# longitude swapped, a sign lost), not a parcel.
MAX_OUTLINE_REACH_M = 3000.0
# Metres per degree of latitude, and of longitude at the equator (WGS 84, near enough for a
# sketch a few hundred metres across).
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0
WIDTH, HEIGHT, PAD, CAPTION = 480, 360, 36, 28


def check_location(data: dict[str, Any]) -> None:
    """A sentence for each way the point and outline do not fit together (the schema has
    checked each number's range and each pair's shape)."""
    lat, lon, outline = data.get("latitude"), data.get("longitude"), data.get("parcel_outline")
    if (lat is None) != (lon is None):
        missing = "longitude" if lon is None else "latitude"
        raise Invalid(
            f"give the {missing} too: a point needs both latitude and longitude.",
            {"field": f"property.{missing}"},
        )
    if outline and lat is None:
        raise Invalid(
            "give the property's latitude and longitude with the parcel outline: the map marks "
            "the point and draws the outline around it.",
            {"field": "property.latitude"},
        )
    if lat is None or lon is None:
        return
    for n, (plat, plon) in enumerate(outline or [], 1):
        far = _metres_between(lat, lon, plat, plon)
        if far > MAX_OUTLINE_REACH_M:
            raise Invalid(
                f"point {n} of the parcel outline is {far / 1000:.1f} km from the property's "
                "point: check that each point is [latitude, longitude], in that order.",
                {"field": "property.parcel_outline"},
            )


def apply_location(prop: Property, data: dict[str, Any], *, replace: bool) -> list[str]:
    """Set the point and outline from `data` (already checked); without `replace`, only
    where the property has none yet (a later complaint does not move a mapped property).
    The names of the columns changed."""
    changed = []
    if data.get("latitude") is not None and (replace or prop.latitude is None):
        prop.latitude, prop.longitude = data["latitude"], data["longitude"]
        changed += ["latitude", "longitude"]
    if "parcel_outline" in data and (replace or not prop.parcel_outline):
        outline = data["parcel_outline"]
        prop.parcel_outline = [[float(a), float(b)] for a, b in outline] if outline else None
        changed.append("parcel_outline")
    return changed


def set_location(session: Session, user: User, case: Case, data: dict[str, Any]) -> Property:
    """Record (or correct) where the case's property is; audited on the case."""
    check_location(data)
    prop = case.property
    changed = apply_location(prop, data, replace=True)
    if data.get("latitude") is None and "latitude" in data:
        # An explicit null clears the point (and the outline drawn around it).
        prop.latitude = prop.longitude = None
        prop.parcel_outline = None
        changed = ["latitude", "longitude", "parcel_outline"]
    if not changed:
        raise Invalid(
            "give the latitude and longitude (and the parcel outline, if known).",
            {"field": "property.latitude"},
        )
    case.updated_at = utcnow()
    append(
        session,
        actor_of(user),
        "property.location",
        "property",
        prop.id,
        case_id=case.id,
        fields=changed,
    )
    return prop


def _metres_between(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    x, y = _project(lat0, lon0, lat1, lon1)
    return math.hypot(x, y)


def _project(lat0: float, lon0: float, lat: float, lon: float) -> tuple[float, float]:
    """Metres east and north of (lat0, lon0): an equirectangular projection, true enough
    over a parcel."""
    east = (lon - lon0) * M_PER_DEG_LON * math.cos(math.radians(lat0))
    north = (lat - lat0) * M_PER_DEG_LAT
    return east, north


def _nice_length(metres: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above `metres`."""
    if metres <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(metres))
    for step in (5, 2, 1):
        if step * power <= metres:
            return float(step * power)
    return float(power)


def _distance_words(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


# Decimals a coordinate is shown with in a form: 7 places is about a centimetre, finer than
# any survey a case relies on; more is floating-point noise ("33.518800000000006").
TYPED_DECIMALS = 7


def degrees(value: float | None) -> str:
    """A coordinate as a person would type it: at most TYPED_DECIMALS places, no trailing
    zeros ('33.5188', '-96.4834'); empty where there is none."""
    if value is None:
        return ""
    text = f"{value:.{TYPED_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def as_typed(prop: Property) -> dict[str, str]:
    """The point and outline as the location form shows them: one corner a line."""
    return {
        "latitude": degrees(prop.latitude),
        "longitude": degrees(prop.longitude),
        "parcel_outline": "\n".join(
            f"{degrees(a)}, {degrees(b)}" for a, b in prop.parcel_outline or []
        ),
    }


def sketch(prop: Property, caption: str | None = None) -> str | None:
    """The location map as a standalone SVG document, or None where the property has no
    point recorded: drawn on the case page and as a page of the court bundle. The caption is
    the property's address; `caption` is that address as a copy shows it (the redacted
    bundle's, with any withheld span replaced), never another."""
    if prop.latitude is None or prop.longitude is None:
        return None
    shown = prop.address if caption is None else caption
    return _svg(prop.latitude, prop.longitude, prop.parcel_outline or [], shown)


def _svg(lat: float, lon: float, outline: Sequence[Sequence[float]], address: str) -> str:
    points = [_project(lat, lon, a, b) for a, b in outline]
    xs = [0.0, *(p[0] for p in points)]
    ys = [0.0, *(p[1] for p in points)]
    # At least 60 m across, so a lone point sits in a readable frame.
    span = max(max(xs) - min(xs), max(ys) - min(ys), 60.0) * 1.25
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    drawable_w, drawable_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD - CAPTION
    scale = min(drawable_w, drawable_h) / span  # pixels per metre

    def px(east: float, north: float) -> tuple[float, float]:
        return (
            WIDTH / 2 + (east - cx) * scale,
            PAD + drawable_h / 2 - (north - cy) * scale,  # north is up
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" class="location-map" '
        f"aria-label={quoteattr(_aria(address))}>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff" stroke="#888888"/>',
    ]
    if len(points) >= 3:
        drawn = " ".join("{:.1f},{:.1f}".format(*px(e, n)) for e, n in points)
        parts.append(
            f'<polygon class="parcel" points="{drawn}" fill="#f3e9c6" stroke="#7a5c00" '
            'stroke-width="2"/>'
        )
    mx, my = px(0.0, 0.0)
    parts.append(
        f'<circle class="marker" cx="{mx:.1f}" cy="{my:.1f}" r="7" fill="#c0392b" '
        'stroke="#ffffff" stroke-width="2"/>'
    )
    # North arrow, top right.
    ax, ay = WIDTH - PAD + 8, PAD - 6
    parts.append(
        f'<g class="north-arrow"><polygon points="{ax},{ay} {ax - 8},{ay + 24} {ax},{ay + 18} '
        f'{ax + 8},{ay + 24}" fill="#222222"/><text x="{ax}" y="{ay + 38}" font-size="13" '
        'text-anchor="middle" font-family="sans-serif">N</text></g>'
    )
    # Scale bar, bottom left: a round length about a quarter of the map's width.
    length = _nice_length(drawable_w / 4 / scale)
    bar = length * scale
    bx, by = PAD, HEIGHT - CAPTION - 12
    parts.append(
        f'<g class="scale-bar"><rect x="{bx}" y="{by - 5}" width="{bar:.1f}" height="5" '
        f'fill="#222222"/><text x="{bx}" y="{by - 9}" font-size="12" '
        f'font-family="sans-serif">{_distance_words(length)}</text></g>'
    )
    parts.append(
        f'<text class="caption" x="{WIDTH / 2:.0f}" y="{HEIGHT - 10}" font-size="14" '
        f'text-anchor="middle" font-family="sans-serif">{escape(address)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _aria(address: str) -> str:
    return f"Location sketch of {address}, north up"

"""Photo provenance from EXIF, and the renditions made once at upload.

Renditions are rebuilt from pixels (orientation applied, no EXIF, XMP or comments carried
over), so what is shown in a page or a notice never leaks the camera's metadata.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageOps
from PIL.ExifTags import GPS, IFD, Base

PRINT_EDGE = 1600  # long edge: sharp at 5 inches wide and 300 dpi-ish; small enough for notices
THUMB_EDGE = 320


@dataclass
class PhotoFacts:
    taken_at: datetime | None = None
    taken_at_local: str | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    device: str | None = None
    orientation: int | None = None
    width: int = 0
    height: int = 0


# EXIF values are whatever the camera wrote (Any in Pillow's types): a malformed one raises
# TypeError or ValueError, which _dms turns into "no position".
def _rational(value: Any) -> float:
    return float(value)


def _dms(values: Any, ref: object) -> float | None:
    try:
        d, m, s = (_rational(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    if str(ref).upper() in ("S", "W"):
        result = -result
    return round(result, 7)


def read_facts(img: Image.Image, zone: ZoneInfo) -> PhotoFacts:
    exif = img.getexif()
    facts = PhotoFacts(orientation=exif.get(Base.Orientation))
    make = str(exif.get(Base.Make, "") or "").strip("\x00 ")
    model = str(exif.get(Base.Model, "") or "").strip("\x00 ")
    facts.device = " ".join(p for p in (make, model) if p and not model.startswith(make)) or (
        model or None
    )
    if make and model and model.startswith(make):
        facts.device = model
    sub = exif.get_ifd(IFD.Exif)
    stamp = sub.get(Base.DateTimeOriginal) or exif.get(Base.DateTime)
    if stamp:
        text = str(stamp).strip("\x00 ")
        try:
            naive = datetime.strptime(text, "%Y:%m:%d %H:%M:%S")
            offset = sub.get(Base.OffsetTimeOriginal)
            if offset:
                facts.taken_at = datetime.fromisoformat(naive.isoformat() + str(offset).strip())
            else:
                # No offset recorded: the camera's clock is taken to be local to the jurisdiction.
                facts.taken_at = naive.replace(tzinfo=zone)
            facts.taken_at_local = text
        except ValueError:
            facts.taken_at_local = text[:40]
    gps = exif.get_ifd(IFD.GPSInfo)
    if gps:
        lat = _dms(gps.get(GPS.GPSLatitude), gps.get(GPS.GPSLatitudeRef))
        lon = _dms(gps.get(GPS.GPSLongitude), gps.get(GPS.GPSLongitudeRef))
        if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
            facts.gps_lat, facts.gps_lon = lat, lon
    upright = ImageOps.exif_transpose(img)
    facts.width, facts.height = upright.size
    return facts


def rendition(img: Image.Image, edge: int, quality: int) -> bytes:
    """A JPEG of at most `edge` pixels on its long side, upright, with no metadata at all."""
    upright = ImageOps.exif_transpose(img)
    if upright.mode not in ("RGB", "L"):
        background = Image.new("RGB", upright.size, "white")
        rgba = upright.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        upright = background
    upright.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)  # copy pixels only: no info dict, no comment, no ICC/XMP
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()

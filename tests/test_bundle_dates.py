"""A photo's page in a court bundle gives the camera's time like every other time in the
bundle (the jurisdiction's zone, in words), never EXIF's raw "2026:11:27 10:00:00"."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from docsvc.bundles.contents import _photo
from docsvc.models import Attachment


def test_a_photo_page_dates_the_photo_in_the_jurisdictions_zone() -> None:
    att = Attachment(
        id=7,
        kind="photo",
        media_type="image/jpeg",
        sha256="a" * 64,
        size=1000,
        taken_at=datetime(2026, 11, 27, 18, 0, tzinfo=UTC),  # 10:00 in Los Gatos
        taken_at_local="2026:11:27 10:00:00",  # as the camera wrote it
        uploaded_at=datetime(2026, 11, 28, 1, 0, tzinfo=UTC),
        uploaded_by_id=1,
    )
    entry = _photo(att, 1, 1, ZoneInfo("America/Los_Angeles"), {1: "Officer One"})
    values = entry.values
    assert values["taken"] == "2026-11-27 10:00 PST"
    assert values["uploaded"] == "2026-11-27 17:00 PST"

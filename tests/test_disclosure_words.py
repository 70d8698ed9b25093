"""What the records path says to a person is in words: no field key ('ruling_requested_at'),
no status code ('review'), no API address in a refusal the pages show too."""

from __future__ import annotations

import re

from tests.test_disclosure_ruling import _release, _texas_request

KEY = re.compile(r"\b[a-z]+_[a-z_]+\b|'review'|/api/")


def test_the_texas_block_and_the_unreviewed_boxes_are_said_in_words(
    client, signed_in, officer, work, clock
) -> None:
    clock("2026-11-23T09:00:00-06:00")
    clerk = signed_in("records")
    rid = _texas_request(client, officer, clerk, work)
    r = _release(client, clerk, rid)
    assert r.status_code == 409
    said = r.json["error"]
    assert "Record the date the decision was requested" in said and not KEY.search(said), said

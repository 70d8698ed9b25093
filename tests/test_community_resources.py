"""The community resources (Lee's Summit II.B.2): the groups willing to help residents correct
violations, kept in the profile and listed on the notices it names; a jurisdiction that keeps
no list shows none."""

from __future__ import annotations

import pytest

from docsvc.profiles.loader import load_profile_file, shipped_profile_paths
from tests.documents_helpers import build_case, issue, pdf_text

LS = "lees-summit-mo"
TB = "tom-bean-tx"


def _profile(code: str):
    return next(load_profile_file(p) for p in shipped_profile_paths() if p.parent.name == code)


def _lines(text: str) -> str:
    """The PDF's words with line breaks and runs of spaces as single spaces."""
    return " ".join(text.split())


@pytest.mark.rule("LS II.B.2")
def test_resources_are_listed_on_a_lees_summit_warning_and_not_elsewhere(
    client, officer, clock, tmp_path
) -> None:
    clock("2026-11-18T09:00:00-06:00")
    names = [r["name"] for r in _profile(LS).data["community_resources"]["items"]]
    assert names, "the Lee's Summit profile keeps its community resources"
    h = officer.headers

    ls = build_case(client, h, LS)
    warning = issue(client, h, ls, "warning_notice")
    text = _lines(pdf_text(client.get(warning["pdf_url"], headers=h).data, tmp_path))
    assert "Help with the corrections" in text
    for name in names:
        assert name in text
    # The profile lists them on the notices it names only.
    resolution = issue(client, h, ls, "notice_of_resolution", fields={"resolution": "Cleared."})
    text = _lines(pdf_text(client.get(resolution["pdf_url"], headers=h).data, tmp_path))
    assert not any(name in text for name in names)

    tb = build_case(client, h, TB)
    warning = issue(client, h, tb, "warning_notice")
    text = _lines(pdf_text(client.get(warning["pdf_url"], headers=h).data, tmp_path))
    assert "Help with the corrections" not in text
    assert not any(name in text for name in names)

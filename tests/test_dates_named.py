"""Moments on pages read in the jurisdiction's zone and name it ('Nov 30, 2026, 9:30 AM PST'):
the one `when` helper (docsvc/labels.py), registered as the pages' `when` filter."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from docsvc.labels import when


@pytest.mark.parametrize(
    ("value", "zone", "shown"),
    [
        # Stored in UTC, shown where the case is, with the zone's name for that day.
        (
            datetime(2026, 11, 30, 17, 30, tzinfo=UTC),
            "America/Los_Angeles",
            "Nov 30, 2026, 9:30 AM PST",
        ),
        (
            datetime(2026, 7, 1, 17, 30, tzinfo=UTC),
            "America/Los_Angeles",
            "Jul 1, 2026, 10:30 AM PDT",
        ),
        (
            datetime(2026, 11, 30, 15, 5, tzinfo=UTC),
            ZoneInfo("America/Chicago"),
            "Nov 30, 2026, 9:05 AM CST",
        ),
        # A time without a zone is the database's UTC: past midnight there is yesterday here.
        (datetime(2026, 12, 1, 0, 5), "America/Los_Angeles", "Nov 30, 2026, 4:05 PM PST"),
        # The API's ISO text carries only an offset: the zone gives the name.
        ("2026-11-20T10:00:00-08:00", "America/Los_Angeles", "Nov 20, 2026, 10:00 AM PST"),
        ("2026-11-20T18:00:00+00:00", ZoneInfo("America/Chicago"), "Nov 20, 2026, 12:00 PM CST"),
        # A day alone has no zone.
        ("2026-11-30", "America/Chicago", "Nov 30, 2026"),
        (date(2026, 3, 8), None, "Mar 8, 2026"),
        (None, "America/Chicago", ""),
        ("", None, ""),
    ],
)
def test_a_moment_reads_in_the_zone_it_names(value, zone, shown) -> None:
    assert when(value, zone) == shown


def test_an_aware_time_already_in_its_zone_keeps_its_name() -> None:
    at = datetime(2026, 11, 30, 17, 30, tzinfo=UTC).astimezone(ZoneInfo("America/Denver"))
    assert when(at) == "Nov 30, 2026, 10:30 AM MST"


def test_pages_show_moments_named_in_the_jurisdictions_zone(signed_in, client, open_case) -> None:
    """The case list and the due list: the zone's name beside each time, no bare ISO text."""
    open_case(jurisdiction="tom-bean-tx")
    open_case(jurisdiction="los-gatos-ca")
    signed_in("officer")
    listed = client.get("/cases").get_data(as_text=True)
    named = re.findall(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M (\w+)", listed)
    assert sorted(set(named)) in (["CST", "PST"], ["CDT", "PDT"]), named
    assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", listed)
    due = client.get("/due").get_data(as_text=True)
    times = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', due)
    assert times, due  # a new complaint's first clocks are running
    for iso, shown in times:
        zone = "America/Chicago" if iso.endswith(("-06:00", "-05:00")) else "America/Los_Angeles"
        assert shown == when(iso, zone), (iso, shown)


def test_the_when_filter_is_registered_for_pages(app) -> None:
    template = app.jinja_env.from_string("{{ v|when(z) }}")
    assert template.render(v="2026-11-20T10:00:00-06:00", z="America/Chicago") == (
        "Nov 20, 2026, 10:00 AM CST"
    )


@pytest.mark.parametrize("role, path", [("officer", "/cases/new"), ("records", "/disclosures")])
def test_new_case_received_is_now_in_the_chosen_jurisdictions_zone_and_says_which(
    signed_in, client, role, path
) -> None:
    # The records request's form too: a tester's request for Los Gatos was refused with the
    # form's own default, Central time's now, "later than now" in Pacific time.
    from datetime import timedelta

    from docsvc.timeutil import utcnow

    signed_in(role)
    page = client.get(path).get_data(as_text=True)
    options = re.findall(r'<option value="([a-z-]+)" data-now="([^"]+)"( selected)?', page)
    zones = {
        "los-gatos-ca": "America/Los_Angeles",
        "tom-bean-tx": "America/Chicago",
        "lees-summit-mo": "America/Chicago",
        "jefferson-county-wa": "America/Los_Angeles",
    }
    assert {code for code, _, _ in options} == set(zones), options
    for code, now, _ in options:
        local = datetime.fromisoformat(now).replace(tzinfo=ZoneInfo(zones[code]))
        assert abs(local - utcnow()) < timedelta(minutes=2), (code, now)
    chosen = [now for _, now, selected in options if selected]
    shown = re.search(r'<input type="datetime-local" name="received_at"[^>]* value="([^"]*)"', page)
    assert len(chosen) == 1 and shown and shown.group(1) == chosen[0], (chosen, shown)
    hints = re.findall(r'<(?:p|span) class="hint"[^>]*>([^<]+)</(?:p|span)>', page)
    assert any("Pacific time" in h and "Central time" in h for h in hints), hints
    assert "America/" not in page  # a zone's code is never shown


def test_the_jurisdiction_page_names_its_zone_in_words(signed_in, client) -> None:
    signed_in("officer")
    page = client.get("/jurisdictions/tom-bean-tx").get_data(as_text=True)
    assert "Times in Central time" in page and "America/Chicago" not in page

"""The shared input fields: what they accept, and what the OpenAPI document says they accept."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from docsvc.validation import Input, Instant, Money, Text


class Sample(Input):
    amount = Money(minimum=Decimal("0.01"), maximum=10_000_000)
    at = Instant()
    note = Text(max_length=5)
    blank_ok = Text(max_length=5, allow_empty=True)


def _property(spec: dict, schema: str, name: str) -> dict:
    return spec["components"]["schemas"][schema]["properties"][name]


def test_amount_bounds_are_published_as_numbers(client) -> None:
    spec = client.get("/api/openapi.json").json
    amount = _property(spec, "LedgerEntryIn", "amount")
    assert amount["type"] == "number"
    assert amount["minimum"] == 0.01 and amount["maximum"] == 10_000_000
    for schema, name in (
        ("CitationIn", "fine"),
        ("CitationOutcomeIn", "fine_imposed"),
        ("SettlementIn", "pay_amount"),
        ("VoucherIn", "amount"),
    ):
        bounds = _property(spec, schema, name)
        assert isinstance(bounds["minimum"], int | float), (schema, bounds)
        assert isinstance(bounds["maximum"], int | float), (schema, bounds)


def test_amounts_as_strings_or_numbers_within_bounds_as_sent() -> None:
    assert Sample().load({"amount": "250.00"})["amount"] == Decimal("250.00")
    assert Sample().load({"amount": 12.5})["amount"] == Decimal("12.50")
    # The bound holds for the amount as sent: rounding does not bring it back in range.
    for outside in ("10000000.004", 0.004, "0", "-1", "NaN", "Infinity", True, "twelve"):
        with pytest.raises(ValidationError):
            Sample().load({"amount": outside})


def test_instant_refuses_years_outside_1900_to_2100() -> None:
    with pytest.raises(ValidationError, match="between 1900 and 2100"):
        Sample().load({"at": "0058-01-05T04:15:23Z"})
    with pytest.raises(ValidationError, match="between 1900 and 2100"):
        Sample().load({"at": "2101-01-01T00:00:00Z"})
    assert Sample().load({"at": "1900-01-01T00:00:00-08:00"})["at"].year == 1900


def test_instant_writes_rfc_3339_offsets() -> None:
    # Local mean time has an offset in seconds, which RFC 3339 cannot write: UTC instead.
    lmt = datetime(1880, 1, 4, 20, 22, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert lmt.utcoffset() % timedelta(minutes=1)
    assert Sample().dump({"at": lmt})["at"].endswith("+00:00")
    pacific = datetime(2026, 1, 4, 20, 22, tzinfo=timezone(timedelta(hours=-8)))
    assert Sample().dump({"at": pacific})["at"] == "2026-01-04T20:22:00-08:00"


def test_text_publishes_what_it_enforces(client) -> None:
    spec = client.get("/api/openapi.json").json
    origin_note = _property(spec, "CaseIn", "origin_note")
    assert origin_note["maxLength"] == 2000 and origin_note["minLength"] == 1
    import re

    pattern = re.compile(origin_note["pattern"])
    assert pattern.search("a note")
    assert not pattern.search("   ") and not pattern.search("bell\x07")
    # A field with its own pattern keeps it.
    phone = _property(spec, "ComplainantIn", "phone")
    assert phone["pattern"].startswith("^[0-9+()")
    # An element of an inspection report may be empty, and says so.
    witnesses = _property(spec, "InspectionIn", "witnesses")
    assert "minLength" not in witnesses and re.compile(witnesses["pattern"]).search("")


def test_text_refuses_what_its_pattern_refuses() -> None:
    for bad in ("   ", "bell\x07", "toolong"):
        with pytest.raises(ValidationError):
            Sample().load({"note": bad})
    assert Sample().load({"blank_ok": "  "})["blank_ok"] == ""


def test_retention_propose_and_execute_need_the_day(client, records) -> None:
    for path in ("/api/retention/propose", "/api/retention/execute"):
        r = client.post(path, headers=records.headers, json={})
        assert r.status_code == 422 and "as_of" in r.json["details"]["fields"], r.json
    spec = client.get("/api/openapi.json").json
    for name in ("ProposeIn", "ExecuteIn"):
        assert spec["components"]["schemas"][name]["required"] == ["as_of"]

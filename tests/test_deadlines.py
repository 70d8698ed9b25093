"""Compliance deadlines across weekends, holidays, month ends, leap days and DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from docsvc.documents.calendar import BusinessCalendar
from docsvc.documents.deadlines import Rule, deadline, effective_service
from docsvc.documents.usps import check_digit, validate
from docsvc.profiles import load_profile_file, shipped_profile_paths

PROFILES = {p.parent.name: load_profile_file(p) for p in shipped_profile_paths()}
TB = PROFILES["tom-bean-tx"]  # America/Chicago, Texas holidays
LG = PROFILES["los-gatos-ca"]  # America/Los_Angeles
CHI = ZoneInfo("America/Chicago")


def at(y: int, m: int, d: int, h: int = 10, zone: ZoneInfo = CHI) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=zone)


def test_days_landing_on_a_weekend_roll_to_monday() -> None:
    # Served Wed 2026-12-02; 10 days -> Sat 12-12 -> Mon 12-14, end of day in Chicago.
    due = deadline(Rule("calendar_days", 10), at(2026, 12, 2), TB)
    assert due == datetime(2026, 12, 14, 23, 59, 59, tzinfo=CHI)


def test_days_landing_on_a_holiday_roll_past_it() -> None:
    # Served Mon 2026-11-16; 10 days -> Thu 11-26, Thanksgiving; Texas also closes Fri 11-27.
    due = deadline(Rule("calendar_days", 10), at(2026, 11, 16), TB)
    assert due.date() == date(2026, 11, 30)
    cal = BusinessCalendar(TB)
    assert not cal.is_business_day(date(2026, 11, 26))
    assert not cal.is_business_day(date(2026, 11, 27))  # Texas' day after Thanksgiving


def test_month_end_and_leap_day() -> None:
    assert deadline(Rule("calendar_days", 30), at(2027, 1, 29), TB).date() == date(2027, 3, 1)
    # 2028 is a leap year: 30 days from Jan 30 is Tue Feb 29.
    assert deadline(Rule("calendar_days", 30), at(2028, 1, 30), TB).date() == date(2028, 2, 29)
    assert deadline(Rule("calendar_days", 10), at(2028, 2, 19), TB).date() == date(2028, 2, 29)
    assert deadline(Rule("business_days", 1), at(2028, 2, 28), TB).date() == date(2028, 2, 29)


def test_hours_are_elapsed_hours_across_a_dst_change() -> None:
    # DST ends 2026-11-01 at 02:00 in Chicago: 24 h after Oct 31 10:00 CDT is Nov 1 09:00 CST.
    served = datetime(2026, 10, 31, 10, 0, tzinfo=CHI)
    due = deadline(Rule("hours", 24), served, TB)
    # Measured in UTC: subtracting two times that share a tzinfo counts wall-clock time.
    assert (due.astimezone(UTC) - served.astimezone(UTC)).total_seconds() == 24 * 3600
    assert due.astimezone(CHI).hour == 9
    # 72 hours over the spring change (Mar 14 2027) too.
    spring = datetime(2027, 3, 13, 12, 0, tzinfo=CHI)
    assert deadline(Rule("hours", 72), spring, TB).astimezone(CHI).hour == 13


def test_day_deadlines_end_at_local_midnight_whatever_the_dst() -> None:
    due = deadline(Rule("calendar_days", 10), datetime(2026, 10, 27, 9, tzinfo=CHI), TB)
    assert due.astimezone(CHI).time().isoformat() == "23:59:59"
    assert due.utcoffset().total_seconds() == -6 * 3600  # CST by then


def test_business_days_skip_weekends_and_holidays() -> None:
    # Lee's Summit's five business days to investigate, from Wed Nov 25 2026 (Missouri: Thanksgiving).
    cal = BusinessCalendar(PROFILES["lees-summit-mo"])
    assert cal.add_business_days(date(2026, 11, 25), 5) == date(2026, 12, 3)
    # Los Gatos: two business days over Christmas (Fri Dec 25 2026).
    cal = BusinessCalendar(LG)
    assert cal.add_business_days(date(2026, 12, 24), 2) == date(2026, 12, 29)


def test_service_day_is_local_not_utc() -> None:
    # 11 pm in Los Angeles is the next day in UTC; the day counted is the local one.
    served = datetime(2026, 12, 1, 23, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    due = deadline(Rule("calendar_days", 10), served, LG)
    assert due.astimezone(ZoneInfo("America/Los_Angeles")).date() == date(2026, 12, 11)


@pytest.mark.parametrize(("unit", "amount"), [("immediate", None), ("stop_work_order", None)])
def test_immediate_rules(unit: str, amount: int | None) -> None:
    served = at(2026, 12, 5)
    assert deadline(Rule(unit, amount), served, TB) == served
    assert "immediately" in Rule(unit, amount).text()


def test_effective_date_of_service_by_method() -> None:
    mailed = at(2026, 12, 1)
    assert (
        effective_service(
            "personal",
            served_at=mailed,
            mailed_at=None,
            delivered_at=None,
            unclaimed=False,
            profile=TB,
        )[0]
        == mailed
    )
    eff, rule = effective_service(
        "first_class_mail",
        served_at=None,
        mailed_at=mailed,
        delivered_at=None,
        unclaimed=False,
        profile=TB,
    )
    assert (eff - mailed).days == 3 and "3 days after mailing" in rule
    assert (
        effective_service(
            "certified_mail",
            served_at=None,
            mailed_at=mailed,
            delivered_at=None,
            unclaimed=False,
            profile=TB,
        )[0]
        is None
    )  # unknown until the receipt
    delivered = at(2026, 12, 4)
    assert (
        effective_service(
            "certified_mail",
            served_at=None,
            mailed_at=mailed,
            delivered_at=delivered,
            unclaimed=False,
            profile=TB,
        )[0]
        == delivered
    )
    eff, rule = effective_service(
        "certified_mail",
        served_at=None,
        mailed_at=mailed,
        delivered_at=None,
        unclaimed=True,
        profile=TB,
    )
    assert (eff - mailed).days == 10 and "unclaimed" in rule


def test_usps_article_numbers() -> None:
    body = "940711120620818070238"
    good = body + str(check_digit(body))
    assert validate(good) == good
    assert validate(" ".join([good[:4], good[4:8], good[8:]])) == good  # spaces as printed
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert validate(bad) is None
    twenty = "7019070000001234567"
    assert validate(twenty + str(check_digit(twenty))) is not None
    assert validate("70190700000012345678a") is None and validate("123") is None
    # The digit weights alternate 3,1 from the right: one transposition changes the result.
    assert check_digit("12") != check_digit("21")

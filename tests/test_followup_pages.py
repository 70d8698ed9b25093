"""The case page's forms for what was an API of its own: flag a violation as an imminent threat
and refer the case to the attorney (Tom Bean XIII.A), the permits a violation needs with their
time frames (Los Gatos VII.a.vi), and permits withheld or revoked (Los Gatos III.b.ix-x, Tom
Bean IV.B.3-4 and X.B). Each part shows only where the jurisdiction's profile has its rule; a
refused form says what to fix beside the field, with a 422."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from docsvc.models import AuditEvent
from tests.conftest import complaint_case
from tests.helpers import tokens
from tests.test_permits import lg_case
from tests.test_referrals import cite, clocks, tb_case

CARD = "#referrals-permits"


def page(client, case: str) -> tuple[str, dict[str, str]]:
    r = client.get(f"/cases/{case}")
    assert r.status_code == 200
    return r.get_data(as_text=True), tokens(r.data)


def error_beside(html: str, form_key: str, name: str) -> str:
    """The message shown beside one input of a form (its `<key>-<name>-error`), as read."""
    found = lxml_html.fromstring(html).xpath(f'//*[@id="{form_key}-{name}-error"]')
    assert found, f"no message beside {form_key}-{name}"
    return " ".join(found[0].text_content().split())


def section(html: str, element_id: str) -> str:
    found = lxml_html.fromstring(html).xpath(f'//*[@id="{element_id}"]')
    return " ".join(found[0].text_content().split()) if found else ""


@pytest.mark.rule("TB XIII.A.1")
def test_an_officer_flags_a_threat_and_records_the_referral_on_the_page(
    client, officer, signed_in, clock, database
) -> None:
    clock("2030-01-07T09:00:00-06:00")  # Monday
    case, _, violation = tb_case(client, officer.headers, "5 Pine Street")
    signed_in()
    html, form = page(client, case)
    assert f'id="threat-form-{violation}"' in html and 'id="referral-form"' in html
    # The note quotes the complainant: shown masked, like every text typed on a case.
    r = client.post(
        f"/cases/{case}/violations/{violation}/imminent-threat",
        data={
            **form,
            "imminent_threat": "true",
            "at": "2030-01-07T08:30",
            "note": "Open cistern by the school path; Maria O'Brien-Nguyễn saw a child near it.",
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/cases/{case}{CARD}")
    c = clocks(client, officer.headers, case)["attorney_referral_imminent"]
    assert c["status"] == "due" and c["due_at"] == "2030-01-08T23:59:59-06:00"
    html, form = page(client, case)
    threats = section(html, f"threat-{violation}")
    assert "Imminent threat" in threats and "Flagged Jan 7, 2030, 8:30 AM CST" in threats
    assert "Open cistern by the school path" in threats and "Nguyễn" not in html
    assert "Refer to the City Attorney: a violation is an imminent threat" in section(
        html, "referral-clocks"
    )
    r = client.post(
        f"/cases/{case}/referrals",
        data={
            **form,
            "kind": "imminent_threat",
            "referred_on": "2030-01-07",
            "referred_to": "City Attorney",
            "note": "Hand-delivered the file.",
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(CARD)
    assert clocks(client, officer.headers, case)["attorney_referral_imminent"]["status"] == "met"
    html, _ = page(client, case)
    listed = section(html, "referral-list")
    assert "Referred 2030-01-07 to City Attorney · imminent threat" in listed
    assert (
        "Flagged as an imminent threat: Nuisance not involving a structure, observed 2030-01-05"
        in listed
    )
    assert "imminent_threat" not in lxml_html.fromstring(html).text_content()
    with database.session() as s:
        actions = list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.in_(("violation.imminent_threat", "referral.record")))
                .order_by(AuditEvent.seq)
            )
        )
    assert actions == ["violation.imminent_threat", "referral.record"]


@pytest.mark.rule("TB XIII.A.1")
def test_a_refused_flag_says_beside_the_field_what_to_fix_and_clearing_asks_first(
    client, officer, signed_in, clock
) -> None:
    clock("2030-01-07T09:00:00-06:00")
    case, _, violation = tb_case(client, officer.headers, "6 Pine Street")
    signed_in()
    _, form = page(client, case)
    url = f"/cases/{case}/violations/{violation}/imminent-threat"
    # Before the violation was observed (5 Jan, 09:00): refused, what was typed kept.
    r = client.post(
        url, data={**form, "imminent_threat": "true", "at": "2030-01-04T08:00", "note": "Gas"}
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    said = error_beside(html, f"threat-{violation}", "at")
    assert "must fall between when the violation was observed and now" in said
    assert "at must" not in said  # the field's key is never the sentence's subject
    assert 'value="2030-01-04T08:00"' in html
    assert "attorney_referral_imminent" not in clocks(client, officer.headers, case)
    # A referral for a threat nobody flagged: refused beside "Referred for".
    r = client.post(
        f"/cases/{case}/referrals",
        data={**tokens(r.data), "kind": "imminent_threat", "referred_on": "2030-01-07"},
    )
    assert r.status_code == 422
    said = error_beside(r.get_data(as_text=True), "referral", "kind")
    assert "flag it first" in said
    # Flagged, then cleared: the page asks before the flag and its reasons are dropped.
    r = client.post(url, data={**tokens(r.data), "imminent_threat": "true", "at": ""})
    assert r.status_code == 302
    html, form = page(client, case)
    asked = client.post(url, data={**form, "imminent_threat": "false"})
    assert asked.status_code == 200 and "Clear the flag" in asked.get_data(as_text=True)
    assert clocks(client, officer.headers, case)["attorney_referral_imminent"]["status"] == "due"
    r = client.post(url, data={**form, "imminent_threat": "false", "confirmed": "yes"})
    assert r.status_code == 302
    assert "attorney_referral_imminent" not in clocks(client, officer.headers, case)
    # The timeline says which happened, newest first.
    html, _ = page(client, case)
    told = [
        " ".join(li.text_content().split())
        for li in lxml_html.fromstring(html).xpath('//*[@id="timeline"]//li')
    ]
    said = [t for t in told if "imminent" in t.lower()]
    assert len(said) == 2, told
    assert "Imminent-threat flag cleared" in said[0]
    assert "Flagged as an imminent threat" in said[1] and "cleared" not in said[1]


@pytest.mark.rule("TB XIII.A.2")
def test_a_referral_after_repeated_citations_is_recorded_on_the_page(
    client, officer, signed_in, clock
) -> None:
    advance = clock("2030-01-08T09:00:00-06:00")
    h = officer.headers
    case, party, violation = tb_case(client, h, "1 Elm Street")
    for i in range(3):
        cite(client, h, case, party, violation, f"TB-{i}", f"2030-01-0{6 + i}")
    advance(timedelta(days=12))  # Sun 20 Jan: past the correction period, still uncorrected
    signed_in()
    html, form = page(client, case)
    assert "Overdue" in section(html, "referral-clocks")
    r = client.post(
        f"/cases/{case}/referrals",
        data={**form, "kind": "repeat_citations", "referred_on": "2030-01-21"},
    )
    assert r.status_code == 422
    said = error_beside(r.get_data(as_text=True), "referral", "referred_on")
    assert said.endswith("this date must fall between the day the case was opened and today.")
    r = client.post(
        f"/cases/{case}/referrals",
        data={**tokens(r.data), "kind": "repeat_citations", "referred_on": "2030-01-20"},
    )
    assert r.status_code == 302
    assert clocks(client, h, case)["attorney_referral"]["status"] == "met_late"
    html, _ = page(client, case)
    listed = section(html, "referral-list")
    assert "Referred 2030-01-20 to City Attorney · repeated citations" in listed
    assert "Citations TB-0, TB-1, TB-2" in listed


@pytest.mark.rule("LG VII.a.vi")
def test_a_permit_and_its_time_frame_are_kept_through_the_page(
    client, officer, signed_in, clock
) -> None:
    advance = clock("2030-01-10T09:00:00-08:00")
    h = officer.headers
    case, violation = lg_case(client, h)
    signed_in()
    html, form = page(client, case)
    assert 'id="permit-form"' in html
    body = {
        "violation_id": str(violation),
        "description": "Building permit for the shed",
        "apply_by": "2030-01-20",
    }
    # Obtained before it is applied for: refused beside "Obtain by", in words.
    r = client.post(f"/cases/{case}/permits", data={**form, **body, "obtain_by": "2030-01-19"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    said = error_beside(html, "permit", "obtain_by")
    assert "this date must not be before “Apply by”" in said
    assert 'value="Building permit for the shed"' in html
    r = client.post(
        f"/cases/{case}/permits", data={**tokens(r.data), **body, "obtain_by": "2030-03-01"}
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(CARD)
    permit = client.get(f"/api/cases/{case}/permits", headers=h).json[0]["id"]
    c = clocks(client, h, case)
    assert c["permit_apply"]["status"] == "due" and c["permit_obtain"]["status"] == "due"
    html, form = page(client, case)
    listed = section(html, f"permit-{permit}")
    assert "Apply by 2030-01-20: not applied for yet" in listed
    assert "Obtain by 2030-03-01: not obtained yet" in listed
    url = f"/cases/{case}/permits/{permit}"
    # An empty date asks for a date beside the field.
    r = client.post(url, data={**form, "step": "applied", "applied_on": ""})
    assert r.status_code == 422
    assert "enter a date" in error_beside(
        r.get_data(as_text=True), f"permit-{permit}-applied", "applied_on"
    )
    advance(timedelta(days=11))  # 21 Jan
    r = client.post(url, data={**tokens(r.data), "step": "applied", "applied_on": "2030-01-21"})
    assert r.status_code == 302
    c = clocks(client, h, case)
    assert c["permit_apply"]["status"] == "met_late" and c["permit_obtain"]["status"] == "due"
    html, form = page(client, case)
    assert f'id="permit-{permit}-obtained-form"' in html  # applying alone is not compliance
    # Refused, a new time frame (VII.a.vi.3).
    r = client.post(
        url,
        data={**form, "step": "timeframe", "apply_by": "2030-01-20", "obtain_by": "2030-04-01"},
    )
    assert r.status_code == 302
    assert clocks(client, h, case)["permit_obtain"]["due_at"].startswith("2030-04-01")
    _, form = page(client, case)
    r = client.post(
        url,
        data={**form, "step": "obtained", "obtained_on": "2030-01-21", "permit_number": "B-1"},
    )
    assert r.status_code == 302
    assert clocks(client, h, case)["permit_obtain"]["status"] == "met"
    html, _ = page(client, case)
    listed = section(html, f"permit-{permit}")
    assert "obtained on 2030-01-21, permit B-1" in listed and "Met" in listed
    assert f'id="permit-{permit}-obtained-form"' not in html


@pytest.mark.rule("LG III.b.ix", "LG III.b.x")
def test_a_permit_revoked_or_withheld_in_los_gatos_through_the_page(
    client, officer, signed_in, clock
) -> None:
    clock("2030-01-10T09:00:00-08:00")
    case, _ = lg_case(client, officer.headers)
    signed_in()
    html, form = page(client, case)
    offered = lxml_html.fromstring(html).xpath('//select[@id="permit-action-action"]/option/@value')
    assert offered == ["withheld", "revoked"]  # only what the profile lists: no suspension
    body = {
        "action": "revoked",
        "permit_description": "Conditional use permit for the restaurant",
        "taken_on": "2030-01-10",
    }
    r = client.post(f"/cases/{case}/permit-actions", data={**form, **body, "authority": ""})
    assert r.status_code == 422
    assert error_beside(r.get_data(as_text=True), "permit-action", "authority")
    r = client.post(
        f"/cases/{case}/permit-actions",
        data={**tokens(r.data), **body, "authority": "Town Code §29.20.310"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(CARD)
    _, form = page(client, case)
    r = client.post(
        f"/cases/{case}/permit-actions",
        data={**form, **body, "action": "withheld", "authority": "Town Code §29.10.020"},
    )
    assert r.status_code == 302
    html, _ = page(client, case)
    listed = section(html, "permit-action-list")
    assert "Revoked 2030-01-10: Conditional use permit" in listed and "III.b.ix" in listed
    assert "Withheld 2030-01-10" in listed and "III.b.x" in listed
    assert "Under Town Code §29.20.310" in listed


@pytest.mark.rule("TB IV.B.3", "TB IV.B.4", "TB X.B")
def test_tom_bean_records_permit_actions_but_sets_no_permit_time_frames(
    client, officer, signed_in, clock
) -> None:
    clock("2030-01-07T09:00:00-06:00")
    case, _, _ = tb_case(client, officer.headers, "7 Pine Street")
    signed_in()
    html, form = page(client, case)
    assert 'id="permit-action-form"' in html
    assert 'id="permit-form"' not in html and 'id="permits"' not in html  # no time frames
    for action, policy in (("withheld", "IV.B.4"), ("revoked", "X.B")):
        r = client.post(
            f"/cases/{case}/permit-actions",
            data={
                **form,
                "action": action,
                "permit_description": "Building permit for an addition",
                "authority": "City Code §3.04",
                "taken_on": "2030-01-07",
            },
        )
        assert r.status_code == 302, r.get_data(as_text=True)[:1000]
        html, form = page(client, case)
        assert policy in section(html, "permit-action-list")
    # Suspension is not among Tom Bean's actions: a forged choice is refused beside the field.
    r = client.post(
        f"/cases/{case}/permit-actions",
        data={
            **form,
            "action": "suspended",
            "permit_description": "Building permit",
            "authority": "City Code §3.04",
            "taken_on": "2030-01-07",
        },
    )
    assert r.status_code == 422
    assert "not suspended" in error_beside(r.get_data(as_text=True), "permit-action", "action")


@pytest.mark.rule("TB XIII.A.1", "LG VII.a.vi")
def test_each_part_shows_only_where_the_profile_has_its_rule(
    client, officer, signed_in, clock
) -> None:
    clock("2030-01-10T09:00:00-08:00")
    h = officer.headers
    lg, _ = lg_case(client, h)
    body = complaint_case(jurisdiction="lees-summit-mo", received_at="2030-01-04T09:00:00-06:00")
    ls = client.post("/api/cases", headers=h, json=body).json["case_number"]
    signed_in()
    html, form = page(client, lg)
    # Los Gatos: permits and their actions, no referral to the attorney.
    assert 'id="referrals-permits"' in html and 'id="permit-form"' in html
    assert 'id="referrals"' not in html and 'id="referral-form"' not in html
    assert "Refer to the" not in html
    # Posted anyway, the referral is refused in words: the policy has none.
    r = client.post(
        f"/cases/{lg}/referrals",
        data={**form, "kind": "imminent_threat", "referred_on": "2030-01-09"},
    )
    assert r.status_code == 422 and "no referral" in r.get_data(as_text=True)
    # Lee's Summit: neither referrals nor permits.
    html, _ = page(client, ls)
    assert 'id="referrals-permits"' not in html and 'href="#referrals-permits"' not in html
    assert 'id="permit-form"' not in html and 'id="permit-action-form"' not in html


@pytest.mark.rule("TB XIII.A.1")
def test_a_records_clerk_reads_the_part_without_its_forms(
    client, officer, signed_in, clock
) -> None:
    clock("2030-01-07T09:00:00-06:00")
    case, _, violation = tb_case(client, officer.headers, "8 Pine Street")
    r = client.put(
        f"/api/cases/{case}/violations/{violation}/imminent-threat",
        headers=officer.headers,
        json={"imminent_threat": True, "note": "Live wire across the yard."},
    )
    assert r.status_code == 200
    signed_in("records")
    html, form = page(client, case)
    assert "Live wire across the yard." in section(html, f"threat-{violation}")
    assert 'id="referral-form"' not in html and f'id="threat-form-{violation}"' not in html
    r = client.post(
        f"/cases/{case}/referrals",
        data={**form, "kind": "imminent_threat", "referred_on": "2030-01-07"},
    )
    assert r.status_code == 403


@pytest.mark.rule("LG VII.a.vi", "LG III.b.x")
def test_permit_forms_wait_behind_a_tap_and_an_action_cites_its_policy_once(
    client, officer, signed_in, clock, database
) -> None:
    from docsvc.models import Jurisdiction

    clock("2030-01-10T09:00:00-08:00")
    h = officer.headers
    case, violation = lg_case(client, h)
    r = client.post(
        f"/api/cases/{case}/permits",
        headers=h,
        json={"violation_id": violation, "description": "Shed permit", "apply_by": "2030-01-20"}
        | {"obtain_by": "2030-03-01"},
    )
    assert r.status_code == 201, r.json
    permit = r.json["id"]
    # The profile names the ordinance a permit is withheld under: the form starts with it.
    with database.session() as s:
        row = s.get(Jurisdiction, "los-gatos-ca")
        data = dict(row.profile)
        permits_rule = dict(data["permits"])
        permits_rule["actions"] = [
            {**a, "authority": "Town Code §29.10.020"} if a["action"] == "withheld" else a
            for a in permits_rule["actions"]
        ]
        row.profile = {**data, "permits": permits_rule}
        s.commit()
    signed_in()
    html, form = page(client, case)
    tree = lxml_html.fromstring(html)
    applied = tree.xpath(f'//form[@id="permit-{permit}-applied-form"]/ancestor::details')
    assert applied and applied[0].get("open") is None  # closed until asked for
    assert "Record the application…" in applied[0].xpath("summary")[0].text_content()
    assert tree.xpath('//input[@id="permit-action-authority"]/@value') == ["Town Code §29.10.020"]
    r = client.post(
        f"/cases/{case}/permits/{permit}",
        data={**form, "step": "applied"} | {"applied_on": "2030-01-10"},
    )
    assert r.status_code == 302
    html, form = page(client, case)
    obtained = lxml_html.fromstring(html).xpath(
        f'//form[@id="permit-{permit}-obtained-form"]/ancestor::details'
    )
    assert obtained and obtained[0].get("open") is None
    assert "Record the permit obtained…" in obtained[0].xpath("summary")[0].text_content()
    # The policy's citation typed as the authority is shown once.
    r = client.post(
        f"/cases/{case}/permit-actions",
        data={**form, "action": "withheld", "permit_description": "Shed permit"}
        | {"authority": "Code Compliance Standards §III.b.x", "taken_on": "2030-01-10"},
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:1000]
    html, _ = page(client, case)
    listed = section(html, "permit-action-list")
    assert listed.count("§III.b.x") == 1, listed
    assert "Under Code Compliance Standards §III.b.x (permits restricted" in listed

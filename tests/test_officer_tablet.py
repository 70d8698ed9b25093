"""What a Los Gatos officer found trying the service on a tablet: each fixed at its cause."""

from __future__ import annotations

import io
import re

import pytest

from tests import helpers
from tests.documents_helpers import article_number, build_case, issue
from tests.helpers import csrf


def form_tokens(page: bytes) -> dict[str, str]:
    """A page form's hidden tokens: CSRF, and the one-time submission token where forms
    carry one."""
    out = {"csrf_token": csrf(page)}
    match = re.search(rb'name="submission" value="([^"]+)"', page)
    if match:
        out["submission"] = match.group(1).decode()
    return out


def _mailed(client, user, clock):
    """A Los Gatos notice of violation sent by certified mail: (built case, document)."""
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, user.headers, "los-gatos-ca")
    doc = issue(client, user.headers, built, "notice_of_violation")
    clock("2026-11-18T10:00:00-08:00")
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=user.headers,
        json={"method": "certified_mail", "mailed_at": "2026-11-18T09:30:00-08:00",
              "article_number": article_number()},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    clock("2026-11-21T09:00:00-08:00")
    return built, doc


def _receipt_form(client, built, doc, data: bytes, name: str):
    page = client.get(f"/cases/{built.case}")
    return client.post(
        f"/documents/{doc['id']}/return-receipt",
        content_type="multipart/form-data",
        data={**form_tokens(page.data), "status": "delivered",
              "delivered_at": "2026-11-20T14:05", "signed_by": "R. Smith",
              "file": (io.BytesIO(data), name)},
    )  # fmt: skip


def _sentence_ok(text: str) -> None:
    for garble in ("this's", "this&#39;s", "the this", "the its", "file_"):
        assert garble not in text


@pytest.mark.slow
def test_a_file_refused_for_its_type_reads_as_a_sentence_for_every_caller(
    client, signed_in, clock
) -> None:
    """Item 5: the same refusal through the API, the case's upload form and the notice's
    return-receipt form: a sentence, never 'the this's content'."""
    user = signed_in()
    built, doc = _mailed(client, user, clock)
    for data in (b"just some text, not a scan", helpers.jpeg()):
        r = helpers.upload(client, user.headers, built.case, data, "3811.pdf", kind="other")
        assert r.status_code == 415, r.json
        _sentence_ok(r.json["error"])
        assert "the file" in r.json["error"]
        page = client.get(f"/cases/{built.case}")
        r = client.post(
            f"/cases/{built.case}/attachments",
            content_type="multipart/form-data",
            data={**form_tokens(page.data), "kind": "other",
                  "file": (io.BytesIO(data), "3811.pdf")},
        )  # fmt: skip
        assert r.status_code == 415
        _sentence_ok(r.get_data(as_text=True))
        r = _receipt_form(client, built, doc, data, "3811.pdf")
        assert r.status_code == 415
        page = r.get_data(as_text=True)
        _sentence_ok(page)
        assert "Receipt (scan or electronic):" in page


def test_a_key_in_the_possessive_is_not_rewritten_to_this_s(app) -> None:
    from docsvc.ui.forms import Field, Spec, _in_words

    f = Field("receipt", "Receipt", "file", ("receipt_file",))
    said = _in_words(Spec((f,)), f, "the receipt_file's content is not one of the accepted types.")
    assert said == "its content is not one of the accepted types."


def _pdf_images(data: bytes) -> int:
    from pypdf import PdfReader

    return sum(len(p.images) for p in PdfReader(io.BytesIO(data)).pages)


def test_photos_offered_exactly_where_they_are_printed(client, signed_in, clock) -> None:
    """Item 1, over the whole catalogue: for every document type of every jurisdiction the
    new-notice page offers photographs if and only if the issued PDF prints them."""
    from docsvc.documents import wording
    from docsvc.profiles.catalog import catalog
    from tests.documents_helpers import FIELDS, VIOLATION_FOR, document_body

    user = signed_in()
    clock("2026-11-18T09:00:00-08:00")
    offered_somewhere = set()
    for code in VIOLATION_FOR:
        built = build_case(client, user.headers, code)
        issue(client, user.headers, built, "warning_notice")  # where a warning comes first
        offers = client.get(f"/api/jurisdictions/{code}/document-types").json
        for doc_type, entry in catalog().items():
            if doc_type not in {t["type"] for t in offers}:
                continue  # an optional type this jurisdiction does not use
            page = client.get(f"/cases/{built.case}/documents/new?type={doc_type}")
            assert page.status_code == 200
            offered = 'name="photo_ids"' in page.get_data(as_text=True)
            prints = wording.prints_photos(wording.load(code, None, doc_type))
            if entry["recipient"] != "complainant":
                assert offered == prints, (code, doc_type)
            # A type whose catalogue requires photographs must print them.
            assert "photos" not in entry["elements"].values() or prints, (code, doc_type)
            if offered:
                offered_somewhere.add(doc_type)
                doc = issue(client, user.headers, built, doc_type)
                pdf = client.get(doc["pdf_url"], headers=user.headers).data
                assert _pdf_images(pdf) >= 1, (code, doc_type)
            elif doc_type in FIELDS and entry["recipient"] != "complainant":
                body = document_body(doc_type, built, photo_ids=[built.photo])
                r = client.post(
                    f"/api/cases/{built.case}/documents", headers=user.headers, json=body
                )
                assert r.status_code == 422, (code, doc_type, r.json)
                assert "prints no photographs" in r.json["error"]
    assert offered_somewhere == {"notice_of_violation"}


def test_courtesy_notice_in_los_gatos_offers_no_photos(client, signed_in, clock) -> None:
    user = signed_in()
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, user.headers, "los-gatos-ca")
    page = client.get(f"/cases/{built.case}/documents/new?type=warning_notice")
    text = page.get_data(as_text=True)
    assert "Courtesy Notice" in text
    assert 'name="photo_ids"' not in text
    assert "prints no photographs" in text


def test_a_return_receipt_is_never_a_photo(client, signed_in, clock, work) -> None:
    """Item 2: the green card (a JPEG) is kept with its notice's service: not in the photo
    gallery, not offered (or accepted) as a notice's photograph, never 'supplied by the
    complainant', before or after the worker has read it."""
    user = signed_in()
    built, doc = _mailed(client, user, clock)
    r = _receipt_form(client, built, doc, helpers.jpeg(color="green"), "card.jpg")
    assert r.status_code == 302, r.get_data(as_text=True)
    receipt_id = client.get(f"/api/documents/{doc['id']}", headers=user.headers).json[
        "services"][0]["receipts"][0]["attachment_id"]  # fmt: skip
    for _ in range(2):
        page = client.get(f"/cases/{built.case}").get_data(as_text=True)
        gallery = page.split('id="photos"')[1].split("</section>")[0]
        assert f"/attachments/{receipt_id}/" not in gallery
        assert "supplied by the complainant" not in gallery.replace(
            f"Photo {built.complainant_photo}, supplied by the complainant", ""
        )
        docs = page.split('id="documents"')[1].split("</section>")[0]
        assert f"/attachments/{receipt_id}/original" in docs
        assert "Return receipt: delivered Nov 20, 2026, signed by R. Smith" in docs
        new = client.get(f"/cases/{built.case}/documents/new?type=notice_of_violation")
        assert f'name="photo_ids" value="{receipt_id}"' not in new.get_data(as_text=True)
        work()  # and once the worker has read it
    body = {
        "type": "notice_of_violation",
        "recipient_party_id": built.owner,
        "violation_ids": built.violations[:1],
        "photo_ids": [built.photo, receipt_id],
        "fields": {"corrective_action": "Remove the debris."},
    }
    r = client.post(f"/api/cases/{built.case}/documents", headers=user.headers, json=body)
    assert r.status_code == 422
    assert f"files {receipt_id} are not photographs" in r.json["error"]


def _sign_in(client, user) -> None:
    token = csrf(client.get("/login").data)
    r = client.post(
        "/login",
        data={"username": user.username, "password": user.password, "csrf_token": token},
    )
    assert r.status_code == 302


def _chosen_jurisdiction(client) -> tuple[str, str]:
    page = client.get("/cases/new").get_data(as_text=True)
    chosen = re.search(r'<option value="([a-z-]+)" data-now="[^"]*" selected', page)
    received = re.search(r'name="received_at"[^>]*value="([^"]*)"', page)
    assert chosen and received
    return chosen.group(1), received.group(1)


def test_a_new_case_starts_in_the_officers_own_jurisdiction(client, make_user, clock) -> None:
    """Item 9: limited to Los Gatos, the form starts there, Received in Pacific time."""
    clock("2026-11-18T17:00:00+00:00")
    user = make_user("officer", jurisdictions=["los-gatos-ca"], with_password=True)
    _sign_in(client, user)
    assert _chosen_jurisdiction(client) == ("los-gatos-ca", "2026-11-18T09:00")


def test_a_new_case_starts_in_the_jurisdiction_used_last(client, make_user, clock) -> None:
    from tests.conftest import complaint_case

    clock("2026-11-18T17:00:00+00:00")
    user = make_user("officer", with_password=True)
    _sign_in(client, user)
    first, _ = _chosen_jurisdiction(client)
    other = "los-gatos-ca" if first != "los-gatos-ca" else "tom-bean-tx"
    r = client.post("/api/cases", json=complaint_case(jurisdiction=other), headers=user.headers)
    assert r.status_code == 201
    zone_now = {"los-gatos-ca": "2026-11-18T09:00", "tom-bean-tx": "2026-11-18T11:00"}
    assert _chosen_jurisdiction(client) == (other, zone_now[other])


def _confirm(client, page: bytes):
    """Press Yes on a confirmation page: its form's hidden fields sent back."""
    html = page.decode()
    form = html.split('id="confirm-form"')[1].split("</form>")[0]
    action = re.search(r'action="([^"]+)"', html.split('id="confirm-form"')[0][-400:])
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        data.setdefault(name, []).append(value.replace("&amp;", "&"))
    assert action
    return client.post(action.group(1).replace("&amp;", "&"), data=data)


def _new_notice_form(client, built, doc_type: str, **over):
    page = client.get(f"/cases/{built.case}/documents/new?type={doc_type}")
    assert page.status_code == 200
    data = {**form_tokens(page.data), "type": doc_type, "recipient": str(built.owner),
            "violation_ids": [str(built.violations[0])], "photo_ids": [str(built.photo)],
            "action": "draft"}  # fmt: skip
    data.update(over)
    return client.post(f"/cases/{built.case}/documents", data=data)


def _docs(client, user, built) -> list[dict]:
    return client.get(f"/api/cases/{built.case}/documents", headers=user.headers).json


def test_a_draft_missing_an_element_says_so_and_can_be_corrected_or_discarded(
    client, signed_in, clock
) -> None:
    """Item 3: a blank Corrective action is saved as a draft with a warning beside the
    field; issuing it names the element in words; it can be started again (the old draft
    discarded) or discarded after a confirmation, audited."""
    user = signed_in()
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, user.headers, "los-gatos-ca")
    r = _new_notice_form(client, built, "notice_of_violation", f_corrective_action="")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    gap = re.search(r'id="document-f_corrective_action-gap">(.*?)</p>', page, re.S)
    assert gap and "Required before it can be issued" in gap.group(1)
    assert "Saved as a draft, but it cannot be issued until it has: Corrective action" in page
    assert "Not saved" not in page
    (draft,) = _docs(client, user, built)
    assert draft["status"] == "draft"
    # Issuing it names what is missing in words, not by its key.
    case_page = client.get(f"/cases/{built.case}")
    text = case_page.get_data(as_text=True)
    assert "Before it can be issued it needs: Corrective action." in text
    assert "Start again from this draft" in text and "Discard draft" in text
    r = client.post(f"/documents/{draft['id']}/issue", data=form_tokens(case_page.data))
    r = _confirm(client, r.data)
    said = r.get_data(as_text=True)
    assert "Corrective action" in said and "corrective_action" not in said
    # The API says it the same way (its details keep the keys for programs).
    body = {"type": "notice_of_violation", "recipient_party_id": built.owner,
            "violation_ids": built.violations[:1], "fields": {}}  # fmt: skip
    r = client.post(f"/api/cases/{built.case}/documents", headers=user.headers, json=body)
    assert r.status_code == 422 and "Corrective action" in r.json["error"]
    assert "corrective_action" in r.json["details"]["missing"]
    # Start again from the draft: the form as the draft is; saving replaces it.
    again = client.get(
        f"/cases/{built.case}/documents/new?type=notice_of_violation&from={draft['id']}"
    )
    html = again.get_data(as_text=True)
    assert f'name="replaces" value="{draft["id"]}"' in html
    assert re.search(rf'name="violation_ids" value="{built.violations[0]}" checked', html)
    assert not re.search(rf'name="violation_ids" value="{built.violations[1]}" checked', html)
    assert re.search(rf'name="recipient" value="{built.owner}" checked', html)
    data = {**form_tokens(again.data), "type": "notice_of_violation",
            "recipient": str(built.owner), "violation_ids": [str(built.violations[0])],
            "photo_ids": [str(built.photo)], "replaces": str(draft["id"]),
            "f_corrective_action": "Remove the debris.", "action": "draft"}  # fmt: skip
    r = client.post(f"/cases/{built.case}/documents", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)
    (second,) = _docs(client, user, built)
    assert second["id"] != draft["id"] and second["fields"]["corrective_action"]
    # Discard, after a confirmation naming it.
    case_page = client.get(f"/cases/{built.case}")
    r = client.post(f"/documents/{second['id']}/discard", data=form_tokens(case_page.data))
    assert r.status_code == 200
    assert f"Discard the draft Notice of Violation NOV-{second['id']} to Smith" in r.get_data(
        as_text=True
    )
    assert len(_docs(client, user, built)) == 1  # asking changed nothing
    r = _confirm(client, r.data)
    assert r.status_code == 302
    assert _docs(client, user, built) == []
    timeline = client.get(f"/cases/{built.case}").get_data(as_text=True).split('id="timeline"')[1]
    assert timeline.count("Draft discarded") == 2


def test_notices_are_named_by_title_number_recipient_and_violations(
    client, signed_in, clock, work
) -> None:
    """Items 7 and 8: the case's notices, its timeline, the issue confirmation, the due list
    and search name a notice by its jurisdiction's title and number, never by a code."""
    user = signed_in()
    built, nov = _mailed(client, user, clock)
    courtesy = issue(client, user.headers, built, "warning_notice")
    cn = f"Courtesy Notice CN-{courtesy['id']}"
    r = client.post(
        f"/api/documents/{courtesy['id']}/service",
        headers=user.headers,
        json={"method": "door_hanger", "served_at": "2026-11-21T09:00:00-08:00"},
    )
    assert r.status_code == 201, r.json
    page = client.get(f"/cases/{built.case}").get_data(as_text=True)
    docs = page.split('id="documents"')[1].split("</section>")[0]
    item = docs.split(f'id="doc-{courtesy["id"]}"')[1].split("</li>")[0]
    assert cn in item and "Smith &amp; Sons &lt;LLC&gt;" in item
    assert "issued Nov 21, 2026, 9:00 AM PST" in item
    assert "Junk, trash or debris on the property" in item
    nov_item = docs.split(f'id="doc-{nov["id"]}"')[1].split("</li>")[0]
    assert f"Notice of Violation NOV-{nov['id']}" in nov_item
    assert "mailed Nov 18, 2026" in nov_item
    timeline = page.split('id="timeline"')[1].split("</section>")[0]
    for code in ("party add", "document return_receipt", "document issue", "case open"):
        assert code not in timeline
    assert "Party added" in timeline and f"Notice issued: {cn}" in timeline
    assert f"Service recorded: Notice of Violation NOV-{nov['id']}" in timeline
    # The due list names which notice, to whom.
    due = client.get("/api/due", headers=user.headers).json["items"]
    labels = [i["label"] for i in due]
    assert f"Compliance date of {cn} to Smith & Sons <LLC>" in labels
    # Issuing a draft asks about it by name.
    draft = client.post(
        f"/api/cases/{built.case}/documents",
        headers=user.headers,
        json={"type": "warning_notice", "recipient_party_id": built.tenant,
              "violation_ids": built.violations[:1], "draft": True},
    ).json  # fmt: skip
    case_page = client.get(f"/cases/{built.case}")
    r = client.post(f"/documents/{draft['id']}/issue", data=form_tokens(case_page.data))
    asked = r.get_data(as_text=True)
    assert f"Issue Courtesy Notice CN-{draft['id']} to" in asked and "(document" not in asked
    # The new-notice form names violations by the profile's titles, descriptions whole.
    new = client.get(f"/cases/{built.case}/documents/new?type=warning_notice")
    assert "Junk, trash or debris on the property: Tires &amp; weeds" in new.get_data(as_text=True)
    # Search calls it by the jurisdiction's title.
    work()
    hits = client.get("/api/search", headers=user.headers, query_string={"q": "Courtesy"}).json
    titles = [h["title"] for h in hits["results"]]
    assert any(t.startswith(cn) for t in titles), titles
    assert not any("Warning Notice" in t for t in titles)


@pytest.mark.rule("LG III.b.i")
def test_contacting_the_complainant_meets_its_clock_and_shows_nothing_of_them(
    client, signed_in, clock, database
) -> None:
    """Item 4: a form beside the clock (and the API) records when, how, by whom and a note;
    the clock is met; recording shows nothing of the complainant, and a number typed into
    the note is masked."""
    from sqlalchemy import func, select

    from docsvc.models import AuditEvent

    user = signed_in()
    clock("2026-11-17T09:00:00-08:00")
    built = build_case(client, user.headers, "los-gatos-ca")
    page = client.get(f"/cases/{built.case}")
    html = page.get_data(as_text=True)
    clocks = html.split('id="clock-list"')[1].split("</table>")[0]
    assert "Record the contact" in clocks

    def views() -> int:
        with database.session() as s:
            return s.scalar(
                select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.action == "complainant.view")
            )  # fmt: skip

    before = views()
    r = client.post(
        f"/cases/{built.case}/complainant-contact",
        data={**form_tokens(page.data), "contacted_at": "2026-11-17T08:45", "method": "phone",
              "note": "Called back at (408) 555-0142; re-inspection Friday."},
    )  # fmt: skip
    assert r.status_code == 302, r.get_data(as_text=True)
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    clocks = html.split('id="clock-list"')[1].split("</table>")[0]
    row = clocks.split("Contact the complainant")[1].split("</tr>")[0]
    assert "clock-met" in row and "Record the contact" not in row
    assert f"Telephone by Officer {user.username.removeprefix('officer')}" in row
    assert "re-inspection Friday" in row
    for theirs in ("555-0142", "Maria", "maria@example.org", "1420 Elm"):
        assert theirs not in html
    assert views() == before  # nothing of them was shown to record it
    assert "Complainant contacted" in html.split('id="timeline"')[1]
    api = client.get(f"/api/cases/{built.case}/clocks", headers=user.headers).json
    (contact,) = [c for c in api["clocks"] if c["name"] == "contact_complainant"]
    assert contact["status"] == "met" and contact["contact_method"] == "phone"
    assert "555-0142" not in contact["contact_note"]
    # The API records the same, with the new optional fields.
    clock("2026-11-17T10:00:00-08:00")
    r = client.post(
        f"/api/cases/{built.case}/complainant-contact",
        headers=user.headers,
        json={"contacted_at": "2026-11-17T09:30:00-08:00", "method": "email",
              "contacted_by": "Officer Diaz", "note": "Sent the case number."},
    )  # fmt: skip
    assert r.status_code == 200, r.json
    (contact,) = [c for c in r.json["clocks"] if c["name"] == "contact_complainant"]
    assert contact["contacted_by"] == "Officer Diaz" and contact["contact_method"] == "email"
    r = client.post(
        f"/api/cases/{built.case}/complainant-contact",
        headers=user.headers,
        json={"contacted_at": "2026-11-17T09:30:00-08:00", "method": "pigeon"},
    )
    assert r.status_code == 422


def test_the_service_form_fits_the_method_and_a_second_service_asks_first(
    client, signed_in, clock
) -> None:
    """Item 6: each method's fields in a fieldset of its own (mail: mailed on, article
    number; by hand: served on, received by, where, served by); personal service records who
    received it and where (page and API); a second service asks first, naming the first."""
    from lxml import html as lxml_html

    user = signed_in()
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, user.headers, "los-gatos-ca")
    nov = issue(client, user.headers, built, "notice_of_violation")
    clock("2026-11-18T10:00:00-08:00")
    page = client.get(f"/cases/{built.case}")
    tree = lxml_html.fromstring(page.data)
    (form,) = tree.xpath(f'//form[@action="/documents/{nov["id"]}/service"]')
    sets = {
        fs.get("data-methods"): (
            fs.xpath("string(legend)"),
            sorted(fs.xpath(".//input/@name")),
        )
        for fs in form.xpath(".//fieldset[@class='by-method']")
    }
    assert sets == {
        "first_class_mail certified_mail": (
            "If sent by first-class mail or certified mail",
            ["article_number", "mailed_at"],
        ),
        "personal": (
            "If served by personal service",
            ["served_at", "served_by", "served_to", "served_where"],
        ),
    }
    assert "Served or mailed" not in page.get_data(as_text=True)
    r = client.post(
        f"/documents/{nov['id']}/service",
        data={**form_tokens(page.data), "method": "personal", "served_at": "2026-11-18T09:40",
              "served_to": "Dana Smith, the owner", "served_where": "At the front door",
              "mailed_at": "", "article_number": ""},
    )  # fmt: skip
    assert r.status_code == 302, r.get_data(as_text=True)
    (sv,) = client.get(f"/api/documents/{nov['id']}", headers=user.headers).json["services"]
    assert sv["served_to"] == "Dana Smith, the owner"
    assert sv["served_where"] == "At the front door"
    assert sv["served_by"].startswith("Officer ")
    item = client.get(f"/cases/{built.case}").get_data(as_text=True).split(
        f'id="doc-{nov["id"]}"')[1].split("</li>")[0]  # fmt: skip
    assert (
        "personal service · Served on Nov 18, 2026, 9:40 AM PST to Dana Smith, the owner at At the front door by"
        in item
    )
    # A second service asks first, naming the first; Cancel keeps what was typed.
    page = client.get(f"/cases/{built.case}")
    second = {**form_tokens(page.data), "method": "certified_mail",
              "mailed_at": "2026-11-18T09:50", "article_number": article_number()}  # fmt: skip
    r = client.post(f"/documents/{nov['id']}/service", data=second)
    asked = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="confirm-form"' in asked
    assert f"Record another service of Notice of Violation NOV-{nov['id']}?" in asked
    assert "already served by personal service to Dana Smith, the owner on 2026-11-18" in asked
    assert (
        len(client.get(f"/api/documents/{nov['id']}", headers=user.headers).json["services"]) == 1
    )
    r = _confirm(client, r.data)
    assert r.status_code == 302
    assert (
        len(client.get(f"/api/documents/{nov['id']}", headers=user.headers).json["services"]) == 2
    )
    # The API takes the new fields too, and refuses them for mail.
    r = client.post(
        f"/api/documents/{nov['id']}/service",
        headers=user.headers,
        json={"method": "first_class_mail", "mailed_at": "2026-11-18T09:55:00-08:00",
              "served_to": "Dana"},
    )  # fmt: skip
    assert r.status_code == 422 and "service by hand" in r.json["error"]

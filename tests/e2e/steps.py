"""Steps the scenarios share: what a user does on a page, or an integration through the API."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from tests.e2e.browser import expect_flash, fetch, pdf_text, submit
from tests.e2e.client import Api, wait_for


def field_photo(color: str = "olive") -> bytes:
    """A camera's JPEG: a scene with detail (so it compresses like a photo) and its EXIF."""
    from tests import helpers

    base = Image.open(io.BytesIO(helpers.jpeg((1600, 1200), color=color)))
    exif = base.getexif()
    img = base.convert("RGB")
    draw = ImageDraw.Draw(img)
    for i in range(0, 1600, 40):
        draw.line([(i, 0), (1600 - i, 1200)], fill=(i % 255, 90, 200 - i % 200), width=7)
    draw.rectangle([300, 700, 1100, 1000], fill=(120, 70, 40))  # the couch
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88, exif=exif)
    return out.getvalue()


def today(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def now_iso(zone: str) -> str:
    return datetime.now(ZoneInfo(zone)).isoformat(timespec="seconds")


def open_case_page(page: Any, base: str, case: str) -> None:
    page.goto(f"{base}/cases/{case}")


COMPLAINT_TYPES = {"los-gatos-ca": "property-maintenance", "tom-bean-tx": "nuisance"}


def intake(
    page: Any, base: str, jurisdiction: str, address: str, when: str, complaint: dict
) -> str:
    """The officer types a complaint into the new-case form; the new case's number."""
    page.goto(f"{base}/cases")
    page.click("text=New case")
    page.select_option("#intake-form select[name=jurisdiction]", jurisdiction)
    page.fill("#intake-form input[name=address]", address)
    page.fill("#intake-form input[name=received_at]", when)
    page.fill("#intake-form textarea[name=description]", complaint["description"])
    if jurisdiction in COMPLAINT_TYPES:  # Tom Bean VI.A.4, Los Gatos V.a.iv: a type each
        page.select_option(
            "#intake-form select[name=complaint_type]", COMPLAINT_TYPES[jurisdiction]
        )
    page.fill("#intake-form input[name=c_name]", complaint["name"])
    page.fill("#intake-form input[name=c_phone]", complaint["phone"])
    page.select_option("#intake-form select[name=disclosure_preference]", "nondisclosure")
    submit(page, page.locator("#intake-form button[type=submit]"))
    number = page.inner_text("#case-number")
    assert complaint["name"] not in page.content()  # masked until "Show complainant"
    return number


def add_party(page: Any, role: str, name: str, address: str) -> None:
    page.click("#parties summary")
    page.select_option("#party-form select[name=role]", role)
    page.fill("#party-form input[name=name]", name)
    page.fill("#party-form input[name=mailing_address]", address)
    submit(page, page.locator("#party-form button[type=submit]"))
    expect_flash(page, "Party added.")


def add_violation(page: Any, code: str, what: str, when: str) -> None:
    page.click("#violations > details > summary")
    page.select_option("#violation-form select[name=violation_type]", code)
    page.fill("#violation-form textarea[name=description]", what)
    page.fill("#violation-form input[name=observed_at]", when)
    submit(page, page.locator("#violation-form button[type=submit]"))
    expect_flash(page, "Violation recorded.")


def add_inspection(page: Any, when: str, place: str, seen: str, action: str) -> None:
    page.click("#inspections summary")
    f = page.locator("#inspection-form")
    f.locator("input[name=visited_at]").fill(when)
    f.locator("input[name=place]").fill(place)
    f.locator("textarea[name=violations_observed]").fill(seen)
    f.locator("textarea[name=evidence]").fill("Photographs from the sidewalk")
    f.locator("textarea[name=discussions]").fill("Spoke with the tenant at the door")
    f.locator("textarea[name=recommended_action]").fill(action)
    submit(page, f.locator("button[type=submit]"))
    expect_flash(page, "Inspection report saved.")
    assert place in page.inner_text("#inspections")


def upload_photo(page: Any, tmp_path: Any, caption: str, color: str = "olive") -> None:
    photo = tmp_path / f"IMG_{color}.jpg"
    photo.write_bytes(field_photo(color))
    page.set_input_files("#upload-form input[type=file]", str(photo))
    page.select_option("#upload-form select[name=kind]", "photo")
    page.fill("#upload-form input[name=caption]", caption)
    submit(page, page.locator("#upload-form button[type=submit]"))
    fig = page.locator(".gallery figure", has_text=caption)
    fig.locator("img").wait_for()
    # Polled from here: Playwright's wait_for_function evaluates a string, which the CSP forbids.
    wait_for(
        "the photo's thumbnail to load",
        lambda: page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth)"),
        timeout=30,
        every=0.2,
    )


def prepare_documents(
    page: Any, base: str, case: str, doc_type: str, fields: dict[str, str], recipients: list[str]
) -> None:
    """The new-document page: the type, the recipients by name, the fields; saved as drafts."""
    page.goto(f"{base}/cases/{case}")
    page.click("#new-document")
    page.select_option("#doc-type-form select[name=type]", doc_type)
    page.click("#doc-type-form button")
    form = page.locator("#document-form")
    boxes = form.locator("input[name=recipient]")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        label = box.locator("xpath=..").inner_text()
        if any(r.lower() in label.lower() for r in recipients):
            box.check()
        else:
            box.uncheck()
    for name, value in fields.items():
        form.locator(f"[name=f_{name}]").fill(value)
    submit(page, form.locator("button[value=draft]"))
    n = len(recipients)
    expect_flash(page, f"{n} document{'s' if n != 1 else ''} saved as draft.")


def document_item(page: Any, title: str, recipient: str) -> Any:
    return page.locator("#documents li[id^=doc-]", has_text=title).filter(
        has_text=f"to {recipient}"
    )


def issue_draft(page: Any, title: str, recipient: str) -> tuple[int, str]:
    """Preview the draft, issue it; the document's id and the issued PDF's text."""
    item = document_item(page, title, recipient)
    preview = fetch(page, item.locator("a", has_text="Preview PDF").get_attribute("href"))
    assert preview.status == 200, preview.text()[:300]
    assert title in pdf_text(preview.body())
    doc_id = int(item.get_attribute("id").removeprefix("doc-"))
    submit(page, item.locator("button", has_text="Issue"))
    expect_flash(page, "Document issued.")
    item = page.locator(f"#doc-{doc_id}")
    assert " issued " in item.inner_text()
    pdf = fetch(page, item.locator("a", has_text="PDF").first.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    return doc_id, pdf_text(pdf.body())


def record_service(page: Any, doc_id: int, method: str, when: str, article: str = "") -> None:
    item = page.locator(f"#doc-{doc_id}")
    item.locator("summary", has_text="Record service").click()
    item.locator("select[name=method]").select_option(method)
    date_field = "mailed_at" if method.endswith("_mail") else "served_at"
    item.locator(f"input[name={date_field}]").fill(when)
    if article:
        item.locator("input[name=article_number]").fill(article)
    submit(page, item.locator(".service-form button"))
    expect_flash(page, "Service recorded.")


def record_receipt(
    page: Any, tmp_path: Any, doc_id: int, status: str, when: str = "", signed: str = ""
) -> None:
    from tests import helpers

    scan = tmp_path / f"3811-{doc_id}.pdf"
    scan.write_bytes(helpers.pdf(f"PS Form 3811 {status} {signed}"))
    item = page.locator(f"#doc-{doc_id}")
    item.locator("summary", has_text="Upload the return receipt").click()
    item.locator("input[type=file]").set_input_files(str(scan))
    item.locator("select[name=status]").select_option(status)
    if when:
        item.locator("input[name=delivered_at]").fill(when)
    if signed:
        item.locator("input[name=signed_by]").fill(signed)
    submit(page, item.locator(".receipt-form button"))
    expect_flash(page, "Return receipt recorded.")


def due_on_page(page: Any, doc_id: int) -> str:
    """The compliance date the case page shows for a notice (YYYY-MM-DD, the day in the case's
    zone: the page says 'due Dec 10, 2026, 11:59 PM PST' over its machine-readable time)."""
    item = page.locator(f"#doc-{doc_id}")
    shown = item.locator("time.due-at")
    assert shown.count() == 1, item.inner_text()
    said = shown.inner_text()
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M [A-Z]{3,4}", said), said
    return str(shown.get_attribute("datetime"))[:10]


def article_number(serial: int) -> str:
    from docsvc.documents.usps import check_digit

    body = f"9407111206208{serial:08d}"
    return body + str(check_digit(body))


def compliance_clock(api: Api, case: str, doc_id: int) -> dict:
    clocks = api.ok("GET", f"/api/cases/{case}/clocks")["clocks"]
    found = [c for c in clocks if c["name"] == "compliance" and c.get("document_id") == doc_id]
    assert len(found) == 1, clocks
    return found[0]


def within_days(day: str, start: date, low: int, high: int) -> None:
    """A deadline `low` days on, give or take a weekend or holiday rolled over."""
    d = date.fromisoformat(day)
    assert start + timedelta(days=low) <= d <= start + timedelta(days=high), (day, start)


def zip_text(data: bytes) -> tuple[list[str], str]:
    """A released package's file names and all the text in it (PDFs through pdftotext)."""
    names, text = [], []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            names.append(name)
            raw = zf.read(name)
            text.append(
                pdf_text(raw) if raw.startswith(b"%PDF-") else raw.decode("utf-8", "replace")
            )
    return names, "\n".join(text)


def wait_for_request(api: Api, rid: int, status: str) -> dict:
    return wait_for(
        f"records request {rid} to reach '{status}'",
        lambda: (r := api.ok("GET", f"/api/disclosures/{rid}"))["status"] == status and r,
    )


def page_messages(page: Any) -> str:
    """Everything the page says about the last action: its banners and error boxes."""
    return " | ".join(page.locator(".flash, .errors, [role=alert]").all_inner_texts())

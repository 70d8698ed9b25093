"""What a Los Gatos officer found trying the service on a tablet: each fixed at its cause."""

from __future__ import annotations

import io

from tests import helpers
from tests.documents_helpers import article_number, build_case, issue
from tests.helpers import csrf


def _mailed(client, user, clock):  # type: ignore[no-untyped-def]
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


def _receipt_form(client, built, doc, data: bytes, name: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/cases/{built.case}")
    return client.post(
        f"/documents/{doc['id']}/return-receipt",
        content_type="multipart/form-data",
        data={"csrf_token": csrf(page.data), "status": "delivered",
              "delivered_at": "2026-11-20T14:05", "signed_by": "R. Smith",
              "file": (io.BytesIO(data), name)},
    )  # fmt: skip


def _sentence_ok(text: str) -> None:
    for garble in ("this's", "this&#39;s", "the this", "the its", "file_"):
        assert garble not in text


def test_a_file_refused_for_its_type_reads_as_a_sentence_for_every_caller(  # type: ignore[no-untyped-def]
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
            data={"csrf_token": csrf(page.data), "kind": "other",
                  "file": (io.BytesIO(data), "3811.pdf")},
        )  # fmt: skip
        assert r.status_code == 415
        _sentence_ok(r.get_data(as_text=True))
        r = _receipt_form(client, built, doc, data, "3811.pdf")
        assert r.status_code == 415
        page = r.get_data(as_text=True)
        _sentence_ok(page)
        assert "Receipt (scan or electronic):" in page


def test_a_key_in_the_possessive_is_not_rewritten_to_this_s(app) -> None:  # type: ignore[no-untyped-def]
    from docsvc.ui.forms import Field, Spec, _in_words

    f = Field("receipt", "Receipt", "file", ("receipt_file",))
    said = _in_words(Spec((f,)), f, "the receipt_file's content is not one of the accepted types.")
    assert said == "its content is not one of the accepted types."

"""Court bundles, checked by readers that are not the ones that wrote them: qpdf for structure,
pdftotext page by page for the Bates sequence and the index, pypdf for bookmarks and labels."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
from pathlib import Path

from pypdf import PdfReader

from docsvc.documents.service import Env
from docsvc.jobs.worker import drain
from docsvc.store import FileStore
from tests import helpers
from tests.documents_helpers import article_number, build_case, issue


def _work(database, settings) -> None:  # type: ignore[no-untyped-def]
    drain(database, Env(FileStore(settings.store_dir), settings))


def _pages_text(data: bytes, tmp: Path) -> list[str]:
    path = tmp / "bundle.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")[:-1]


def _served_case(client, officer, clock):  # type: ignore[no-untyped-def]
    """A Los Gatos case with a notice served by certified mail and its return receipt, two
    photos, an e-mailed letter and a scanned PDF from the owner."""
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    doc = issue(client, officer.headers, built, "notice_of_violation")
    clock("2026-11-18T10:00:00-08:00")
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=officer.headers,
        json={"method": "certified_mail", "mailed_at": "2026-11-18T09:30:00-08:00",
              "article_number": article_number()},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    clock("2026-11-21T09:00:00-08:00")
    r = client.post(
        f"/api/documents/{doc['id']}/return-receipt",
        headers=officer.headers,
        content_type="multipart/form-data",
        data={"status": "delivered", "delivered_at": "2026-11-20T14:05:00-08:00",
              "signed_by": "R. Smith",
              "file": (io.BytesIO(helpers.pdf("PS Form 3811 green card")), "3811.pdf")},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    letter = helpers.pdf_with(helpers.text_ops("Letter from the owner: we will clean up."))
    r = helpers.upload(client, officer.headers, built.case, letter, "l.pdf", kind="correspondence")
    assert r.status_code == 201, r.json
    return built, doc


def test_a_bundle_is_paginated_stamped_indexed_and_hashed(  # type: ignore[no-untyped-def]
    client, officer, attorney, records, clock, database, settings, tmp_path
) -> None:
    built, doc = _served_case(client, officer, clock)
    r = client.post(
        f"/api/cases/{built.case}/bundles",
        headers=attorney.headers,
        json={"bates_prefix": "LGCE", "bates_start": 101},
    )
    assert r.status_code == 202, r.json
    bundle_id = r.json["id"]
    assert r.json["status"] == "queued"
    _work(database, settings)
    b = client.get(f"/api/bundles/{bundle_id}", headers=attorney.headers).json
    assert b["status"] == "done", b["error"]
    assert len(b["volumes"]) == 1
    vol = b["volumes"][0]
    data = client.get(vol["pdf_url"], headers=attorney.headers).data
    path = tmp_path / "v.pdf"
    path.write_bytes(data)
    assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages == b["pages"] == vol["pages"]
    # Bates on every page, continuous from the start asked for, in the stamp strip.
    texts = _pages_text(data, tmp_path)
    assert len(texts) == pages
    for n, text in enumerate(texts):
        assert f"LGCE{101 + n:06d}" in text, (n, text[-300:])
        assert f"page {n + 1} of {pages}" in text
    assert vol["first_bates"] == "LGCE000101" and vol["last_bates"] == f"LGCE{100 + pages:06d}"
    # The index's page numbers are where each record starts.
    index_text = texts[1]
    listed = re.findall(r"(Photograph \d of \d)[^\n]*?\s(\d+)\s+LGCE(\d{6})", index_text)
    assert len(listed) == 2, index_text
    for title, page, number in listed:
        assert int(number) == 100 + int(page)
        assert re.search(title.replace(" ", r"\s+", 1), texts[int(page) - 1]), title
    notice_page = int(
        re.search(r"Notice of Violation, issued[^\n]*?\s(\d+)\s+LGCE", index_text).group(1)
    )  # type: ignore[union-attr]
    assert "NOTICE OF VIOLATION" in texts[notice_page - 1].upper()
    proof_page = int(re.search(r"Proof of service\s+(\d+)\s+LGCE", index_text).group(1))  # type: ignore[union-attr]
    receipt_page = int(
        re.search(r"Return receipt \(delivered\)[^\n]*?\s(\d+)\s+LGCE", index_text).group(1)
    )  # type: ignore[union-attr]
    assert notice_page < proof_page < receipt_page  # each notice followed by its proof
    assert "Proof of service" in texts[proof_page - 1] and "R. Smith" in texts[proof_page - 1]
    assert "PS Form 3811" in texts[receipt_page - 1]
    # Bookmarks by section, each record under it; labels match the printed page numbers.
    reader = PdfReader(io.BytesIO(data))
    top = [o.title for o in reader.outline if not isinstance(o, list)]
    assert top[:3] == ["Cover and index", "Timeline", "Complaint"]
    assert "Notices and proof of service" in top and "Photographs" in top
    assert reader.page_labels[0] == "1" and reader.page_labels[-1] == str(pages)
    # Links from the index lead to the record's first page.
    links = [a.get_object() for a in reader.pages[1].get("/Annots", [])]
    dests = [reader.get_page_number(a["/A"]["/D"][0]) for a in links if a["/A"]["/S"] == "/GoTo"]
    assert len(dests) >= 8 and sorted(dests) == dests
    assert int(listed[0][1]) - 1 in dests
    # The complainant is in the attorney's unredacted bundle, and the download was audited.
    assert "O'Brien-Nguyễn" in "".join(texts) or "O'Brien-Nguy" in "".join(texts)
    # The manifest: embedded in the volume and downloadable, the same bytes; its hashes are
    # the stored files'.
    manifest = client.get(b["manifest_url"], headers=attorney.headers).data
    embedded = reader.attachments["manifest.json"][0]
    assert embedded == manifest
    rows = json.loads(manifest)["files"]
    assert {r["record"].split(" (")[0] for r in rows} >= {f"document {doc['id']}"}
    store = FileStore(settings.store_dir)
    for row in rows:
        assert (
            hashlib.sha256(store.path_for(row["sha256"]).read_bytes()).hexdigest() == row["sha256"]
        )
    # The custodian certifies it (records only), under California's rule.
    assert (
        client.post(
            f"/api/bundles/{bundle_id}/certify", headers=attorney.headers, json={}
        ).status_code
        == 403
    )
    r = client.post(f"/api/bundles/{bundle_id}/certify", headers=records.headers, json={})
    assert r.status_code == 200, r.json
    cert = client.get(r.json["certification_url"], headers=records.headers).data
    cert_text = _pages_text(cert, tmp_path)[0]
    flat = re.sub(r"\s+", "", cert_text)
    assert "Evidence Code § 1561" in cert_text and vol["sha256"][:12] in flat
    assert "LGCE000101" in cert_text and f"{pages} pages" in cert_text
    assert client.get(f"/api/bundles/{bundle_id}", headers=officer.headers).status_code == 403


def test_the_redacted_variant_fails_closed(  # type: ignore[no-untyped-def]
    client, officer, attorney, clock, database, settings, tmp_path
) -> None:
    # The tenant shares the complainant's surname: the redaction cannot tell them apart, so the
    # release scanner finds the name on the cover's party list and nothing is stored.
    built, _ = _served_case(client, officer, clock)
    r = client.post(
        f"/api/cases/{built.case}/bundles", headers=attorney.headers, json={"redacted": True}
    )
    assert r.status_code == 202, r.json
    _work(database, settings)
    b = client.get(f"/api/bundles/{r.json['id']}", headers=attorney.headers).json
    assert b["status"] == "failed" and b["volumes"] == [] and b["manifest_url"] is None
    assert "still shows the complainant's identity" in b["error"] and "(page 1" in b["error"]
    assert "O'Brien" not in b["error"] and "Maria" not in b["error"]
    # Bad requests say what to fix.
    r = client.post(
        f"/api/cases/{built.case}/bundles", headers=attorney.headers, json={"bates_prefix": "A B"}
    )
    assert r.status_code == 422 and "bates_prefix" in r.json["error"]
    r = client.post(f"/api/cases/{built.case}/bundles", headers=officer.headers, json={})
    assert r.status_code == 403

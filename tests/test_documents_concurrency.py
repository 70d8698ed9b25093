"""Officers issuing at once: rendering runs outside the write lock, so concurrent issues all
succeed (no 'database is locked', no 500), each with its own stored files, and the audit
chain stays whole."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from docsvc.audit import verify_chain
from docsvc.models import Document
from tests.documents_helpers import build_case, document_body


def test_concurrent_issues_and_reads(app, officer, records, database) -> None:
    setup = app.test_client()
    built = build_case(setup, officer.headers, "jefferson-county-wa")

    def issue(i: int) -> tuple[int, str]:
        client = app.test_client()
        party = built.owner if i % 2 else built.tenant
        r = client.post(
            f"/api/cases/{built.case}/documents",
            headers=officer.headers,
            json=document_body("warning_notice", built, recipient_party_id=party),
        )
        return r.status_code, r.get_data(as_text=True)

    def read(_i: int) -> int:
        client = app.test_client()
        return client.get(f"/api/cases/{built.case}", headers=records.headers).status_code

    with ThreadPoolExecutor(6) as pool:
        issued = list(pool.map(issue, range(12)))
        reads = list(pool.map(read, range(12)))
    assert [s for s, _ in issued] == [201] * 12, [b for s, b in issued if s != 201][:1]
    assert reads == [200] * 12
    with database.session() as s:
        docs = s.scalars(select(Document).where(Document.status == "issued")).all()
        assert len(docs) == 12 and all(d.pdf_sha256 and d.docx_sha256 for d in docs)
        assert verify_chain(s) == []

"""Rendering pitfalls: template variables, byte-stable PDFs, a renderer that fetches nothing."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from docxtpl import DocxTemplate
from weasyprint.urls import FatalURLFetchingError

from docsvc.documents.pdf import StoreFetcher
from docsvc.documents.templates import default_dir
from docsvc.models import Document
from docsvc.store import FileStore, IntegrityError
from tests.documents_helpers import build_case, document_body

CONTEXT_KEYS = {
    "document",
    "jurisdiction",
    "letterhead",
    "case",
    "property",
    "recipient",
    "officer",
    "signers",
    "violations",
    "photos",
    "deadline",
    "fields",
    "sections",
    "preview",
    "schema",
    "letters",
    "seal",
    "seal_image",  # the seal's PNG, added by docsvc/documents/docx.py
}


def test_docx_template_uses_only_context_variables() -> None:
    tpl = DocxTemplate(str(default_dir() / "_layout" / "notice.docx"))
    assert tpl.get_undeclared_template_variables() <= CONTEXT_KEYS


def test_committed_docx_template_matches_its_builder(tmp_path) -> None:
    """notice.docx is generated: a hand edit to the builder must be rebuilt and committed."""
    import zipfile

    build = default_dir() / "_layout" / "build_docx.py"
    code = build.read_text().replace(
        'Path(__file__).with_name("notice.docx")', f"Path({str(tmp_path / 'n.docx')!r})"
    )
    subprocess.run([sys.executable, "-c", code + "\nbuild()"], check=True)

    def body(p: Path) -> bytes:
        with zipfile.ZipFile(p) as zf:
            return zf.read("word/document.xml")

    assert body(tmp_path / "n.docx") == body(default_dir() / "_layout" / "notice.docx")


def test_the_renderer_fetches_only_stored_renditions(tmp_path) -> None:
    store = FileStore(tmp_path)
    fetcher = StoreFetcher(store)
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:1/x.png",
        "https://example.org/a.css",
        "data:text/plain,hi",
        "ftp://x/y",
    ):
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)
    stored = store.put_bytes(b"\xff\xd8\xffjpeg")
    # Answered with the verified bytes, as the stored file's own address (so WeasyPrint can
    # read it again at write time instead of holding every photo in memory).
    response = fetcher.fetch(f"store:{stored.sha256}")
    assert response.read() == b"\xff\xd8\xffjpeg"
    assert response.path == str(store.path_for(stored.sha256))
    store.path_for(stored.sha256).write_bytes(b"tampered")
    with pytest.raises(IntegrityError):
        fetcher.fetch(f"store:{stored.sha256}")


RENDER_AGAIN = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from docsvc.config import Settings
    from docsvc.documents.service import rendered
    from docsvc.documents.env import Env
    from docsvc.profiles import load_profile_file, shipped_profile_paths
    from docsvc.store import FileStore
    data_dir = Path(sys.argv[1])
    context = json.loads(Path(sys.argv[2]).read_text())
    profile = [load_profile_file(p) for p in shipped_profile_paths()
               if p.parent.name == context["jurisdiction"]["code"]][0]
    env = Env(FileStore(data_dir / "store"), Settings(data_dir=data_dir, database_url="sqlite://",
                                                      secret_key="x"))
    pdf, _ = rendered(env, profile, context, preview=False)
    sys.stdout.write(__import__("hashlib").sha256(pdf).hexdigest())
""")


@pytest.mark.slow
def test_the_same_notice_renders_to_the_same_bytes_in_another_process(
    client, officer, database, settings, tmp_path
) -> None:
    built = build_case(client, officer.headers, "tom-bean-tx")
    doc = client.post(
        f"/api/cases/{built.case}/documents",
        headers=officer.headers,
        json=document_body("notice_of_violation", built),
    ).json
    with database.session() as s:
        context = s.get(Document, doc["id"]).context
    ctx_file = tmp_path / "ctx.json"
    ctx_file.write_text(json.dumps(context))
    digests = {
        subprocess.run(
            [sys.executable, "-c", RENDER_AGAIN, str(settings.data_dir), str(ctx_file)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for _ in range(2)
    }
    assert digests == {doc["pdf_sha256"]}, "PDF bytes differ between renders"
    assert (
        doc["pdf_sha256"]
        == hashlib.sha256(client.get(doc["pdf_url"], headers=officer.headers).data).hexdigest()
    )


@pytest.mark.parametrize("role", ["public", "records", "attorney"])
def test_document_roles(client, officer, make_user, role) -> None:
    built = build_case(client, officer.headers, "los-gatos-ca")
    doc = client.post(
        f"/api/cases/{built.case}/documents",
        headers=officer.headers,
        json=document_body("warning_notice", built),
    ).json
    h = {} if role == "public" else make_user(role).headers
    denied = 401 if role == "public" else 403
    assert (
        client.post(
            f"/api/cases/{built.case}/documents",
            headers=h,
            json=document_body("warning_notice", built),
        ).status_code
        == denied
    )
    assert (
        client.post(
            f"/api/documents/{doc['id']}/service",
            headers=h,
            json={"method": "personal", "served_at": doc["issued_at"]},
        ).status_code
        == denied
    )
    read = 401 if role == "public" else 200
    for url in (
        f"/api/documents/{doc['id']}",
        doc["pdf_url"],
        doc["docx_url"],
        f"/api/cases/{built.case}/documents",
    ):
        assert client.get(url, headers=h).status_code == read

"""`docsvc verify`'s PDF/A structure check reports what an archival copy lost, whatever shape
the rewritten file is in: it never fails on a page or an entry it did not expect."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from docsvc.documents.pdf import write_pdf
from docsvc.documents.pdfa import structure_problems
from docsvc.store import FileStore

STYLESHEET = Path(__file__).resolve().parent.parent / "templates" / "_layout" / "notice.css"


@pytest.fixture(scope="module")
def archival(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    store = FileStore(tmp_path_factory.mktemp("store"))
    data = write_pdf("<p>Notice of Violation</p>", STYLESHEET, store)
    assert structure_problems(data) == []
    return data


def _rewritten(data: bytes, change: Callable[[pikepdf.Pdf], None]) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out, fix_metadata_version=False)  # pikepdf would rewrite the XMP itself
    return out.getvalue()


def test_a_page_that_draws_no_text_has_no_fonts_to_check(archival: bytes) -> None:
    def add_blank_pages(pdf: pikepdf.Pdf) -> None:
        pdf.add_blank_page()  # /Resources with no /Font
        bare = Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 612, 792]))
        pdf.pages.append(pikepdf.Page(pdf.make_indirect(bare)))  # no /Resources at all

    assert structure_problems(_rewritten(archival, add_blank_pages)) == []


def test_metadata_that_is_not_a_stream_is_reported(archival: bytes) -> None:
    def replace_metadata(pdf: pikepdf.Pdf) -> None:
        pdf.Root.Metadata = pdf.make_indirect(Dictionary(Type=Name.Metadata))

    assert structure_problems(_rewritten(archival, replace_metadata)) == [
        "its XMP metadata is not a stream"
    ]


def test_an_output_intent_that_is_not_a_dictionary_is_no_pdfa_intent(archival: bytes) -> None:
    def replace_intents(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OutputIntents = Array([String("sRGB")])

    assert structure_problems(_rewritten(archival, replace_intents)) == [
        "has no PDF/A output intent with an ICC profile"
    ]

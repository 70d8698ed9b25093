"""A complainant that is a business ("Smith & Sons <LLC>") is written many ways: "&" or "and",
with or without its legal form, with commas, periods and brackets anywhere. The redaction's
boxes cover the whole name as written, and the independent leak scanner finds every variant on
its own (scan_targets, not the redaction's needles).
"""

from __future__ import annotations

import io
import zipfile

import pytest

from docsvc.disclosure.pages import find_boxes
from docsvc.disclosure.scan_targets import Targets
from docsvc.disclosure.scanner import scan_package
from docsvc.identity.needles import Identity, find_spans
from tests.helpers import pdf_with, scan_pdf, scan_text_rect, text_ops

# (the name as the complaint records it, the name as a record writes it)
WRITTEN = [
    ("Smith & Sons <LLC>", "Smith and Sons LLC"),
    ("Smith & Sons <LLC>", "Smith & Sons, L.L.C."),
    ("Smith & Sons <LLC>", "Smith and Sons"),
    ("Smith & Sons", "Smith and Sons"),
    ("Smith and Sons", "Smith & Sons"),
    ("Lee & Kim", "Lee and Kim"),
    ("Lee and Kim", "Lee & Kim"),
]


@pytest.mark.parametrize(("name", "written"), WRITTEN)
def test_the_redaction_covers_the_whole_name_however_it_is_written(name: str, written: str) -> None:
    text = f"Complaint from {written} about the yard."
    spans = find_spans(text, Identity(name=name).needles())
    assert [text[a:b].rstrip(".,") for a, b, _ in spans] == [written.rstrip(".")]


@pytest.mark.parametrize(("name", "written"), WRITTEN)
def test_the_leak_scanner_finds_every_variant_on_its_own(name: str, written: str) -> None:
    targets = Targets.of(name)
    assert targets.kinds_in(f"Complaint from {written} about the yard.") == {"name"}
    # Neighbouring words that only share a part of the name are not a finding.
    assert not targets.kinds_in("Lee Street and Kimball Avenue, Smithfield")


@pytest.mark.slow
def test_a_scanned_page_gets_one_box_over_the_whole_name() -> None:
    line = "Complaint from Smith and Sons LLC about the yard."
    data = scan_pdf([(150, 400, line)], [])
    boxes, _ = find_boxes(data, Identity(name="Smith & Sons <LLC>").needles())
    name = [b for b in boxes if b.kind == "name"]
    x0, _, x1, _ = scan_text_rect(150, 400, line, "Smith and Sons LLC")
    # One box from the first letter of "Smith" to the last of "LLC", not "Sons LLC" alone.
    assert len(name) == 1, name
    assert name[0].x0 <= x0 + 2 and name[0].x1 >= x1 - 2, (name[0], x0, x1)


def test_the_package_scan_finds_the_name_written_with_and() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("record.pdf", pdf_with(text_ops("Reported by Lee and Kim on Monday.")))
    findings = scan_package(out.getvalue(), Targets.of("Lee & Kim"), ocr=False)
    assert findings and {(f.file, f.kind) for f in findings} == {("record.pdf", "name")}

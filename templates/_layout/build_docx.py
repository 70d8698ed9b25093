"""Builds notice.docx, the shared DOCX layout, with docxtpl tags.

Run `python templates/_layout/build_docx.py` after changing it; the .docx is committed so a city
can open it in Word, restyle it and save it as its own override. Paragraphs holding only a
`{%p ... %}` tag vanish on rendering; every value is escaped by docxtpl's autoescape.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Mm, Pt, RGBColor
from lxml import etree

OUT = Path(__file__).with_name("notice.docx")


def tag(doc, text: str) -> None:  # type: ignore[no-untyped-def]
    doc.add_paragraph(text)


def para(doc, *runs, style=None, size=None, color=None):  # type: ignore[no-untyped-def]
    p = doc.add_paragraph(style=style)
    for text, fmt in runs:
        r = p.add_run(text)
        r.bold = "b" in fmt
        r.italic = "i" in fmt
        if size:
            r.font.size = Pt(size)
        if color:
            r.font.color.rgb = RGBColor.from_string(color)
    return p


def cell_para(p, *runs, size=None):  # type: ignore[no-untyped-def]
    """Runs added to an existing paragraph (a table cell's)."""
    for text, fmt in runs:
        r = p.add_run(text)
        r.bold = "b" in fmt
        if size:
            r.font.size = Pt(size)
    return p


def page_field(paragraph, instr: str) -> None:  # type: ignore[no-untyped-def]
    """A Word field (PAGE, NUMPAGES): python-docx has no API for fields."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def build() -> None:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    section = doc.sections[0]
    # Letter paper with the PDF's compact margins.
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.top_margin, section.bottom_margin = Inches(0.5), Inches(0.6)
    section.left_margin = section.right_margin = Inches(0.7)
    footer = section.footer.paragraphs[0]
    footer.text = "{{ case.number }} · {{ document.title }} · page "
    page_field(footer, "PAGE")
    footer.add_run(" of ")
    page_field(footer, "NUMPAGES")
    header = section.header.paragraphs[0]
    header.text = "{% if document.sample %}SAMPLE ORDINANCE TEXT, NOT THE ADOPTED CODE{% endif %}"
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER

    # The letterhead: the seal (a PNG beside the profile's seal.svg; none, an empty cell) and
    # the return address.
    head = doc.add_table(rows=1, cols=2)
    head.autofit = False
    seal_cell, text_cell = head.rows[0].cells
    seal_cell.width, text_cell.width = Mm(22), Mm(150)
    head.columns[0].width, head.columns[1].width = Mm(22), Mm(150)
    seal_cell.paragraphs[0].add_run("{{ seal_image }}")
    cell_para(text_cell.paragraphs[0], ("{{ letterhead.organization }}", "b"), size=15)
    cell_para(text_cell.add_paragraph(), ("{{ letterhead.department }}", ""), size=9)
    cell_para(
        text_cell.add_paragraph(),
        (
            "{{ letterhead.address_lines | join(' · ') }}{% if letterhead.phone %} · "
            "{{ letterhead.phone }}{% endif %}{% if letterhead.email %} · "
            "{{ letterhead.email }}{% endif %}",
            "",
        ),
        size=9,
    )
    tag(doc, "{%p if document.sample %}")
    para(
        doc,
        (
            "SAMPLE: the ordinance text quoted in this notice is sample text, not the "
            "jurisdiction's adopted code.",
            "b",
        ),
        color="A4161A",
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if preview %}")
    para(doc, ("DRAFT PREVIEW, NOT ISSUED", "b"), color="A4161A")
    tag(doc, "{%p endif %}")
    doc.add_heading("{{ document.title }}", level=1)
    # A draft must not claim the date it would have been issued on.
    para(
        doc,
        (
            "Case {{ case.number }} · {% if preview %}Not issued: the issue date is set when "
            "it is issued{% else %}Issued {{ document.issued_on }}{% endif %}",
            "",
        ),
        size=9,
    )
    tag(doc, "{%p if document.supersedes %}")
    para(
        doc,
        (
            "This notice corrects and supersedes notice {{ document.supersedes.id }} of "
            "{{ document.supersedes.issued_on }}.",
            "i",
        ),
        size=9,
    )
    tag(doc, "{%p endif %}")
    para(doc, ("To:", ""))
    para(doc, ("{{ recipient.name }}", "b"))
    tag(doc, "{%p for line in recipient.address_lines %}")
    para(doc, ("{{ line }}", ""))
    tag(doc, "{%p endfor %}")

    tag(doc, "{%p for s in sections %}")
    tag(doc, "{%p if s.heading %}")
    doc.add_heading("{{ s.heading }}", level=2)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if s.kind == 'text' %}")
    tag(doc, "{%p for p in s.paragraphs %}")
    para(doc, ("{{ p }}", ""))
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p elif s.kind == 'violations' %}")
    tag(doc, "{%p for v in violations %}")
    para(doc, ("{{ v.title }}", "b"))
    para(doc, ("Code: {{ v.citation }}", ""))
    para(doc, ("{{ v.description }}", ""))
    para(doc, ("Observed {{ v.observed_on }} · To be corrected {{ v.deadline_text }}", ""), size=9)
    tag(doc, "{%p if s.with_code_text %}")
    para(doc, ("{{ v.code_text }}", "i"), size=9)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p elif s.kind == 'photos' %}")
    # A grid, two photographs to a row, each captioned under it (one table row per pair).
    grid = doc.add_table(rows=3, cols=2)
    grid.style = doc.styles["Table Grid"]
    grid.rows[0].cells[0].paragraphs[0].add_run("{%tr for row in photos | batch(2, '') %}")
    for i, cell in enumerate(grid.rows[1].cells):
        ph = f"row[{i}]"
        number = f"(loop.index0 * 2 + {i + 1})"
        cell.paragraphs[0].add_run(f"{{% if {ph} %}}{{{{ {ph}.image }}}}{{% endif %}}")
        cell_para(
            cell.add_paragraph(),
            (
                f"{{% if {ph} %}}Photograph {{{{ {number} }}}}{{% if {ph}.caption %}}: "
                f"{{{{ {ph}.caption }}}}{{% endif %}}. Taken {{{{ {ph}.taken }}}}. "
                f"{{{{ {ph}.credit }}}}. SHA-256 {{{{ {ph}.sha256[:16] }}}}…{{% endif %}}",
                "",
            ),
            size=8,
        )
    grid.rows[2].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    tag(doc, "{%p elif s.kind == 'deadline' %}")
    para(
        doc,
        (
            "{% if deadline.date_text %}Correct the violations by {{ deadline.date_text }} "
            "({{ deadline.after_text or deadline.rule_text }}).{% else %}Correct the violations "
            "{{ deadline.rule_text }}.{% endif %}",
            "b",
        ),
    )
    tag(doc, "{%p if deadline.service_text %}")
    para(doc, ("{{ deadline.service_text }}", ""))
    tag(doc, "{%p endif %}")
    tag(doc, "{%p elif s.kind == 'signatures' %}")
    para(doc, ("", ""))
    para(doc, ("______________________________", ""))
    # The signature block: the issuing officer's name, title, badge and how to reach them;
    # a blank field is left out.
    para(
        doc,
        ("{{ officer.name }}", "b"),
        ("{% if officer.badge %}, badge {{ officer.badge }}{% endif %}", ""),
        size=9,
    )
    para(
        doc,
        ("{% if officer.title %}{{ officer.title }}, {% endif %}{{ letterhead.organization }}", ""),
        size=9,
    )
    tag(doc, "{%p if officer.phone or officer.email %}")
    para(
        doc,
        (
            "{% if officer.phone %}Telephone {{ officer.phone }}{% endif %}"
            "{% if officer.phone and officer.email %} · {% endif %}"
            "{% if officer.email %}E-mail {{ officer.email }}{% endif %}",
            "",
        ),
        size=9,
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if s.parties %}")
    para(doc, ("", ""))
    para(doc, ("______________________________", ""))
    para(doc, ("{{ recipient.name }}, Respondent · Date", ""), size=9)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    core = doc.core_properties
    core.author = "docsvc"
    core.title = "{{ document.title }}"
    core.comments = ""
    doc.save(OUT)
    slim(OUT)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# Parts of python-docx's default template that no notice uses: Word 2010's duplicate style sheet,
# custom XML and the thumbnail. Together with unused styles they were ~800 kB of XML that every
# render parsed and re-compressed.
DROP = ("word/stylesWithEffects.xml", "customXml/", "docProps/thumbnail.jpeg")


MARKERS = ("stylesWithEffects", "customXml", "thumbnail")  # as relationship targets name them


def _dropped(target: str) -> bool:
    return any(m in target for m in MARKERS)


def slim(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    parts = {n: b for n, b in parts.items() if not any(n.startswith(d) for d in DROP)}
    used = set()
    for name in ("word/document.xml", "word/header1.xml", "word/footer1.xml"):
        used |= set(
            re.findall(rb'w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', parts.get(name, b""))
        )
    styles = etree.fromstring(parts["word/styles.xml"])
    by_id = {st.get(f"{{{W}}}styleId").encode(): st for st in styles.iter(f"{{{W}}}style")}
    keep = {sid for sid, st in by_id.items() if st.get(f"{{{W}}}default") == "1"} | used
    frontier = list(keep)
    while frontier:  # follow basedOn / link / next chains
        st = by_id.get(frontier.pop())
        for tag in ("basedOn", "link", "next"):
            el = st.find(f"{{{W}}}{tag}") if st is not None else None
            ref = el.get(f"{{{W}}}val").encode() if el is not None else None
            if ref and ref not in keep:
                keep.add(ref)
                frontier.append(ref)
    for sid, st in by_id.items():
        if sid not in keep:
            styles.remove(st)
    for latent in styles.findall(f"{{{W}}}latentStyles"):
        styles.remove(latent)
    parts["word/styles.xml"] = etree.tostring(
        styles, xml_declaration=True, encoding="UTF-8", standalone=True
    )
    for rels in ("_rels/.rels", "word/_rels/document.xml.rels"):
        tree = etree.fromstring(parts[rels])
        for rel in list(tree):
            if _dropped(rel.get("Target", "")):
                tree.remove(rel)
        parts[rels] = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)
    types = etree.fromstring(parts["[Content_Types].xml"])
    for override in list(types):
        if _dropped(override.get("PartName", "")):
            types.remove(override)
    parts["[Content_Types].xml"] = etree.tostring(
        types, xml_declaration=True, encoding="UTF-8", standalone=True
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ["[Content_Types].xml", *[n for n in parts if n != "[Content_Types].xml"]]:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))  # reproducible build
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, parts[name])
    path.write_bytes(out.getvalue())


if __name__ == "__main__":
    build()
    print(f"wrote {OUT}")

"""Small builders of test files (valid and hostile)."""

from __future__ import annotations

import io
import re
import zipfile

from PIL import Image
from PIL.ExifTags import GPS, IFD, Base
from PIL.TiffImagePlugin import IFDRational
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart


def jpeg(
    size: tuple[int, int] = (640, 480),
    *,
    exif: bool = True,
    comment: bytes | None = None,
    orientation: int = 1,
    color: str = "green",
) -> bytes:
    img = Image.new("RGB", size, color)
    out = io.BytesIO()
    kwargs: dict = {"quality": 85}
    if exif:
        e = Image.Exif()
        e[Base.Make] = "Apple"
        e[Base.Model] = "iPhone 15"
        e[Base.Orientation] = orientation
        e[Base.Artist] = "Field Officer"
        sub = e.get_ifd(IFD.Exif)
        sub[Base.DateTimeOriginal] = "2026:11:16 10:15:30"
        sub[Base.OffsetTimeOriginal] = "-08:00"
        gps = e.get_ifd(IFD.GPSInfo)
        gps[GPS.GPSLatitudeRef] = "N"
        gps[GPS.GPSLatitude] = (IFDRational(37), IFDRational(13), IFDRational(3090, 100))
        gps[GPS.GPSLongitudeRef] = "W"
        gps[GPS.GPSLongitude] = (IFDRational(121), IFDRational(57), IFDRational(4800, 100))
        kwargs["exif"] = e
    if comment:
        kwargs["comment"] = comment
    img.save(out, "JPEG", **kwargs)
    return out.getvalue()


def png(size: tuple[int, int] = (320, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (200, 30, 30, 128)).save(out, "PNG")
    return out.getvalue()


def tiff() -> bytes:
    out = io.BytesIO()
    Image.new("L", (300, 400), 200).save(out, "TIFF")
    return out.getvalue()


def pdf(text: str = "Return receipt", pages: int = 1) -> bytes:
    """A small valid PDF with a text layer (written by hand: no renderer needed)."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>")
    font_id = 3 + 2 * pages
    for i in range(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text} page {i + 1}) Tj ET".encode()
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>"
        )
        objs.append(f"<< /Length {len(stream)} >>\nstream\n{stream.decode()}\nendstream")
    objs.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def docx(text: str = "Letter from the owner") -> bytes:
    from docx import Document

    d = Document()
    d.add_paragraph(text)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def eml() -> bytes:
    return (
        b"From: Owner <owner@example.org>\r\nTo: code@city.example\r\nSubject: Fence\r\n"
        b"Date: Mon, 16 Nov 2026 10:00:00 -0800\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nThe fence will be fixed by Friday.\r\n"
    )


def zip_bomb_docx(inflated: int) -> bytes:
    """A DOCX-shaped zip whose parts inflate past `inflated` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * inflated)
    return out.getvalue()


def broken_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types>not closed")
        zf.writestr("word/document.xml", "<w:document")
    return out.getvalue()


def text_image(lines: list[str], fmt: str = "PNG", size: tuple[int, int] = (1700, 900)) -> bytes:
    """A scan-like picture of printed text, with no text layer: only OCR can read it."""
    from PIL import ImageDraw, ImageFont

    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 44)
    for i, line in enumerate(lines):
        draw.text((80, 80 + i * 90), line, fill=0, font=font)
    out = io.BytesIO()
    img.save(out, fmt, **({"resolution": 200.0} if fmt == "PDF" else {}))
    return out.getvalue()


def upload(client, headers, case: str, data: bytes, name: str, kind: str = "photo", **form):  # type: ignore[no-untyped-def]
    content_type = form.pop("file_type", None)
    file = FileStorage(
        io.BytesIO(data), filename=name, content_type=content_type or "application/octet-stream"
    )
    # Encoded in memory: the test client would spool a large body to a temporary file that
    # stays open when the app refuses the request unread.
    boundary, body = encode_multipart(MultiDict({"kind": kind, "file": file, **form}))
    return client.post(
        f"/api/cases/{case}/attachments",
        headers=headers,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def pdf_with(
    content: str,
    *,
    info: str = "",
    annots: str = "",
    outline: str = "",
) -> bytes:
    """A one-page PDF written by hand, so each attack is exactly what it claims to be."""
    objs = [
        "<< /Type /Catalog /Pages 2 0 R" + (" /Outlines 7 0 R" if outline else "") + " >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >>"
        + (f" /Annots [{annots}]" if annots else "")
        + " >>",
        f"<< /Length {len(content.encode('latin-1'))} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< {info} >>",
    ]
    if outline:
        objs.append("<< /Type /Outlines /First 8 0 R /Last 8 0 R /Count 1 >>")
        objs.append(f"<< /Title ({outline}) /Parent 7 0 R /Dest [3 0 R /Fit] >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info 6 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def text_ops(*lines: str, x: int = 72, y: int = 700) -> str:
    ops = [f"BT /F1 11 Tf {x} {y} Td 14 TL"]
    for line in lines:
        ops.append(f"({line}) Tj T*")
    return " ".join(ops) + " ET"


# Helvetica advance widths (1/1000 em) of the glyphs per_glyph_pdf draws one at a time.
HELVETICA = {"O": 778, "B": 667, "r": 333, "i": 222, "e": 556, "n": 556}


def per_glyph_pdf(spread: float = 0.0) -> bytes:
    """'Reported by Maria OBrien', the surname one text object per glyph, as many generators
    write text; `spread` points added between glyphs."""
    ops, x = [], 180.0
    for ch in "OBrien":
        ops.append(f"BT /F1 11 Tf {x:.2f} 700 Td ({ch}) Tj ET")
        x += HELVETICA[ch] * 11 / 1000 + spread
    return pdf_with(text_ops("Reported by Maria") + " " + " ".join(ops))


def leaky_docx(phone: str) -> bytes:
    """A DOCX whose body is clean and whose author, header and comment name the complainant."""
    from docx import Document

    d = Document()
    d.add_paragraph("The owner says the fence will be fixed by Friday.")
    d.core_properties.author = "Maria O'Brien-Nguyen"
    d.sections[0].header.paragraphs[0].text = "Forwarded by M. O'Brien-Nguyen"
    d.add_comment(d.paragraphs[0].runs, text=f"Call me at {phone}", author="Maria")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def csrf(page: bytes) -> str:
    match = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1).decode()

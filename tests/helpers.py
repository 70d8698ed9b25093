"""Small builders of test files (valid and hostile)."""

from __future__ import annotations

import io
import re
import shutil
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


def upload(client, headers, case: str, data: bytes, name: str, kind: str = "photo", **form):
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


def once(page: bytes) -> str:
    """The first one-time submission token on a page (each state-changing form has one)."""
    match = re.search(rb'name="submission" value="([^"]+)"', page)
    assert match, "no one-time submission token on the page"
    return match.group(1).decode()


def tokens(page: bytes) -> dict[str, str]:
    """A page form's two hidden tokens: CSRF and the one-time submission token."""
    return {"csrf_token": csrf(page), "submission": once(page)}


def complainant_jpeg(
    name: str,
    *,
    size: tuple[int, int] = (640, 480),
    orientation: int = 6,
    color: str = "navy",
) -> bytes:
    """A phone photo that says who took it and where: GPS 37.2358 N, 121.9624 W, a Pixel 7,
    `name` (ASCII: EXIF text is) as Artist, ImageDescription, XMP creator and JPEG comment,
    the device's own time zone, an ICC profile; stored sideways (`orientation`)."""
    from PIL import ImageCms

    e = Image.Exif()
    e[Base.Make] = "Google"
    e[Base.Model] = "Pixel 7"
    e[Base.Orientation] = orientation
    e[Base.Artist] = name
    e[Base.ImageDescription] = f"Taken by {name}"
    sub = e.get_ifd(IFD.Exif)
    sub[Base.DateTimeOriginal] = "2026:11:15 07:42:10"
    sub[Base.OffsetTimeOriginal] = "-05:00"
    gps = e.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef] = "N"
    gps[GPS.GPSLatitude] = (IFDRational(37), IFDRational(14), IFDRational(888, 100))
    gps[GPS.GPSLongitudeRef] = "W"
    gps[GPS.GPSLongitude] = (IFDRational(121), IFDRational(57), IFDRational(4464, 100))
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="{name}"/></rdf:RDF>'
        "</x:xmpmeta>"
    ).encode()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", size, color).save(
        out,
        "JPEG",
        quality=90,
        exif=e,
        xmp=xmp,
        icc_profile=icc,
        comment=f"Photo by {name}".encode(),
    )
    return out.getvalue()


def pdf_with_photo(photo: bytes, *lines: str, annotation: str = "", title: str = "") -> bytes:
    """A one-page letter: `lines` of text, `photo` drawn as it is (its EXIF inside the PDF),
    a note annotation saying `annotation`, and `title` as the document's title."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    with Image.open(io.BytesIO(photo)) as img:
        width, height = img.size
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(612, 792))
    page = pdf.pages[0]
    image = pikepdf.Stream(pdf, photo)
    image.stream_dict = Dictionary(
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=width,
        Height=height,
        ColorSpace=Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=Name.DCTDecode,
    )
    font = Dictionary(
        Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding
    )
    page.Resources = Dictionary(Font=Dictionary(F1=font), XObject=Dictionary(Im1=image))
    content = text_ops(*lines) + f" q {width // 3} 0 0 {height // 3} 72 300 cm /Im1 Do Q"
    page.Contents = pdf.make_stream(content.encode("latin-1"))
    if annotation:
        note = Dictionary(
            Type=Name.Annot,
            Subtype=Name.Text,
            Rect=Array([72, 250, 92, 270]),
            Contents=pikepdf.String(annotation),
        )
        page.Annots = Array([pdf.make_indirect(note)])
    if title:
        pdf.docinfo[Name.Title] = title
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _helvetica_widths() -> dict[str, int]:
    """Helvetica's advance widths (1/1000 em) from the AFM file matplotlib ships."""
    import os

    import matplotlib

    path = os.path.join(matplotlib.get_data_path(), "fonts", "pdfcorefonts", "Helvetica.afm")
    widths = {}
    with open(path, encoding="latin-1") as f:
        for line in f:
            m = re.match(r"C (\d+) ; WX (\d+) ;", line)
            if m and 32 <= int(m.group(1)) < 127:
                widths[chr(int(m.group(1)))] = int(m.group(2))
    return widths


def spaced_pdf(before: str, spaced: str, after: str, spread: float, y: int = 700) -> bytes:
    """One line: `before` set as usual, then `spaced` one glyph per text object with `spread`
    points between glyphs (as form generators and some scanners' text layers write), then
    `after`, set as usual a word space later. Helvetica 11 at x 72."""
    widths = _helvetica_widths()

    def advance(text: str) -> float:
        return sum(widths[ch] for ch in text) * 11 / 1000

    x = 72 + advance(before + " ")
    ops = [text_ops(before, y=y)]
    for ch in spaced:
        if ch != " ":
            ops.append(f"BT /F1 11 Tf {x:.2f} {y} Td ({ch}) Tj ET")
        x += advance(ch) + spread
    ops.append(text_ops(after, x=round(x - spread + advance(" ")), y=y))
    return pdf_with(" ".join(ops))


SCAN_DPI = 200
SCAN_FONT_PX = 32  # 11.5 pt at 200 dpi


def scan_pdf(lines: list[tuple[int, int, str]], boxes: list[tuple[int, int, int, int]]) -> bytes:
    """An image-only letter page at 200 dpi: each (x, y, text) drawn in pixels, and solid black
    boxes (left, top, right, bottom, pixels) as a prior redaction or form would have them."""
    from PIL import ImageDraw, ImageFont

    img = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", SCAN_FONT_PX)
    for x, y, text in lines:
        draw.text((x, y), text, fill=0, font=font)
    for box in boxes:
        draw.rectangle(box, fill=0)
    out = io.BytesIO()
    img.save(out, "PDF", resolution=float(SCAN_DPI))
    return out.getvalue()


def scan_text_rect(x: int, y: int, line: str, part: str) -> tuple[float, float, float, float]:
    """Where `part` of a line scan_pdf drew at (x, y) lies on the page: PDF points (x0, y0, x1,
    y1, origin bottom left), from the font's own metrics."""
    from PIL import ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", SCAN_FONT_PX)
    start = line.index(part)
    left = x + font.getlength(line[:start])
    right = x + font.getlength(line[: start + len(part)])
    _, top, _, bottom = font.getbbox(line)
    k = 72 / SCAN_DPI
    return left * k, 792 - (y + bottom) * k, right * k, 792 - (y + top) * k


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags that keep Chromium from reaching for the network on a closed machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

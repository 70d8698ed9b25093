"""Large stored files are streamed to the client, verified as they go, never read whole; a
changed one is cut short of its announced length rather than sent as if whole."""

from __future__ import annotations

import os

import pytest

from docsvc.store import FileStore, IntegrityError, filestore
from docsvc.web import files
from tests import helpers


@pytest.fixture
def case(open_case) -> str:
    return open_case()["case_number"]


def _upload(client, officer, case: str) -> dict:
    r = helpers.upload(client, officer.headers, case, helpers.pdf("A long letter", pages=40),
                       "letter.pdf", kind="correspondence")  # fmt: skip
    assert r.status_code == 201, r.json
    return r.json


@pytest.fixture
def whole_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The hashes of files read whole into memory, in order."""
    seen: list[str] = []
    real = FileStore.open_verified

    def spy(self: FileStore, sha256: str) -> bytes:
        seen.append(sha256)
        return real(self, sha256)

    monkeypatch.setattr(FileStore, "open_verified", spy)
    return seen


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above 1 KB a file is large, read 4 KB at a time: a test-sized letter streams in chunks."""
    monkeypatch.setattr(files, "STREAM_ABOVE", 1024)
    monkeypatch.setattr(files, "CHUNK", 4096)
    monkeypatch.setattr(filestore, "CHUNK", 4096)


def test_a_large_file_is_streamed_with_its_length(
    client, officer, case, whole_reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    att = _upload(client, officer, case)
    whole_reads.clear()
    small = client.get(f"/api/attachments/{att['id']}/original", headers=officer.headers)
    assert whole_reads == [att["sha256"]]  # under the threshold: read and verified first
    monkeypatch.setattr(files, "STREAM_ABOVE", 1024)
    whole_reads.clear()
    r = client.get(f"/api/attachments/{att['id']}/original", headers=officer.headers)
    assert r.status_code == 200 and whole_reads == []
    assert int(r.headers["Content-Length"]) == len(small.data) and r.data == small.data


def test_a_changed_large_file_never_arrives_whole(
    client, officer, case, settings, small_chunks
) -> None:
    att = _upload(client, officer, case)
    path = FileStore(settings.store_dir).path_for(att["sha256"])
    os.chmod(path, 0o600)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF  # one byte near the end: found only when the stream reaches it
    path.write_bytes(bytes(data))
    r = client.get(
        f"/api/attachments/{att['id']}/original", headers=officer.headers, buffered=False
    )
    assert r.status_code == 200  # the headers left before the end was read
    got = bytearray()
    with pytest.raises(IntegrityError):
        for chunk in r.response:
            got += chunk
    assert 0 < len(got) < int(r.headers["Content-Length"])  # cut short: never taken as whole

"""A crash at any point leaves no record pointing at a missing or partial file, and
`docsvc verify` tells a clean store from a tampered one."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import text

from tests import helpers

CHILD = textwrap.dedent("""
    import io, os, sys
    from docsvc.app import create_app
    from docsvc.config import Settings
    from docsvc.store.filestore import FileStore, StagedFile
    from sqlalchemy.orm import Session

    point = os.environ["CRASH_AT"]
    def die(*_a, **_k):
        os._exit(9)

    if point == "before_rename":      # bytes written to a temporary file, not yet in place
        FileStore._commit_temp = die
    elif point == "after_store":       # file in the store, its rows not committed
        original = StagedFile.commit
        def commit_then_die(self):
            original(self); die()
        StagedFile.commit = commit_then_die
    elif point == "after_commit":      # rows committed, response never sent
        original_commit = Session.commit
        def commit_then_die(self):
            original_commit(self); die()
        Session.commit = commit_then_die

    settings = Settings(data_dir=__import__("pathlib").Path(os.environ["DATA"]),
                        database_url=os.environ["URL"], secret_key="s" * 32)
    app = create_app(settings)
    data = open(os.environ["PHOTO"], "rb").read()
    app.test_client().post(
        f"/api/cases/{os.environ['CASE']}/attachments",
        headers={"Authorization": "Bearer " + os.environ["TOKEN"]},
        data={"kind": "photo", "file": (io.BytesIO(data), "p.jpg")},
        content_type="multipart/form-data")
    print("survived")
""")


def _crash(tmp_path, settings, officer, case: str, point: str) -> subprocess.CompletedProcess:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(helpers.jpeg(color="orange"))
    env = {
        **os.environ,
        "CRASH_AT": point,
        "DATA": str(settings.data_dir),
        "URL": settings.database_url,
        "TOKEN": officer.token,
        "CASE": case,
        "PHOTO": str(photo),
    }
    return subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "rows"), [("before_rename", 0), ("after_store", 0), ("after_commit", 1)]
)
def test_killed_mid_upload_leaves_verify_clean(
    tmp_path,
    settings,
    officer,
    open_case,
    run_cli,
    count_rows,
    point: str,
    rows: int,
) -> None:
    case = open_case()["case_number"]
    proc = _crash(tmp_path, settings, officer, case, point)
    assert proc.returncode == 9, proc.stderr[-2000:]
    assert "survived" not in proc.stdout
    assert count_rows("attachments") == rows
    result = run_cli("verify")
    assert result.exit_code == 0, result.output
    assert "PROBLEM" not in result.output
    if point == "after_store":
        assert "belong to no record" in result.output  # the orphan is named, and harmless
    assert run_cli("init").exit_code == 0  # start-up sweeps leftover temporary files
    assert not any((settings.store_dir / "tmp").iterdir())


def test_verify_finds_a_changed_byte_and_an_edited_audit_row(
    client,
    officer,
    open_case,
    run_cli,
    settings,
    database,
) -> None:
    case = open_case()["case_number"]
    r = client.post(
        f"/api/cases/{case}/attachments",
        headers=officer.headers,
        data={"kind": "other", "file": (__import__("io").BytesIO(helpers.pdf()), "r.pdf")},
        content_type="multipart/form-data",
    )
    sha = r.json["sha256"]
    assert run_cli("verify").exit_code == 0
    path = settings.store_dir / "objects" / sha[:2] / sha[2:4] / sha
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with database.session() as s:
        s.execute(
            text("UPDATE audit_events SET object_id = 'XX-0000-000000' WHERE action = 'case.open'")
        )
        s.commit()
    result = run_cli("verify")
    assert result.exit_code == 1
    assert f"file {sha} has changed in the store" in result.output
    assert "was altered after it was written" in result.output
    # A download of the damaged file is refused rather than served.
    r = client.get(f"/api/attachments/{r.json['id']}/original", headers=officer.headers)
    assert r.status_code == 500 and r.json["code"] == "integrity_error"


def test_verify_finds_a_missing_file(client, officer, open_case, run_cli, settings) -> None:
    case = open_case()["case_number"]
    r = client.post(
        f"/api/cases/{case}/attachments",
        headers=officer.headers,
        data={"kind": "other", "file": (__import__("io").BytesIO(helpers.eml()), "m.eml")},
        content_type="multipart/form-data",
    )
    sha = r.json["sha256"]
    (settings.store_dir / "objects" / sha[:2] / sha[2:4] / sha).unlink()
    result = run_cli("verify")
    assert result.exit_code == 1 and f"file {sha} is recorded but missing" in result.output

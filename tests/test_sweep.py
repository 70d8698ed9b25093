"""`docsvc store sweep`: a file no record points at (a node died between storing an upload and
recording it) is erased once it is old enough; recorded files and young ones stay."""

from __future__ import annotations

import dataclasses
import os
import time
from datetime import timedelta

from docsvc.store import FileStore, S3Store, open_store
from docsvc.verify import sweep, verify
from tests import helpers


def test_an_old_unrecorded_file_is_swept(client, officer, open_case, settings, run_cli) -> None:
    case = open_case()["case_number"]
    r = helpers.upload(client, officer.headers, case, helpers.pdf("kept"), "k.pdf",
                       kind="correspondence")  # fmt: skip
    kept = r.json["sha256"]
    store = FileStore(settings.store_dir)
    old = store.put_bytes(b"an upload whose record never committed").sha256
    young = store.put_bytes(b"an upload being committed right now").sha256
    two_days_ago = time.time() - 2 * 86400
    os.utime(store.path_for(old), (two_days_ago, two_days_ago))

    dry = run_cli("store", "sweep", "--dry-run")
    assert dry.exit_code == 0 and f"would erase {old}" in dry.output and store.exists(old)
    out = run_cli("store", "sweep")
    assert out.exit_code == 0, out.output
    assert f"erased {old}" in out.output and "1 younger than 24 hours kept" in out.output
    assert not store.exists(old) and store.exists(young) and store.exists(kept)
    assert run_cli("store", "sweep", "--older-than", "0").exit_code != 0  # refused: too eager


def test_sweep_on_a_bucket(client, s3_url, database) -> None:
    settings = dataclasses.replace(client.application.extensions["docsvc.settings"],
                                   store_url=s3_url)  # fmt: skip
    store = open_store(settings)
    assert isinstance(store, S3Store)
    orphan = store.put_bytes(b"an orphan in the bucket").sha256
    with database.read_session() as s:
        assert any("belong to no record" in n for n in verify(s, store).notes)
        assert sweep(s, store, timedelta(hours=1)).kept_young == 1  # just stored: kept
        report = sweep(s, store, timedelta(0))
    assert report.erased == [orphan] and not store.exists(orphan)

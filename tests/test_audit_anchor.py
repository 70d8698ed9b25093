"""The audit chain is authenticated by a key the database does not hold, and anchored by signed
checkpoints kept elsewhere: a rewrite of the log (rows deleted, renumbered, every hash
recomputed) is caught with or without the key (security issue 19, item 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from docsvc.audit import GENESIS, Actor, append
from docsvc.audit.chain import event_hash, keyed_hash
from docsvc.audit.keys import AuditKeyError, KeySource, parse_ring
from docsvc.db import Database
from docsvc.models import AuditEvent, AuditHead

COLUMNS = (
    "at",
    "actor_id",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "fields",
    "hashes",
)


def _views(client, staff, case: str, n: int) -> None:
    for _ in range(n):
        assert client.get(f"/api/cases/{case}", headers=staff.headers).status_code == 200


def _rewrite_without(database: Database, action: str, sign) -> int:
    """What someone with write access to the database does: drop every `action` row, renumber
    the rest, recompute each hash with `sign(event)` and the head to match. Returns how many
    rows went."""
    with database.session() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        rows = [{c: getattr(e, c) for c in COLUMNS} | {"key_id": e.key_id} for e in events]
        s.execute(text("DELETE FROM audit_events"))
        s.flush()
        s.expunge_all()
        prev, kept = GENESIS, [r for r in rows if r["action"] != action]
        for seq, row in enumerate(kept, 1):
            event = AuditEvent(seq=seq, prev_hash=prev, **row)
            event.hash = sign(event)
            s.add(event)
            prev = event.hash
        head = s.get(AuditHead, 1)
        assert head is not None
        head.last_seq, head.last_hash = len(kept), prev
        s.commit()
    return len(rows) - len(kept)


def _problems(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("PROBLEM")]


def _checkpoint(run_cli, out: Path) -> dict:
    result = run_cli("audit", "checkpoint", "--out", str(out))
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text().splitlines()[-1])


@pytest.mark.parametrize("key_column", ["kept", "cleared"])
def test_a_chain_recomputed_with_plain_sha256_fails_verify(
    client, officer, open_case, database, run_cli, key_column: str
) -> None:
    case = open_case()["case_number"]
    _views(client, officer, case, 3)
    assert run_cli("verify").exit_code == 0

    def plain(event: AuditEvent) -> str:  # the repro: chain.event_hash, no key
        if key_column == "cleared":
            event.key_id = None
        return event_hash(event)

    assert _rewrite_without(database, "complainant.view", plain) >= 3
    result = run_cli("verify")
    assert result.exit_code == 1
    first = _problems(result)[0]
    if key_column == "cleared":  # passed off as written before keys: the key file says not
        assert "audit event 1 is not authenticated by audit key k1" in first
    else:
        assert first == "PROBLEM: audit event 1 was altered after it was written"


def test_a_chain_recomputed_with_the_key_fails_verify_against_a_checkpoint(
    client, officer, open_case, database, run_cli, settings, tmp_path
) -> None:
    shipped = tmp_path / "shipped.log"
    early = _checkpoint(run_cli, shipped)  # before any view
    case = open_case()["case_number"]  # shows the complainant to the officer once
    _views(client, officer, case, 2)
    late = _checkpoint(run_cli, shipped)
    _views(client, officer, case, 1)
    assert run_cli("verify", "--checkpoint", str(shipped)).exit_code == 0

    # The attacker holds the data directory, key file included.
    ring = parse_ring((settings.data_dir / "audit_keys").read_text(), "stolen")

    def with_key(event: AuditEvent) -> str:
        key = ring.for_seq(event.seq)
        assert key is not None
        event.key_id = key.id
        return keyed_hash(event, key)

    assert _rewrite_without(database, "complainant.view", with_key) == 4
    _views(client, officer, case, 4)  # and the service goes on appending to the forged chain
    assert run_cli("verify").exit_code == 0  # the rewrite is consistent under the key
    result = run_cli("verify", "--checkpoint", str(shipped))
    assert result.exit_code == 1
    problems = _problems(result)
    assert problems[0] == (
        f"PROBLEM: audit event {late['seq']} no longer matches: checkpoint of {late['at']} "
        f"({shipped}:2) recorded it; the log was rewritten between events "
        f"{early['seq'] + 1} and {late['seq']}"
    )
    assert len(problems) == 1


def test_a_cut_log_is_named_at_the_first_checkpoint_it_lost(
    client, officer, open_case, database, run_cli, tmp_path
) -> None:
    shipped = tmp_path / "shipped.log"
    case = open_case()["case_number"]
    _views(client, officer, case, 2)
    cp = _checkpoint(run_cli, shipped)
    with database.session() as s:  # the last two events removed, the head set back
        s.execute(text("DELETE FROM audit_events WHERE seq > :n"), {"n": cp["seq"] - 2})
        last = s.get(AuditEvent, cp["seq"] - 2)
        head = s.get(AuditHead, 1)
        assert last is not None and head is not None
        head.last_seq, head.last_hash = last.seq, last.hash
        s.commit()
    assert run_cli("verify").exit_code == 0  # nothing inside the installation notices
    result = run_cli("verify", "--checkpoint", str(shipped))
    assert result.exit_code == 1
    assert _problems(result) == [
        f"PROBLEM: audit event {cp['seq']} is missing (the log ends at {cp['seq'] - 2}): "
        f"checkpoint of {cp['at']} ({shipped}:1) recorded it; the log was rewritten at or "
        f"before event {cp['seq']}"
    ]


def test_a_forged_checkpoint_is_reported(client, officer, open_case, run_cli, tmp_path) -> None:
    case = open_case()["case_number"]
    _views(client, officer, case, 1)
    good = tmp_path / "good.log"
    cp = _checkpoint(run_cli, good)
    forged = tmp_path / "forged.log"
    lines = [
        json.dumps(cp | {"hash": "f" * 64}),  # another hash, the old signature
        json.dumps(cp | {"sig": "0" * 64}),  # a made-up signature
        json.dumps(cp | {"key_id": "k9"}),  # a key this installation never had
        "not a checkpoint",
    ]
    forged.write_text("\n".join(lines) + "\n")
    result = run_cli("verify", "--checkpoint", str(good), "--checkpoint", str(forged))
    assert result.exit_code == 1
    assert _problems(result) == [
        f"PROBLEM: {forged}:4 is not a docsvc audit checkpoint line",
        f"PROBLEM: the checkpoint at {forged}:1 (event {cp['seq']}) has a wrong signature: it "
        "was not made with this installation's audit key k1, or it was edited",
        f"PROBLEM: the checkpoint at {forged}:2 (event {cp['seq']}) has a wrong signature: it "
        "was not made with this installation's audit key k1, or it was edited",
        f"PROBLEM: the checkpoint at {forged}:3 is signed with audit key k9, which this "
        "installation does not have",
    ]


def test_untouched_data_passes_and_checkpoints_survive_a_key_rotation(
    client, officer, records, open_case, database, run_cli, settings, tmp_path
) -> None:
    shipped = tmp_path / "shipped.log"
    case = open_case()["case_number"]
    _views(client, records, case, 2)
    first = _checkpoint(run_cli, shipped)
    assert first["key_id"] == "k1" and first["kind"] == "docsvc-audit-checkpoint"
    assert set(first) == {"kind", "seq", "hash", "at", "key_id", "sig"}

    rotated = run_cli("audit", "rotate-key")
    assert rotated.exit_code == 0, rotated.output
    assert f"audit key k2 authenticates the audit log from event {first['seq'] + 1} on" in (
        rotated.output
    )
    keys = settings.data_dir / "audit_keys"
    assert keys.stat().st_mode & 0o777 == 0o600
    assert [k.id for k in parse_ring(keys.read_text(), "file").keys] == ["k1", "k2"]
    # The running app notices the new key at its next append, without a restart.
    _views(client, officer, case, 1)
    second = _checkpoint(run_cli, shipped)
    assert second["key_id"] == "k2"
    with database.session() as s:
        ids = {seq: key_id for seq, key_id in s.execute(select(AuditEvent.seq, AuditEvent.key_id))}
    assert {ids[n] for n in range(1, first["seq"] + 1)} == {"k1"}
    assert ids[first["seq"] + 1] == "k2"  # the rotation itself, audited under the new key
    assert ids[second["seq"]] == "k2"

    result = run_cli("verify", "--checkpoint", str(shipped))
    assert result.exit_code == 0, result.output
    assert "audit checkpoints: 2 checked" in result.output


def test_checkpoint_refuses_to_sign_a_broken_log(database, run_cli, tmp_path) -> None:
    with database.session() as s:
        s.execute(text("UPDATE audit_events SET object_id = 'x' WHERE seq = 1"))
        s.commit()
    out = tmp_path / "cp.log"
    result = run_cli("audit", "checkpoint", "--out", str(out))
    assert result.exit_code == 1
    assert "PROBLEM: audit event 1 was altered after it was written" in result.output
    assert not out.exists()


def test_a_missing_key_file_stops_appends_and_fails_verify(settings, database, run_cli) -> None:
    (settings.data_dir / "audit_keys").unlink()
    result = run_cli("verify")
    assert result.exit_code == 1
    assert "which this installation does not have" in result.output
    for command in (("init",), ("user", "create", "kim", "--role", "officer")):
        refused = run_cli(*command)
        assert refused.exit_code == 1
        assert "the audit key file" in refused.output and "is missing" in refused.output
    fresh = Database(settings.database_url, KeySource.of(settings))
    try:
        with fresh.session() as s, pytest.raises(AuditKeyError, match="is missing"):
            append(s, Actor.system(), "test.event", "thing", 1)
    finally:
        fresh.dispose()
    assert not (settings.data_dir / "audit_keys").exists()  # never silently replaced


def test_events_from_before_keys_verify_but_cannot_be_rewritten(settings, database) -> None:
    """An installation upgraded with a log of plain SHA-256 entries: its first key starts at
    the next event and records the hash before it."""
    with database.session() as s:  # the log as it was before keys
        prev = GENESIS
        for event in s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all():
            event.key_id, event.prev_hash = None, prev
            event.hash = prev = event_hash(event)
        head = s.get(AuditHead, 1)
        assert head is not None
        head.last_hash, before = prev, head.last_seq
        s.commit()
    (settings.data_dir / "audit_keys").unlink()
    upgraded = Database(settings.database_url, KeySource.of(settings))
    try:
        with upgraded.session() as s:
            append(s, Actor.system(), "test.event", "thing", 1)
            s.commit()
        ring = parse_ring((settings.data_dir / "audit_keys").read_text(), "file")
        assert (ring.first_seq, ring.current.after) == (before + 1, prev)
        with upgraded.session() as s:
            assert verify_problems(s) == []

        # Rewriting the old entries (one dropped, the rest renumbered) breaks the key's record
        # of the hash before it, and the keyed entry's link.
        with upgraded.session() as s:
            s.execute(text("DELETE FROM audit_events WHERE seq = 1"))
            s.execute(text("UPDATE audit_events SET seq = seq - 1 WHERE seq <= :n"), {"n": before})
            prev = GENESIS
            for event in s.scalars(
                select(AuditEvent).where(AuditEvent.seq < before).order_by(AuditEvent.seq)
            ):
                event.prev_hash = prev
                event.hash = prev = event_hash(event)
            s.commit()
        with upgraded.session() as s:
            problems = verify_problems(s)
        assert f"audit event {before} is missing (next is {before + 1})" in problems
        assert (
            f"the audit events before event {before + 1} are not the ones audit key k1 was "
            "made after: they were rewritten"
        ) in problems
    finally:
        upgraded.dispose()


def verify_problems(session) -> list[str]:
    from docsvc.audit import verify_chain

    return verify_chain(session)


def test_keys_from_the_environment(settings, database, run_cli, tmp_path) -> None:
    from docsvc.cli import main

    keys = settings.data_dir / "audit_keys"
    value = parse_ring(keys.read_text(), "file").env_value()
    keys.unlink()  # the nodes share DOCSVC_AUDIT_KEY instead
    env = {
        "DOCSVC_DATA_DIR": str(settings.data_dir),
        "DOCSVC_DATABASE_URL": settings.database_url,
        "DOCSVC_SECRET_KEY": settings.secret_key,
        "DOCSVC_AUDIT_KEY": value,
    }
    runner = CliRunner()
    made = runner.invoke(main, ["user", "create", "envy", "--role", "officer"], env=env)
    assert made.exit_code == 0, made.output
    assert runner.invoke(main, ["verify"], env=env).exit_code == 0
    rotated = runner.invoke(main, ["audit", "rotate-key"], env=env)
    assert rotated.exit_code == 0, rotated.output
    new_value = rotated.stdout.strip()
    assert [k.id for k in parse_ring(new_value, "printed").keys] == ["k1", "k2"]
    assert not keys.exists()  # the operator sets it; nothing written in the data directory
    env["DOCSVC_AUDIT_KEY"] = new_value
    assert (
        runner.invoke(main, ["user", "create", "envy2", "--role", "officer"], env=env).exit_code
        == 0
    )
    assert runner.invoke(main, ["verify"], env=env).exit_code == 0
    env["DOCSVC_AUDIT_KEY"] = "k1 1 nothex"
    bad = runner.invoke(main, ["verify"], env=env)
    assert bad.exit_code != 0
    assert bad.exit_code == 1
    assert "DOCSVC_AUDIT_KEY, entry 1: expected 4 fields, found 3" in bad.output

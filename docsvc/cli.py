"""The `docsvc` command (docs/API.md, CLI)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy.orm import Session
from tqdm import tqdm

from docsvc.config import load_settings

if TYPE_CHECKING:  # imported where used: `docsvc --help` stays quick
    from docsvc.config import Settings
    from docsvc.db import Database
    from docsvc.profiles.model import Profile


def _database(settings: Settings) -> Database:
    """The configured database, with the keys that authenticate its audit log."""
    from docsvc.audit.keys import AuditKeyError, KeySource
    from docsvc.db import Database

    try:
        keys = KeySource.of(settings)
    except AuditKeyError as exc:  # a malformed DOCSVC_AUDIT_KEY: say which entry, no traceback
        raise click.ClickException(str(exc)) from exc
    return Database(settings.database_url, keys)


@contextmanager
def _session() -> Iterator[Session]:
    """A unit of work on the configured database, whose connections are closed however the
    command ends (an error must not leave a server connection open)."""
    from docsvc.audit import AuditKeyError

    database = _database(load_settings())
    try:
        with database.session() as session:
            yield session
    except AuditKeyError as exc:  # the audit keys are missing or do not fit: say so plainly
        raise click.ClickException(str(exc)) from exc
    finally:
        database.dispose()


@click.group()
def main() -> None:
    """Code-enforcement documents and records."""
    from docsvc import wiring

    wiring.install()


@main.command()
def init() -> None:
    """Create the data directory and database, the audit key, load the shipped jurisdiction
    profiles."""
    from docsvc.audit import AuditKeyError
    from docsvc.bootstrap import initialize

    settings = load_settings()
    try:
        report = initialize(settings)
    except AuditKeyError as exc:  # a key file lost, or older than the database: say so plainly
        raise click.ClickException(str(exc)) from exc
    click.echo(f"data directory: {settings.data_dir}")
    click.echo(
        f"profiles loaded or updated: {', '.join(report.profiles_loaded) or 'none (all current)'}"
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set up the demo data and exit.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Initialise, create demo users and cases, print the logins, serve."""
    from docsvc.bootstrap import initialize
    from docsvc.demo import ensure_demo_cases, ensure_demo_users

    settings = load_settings()
    initialize(settings)
    with _session() as session:
        logins = ensure_demo_users(session)
        from docsvc.store import open_store

        created = ensure_demo_cases(session, open_store(settings), settings)
        session.commit()
    click.echo(f"\ndocsvc demo · data in {settings.data_dir} · {created} demo cases created")
    click.echo(f"open http://{host}:{port}/ and sign in as one of:")
    for username, role, password, token in logins:
        click.echo(f"  {username:<9} password {password:<14} role {role:<9} API token {token}")
    click.echo(
        "try the search box: 'Quimby' finds the owner's scanned letter once the background "
        "worker has read it (a few seconds)"
    )
    if not no_serve:
        from docsvc.serve import serve as run

        run(host, port, workers=2, threads=4)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
@click.option(
    "--max-requests",
    default=2000,
    show_default=True,
    type=click.IntRange(min=0),
    help="Recycle an HTTP worker after about this many requests (0: never).",
)
@click.option(
    "--no-worker",
    is_flag=True,
    help="Serve requests only; the background jobs are run by `docsvc worker` elsewhere.",
)
def serve(
    host: str, port: int, workers: int, threads: int, max_requests: int, no_worker: bool
) -> None:
    """Serve the app (run `docsvc init` first): gunicorn, and the background worker beside it."""
    from docsvc.serve import serve as run

    run(host, port, workers, threads, max_requests, background_worker=not no_worker)


@main.group()
def user() -> None:
    """Staff accounts."""


@user.command("create")
@click.argument("name")
@click.option(
    "--role", required=True, type=click.Choice(["officer", "records", "attorney", "admin"])
)
@click.option("--badge", default=None)
@click.option("--display-name", default=None)
@click.option("--title", default=None, help="Job title, printed under the signature.")
@click.option("--phone", default=None, help="Telephone printed in the signature block.")
@click.option("--email", default=None, help="E-mail printed in the signature block.")
@click.option(
    "--jurisdiction", "jurisdictions", multiple=True, help="Limit to these jurisdictions."
)
@click.option("--password-stdin", is_flag=True, help="Read a browser password from standard input.")
def user_create(
    name: str,
    role: str,
    badge: str | None,
    display_name: str | None,
    title: str | None,
    phone: str | None,
    email: str | None,
    jurisdictions: tuple[str, ...],
    password_stdin: bool,
) -> None:
    """Create a user; prints the user's API token alone on the last line."""
    from docsvc.auth.credentials import CredentialError, create_user, issue_token

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        with _session() as session:
            u = create_user(
                session,
                name,
                role,
                badge=badge,
                display_name=display_name,
                password=password,
                jurisdictions=list(jurisdictions) or None,
                title=title,
                phone=phone,
                email=email,
            )
            token = issue_token(session, u)
            from docsvc.audit import Actor, append

            fields = ["role", "badge", *(f for f in ("title", "phone", "email") if getattr(u, f))]
            append(session, Actor.system(), "user.create", "user", u.id, fields=fields)
            session.commit()
    except CredentialError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {role} {name}")
    click.echo(token)


@user.command("disable")
@click.argument("name")
def user_disable(name: str) -> None:
    """Disable a user: their tokens and browser sessions stop working at once."""
    from sqlalchemy import select

    from docsvc.audit import Actor, append
    from docsvc.auth.credentials import disable_user
    from docsvc.models import User

    with _session() as session:
        u = session.scalar(select(User).where(User.username == name))
        if u is None:
            raise click.ClickException(f"no user '{name}'")
        disable_user(session, u)  # and ends their browser sessions
        append(session, Actor.system(), "user.disable", "user", u.id, fields=["disabled"])
        session.commit()
    click.echo(f"disabled {name}")


@user.command("password")
@click.argument("name")
def user_password(name: str) -> None:
    """Set a user's browser password (read from standard input); their sessions end."""
    from sqlalchemy import select

    from docsvc.audit import Actor, append
    from docsvc.auth.credentials import CredentialError, set_password
    from docsvc.models import User

    password = sys.stdin.readline().rstrip("\n")
    with _session() as session:
        u = session.scalar(select(User).where(User.username == name))
        if u is None:
            raise click.ClickException(f"no user '{name}'")
        try:
            set_password(session, u, password)
        except CredentialError as exc:
            raise click.ClickException(str(exc)) from exc
        append(session, Actor.system(), "user.password", "user", u.id, fields=["password_hash"])
        session.commit()
    click.echo(f"new password set for {name}")


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.argument("name")
def token_create(name: str) -> None:
    """Issue another API token for user NAME (an integration's, or one replacing a revoked
    token); prints it alone on the last line: it is shown once, and stored only as a hash."""
    from sqlalchemy import select

    from docsvc.audit import Actor, append
    from docsvc.auth.credentials import issue_token
    from docsvc.models import User

    with _session() as session:
        u = session.scalar(select(User).where(User.username == name))
        if u is None:
            raise click.ClickException(f"no user '{name}'")
        if u.disabled:
            raise click.ClickException(f"user '{name}' is disabled: a token would not work")
        value = issue_token(session, u)
        append(session, Actor.system(), "token.create", "token", value[:10], fields=["user_id"])
        session.commit()
    click.echo(f"new token for {name}")
    click.echo(value)


@token.command("revoke")
@click.argument("token_value", metavar="TOKEN")
def token_revoke(token_value: str) -> None:
    from docsvc.audit import Actor, append
    from docsvc.auth.credentials import revoke_token

    with _session() as session:
        if not revoke_token(session, token_value):
            raise click.ClickException("no such active token")
        append(session, Actor.system(), "token.revoke", "token", token_value[:10])
        session.commit()
    click.echo("revoked")


@main.group()
def profile() -> None:
    """Jurisdiction profiles."""


def _checked_profile(path: Path) -> Profile:
    """The validated profile, or each bad field named on stderr and exit 1."""
    from docsvc.profiles import ProfileError, check_profile_path

    try:
        return check_profile_path(path)
    except ProfileError as exc:
        for problem in exc.problems:
            click.echo(f"{exc.path}: {problem}", err=True)
        sys.exit(1)


@profile.command("check")
@click.argument("path", type=click.Path(path_type=Path))
def profile_check(path: Path) -> None:
    """Validate a profile; names each bad field and exits 1."""
    p = _checked_profile(path)
    click.echo(f"ok: {p.code} ({p.name}), {len(p.violation_types)} violation types")


@profile.command("load")
@click.argument("path", type=click.Path(path_type=Path))
def profile_load(path: Path) -> None:
    """Validate and load (or update) a profile."""
    from docsvc.bootstrap import install_profile

    p = _checked_profile(path)
    with _session() as session:
        _, changed = install_profile(session, p)
        session.commit()
    click.echo(f"{'loaded' if changed else 'unchanged'}: {p.code}")


def _share(text: str) -> float:
    number = text.strip().removesuffix("%")
    try:
        share = float(number) / 100
    except ValueError:
        share = -1.0
    if not 0 < share <= 1:
        raise click.BadParameter(
            f"give a percentage above 0 and at most 100, like 5% or 100%, not {text!r}",
            param_hint="--sample",
        )
    return share


@main.command()
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file of lines from `docsvc audit checkpoint` (repeatable): the audit log must "
    "still pass through each.",
)
@click.option(
    "--sample",
    default="100%",
    show_default=True,
    help="The share of stored files to re-read and re-hash, as a percentage (every file is "
    "still checked to be there at its size): '5%' checks a twentieth of a large bucket.",
)
def verify(checkpoints: tuple[Path, ...], sample: str) -> None:
    """Check that the data directory is private, every stored file's fixity, issued PDFs'
    PDF/A structure, the audit chain (and that it still extends every checkpoint given), the
    search index and disposition runs; exit 1 naming each problem. Only reads."""
    from docsvc.store import open_store
    from docsvc.store.modes import sqlite_path
    from docsvc.verify import verify as run

    settings = load_settings()
    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            for other in bars.values():
                other.close()
            bar = bars[stage] = tqdm(desc=stage, total=total, disable=None, file=sys.stderr)
        bar.update(done - bar.n)

    with _session() as session:
        report = run(
            session,
            open_store(settings),
            progress,
            checkpoints,
            data_dir=settings.data_dir,
            database_file=sqlite_path(settings.database_url),
            sample=_share(sample),
        )
    for bar in bars.values():
        bar.close()
    for note in report.notes:
        click.echo(f"note: {note}")
    for problem in report.problems:
        click.echo(f"PROBLEM: {problem}")
    click.echo(
        f"{report.files_checked} files and {report.pdfs_checked} archival PDFs checked; "
        f"{'no problems' if report.ok else f'{len(report.problems)} problem(s)'}"
    )
    sys.exit(0 if report.ok else 1)


@main.group()
def store() -> None:
    """The file store (the data directory's, or an S3 bucket's: DOCSVC_STORE_URL)."""


@store.command("sweep")
@click.option(
    "--older-than",
    "hours",
    default=24.0,
    show_default=True,
    type=click.FloatRange(min=1),
    help="Only files stored at least this many hours ago: a younger one may be an upload "
    "another node is still committing.",
)
@click.option("--dry-run", is_flag=True, help="Say which files would go; erase nothing.")
def store_sweep(hours: float, dry_run: bool) -> None:
    """Erase stored files no record points at: left when a node died between storing an
    upload and recording it (`docsvc verify` counts them). Safe while the service runs."""
    from datetime import timedelta

    from docsvc.store import open_store
    from docsvc.verify import sweep

    settings = load_settings()
    with _session() as session:
        report = sweep(session, open_store(settings), timedelta(hours=hours), dry_run)
    for sha in report.erased:
        click.echo(f"{'would erase' if dry_run else 'erased'} {sha}")
    click.echo(
        f"{len(report.erased)} unrecorded file(s) {'to erase' if dry_run else 'erased'}; "
        f"{report.kept_young} younger than {hours:g} hours kept"
    )


@main.group()
def audit() -> None:
    """The audit log's keys and checkpoints (docs/AUDIT.md)."""


@audit.command("checkpoint")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Append the line to this file (to ship to a log kept elsewhere) instead of printing it.",
)
@click.option(
    "--syslog", "to_syslog", is_flag=True, help="Also send the line to syslog (docsvc-audit)."
)
def audit_checkpoint(out: Path | None, to_syslog: bool) -> None:
    """Sign the audit log's head (event, hash, time, key id; one JSON line) once the log
    verifies up to it, for `docsvc verify --checkpoint`. Exit 1, signing nothing, if it does
    not."""
    from docsvc.audit import AuditKeyError
    from docsvc.audit.chain import ensure_keys, key_source, take_checkpoint

    database = _database(load_settings())
    try:
        with database.read_session() as session:
            source = key_source(session)
            keyless = source is not None and source.ring() is None
        if keyless:
            with database.session() as session:
                ensure_keys(session)
                session.commit()
        with database.read_session() as session:
            checkpoint, problems = take_checkpoint(session)
    except AuditKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        database.dispose()
    if checkpoint is None:
        for problem in problems:
            click.echo(f"PROBLEM: {problem}", err=True)
        click.echo("no checkpoint taken: the audit log does not verify", err=True)
        sys.exit(1)
    line = checkpoint.line()
    if out is None:
        click.echo(line)
    else:
        with out.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    if to_syslog:
        import syslog

        syslog.openlog("docsvc-audit", 0, syslog.LOG_USER)
        syslog.syslog(syslog.LOG_NOTICE, line)
        syslog.closelog()


@audit.command("rotate-key")
def audit_rotate_key() -> None:
    """Start a new audit key at the next event; the old keys stay, to verify older events."""
    from docsvc.audit import AuditKeyError
    from docsvc.audit.chain import rotate_key

    database = _database(load_settings())
    try:
        with database.session() as session:
            ring, written = rotate_key(session)
            session.commit()
    except AuditKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        database.dispose()
    key = ring.current
    if written:
        click.echo(f"audit key {key.id} authenticates the audit log from event {key.first_seq} on")
        return
    click.echo(
        "The audit keys come from DOCSVC_AUDIT_KEY. With every node stopped, set it on each "
        f"to the value below (key {key.id} from event {key.first_seq} on), then start them:",
        err=True,
    )
    click.echo(ring.env_value())


@main.command()
@click.option("--once", is_flag=True, help="Do every ready job, then exit.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between looks at the queue.")
@click.option(
    "--parent",
    type=int,
    default=None,
    help="Stop when the process with this id (the server that started the worker) is gone.",
)
def worker(once: bool, poll: float, parent: int | None) -> None:
    """Work the background job queue: text extraction and OCR, public-records releases,
    disposition, court bundles."""
    import logging
    import threading

    from docsvc import logs
    from docsvc.documents.env import Env
    from docsvc.store import open_store
    from docsvc.worker import drain, run_forever, stop_on_signals

    logs.configure("%(asctime)s worker %(levelname)s %(message)s")
    settings = load_settings()
    database = _database(settings)
    env = Env(open_store(settings), settings)
    try:
        if once:
            click.echo(f"{drain(database, env)} job(s) done")
            return
        stop = threading.Event()
        stop_on_signals(stop)
        run_forever(database, env, stop, poll, parent=parent)
        logging.getLogger("docsvc.worker").info("worker stopped")
    finally:
        database.dispose()


@main.group()
def index() -> None:
    """The full-text search index."""


@index.command("rebuild")
@click.option("--text", "retext", is_flag=True, help="Also extract every file's text again.")
def index_rebuild(retext: bool) -> None:
    """Rebuild every record's index entries in one transaction; queue missing file text."""
    from docsvc.search.rebuild import rebuild

    bar = tqdm(desc="indexing", unit="record", disable=None, file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(1)

    with _session() as session:
        report = rebuild(session, retext=retext, progress=progress)
        session.commit()
    bar.close()
    click.echo(
        f"{report.records} records indexed ({report.entries} entries); "
        f"{report.queued} file(s) queued for text extraction (run `docsvc worker --once` "
        "or let `docsvc serve` do it)"
    )


@main.group()
def retention() -> None:
    """Retention schedules and disposition."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="List what is eligible and what blocks the rest.")
@click.option("--approve", "approve_ids", multiple=True, type=int, metavar="ID",
              help="Approve queued item ID (with --as).")  # fmt: skip
@click.option("--approve-all", is_flag=True,
              help="Approve every queued item waiting for the --as user's role.")  # fmt: skip
@click.option("--execute", "do_execute", is_flag=True, help="Destroy every approved item.")
@click.option("--as", "as_user", metavar="USERNAME", help="Who approves or executes.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Judge on this day (today).")
@click.option("--all", "show_all", is_flag=True, help="With --dry-run, list every case.")
def retention_run(
    dry_run: bool,
    approve_ids: tuple[int, ...],
    approve_all: bool,
    do_execute: bool,
    as_user: str | None,
    as_of: object,
    show_all: bool,
) -> None:
    """Without options: queue every eligible case file for approval. `--dry-run` changes
    nothing; `--approve`/`--approve-all` record approvals; `--execute` destroys what is
    approved, in batches with progress (interrupt it and run it again to resume)."""
    from collections import Counter
    from datetime import datetime

    from sqlalchemy import select

    from docsvc.models import User
    from docsvc.retention.disposition import approve, approve_awaiting, execute, propose
    from docsvc.retention.evaluate import evaluate
    from docsvc.store import open_store
    from docsvc.timeutil import utcnow

    settings = load_settings()
    day = as_of.date() if isinstance(as_of, datetime) else utcnow().date()
    database = _database(settings)
    try:
        user = None
        if as_user:
            with database.read_session() as s:
                user = s.scalar(select(User).where(User.username == as_user))
            if user is None or user.disabled:
                raise click.ClickException(f"no active user {as_user}")
        if dry_run:
            counts: Counter[str] = Counter()
            with database.read_session() as s:
                for v in evaluate(s, settings.data_dir, day):
                    counts[v.verdict] += 1
                    if show_all or v.verdict in ("eligible", "blocked"):
                        click.echo(
                            f"{v.verdict:<11} {v.case_number}  {v.series.code if v.series else '-'}"
                            f"  {'; '.join(v.reasons)}"
                        )
            click.echo(
                f"as of {day}: "
                + ", ".join(
                    f"{counts[k]} {k}" for k in ("eligible", "blocked", "not_yet", "unscheduled")
                )
                + " (nothing changed)"
            )
            return
        bars: list[tqdm] = []  # made on first use: the other steps print no empty bar

        def progress(stage: str, done: int, total: int) -> None:
            if not bars:
                bars.append(tqdm(unit="case", disable=None, file=sys.stderr))
            bar = bars[0]
            bar.set_description(stage)
            bar.total = total
            bar.n = done
            bar.refresh()

        if (approve_ids or approve_all) and user is None:
            raise click.ClickException("say who approves: --as USERNAME")
        if approve_ids:
            assert user is not None
            with database.session() as s:
                items = approve(s, user, list(approve_ids))
                s.commit()
                for i in items:
                    click.echo(f"item {i.id} {i.case_number}: {i.status}")
        if approve_all:
            assert user is not None
            n = approve_awaiting(database, user, progress)
            click.echo(f"{n} item(s) approved by {user.username} as {user.role}")
        if do_execute:
            report = execute(database, open_store(settings), settings.data_dir, user, day, progress)
            click.echo(
                f"run {report.run_id}: {report.destroyed} case file(s) destroyed, "
                f"{report.cancelled} withdrawn (no longer eligible), "
                f"{report.files_erased} stored file(s) erased; certificate "
                f"{report.certificate_sha256 or '(none: nothing destroyed)'}"
            )
        for bar in bars:
            bar.close()
        if not approve_ids and not approve_all and not do_execute:
            with database.session() as s:
                p = propose(s, settings.data_dir, day)
                s.commit()
            click.echo(
                f"as of {day}: {p.added} case file(s) queued for approval, {p.cancelled} "
                f"withdrawn; {p.queued} in the queue (approve with --approve ID --as USER)"
            )
    finally:
        database.dispose()


@main.command("migrate")
@click.option("--to", "target_url", required=True, metavar="URL",
              help="The database to move to (postgresql+psycopg://user@host/db).")  # fmt: skip
@click.option("--store", "store_url", required=True, metavar="URL",
              help="Where the files go: s3://bucket/prefix, or a folder.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Say what would move and how long; write nothing.")
@click.option("--check", "check_only", is_flag=True, help="Only prove a finished move again.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(min=1))
def migrate(
    target_url: str, store_url: str, dry_run: bool, check_only: bool, yes: bool, batch_size: int
) -> None:
    """Move this installation (its database and stored files) to another database and store,
    then prove the copy whole. Only reads the source. Interrupted, the same command continues
    where it stopped. Stop every node first."""
    from sqlalchemy.exc import OperationalError

    from docsvc.audit import AuditKeyError
    from docsvc.relocate import RelocateError, relocation, safe_url
    from docsvc.store import StorageError

    settings = load_settings()
    if "://" not in store_url:  # a folder: named absolutely, as DOCSVC_STORE_URL wants it
        store_url = str(Path(store_url).expanduser().resolve())
    bars: list[tqdm] = []

    def bar(desc: str, total: int, unit: str) -> tqdm:
        made = tqdm(desc=desc, total=total, unit=unit, unit_scale=unit == "B", disable=None,
                    file=sys.stderr)  # fmt: skip
        bars.append(made)
        return made

    try:
        with relocation(settings, target_url, store_url, batch_size=batch_size, bar=bar) as r:
            plan = r.plan()
            click.echo(
                f"from {safe_url(settings.database_url)} and {settings.store_dir}\n"
                f"to   {safe_url(target_url)} and {store_url}"
            )
            if dry_run:
                for name, rows in plan.tables:
                    click.echo(f"  {name:<28} {rows:>10} rows")
                seconds = r.estimate(plan)
                click.echo(
                    f"{plan.rows} rows in {len(plan.tables)} tables; {plan.files} files, "
                    f"{plan.bytes / 1e6:.1f} MB; about {_duration(seconds)} (measured on a "
                    f"sample); {r.describe_target()}. Nothing was written."
                )
                return
            if not check_only:
                click.echo(
                    f"{plan.rows} rows in {len(plan.tables)} tables; {plan.files} files, "
                    f"{plan.bytes / 1e6:.1f} MB"
                )
                if not yes:
                    click.confirm("Stop every docsvc node first. Move now?", abort=True)
            outcome = r.run(check_only=check_only)
    except (RelocateError, AuditKeyError) as exc:
        raise click.ClickException(str(exc)) from exc
    except OperationalError as exc:  # a server gone or refusing: words, not a traceback
        raise click.ClickException(
            f"a database could not be reached or refused the move: {exc.orig}; nothing is "
            "lost: run the same command again once it is back"
        ) from exc
    except StorageError as exc:
        raise click.ClickException(
            f"the store could not be reached or refused a write ({exc}); run the same command "
            "again once it is back"
        ) from exc
    except KeyboardInterrupt:
        click.echo("\ninterrupted: run the same command again to continue", err=True)
        sys.exit(130)
    finally:
        for made in bars:
            made.close()
    if outcome.already_moved:
        click.echo("the target already holds this installation (moved before): proving it again")
    elif not check_only:
        click.echo(
            f"{outcome.rows_copied} rows and {outcome.files_copied} files "
            f"({outcome.bytes_copied / 1e6:.1f} MB) copied"
            + (f", {outcome.files_skipped} already there" if outcome.files_skipped else "")
            + (" (resumed)" if outcome.resumed else "")
            + f" in {_duration(outcome.seconds)}; proved in {_duration(outcome.proof_seconds)}"
        )
    proof = outcome.proof
    assert proof is not None
    for line in proof.lines:
        click.echo(f"  {line}")
    for problem in proof.problems:
        click.echo(f"PROBLEM: {problem}")
    if not proof.ok:
        click.echo(
            f"the proof failed: {len(proof.problems)} problem(s); do not switch over yet. The "
            "source is untouched and still the installation of record. A move run again only "
            "adds what is missing; it never mends a row or file changed on the target. So if "
            "a problem above names the target, drop the target database (and empty the "
            "store's prefix), then run the same command again."
        )
        sys.exit(1)
    click.echo(
        "the proof holds. Switch every node over: set\n"
        f"  DOCSVC_DATABASE_URL={safe_url(target_url)}"
        + ("   (with its password)" if "***" in safe_url(target_url) else "")
        + "\n"
        f"  DOCSVC_STORE_URL={store_url}\n"
        "and "
        + (
            "keep DOCSVC_AUDIT_KEY as it is on every node"
            if settings.audit_key
            else "give every node the same audit keys (DOCSVC_AUDIT_KEY: the lines of "
            f"{settings.data_dir / 'audit_keys'} joined by ';', docs/AUDIT.md)"
        )
        + " and the same session key (DOCSVC_SECRET_KEY: the value in "
        f"{settings.data_dir / 'secret_key'}), then start them. "
        "The old data directory is untouched: keep it until the new one has been backed up."
    )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.1f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


# Last, so that `python -m docsvc.cli` knows every command defined above.
if __name__ == "__main__":
    main()

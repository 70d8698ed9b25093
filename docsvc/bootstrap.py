"""`docsvc init`: data directory, schema, audit head, shipped profiles. Safe to run again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from docsvc import wiring
from docsvc.audit import Actor
from docsvc.audit.chain import append, ensure_head, ensure_keys
from docsvc.audit.keys import KeySource
from docsvc.config import Settings
from docsvc.db import Database
from docsvc.migrate import upgrade
from docsvc.profiles import Profile, load_profile_file, shipped_profile_paths
from docsvc.profiles.loader import store_profile
from docsvc.store import open_store


@dataclass
class InitReport:
    profiles_loaded: list[str]
    temp_files_removed: int


def install_profile(session: Session, profile: Profile) -> tuple[str, bool]:
    """Store a validated profile (audited when it changed); returns (code, changed)."""
    row, changed = store_profile(session, profile)
    if changed:
        append(
            session,
            Actor.system(),
            "profile.load",
            "jurisdiction",
            row.code,
            hashes={"profile": row.profile_sha256},
        )
    return row.code, changed


def initialize(settings: Settings, database: Database | None = None) -> InitReport:
    wiring.install()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(settings)
    removed = store.clean_temp()
    own = database is None
    database = database or Database(settings.database_url, KeySource.of(settings))
    try:
        upgrade(database.engine)
        loaded: list[str] = []
        with database.session() as session:
            ensure_head(session)
            session.flush()
            ensure_keys(session)  # the first audit key, before anything it must cover
            for path in shipped_profile_paths():
                code, changed = install_profile(session, load_profile_file(path))
                if changed:
                    loaded.append(code)
            session.commit()
        return InitReport(loaded, removed)
    finally:
        if own:
            database.dispose()

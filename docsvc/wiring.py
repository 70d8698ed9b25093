"""What the capability packages hook into the foundation, installed once at start: by the app
factory, the command line (the background worker runs under it) and anything else that opens
the database. Foundation modules import no capability, so the hooks are installed from here."""

from __future__ import annotations

from docsvc.db import mark_wired
from docsvc.retention import holds
from docsvc.search import entries


def install() -> None:
    """Idempotent: every session refuses changes to held records and keeps the index current."""
    holds.install()
    entries.install()
    mark_wired()

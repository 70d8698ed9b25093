"""The worker's side of a bundle: build it with progress on the job row; a refusal (a record
that cannot be read, a redaction the scanner rejects) fails the bundle with the reason."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from docsvc.bundles.build import build
from docsvc.db import Database
from docsvc.documents.env import Env
from docsvc.errors import DocsvcError
from docsvc.jobs import queue
from docsvc.models import Bundle, Job, User


def run(database: Database, session: Session, env: Env, job: Job) -> None:
    bundle_id = job.ref_id

    def work(_user: User | None, progress: Any) -> dict[str, Any]:
        try:
            pages = build(database, env, bundle_id, progress)
        except DocsvcError as exc:
            with database.session() as s:
                bundle = s.get(Bundle, bundle_id)
                if bundle is not None:
                    bundle.status, bundle.error = "failed", exc.message
                    s.commit()
            raise
        return {"stage": "done", "done": pages, "total": pages}

    queue.run_as_asker(session, job, work, "bundles")

"""The officer's due list over many open cases, beside the per-case reading it replaced.

Each open case is seeded as the load benchmark found them (a complaint, an owner, one violation,
an issued notice with a compliance deadline). The baseline computes every case's clocks one
case at a time (`case_clocks`, a few queries a case plus its lazy loads: how `due_list` worked
until the load run showed a 2,360-statement, 2-second due list at 351 cases, which held up every
other request behind it); the service reads them all in a few queries (`due_list`). Both run on
the same database in the same run; the statement count is exact, the times are medians.

    .venv/bin/python benchmarks/due.py [--cases 500] [--runs 5]
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select

from benchmarks.common import fresh_app, save, seed_case, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from docsvc.cases.service import case_profile
    from docsvc.followup.clocks import OPEN_STATUSES, case_clocks, due_list, priority
    from docsvc.models import Case, Document, Jurisdiction, User
    from docsvc.profiles.loader import profile_of
    from docsvc.timeutil import utcnow

    app, _settings, headers = fresh_app()
    client = app.test_client()
    database = app.extensions["docsvc.db"]
    print(f"seeding {args.cases} open cases ...", flush=True)
    numbers = []
    for _ in range(args.cases):
        number, owner, violation = seed_case(
            client, headers, "los-gatos-ca", "-08:00", "overgrown-vegetation"
        )
        numbers.append((number, owner, violation))
    with database.session() as s:
        officer = s.scalar(select(User).where(User.username == "bench"))
        now = utcnow()
        for number, owner, violation in numbers:
            case = s.scalar(select(Case).where(Case.case_number == number))
            s.add(
                Document(
                    case_id=case.id, type="notice_of_violation", status="issued",
                    recipient_kind="party", recipient_party_id=owner,
                    violation_ids=[violation], photo_ids=[], fields={},
                    created_at=now, created_by_id=officer.id, updated_at=now,
                    issued_at=now, deadline_at=now + timedelta(days=10),
                )
            )  # fmt: skip
        s.commit()

    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(database.engine, "before_cursor_execute", count)
    with database.read_session() as s:
        profiles = {j.code: profile_of(j) for j in s.scalars(select(Jurisdiction))}

    def per_case() -> int:
        with database.read_session() as s:
            items = 0
            for case in s.scalars(select(Case).where(Case.status.in_(OPEN_STATUSES))):
                profile = case_profile(s, case)
                priority(case, profile)
                items += len(case_clocks(s, case, profile))
            return items

    def batched() -> int:
        with database.read_session() as s:
            return len(due_list(s, profiles, utcnow(), None))

    result: dict[str, Any] = {"cases": args.cases}
    for name, run in (("baseline per case", per_case), ("due_list", batched)):
        times = []
        for _ in range(args.runs):
            statements = 0
            t = time.perf_counter()
            items = run()
            times.append(time.perf_counter() - t)
        result[name] = {"statements": statements, "items": items, "seconds": summary(times)}
        print(
            f"{name:>18}: {statements:6d} SQL statements, {items} clocks, "
            f"p50 {result[name]['seconds']['p50'] * 1000:8.1f} ms"
        )
    base, new = result["baseline per case"], result["due_list"]
    print(
        f"due_list: {base['statements'] / new['statements']:.0f}x fewer statements, "
        f"{base['seconds']['p50'] / new['seconds']['p50']:.1f}x faster than the baseline"
    )
    print(f"results: {save('due', result)}")


if __name__ == "__main__":
    main()

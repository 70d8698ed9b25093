"""Case numbers never collide, however many intakes arrive at once from however many processes."""

from __future__ import annotations

import multiprocessing as mp
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from docsvc.models import Case
from tests.conftest import complaint_case

PROCESSES = 5
PER_PROCESS = 10


def _intakes(args: tuple[str, str, str, str, int, mp.synchronize.Barrier]) -> list[tuple[int, str]]:
    data_dir, url, token, secret, worker, barrier = args
    from pathlib import Path

    from docsvc.app import create_app
    from docsvc.config import Settings

    app = create_app(Settings(data_dir=Path(data_dir), database_url=url, secret_key=secret))
    barrier.wait()  # every process starts its burst together

    def one(i: int) -> tuple[int, str]:
        client = app.test_client()
        body = complaint_case(
            jurisdiction="jefferson-county-wa", address=f"{worker * 100 + i} Water Street"
        )
        r = client.post("/api/cases", json=body, headers={"Authorization": f"Bearer {token}"})
        return r.status_code, r.json.get("case_number", r.json.get("error"))

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(PER_PROCESS)))


@pytest.mark.slow
def test_fifty_concurrent_intakes_get_fifty_numbers(settings, officer, database) -> None:
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(PROCESSES)
        args = [
            (
                str(settings.data_dir),
                settings.database_url,
                officer.token,
                settings.secret_key,
                w,
                barrier,
            )
            for w in range(PROCESSES)
        ]
        with ctx.Pool(PROCESSES) as pool:
            results = [r for batch in pool.map(_intakes, args) for r in batch]
    assert all(status == 201 for status, _ in results), results
    numbers = [n for _, n in results]
    assert len(numbers) == PROCESSES * PER_PROCESS == len(set(numbers))
    assert all(re.fullmatch(r"JC-\d{4}-\d{6}", n) for n in numbers)
    sequence = sorted(int(n[-6:]) for n in numbers)
    assert sequence == list(range(1, 51))  # no gaps, no duplicates
    with database.session() as s:
        assert len(s.scalars(select(Case.case_number)).all()) == 50

"""Case numbers {PREFIX}-{YYYY}-{NNNNNN}, unique under any concurrency.

The counter row is created if missing (ON CONFLICT DO NOTHING, so two first intakes of a year
cannot collide) and then incremented with UPDATE ... RETURNING, which row-locks it until the
transaction commits: a second intake waits, then reads the incremented value.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from docsvc.models import CaseCounter
from docsvc.models.base import dialect_insert


def next_case_number(session: Session, prefix: str, year: int) -> str:
    insert = dialect_insert(session.get_bind())
    session.execute(
        insert(CaseCounter)
        .values(prefix=prefix, year=year, last_value=0)
        .on_conflict_do_nothing(index_elements=["prefix", "year"])
    )
    value = session.execute(
        update(CaseCounter)
        .where(CaseCounter.prefix == prefix, CaseCounter.year == year)
        .values(last_value=CaseCounter.last_value + 1)
        .returning(CaseCounter.last_value)
    ).scalar_one()
    return f"{prefix}-{year:04d}-{value:06d}"

"""Eight kam processes at once on the same deals, on SQLite and on PostgreSQL: nothing lost, nothing doubled.

The normal suite runs a small soak; KAM_SOAK_SCALE=large (make soak) runs it
at full size, and then the tests are marked slow.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from soak import check, soak

LARGE = os.environ.get("KAM_SOAK_SCALE") == "large"
WORKERS = 8
OPS = 400 if LARGE else 15  # per worker
OPPORTUNITIES = 6 if LARGE else 3

pytestmark = [pytest.mark.slow] if LARGE else []


def _soak(url: str, tmp_path: Path, label: str) -> None:
    result = soak(url, workers=WORKERS, ops=OPS, opportunities=OPPORTUNITIES, folder=tmp_path)
    problems = check(url, result)
    print(
        f"\n{label}: {result.workers} writers x {OPS} operations = {result.operations} in {result.seconds:.1f} s "
        f"({result.per_second:.0f} ops/s); applied {result.applied}, refused {sum(o.refused for o in result.outcomes)}, "
        f"conflicts {sum(o.conflicts for o in result.outcomes)}"
    )
    assert problems == []
    # the run did real work: operations applied on every side, and some raced
    assert result.applied > result.operations // 5
    assert {row[2] for o in result.outcomes for row in o.applied} >= {"transition", "document", "signoff"}


def test_soak_on_sqlite(tmp_path: Path, db_url: str) -> None:
    _soak(db_url, tmp_path, "SQLite")


def test_soak_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    _soak(pg_url, tmp_path, "PostgreSQL")


def test_the_checker_notices_a_doubled_operation(tmp_path: Path, db_url: str) -> None:
    """The soak's own check can fail: a history row nobody reported, or one reported twice."""
    result = soak(db_url, workers=1, ops=10, opportunities=1, folder=tmp_path)
    assert check(db_url, result) == []
    applied: list[Any] = result.outcomes[0].applied
    applied.append(list(applied[0]))
    assert "an operation was reported applied twice" in check(db_url, result)
    applied.pop()
    applied.pop()
    assert any(p.startswith("history rows written") for p in check(db_url, result))

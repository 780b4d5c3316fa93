"""SIGKILL in the middle of a batch of advances: every opportunity moved with its history row, or not at all.

A real process (`python tests/soak.py advance-batch`) advances prepared deals,
printing each history row it committed; it is killed at a random moment. Then
every committed row must be there, every chain must verify, and every stage
must equal the replay of its history. KAM_SOAK_SCALE=large repeats it more.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import DEPARTMENT_REVIEWERS, STAGE_DOCUMENTS
from soak import document, prepare
from sqlalchemy import func, select

from workflow.operations import documents, signoffs
from workflow.records.db import Database
from workflow.records.models import Event, Opportunity
from workflow.rules.process import load_process
from workflow.views import audit as audit_view

LARGE = os.environ.get("KAM_SOAK_SCALE") == "large"
REPEATS = 25 if LARGE else 2
DEALS = 6
SOAK = Path(__file__).parent / "soak.py"

pytestmark = [pytest.mark.slow] if LARGE else []


def ready_deals(url: str) -> list[int]:
    """Deals at the first stage holding every document and sign-off, so each advance succeeds."""
    ids = prepare(url, DEALS)
    db = Database(url)
    process = load_process()
    try:
        with db.write() as s:
            for opp in ids:
                for kinds in STAGE_DOCUMENTS.values():
                    for kind in kinds:
                        documents.fill_document(s, opp, kind, document(kind, opp), actor="王磊")
                for department, reviewer in DEPARTMENT_REVIEWERS.items():
                    signoffs.decide(s, process, opp, department=department, decision="approve", actor=reviewer)
    finally:
        db.dispose()
    return ids


def kill_mid_batch(url: str, ids: list[int], mode: str, rng: random.Random) -> list[tuple[int, int]]:
    """Start the batch, SIGKILL it after a random delay; the (opportunity, seq) rows it reported committed."""
    proc = subprocess.Popen(
        [sys.executable, str(SOAK), "advance-batch", url, mode, *map(str, ids)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # the batch is under way: one advance done
    assert first.startswith(("committed ", "advanced")), proc.stderr.read()
    time.sleep(rng.uniform(0.0, 0.3))
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, f"the batch finished before the kill; {err}"
    lines = [first.strip(), *out.splitlines()]
    return [(int(a), int(b)) for line in lines if line.startswith("committed ") and line != "committed all" for a, b in [line.split()[1:]]]


def assert_whole(url: str, ids: list[int], committed: list[tuple[int, int]]) -> int:
    """Every reported commit is stored, every chain verifies and replays to the stage; returns the advances stored."""
    db = Database(url)
    try:
        with db.read() as s:
            audit = audit_view.audit(s)
            assert audit.ok, [b.message().en for b in audit.breaks]
            stored = set(s.execute(select(Event.opportunity_id, Event.seq).where(Event.actor == "batch")).all())
            assert set(committed) <= stored
            for opp in ids:
                stage = s.scalar(select(Opportunity.stage).where(Opportunity.id == opp))
                last = s.scalar(select(Event.to_stage).where(Event.opportunity_id == opp, Event.action.in_(["create", "transition"])).order_by(Event.seq.desc()).limit(1))
                assert stage == last
            return s.scalar(select(func.count()).select_from(Event).where(Event.actor == "batch"))  # type: ignore[return-value]
    finally:
        db.dispose()


@pytest.mark.parametrize("mode", ["each", "one"])
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_sigkill_mid_batch_loses_nothing_and_tears_nothing(request: pytest.FixtureRequest, tmp_path: Path, database: str, mode: str) -> None:
    url = request.getfixturevalue("pg_url") if database == "postgresql" else f"sqlite:///{tmp_path / 'kam.sqlite3'}"
    rng = random.Random(f"{database}-{mode}")
    moved = 0
    for _ in range(REPEATS):
        ids = ready_deals(url)
        committed = kill_mid_batch(url, ids, mode, rng)
        stored = assert_whole(url, ids, committed)
        if mode == "one":
            assert stored == 0  # one transaction: killed before COMMIT, so nothing at all moved
        else:
            assert stored >= len(committed)  # a row may commit in the instant before its line is printed
        moved += stored
    print(f"\n{database}/{mode}: {REPEATS} kills, {moved} advances stored, none torn")

"""Guarded advances per second through the core API, each in its own transaction with its history row.

Target (issue 2): ≥ 500/s on SQLite; the PostgreSQL figure is reported alongside.
The advance measured is phone_invite → visit_pitch: its guard loads and validates
the latest phone-invite-feedback document.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid

from workflow.operations import accounts, moves
from workflow.records import hashing
from workflow.records.db import Database
from workflow.records.models import Document, Opportunity, utcnow
from workflow.rules.process import load_process

N = 2000
ROUND = 500
PG_URL = os.environ.get("KAM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
INVITE = {
    "call_date": "2026-09-02",
    "caller": "王磊",
    "contact": {"name": "赵建国", "title": "科长"},
    "visit_time": "2026-09-08T09:30",
    "visit_place": "包头市环境卫生服务中心",
    "our_visitors": ["王磊"],
    "purpose": "产品推介",
    "interest": "high",
}


def prepare(db: Database, n: int) -> list[int]:
    """n opportunities at phone_invite with a valid invitation document (bulk inserts)."""
    process = load_process()
    with db.write() as s:
        acc = accounts.create_account(s, name="包头市环境卫生服务中心", type="government", account_class="A", industry="环卫", fleet_size=120, actor="b")
        accounts.add_contact(s, acc.id, "赵建国", actor="b")
        now = utcnow()
        opps = [Opportunity(account_id=acc.id, title=f"商机 {i}", owner="王磊", stage="phone_invite", stage_entered_at=now, created_by="b") for i in range(n)]
        s.add_all(opps)
        s.flush()
        s.add_all(
            Document(opportunity_id=o.id, kind="phone-invite-feedback", version=1, data=INVITE, author="王磊", sha256=hashing.sha256(INVITE))
            for o in opps
        )
        ids = [o.id for o in opps]
    del process
    return ids


def measure(url: str, label: str) -> None:
    db = Database(url)
    ids = prepare(db, N)
    process = load_process()

    def advance(opp_id: int) -> None:
        with db.write() as s:
            moves.advance(s, process, opp_id, actor="王磊")

    # Four rounds of 500 on fresh opportunities: the median of each figure, so one slow
    # stretch of a shared machine does not decide it. CPU seconds are the steadier figure.
    walls, cpus = [], []
    for start in range(0, N, ROUND):
        chunk = ids[start : start + ROUND]
        began, cpu = time.perf_counter(), time.process_time()
        for opp_id in chunk:
            advance(opp_id)
        walls.append(len(chunk) / (time.perf_counter() - began))
        cpus.append(len(chunk) / max(time.process_time() - cpu, 1e-9))
    with db.read() as s:
        moved = s.query(Opportunity).filter_by(stage="visit_pitch").count()
    assert moved == N, moved
    print(
        f"{label:<11} {N} guarded advances: {statistics.median(walls):7.0f} per second "
        f"(median of {len(walls)} rounds of {ROUND}; {statistics.median(cpus):.0f} per CPU second)  (target on SQLite ≥ 500)"
    )
    db.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{tmp}/bench.sqlite3", "SQLite")
    try:
        import psycopg

        schema = f"kam_bench_{uuid.uuid4().hex[:8]}"
        plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            measure(f"{PG_URL}?options=-csearch_path%3D{schema}", "PostgreSQL")
        finally:
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    except Exception as exc:  # no server: say so, don't fail the other figures
        print(f"PostgreSQL  skipped: {exc}")


if __name__ == "__main__":
    main()

"""Two managers at the same moment: exactly one move happens, the other is told to look again.

Real processes, a barrier so they read before anyone writes, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing as mp
from typing import Any

import pytest

from workflow.errors import ConcurrentChange, KamError
from workflow.operations import accounts, documents, moves, opportunities
from workflow.records import queries
from workflow.records.db import Database
from workflow.rules.process import load_process

WORKERS = 4


def _race_advance(url: str, opp_id: int, barrier: Any, results: Any, name: str) -> None:
    """What `kam opp advance` does: read the version the user acts on, then write with it."""
    db = Database(url)
    process = load_process()
    with db.read() as s:
        seen = queries.get_opportunity(s, opp_id).version
    barrier.wait()
    try:
        with db.write() as s:
            moves.advance(s, process, opp_id, actor=name, expected_version=seen)
        results.put((name, "moved"))
    except ConcurrentChange:
        results.put((name, "conflict"))
    except KamError as exc:
        results.put((name, f"error: {exc.render('en')}"))
    except Exception as exc:  # anything else is a failure of the test
        results.put((name, f"crash: {type(exc).__name__}: {exc}"))


def _fill_many(url: str, opp_id: int, count: int, results: Any, name: str) -> None:
    from forms_fixtures import load

    db = Database(url)
    data = load("phone-invite-feedback")
    for _ in range(count):
        try:
            with db.write() as s:
                documents.fill_document(s, opp_id, "phone-invite-feedback", data, actor=name)
            results.put((name, "ok"))
        except Exception as exc:
            results.put((name, f"crash: {type(exc).__name__}: {exc}"))


def _prepare(url: str) -> int:
    db = Database(url)
    process = load_process()
    with db.write() as s:
        acc = accounts.create_account(s, name="包头市环境卫生服务中心", type="government", account_class="A", industry="环卫", fleet_size=300, actor="t")
        accounts.add_contact(s, acc.id, "周海涛", actor="t")
        opp_id = opportunities.new_opportunity(s, process, acc.id, "30 台压缩式垃圾车", owner="王磊", actor="王磊").id
    db.dispose()
    return opp_id


def _run(target: Any, args_for: Any, n: int, expected: int) -> list[tuple[str, str]]:
    """Start `n` processes, collect `expected` results (before joining, so no child blocks on the queue)."""
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args_for(ctx), results, f"经理{i}")) for i in range(n)]
    for p in procs:
        p.start()
    out = [results.get(timeout=120) for _ in range(expected)]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    return out


def race(url: str) -> tuple[list[str], str, int]:
    opp_id = _prepare(url)
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    outcomes = [o for _, o in _run(_race_advance, lambda _ctx: (url, opp_id, barrier), WORKERS, WORKERS)]
    db = Database(url)
    with db.read() as s:
        stage = queries.get_opportunity(s, opp_id).stage
        moves = [e for e in queries.opportunity_history(s, opp_id) if e.action == "transition"]
    db.dispose()
    return sorted(outcomes), stage, len(moves)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_simultaneous_advances_move_exactly_once(backend: str, db_url: str, request: pytest.FixtureRequest) -> None:
    url = db_url if backend == "sqlite" else request.getfixturevalue("pg_url")
    outcomes, stage, moves = race(url)
    assert outcomes == ["conflict"] * (WORKERS - 1) + ["moved"]
    assert (stage, moves) == ("phone_invite", 1)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_writers_wait_instead_of_failing(backend: str, db_url: str, request: pytest.FixtureRequest) -> None:
    url = db_url if backend == "sqlite" else request.getfixturevalue("pg_url")
    opp_id = _prepare(url)
    per_worker = 15
    outcomes = [o for _, o in _run(_fill_many, lambda _ctx: (url, opp_id, per_worker), WORKERS, WORKERS * per_worker)]
    assert outcomes == ["ok"] * (WORKERS * per_worker)
    db = Database(url)
    with db.read() as s:
        versions = [d.version for d in queries.list_documents(s, opp_id)]
    db.dispose()
    # every fill got its own version, none lost or doubled
    assert versions == list(range(1, WORKERS * per_worker + 1))


def test_the_cli_tells_the_loser_to_look_again(db: Database, deal: int, kam: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between the CLI's read and its write, someone else moves the opportunity."""
    from commands import opp as opportunities

    real = opportunities._expected_version

    def read_then_someone_else_moves(kam_ctx: Any, opp_id: int) -> int:
        seen = real(kam_ctx, opp_id)
        with db.write() as s:  # another manager puts it on hold in between
            moves.hold(s, load_process(), opp_id, reason="客户预算冻结", actor="李娜")
        return seen

    monkeypatch.setattr(opportunities, "_expected_version", read_then_someone_else_moves)
    result = kam("opp", "advance", deal)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: opportunity {deal} was just changed by someone else")
    assert "look again with kam opp show" in result.stderr

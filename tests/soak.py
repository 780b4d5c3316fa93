"""Many kam processes against one database: the soak run and the crash batch, shared by tests and benchmarks.

`soak(url, workers, ops)` starts `workers` real processes (multiprocessing,
spawn) that each perform `ops` random operations (advance, fill, approve,
lose/reopen, revert, hold/resume) on the same few opportunities, with the
command line's semantics: read the opportunity's version, then write with
`expected_version`. Each worker logs every operation it saw applied (the
history row it produced). `check(url, result)` then proves nothing was lost
or applied twice: the history rows written during the run are exactly the
logged ones, every chain verifies and replays to the opportunity's stage.

`python tests/soak.py advance-batch URL IDS...` is the crash test's victim: it
advances the given opportunities one transaction at a time and prints each
committed history row, until killed.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))  # forms_fixtures and helpers, in spawned processes and `python tests/soak.py`

from forms_fixtures import load as load_fixture  # noqa: E402
from helpers import DEPARTMENT_REVIEWERS, STAGE_DOCUMENTS  # noqa: E402

from workflow.operations import accounts, documents, moves, signoffs
from workflow.operations.opportunities import new_opportunity
from workflow.records import queries
from workflow.views import audit as audit_view

_FIXTURES: dict[str, Any] = {}


def document(kind: str, opp: int | None = None) -> Any:
    """The realistic fixture of `kind`, parsed once per process (YAML parsing would dominate the run).

    Given the opportunity, a contract review carries a number of its own (one contract, one number).
    """
    import copy

    if kind not in _FIXTURES:
        _FIXTURES[kind] = load_fixture(kind)
    data = copy.deepcopy(_FIXTURES[kind])
    if opp is not None and kind == "contract-review":
        data["contract_no"] = f"{data['contract_no']}-{opp}"
    return data


OPERATIONS = {"advance": 30, "fill": 30, "approve": 15, "lose": 5, "reopen": 6, "revert": 6, "hold": 4, "resume": 4}
KINDS = [kind for kinds in STAGE_DOCUMENTS.values() for kind in kinds]


@dataclass
class Outcome:
    """What one worker did: applied operations as (opportunity, seq, action, trigger, actor), and how the rest ended."""

    worker: int
    applied: list[list[Any]] = field(default_factory=list)
    refused: int = 0  # Refused / InvalidInput: a guard said no, which is fine
    conflicts: int = 0  # ConcurrentChange: someone else moved first, which is fine
    failures: list[str] = field(default_factory=list)  # anything a user must never see


@dataclass
class SoakResult:
    workers: int
    operations: int
    seconds: float
    outcomes: list[Outcome]
    baseline: dict[int, int]  # opportunity -> last seq before the run

    @property
    def applied(self) -> int:
        return sum(len(o.applied) for o in self.outcomes)

    @property
    def per_second(self) -> float:
        return self.operations / self.seconds


def prepare(url: str, opportunities: int) -> list[int]:
    """An account with a contact and `opportunities` deals at the first stage."""
    from workflow.records.db import Database
    from workflow.rules.process import load_process

    db = Database(url)
    process = load_process()
    try:
        with db.write() as s:
            acc = accounts.create_account(
                s, name=f"包头鑫达物流 {random.randrange(10**9)}", type="enterprise", account_class="A", industry="物流", fleet_size=120, actor="setup"
            )
            accounts.add_contact(s, acc.id, "张华", actor="setup", title="科长", role="技术选型决策人")
            return [new_opportunity(s, process, acc.id, f"牵引车 {i}", owner="王磊", actor="王磊").id for i in range(opportunities)]
    finally:
        db.dispose()


def _operate(db: Any, process: Any, name: str, opp: int, actor: str, rng: random.Random) -> Any:
    """One operation as the command line performs it; returns the history row it wrote."""

    if name == "fill":
        with db.read() as s:
            stage = queries.get_opportunity(s, opp).stage
        kind = rng.choice(STAGE_DOCUMENTS.get(stage) or KINDS) if rng.random() < 0.7 else rng.choice(KINDS)
        with db.write() as s:
            doc = documents.fill_document(s, opp, kind, document(kind, opp), actor=actor)
            return doc.opportunity_id, _last_event(s, opp)
    if name == "approve":
        department = rng.choice(list(DEPARTMENT_REVIEWERS))
        with db.write() as s:
            decided = signoffs.decide(s, process, opp, department=department, decision="approve", comment="同意", actor=f"{actor}-{department}")
            if decided.repeated:  # the same approval again writes nothing (issue 13): not an operation applied
                from workflow.errors import Refused
                from workflow.i18n import t

                raise Refused(t("重复审批", "a repeated approval"), [])
            return opp, _last_event(s, opp)
    with db.read() as s:
        expected = queries.get_opportunity(s, opp).version
    operation = {"advance": moves.advance, "lose": moves.lose, "reopen": moves.reopen, "revert": moves.revert, "hold": moves.hold, "resume": moves.resume}[name]
    extra = {"lose": {"reason": "price", "note": "对手降价"}, "revert": {"reason": "客户要求重新评估"}, "hold": {"reason": "等预算"}}.get(name, {})
    with db.write() as s:
        event = operation(s, process, opp, actor=actor, expected_version=expected, **extra)
        return opp, event


def _last_event(s: Any, opp: int) -> Any:
    from sqlalchemy import select

    from workflow.records.models import Event

    s.flush()
    return s.scalar(select(Event).where(Event.opportunity_id == opp).order_by(Event.seq.desc()).limit(1))


def worker(url: str, index: int, ops: int, opportunities: list[int], seed: int, out: str, start: Any = None) -> None:
    """A spawned process: `ops` random operations; its Outcome is written to `out` as JSON.

    It imports and connects first, then waits at `start` (a barrier) so that the
    timed part is the operations, not eight interpreters starting up.
    """
    import forms
    from workflow.errors import ConcurrentChange, InvalidInput, KamError, Refused
    from workflow.records.db import Database
    from workflow.rules.process import load_process

    db = Database(url)
    process = load_process()
    for kind in KINDS:
        forms.get(kind)
        document(kind)
    with db.read():
        pass
    if start is not None:
        start.wait()
    rng = random.Random(seed)
    outcome = Outcome(index)
    names, weights = list(OPERATIONS), list(OPERATIONS.values())
    actor = f"w{index}"
    for _ in range(ops):
        name = rng.choices(names, weights)[0]
        opp = rng.choice(opportunities)
        try:
            opp_id, event = _operate(db, process, name, opp, actor, rng)
            outcome.applied.append([opp_id, event.seq, event.action, event.trigger, event.actor])
        except (Refused, InvalidInput):
            outcome.refused += 1
        except ConcurrentChange:
            outcome.conflicts += 1
        except KamError as exc:  # DatabaseBusy ("database is locked") and the like: a user would see it
            outcome.failures.append(f"{name} {opp}: {type(exc).__name__}: {exc.render('en')}")
        except Exception:
            outcome.failures.append(f"{name} {opp}: {traceback.format_exc()}")
    db.dispose()
    Path(out).write_text(json.dumps(outcome.__dict__, ensure_ascii=False), encoding="utf-8")


def soak(url: str, *, workers: int, ops: int, opportunities: int, folder: Path, seed: int = 0) -> SoakResult:
    """Run `workers` processes of `ops` operations each on `opportunities` shared deals."""
    ids = prepare(url, opportunities)
    baseline = _last_seqs(url, ids)
    context = multiprocessing.get_context("spawn")
    outs = [folder / f"worker-{i}.json" for i in range(workers)]
    start = context.Barrier(workers + 1)
    procs = [context.Process(target=worker, args=(url, i, ops, ids, seed * 1000 + i, str(outs[i]), start)) for i in range(workers)]
    for p in procs:
        p.start()
    start.wait(300)
    started = time.perf_counter()
    for p in procs:
        p.join(600)
    seconds = time.perf_counter() - started
    outcomes = []
    for i, (p, out) in enumerate(zip(procs, outs, strict=True)):
        if p.exitcode != 0 or not out.exists():
            outcomes.append(Outcome(i, failures=[f"worker {i} died with exit code {p.exitcode}"]))
        else:
            outcomes.append(Outcome(**json.loads(out.read_text(encoding="utf-8"))))
    return SoakResult(workers, workers * ops, seconds, outcomes, baseline)


def _last_seqs(url: str, ids: list[int]) -> dict[int, int]:
    from sqlalchemy import func, select

    from workflow.records.db import Database
    from workflow.records.models import Event

    db = Database(url)
    try:
        with db.read() as s:
            rows = s.execute(select(Event.opportunity_id, func.max(Event.seq)).where(Event.opportunity_id.in_(ids)).group_by(Event.opportunity_id))
            return {opp: seq for opp, seq in rows}
    finally:
        db.dispose()


def check(url: str, result: SoakResult) -> list[str]:
    """Everything wrong after a soak run (empty when nothing was lost, doubled or corrupted)."""
    from sqlalchemy import select

    from workflow.records.db import Database
    from workflow.records.models import Event, Opportunity

    problems = [f for o in result.outcomes for f in o.failures]
    logged = sorted(tuple(row) for o in result.outcomes for row in o.applied)
    if len(set(logged)) != len(logged):
        problems.append("an operation was reported applied twice")
    db = Database(url)
    try:
        with db.read() as s:
            ids = list(result.baseline)
            events = s.scalars(select(Event).where(Event.opportunity_id.in_(ids)).order_by(Event.opportunity_id, Event.seq)).all()
            written = sorted((e.opportunity_id, e.seq, e.action, e.trigger, e.actor) for e in events if e.seq > result.baseline[e.opportunity_id])
            if written != logged:
                problems.append(f"history rows written ({len(written)}) differ from operations applied ({len(logged)}): {sorted(set(written) ^ set(logged))[:5]}")
            audit = audit_view.audit(s)
            problems += [b.message().en for b in audit.breaks]
            stages = dict(s.execute(select(Opportunity.id, Opportunity.stage).where(Opportunity.id.in_(ids))).all())
        for opp in ids:
            replayed = None
            for e in (e for e in events if e.opportunity_id == opp and e.action in ("create", "transition")):
                if e.action == "transition" and e.from_stage != replayed:
                    problems.append(f"opportunity {opp} seq {e.seq}: {e.trigger} from {e.from_stage}, but the history had it at {replayed}")
                replayed = e.to_stage
            if replayed != stages[opp]:
                problems.append(f"opportunity {opp}: stage {stages[opp]} but its history replays to {replayed}")
    finally:
        db.dispose()
    return problems


# -- the crash test's victim ----------------------------------------------------------------------------


def advance_batch(url: str, ids: list[int], single_transaction: bool) -> None:
    """Advance every opportunity through every stage, printing each committed history row; runs until killed or done."""
    from workflow.errors import Refused
    from workflow.records.db import Database
    from workflow.rules.process import load_process

    db = Database(url)
    process = load_process()
    if single_transaction:
        with db.write() as s:
            for _ in range(len(process.stages)):
                for opp in ids:
                    try:
                        moves.advance(s, process, opp, actor="batch")
                    except Refused:
                        pass
                    print("advanced", flush=True)
                    time.sleep(0.02)  # a long transaction: the kill lands inside it
        print("committed all", flush=True)
        return
    for _ in range(len(process.stages)):
        for opp in ids:
            with db.read() as s:
                expected = queries.get_opportunity(s, opp).version
            try:
                with db.write() as s:
                    event = moves.advance(s, process, opp, actor="batch", expected_version=expected)
                    seq = event.seq
            except Refused:
                continue
            print(f"committed {opp} {seq}", flush=True)
            time.sleep(0.01)  # paced, so the batch outlasts the killer's longest wait (0.3 s) however fast advances get
    print("done", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "advance-batch":
        advance_batch(sys.argv[2], [int(a) for a in sys.argv[4:]], sys.argv[3] == "one")
    else:
        raise SystemExit(f"unknown mode {sys.argv[1]}")
    os._exit(0)

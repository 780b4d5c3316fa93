"""The pipeline report and the follow-up schedule on 100,000 opportunities; 10,000 accounts from XLSX.

Targets (issue 6): `kam report pipeline` < 1 s and `kam schedule` < 1 s on
SQLite, peak memory < 300 MB; `kam account import` of 10,000 accounts from XLSX
< 10 s. The same figures are taken on PostgreSQL (127.0.0.1:5432, database
`test`, a schema of its own, dropped afterwards) when the server is reachable.

The fixture is written with bulk inserts: 2,000 accounts, 100,000 opportunities
spread over the stages as a real funnel (10 % signed, 10 % lost), each with the
documents its stage needed (the realistic samples of forms/samples; the
negotiation minutes and the contract review as a fleet deal of two models with two
delivery batches and three payment milestones, issue 14), a
service plan per signed deal with delivery dates over the past year, each signed
deal's receivables (its milestones, most paid, some overdue) and the `payment`
history rows that paid them, each deal's amount in 元, the history
rows (create, each document, each move; real hash chains), ratings, sign-offs,
and the follow-ups a diligent team recorded (every one due more than two weeks
ago, except one in twenty).

Each command runs as its own process (`kam --json …`, output discarded); the
figure is the median wall time of 5 runs and the peak resident memory of the
process (GNU time), with the CPU seconds beside them: on a busy machine the CPU
figure is the steadier one. The core functions are also timed in-process, and
the floor every command pays (start-up plus one small query) is printed first.
Set KAM_BENCH_N to change the number of opportunities; KAM_BENCH_SQLITE=FILE
keeps the SQLite fixture in FILE (written on the first run, reused after); KAM_BENCH_PG=0 skips
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from workflow.records import hashing
from workflow.views import pipeline

ROOT = Path(__file__).resolve().parent.parent
N = int(os.environ.get("KAM_BENCH_N", "100000"))
ACCOUNTS = 2_000
IMPORT_ACCOUNTS = 10_000
OWNERS = ["王磊", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周杰", "吴昊"]
# share of opportunities now at each stage (the last two: signed, lost)
FUNNEL = {
    "target": 0.20, "phone_invite": 0.15, "visit_pitch": 0.15, "initial_solution": 0.12,
    "technical_exchange": 0.10, "evaluation_negotiation": 0.08, "contract_maintenance": 0.10, "lost": 0.10,
}
STAGE_DOCUMENTS = {
    "target": [], "phone_invite": ["phone-invite-feedback"], "visit_pitch": ["visit-feedback"],
    "initial_solution": ["product-proposal"], "technical_exchange": ["exchange-minutes"],
    "evaluation_negotiation": ["evaluation-scorecard", "negotiation-minutes", "contract-review"],
}
CHUNK = 5_000
TIME = shutil.which("time") or "/usr/bin/time"  # GNU time (Debian package `time`)


def _kam() -> list[str]:
    found = shutil.which("kam", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "cli"]


def _measure(cmd: list[str], env: dict[str, str], runs: int = 5, warm_up: bool = True) -> tuple[float, float, float]:
    """(median wall seconds, median CPU seconds, peak RSS in MB) of a command, after one warm-up run.

    The command runs under /usr/bin/time: a child forked from this (large) process
    would inherit its resident-set high-water mark, a child of `time` does not.
    """
    walls, cpus, peaks = [], [], []
    for i in range(runs + warm_up):
        with tempfile.NamedTemporaryFile("r", suffix=".time") as report, tempfile.TemporaryFile() as err:
            started = time.perf_counter()
            proc = subprocess.run([TIME, "-f", "%U %S %M", "-o", report.name, *cmd], env=env, stdout=subprocess.DEVNULL, stderr=err, check=False)
            elapsed = time.perf_counter() - started
            if proc.returncode != 0:
                err.seek(0)
                raise SystemExit(f"{' '.join(cmd)} failed: {err.read(2000).decode(errors='replace')}")
            user, system, peak_kb = report.read().split()[-3:]
        if i or not warm_up:
            walls.append(elapsed)
            cpus.append(float(user) + float(system))
            peaks.append(int(peak_kb) / 1024)
    return statistics.median(walls), statistics.median(cpus), max(peaks)


FLEET_LINES = [
    {"model": "洗扫车", "configuration": "福田 8 方洗扫车", "quantity": 20, "unit_price": 386000},
    {"model": "压缩式垃圾车", "quantity": 4, "unit_price": 368000},
]
FLEET_TERMS = {
    "deliveries": [{"date": "2027-04-20", "quantity": 14, "region": "包头东河区"}, {"date": "2027-05-10", "quantity": 10}],
    "payments": [
        {"milestone": "首付款", "percent": 30, "due": "2027-01-15"},
        {"milestone": "发车前", "percent": 60, "due": "2027-03-20"},
        {"milestone": "质保金", "percent": 10, "due": "2028-04-20"},
    ],
    "quality_deposit": 919200,
}


def _documents() -> dict[str, dict[str, Any]]:
    import forms
    from forms import samples

    out = {}
    for kind in sorted(forms.KINDS):
        data = samples.load(kind)
        if kind in ("negotiation-minutes", "contract-review"):  # the fleet deal: lines instead of one price
            del data["quantity"], data["unit_price"]
            data["lines"] = FLEET_LINES
            if kind == "contract-review":
                data.update(FLEET_TERMS)
        out[kind] = forms.dump(forms.validate(kind, data))
    return out


def generate(url: str) -> dict[str, int]:
    """Write the fixture with bulk inserts; returns row counts."""
    from sqlalchemy import insert

    from workflow.operations.followups import rebuild_plans
    from workflow.records.db import Database
    from workflow.records.models import Account, Document, Event, FollowUp, Opportunity, SignOff
    from workflow.records.tables import receivables
    from workflow.rules import receivables as money
    from workflow.rules.compliance import deal_total
    from workflow.rules.plans import plan_followups
    from workflow.rules.process import LOST, load_process

    rng = random.Random(6)
    process = load_process()
    order = [s.id for s in process.stages]
    docs = _documents()
    hashes = {kind: hashing.sha256(data) for kind, data in docs.items()}
    db = Database(url)
    db.upgrade()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    today = now.date()
    counts = {"accounts": ACCOUNTS, "opportunities": N, "documents": 0, "events": 0, "signoffs": 0, "followups": 0}
    counts["receivables"] = 0
    rows: dict[Any, list[dict[str, Any]]] = {Document: [], Event: [], SignOff: [], FollowUp: [], receivables: []}
    contract = forms_dump = docs["contract-review"]
    total = deal_total(contract)[1]
    del forms_dump

    def flush(session: Any, force: bool = False) -> None:
        for model, batch in rows.items():
            if batch and (force or len(batch) >= CHUNK):
                session.execute(insert(model), batch)
                counts[getattr(model, "__table__", model).name] += len(batch)
                batch.clear()

    stages = list(FUNNEL)
    weights = list(FUNNEL.values())
    with db.write() as s:
        s.execute(
            insert(Account),
            [
                {"id": i, "name": f"客户 {i:05d} 物流有限公司", "type": "enterprise", "account_class": "ABC"[i % 3], "industry": "物流",
                 "fleet_size": 20 + i % 300, "region": "内蒙古包头", "reviewed_at": now - dt.timedelta(days=i % 200),
                 "created_by": "bench", "created_at": now, "updated_at": now}
                for i in range(1, ACCOUNTS + 1)
            ],
        )
        opps = []
        doc_id = event_id = 0
        for oid in range(1, N + 1):
            stage = rng.choices(stages, weights)[0]
            lost_from = rng.choice(order[:-1]) if stage == LOST else None
            reached = order.index(lost_from if stage == LOST else stage)
            created = now - dt.timedelta(days=rng.randint(reached * 10 + 5, reached * 30 + 60), seconds=rng.randint(0, 86_400))
            at = created
            chain: list[dict[str, Any]] = []

            def event(action: str, when: dt.datetime, chain: list[dict[str, Any]] = chain, oid: int = oid, **fields: Any) -> None:
                nonlocal event_id
                event_id += 1
                seq = len(chain) + 1
                prev = chain[-1]["hash"] if chain else hashing.GENESIS
                row = {"id": event_id, "opportunity_id": oid, "seq": seq, "at": when, "actor": "bench", "action": action,
                       "trigger": None, "from_stage": None, "to_stage": None, "reason": None, "documents": None, "detail": None, "prev_hash": prev}
                row.update(fields)
                row["hash"] = hashing.event_hash(prev, SimpleNamespace(**row))
                chain.append(row)

            event("create", at, to_stage="target", detail={"title": f"项目 {oid}", "owner": OWNERS[oid % len(OWNERS)]})
            for i in range(reached):
                from_stage, to_stage = order[i], order[i + 1]
                versions = {}
                for kind in STAGE_DOCUMENTS[from_stage]:
                    at += dt.timedelta(days=rng.randint(1, 6))
                    doc_id += 1
                    rows[Document].append({"id": doc_id, "opportunity_id": oid, "kind": kind, "version": 1, "data": docs[kind],
                                           "author": "bench", "created_at": at, "sha256": hashes[kind]})
                    event("document", at, detail={"kind": kind, "version": 1, "sha256": hashes[kind]})
                    versions[kind] = 1
                if from_stage == "evaluation_negotiation":
                    for dept in process.departments:
                        rows[SignOff].append({"opportunity_id": oid, "department": dept, "reviewer": f"审核 {dept}", "decision": "approve",
                                              "comment": None, "review_version": 1, "at": at})
                        # its history row, as kam review approve writes it (so kam audit verify replays the fixture)
                        event("signoff", at, actor=f"审核 {dept}", documents={"contract-review": 1}, detail={"department": dept, "decision": "approve"})
                at += dt.timedelta(days=rng.randint(1, 10))
                event("transition", at, trigger=process.stages[i].trigger, from_stage=from_stage, to_stage=to_stage, documents=versions or None)
            signed_at = at if stage == "contract_maintenance" else None
            if stage == LOST:
                at += dt.timedelta(days=rng.randint(1, 20))
                event("transition", at, trigger="lose", from_stage=lost_from, to_stage=LOST, reason="price")
            if signed_at is not None:
                delivery = today - dt.timedelta(days=rng.randint(-30, 365))
                plan = dict(docs["service-plan"], delivery_date=delivery.isoformat(),
                            training=[dict(t, date=(delivery + dt.timedelta(days=2 + j)).isoformat()) for j, t in enumerate(docs["service-plan"]["training"])])
                doc_id += 1
                plan_hash = hashing.sha256(plan)
                rows[Document].append({"id": doc_id, "opportunity_id": oid, "kind": "service-plan", "version": 1, "data": plan,
                                       "author": "bench", "created_at": at, "sha256": plan_hash})
                event("document", at, detail={"kind": "service-plan", "version": 1, "sha256": plan_hash})
                for planned in plan_followups(plan):
                    if planned.due < today - dt.timedelta(days=14) and rng.random() > 0.05:
                        rows[FollowUp].append({"opportunity_id": oid, "kind": planned.kind, "due_date": planned.due, "done_on": planned.due,
                                               "note": "回访正常", "found": None, "actor": "bench", "created_at": now})
                # the receivables: milestones from the signature; the first paid, the second paid or half-paid, some late
                signed_day = signed_at.date()
                terms = [
                    {**term, "due": (signed_day + dt.timedelta(days=days)).isoformat()}
                    for term, days in zip(contract["payments"], (15, 60, 400), strict=True)
                ]
                received: dict[str, Any] = {}
                for m in money.milestones(terms, total):
                    share = m.amount if m.seq == 1 or (m.seq == 2 and rng.random() < 0.6) else (m.amount / 2).quantize(money.CENT) if m.seq == 2 else 0
                    if m.due is not None and m.due > today:
                        share = 0
                    if share:
                        at += dt.timedelta(days=1)
                        event("payment", at, detail={"amount": str(share), "date": m.due.isoformat() if m.due else today.isoformat(), "milestone": m.milestone,
                                                     "note": None, "allocation": [[m.milestone, str(share)]]})
                    received[m.milestone] = share
                    rows[receivables].append({"opportunity_id": oid, "seq": m.seq, "milestone": m.milestone, "percent": m.percent, "due": m.due,
                                              "amount": m.amount, "received": share})
            heat = rng.choice([None, 30, 50, 70, 90]) if stage != LOST else None
            quantity = rng.randint(1, 60)
            amount = total if signed_at is not None else (quantity * 380_000 if reached >= order.index("technical_exchange") else None)
            rows[Event].extend(chain)
            opps.append({
                "id": oid, "account_id": 1 + oid % ACCOUNTS, "title": f"项目 {oid}", "owner": OWNERS[oid % len(OWNERS)], "stage": stage,
                "stage_entered_at": at, "lost_from": lost_from, "lost_reason": "price" if stage == LOST else None, "lost_note": None,
                "on_hold": oid % 97 == 0 and stage not in (LOST, "contract_maintenance"), "hold_reason": None,
                "quantity": quantity, "budget": None, "amount": amount, "expected_close": None,
                "relationship_level": rng.choice([None, 1, 2, 3, 4]), "relationship_assessed_at": at if heat else None,
                "heat": heat, "heat_assessed_at": at if heat else None, "signed_at": signed_at,
                "created_by": "bench", "created_at": created, "updated_at": at, "last_activity_at": chain[-1]["at"], "version": 1,
            })
            if len(opps) >= CHUNK:
                s.execute(insert(Opportunity), opps)
                opps.clear()
                flush(s)
        if opps:
            s.execute(insert(Opportunity), opps)
        flush(s, force=True)
        rebuild_plans(s.connection())  # the schedule's stored plans, as `kam import` writes them
    if db.is_sqlite:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    db.dispose()
    return counts


def _xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("客户")
    sheet.append(["名称", "性质", "分类", "行业", "保有量", "规模", "市场", "区域", "主要品牌", "地址"])
    for i in range(1, IMPORT_ACCOUNTS + 1):
        sheet.append([f"导入客户 {i:05d} 运输有限公司", "企业", "ABC"[i % 3], "物流", 10 + i % 500, "中型", "国内", "内蒙古包头", "欧曼", f"包头市 {i} 号"])
    book.save(path)


def _run(label: str, url: str, tmp: Path) -> None:
    kam = _kam()
    env = {**os.environ, "KAM_DATABASE_URL": url, "KAM_USER": "bench"}
    reuse = os.environ.get("KAM_BENCH_SQLITE")
    if not (label == "sqlite" and reuse and Path(reuse).exists()):
        started = time.perf_counter()
        counts = generate(url)
        print(f"[{label}] fixture written in {time.perf_counter() - started:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()), flush=True)
    _, orm_cpu, _ = _measure([sys.executable, "-c", "import sqlalchemy.orm"], env, runs=3)
    print(f"[{label}] machine: python -c 'import sqlalchemy.orm' {orm_cpu * 1000:6.0f} ms cpu (scale the figures below by this)", flush=True)
    baseline, base_cpu, base_peak = _measure([*kam, "--json", "account", "stale", "--days", "36500"], env)
    print(f"[{label}] floor: kam --json account stale --days 36500 {baseline * 1000:6.0f} ms wall  {base_cpu * 1000:6.0f} ms cpu  peak {base_peak:5.0f} MB (start-up + one small query)", flush=True)
    _core(label, url)
    for name, args in (
        ("kam report pipeline", ["--json", "report", "pipeline"]),
        ("kam report pipeline --by owner", ["--json", "report", "pipeline", "--by", "owner"]),
        ("kam schedule", ["--json", "schedule"]),
        ("kam schedule --owner 王磊", ["--json", "schedule", "--owner", "王磊"]),
        ("kam report pipeline (table)", ["report", "pipeline"]),
        ("kam schedule (table)", ["schedule"]),
    ):
        seconds, cpu, peak = _measure([*kam, *args], env)
        verdict = "ok" if seconds < 1 and peak < 300 else "OVER"
        print(f"[{label}] {name:<32} {seconds * 1000:6.0f} ms wall  {cpu * 1000:6.0f} ms cpu  peak {peak:5.0f} MB   (target < 1000 ms, < 300 MB) {verdict}", flush=True)
    xlsx = tmp / "accounts.xlsx"
    if not xlsx.exists():
        _xlsx(xlsx)
    fresh = {**env, "KAM_DATABASE_URL": _fresh(label, url, tmp)}
    subprocess.run([*kam, "init"], env=fresh, check=True, capture_output=True)  # the schema is not part of the import
    seconds, cpu, peak = _measure([*kam, "--json", "account", "import", str(xlsx)], fresh, runs=1, warm_up=False)
    print(f"[{label}] kam account import 10,000 (xlsx) {seconds:6.1f} s wall  {cpu:6.1f} s cpu  peak {peak:5.0f} MB   (target < 10 s) {'ok' if seconds < 10 else 'OVER'}", flush=True)


def _core(label: str, url: str) -> None:
    """The core functions in this process: the part of each command that grows with the data."""
    from workflow.records.db import Database
    from workflow.rules.process import load_process
    from workflow.views import schedule as schedule_view

    db, process = Database(url), load_process()
    for name, call in (
        ("pipeline()", lambda s: pipeline.pipeline(s, process)),
        ("pipeline(by_owner=True)", lambda s: pipeline.pipeline(s, process, by_owner=True)),
        ("schedule()", lambda s: schedule_view.schedule(s, process)),
    ):
        walls, cpus = [], []
        for _ in range(4):
            with db.read() as session:
                started, cpu = time.perf_counter(), time.process_time()
                call(session)
                walls.append(time.perf_counter() - started)
                cpus.append(time.process_time() - cpu)
        print(f"[{label}] core {name:<27} {min(walls[1:]) * 1000:6.0f} ms wall  {min(cpus[1:]) * 1000:6.0f} ms cpu (best of 3, warm)", flush=True)
    db.dispose()


def _fresh(label: str, url: str, tmp: Path) -> str:
    """An empty database beside the big one, for the import (each measured run needs new names)."""
    if label == "sqlite":
        path = tmp / f"import-{uuid.uuid4().hex[:6]}.sqlite3"
        return f"sqlite:///{path}"
    return _pg_schema()


_SCHEMAS: list[str] = []
PG_URL = os.environ.get("KAM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_schema() -> str:
    import psycopg

    schema = f"kam_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    _SCHEMAS.append(schema)
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        reuse = os.environ.get("KAM_BENCH_SQLITE")
        _run("sqlite", f"sqlite:///{Path(reuse).resolve()}" if reuse else f"sqlite:///{tmp / 'bench.sqlite3'}", tmp)
        if os.environ.get("KAM_BENCH_PG") == "0":
            return
        try:
            url = _pg_schema()
        except Exception as exc:  # the reason is printed instead of the figures
            print(f"[postgresql] skipped: server not reachable ({exc})")
            return
        try:
            _run("postgresql", url, tmp)
        finally:
            import psycopg

            with psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
                for schema in _SCHEMAS:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()

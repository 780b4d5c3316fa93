"""The manager's day on 100,000 opportunities: the agenda, the review queue, a calendar and a workbook.

Targets (issue 17), whole commands on SQLite: `kam agenda --owner 王磊` < 1 s and
`kam review pending` < 1 s; `kam schedule --ics` of the whole schedule (every
open follow-up of the year) and `kam opp list --xlsx` of all opportunities each
< 5 s and < 300 MB.

The fixture is the pipeline benchmark's (`bench_pipeline.generate`: 100,000
opportunities in a real funnel, 10 owners, the documents each passed stage
needed, a service plan per signed deal, the follow-ups a diligent team
recorded), plus a contract review (the realistic sample) for each deal at the
negotiation stage — 8 % of them — with the sales department's approval on half
of them and the finance department's rejection on a tenth, so that the queue and
the owners' rejected reviews are real. Each command runs as its own process;
the figure is the median wall time of 5 runs (after a warm-up), the CPU seconds
and the peak resident memory (GNU time). KAM_BENCH_N changes the number of
opportunities; KAM_BENCH_SQLITE=FILE keeps the fixture in FILE (written on the
first run, reused after).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_pipeline import N, _kam, _measure, generate
from workflow.records import hashing


def _reviews(url: str) -> int:
    """A contract review for each deal at the negotiation stage (once), some sign-offs on it; returns the count."""
    from sqlalchemy import func, insert, select

    import forms
    from forms import samples
    from workflow.records import tables
    from workflow.records.db import Database

    db = Database(url)
    D, OP = tables.documents.c, tables.opportunities.c
    try:
        with db.write() as s:
            at_gate = select(OP.id).where(OP.stage == "evaluation_negotiation")
            done = s.execute(select(func.count()).where(D.kind == "contract-review", D.opportunity_id.in_(at_gate)))
            ids = [i for (i,) in s.execute(at_gate.order_by(OP.id))]
            if (done.scalar() or 0) >= len(ids):
                return len(ids)
            data = forms.dump(forms.validate("contract-review", samples.load("contract-review")))
            digest = hashing.sha256(data)
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            s.execute(
                insert(tables.documents),
                [
                    {"opportunity_id": i, "kind": "contract-review", "version": 1, "data": data, "author": "bench",
                     "created_at": now - dt.timedelta(days=i % 20), "sha256": digest}
                    for i in ids
                ],
            )  # fmt: skip
            decisions = [
                {"opportunity_id": i, "department": "sales", "reviewer": "审核 sales", "decision": "approve",
                 "comment": "同意", "review_version": 1, "at": now}
                for i in ids[::2]
            ] + [
                {"opportunity_id": i, "department": "finance", "reviewer": "审核 finance", "decision": "reject",
                 "comment": "付款条件需改为发车前到账", "review_version": 1, "at": now}
                for i in ids[::10]
            ]  # fmt: skip
            s.execute(insert(tables.signoffs), decisions)
        return len(ids)
    finally:
        db.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        reuse = os.environ.get("KAM_BENCH_SQLITE")
        path = Path(reuse).resolve() if reuse else tmp / "bench.sqlite3"
        url = f"sqlite:///{path}"
        if not path.exists():
            started = time.perf_counter()
            counts = generate(url)
            print(f"fixture written in {time.perf_counter() - started:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()), flush=True)
        reviews = _reviews(url)
        print(f"{N:,} opportunities, {reviews:,} contract reviews at the negotiation stage", flush=True)
        env = {**os.environ, "KAM_DATABASE_URL": url, "KAM_USER": "bench"}
        kam = _kam()
        far = (dt.date.today() + dt.timedelta(days=400)).isoformat()
        ics, xlsx = tmp / "schedule.ics", tmp / "opportunities.xlsx"
        for name, args, target_s in (
            ("kam agenda --owner 王磊", ["--json", "agenda", "--owner", "王磊"], 1),
            ("kam agenda --owner 王磊 (text)", ["agenda", "--owner", "王磊"], 1),
            ("kam agenda --department legal", ["--json", "--actor", "孙律", "agenda", "--department", "legal"], 1),
            ("kam review pending", ["--json", "review", "pending"], 1),
            ("kam review pending --department finance", ["--json", "review", "pending", "--department", "finance"], 1),
            (f"kam schedule --due-before {far} --ics", ["schedule", "--due-before", far, "--ics", str(ics), "--force"], 5),
            ("kam opp list --xlsx (all)", ["opp", "list", "--xlsx", str(xlsx), "--force"], 5),
        ):
            seconds, cpu, peak = _measure([*kam, *args], env)
            verdict = "ok" if seconds < target_s and peak < 300 else "OVER"
            print(f"{name:<48} {seconds * 1000:6.0f} ms wall  {cpu * 1000:6.0f} ms cpu  peak {peak:5.0f} MB   (target < {target_s * 1000} ms, < 300 MB) {verdict}", flush=True)
        print(f"schedule.ics {ics.stat().st_size / 1e6:.1f} MB, {ics.read_bytes().count(b'BEGIN:VEVENT'):,} events; "
              f"opportunities.xlsx {xlsx.stat().st_size / 1e6:.1f} MB", flush=True)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())

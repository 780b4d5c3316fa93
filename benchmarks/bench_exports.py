"""The calendar and workbook writers alone, on rows shaped like the 100k fixture's (issue 17).

Targets for the whole commands (query included): `kam schedule --ics` of the whole
schedule and `kam opp list --xlsx` of all 100,000 opportunities each under 5 s and
300 MB. This measures what the writers add: each case runs as its own process
under GNU time (start-up, building the rows, writing the bytes), the median of 3
runs, with the CPU seconds beside the wall time (the steadier figure on a busy
machine) and the process's peak resident memory. The rows are built in the
process too, as a command would hold them after its query; "rows only" is the
same process without the writer, so the difference is the writer's.

    python -m benchmarks exports            # or: python -m benchmarks.bench_exports
    KAM_BENCH_EVENTS=20000 KAM_BENCH_ROWS=100000 python -m benchmarks exports
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from typing import Any

EVENTS = int(os.environ.get("KAM_BENCH_EVENTS", "20000"))
ROWS = int(os.environ.get("KAM_BENCH_ROWS", "100000"))
TIME = "/usr/bin/time"
OWNERS = ["王磊", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周杰", "吴昊"]


def calendar_items(count: int) -> list[Any]:
    from workflow.views.calendar import CalendarItem, calendar_uid  # in the child process only, as all imports here

    start = dt.date(2027, 1, 1)
    return [
        CalendarItem(
            uid=calendar_uid(f"{i}-RV-{(start + dt.timedelta(days=i % 365)).strftime('%Y%m%d')}", "3f2a9c1e"),
            date=start + dt.timedelta(days=i % 365),
            summary=f"回访：包头鑫达物流有限公司{i % 2000}（商机 {i} 大客户采购项目）",
            description=f"第 {i % 9 + 1} 次回访（交车后 {15 * (i % 9 + 1)} 天）\n服务站：包头东河服务站",
            contact=f"张三（车队长）138{i % 10**8:08d}",
            command=f"kam followup done {i}-RV-{(start + dt.timedelta(days=i % 365)).strftime('%Y%m%d')} YYYY-MM-DD",
            categories=("回访",),
        )
        for i in range(count)
    ]


def opportunity_sheet(count: int) -> Any:
    from workflow.views.spreadsheet import Column, Sheet

    columns = [
        Column("编号", "int"),
        Column("项目"),
        Column("客户"),
        Column("阶段"),
        Column("负责人"),
        Column("数量", "int"),
        Column("合同金额", "money"),
        Column("成交热度", "percent"),
        Column("预计成交", "date"),
        Column("更新于", "datetime"),
    ]
    rows = [
        (
            i,
            f"大客户采购项目 {i} 期",
            f"包头鑫达物流有限公司{i % 2000}",
            "方案交流",
            OWNERS[i % 10],
            i % 50 + 1,
            Decimal(350000 + i * 7) / 100 * 100,
            (i % 100) / 100,
            dt.date(2027, 1, 1) + dt.timedelta(days=i % 365),
            dt.datetime(2027, 1, 1, 9, 30) + dt.timedelta(minutes=i),
        )
        for i in range(count)
    ]
    return Sheet("商机", columns, rows)


def child(case: str) -> None:
    """One measured process: build the rows, then (unless "rows only") write them.

    The writers are imported only where they run, so that "rows only" does not pay for them.
    """
    generated = dt.datetime(2027, 2, 1)
    if case.startswith("ics"):
        items = calendar_items(EVENTS)
        if case == "ics":
            from workflow.views.calendar import write_ics

            data = write_ics(items, name="kam 回访计划", generated_at=generated)
            sys.stdout.write(f"{len(data)}\n")
    else:
        sheet = opportunity_sheet(ROWS)
        if case == "xlsx":
            from workflow.views.spreadsheet import write_xlsx

            data = write_xlsx([sheet], generated_at=generated)
            sys.stdout.write(f"{len(data)}\n")


def measure(case: str, runs: int = 3) -> tuple[float, float, float, int]:
    """(median wall s, median CPU s, peak RSS MB, bytes written) of one case in its own process."""
    walls, cpus, peaks, size = [], [], [], 0
    for _ in range(runs):
        with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
            started = time.perf_counter()
            cmd = [TIME, "-f", "%U %S %M", "-o", report.name, sys.executable, "-m", "benchmarks.bench_exports", case]
            proc = subprocess.run(cmd, capture_output=True, check=True)
            walls.append(time.perf_counter() - started)
            user, system, peak_kb = report.read().split()[-3:]
        cpus.append(float(user) + float(system))
        peaks.append(int(peak_kb) / 1024)
        size = int(proc.stdout or 0)
    return statistics.median(walls), statistics.median(cpus), max(peaks), size


def main() -> None:
    print(f"{EVENTS:,} calendar events, {ROWS:,} workbook rows × 10 columns; median of 3 runs, each its own process")
    print(f"{'case':<34}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}{'file MB':>9}")
    for case, label in (
        ("ics-rows", f"{EVENTS:,} CalendarItems (rows only)"),
        ("ics", f"write_ics of {EVENTS:,}"),
        ("xlsx-rows", f"{ROWS:,} rows (rows only)"),
        ("xlsx", f"write_xlsx of {ROWS:,} × 10"),
    ):
        wall, cpu, peak, size = measure(case)
        shown = f"{size / 1e6:>9.1f}" if size else f"{'':>9}"
        print(f"{label:<34}{wall:>8.2f}{cpu:>8.2f}{peak:>9.0f}{shown}", flush=True)


if __name__ == "__main__":
    child(sys.argv[1]) if len(sys.argv) > 1 else main()

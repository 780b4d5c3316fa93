"""Excel forms: reading a filled form vs the same document from YAML.

Target (issue 16): `kam doc fill ID KIND --file F.xlsx` within 1.5× of the same document
from YAML, whole command. Three figures:

- in-process, warm (openpyxl already imported): parse + validate of each kind's sample,
  YAML (`yaml.CSafeLoader` + `forms.validate`) vs xlsx (`forms.xlsx.load_form`);
- the one-off cost a command pays for openpyxl: `import openpyxl` in a fresh interpreter;
- the whole command, `kam doc fill ID KIND --file …` on a temporary SQLite database, the YAML
  sample and the same document typed into its Excel form run alternately, each run on an
  opportunity of its own (so each stores a version).

Run: `python -m benchmarks.bench_xlsx` (or `make bench`). Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from benchmarks._timing import python, wall

WHOLE_KINDS = ("phone-invite-feedback", "evaluation-scorecard")


def _median(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _filled(kind: str) -> bytes:
    """The sample document typed into its form (write_template with data: the same cells a manager fills)."""
    from forms import samples, xlsx

    return xlsx.write_template(kind, "zh", data=samples.load(kind))


def in_process(repeat: int = 30) -> list[tuple[str, float, float, int]]:
    """(kind, YAML median s, xlsx median s, xlsx bytes) per kind."""
    import yaml

    import forms
    from forms import samples, xlsx

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    rows = []
    for kind in forms.KINDS:
        text = samples.path(kind).read_text(encoding="utf-8")
        book = _filled(kind)
        yaml_s = _median(partial(lambda k, x: forms.validate(k, yaml.load(x, Loader=loader)), kind, text), repeat)
        xlsx_s = _median(partial(xlsx.load_form, kind, book), repeat)  # load_form validates
        rows.append((kind, yaml_s, xlsx_s, len(book)))
    return rows


def _kam_fill(opp: int, kind: str, path: str) -> list[str]:
    return [sys.executable, "-c", "import cli; cli.main()", "doc", "fill", str(opp), kind, "--file", path]


def _paired_walls(
    a: Callable[[int], list[str]], b: Callable[[int], list[str]], runs: int, env: dict[str, str]
) -> tuple[float, float]:
    """Median wall times of two commands run alternately, so that both see the same load of a shared machine.

    `a(n)` and `b(n)` give the n-th run's command: each fills its own opportunity, so that every run stores a
    version (a fill identical to the newest version stores nothing).
    """
    times: tuple[list[float], list[float]] = ([], [])
    for n in range(runs):
        for cmd, out in ((a(n), times[0]), (b(n), times[1])):
            started = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, env=env, check=False, text=True)
            out.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(cmd[3:])} failed: {done.stderr.strip()}")
    return statistics.median(times[0]), statistics.median(times[1])


def _opportunities(url: str, count: int) -> list[int]:
    from workflow.operations import accounts, opportunities
    from workflow.records.db import Database
    from workflow.rules.process import load_process

    db = Database(url)
    process = load_process()
    with db.write() as s:
        acc = accounts.create_account(
            s,
            name="包头市环境卫生服务中心",
            type="government",
            account_class="A",
            industry="环卫",
            fleet_size=120,
            actor="bench",
        )
        accounts.add_contact(s, acc.id, "周海涛", actor="bench", department="中心领导")
        ids = [
            opportunities.new_opportunity(
                s, process, acc.id, f"压缩式垃圾车 {n}", owner="王磊", actor="bench", quantity=30
            ).id
            for n in range(count)
        ]
    db.dispose()
    return ids


def whole_command(runs: int = 15) -> list[tuple[str, float, float]]:
    """(kind, YAML wall s, xlsx wall s) of the real `kam doc fill ID KIND --file …` on a temporary database."""
    from forms import samples

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        env = {**os.environ, "KAM_DATABASE_URL": url, "KAM_USER": "bench"}
        ids = iter(_opportunities(url, 2 * (runs + 1) * len(WHOLE_KINDS)))
        for kind in WHOLE_KINDS:
            yaml_path = str(samples.path(kind))
            xlsx_path = f"{tmp}/{kind}.xlsx"
            Path(xlsx_path).write_bytes(_filled(kind))
            for path in (yaml_path, xlsx_path):  # once each, untimed: the first run of a file pays the page cache
                subprocess.run(_kam_fill(next(ids), kind, path), env=env, check=True, capture_output=True)
            yaml_ids, xlsx_ids = [next(ids) for _ in range(runs)], [next(ids) for _ in range(runs)]
            yaml_s, xlsx_s = _paired_walls(
                lambda n, k=kind, p=yaml_path, i=yaml_ids: _kam_fill(i[n], k, p),
                lambda n, k=kind, p=xlsx_path, i=xlsx_ids: _kam_fill(i[n], k, p),
                runs,
                env,
            )
            rows.append((kind, yaml_s, xlsx_s))
    return rows


def main() -> None:
    print("in-process, warm: parse + validate (median)")
    print(f"  {'kind':24} {'YAML':>8} {'xlsx':>8} {'ratio':>7} {'file':>9}")
    for kind, yaml_s, xlsx_s, size in in_process():
        print(f"  {kind:24} {yaml_s * 1000:6.2f}ms {xlsx_s * 1000:6.2f}ms {xlsx_s / yaml_s:6.1f}x {size / 1000:7.1f}KB")
    bare = wall(python("pass"), runs=9)
    with_openpyxl = wall(python("import openpyxl"), runs=9)
    print(f"import openpyxl, once per command: {(with_openpyxl - bare) * 1000:.0f} ms")
    print("whole command: kam doc fill ID KIND --file … (median wall time; target ≤ 1.5x)")
    for kind, yaml_s, xlsx_s in whole_command():
        print(f"  {kind:24} YAML {yaml_s * 1000:6.0f} ms   xlsx {xlsx_s * 1000:6.0f} ms   ratio {xlsx_s / yaml_s:.2f}x")


if __name__ == "__main__":
    main()

"""Excel forms: reading a filled form vs the same document from YAML.

Target (issue 16): `kam doc fill ID KIND --file F.xlsx` within 1.5× of the same document
from YAML, whole command. Three figures:

- in-process, warm (openpyxl already imported): parse + validate of each kind's sample,
  YAML (`yaml.CSafeLoader` + `forms.validate`) vs xlsx (`forms.xlsx.load_form`);
- the one-off cost a command pays for openpyxl: `import openpyxl` in a fresh interpreter;
- the whole command, `kam doc fill 1 KIND --file …` on a temporary SQLite database, run through
  the same `python -c` harness for both files; for the xlsx run the harness routes a `.xlsx`
  path to `forms.xlsx.load_form`, which is how the command is to call it.

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


# `kam doc fill` with a .xlsx file sent to forms.xlsx.load_form, as the wired command will do; the YAML
# run imports the same modules first so that both start alike.
_HARNESS = """
import sys
import forms.reading as reading
from forms import xlsx
if {xlsx}:
    _read = reading.read_document
    reading.read_document = lambda path: xlsx.load_form({kind!r}, path) if path.endswith(".xlsx") else _read(path)
import cli
sys.argv = ["kam", "doc", "fill", "1", {kind!r}, "--file", {path!r}]
cli.main()
"""


def _harness(kind: str, path: str, xlsx: bool) -> list[str]:
    return python(_HARNESS.format(xlsx=xlsx, kind=kind, path=path))


def _paired_walls(a: list[str], b: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median wall times of two commands run alternately, so that both see the same load of a shared machine."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for cmd, out in ((a, times[0]), (b, times[1])):
            started = time.perf_counter()
            subprocess.run(cmd, capture_output=True, env=env, check=False)
            out.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def whole_command(runs: int = 15) -> list[tuple[str, float, float]]:
    """(kind, YAML wall s, xlsx wall s) of `kam doc fill` on a temporary database."""
    from forms import samples

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "KAM_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "KAM_USER": "bench"}
        kam = [sys.executable, "-c", "import cli; cli.main()"]
        for args in (
            ["init"],
            ["account", "add", "包头市环境卫生服务中心", "--type", "government", "--class", "A", "--industry", "环卫", "--fleet-size", "120"],
            ["opp", "new", "1", "压缩式垃圾车 30 台", "--quantity", "30"],
        ):
            subprocess.run([*kam, *args], env=env, check=False, capture_output=True)
        for kind in WHOLE_KINDS:
            yaml_path = str(samples.path(kind))
            xlsx_path = f"{tmp}/{kind}.xlsx"
            Path(xlsx_path).write_bytes(_filled(kind))
            for path, is_xlsx in ((yaml_path, False), (xlsx_path, True)):
                done = subprocess.run(_harness(kind, path, is_xlsx), env=env, capture_output=True, text=True)
                if done.returncode != 0:
                    raise SystemExit(f"kam doc fill failed for {path}: {done.stderr.strip()}")
            yaml_s, xlsx_s = _paired_walls(_harness(kind, yaml_path, False), _harness(kind, xlsx_path, True), runs, env)
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
    print("whole command: kam doc fill 1 KIND --file … (median wall time; target ≤ 1.5x)")
    for kind, yaml_s, xlsx_s in whole_command():
        print(f"  {kind:24} YAML {yaml_s * 1000:6.0f} ms   xlsx {xlsx_s * 1000:6.0f} ms   ratio {xlsx_s / yaml_s:.2f}x")


if __name__ == "__main__":
    main()

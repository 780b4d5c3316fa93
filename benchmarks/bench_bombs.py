"""Hostile inputs through the whole command line: each a fresh `kam` process, its CPU time, peak memory and answer.

Issue 12's inputs that once exhausted the machine (a 342-byte alias bomb, a process-file bomb, a workbook
declaring A1:XFD100000, a 10,000-stage process, a 4 MB text, a 120 MB import, a 50 MB CSV, 50 MB on
`--file -`) and the nesting bombs of tests/fixtures/bombs. Every one must end in a refusal (exit 1 or 2)
within a few hundred milliseconds and megabytes; the table shows each, then how many there were, how many
ended in an internal error (the target: none) and the worst peak memory. Figures are printed, never asserted.

Run: `python -m benchmarks bombs` (or `make bench`).
"""

from __future__ import annotations

import io
import re
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOMBS = ROOT / "tests" / "fixtures" / "bombs"
MB = 1 << 20


def _kam(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli", *args]


def _xlsx_bomb(folder: Path, db: str) -> Path:
    """The visit-feedback template with its sheet declaring A1:XFD100000 and a cell in the far corner."""
    from bounded import run_bounded

    template = folder / "template.xlsx"
    run_bounded(_kam("--db", db, "doc", "template", "visit-feedback", "--xlsx", str(template)), wall_seconds=120)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD100000"/>', data.decode())
                far = '<row r="100000"><c r="XFD100000" t="inlineStr"><is><t>x</t></is></c></row>'
                data = xml.replace("</sheetData>", far + "</sheetData>").encode()
            target.writestr(item, data)
    bomb = folder / "dimension-bomb.xlsx"
    bomb.write_bytes(out.getvalue())
    return bomb


def cases(folder: Path, db: str) -> list[tuple[str, list[str], bytes | None]]:
    """(label, command, stdin) for every hostile input."""
    stages = "stages:\n" + "".join(f"  - id: s{i}\n    name: {{zh: 阶段{i}, en: Stage {i}}}\n" for i in range(10_000))
    (folder / "10000-stages.yaml").write_text(stages, encoding="utf-8")
    (folder / "4mb-text.yaml").write_text("advantages_presented: " + "长" * 1_400_000 + "\n", encoding="utf-8")
    with open(folder / "120mb-import.json", "wb") as fh:
        fh.truncate(120 * MB)
    (folder / "50mb.csv").write_text("名称,性质\n" + "包头鑫达物流有限公司,企业\n" * 1_500_000, encoding="utf-8")
    out: list[tuple[str, list[str], bytes | None]] = []
    for bomb in sorted(BOMBS.glob("*.yaml")) + sorted(BOMBS.glob("*.json")):
        out.append((f"doc fill --file {bomb.name}", _kam("--db", db, "doc", "fill", "1", "visit-feedback", "--file", str(bomb)), None))
        out.append((f"--process {bomb.name}", _kam("--db", db, "--process", str(bomb), "workflow", "show"), None))
    out += [
        ("doc fill --file dimension-bomb.xlsx", _kam("--db", db, "doc", "fill", "1", "visit-feedback", "--file", str(_xlsx_bomb(folder, db))), None),
        ("workflow diagram --svg, 10,000 stages", _kam("--db", db, "--process", str(folder / "10000-stages.yaml"), "workflow", "diagram", "--svg", str(folder / "d.svg")), None),
        ("doc fill, a 4 MB text", _kam("--db", db, "doc", "fill", "1", "visit-feedback", "--file", str(folder / "4mb-text.yaml")), None),
        ("import, 120 MB", _kam("--db", f"sqlite:///{folder / 'empty.sqlite3'}", "import", str(folder / "120mb-import.json")), None),
        ("account import, 50 MB CSV", _kam("--db", db, "account", "import", str(folder / "50mb.csv")), None),
        ("doc fill --file -, 50 MB on stdin", _kam("--db", db, "doc", "fill", "1", "visit-feedback", "--file", "-"), b"notes: " + b"x" * (50 * MB)),
    ]
    return out


def main() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from bounded import run_bounded

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = f"sqlite:///{folder / 'kam.sqlite3'}"
        for setup in (("init",), ("account", "add", "包头鑫达物流有限公司"), ("opp", "new", "1", "20 台牵引车", "--owner", "王磊")):
            run_bounded(_kam("--db", db, *setup), wall_seconds=120)
        run_bounded(_kam("--db", f"sqlite:///{folder / 'empty.sqlite3'}", "init"), wall_seconds=120)
        rows = []
        print(f"{'input':44} {'exit':>4} {'CPU s':>6} {'peak MB':>8}  answer", flush=True)
        for label, command, stdin in cases(folder, db):
            outcome = run_bounded(command, stdin=stdin, cpu_seconds=60, wall_seconds=300, memory_bytes=4096 * MB)
            answer = (outcome.stderr.strip().splitlines() or [outcome.stdout.strip()[:80]])[0][:110]
            rows.append((label, outcome))
            print(
                f"{label:44} {outcome.returncode:>4} {outcome.cpu_seconds:6.2f} {outcome.max_rss_bytes / MB:8.0f}  {answer}",
                flush=True,
            )
        internal = [label for label, o in rows if "internal error" in (o.stderr + o.stdout) or o.bound]
        worst = max(rows, key=lambda row: row[1].max_rss_bytes)
        print(
            f"\n{len(rows)} hostile inputs; {len(internal)} internal errors or bounds hit{': ' + ', '.join(internal) if internal else ''}; "
            f"the worst peak memory {worst[1].max_rss_bytes / MB:.0f} MB ({worst[0]}), "
            f"the most CPU {max(o.cpu_seconds for _, o in rows):.2f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()

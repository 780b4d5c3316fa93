"""Start-up cost of the command line: heavy imports only where they are used.

Targets (issue 2): `kam --help` ≤ 1.5× `python -c "import click"`;
`kam opp show ID` ≤ 1.3× `python -c "import click, sqlalchemy.orm"`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks._timing import python, wall


def _kam() -> list[str]:
    found = shutil.which("kam", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "cli"]


def main() -> None:
    kam = _kam()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "KAM_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "KAM_USER": "bench"}
        import subprocess

        for args in (
            ["account", "add", "包头鑫达物流有限公司", "--type", "enterprise", "--class", "A", "--industry", "物流", "--fleet-size", "120"],
            ["contact", "add", "1", "张华"],
            ["opp", "new", "1", "20 台牵引车", "--quantity", "20"],
            ["opp", "advance", "1"],
        ):
            subprocess.run([*kam, *args], env=env, check=True, capture_output=True)
        click_only = wall(python("import click"), env=env)
        help_ = wall([*kam, "--help"], env=env)
        base_show = wall(python("import click, sqlalchemy.orm"), env=env)
        show = wall([*kam, "opp", "show", "1"], env=env)
    print(f"python -c 'import click'                 {click_only * 1000:7.1f} ms")
    print(f"kam --help                               {help_ * 1000:7.1f} ms   ratio {help_ / click_only:.2f}x  (target ≤ 1.5x)")
    print(f"python -c 'import click, sqlalchemy.orm' {base_show * 1000:7.1f} ms")
    print(f"kam opp show 1                           {show * 1000:7.1f} ms   ratio {show / base_show:.2f}x  (target ≤ 1.3x)")


if __name__ == "__main__":
    main()

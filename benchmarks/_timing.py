"""Small timing helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Sequence


def wall(cmd: Sequence[str], runs: int = 15, env: dict[str, str] | None = None) -> float:
    """Median wall time of a command, in seconds (after one warm-up run)."""
    subprocess.run(cmd, capture_output=True, env=env, check=False)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]

"""One realistic document per kind (a government sanitation fleet in 包头, SPEC §8 keys): what `kam demo` files,
what the tests fill and the benchmarks render. `load(kind)` gives a fresh copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def path(kind: str) -> Path:
    return HERE / f"{kind}.yaml"


def load(kind: str) -> dict[str, Any]:
    """A fresh copy of the sample document of `kind`."""
    import yaml  # 10-20 ms of start-up: only the demo and the tests read samples

    data: dict[str, Any] = yaml.safe_load(path(kind).read_text(encoding="utf-8"))
    return data

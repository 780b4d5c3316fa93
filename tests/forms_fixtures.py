"""Shared helpers for the forms tests: the realistic sample documents (`forms.samples`) and path edits."""

from __future__ import annotations

import copy
import re
from typing import Any

from forms.samples import load

DELETE = object()
__all__ = ["DELETE", "edit", "load"]


def _steps(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]


def edit(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `data` with the value at `path` (`a.b[1].c`) replaced, or removed with DELETE."""
    data = copy.deepcopy(data)
    *parents, last = _steps(path)
    target: Any = data
    for step in parents:
        target = target[step]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return data

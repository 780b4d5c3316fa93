"""`kam doc diff`: what changed between two stored versions of a document.

Works on the stored JSON (`forms.dump`), not on models, so it can compare versions
written by an older schema. Mappings are compared key by key, lists item by item
(by position); a key or item present on one side only is a change from or to
`None`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from forms.introspect import find


@dataclass(frozen=True)
class Change:
    path: str  # "configurations[1].unit_price"
    old: Any  # None when added
    new: Any  # None when removed


def _join(prefix: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else str(key)


def diff(old: Any, new: Any, path: str = "") -> list[Change]:
    """Every leaf-level difference between `old` and `new`, in document order."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[Change] = []
        for key in [*old, *(k for k in new if k not in old)]:
            changes += diff(old.get(key), new.get(key), _join(path, key))
        return changes
    if isinstance(old, list) and isinstance(new, list):
        changes = []
        for i in range(max(len(old), len(new))):
            changes += diff(old[i] if i < len(old) else None, new[i] if i < len(new) else None, _join(path, i))
        return changes
    # bool is an int in Python: True == 1, but a yes turned into 1 is still a change
    if old == new and type(old) is type(new):
        return []
    if (
        isinstance(old, int | float)
        and isinstance(new, int | float)
        and not isinstance(old, bool)
        and not isinstance(new, bool)
        and old == new
    ):
        return []  # 380000 and 380000.0 are the same price
    return [Change(path, old, new)]


def _show(value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def render(changes: list[Change], kind: str | None = None, lang: str = "zh") -> list[str]:
    """One line per change, `path (label): old → new`; labels come from `kind`'s schema when given."""
    lines = []
    for change in changes:
        spec = find(kind, change.path) if kind else None
        where = f"{change.path} ({spec.label(lang)})" if spec else change.path
        lines.append(f"{where}: {_show(change.old, lang)} → {_show(change.new, lang)}")
    return lines


def flatten(data: Any, path: str = "") -> list[tuple[str, Any]]:
    """(path, value) for every leaf of a stored document, in order; empty lists and mappings are leaves."""
    if isinstance(data, dict) and data:
        return [leaf for key, value in data.items() for leaf in flatten(value, _join(path, key))]
    if isinstance(data, list) and data:
        return [leaf for i, value in enumerate(data) for leaf in flatten(value, _join(path, i))]
    return [(path, data)]


def show(value: Any, lang: str = "zh") -> str:
    """A stored value as a person reads it (是/否, 380000 not 380000.0, — for nothing)."""
    return _show(value, lang)

"""The hash chain's arithmetic: canonical JSON, SHA-256, a history row's hash (no database).

`records.chain` appends rows with it; `rules.audit` recomputes the chain with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Protocol

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """Stable JSON text: sorted keys, no whitespace, dates as ISO strings."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def sha256(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


class HistoryRow(Protocol):
    """What the chain hashes: the columns of `events` (an ORM `Event`, a `Recorded` or a Core row)."""

    @property
    def opportunity_id(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> dt.datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def trigger(self) -> str | None: ...
    @property
    def from_stage(self) -> str | None: ...
    @property
    def to_stage(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def documents(self) -> dict[str, Any] | None: ...
    @property
    def detail(self) -> dict[str, Any] | None: ...


def event_hash(prev_hash: str, event: HistoryRow) -> str:
    return sha256(
        [
            prev_hash,
            event.opportunity_id,
            event.seq,
            event.at.isoformat(timespec="microseconds"),
            event.actor,
            event.action,
            event.trigger,
            event.from_stage,
            event.to_stage,
            event.reason,
            event.documents,
            event.detail,
        ]
    )


class LedgerRow(Protocol):
    """What a ledger row's hash covers: the columns of `ledger` but its id and hashes."""

    @property
    def subject(self) -> str: ...
    @property
    def subject_id(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> dt.datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def detail(self) -> dict[str, Any]: ...


def ledger_hash(prev_hash: str, row: LedgerRow) -> str:
    return sha256(
        [
            prev_hash,
            row.subject,
            row.subject_id,
            row.seq,
            row.at.isoformat(timespec="microseconds"),
            row.actor,
            row.action,
            row.detail,
        ]
    )

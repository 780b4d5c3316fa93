"""The append-only history: every change to an opportunity, hash-chained per opportunity.

Each row's `hash` is the SHA-256 of its own content and the previous row's hash,
so altering or deleting a row outside kam breaks the chain from that row on;
`verify()` recomputes every chain and names the first broken row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from workflow.models import Event, utcnow

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


def event_hash(prev_hash: str, event: Event) -> str:
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


def append(
    session: Session,
    opportunity_id: int,
    *,
    actor: str,
    action: str,
    trigger: str | None = None,
    from_stage: str | None = None,
    to_stage: str | None = None,
    reason: str | None = None,
    documents: dict[str, int] | None = None,
    detail: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> Event:
    """Add the next history row of an opportunity in the caller's transaction.

    The row is written with one Core INSERT (no unit-of-work flush): the history is
    append-only, so the session never needs to track it. The returned `Event` is
    detached, for reading.
    """
    with session.no_autoflush:
        last = session.execute(_LAST, {"opportunity_id": opportunity_id}).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    event = Event(
        opportunity_id=opportunity_id,
        seq=seq,
        at=at or utcnow(),
        actor=actor,
        action=action,
        trigger=trigger,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
        documents=documents,
        detail=detail,
        prev_hash=prev,
    )
    event.hash = event_hash(prev, event)
    session.connection().execute(_INSERT, {column.key: getattr(event, column.key) for column in _COLUMNS})
    return event


# Built once: the hot path neither rebuilds nor re-keys these statements.
_COLUMNS = [c for c in Event.__table__.columns if c.key != "id"]
_INSERT = insert(Event.__table__)
_LAST = select(Event.seq, Event.hash).where(Event.opportunity_id == bindparam("opportunity_id")).order_by(Event.seq.desc()).limit(1)


@dataclass(frozen=True)
class Break:
    opportunity_id: int
    seq: int
    problem: str  # "hash" | "link" | "gap"


def verify(session: Session) -> tuple[int, list[Break]]:
    """Recompute every opportunity's chain; returns (rows checked, first break of each broken chain)."""
    breaks: list[Break] = []
    checked = 0
    current: int | None = None
    prev = GENESIS
    expected_seq = 1
    broken = False
    rows = session.execute(select(Event).order_by(Event.opportunity_id, Event.seq)).scalars()
    for event in rows:
        checked += 1
        if event.opportunity_id != current:
            current, prev, expected_seq, broken = event.opportunity_id, GENESIS, 1, False
        if broken:
            continue
        problem = None
        if event.seq != expected_seq:
            problem = "gap"
        elif event.prev_hash != prev:
            problem = "link"
        elif event_hash(prev, event) != event.hash:
            problem = "hash"
        if problem:
            breaks.append(Break(event.opportunity_id, event.seq, problem))
            broken = True
        prev, expected_seq = event.hash, event.seq + 1
    return checked, breaks

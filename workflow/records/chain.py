"""The hash chain: every change to an opportunity is one history row, hash-chained per opportunity.

Each row's `hash` is the SHA-256 of its own content and the previous row's hash,
so altering or deleting a row outside kam breaks the chain from that row on
(`kam audit verify` recomputes it: `rules.audit` over the rows `views.audit` reads).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from workflow.records.acting import history_actor
from workflow.records.hashing import GENESIS, event_hash
from workflow.records.tables import events, opportunities, utcnow


class Recorded(NamedTuple):
    """A history row as written by `append` (the columns of `events`; id unknown)."""

    id: int | None
    opportunity_id: int
    seq: int
    at: dt.datetime
    actor: str
    action: str
    trigger: str | None
    from_stage: str | None
    to_stage: str | None
    reason: str | None
    documents: dict[str, int] | None
    detail: dict[str, Any] | None
    prev_hash: str
    hash: str


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
    touch: bool = True,
) -> Recorded:
    """Add the next history row of an opportunity in the caller's transaction.

    The caller holds the opportunity's lock (`queries.lock`), so no other writer
    appends to the same chain meanwhile. The row is written with one Core INSERT
    (no unit-of-work flush): the history is append-only, so the session never
    needs to track it, and the returned `Recorded` carries its values.

    The opportunity's `last_activity_at` follows the newest row, with one Core
    UPDATE, unless the caller writes it itself (`touch=False`: a new opportunity
    is created with it, a versioned write sets it in the same UPDATE).
    """
    connection = session.connection()
    last = connection.execute(_LAST, {"opportunity_id": opportunity_id}).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    unhashed = Recorded(
        None,
        opportunity_id,
        seq,
        at or utcnow(),
        history_actor(actor),
        action,
        trigger,
        from_stage,
        to_stage,
        reason,
        documents,
        detail,
        prev,
        "",
    )
    event = unhashed._replace(hash=event_hash(prev, unhashed))
    connection.execute(_INSERT, {key: value for key, value in event._asdict().items() if key != "id"})
    if touch:
        connection.execute(_TOUCH, {"opp_id": opportunity_id, "event_at": event.at})
    return event


# Built once: the hot path neither rebuilds nor re-keys these statements.
_INSERT = insert(events)
# An older row written later (a backdated note) leaves the newest time in place. Derived values
# are not an edit of the opportunity: updated_at keeps its value (the column's onupdate would not).
_TOUCH = (
    update(opportunities)
    .where(opportunities.c.id == bindparam("opp_id"), opportunities.c.last_activity_at < bindparam("event_at"))
    .values(last_activity_at=bindparam("event_at"), updated_at=opportunities.c.updated_at)
)
_LAST = (
    select(events.c.seq, events.c.hash)
    .where(events.c.opportunity_id == bindparam("opportunity_id"))
    .order_by(events.c.seq.desc())
    .limit(1)
)

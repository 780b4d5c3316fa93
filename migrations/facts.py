"""Migration 0010's backfill, shared with `kam import` of an export older than 0010.

Before 0010 an opportunity's history did not say everything the opportunity holds
(its quantity, budget and expected close at creation; a signature's moment), and a
render was in no chain. From 0010 on the audit derives every fact of an opportunity
from its history (`rules.audit.replay_facts`) and keeps the renders in the ledger, so
an existing database (or an older export being imported) gets, written here:

- one `baseline` history row per opportunity recording its facts as they stand, at
  the end of its chain, dated at its newest row (its last activity does not move;
  the row's detail says when it was really written);
- one ledger row per render, in the chain of its document ("document" subject).

Changes made outside kam before this point cannot be told apart from kam's own, and
are taken as they are; from here on, every change outside kam is named. The columns
are listed as they are at this revision, so later revisions do not change what it writes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from workflow.records.hashing import GENESIS, sha256

FACTS = (
    "account_id", "title", "owner", "quantity", "budget", "expected_close", "relationship_level",
    "relationship_assessed_at", "heat", "heat_assessed_at", "signed_at", "lost_from", "lost_reason", "lost_note",
    "hold_reason", "stage_entered_at", "created_by", "created_at",
)  # fmt: skip
RENDER = ("document_id", "lang", "sha256", "path", "actor", "created_at")
TYPES: dict[str, sa.types.TypeEngine[Any]] = {
    "id": sa.Integer(), "account_id": sa.Integer(), "quantity": sa.Integer(), "budget": sa.Numeric(14, 2),
    "expected_close": sa.Date(), "relationship_level": sa.Integer(), "heat": sa.Integer(), "document_id": sa.Integer(),
    **dict.fromkeys(("relationship_assessed_at", "heat_assessed_at", "signed_at", "stage_entered_at", "created_at"),
                    sa.DateTime()),
}  # fmt: skip
CHUNK = 2_000


def plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _select(table: str, columns: tuple[str, ...]) -> Any:
    typed = [sa.column(c, TYPES.get(c, sa.String())) for c in ("id", *columns)]
    return sa.select(*typed).select_from(sa.table(table)).order_by(sa.column("id"))


def baseline(connection: sa.Connection, *, actor: str = "kam", why: str = "0010") -> tuple[int, int]:
    """Write the baseline rows (see the module docstring); returns (history rows, ledger rows) written."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    heads = sa.text(
        "SELECT e.opportunity_id, e.seq, e.hash, m.newest FROM events e JOIN "
        "(SELECT opportunity_id, MAX(seq) AS seq, MAX(at) AS newest FROM events GROUP BY opportunity_id) m "
        "ON e.opportunity_id = m.opportunity_id AND e.seq = m.seq"
    ).columns(
        sa.column("opportunity_id", sa.Integer()), sa.column("seq", sa.Integer()), sa.column("hash", sa.String()),
        sa.column("newest", sa.DateTime()),
    )  # fmt: skip
    last = {row.opportunity_id: row for row in connection.execute(heads)}
    events = sa.table("events", *[sa.column(c, sa.JSON() if c == "detail" else None) for c in _EVENT_COLUMNS])
    written = 0
    batch: list[dict[str, Any]] = []
    for row in connection.execute(_select("opportunities", FACTS)).mappings():
        head = last.get(row["id"])
        if head is None:  # no history at all: the audit names it (no-history); nothing to continue
            continue
        detail = {"fields": {c: plain(row[c]) for c in FACTS}, "written_at": plain(now), "by": why}
        values = [head.opportunity_id, head.seq + 1, plain(head.newest), actor, "baseline", None, None, None, None]
        digest = sha256([head.hash, *values, None, detail])  # records.hashing.event_hash, spelled out
        batch.append(
            {
                "opportunity_id": head.opportunity_id, "seq": head.seq + 1, "at": head.newest, "actor": actor,
                "action": "baseline", "trigger": None, "from_stage": None, "to_stage": None, "reason": None,
                "documents": None, "detail": detail, "prev_hash": head.hash, "hash": digest,
            }
        )  # fmt: skip
        if len(batch) >= CHUNK:
            connection.execute(sa.insert(events), batch)
            written += len(batch)
            batch.clear()
    if batch:
        connection.execute(sa.insert(events), batch)
        written += len(batch)
    return written, _renders(connection, now, actor)


_EVENT_COLUMNS = (
    "opportunity_id", "seq", "at", "actor", "action", "trigger", "from_stage", "to_stage", "reason", "documents",
    "detail", "prev_hash", "hash",
)  # fmt: skip


def _renders(connection: sa.Connection, now: dt.datetime, actor: str) -> int:
    """A first ledger row for every render, in its document's chain (after any it already has)."""
    ledger = sa.table(
        "ledger", *[sa.column(c, sa.JSON() if c == "detail" else None) for c in
                    ("subject", "subject_id", "seq", "at", "actor", "action", "detail", "prev_hash", "hash")]
    )  # fmt: skip
    heads: dict[int, tuple[int, str]] = {}
    query = sa.text("SELECT subject_id, seq, hash FROM ledger WHERE subject = 'document' ORDER BY subject_id, seq")
    for subject_id, seq, hash_ in connection.execute(query):
        heads[int(subject_id)] = (int(seq), str(hash_))
    rows: list[dict[str, Any]] = []
    for row in connection.execute(_select("renders", RENDER)).mappings():
        subject_id = int(row["document_id"])
        seq, prev = heads.get(subject_id, (0, GENESIS))
        detail = {"entity": "render", "id": int(row["id"]), "fields": {c: plain(row[c]) for c in RENDER}}
        values = ["document", subject_id, seq + 1, plain(now), actor, "baseline"]
        digest = sha256([prev, *values, detail])  # records.hashing.ledger_hash, spelled out
        heads[subject_id] = (seq + 1, digest)
        rows.append(
            {
                "subject": "document", "subject_id": subject_id, "seq": seq + 1, "at": now, "actor": actor,
                "action": "baseline", "detail": detail, "prev_hash": prev, "hash": digest,
            }
        )  # fmt: skip
    for start in range(0, len(rows), CHUNK):
        connection.execute(sa.insert(ledger), rows[start : start + CHUNK])
    return len(rows)

"""`kam audit verify`: is the record still what kam wrote? The rows read here, the checks in `rules.audit`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from workflow.i18n import Text
from workflow.operations import verify
from workflow.operations.derived import REBUILD
from workflow.operations.verify import SignatureIssue, file_damage, plan_mismatches, signature_issues
from workflow.records import ledger, tables
from workflow.rules import signatures
from workflow.rules.audit import Audit
from workflow.rules.process import Process

__all__ = ["Audit", "SignatureIssue", "anchor", "anchor_problem", "audit", "file_damage", "forced_rebuilds",
           "plan_mismatches", "signature_issues"]  # fmt: skip


def audit(session: Session, process: Process | None = None) -> Audit:
    """The whole verification (`operations.verify.audit`) over the session's database."""
    return verify.audit(session.connection(), process)


def forced_rebuilds(connection: Connection) -> list[dict[str, Any]]:
    """Every `kam init --rebuild --force` run over a failing audit: when, by whom, how many problems it ran over."""
    L = tables.ledger.c
    query = select(L.at, L.actor, L.detail).where(L.subject == "database", L.action == REBUILD).order_by(L.seq)
    return [
        {"at": at.isoformat(timespec="seconds"), "actor": actor, "problems": (detail or {}).get("problems", 0)}
        for at, actor, detail in connection.execute(query)
    ]


def anchor(connection: Connection) -> str:
    """The line `kam audit anchor` prints: the digest of every history row so far, in insertion order."""
    if connection.dialect.name == "postgresql":
        # rows below the last id must all be committed: wait for the writers in flight, hold new ones off
        connection.execute(text("LOCK TABLE events IN SHARE MODE"))
    digest = signatures.HistoryDigest()
    for (event_hash,) in connection.execute(select(tables.events.c.hash).order_by(tables.events.c.id)):
        digest.update(event_hash)
    return signatures.anchor_line(
        digest.hexdigest(), digest.rows, tables.utcnow(), ledger.database_id(connection) or None
    )


def anchor_problem(connection: Connection, line: str) -> Text | None:
    """Whether the history still holds what `line` (printed by `kam audit anchor`) anchored: None, or what is wrong."""
    parsed = signatures.parse_anchor(line)
    E = tables.events.c
    hashes = (row[0] for row in connection.execute(select(E.hash).order_by(E.id).limit(parsed.rows)))
    return signatures.check_anchor(parsed, hashes, database_id=ledger.database_id(connection) or None)

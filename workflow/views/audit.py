"""`kam audit verify`: is the record still what kam wrote? The rows read here, the checks in `rules.audit`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from workflow.operations.followups import expected_plans
from workflow.records import blobs, ledger, queries, tables
from workflow.rules.audit import Audit, Break, LedgerBreak, find_breaks, ledger_breaks
from workflow.rules.plans import as_date


def audit(session: Session) -> Audit:
    """Recompute every opportunity's chain and every ledger chain, replay them, and check the data derived from them.

    Derived data: the schedule's stored plans must be what the service plans and
    the recorded follow-ups give (problem "plan"; `kam init --rebuild` rebuilds them).
    Stored files (attachments, the logo) are hashed again: their bytes must still be what was recorded.
    """
    events, opportunities, documents, signoffs = queries.audit_rows(session)
    connection = session.connection()
    damaged = file_damage(connection)
    breaks = find_breaks(events, opportunities, documents, signoffs, queries.attachment_rows(session), damaged)
    broken = {b.opportunity_id for b in breaks}
    breaks += [Break(opp_id, 0, "plan") for opp_id in plan_mismatches(session) if opp_id not in broken]
    breaks.sort(key=lambda b: b.opportunity_id)
    chains, current = ledger.chains(connection), ledger.current_rows(connection)
    checked = sum(len(rows) for rows in events.values()) + sum(len(rows) for rows in chains.values())
    subjects = len(set(chains) | set(current))
    found = ledger_breaks(chains, current)
    found += logo_breaks(connection, chains, damaged, {(b.subject, b.subject_id) for b in found})
    return Audit(checked, len(opportunities), breaks, subjects, found)


def file_damage(connection: Connection) -> frozenset[str]:
    """The sha256 of every stored file whose bytes no longer match, and of every file referred to but gone."""
    damaged = set(blobs.damaged(connection))
    stored = {row[0] for row in connection.execute(select(tables.blobs.c.sha256))}
    referred = {row[0] for row in connection.execute(select(tables.attachments.c.sha256))}
    referred |= {row[0] for row in connection.execute(select(tables.company.c.logo_sha256)) if row[0]}
    return frozenset(damaged | (referred - stored))


def logo_breaks(
    connection: Connection, chains: dict[tuple[str, int], list[Any]], damaged: frozenset[str], broken: set[Any]
) -> list[LedgerBreak]:
    """The company's logo: its bytes must still hash to the sha256 the ledger recorded."""
    out = []
    for row in connection.execute(select(tables.company.c.id, tables.company.c.logo_sha256)):
        key = ("company", row.id)
        if row.logo_sha256 in damaged and key not in broken:
            last = chains.get(key, [])[-1].seq if chains.get(key) else 0
            detail = "logo: the stored image was altered"
            out.append(LedgerBreak("company", row.id, last, "changed", "company", row.id, detail))
    return out


def plan_mismatches(session: Session) -> list[int]:
    """Opportunities whose stored plan is not what their latest service plan and recorded follow-ups give."""
    connection = session.connection()
    P = tables.planned_followups.c

    def key(row: Any) -> tuple[Any, ...]:
        return (row["opportunity_id"], row["kind"], as_date(row["due_date"]), row["detail"] or "", bool(row["done"]))

    expected = {key(row) for row in expected_plans(connection)}
    stored = {
        key(row)
        for row in connection.execute(select(P.opportunity_id, P.kind, P.due_date, P.detail, P.done)).mappings()
    }
    return sorted({k[0] for k in expected ^ stored})

"""`kam audit verify`: is the record still what kam wrote? The rows read here, the checks in `rules.audit`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.operations.followups import expected_plans
from workflow.records import ledger, queries, tables
from workflow.rules.audit import Audit, Break, find_breaks, ledger_breaks
from workflow.rules.plans import as_date


def audit(session: Session) -> Audit:
    """Recompute every opportunity's chain and every ledger chain, replay them, and check the data derived from them.

    Derived data: the schedule's stored plans must be what the service plans and
    the recorded follow-ups give (problem "plan"; `kam init --rebuild` rebuilds them).
    """
    events, opportunities, documents, signoffs = queries.audit_rows(session)
    breaks = find_breaks(events, opportunities, documents, signoffs)
    broken = {b.opportunity_id for b in breaks}
    breaks += [Break(opp_id, 0, "plan") for opp_id in plan_mismatches(session) if opp_id not in broken]
    breaks.sort(key=lambda b: b.opportunity_id)
    connection = session.connection()
    chains, current = ledger.chains(connection), ledger.current_rows(connection)
    checked = sum(len(rows) for rows in events.values()) + sum(len(rows) for rows in chains.values())
    subjects = len(set(chains) | set(current))
    return Audit(checked, len(opportunities), breaks, subjects, ledger_breaks(chains, current))


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

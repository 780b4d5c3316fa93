"""Rebuilding what is derived from the history and the documents (`kam init --rebuild`, `kam import`)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select, update

from workflow.operations import payments
from workflow.operations.followups import rebuild_plans
from workflow.records.tables import documents, events, opportunities
from workflow.rules import contract


def rebuild_derived(connection: Connection) -> dict[str, int]:
    """Every opportunity's last_activity_at, contract number and open amendment, the stored follow-up plans, and
    the money (amounts and receivables).

    Returns how many opportunities, plans and money rows were written.
    """
    newest = select(func.max(events.c.at)).where(events.c.opportunity_id == opportunities.c.id).scalar_subquery()
    activity = update(opportunities).values(
        last_activity_at=func.coalesce(newest, opportunities.c.created_at), updated_at=opportunities.c.updated_at
    )
    count = connection.execute(activity).rowcount
    rebuild_contracts(connection)
    plans = rebuild_plans(connection)
    return {"opportunities": count, "planned_followups": plans, "money": payments.rebuild(connection)}


def rebuild_contracts(connection: Connection) -> None:
    """Each opportunity's contract_no (its newest contract review's; the first holder keeps a shared one) and
    amending_since (the time of an `amend` row not yet followed by `amended`)."""
    keep = {"updated_at": opportunities.c.updated_at}  # derived: not an edit of the opportunity
    connection.execute(update(opportunities).values(contract_no=None, amending_since=None, **keep))
    newest: dict[int, tuple[int, str]] = {}
    query = select(documents.c.opportunity_id, documents.c.version, documents.c.data).where(
        documents.c.kind == contract.REVIEW
    )
    for opp_id, version, data in connection.execute(query):
        number = data.get("contract_no") if isinstance(data, dict) else None
        if number and (opp_id not in newest or newest[opp_id][0] < version):
            newest[opp_id] = (version, contract.number_key(str(number)))
    taken: set[str] = set()
    for opp_id in sorted(newest):
        number = newest[opp_id][1]
        if number not in taken:
            taken.add(number)
            connection.execute(
                update(opportunities).where(opportunities.c.id == opp_id).values(contract_no=number, **keep)
            )
    opened: dict[int, object] = {}
    for opp_id, action, at in connection.execute(
        select(events.c.opportunity_id, events.c.action, events.c.at)
        .where(events.c.action.in_((contract.AMEND, contract.AMENDED)))
        .order_by(events.c.opportunity_id, events.c.seq)
    ):
        if action == contract.AMEND:
            opened[opp_id] = at
        else:
            opened.pop(opp_id, None)
    for opp_id, at in opened.items():
        connection.execute(update(opportunities).where(opportunities.c.id == opp_id).values(amending_since=at, **keep))

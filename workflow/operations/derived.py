"""Rebuilding what is derived from the history and the documents (`kam init --rebuild`, `kam import`)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select, update

from workflow.operations.followups import rebuild_plans
from workflow.records.tables import events, opportunities


def rebuild_derived(connection: Connection) -> dict[str, int]:
    """Every opportunity's last_activity_at, and the stored follow-up plans; returns how many of each were written."""
    newest = select(func.max(events.c.at)).where(events.c.opportunity_id == opportunities.c.id).scalar_subquery()
    activity = update(opportunities).values(
        last_activity_at=func.coalesce(newest, opportunities.c.created_at), updated_at=opportunities.c.updated_at
    )
    count = connection.execute(activity).rowcount
    return {"opportunities": count, "planned_followups": rebuild_plans(connection)}

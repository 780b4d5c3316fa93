"""Core-only reads of follow-ups and stored plans.

No ORM: `kam schedule` and the audit read tens of thousands of rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, String, cast, func, select

from workflow.records import tables


def driver_rows(connection: Connection, query: Any) -> list[tuple[Any, ...]]:
    """The rows as the driver returns them: no per-row result processing (tens of thousands of rows)."""
    result = connection.execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def done_followups(connection: Connection, *where: Any) -> set[tuple[int, str, dt.date]]:
    """(opportunity, kind, due) of the recorded follow-ups matching `where`; dates read as ISO text (a C call each)."""
    F = tables.followups.c
    fromiso = dt.date.fromisoformat
    query = select(F.opportunity_id, F.kind, cast(F.due_date, String)).where(*where)
    return {(o, k, fromiso(d[:10])) for o, k, d in driver_rows(connection, query)}


def latest_plans(connection: Connection, kind: str, fields: tuple[str, ...], *columns: Any, among: Any = None) -> Any:
    """SELECT `columns` and `fields` (one JSON array per row) of each opportunity's latest `kind` version (`among`)."""
    D = tables.documents.c
    newest = select(D.opportunity_id, func.max(D.version).label("version")).where(D.kind == kind)
    if among is not None:
        newest = newest.where(D.opportunity_id.in_(among))
    latest = newest.group_by(D.opportunity_id).subquery()
    if connection.dialect.name == "sqlite":
        # json_extract with several paths parses the document once and returns an array of the values
        values = func.json_extract(D.data, *(f"$.{key}" for key in fields))
    else:
        values = func.json_build_array(*(D.data[key] for key in fields))
    return (
        select(*columns, values)
        .select_from(tables.documents)
        .join(
            latest, (D.opportunity_id == latest.c.opportunity_id) & (D.kind == kind) & (D.version == latest.c.version)
        )
    )

"""Rating an opportunity: relationship level and deal heat from ticked checklists (`rules.ratings`).

The levels go on the opportunity through its one versioned write; the ticked
criteria go into a history row (action "rating").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.records import chain, queries
from workflow.records.models import utcnow
from workflow.rules.ratings import SCALES, Rating, checked_codes, current


def rate(
    session: Session,
    opportunity_id: int,
    *,
    actor: str,
    relationship: list[str] | None = None,
    heat: list[str] | None = None,
) -> Rating:
    """Assess one or both scales from ticked criteria codes; `None` leaves a scale as it was."""
    if relationship is None and heat is None:
        raise InvalidInput(
            t("请至少勾选一项：--relationship 或 --heat", "tick at least one scale: --relationship or --heat")
        )
    ticks = {
        name: checked_codes(SCALES[name], codes)
        for name, codes in (("relationship", relationship), ("heat", heat))
        if codes is not None
    }
    opp = queries.lock(session, opportunity_id)
    now = utcnow()
    changes: dict[str, Any] = {}
    detail: dict[str, Any] = {}
    for name, column in (("relationship", "relationship_level"), ("heat", "heat")):
        if name in ticks:
            level = SCALES[name].level(set(ticks[name]))
            changes.update({column: level, f"{name}_assessed_at": now})
            detail[name] = {"level": level, "ticked": ticks[name]}
    queries.write(session, opp, changes, now)
    chain.append(session, opp.id, actor=actor, action="rating", at=now, detail=detail, touch=False)
    return current(queries.state(session, opp.id), queries.rating_details(session, opp.id))

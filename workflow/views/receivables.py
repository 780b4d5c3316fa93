"""What `kam payment list` prints and `opp show --json` carries: the receivables of a deal, milestone by milestone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from workflow.operations import payments
from workflow.records import queries
from workflow.records.tables import utcnow


def receivables_view(session: Session, opportunity_id: int, today: dt.date | None = None) -> dict[str, Any]:
    """The milestones (due, amount, received, outstanding, overdue), the totals and the money received."""
    today = today or utcnow().date()
    opp = queries.state(session, opportunity_id)
    connection = session.connection()
    owed = payments.owed(connection, opportunity_id)
    contract = payments.contract_document(session, opportunity_id) if opp.signed_at is not None else None
    zero = Decimal(0)
    overdue = sum((m.outstanding for m in owed if m.overdue(today)), zero)
    return {
        "id": opportunity_id,
        "signed": opp.signed_at is not None,
        "contract_no": contract.get("contract_no") if contract else None,
        "contract_total": float(sum((m.amount for m in owed), zero)),
        "received": float(sum((m.received for m in owed), zero)),
        "outstanding": float(sum((m.outstanding for m in owed), zero)),
        "overdue": float(overdue),
        "milestones": [
            {**m.to_dict(today), "overdue_days": (today - m.due).days if m.overdue(today) and m.due else 0}
            for m in owed
        ],
        "payments": payments.received_rows(connection, opportunity_id),
    }

"""Opening an opportunity (商机) at the first stage."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from workflow.i18n import t
from workflow.records import chain
from workflow.records.models import Opportunity, utcnow
from workflow.records.queries import get_account
from workflow.rules import values
from workflow.rules.process import Process
from workflow.values.names import normalize_name

OWNER = t("负责人 (--owner)", "owner (--owner)")


def new_opportunity(
    session: Session,
    process: Process,
    account_id: int,
    title: str,
    *,
    owner: str,
    actor: str,
    quantity: int | None = None,
    budget: Decimal | None = None,
    expected_close: dt.date | None = None,
) -> Opportunity:
    """Open a deal at the first stage, with its first history row."""
    get_account(session, account_id)
    now = utcnow()
    opp = Opportunity(
        account_id=account_id,
        title=values.required_text("title (标题)", title, limit=200),
        owner=normalize_name(owner, OWNER),
        stage=process.first.id,
        stage_entered_at=now,
        quantity=values.count("quantity", quantity, zero_ok=False),
        budget=budget,
        expected_close=expected_close,
        created_by=actor,
        created_at=now,
        last_activity_at=now,
    )
    session.add(opp)
    session.flush()
    detail = {"title": opp.title, "owner": opp.owner}
    chain.append(session, opp.id, actor=actor, action="create", to_stage=opp.stage, at=now, detail=detail, touch=False)
    return opp

"""What `kam opp ...` prints: the opportunity, its history, rating and evaluation (stable `--json` shapes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from workflow.operations import moves, payments
from workflow.operations.moves import Check
from workflow.records import queries
from workflow.records.chain import Recorded
from workflow.records.models import Event
from workflow.records.tables import utcnow
from workflow.rules import evaluation
from workflow.rules.compliance import deal_lines
from workflow.rules.deadlines import deadline_of, overdue_days
from workflow.rules.process import Process
from workflow.rules.ratings import Rating, current
from workflow.views.documents import document
from workflow.views.receivables import receivables_view


def opportunity(
    o: Any, process: Process, lang: str = "zh", account_name: str | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    deadline = deadline_of(process, o)
    return {
        "id": o.id,
        "account_id": o.account_id,
        "account": account_name,
        "title": o.title,
        "owner": o.owner,
        "stage": o.stage,
        "stage_label": process.stage_label(o.stage, lang),
        "stage_entered_at": o.stage_entered_at,
        # the stage's deadline (expected_days after entering it; None on hold, lost or without one) and days past it
        "stage_deadline": deadline,
        "overdue_days": overdue_days(deadline, today or utcnow().date()),
        "on_hold": o.on_hold,
        "hold_reason": o.hold_reason,
        "lost_from": o.lost_from,
        "lost_reason": o.lost_reason,
        "lost_note": o.lost_note,
        "quantity": o.quantity,
        "budget": float(o.budget) if o.budget is not None else None,
        # 元: the contract total once signed, else the negotiated, proposed or budgeted (operations.payments)
        "amount": float(o.amount) if o.amount is not None else None,
        "expected_close": o.expected_close,
        "relationship_level": o.relationship_level,
        "heat": o.heat,
        "relationship_assessed_at": o.relationship_assessed_at,
        "heat_assessed_at": o.heat_assessed_at,
        "signed_at": o.signed_at,
        "contract_no": o.contract_no,
        "amending": o.signed_at is not None and o.amending_since is not None,  # signed, an amendment under review
        "version": o.version,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
    }


def event(e: Event) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": e.at,
        "actor": e.actor,
        "action": e.action,
        "trigger": e.trigger,
        "from": e.from_stage,
        "to": e.to_stage,
        "reason": e.reason,
        "documents": e.documents,
        "detail": e.detail,
        "hash": e.hash,
    }


def scorecard(session: Session, opportunity_id: int) -> dict[str, Any] | None:
    """The scorecard totals and defection risk (None without a valid evaluation scorecard)."""
    return evaluation.summary(queries.latest_valid(session, opportunity_id, evaluation.SCORECARD))


def rating(session: Session, opportunity_id: int) -> Rating:
    """The opportunity's levels and the criteria ticked at its latest assessment of each scale."""
    return current(queries.state(session, opportunity_id), queries.rating_details(session, opportunity_id))


def show(session: Session, process: Process, opportunity_id: int, lang: str = "zh") -> dict[str, Any]:
    """`kam opp show`: the opportunity, the latest of each document, what the next step needs, the evaluation."""
    check_ = moves.check(session, process, opportunity_id)
    opp = check_.opportunity
    out = opportunity(opp, process, lang, queries.get_account(session, opp.account_id).name)
    out["documents"] = [
        {**document(d), "versions": d.version} for d in queries.latest_documents(session, opportunity_id).values()
    ]
    out["next_trigger"] = check_.trigger
    out["next_stage"] = check_.next_stage
    out["missing"] = [m.to_dict(lang) for m in check_.missing]
    out["evaluation"] = scorecard(session, opportunity_id)
    out.update(money(session, opportunity_id, signed=opp.signed_at is not None))
    return out


def money(session: Session, opportunity_id: int, *, signed: bool) -> dict[str, Any]:
    """The deal's lines, deliveries and payment terms (the contract's, else the negotiated lines) and receivables."""
    contract = payments.contract_document(session, opportunity_id)
    terms = contract
    if terms is None:
        minutes = queries.latest_valid(session, opportunity_id, payments.MINUTES).form
        terms = minutes.model_dump() if minutes is not None else {}
    lines = [
        {"model": x.model, "quantity": x.quantity, "unit_price": float(x.unit_price), "amount": float(x.amount)}
        for x in (deal_lines(terms) if terms else [])
    ]
    receivables = receivables_view(session, opportunity_id) if signed else None
    return {
        "lines": lines,
        "deliveries": (contract or {}).get("deliveries") or [],
        "payments": (contract or {}).get("payments") or [],
        "receivables": {k: v for k, v in receivables.items() if k not in ("id", "signed")} if receivables else None,
    }


def check(result: Check, lang: str = "zh") -> dict[str, Any]:
    """`kam opp check`: the dry run of the next step."""
    return {
        "id": result.opportunity.id,
        "stage": result.opportunity.stage,
        "next_stage": result.next_stage,
        "trigger": result.trigger,
        "ready": result.ready,
        "missing": [m.to_dict(lang) for m in result.missing],
        "documents": result.documents,
    }


def moved(event: Recorded) -> dict[str, Any]:
    """What a move (advance, lose, reopen, revert, hold, resume) prints: its history row."""
    return {
        "id": event.opportunity_id,
        "trigger": event.trigger,
        "from": event.from_stage,
        "stage": event.to_stage,
        "seq": event.seq,
        "documents": event.documents or {},
    }

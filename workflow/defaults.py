"""Defaults for a new document from what kam already knows.

The customer, its contacts and decision chain come from the account; the
quantity from the opportunity; configurations from the latest product proposal
into the negotiation minutes; negotiated terms into the contract review.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from workflow.engine import get_opportunity
from workflow.requirements import latest_valid

NEGOTIATED_TERMS = ("quantity", "unit_price", "price_includes", "payment_method", "payment_timing", "delivery_mode", "delivery_cycle_days")


def defaults_for(session: Session, opportunity_id: int, kind: str, today: dt.date | None = None) -> dict[str, Any]:
    """A partial document of `kind` to offer as prompt defaults: the previous version, else a prefill."""
    opp = get_opportunity(session, opportunity_id)
    previous = latest_valid(session, opportunity_id, kind).document
    if previous is not None:
        return dict(previous.data)
    account = opp.account
    contacts = account.contacts
    today = today or dt.date.today()
    names = [c.name for c in contacts]
    out: dict[str, Any] = {}
    if kind == "phone-invite-feedback":
        out = {"call_date": today.isoformat(), "caller": opp.owner, "our_visitors": [opp.owner]}
        if contacts:
            c = contacts[0]
            out["contact"] = {k: v for k, v in {"name": c.name, "title": c.title, "phone": c.phone}.items() if v}
            out["customer_attendees"] = names
        if account.address or account.region:
            out["visit_place"] = account.address or account.region
    elif kind == "visit-feedback":
        out = {
            "visit_date": today.isoformat(),
            "our_visitors": [opp.owner],
            "customer_attendees": [{k: v for k, v in {"name": c.name, "department": c.department, "title": c.title}.items() if v} for c in contacts],
            "decision_chain": [
                {k: v for k, v in {"name": c.name, "department": c.department, "role": c.role, "influence": c.influence, "stance": c.stance}.items() if v}
                for c in contacts
            ],
            "needs": {k: v for k, v in {"fleet_size": account.fleet_size, "purchase_quantity": opp.quantity}.items() if v is not None},
        }
    elif kind == "product-proposal":
        if opp.quantity:
            out = {"configurations": [{"quantity": opp.quantity}]}
    elif kind == "exchange-minutes":
        out = {"meeting_date": today.isoformat(), "our_participants": [opp.owner], "customer_participants": names}
    elif kind == "evaluation-scorecard":
        # the criteria and weights come from the schema's prefill (the seed's 项目评估表)
        out = {"decision_roles": [{"name": c.name, "department": c.department} for c in contacts if c.department]}
    elif kind == "negotiation-minutes":
        out = {"meeting_date": today.isoformat(), "our_participants": [opp.owner], "customer_participants": names}
        proposal = latest_valid(session, opp.id, "product-proposal").form
        if proposal is not None and proposal.configurations:  # type: ignore[attr-defined]
            first = proposal.configurations[0]  # type: ignore[attr-defined]
            out["product"] = " / ".join(str(x) for x in (first.model, first.chassis, first.body) if x)
            out["quantity"] = sum(c.quantity for c in proposal.configurations)  # type: ignore[attr-defined]
            out["unit_price"] = float(first.unit_price)
        elif opp.quantity:
            out["quantity"] = opp.quantity
    elif kind == "contract-review":
        minutes = latest_valid(session, opp.id, "negotiation-minutes").document
        if minutes is not None:
            out = {k: minutes.data[k] for k in NEGOTIATED_TERMS if k in minutes.data}
    elif kind == "service-plan":
        out = {"user_file_created": True}
    return out

"""Plain-dict views of the records: the stable `--json` shapes and the export format."""

from __future__ import annotations

from typing import Any

from workflow.models import Account, Contact, Document, Event, Opportunity
from workflow.process import Process


def contact(c: Contact) -> dict[str, Any]:
    return {
        "id": c.id,
        "account_id": c.account_id,
        "name": c.name,
        "department": c.department,
        "title": c.title,
        "role": c.role,
        "influence": c.influence,
        "stance": c.stance,
        "phone": c.phone,
    }


def account(a: Account, *, with_contacts: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": a.id,
        "name": a.name,
        "type": a.type,
        "size": a.size,
        "class": a.account_class,
        "market": a.market,
        "industry": a.industry,
        "fleet_size": a.fleet_size,
        "main_brands": a.main_brands,
        "region": a.region,
        "address": a.address,
        "reviewed_at": a.reviewed_at,
        "created_at": a.created_at,
    }
    if with_contacts:
        out["contacts"] = [contact(c) for c in a.contacts]
    return out


def opportunity(o: Opportunity, process: Process, lang: str = "zh", account_name: str | None = None) -> dict[str, Any]:
    return {
        "id": o.id,
        "account_id": o.account_id,
        "account": account_name,
        "title": o.title,
        "owner": o.owner,
        "stage": o.stage,
        "stage_label": process.stage_label(o.stage, lang),
        "stage_entered_at": o.stage_entered_at,
        "on_hold": o.on_hold,
        "hold_reason": o.hold_reason,
        "lost_from": o.lost_from,
        "lost_reason": o.lost_reason,
        "lost_note": o.lost_note,
        "quantity": o.quantity,
        "budget": float(o.budget) if o.budget is not None else None,
        "expected_close": o.expected_close,
        "relationship_level": o.relationship_level,
        "heat": o.heat,
        "relationship_assessed_at": o.relationship_assessed_at,
        "heat_assessed_at": o.heat_assessed_at,
        "signed_at": o.signed_at,
        "version": o.version,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
    }


def document(d: Document, *, with_data: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": d.kind,
        "version": d.version,
        "author": d.author,
        "created_at": d.created_at,
        "sha256": d.sha256,
    }
    if with_data:
        out["data"] = d.data
    return out


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

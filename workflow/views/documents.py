"""What a document command shows: the stored versions, their PDF page contexts, and defaults for a new one.

The renderer (`reports/`) knows nothing of the database; this module builds its
`DocumentContext` from an opportunity and a document version, and the render
jobs `kam doc render` and `render-all` run outside any write transaction
(`operations.renders` records each PDF afterwards).

Defaults for a new document come from what kam already knows: the customer,
its contacts and decision chain from the account; the quantity from the
opportunity; configurations from the latest product proposal into the
negotiation minutes; negotiated terms into the contract review.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from reports import DEFAULT_COMPANY, DocumentContext, RenderJob
from workflow.records import queries
from workflow.records.models import Document, Opportunity
from workflow.rules.compliance import REVIEW
from workflow.rules.process import Process

# The sign-off table in the PDF speaks of outcomes, the database of decisions.
_OUTCOME = {"approve": "approved", "reject": "rejected"}


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


def company() -> str:
    """The company name printed in every header (KAM_COMPANY, else the default)."""
    return os.environ.get("KAM_COMPANY") or DEFAULT_COMPANY


def opportunity_number(opp: Any) -> str:
    return f"KA-{opp.created_at:%Y}-{opp.id:04d}"


def context(session: Session, opp: Opportunity, doc: Document, process: Process, lang: str = "zh") -> DocumentContext:
    """The header, footer and sign-off block of one stored version's PDF."""
    signoffs: list[dict[str, Any]] = []
    if doc.kind == REVIEW:
        signoffs = [
            {
                "department": process.department_label(s.department, lang),
                "reviewer": s.reviewer,
                "decision": _OUTCOME.get(s.decision, s.decision),
                "at": s.at,
                "comment": s.comment or "",
            }
            for s in queries.signoffs_on(session, opp.id, doc.version)
        ]
    return DocumentContext(
        opportunity_id=opp.id,
        opportunity_number=opportunity_number(opp),
        opportunity_title=opp.title,
        customer=opp.account.name,
        owner=opp.owner,
        version=doc.version,
        created_at=doc.created_at,
        author=doc.author,
        doc_hash=doc.sha256,
        company=company(),
        signoffs=signoffs,
    )


def render_job(
    session: Session,
    process: Process,
    opportunity_id: int,
    kind: str,
    output: Path,
    *,
    version: int | None = None,
    lang: str = "zh",
) -> tuple[Document, RenderJob]:
    """(the stored version, the job that renders it to `output`): the latest version by default."""
    opp = queries.get_opportunity(session, opportunity_id)
    doc = queries.get_document(session, opportunity_id, kind, version)
    return doc, RenderJob(kind, dict(doc.data), context(session, opp, doc, process, lang), output, lang)


def render_jobs(
    session: Session, process: Process, opportunity_id: int, out_dir: Path, lang: str = "zh"
) -> list[tuple[int, RenderJob]]:
    """(document id, job) for the latest version of every document of an opportunity."""
    opp = queries.get_opportunity(session, opportunity_id)
    return [
        (
            doc.id,
            RenderJob(
                kind,
                dict(doc.data),
                context(session, opp, doc, process, lang),
                out_dir / f"{opp.id:04d}-{kind}-v{doc.version}.pdf",
                lang,
            ),
        )
        for kind, doc in queries.latest_documents(session, opportunity_id).items()
    ]


NEGOTIATED_TERMS = (
    "quantity",
    "unit_price",
    "price_includes",
    "payment_method",
    "payment_timing",
    "delivery_mode",
    "delivery_cycle_days",
)


def defaults_for(session: Session, opportunity_id: int, kind: str, today: dt.date | None = None) -> dict[str, Any]:
    """A partial document of `kind` to offer as prompt defaults: the previous version, else a prefill."""
    opp = queries.get_opportunity(session, opportunity_id)
    previous = queries.latest_valid(session, opportunity_id, kind).document
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
            "customer_attendees": [
                {k: v for k, v in {"name": c.name, "department": c.department, "title": c.title}.items() if v}
                for c in contacts
            ],
            "decision_chain": [
                {
                    k: v
                    for k, v in {
                        "name": c.name,
                        "department": c.department,
                        "role": c.role,
                        "influence": c.influence,
                        "stance": c.stance,
                    }.items()
                    if v
                }
                for c in contacts
            ],
            "needs": {
                k: v
                for k, v in {"fleet_size": account.fleet_size, "purchase_quantity": opp.quantity}.items()
                if v is not None
            },
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
        proposal = queries.latest_valid(session, opp.id, "product-proposal").form
        if proposal is not None and proposal.configurations:  # type: ignore[attr-defined]
            first = proposal.configurations[0]  # type: ignore[attr-defined]
            out["product"] = " / ".join(str(x) for x in (first.model, first.chassis, first.body) if x)
            out["quantity"] = sum(c.quantity for c in proposal.configurations)  # type: ignore[attr-defined]
            out["unit_price"] = float(first.unit_price)
        elif opp.quantity:
            out["quantity"] = opp.quantity
    elif kind == "contract-review":
        minutes = queries.latest_valid(session, opp.id, "negotiation-minutes").document
        if minutes is not None:
            out = {k: minutes.data[k] for k in NEGOTIATED_TERMS if k in minutes.data}
    elif kind == "service-plan":
        out = {"user_file_created": True}
    return out

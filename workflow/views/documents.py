"""What a document command shows: the stored versions, their PDF page contexts, and defaults for a new one.

The renderer (`reports/`) knows nothing of the database; this module builds its
`DocumentContext` from an opportunity and a document version (the letterhead, the
version's status: superseded, awaiting sign-offs; its attachments, photos with
thumbnails), and the render jobs `kam doc render` and `render-all` run outside any
write transaction (`operations.renders` records each PDF afterwards).

Defaults for a new document come from what kam already knows: the customer,
its contacts and decision chain from the account; the quantity from the
opportunity; configurations from the latest product proposal into the
negotiation minutes; negotiated terms into the contract review.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

import forms
from reports import DocumentContext, RenderJob
from reports.context import AttachmentNote, Letterhead
from workflow.operations import payments
from workflow.records import blobs, queries, tables
from workflow.records.models import Document, Opportunity
from workflow.records.tables import utcnow
from workflow.rules import files
from workflow.rules.compliance import REVIEW, current
from workflow.rules.process import Process
from workflow.views.company import letterhead

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


def attachment_notes(connection: Connection, rows: list[Any], *, thumbnails: bool = True) -> list[AttachmentNote]:
    """Attachment rows as a PDF lists them; photos with a thumbnail (made once per file)."""
    made: dict[str, bytes | None] = {}
    notes = []
    for row in rows:
        thumb = None
        if thumbnails and row.media_type in files.PHOTO_TYPES:
            if row.sha256 not in made:
                content = blobs.load(connection, row.sha256)
                made[row.sha256] = files.thumbnail(content, row.media_type) if content else None
            thumb = made[row.sha256]
        notes.append(AttachmentNote(row.id, row.name, row.size, row.sha256, row.media_type, row.note or "", thumb))
    return notes


def attachments_of(session: Session, opp_id: int, doc: Document) -> list[Any]:
    """The attachments a version's PDF lists: those of its kind added before the next version existed."""
    A = tables.attachments.c
    query = select(tables.attachments).where(A.opportunity_id == opp_id, A.kind == doc.kind)
    following = session.execute(
        select(tables.documents.c.created_at).where(
            tables.documents.c.opportunity_id == opp_id,
            tables.documents.c.kind == doc.kind,
            tables.documents.c.version == doc.version + 1,
        )
    ).scalar()
    if following is not None:
        query = query.where(A.created_at < following)
    return list(session.execute(query.order_by(A.id)))


def opportunity_number(opp: Any) -> str:
    return f"KA-{opp.created_at:%Y}-{opp.id:04d}"


def context(
    session: Session,
    opp: Opportunity,
    doc: Document,
    process: Process,
    lang: str = "zh",
    *,
    company: Letterhead | None = None,
    edition: str = "internal",
) -> DocumentContext:
    """The header, footer, letterhead, status and sign-off block of one stored version's PDF.

    Thumbnails of photos are made for the internal edition only (the customer edition lists the files).
    """
    connection = session.connection()
    signoffs: list[dict[str, Any]] = []
    awaiting: list[str] = []
    if doc.kind == REVIEW:
        standing = current(queries.signoffs_on(session, opp.id, doc.version))
        awaiting = [
            process.department_label(d, lang)
            for d in process.departments
            if d not in standing or standing[d].decision != "approve"
        ]
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
    newest = queries.newest_version(session, opp.id, doc.kind)
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
        company=company or letterhead(connection),
        signoffs=signoffs,
        superseded_by=newest if newest > doc.version else None,
        awaiting_signoffs=awaiting,
        attachments=attachment_notes(
            connection, attachments_of(session, opp.id, doc), thumbnails=edition == "internal"
        ),
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
    internal: bool = False,
) -> tuple[Document, RenderJob]:
    """(the stored version, the job that renders it to `output`): the latest version by default.

    The edition is the kind's default (the customer edition of a customer-facing kind) unless `internal`.
    """
    opp = queries.get_opportunity(session, opportunity_id)
    doc = queries.get_document(session, opportunity_id, kind, version)
    edition = "internal" if internal else forms.audience(kind)
    ctx = context(session, opp, doc, process, lang, edition=edition)
    return doc, RenderJob(kind, dict(doc.data), ctx, output, lang, edition)


def trial_job(
    session: Session, process: Process, opportunity_id: int, kind: str, data: dict[str, Any], *, lang: str, actor: str
) -> RenderJob:
    """The job that lays out `data` (stored form, valid) as the next version of `kind` would print: its internal
    edition (everything it holds), on the letterhead, for `kam doc fill` to try before storing a large document."""
    opp = queries.get_opportunity(session, opportunity_id)
    version = queries.newest_version(session, opportunity_id, kind) + 1
    doc = Document(
        opportunity_id=opp.id, kind=kind, version=version, data=data, author=actor, created_at=utcnow(), sha256=""
    )
    ctx = context(session, opp, doc, process, lang, edition="internal")
    return RenderJob(kind, data, ctx, Path(pdf_name(opp.id, kind, version, "internal")), lang, "internal")


def pdf_name(opportunity_id: int, kind: str, version: int, edition: str) -> str:
    """The file name of a version's PDF in a render-all folder: built from checked identifiers only."""
    forms.check_kind(kind)
    suffix = "-internal" if edition == "internal" and forms.audience(kind) == "customer" else ""
    return f"{opportunity_id:04d}-{kind}-v{int(version)}{suffix}.pdf"


def render_jobs(
    session: Session, process: Process, opportunity_id: int, lang: str = "zh", *, internal: bool = False
) -> list[tuple[int, RenderJob]]:
    """(document id, job) for the latest version of every document of an opportunity; `output` is a file name."""
    opp = queries.get_opportunity(session, opportunity_id)
    company = letterhead(session.connection())
    jobs = []
    for kind, doc in queries.latest_documents(session, opportunity_id).items():
        edition = "internal" if internal else forms.audience(kind)
        ctx = context(session, opp, doc, process, lang, company=company, edition=edition)
        name = Path(pdf_name(opp.id, kind, doc.version, edition))
        jobs.append((doc.id, RenderJob(kind, dict(doc.data), ctx, name, lang, edition)))
    return jobs


def attachment_file_name(opportunity_id: int, row: Any) -> str:
    """Where render-all writes an attachment, inside its folder: "attachments/0001-3-site-photo.jpg".

    Built from the ids, and from the stored name only the characters that cannot make a path (letters, digits,
    - and _), so whatever the name is, the file stays in the folder.
    """
    stem, _, suffix = row.name.rpartition(".")
    if not stem:
        stem, suffix = row.name, ""
    slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem).strip("-_")[:60]
    ext = files.EXTENSIONS.get(row.media_type) or (
        suffix.lower() if suffix.isascii() and suffix.isalnum() and len(suffix) <= 8 else "bin"
    )
    return f"attachments/{opportunity_id:04d}-{int(row.id)}" + (f"-{slug}" if slug else "") + f".{ext}"


NEGOTIATED_TERMS = (
    "lines",
    "quantity",
    "unit_price",
    "price_includes",
    "payment_method",
    "payment_timing",
    "delivery_mode",
    "delivery_cycle_days",
)


def defaults_for(session: Session, opportunity_id: int, kind: str, today: dt.date | None = None) -> dict[str, Any]:
    """A partial document of `kind` whose values Enter accepts: the previous version, else what kam knows.

    Only single values (today, the owner, the account's address, the proposal's terms);
    people from the account's contacts are `suggestions_for`, never a default, so an
    empty answer on a new list item ends the list.
    """
    opp = queries.get_opportunity(session, opportunity_id)
    previous = queries.latest_valid(session, opportunity_id, kind).document
    if previous is not None:
        return dict(previous.data)
    account = opp.account
    today = today or dt.date.today()
    out: dict[str, Any] = {}
    if kind == "phone-invite-feedback":
        out = {"call_date": today.isoformat(), "caller": opp.owner}
        if account.address or account.region:
            out["visit_place"] = account.address or account.region
    elif kind == "visit-feedback":
        needs = {"fleet_size": account.fleet_size, "purchase_quantity": opp.quantity}
        out = {"visit_date": today.isoformat(), "needs": {k: v for k, v in needs.items() if v is not None}}
    elif kind == "product-proposal":
        if opp.quantity:
            out = {"configurations": [{"quantity": opp.quantity}]}
    elif kind in ("exchange-minutes", "negotiation-minutes"):
        out = {"meeting_date": today.isoformat()}
    if kind == "negotiation-minutes":
        proposal = queries.latest_valid(session, opp.id, "product-proposal").form
        if proposal is not None and proposal.configurations:  # type: ignore[attr-defined]
            first = proposal.configurations[0]  # type: ignore[attr-defined]
            out["product"] = " / ".join(str(x) for x in (first.model, first.chassis, first.body) if x)
            configurations = proposal.configurations  # type: ignore[attr-defined]
            if len(configurations) == 1:
                out["quantity"], out["unit_price"] = first.quantity, float(first.unit_price)
            else:  # several models: one line each, never an averaged price
                out["lines"] = [
                    {
                        "model": c.model,
                        **(
                            {"configuration": " / ".join(x for x in (c.chassis, c.body) if x)}
                            if c.chassis or c.body
                            else {}
                        ),
                        "quantity": c.quantity,
                        "unit_price": float(c.unit_price),
                    }
                    for c in configurations
                ]
        elif opp.quantity:
            out["quantity"] = opp.quantity
    elif kind == "contract-review":
        minutes = queries.latest_valid(session, opp.id, "negotiation-minutes").document
        if minutes is not None:
            out = {k: minutes.data[k] for k in NEGOTIATED_TERMS if k in minutes.data}
    elif kind == "service-plan":
        out = {"user_file_created": True}
        contract = payments.contract_document(session, opp.id)
        batches = (contract or {}).get("deliveries") or []
        if batches:  # the contract's delivery batches: the return visits follow each of them
            out["deliveries"] = [
                {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in b.items() if v is not None}
                for b in batches
            ]
            out["delivery_date"] = min(b["date"] for b in batches).isoformat()
    return out


def suggestions_for(session: Session, opportunity_id: int, kind: str) -> dict[str, list[Any]]:
    """What the prompts offer by number, by field path: the account's contacts and the opportunity's owner.

    A contact offered for a list of people carries its department, title, role... so
    taking it by number fills the rest of the item with that contact's own details.
    """
    opp = queries.get_opportunity(session, opportunity_id)
    contacts = [c for c in opp.account.contacts if c.removed_at is None]  # removed contacts are not offered
    names = [c.name for c in contacts]

    def person(c: Any, *keys: str) -> dict[str, Any]:
        return {k: getattr(c, k) for k in ("name", *keys) if getattr(c, k)}

    ours = [opp.owner] if opp.owner else []
    if kind == "phone-invite-feedback":
        return {
            "contact": [person(c, "title", "phone") for c in contacts],
            "our_visitors": ours,
            "customer_attendees": names,
        }
    if kind == "visit-feedback":
        return {
            "our_visitors": ours,
            "customer_attendees": [person(c, "department", "title") for c in contacts],
            "decision_chain": [person(c, "department", "role", "influence", "stance") for c in contacts],
        }
    if kind in ("exchange-minutes", "negotiation-minutes"):
        return {"our_participants": ours, "customer_participants": names}
    if kind == "evaluation-scorecard":
        return {"decision_roles": [person(c, "department") for c in contacts]}
    return {}

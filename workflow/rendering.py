"""Stored documents to PDF: the header/footer context from the database, and the render record.

The renderer itself (`reports/`) knows nothing of the database; this module
builds its `DocumentContext` from an opportunity and a document version, and
records each PDF's sha256 against the version it came from.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.compliance import department_label
from workflow.engine import get_document, get_opportunity
from workflow.files import write_atomic
from workflow.models import Document, Opportunity, Render, SignOff
from workflow.process import Process

if TYPE_CHECKING:
    from reports import DocumentContext, RenderJob


def company() -> str:
    """The company name printed in every header (KAM_COMPANY, else the default)."""
    from reports.context import DEFAULT_COMPANY

    return os.environ.get("KAM_COMPANY") or DEFAULT_COMPANY


def opportunity_number(opp: Opportunity) -> str:
    return f"KA-{opp.created_at:%Y}-{opp.id:04d}"


# The sign-off table in the PDF speaks of outcomes, the database of decisions.
_OUTCOME = {"approve": "approved", "reject": "rejected"}


def context(session: Session, opp: Opportunity, doc: Document, lang: str = "zh", process: Process | None = None) -> DocumentContext:
    from reports import DocumentContext

    signoffs: list[dict[str, Any]] = []
    if doc.kind == "contract-review":
        rows = session.scalars(
            select(SignOff).where(SignOff.opportunity_id == opp.id, SignOff.review_version == doc.version).order_by(SignOff.at, SignOff.id)
        )
        signoffs = [
            {
                "department": department_label(s.department, lang, process),
                "reviewer": s.reviewer,
                "decision": _OUTCOME.get(s.decision, s.decision),
                "at": s.at,
                "comment": s.comment or "",
            }
            for s in rows
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


@dataclass(frozen=True)
class Rendered:
    kind: str
    version: int
    path: str
    sha256: str
    size: int


def render_document(
    session: Session,
    opportunity_id: int,
    kind: str,
    output: Path,
    *,
    actor: str,
    version: int | None = None,
    lang: str = "zh",
    process: Process | None = None,
) -> Rendered:
    """Render one stored version to `output` and record it."""
    from reports import render_pdf
    from reports.html import load_document

    opp = get_opportunity(session, opportunity_id)
    doc = get_document(session, opportunity_id, kind, version)
    pdf = render_pdf(load_document(kind, doc.data), context(session, opp, doc, lang, process), lang, kind=kind)
    write_atomic(output, pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    session.add(Render(document_id=doc.id, lang=lang, sha256=digest, path=str(output), actor=actor))
    return Rendered(kind, doc.version, str(output), digest, len(pdf))


def jobs_for(session: Session, opportunity_id: int, out_dir: Path, lang: str = "zh", process: Process | None = None) -> list[tuple[int, RenderJob]]:
    """A render job for the latest version of every document of an opportunity: (document id, job)."""
    from reports import RenderJob

    opp = get_opportunity(session, opportunity_id)
    latest: dict[str, Document] = {}
    for doc in session.scalars(select(Document).where(Document.opportunity_id == opp.id).order_by(Document.kind, Document.version)):
        latest[doc.kind] = doc
    return [
        (doc.id, RenderJob(kind, dict(doc.data), context(session, opp, doc, lang, process), out_dir / f"{opp.id:04d}-{kind}-v{doc.version}.pdf", lang))
        for kind, doc in latest.items()
    ]


def record(session: Session, document_id: int, lang: str, sha256: str, path: str, actor: str) -> None:
    session.add(Render(document_id=document_id, lang=lang, sha256=sha256, path=path, actor=actor))

"""Recording a rendered PDF against the document version it came from (its sha256 and where it was written).

The render itself runs before, outside any write transaction (`views.documents`
builds the job, `reports` renders it); this is the short write that follows.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from workflow.records.models import Render


def record(session: Session, document_id: int, lang: str, sha256: str, path: str, actor: str) -> None:
    session.add(Render(document_id=document_id, lang=lang, sha256=sha256, path=path, actor=actor))

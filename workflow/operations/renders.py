"""Recording a rendered PDF against the document version it came from (its sha256 and where it was written).

The render itself runs before, outside any write transaction (`views.documents`
builds the job, `reports` renders it); this is the short write that follows.
"""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from workflow.records import ledger, tables
from workflow.records.models import utcnow


def record(session: Session, document_id: int, lang: str, sha256: str, path: str, actor: str) -> None:
    """The render row and its ledger row (the document's chain), in the caller's transaction.

    In the ledger, so `kam audit verify` names a render whose hash, path, who or when was changed, added or
    deleted outside kam.
    """
    connection = session.connection()
    values = {"document_id": document_id, "lang": lang, "sha256": sha256, "path": path, "actor": actor}
    key = connection.execute(insert(tables.renders).values(**values, created_at=utcnow())).inserted_primary_key
    assert key is not None
    ledger.record(connection, "render", int(key[0]), actor=actor, action="render")

"""Files attached to an opportunity (`kam attach add`): photos of the site, tender files, signed scans.

Each file's bytes are stored once (`records.blobs`, by sha256) and named by an
attachment row; adding one is a row of the opportunity's history (action
"attachment", with every field of the row), so `kam audit verify` names an
attachment added, changed or deleted outside kam and a file whose bytes changed.
All the files of one `add` are checked first and stored together, or none is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

import forms
from workflow.errors import NotFound
from workflow.i18n import t
from workflow.records import blobs, chain, queries, tables
from workflow.rules import files, values

A = tables.attachments.c
MAX_NOTE = 2000


class Upload(NamedTuple):
    """A file to attach: what it is called (shown, never a path), its bytes, and where it was read from."""

    name: str
    content: bytes
    source: str


def fields(row: Any) -> dict[str, Any]:
    """An attachment row as its history row records it (and as the audit compares it)."""
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "note": row.note,
    }


def add(
    session: Session,
    opportunity_id: int,
    uploads: Sequence[Upload],
    *,
    actor: str,
    kind: str | None = None,
    note: str | None = None,
) -> list[Any]:
    """Attach `uploads` to the opportunity (to its document `kind`, if given): the new rows, in order."""
    if kind is not None:
        forms.check_kind(kind)
    note = values.text("--note", note, limit=MAX_NOTE)
    checked = [
        (
            files.check_name(upload.name, upload.source),
            upload.content,
            files.check_attachment(upload.content, upload.source),
        )
        for upload in uploads
    ]
    opp = queries.lock(session, opportunity_id)  # one writer per opportunity: its history is ours alone meanwhile
    connection = session.connection()
    now = tables.utcnow()
    rows = []
    for name, content, media_type in checked:
        key = blobs.store(connection, content)
        values_ = {
            "opportunity_id": opp.id,
            "kind": kind,
            "name": name,
            "media_type": media_type,
            "size": len(content),
            "sha256": key,
            "note": note,
            "actor": actor,
            "created_at": now,
        }
        inserted = connection.execute(insert(tables.attachments).values(**values_)).inserted_primary_key
        assert inserted is not None  # an INSERT of one row
        row = connection.execute(select(tables.attachments).where(A.id == inserted[0])).one()
        chain.append(session, opp.id, actor=actor, action="attachment", at=now, detail=fields(row))
        rows.append(row)
    return rows


def listed(session: Session, opportunity_id: int) -> list[Any]:
    """The opportunity's attachments, oldest first."""
    queries.state(session, opportunity_id)  # NotFound for an opportunity that does not exist
    return list(session.execute(select(tables.attachments).where(A.opportunity_id == opportunity_id).order_by(A.id)))


def get(session: Session, attachment_id: int) -> tuple[Any, bytes]:
    """An attachment and its bytes; NotFound naming the command that lists them."""
    row = session.execute(select(tables.attachments).where(A.id == attachment_id)).first()
    content = blobs.load(session.connection(), row.sha256) if row is not None else None
    if row is None or content is None:
        raise NotFound(
            t(
                f"没有编号为 {attachment_id} 的附件：用 kam attach list 商机编号 查看",
                f"there is no attachment {attachment_id}: see kam attach list OPPORTUNITY_ID",
            )
        )
    return row, content

"""File contents by their sha256: attachments and the company's logo, each stored once.

A blob is written once and never changed; whoever refers to it (an attachment, the
company row) records its sha256 in a hash chain, so `kam audit verify` can tell an
altered file by hashing the stored bytes again (`damaged`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from workflow.records import tables

B = tables.blobs.c


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def store(connection: Connection, content: bytes) -> str:
    """Keep `content` (once: a second copy of the same bytes is not stored again); its sha256."""
    key = digest(content)
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    # ON CONFLICT DO NOTHING: two writers storing the same file at once both succeed, one row results
    statement = insert(tables.blobs).values(sha256=key, size=len(content), data=content)
    connection.execute(statement.on_conflict_do_nothing(index_elements=["sha256"]))
    return key


def load(connection: Connection, key: str) -> bytes | None:
    """The bytes stored under `key` (None if there are none)."""
    value = connection.execute(select(B.data).where(B.sha256 == key)).scalar()
    return bytes(value) if value is not None else None


def count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(tables.blobs)).scalar() or 0)


def damaged(connection: Connection) -> Iterator[str]:
    """The keys whose stored bytes (or size) no longer match them: read one blob at a time."""
    keys = [row[0] for row in connection.execute(select(B.sha256).order_by(B.sha256))]
    for key in keys:
        row = connection.execute(select(B.size, B.data).where(B.sha256 == key)).one()
        data = bytes(row.data)
        if digest(data) != key or row.size != len(data):
            yield key

"""The ledger: the hash-chained history of what is not an opportunity.

An opportunity's history is its own chain (`records.chain`, table `events`).
Everything else a user or the gate relies on (an account and its contacts; the
roster of people; the company's letterhead; the PDFs rendered from a document) is an *entity* row that belongs to a
*subject*, and each subject has a chain in `ledger`. Every write of an entity row
appends one ledger row recording all of the row's fields as kam wrote them
(`fields`), and what changed since the last record of that row (`changes`:
`{column: [old, new]}`, for people reading the history). `kam audit verify`
replays each chain and compares the last recorded fields of every entity with
the row in its table, so a direct edit, a row added outside kam and a deleted
row are all named (`rules.audit`).

A new kind of entity is one line in `ENTITIES`; operations call `record()`
after they write the row, in the same transaction, while holding what
serializes writers of that subject (SQLite's single writer; on PostgreSQL a
transaction-scoped advisory lock per subject).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, and_, bindparam, insert, select, text

from workflow.records import tables
from workflow.records.acting import history_actor
from workflow.records.hashing import GENESIS, ledger_hash


@dataclass(frozen=True)
class Entity:
    """A table whose rows are kept in a subject's chain.

    `owner` is the column holding the subject's id ("id" when the row is the
    subject itself, e.g. an account; "account_id" for a contact). `skip` are
    bookkeeping columns that are not facts (`updated_at`).
    """

    name: str
    table: Table
    subject: str
    owner: str = "id"
    skip: tuple[str, ...] = ("updated_at",)

    def fields(self, row: Any) -> dict[str, Any]:
        """The row's facts as JSON values (times ISO with microseconds, amounts as text): what the chain records."""
        mapping = row._mapping if hasattr(row, "_mapping") else row
        return {
            column.name: plain(mapping[column.name])
            for column in self.table.columns
            if column.name != "id" and column.name not in self.skip
        }


ENTITIES: dict[str, Entity] = {
    entity.name: entity
    for entity in (
        Entity("account", tables.accounts, "account"),
        Entity("contact", tables.contacts, "account", owner="account_id"),
        Entity("company", tables.company, "company"),  # the letterhead: one row, id 1 (issue 15)
        Entity("user", tables.users, "user"),  # the roster: one chain per person (issue 13)
        Entity("user_key", tables.user_keys, "user", owner="user_id"),  # their public keys, in the same chain
        # every PDF written from a document (its sha256, path, who and when): one chain per document (issue 12)
        Entity("render", tables.renders, "document", owner="document_id"),
    )
}


def plain(value: Any) -> Any:
    """A column value as the JSON the chain hashes (the same on SQLite and PostgreSQL)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class LedgerRow(NamedTuple):
    """A ledger row as written by `append` (id unknown)."""

    id: int | None
    subject: str
    subject_id: int
    seq: int
    at: dt.datetime
    actor: str
    action: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


_SUBJECT_LOCK = text("SELECT pg_advisory_xact_lock(CAST(:kind AS integer), CAST(:subject_id AS integer))")
_LAST = (
    select(tables.ledger.c.seq, tables.ledger.c.hash)
    .where(tables.ledger.c.subject == bindparam("subject"), tables.ledger.c.subject_id == bindparam("subject_id"))
    .order_by(tables.ledger.c.seq.desc())
    .limit(1)
)


def append(
    connection: Connection,
    subject: str,
    subject_id: int,
    *,
    actor: str,
    action: str,
    detail: dict[str, Any],
    at: dt.datetime | None = None,
) -> LedgerRow:
    """Add the next row of a subject's chain in the caller's transaction."""
    if connection.dialect.name == "postgresql":
        # Writers of one subject queue on a transaction-scoped advisory lock: SELECT ... FOR UPDATE would need
        # the UPDATE privilege on the ledger, which the roles that only append to it must not have.
        connection.execute(_SUBJECT_LOCK, {"kind": zlib.crc32(subject.encode()) & 0x7FFFFFFF, "subject_id": subject_id})
    last = connection.execute(_LAST, {"subject": subject, "subject_id": subject_id}).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    unhashed = LedgerRow(
        None, subject, subject_id, seq, at or tables.utcnow(), history_actor(actor), action, detail, prev, ""
    )
    row = unhashed._replace(hash=ledger_hash(prev, unhashed))
    connection.execute(insert(tables.ledger), {k: v for k, v in row._asdict().items() if k != "id"})
    return row


def last_fields(connection: Connection, entity: Entity, subject_id: int, row_id: int) -> dict[str, Any] | None:
    """The fields the chain last recorded for one entity row (None when it never did)."""
    L = tables.ledger.c
    rows = connection.execute(
        select(L.detail).where(L.subject == entity.subject, L.subject_id == subject_id).order_by(L.seq.desc())
    )
    for (detail,) in rows:
        if detail.get("entity") == entity.name and detail.get("id") == row_id:
            fields: dict[str, Any] | None = detail.get("fields")
            return fields
    return None


def record(
    connection: Connection, entity_name: str, row_id: int, *, actor: str, action: str, at: dt.datetime | None = None
) -> LedgerRow | None:
    """Record an entity row as it now stands (after the caller wrote it): its fields and what changed.

    Nothing is appended when the row is exactly what the chain last recorded (None is returned).
    """
    entity = ENTITIES[entity_name]
    table = entity.table
    row = connection.execute(select(table).where(table.c.id == row_id)).one()
    subject_id = int(row._mapping[entity.owner])
    fields = entity.fields(row)
    detail: dict[str, Any] = {"entity": entity.name, "id": row_id, "fields": fields}
    before = last_fields(connection, entity, subject_id, row_id)
    if before is not None:
        detail["changes"] = {key: [before.get(key), value] for key, value in fields.items() if before.get(key) != value}
        if not detail["changes"]:
            return None
    return append(connection, entity.subject, subject_id, actor=actor, action=action, detail=detail, at=at)


def record_new(connection: Connection, entity_name: str, rows: Sequence[Any], *, actor: str, action: str) -> int:
    """Record many rows just created, each the first entry of its subject's chain or after the given ones.

    For bulk writes (the account import): one INSERT for all of them, the chain
    of each subject continued from its last row. Returns how many were recorded.
    """
    entity = ENTITIES[entity_name]
    L = tables.ledger.c
    subject_ids = sorted({int(row._mapping[entity.owner]) for row in rows})
    heads: dict[int, tuple[int, str]] = {}
    for start in range(0, len(subject_ids), 500):
        chunk = subject_ids[start : start + 500]
        for subject_id, seq, hash_ in connection.execute(
            select(L.subject_id, L.seq, L.hash).where(and_(L.subject == entity.subject, L.subject_id.in_(chunk)))
        ):
            if subject_id not in heads or heads[subject_id][0] < seq:
                heads[subject_id] = (seq, hash_)
    now = tables.utcnow()
    out = []
    for row in rows:
        subject_id = int(row._mapping[entity.owner])
        seq, prev = heads.get(subject_id, (0, GENESIS))
        detail = {"entity": entity.name, "id": int(row._mapping["id"]), "fields": entity.fields(row)}
        unhashed = LedgerRow(None, entity.subject, subject_id, seq + 1, now, actor, action, detail, prev, "")
        written = unhashed._replace(hash=ledger_hash(prev, unhashed))
        heads[subject_id] = (written.seq, written.hash)
        out.append({k: v for k, v in written._asdict().items() if k != "id"})
    for start in range(0, len(out), 1000):
        connection.execute(insert(tables.ledger), out[start : start + 1000])
    return len(out)


def current_rows(connection: Connection) -> dict[tuple[str, int], dict[tuple[str, int], dict[str, Any]]]:
    """Every entity row's fields, grouped by subject: {(subject, subject_id): {(entity, id): fields}} (the audit)."""
    out: dict[tuple[str, int], dict[tuple[str, int], dict[str, Any]]] = {}
    for entity in ENTITIES.values():
        for row in connection.execute(select(entity.table).order_by(entity.table.c.id)):
            key = (entity.subject, int(row._mapping[entity.owner]))
            out.setdefault(key, {})[(entity.name, int(row._mapping["id"]))] = entity.fields(row)
    return out


def chains(connection: Connection) -> dict[tuple[str, int], list[Any]]:
    """Every ledger row, grouped by subject, in chain order (the audit)."""
    L = tables.ledger.c
    out: dict[tuple[str, int], list[Any]] = {}
    for row in connection.execute(select(tables.ledger).order_by(L.subject, L.subject_id, L.seq)):
        out.setdefault((row.subject, row.subject_id), []).append(row)
    return out


def database_id(connection: Connection) -> str:
    """The database's own id (written once when the schema was created)."""
    value = connection.execute(select(tables.meta.c.value).where(tables.meta.c.key == "database_id")).scalar()
    return str(value or "")

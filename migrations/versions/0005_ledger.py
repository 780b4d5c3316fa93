"""the ledger: a hash chain for accounts and contacts; the database's own id

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Accounts and contacts had no history: a direct edit in the database went
unnoticed. `ledger` holds one hash chain per subject (an account with its
contacts; later the roster and the company), each row recording an entity
row's fields as kam wrote them (see `workflow.records.ledger`).

An existing database gets a first row per account and per contact recording
the row as it stands ("baseline", by "kam"): from this revision on, changes
made outside kam are caught. The columns are listed here as they are at this
revision, so later revisions of the tables do not change what it writes.

`meta` holds the database's own id (a random hex string), written once here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

from workflow.records.hashing import GENESIS, sha256

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ACCOUNT_COLUMNS = (
    "name", "type", "size", "class", "market", "industry", "fleet_size", "main_brands", "region", "address",
    "reviewed_at", "created_by", "created_at",
)  # fmt: skip
CONTACT_COLUMNS = (
    "account_id", "name", "department", "title", "role", "influence", "stance", "phone", "created_by", "created_at",
)  # fmt: skip


# typed, so that SQLite's stored text comes back as the values kam wrote (times as datetimes)
TYPES: dict[str, sa.types.TypeEngine[Any]] = {
    "id": sa.Integer(), "account_id": sa.Integer(), "fleet_size": sa.Integer(),
    "reviewed_at": sa.DateTime(), "created_at": sa.DateTime(),
}  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subject", "subject_id", "seq", name="uq_ledger_seq"),
    )
    meta = op.create_table(
        "meta",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.bulk_insert(meta, [{"key": "database_id", "value": uuid.uuid4().hex}])
    _baseline()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _baseline() -> None:
    """A first ledger row for every existing account and contact, as it stands."""
    bind = op.get_bind()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    heads: dict[int, tuple[int, str]] = {}
    rows: list[dict[str, Any]] = []
    for entity, table, columns, owner in (
        ("account", "accounts", ACCOUNT_COLUMNS, "id"),
        ("contact", "contacts", CONTACT_COLUMNS, "account_id"),
    ):
        typed = [sa.column(c, TYPES.get(c, sa.String())) for c in ("id", *columns)]
        query = sa.select(*typed).select_from(sa.table(table)).order_by(sa.column("id"))
        for row in bind.execute(query).mappings():
            subject_id = int(row[owner])
            seq, prev = heads.get(subject_id, (0, GENESIS))
            detail = {"entity": entity, "id": int(row["id"]), "fields": {c: _plain(row[c]) for c in columns}}
            values = ["account", subject_id, seq + 1, now.isoformat(timespec="microseconds"), "kam", "baseline"]
            digest = sha256([prev, *values, detail])  # records.hashing.ledger_hash, spelled out
            heads[subject_id] = (seq + 1, digest)
            rows.append(
                {
                    "subject": "account", "subject_id": subject_id, "seq": seq + 1, "at": now, "actor": "kam",
                    "action": "baseline", "detail": detail, "prev_hash": prev, "hash": digest,
                }
            )  # fmt: skip
    if rows:
        columns = [sa.column(c, sa.JSON()) if c == "detail" else sa.column(c) for c in rows[0]]
        op.bulk_insert(sa.table("ledger", *columns), rows)


def downgrade() -> None:
    op.drop_table("meta")
    op.drop_table("ledger")

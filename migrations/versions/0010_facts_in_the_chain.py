"""the facts in the chain: every opportunity fact derived from its history, every render in the ledger

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

Issue 12: a direct edit of an opportunity's owner, quantity, budget, title,
signature, loss or ratings, of a document's author or time, or of a render went
unnoticed by `kam audit verify`. From this revision the audit replays every
fact of an opportunity from its history rows and keeps the renders in the
ledger. No table changes: an existing database gets its baseline rows
(`migrations.facts`: one `baseline` history row per opportunity, one ledger row
per render), so that `kam audit verify` stays "intact" on an untampered
database after the upgrade.
"""

from __future__ import annotations

from alembic import op

from migrations.facts import baseline

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    baseline(op.get_bind())


def downgrade() -> None:
    bind = op.get_bind()
    bind.exec_driver_sql("DELETE FROM events WHERE action = 'baseline'")
    bind.exec_driver_sql("DELETE FROM ledger WHERE subject = 'document'")

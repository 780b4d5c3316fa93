"""money: the opportunity's amount and the receivables of signed contracts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

Issue 14: the pipeline counted vehicles, never money, and kam had no
receivables. `opportunities.amount` (元) is the contract total once signed,
else the latest negotiation minutes', else the latest proposal's, else the
budget; `receivables` holds one row per payment milestone of a signed contract
with what has been received on it (money received is a `payment` row of the
history). Both are derived from the documents and the history: not exported,
recomputed on import, here and by `kam init --rebuild`, so the pipeline and the
schedule read money in one query. Amounts are Numeric (exact) on both databases.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("opportunities", sa.Column("amount", sa.Numeric(16, 2), nullable=True))
    op.create_table(
        "receivables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("milestone", sa.String(length=200), nullable=False),
        sa.Column("percent", sa.Numeric(9, 4), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(16, 2), nullable=False),
        sa.Column("received", sa.Numeric(16, 2), nullable=False),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunities.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("opportunity_id", "seq", name="uq_receivables"),
    )
    op.create_index("ix_receivables_due", "receivables", ["due"])
    # computed by the money's own rules from the documents and the history, as `kam import` does
    from workflow.operations.payments import rebuild  # the core loads only when this revision runs

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_receivables_due", table_name="receivables")
    op.drop_table("receivables")
    op.drop_column("opportunities", "amount")

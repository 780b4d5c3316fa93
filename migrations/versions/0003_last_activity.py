"""last activity on the opportunity: the stalled list reads one indexed column

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

`kam report pipeline` lists opportunities with no history for N days. Reading
max(events.at) per opportunity scanned every history row: 0.33-0.45 s on the
100k fixture (550k events), most of the report's time. The history appender now
keeps `opportunities.last_activity_at` (the time of the newest history row) in
the same transaction, and `kam audit verify` checks it against the history.
With ix_opportunities_activity (stage, last_activity_at, owner) the stalled count is
a range scan of the open stages: 7 ms, and the longest idle are the first rows
of it.

Existing rows are filled from their history (an opportunity always has at
least its "create" row; created_at stands in if it had none).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
EPOCH = "1970-01-01 00:00:00.000000"


def upgrade() -> None:
    # NOT NULL needs a default for the rows already there; SQLite cannot drop it afterwards (a table
    # rebuild would trip the foreign keys), so there it stays, unused: kam always writes the column.
    op.add_column("opportunities", sa.Column("last_activity_at", sa.DateTime(), nullable=False, server_default=EPOCH))
    op.execute(
        "UPDATE opportunities SET last_activity_at = COALESCE("
        "(SELECT max(events.at) FROM events WHERE events.opportunity_id = opportunities.id), created_at)"
    )
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("opportunities", "last_activity_at", server_default=None)
    op.create_index("ix_opportunities_activity", "opportunities", ["stage", "last_activity_at", "owner"])


def downgrade() -> None:
    op.drop_index("ix_opportunities_activity", table_name="opportunities")
    op.drop_column("opportunities", "last_activity_at")

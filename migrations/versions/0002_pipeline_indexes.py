"""pipeline indexes: the report's aggregates read indexes only

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

`kam report pipeline` must answer in under a second on 100,000 opportunities
(issue 6). Two covering indexes make its two big reads index-only scans:

- ix_opportunities_pipeline: every column the per-stage aggregate reads
  (GROUP BY stage, lost_from[, owner]; sums of quantity, quantity × heat,
  on_hold; average stage_entered_at). Measured on the 100k fixture (SQLite):
  0.41 s → 0.06 s.
- ix_events_opportunity_at: the last activity of each opportunity, max(at)
  per opportunity_id, without touching the events table. 0.54 s → 0.45 s
  for the stalled list.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_opportunities_pipeline",
        "opportunities",
        ["stage", "lost_from", "owner", "quantity", "heat", "on_hold", "stage_entered_at"],
    )
    op.create_index("ix_events_opportunity_at", "events", ["opportunity_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_events_opportunity_at", table_name="events")
    op.drop_index("ix_opportunities_pipeline", table_name="opportunities")

"""planned follow-ups: the schedule reads open follow-ups by date

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

`kam schedule` recomputed every signed deal's service plan on each run: 0.9 s
of Python and JSON for 10,000 plans (issue 6 wants the whole command under
1 s). The plan for the default 12-month horizon is now stored when a service
plan is filled, with a done flag set when the follow-up is recorded, and the
schedule is one range scan of ix_planned_followups_open (done, due_date).

Existing databases get the table filled from each opportunity's latest
service plan and its recorded follow-ups (the same code `kam import` uses).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "planned_followups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunities.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("opportunity_id", "kind", "due_date", name="uq_planned_followups"),
    )
    op.create_index("ix_planned_followups_open", "planned_followups", ["done", "due_date"])
    # The rows are computed by the schedule's own rules; the tables it reads (documents,
    # followups) have the shape of this revision.
    from workflow.operations.followups import rebuild_plans  # the core loads only when this revision runs

    rebuild_plans(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_planned_followups_open", table_name="planned_followups")
    op.drop_table("planned_followups")

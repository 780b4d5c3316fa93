"""Stage deadlines (pure date rules): when a deal should have left its stage, and when a requirement is due.

A stage's `expected_days` (process YAML) is how long a deal should stay in it:
its *deadline* is the day it entered the stage plus that many days, and past the
deadline it is *overdue* (超期 N 天: N whole days after the deadline). A
requirement's own `within_days` makes it due that many days after entering the
stage instead (the agenda reads it); without it a requirement is due at the
stage's deadline. Days are calendar days, counted on the stored (UTC) dates as
`kam schedule` counts its follow-ups. A deal on hold or lost is never overdue (it
is paused or over), and a stage without `expected_days` has no deadline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from workflow.rules.process import LOST, Process, Requirement, Stage


def stage_deadline(stage: Stage | None, entered_at: dt.datetime | None) -> dt.date | None:
    """The day a deal that entered `stage` at `entered_at` should have left it (None: no deadline)."""
    if stage is None or stage.expected_days is None or entered_at is None:
        return None
    return entered_at.date() + dt.timedelta(days=stage.expected_days)


def requirement_due(stage: Stage, requirement: Requirement, entered_at: dt.datetime) -> dt.date | None:
    """When `requirement` of leaving `stage` is due: its own `within_days`, else the stage's deadline."""
    if requirement.within_days is not None:
        return entered_at.date() + dt.timedelta(days=requirement.within_days)
    return stage_deadline(stage, entered_at)


def overdue_days(due: dt.date | None, today: dt.date) -> int:
    """Whole days past `due` (0 when not yet past, or without a date)."""
    return max(0, (today - due).days) if due is not None else 0


def deadline_of(process: Process, opp: Any) -> dt.date | None:
    """The deadline of the stage the opportunity is in (`stage`, `stage_entered_at`, `on_hold`); None when paused."""
    if opp.stage == LOST or opp.on_hold:
        return None
    return stage_deadline(process.by_id.get(opp.stage), opp.stage_entered_at)


def overdue_cutoffs(process: Process, today: dt.date) -> dict[str, dt.datetime]:
    """Per stage with a deadline, the entry time before which a deal in it is overdue today (for SQL).

    Overdue means today > entered date + days, i.e. entered before midnight of `today - days`.
    """
    return {
        s.id: dt.datetime.combine(today - dt.timedelta(days=s.expected_days), dt.time.min)
        for s in process.stages
        if s.expected_days is not None
    }

"""The state machine: one `transitions.Machine` per process, models attached per use.

Attaching a model to a machine binds a method per trigger and per state on it,
about a tenth of a guarded advance; so each thread attaches one `Subject` per
machine once and points it at the opportunity of each use.

The machine decides which triggers are legal from which stage; the guard on each
forward trigger evaluates the requirement table (`requirements.evaluate`) and
keeps the unmet list on the model, because a failing condition in transitions
only says False. `auto_transitions` is off: its `to_<stage>()` would skip every guard.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, Any

from transitions import Machine

from workflow.process import LOST, Process

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from workflow.models import Opportunity
    from workflow.requirements import Evaluation

LIFECYCLE_TRIGGERS = ("lose", "reopen", "revert", "hold", "resume")


class Subject:
    """What the machine moves for one trigger: the opportunity's stage plus what the guards need."""

    def __init__(self, session: Session, process: Process, opp: Opportunity) -> None:
        self.state = opp.stage
        self.session = session
        self.process = process
        self.opp = opp
        self.evaluation: Evaluation | None = None


def _guard(event: Any) -> bool:
    from workflow.requirements import evaluate

    subject: Subject = event.model
    # Evaluate even when on hold, so a refusal lists everything still missing.
    subject.evaluation = evaluate(subject.session, subject.process, subject.opp)
    return subject.evaluation.ok and not subject.opp.on_hold


def _not_on_hold(event: Any) -> bool:
    return not event.model.opp.on_hold


def _on_hold(event: Any) -> bool:
    return bool(event.model.opp.on_hold)


@functools.cache
def machine_for(process: Process) -> Machine:
    """Build the machine of `process` once; every opportunity is attached to it per use."""
    stages = [s.id for s in process.stages]
    open_stages = [s for s in stages if process.is_open(s)]
    transitions: list[dict[str, Any]] = []
    for stage in process.stages:
        following = process.next_stage(stage.id)
        if stage.trigger and following:
            transitions.append({"trigger": stage.trigger, "source": stage.id, "dest": following.id, "conditions": [_guard]})
    transitions.append({"trigger": "lose", "source": open_stages, "dest": LOST})
    for stage_id in open_stages:
        # reopen returns to the stage the opportunity was lost from
        transitions.append(
            {"trigger": "reopen", "source": LOST, "dest": stage_id, "conditions": [functools.partial(_lost_from, stage_id)]}
        )
    for stage_id in open_stages[1:]:
        transitions.append(
            {"trigger": "revert", "source": stage_id, "dest": process.previous_stage(stage_id).id, "conditions": [_not_on_hold]}  # type: ignore[union-attr]
        )
    transitions.append({"trigger": "hold", "source": open_stages, "dest": None, "conditions": [_not_on_hold]})
    transitions.append({"trigger": "resume", "source": open_stages, "dest": None, "conditions": [_on_hold]})
    return Machine(
        model=None,
        states=[*stages, LOST],
        transitions=transitions,
        initial=None,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
    )


def _lost_from(stage_id: str, event: Any) -> bool:
    return event.model.opp.lost_from == stage_id


_attached = threading.local()


def fire(session: Session, process: Process, opp: Opportunity, trigger: str) -> tuple[bool, Subject]:
    """Fire `trigger` for the opportunity. Returns (moved-or-allowed, what the machine decided).

    The returned subject is a snapshot (state, evaluation), detached from the machine.
    """
    from transitions.core import MachineError

    machine = machine_for(process)
    subjects: dict[int, Subject] = _attached.__dict__.setdefault("subjects", {})
    subject = subjects.get(id(machine))
    if subject is None:
        subject = subjects[id(machine)] = Subject(session, process, opp)
        machine.add_model(subject, initial=opp.stage)
    subject.state, subject.session, subject.process, subject.opp, subject.evaluation = opp.stage, session, process, opp, None
    try:
        try:
            ok = subject.trigger(trigger)
        except MachineError:
            ok = False
        outcome = Subject(session, process, opp)
        outcome.state, outcome.evaluation = subject.state, subject.evaluation
    finally:
        subject.session = subject.opp = subject.evaluation = None  # type: ignore[assignment]  # hold nothing between uses
    return ok, outcome


def triggers_from(process: Process, stage_id: str) -> list[str]:
    return machine_for(process).get_triggers(stage_id)

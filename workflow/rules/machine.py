"""The state machine: one `transitions.Machine` per process, built from the lifecycle table.

Every move asks the machine "may I?" (`ask`, transitions' `may_<trigger>`): the
guarded advance before it writes and `kam opp check` without writing, so the
dry run is the guard asked without firing (STYLE 15). The forward trigger's
condition evaluates the requirement table over the facts the caller loaded
(`rules.requirements.evaluate`) and keeps the unmet list, because a failing
condition in transitions only says False. `auto_transitions` is off: its
`to_<stage>()` would skip every guard.

Attaching a model to a machine binds a method per trigger and per state on it,
about a tenth of a guarded advance; so each thread attaches one `Subject` per
machine once and points it at the opportunity of each question.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, NamedTuple

from transitions import Machine

from workflow.rules import lifecycle
from workflow.rules.process import LOST, Process
from workflow.rules.requirements import Evaluation, Facts, evaluate


class Subject:
    """What the machine is asked about: an opportunity's state row, and the facts its guards read."""

    def __init__(self) -> None:
        self.state = ""
        self.process: Process | None = None
        self.opp: Any = None
        self.facts: Facts | None = None
        self.evaluation: Evaluation | None = None
        self.to: str | None = None


class Answer(NamedTuple):
    """What the machine said: may the move happen, where it leads, and what the guard found."""

    ok: bool
    to: str | None  # the stage it leads to (None: it stays)
    evaluation: Evaluation | None  # the forward trigger's requirements (None for the other moves)


def _requirements(event: Any) -> bool:
    subject: Subject = event.model
    assert subject.process is not None and subject.facts is not None
    # Evaluated before the hold flag, so a refusal of a held opportunity lists everything still missing.
    subject.evaluation = evaluate(subject.process.by_id[subject.state], subject.facts)
    return subject.evaluation.ok


def _not_on_hold(event: Any) -> bool:
    return not event.model.opp.on_hold


def _on_hold(event: Any) -> bool:
    return bool(event.model.opp.on_hold)


def _lost_from(stage_id: str, event: Any) -> bool:
    return bool(event.model.opp.lost_from == stage_id)


def _remember(event: Any) -> bool:
    """The last condition of every transition: all before it held, so this is where the move leads."""
    event.model.to = event.transition.dest
    return True


_HOLD = {False: [_not_on_hold], True: [_on_hold], None: []}


@functools.cache
def machine_for(process: Process) -> Machine:
    """Build the machine of `process` once, from `lifecycle.MOVES`; opportunities are attached per question."""
    transitions: list[dict[str, Any]] = []
    for move in lifecycle.MOVES:
        hold = _HOLD[move.hold]
        for source in lifecycle.sources(process, move):
            if move.trigger == lifecycle.FORWARD:
                trigger = process.by_id[source].trigger
                conditions = [_requirements, *hold]
                dests = [lifecycle.destination(process, move, source)]
            elif move.to == "lost-from":  # reopen returns to the stage it was lost from
                for stage in process.stages:
                    if process.is_open(stage.id):
                        transitions.append(
                            {
                                "trigger": move.trigger,
                                "source": source,
                                "dest": stage.id,
                                "conditions": [functools.partial(_lost_from, stage.id), *hold, _remember],
                            }
                        )
                continue
            else:
                trigger, conditions, dests = move.trigger, hold, [lifecycle.destination(process, move, source)]
            for dest in dests:
                transitions.append(
                    {"trigger": trigger, "source": source, "dest": dest, "conditions": [*conditions, _remember]}
                )
    return Machine(
        model=None,
        states=[*(s.id for s in process.stages), LOST],
        transitions=transitions,
        initial=None,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=True,
    )


_attached = threading.local()


def ask(process: Process, opp: Any, trigger: str, facts: Facts | None = None) -> Answer:
    """May `opp` (a state row) make the move `trigger`? The machine's answer, nothing written."""
    machine = machine_for(process)
    subjects: dict[int, Subject] = _attached.__dict__.setdefault("subjects", {})
    subject = subjects.get(id(machine))
    if subject is None:
        subject = subjects[id(machine)] = Subject()
        machine.add_model(subject, initial=LOST)
    subject.state, subject.process, subject.opp, subject.facts, subject.evaluation, subject.to = (
        opp.stage,
        process,
        opp,
        facts,
        None,
        None,
    )
    try:
        ok = bool(subject.may_trigger(trigger)) if opp.stage in machine.states else False  # type: ignore[attr-defined]
        return Answer(ok, subject.to, subject.evaluation)
    finally:
        subject.process = subject.opp = subject.facts = subject.evaluation = None  # hold nothing between questions

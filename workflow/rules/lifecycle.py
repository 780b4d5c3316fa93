"""The lifecycle: which move an opportunity may make from where, and what the move does.

One table (`MOVES`), three readers: the state machine builds its transitions
from it (`rules.machine`), the guard's status blockers are its forward row read
aloud (`blockers`), and the audit replays a history through it (`replay`).

    move      from                          to                     on hold?   hold after
    forward   a stage with a forward trigger the next stage         not held   unchanged
    lose      an open stage (before signing) lost                   either     off
    reopen    lost                          the stage lost from    either     unchanged
    revert    a stage with one before it,   the stage before       not held   unchanged
              never back over the signature
    hold      a stage that can still be left (stays)               not held   on
    resume    a stage that can still be left (stays)               held       off

A stage "can still be left" when it has a forward trigger; "open" means before
the process's signed stage (`Process.signed`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from forms.choices import LOST_REASON
from workflow.errors import Missing
from workflow.i18n import Text, t
from workflow.rules.process import LOST, Process

FORWARD = "advance"  # stands for the current stage's own forward trigger (invite, visit... sign)

Sources = Literal["leavable", "open", "lost", "revertible"]
Destination = Literal["next", "lost", "lost-from", "previous", "stay"]


@dataclass(frozen=True)
class Move:
    trigger: str
    sources: Sources
    to: Destination
    hold: bool | None  # the hold flag the move needs (None: either)
    hold_after: bool | None  # the hold flag after the move (None: unchanged)
    refusal: Callable[[Process, Any], Text] | None = None  # why the machine said no, for a state row `opp`


def _label(process: Process, opp: Any, lang: str) -> str:
    return process.stage_label(opp.stage, lang)


MOVES: tuple[Move, ...] = (
    Move(FORWARD, "leavable", "next", hold=False, hold_after=None),  # refused with `blockers` and the requirements
    Move(
        "lose",
        "open",
        "lost",
        hold=None,
        hold_after=False,
        refusal=lambda p, o: t(
            f"商机 {o.id} 处于「{_label(p, o, 'zh')}」，不能标记丢单（只有未签约的商机可以）",
            f"opportunity {o.id} is at {_label(p, o, 'en')} and cannot be lost (only open opportunities can)",
        ),
    ),
    Move(
        "reopen",
        "lost",
        "lost-from",
        hold=None,
        hold_after=None,
        refusal=lambda p, o: t(
            f"商机 {o.id} 没有丢单，无需重新打开", f"opportunity {o.id} is not lost; nothing to reopen"
        ),
    ),
    Move(
        "revert",
        "revertible",
        "previous",
        hold=False,
        hold_after=None,
        refusal=lambda p, o: t(
            f"商机 {o.id} 处于「{_label(p, o, 'zh')}」，不能退回（第一阶段、已签约、已丢单或暂停中的商机不能退回）",
            f"opportunity {o.id} at {_label(p, o, 'en')} cannot go back "
            "(not from the first stage, a signed, lost or held opportunity)",
        ),
    ),
    Move(
        "hold",
        "leavable",
        "stay",
        hold=False,
        hold_after=True,
        refusal=lambda p, o: t(
            f"商机 {o.id} 已暂停或已结束，不能再暂停", f"opportunity {o.id} is already on hold or closed"
        ),
    ),
    Move(
        "resume",
        "leavable",
        "stay",
        hold=True,
        hold_after=False,
        refusal=lambda p, o: t(
            f"商机 {o.id} 没有暂停，无需恢复", f"opportunity {o.id} is not on hold; nothing to resume"
        ),
    ),
)
BY_TRIGGER: dict[str, Move] = {move.trigger: move for move in MOVES}


def sources(process: Process, move: Move) -> list[str]:
    """The stages `move` may start from."""
    if move.sources == "lost":
        return [LOST]
    ids = [s.id for s in process.stages]
    if move.sources == "leavable":
        return [s.id for s in process.stages if s.trigger]
    if move.sources == "open":
        return [i for i in ids if process.is_open(i)]
    # revertible: one stage back, and never from the signed stage back to before the signature
    return [i for n, i in enumerate(ids) if n > 0 and i != process.signed.id]


def destination(process: Process, move: Move, stage_id: str, lost_from: str | None = None) -> str | None:
    """Where `move` from `stage_id` leads (None: the opportunity stays where it is)."""
    if move.to == "next":
        following = process.next_stage(stage_id)
        return following.id if following else None
    if move.to == "lost":
        return LOST
    if move.to == "lost-from":
        return lost_from
    if move.to == "previous":
        previous = process.previous_stage(stage_id)
        return previous.id if previous else None
    return None


def blockers(process: Process, opp: Any) -> list[Missing]:
    """Why the forward move is not open to `opp` at all, read from its row of the table.

    Every blocker but "on hold" stops the guard before it evaluates the requirements;
    a held opportunity's refusal still lists everything missing.
    """
    forward = BY_TRIGGER[FORWARD]
    if opp.stage == LOST:
        reason = LOST_REASON.label(opp.lost_reason, "zh")
        return [
            Missing(
                "lost",
                t(f"商机已丢单（原因：{reason}）", f"the opportunity is lost (reason: {opp.lost_reason})"),
                f"kam opp reopen {opp.id}",
            )
        ]
    if opp.stage not in process.by_id:
        message = t(f"阶段 {opp.stage} 不在当前流程中", f"stage {opp.stage} is not in the active process")
        return [Missing("unknown-stage", message, "kam workflow show")]
    if opp.stage not in sources(process, forward):
        return [
            Missing(
                "final-stage",
                t("已是最后阶段（合同已签订）", "already at the last stage (contract signed)"),
                f"kam opp show {opp.id}",
            )
        ]
    if forward.hold is False and opp.on_hold:
        message = t(f"商机已暂停：{opp.hold_reason}", f"the opportunity is on hold: {opp.hold_reason}")
        return [Missing("on-hold", message, f"kam opp resume {opp.id}")]
    return []


def stops(blocker: Missing) -> bool:
    """Whether a blocker refuses the forward move before its requirements are evaluated."""
    return blocker.code != "on-hold"


def replay(trigger: str | None, on_hold: bool) -> bool:
    """The hold flag after a history row's move, from the table (an unknown trigger changes nothing)."""
    move = BY_TRIGGER.get(trigger or "")
    if move is None or move.hold_after is None:
        return on_hold
    return move.hold_after

"""The one move path: advance, lose, reopen, revert, hold, resume.

Every move reads the opportunity once, as a frozen state row locked for the
transaction (`queries.lock`, which also refuses a version newer than the one
the user acted on), asks the machine whether the move may happen
(`rules.machine.ask`), and writes one version-checked UPDATE plus its history
row (`queries.write`, `chain.append`). `check()` asks the same machine the same
question without writing: the dry run of `advance`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from workflow.errors import Missing, Refused
from workflow.i18n import t
from workflow.operations import payments
from workflow.records import chain, queries
from workflow.records.models import Account, utcnow
from workflow.records.queries import State
from workflow.rules import compliance, contract, lifecycle, machine, values
from workflow.rules.process import LOST, Process, Stage
from workflow.rules.requirements import Facts, needs


def compliance_report(
    session: Session, process: Process, opportunity_id: int, versions: dict[str, int] | None = None
) -> compliance.ComplianceReport:
    """The compliance rules on the opportunity's latest valid contract review (what the `sign` guard reads).

    `versions` ({kind: version}) reads those versions instead: the contract in force of a signed deal.
    """
    versions = versions or {}

    def read(kind: str) -> queries.LatestValid:
        if kind in versions:
            return queries.valid_version(session, opportunity_id, kind, versions[kind])
        return queries.latest_valid(session, opportunity_id, kind)

    review, minutes = read(compliance.REVIEW), read(compliance.MINUTES)
    version = review.document.version if review.document is not None else None
    signoffs = queries.signoffs_on(session, opportunity_id, version) if version is not None else []
    return compliance.evaluate(process, opportunity_id, review, minutes, signoffs)


def facts(session: Session, process: Process, opp: State, stage: Stage) -> Facts:
    """What the requirements of leaving `stage` read, loaded through the records queries."""
    need = needs(stage)
    return Facts(
        opportunity_id=opp.id,
        account_id=opp.account_id,
        account=session.get(Account, opp.account_id) if need.account else None,
        contacts=queries.contact_count(session, opp.account_id) if need.contacts else 0,
        documents={kind: queries.latest_valid(session, opp.id, kind) for kind in need.kinds},
        compliance=compliance_report(session, process, opp.id) if need.compliance else None,
    )


@dataclass
class Check:
    """What the next step of an opportunity still needs (the dry run of `advance`)."""

    opportunity: State
    trigger: str | None
    next_stage: str | None
    missing: list[Missing] = field(default_factory=list)
    documents: dict[str, int] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return not self.missing


def check(session: Session, process: Process, opportunity_id: int) -> Check:
    """Every unmet requirement of the opportunity's next forward step: the machine asked, nothing written."""
    opp = queries.state(session, opportunity_id)
    stage = process.by_id.get(opp.stage)
    following = process.next_stage(opp.stage) if stage else None
    result = Check(
        opp, stage.trigger if stage else None, following.id if following else None, lifecycle.blockers(process, opp)
    )
    if stage is not None and stage.trigger:
        answer = machine.ask(process, opp, stage.trigger, facts(session, process, opp, stage))
        assert answer.evaluation is not None
        result.missing.extend(answer.evaluation.missing)
        result.documents = answer.evaluation.documents
    return result


def _refuse(process: Process, opp: State, trigger: str, missing: list[Missing]) -> Refused:
    stage, stage_en = process.stage_label(opp.stage), process.stage_label(opp.stage, "en")
    return Refused(
        t(
            f"商机 {opp.id}「{opp.title}」不能执行 {trigger}（当前阶段：{stage}），还缺 {len(missing)} 项：",
            f"opportunity {opp.id} ({opp.title}) cannot {trigger} from {stage_en}; {len(missing)} requirement(s) "
            "unmet:",
        ),
        missing,
    )


def advance(
    session: Session, process: Process, opportunity_id: int, *, actor: str, expected_version: int | None = None
) -> chain.Recorded:
    """Fire the current stage's forward trigger if every requirement holds; entering the signed stage signs."""
    opp = queries.lock(session, opportunity_id, expected_version)
    blockers = lifecycle.blockers(process, opp)
    if any(lifecycle.stops(b) for b in blockers):
        raise _refuse(process, opp, "advance", blockers)
    stage = process.by_id[opp.stage]
    assert stage.trigger is not None
    answer = machine.ask(process, opp, stage.trigger, facts(session, process, opp, stage))
    assert answer.evaluation is not None
    if not answer.ok:
        raise _refuse(process, opp, stage.trigger, blockers + answer.evaluation.missing)
    now = utcnow()
    changes: dict[str, Any] = {}
    detail: dict[str, Any] | None = None
    if answer.to == process.signed.id:
        changes["signed_at"] = now  # the moment of the move: "signed" in its row (the audit replays signed_at)
        detail = {"signed": True}
        review = queries.latest_valid(session, opp.id, compliance.REVIEW).document
        if review is not None:  # the contract's quantity becomes the opportunity's, recorded with its number and total
            detail.update(contract.signing_detail(review.data, opp.quantity))
            if detail["quantity"][1] is not None:
                changes["quantity"] = detail["quantity"][1]
    recorded = _write(
        session,
        opp,
        answer.to,
        stage.trigger,
        actor,
        documents=answer.evaluation.documents,
        detail=detail,
        changes=changes,
        now=now,
    )
    if "signed_at" in changes:
        payments.refresh(session, opp.id)  # the contract in force: the deal's amount and its receivables
    return recorded


def _asked(
    session: Session, process: Process, opportunity_id: int, trigger: str, expected_version: int | None
) -> tuple[State, str | None]:
    """The locked state and where the lifecycle move `trigger` leads; refused when the machine says no."""
    opp = queries.lock(session, opportunity_id, expected_version)
    if opp.stage != LOST and opp.stage not in process.by_id:
        raise process.not_in_process(opp.stage)  # the database was built with another process file
    answer = machine.ask(process, opp, trigger)
    refusal = lifecycle.BY_TRIGGER[trigger].refusal
    if not answer.ok:
        assert refusal is not None
        raise Refused(refusal(process, opp), [])
    return opp, answer.to


def lose(
    session: Session,
    process: Process,
    opportunity_id: int,
    *,
    reason: str,
    note: str | None,
    actor: str,
    expected_version: int | None = None,
) -> chain.Recorded:
    """Mark an open opportunity lost, with one of the process's reasons."""
    reason = process.lost_reason_choice.parse(reason, t("丢单原因", "lost reason"))  # price, 价格 or "no budget"
    note = values.text("note", note)
    opp, to = _asked(session, process, opportunity_id, "lose", expected_version)
    changes = {"lost_from": opp.stage, "lost_reason": reason, "lost_note": note, "on_hold": False, "hold_reason": None}
    return _write(
        session, opp, to, "lose", actor, reason=reason, detail={"note": note} if note else None, changes=changes
    )


def reopen(
    session: Session,
    process: Process,
    opportunity_id: int,
    *,
    actor: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> chain.Recorded:
    """A lost opportunity back at the stage it was lost from."""
    opp, to = _asked(session, process, opportunity_id, "reopen", expected_version)
    changes = {"lost_from": None, "lost_reason": None, "lost_note": None}
    return _write(session, opp, to, "reopen", actor, reason=values.text("reason", reason), changes=changes)


def revert(
    session: Session,
    process: Process,
    opportunity_id: int,
    *,
    reason: str,
    actor: str,
    expected_version: int | None = None,
) -> chain.Recorded:
    """One stage back, with a reason (never back over the signature)."""
    reason = values.required_text("reason (原因)", reason)
    opp, to = _asked(session, process, opportunity_id, "revert", expected_version)
    return _write(session, opp, to, "revert", actor, reason=reason)


def hold(
    session: Session,
    process: Process,
    opportunity_id: int,
    *,
    reason: str,
    actor: str,
    expected_version: int | None = None,
) -> chain.Recorded:
    """Pause an opportunity: it cannot advance until resumed."""
    reason = values.required_text("reason (原因)", reason)
    opp, _ = _asked(session, process, opportunity_id, "hold", expected_version)
    return _write(session, opp, None, "hold", actor, reason=reason, changes={"on_hold": True, "hold_reason": reason})


def resume(
    session: Session, process: Process, opportunity_id: int, *, actor: str, expected_version: int | None = None
) -> chain.Recorded:
    """Take an opportunity off hold."""
    opp, _ = _asked(session, process, opportunity_id, "resume", expected_version)
    return _write(session, opp, None, "resume", actor, changes={"on_hold": False, "hold_reason": None})


def _write(
    session: Session,
    opp: State,
    to_stage: str | None,
    trigger: str,
    actor: str,
    *,
    reason: str | None = None,
    documents: dict[str, int] | None = None,
    detail: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> chain.Recorded:
    """Write one move: the opportunity's versioned UPDATE (with `changes`) and its history row."""
    now = now or utcnow()
    moved: dict[str, Any] = dict(changes or {})
    if to_stage is not None and to_stage != opp.stage:
        moved.update(stage=to_stage, stage_entered_at=now)
    written = queries.write(session, opp, moved, now)  # in-stage changes (hold) bump the version too
    return chain.append(
        session,
        opp.id,
        actor=actor,
        action="transition",
        trigger=trigger,
        from_stage=opp.stage,
        to_stage=written.get("stage", opp.stage),
        reason=reason,
        documents=documents or None,
        detail=detail,
        at=now,
        touch=False,  # last_activity_at is in the UPDATE
    )

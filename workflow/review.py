"""Departmental sign-offs (会签) on the contract review.

A sign-off applies to one version of the contract review: a new version voids
every earlier sign-off (they stay in the history). A reviewer is never the
opportunity's owner and signs for one department per opportunity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import history
from workflow.engine import get_opportunity
from workflow.errors import InvalidInput, Refused
from workflow.i18n import t
from workflow.models import SignOff, utcnow
from workflow.process import LOST, Process
from workflow.requirements import latest_valid

DECISIONS = ("approve", "reject")


def decide(
    session: Session,
    process: Process,
    opportunity_id: int,
    *,
    department: str,
    decision: str,
    actor: str,
    comment: str | None = None,
    review_version: int | None = None,
) -> SignOff:
    """Record `actor`'s decision for `department` on the latest contract review.

    `review_version`, when given, is the version the reviewer looked at; if the
    review changed since, the decision is refused rather than applied to a
    version the reviewer has not seen.
    """
    if decision not in DECISIONS:
        raise InvalidInput(t(f"审批结论须为 approve 或 reject，收到 {decision!r}", f"decision must be approve or reject, got {decision!r}"))
    if department not in process.departments:
        raise InvalidInput(
            t(f"部门 {department!r} 不在会签部门中；可选：{', '.join(process.departments)}", f"department {department!r} is not a sign-off department; choose one of: {', '.join(process.departments)}")
        )
    actor = (actor or "").strip()
    if not actor:
        raise InvalidInput(t("审批人不能为空 (--actor)", "the reviewer must be named (--actor)"))
    comment = (comment or "").strip() or None
    if decision == "reject" and not comment:
        raise InvalidInput(t("驳回须写明原因 (--comment)", "a rejection needs a reason (--comment)"))
    opp = get_opportunity(session, opportunity_id, for_update=True)
    if opp.stage == LOST:
        raise Refused(
            t(f"商机 {opp.id} 已丢单，不再会签：如需继续，先 kam opp reopen {opp.id}", f"opportunity {opp.id} is lost; there is nothing to sign off: kam opp reopen {opp.id} first"),
            [],
        )
    if opp.signed_at is not None and opp.stage == process.last.id:
        raise Refused(
            t(f"商机 {opp.id} 的合同已签订，会签已结束", f"opportunity {opp.id} is already signed; sign-offs are closed"),
            [],
        )
    if actor == opp.owner:
        raise Refused(
            t(f"{actor} 是商机 {opp.id} 的负责人，不能审批自己的合同：请由{process.department_label(department)}其他人审批", f"{actor} owns opportunity {opp.id} and cannot review its contract: ask someone else in {process.department_label(department, 'en')}"),
            [],
        )
    review = latest_valid(session, opp.id, "contract-review")
    if review.document is None:
        raise Refused(
            t(f"商机 {opp.id} 还没有有效的合同审核表：先用 kam doc fill {opp.id} contract-review --file FILE 填写", f"opportunity {opp.id} has no valid contract review yet: fill one with kam doc fill {opp.id} contract-review --file FILE"),
            [],
        )
    version = review.document.version
    if review_version is not None and review_version != version:
        raise Refused(
            t(f"合同审核表已更新为 v{version}（你审阅的是 v{review_version}）：请重新审阅后再审批", f"the contract review is now v{version} (you reviewed v{review_version}): review it again before deciding"),
            [],
        )
    other = session.scalar(
        select(SignOff.department).where(SignOff.opportunity_id == opp.id, SignOff.reviewer == actor, SignOff.department != department).limit(1)
    )
    if other is not None:
        raise Refused(
            t(f"{actor} 已代表{process.department_label(other)}审批过商机 {opp.id}，同一人只能代表一个部门", f"{actor} already reviewed opportunity {opp.id} for {process.department_label(other, 'en')}; one reviewer signs for one department only"),
            [],
        )
    now = utcnow()
    signoff = SignOff(
        opportunity_id=opp.id, department=department, reviewer=actor, decision=decision, comment=comment, review_version=version, at=now
    )
    session.add(signoff)
    history.append(
        session,
        opp.id,
        actor=actor,
        action="signoff",
        at=now,
        reason=comment,
        documents={"contract-review": version},
        detail={"department": department, "decision": decision},
    )
    session.flush()
    return signoff


@dataclass(frozen=True)
class SignOffRecord:
    """One sign-off as it stands now: `void` when a later contract review replaced the version it applied to."""

    department: str
    reviewer: str
    decision: str
    comment: str | None
    review_version: int
    at: dt.datetime
    void: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "reviewer": self.reviewer,
            "decision": self.decision,
            "comment": self.comment,
            "review_version": self.review_version,
            "at": self.at,
            "void": self.void,
        }


def signoff_history(session: Session, opportunity_id: int) -> list[SignOffRecord]:
    """Every sign-off on the opportunity, oldest first, marking those voided by a newer review."""
    get_opportunity(session, opportunity_id)
    current = latest_valid(session, opportunity_id, "contract-review").document
    version = current.version if current is not None else None
    rows = session.scalars(select(SignOff).where(SignOff.opportunity_id == opportunity_id).order_by(SignOff.at, SignOff.id))
    return [
        SignOffRecord(r.department, r.reviewer, r.decision, r.comment, r.review_version, r.at, r.review_version != version)
        for r in rows
    ]


def pending_departments(session: Session, process: Process, opportunity_id: int, review_version: int) -> list[str]:
    """The required departments without a standing approval of `review_version` (none yet, or rejected)."""
    from workflow.compliance import current_signoffs

    current = current_signoffs(session, opportunity_id, review_version)
    return [d for d in process.departments if d not in current or current[d].decision != "approve"]

"""Departmental sign-offs (会签) on the contract review.

A sign-off applies to one version of the contract review: a new version voids
every earlier sign-off (they stay in the history). A reviewer is never the
opportunity's owner and signs for one department per opportunity.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from forms.choices import DECISION
from workflow.errors import InvalidInput, Refused
from workflow.i18n import t
from workflow.records import chain, queries
from workflow.records.models import SignOff, utcnow
from workflow.rules.compliance import REVIEW
from workflow.rules.process import LOST, Process


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
    if decision not in DECISION.values:
        raise InvalidInput(
            t(
                f"审批结论须为 approve 或 reject，收到 {decision!r}",
                f"decision must be approve or reject, got {decision!r}",
            )
        )
    if department not in process.departments:
        raise InvalidInput(
            t(
                f"部门 {department!r} 不在会签部门中；可选：{', '.join(process.departments)}",
                f"department {department!r} is not a sign-off department; choose one of: "
                f"{', '.join(process.departments)}",
            )
        )
    actor = (actor or "").strip()
    if not actor:
        raise InvalidInput(t("审批人不能为空 (--actor)", "the reviewer must be named (--actor)"))
    comment = (comment or "").strip() or None
    if decision == "reject" and not comment:
        raise InvalidInput(t("驳回须写明原因 (--comment)", "a rejection needs a reason (--comment)"))
    opp = queries.lock(session, opportunity_id)
    if opp.stage == LOST:
        raise Refused(
            t(
                f"商机 {opp.id} 已丢单，不再会签：如需继续，先 kam opp reopen {opp.id}",
                f"opportunity {opp.id} is lost; there is nothing to sign off: kam opp reopen {opp.id} first",
            ),
            [],
        )
    if opp.signed_at is not None and process.is_signed(opp.stage):
        raise Refused(
            t(
                f"商机 {opp.id} 的合同已签订，会签已结束",
                f"opportunity {opp.id} is already signed; sign-offs are closed",
            ),
            [],
        )
    if actor == opp.owner:
        raise Refused(
            t(
                f"{actor} 是商机 {opp.id} 的负责人，不能审批自己的合同："
                f"请由{process.department_label(department)}其他人审批",
                f"{actor} owns opportunity {opp.id} and cannot review its contract: ask someone else in "
                f"{process.department_label(department, 'en')}",
            ),
            [],
        )
    review = queries.latest_valid(session, opp.id, REVIEW)
    if review.document is None:
        raise Refused(
            t(
                f"商机 {opp.id} 还没有有效的合同审核表：先用 kam doc fill {opp.id} contract-review --file FILE 填写",
                f"opportunity {opp.id} has no valid contract review yet: fill one with kam doc fill {opp.id} "
                "contract-review --file FILE",
            ),
            [],
        )
    version = review.document.version
    if review_version is not None and review_version != version:
        raise Refused(
            t(
                f"合同审核表已更新为 v{version}（你审阅的是 v{review_version}）：请重新审阅后再审批",
                f"the contract review is now v{version} (you reviewed v{review_version}): review it again before "
                "deciding",
            ),
            [],
        )
    other = queries.other_department(session, opp.id, actor, department)
    if other is not None:
        raise Refused(
            t(
                f"{actor} 已代表{process.department_label(other)}审批过商机 {opp.id}，同一人只能代表一个部门",
                f"{actor} already reviewed opportunity {opp.id} for {process.department_label(other, 'en')}; one "
                "reviewer signs for one department only",
            ),
            [],
        )
    now = utcnow()
    signoff = SignOff(
        opportunity_id=opp.id,
        department=department,
        reviewer=actor,
        decision=decision,
        comment=comment,
        review_version=version,
        at=now,
    )
    session.add(signoff)
    chain.append(
        session,
        opp.id,
        actor=actor,
        action="signoff",
        at=now,
        reason=comment,
        documents={REVIEW: version},
        detail={"department": department, "decision": decision},
    )
    session.flush()
    return signoff

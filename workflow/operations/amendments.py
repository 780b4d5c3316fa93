"""Amending a signed contract (合同变更): open the amendment, and let it take effect once compliance passes again.

`amend` records the amendment in the history (action `amend`, with its reason)
and opens a new contract review, a copy of the contract in force, whose
sign-offs start empty; the deal stays signed and shows 变更审核中. While it is
open the negotiation minutes, the scorecard and the contract review may take
new versions again. When compliance passes on the newest review with every
department's approval (`settle`, called after each sign-off), the amendment
takes effect (action `amended`): the amended review is the contract in force,
the opportunity's quantity becomes its quantity, and the earlier versions stay
readable by version.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from workflow.errors import Refused
from workflow.i18n import t
from workflow.operations import documents, moves, payments
from workflow.records import chain, queries
from workflow.records.models import utcnow
from workflow.records.queries import State
from workflow.rules import contract, values
from workflow.rules.process import Process


def amend(
    session: Session,
    process: Process,
    opportunity_id: int,
    *,
    reason: str,
    actor: str,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Open an amendment of the signed contract; returns its history row's seq and the new review version."""
    reason = values.required_text("reason (原因)", reason)
    opp = queries.lock(session, opportunity_id, expected_version)
    if opp.signed_at is None or not process.is_signed(opp.stage):
        raise Refused(
            t(
                f"商机 {opp.id} 尚未签约，没有可变更的合同：签约前直接用 kam doc fill {opp.id} contract-review --file "
                "FILE 修改合同审核表",
                f"opportunity {opp.id} is not signed; there is no contract to amend: before signing, change the "
                f"contract review with kam doc fill {opp.id} contract-review --file FILE",
            ),
            [],
        )
    if opp.amending_since is not None:
        raise Refused(
            t(
                f"商机 {opp.id} 已有一项合同变更在审核中：用 kam compliance {opp.id} 查看还缺什么",
                f"opportunity {opp.id} already has an amendment under review: see what it still needs with kam "
                f"compliance {opp.id}",
            ),
            [],
        )
    in_force = contract.in_force(queries.history_rows(session, opp.id))
    review = (
        queries.valid_version(session, opp.id, contract.REVIEW, in_force[contract.REVIEW])
        if contract.REVIEW in in_force
        else queries.latest_valid(session, opp.id, contract.REVIEW)
    )
    if review.document is None:
        raise Refused(
            t(
                f"商机 {opp.id} 没有有效的合同审核表可供变更：用 kam doc list {opp.id} 查看",
                f"opportunity {opp.id} has no valid contract review to amend: see kam doc list {opp.id}",
            ),
            [],
        )
    now = utcnow()
    queries.write(session, opp, {"amending_since": now}, now)
    event = chain.append(
        session,
        opp.id,
        actor=actor,
        action=contract.AMEND,
        reason=reason,
        documents={contract.REVIEW: review.document.version},
        detail={"contract_no": review.document.data.get("contract_no")},
        at=now,
        touch=False,  # last_activity_at is in the UPDATE
    )
    opened = documents.fill_document(session, opp.id, contract.REVIEW, review.document.data, actor=actor)
    return {
        "id": opp.id,
        "seq": event.seq,
        "amending": True,
        "from_version": review.document.version,
        "review_version": opened.version,
    }


def settle(session: Session, process: Process, opp: State, *, actor: str) -> chain.Recorded | None:
    """Let an open amendment take effect when compliance now passes on the newest review (None: still open).

    `opp` is the opportunity as its caller locked it (a sign-off was just recorded on it).
    """
    if opp.amending_since is None:
        return None
    report = moves.compliance_report(session, process, opp.id)
    if not report.ok or report.review_version is None:
        return None
    review = queries.valid_version(session, opp.id, contract.REVIEW, report.review_version).document
    assert review is not None
    detail = contract.signing_detail(review.data, opp.quantity)
    changes: dict[str, Any] = {"amending_since": None}
    if detail["quantity"][1] is not None:
        changes["quantity"] = detail["quantity"][1]
    now = utcnow()
    queries.write(session, opp, changes, now)
    versions = dict(report.documents)
    if report.minutes_version is not None:
        versions[contract.MINUTES] = report.minutes_version
    recorded = chain.append(
        session,
        opp.id,
        actor=actor,
        action=contract.AMENDED,
        documents=versions,
        detail=detail,
        at=now,
        touch=False,
    )
    payments.refresh(session, opp.id)  # the amended contract is in force: its amount, milestones and receivables
    return recorded

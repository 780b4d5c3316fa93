"""What `kam compliance ID` prints and its PDF: the review rule by rule, the sign-offs, the evaluation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from forms.choices import RISK
from reports import DocumentContext
from workflow.i18n import Text, t
from workflow.operations.moves import compliance_report
from workflow.records import queries
from workflow.rules import contract
from workflow.rules.compliance import REVIEW, current
from workflow.rules.process import Process
from workflow.views.company import letterhead
from workflow.views.documents import opportunity_number
from workflow.views.opportunities import scorecard


def review_view(session: Session, process: Process, opportunity_id: int, lang: str = "zh") -> dict[str, Any]:
    """The compliance review as plain data: `kam compliance ID` (--json and text) and its PDF read this.

    The rules come from `operations.moves.compliance_report`, the same call the `sign` guard makes.
    """
    opp = queries.get_opportunity(session, opportunity_id)
    state = contract_state(session, opp)
    # a signed deal without an open amendment is reviewed on the contract in force, never on a later version
    in_force = state["in_force"] if state["state"] == "signed" else None
    report = compliance_report(session, process, opportunity_id, in_force)
    signoffs = []
    for record in signoff_history(session, opportunity_id):
        row = record.to_dict()
        row["department_label"] = process.department_label(record.department, lang)
        signoffs.append(row)
    return {
        "id": opp.id,
        "title": opp.title,
        "account": opp.account.name,
        "owner": opp.owner,
        "stage": opp.stage,
        "stage_label": process.stage_label(opp.stage, lang),
        "contract_no": report.contract_no,
        "review_version": report.review_version,
        "minutes_version": report.minutes_version,
        "ok": report.ok,
        "lines": [
            {
                "model": line.model,
                "quantity": line.quantity,
                "unit_price": float(line.unit_price),
                "amount": float(line.amount),
            }
            for line in report.lines
        ],
        "totals": report.totals(),
        "rules": [rule.to_dict(lang) for rule in report.rules],
        "missing": [m.to_dict(lang) for m in report.missing()],
        "departments": [{"id": d, "label": process.department_label(d, lang)} for d in process.departments],
        "signoffs": signoffs,
        "limits": dict(process.limits),
        "evaluation": scorecard(session, opp.id),
        **state,
    }


def contract_state(session: Session, opp: Any) -> dict[str, Any]:
    """Where the contract stands: open (not signed), signed, or amending (signed, an amendment under review).

    `in_force` is the contract in force ({kind: version}: the versions the signature or the last amendment
    taking effect recorded; {} before signing).
    """
    signed = opp.signed_at is not None
    amending = signed and opp.amending_since is not None
    return {
        "state": "amending" if amending else ("signed" if signed else "open"),
        "signed_at": opp.signed_at,
        "amending": amending,
        "amending_since": opp.amending_since if amending else None,
        "in_force": contract.in_force(queries.history_rows(session, opp.id)) if signed else {},
    }


# Words of the review page that the shared report labels do not have.
PAGE_WORDS: dict[str, Text] = {
    "title": t("合同审核（合规审查）", "Contract compliance review"),
    "contract_no": t("合同编号", "Contract number"),
    "review_version": t("合同审核表版本", "Contract review version"),
    "minutes_version": t("对照谈判纪要", "Against negotiation minutes"),
    "pass": t("通过", "pass"),
    "fail": t("不通过", "FAIL"),
    "conclusion": t("审核结论", "Conclusion"),
    "contract_total": t("合同总价", "Contract total"),
    "negotiated_total": t("谈判约定", "Negotiated"),
    "vehicles": t("台", "vehicles"),
    "all_pass": t("全部通过，可以签约", "every rule passes: the contract may be signed"),
    "some_fail": t("{n} 项不通过，不能签约", "{n} rule(s) fail: the contract cannot be signed"),
    "signed": t("合同已签订（{when}）", "the contract is signed ({when})"),
    "amending_pass": t("变更审核全部通过", "the amendment passes every rule"),
    "amending_fail": t(
        "变更审核中：{n} 项不通过，变更尚未生效（原合同仍然有效）",
        "amendment under review: {n} rule(s) fail, the amendment is not in force yet (the signed contract stands)",
    ),
    "department": t("部门", "Department"),
    "signed_with": t("签名公钥", "signed with key"),
    "void": t("已失效（合同审核表已更新）", "void (the review changed since)"),
    "waiting": t("待审批", "waiting"),
    "evaluation": t("项目评估", "Evaluation"),
    "us": t("我方", "Us"),
    "defection_risk": t("背叛风险", "Defection risk"),
    "standard": t("采购标准", "Purchase standard"),
    "we_meet": t("我方符合", "We meet it"),
    "competitor_meets": t("竞争对手符合", "Competitor meets it"),
    "none": t("—", "—"),
}


def review_pdf(
    session: Session, process: Process, opportunity_id: int, lang: str = "zh"
) -> tuple[dict[str, Any], bytes]:
    """The review (`review_view`) and the same review as a PDF: checklist, evaluation and sign-off block."""
    data = review_view(session, process, opportunity_id, lang)
    opp = queries.get_opportunity(session, opportunity_id)
    version = data["review_version"]
    review = queries.valid_version(session, opportunity_id, REVIEW, version).document if version else None
    # dated by the state it shows (the review version and its latest sign-off), so the same state prints the same PDF
    moments = [review.created_at] if review is not None else [opp.created_at]
    moments += [s["at"] for s in data["signoffs"]]
    ctx = DocumentContext(
        opportunity_id=opp.id,
        opportunity_number=opportunity_number(opp),
        opportunity_title=opp.title,
        customer=opp.account.name,
        owner=opp.owner,
        version=data["review_version"] or 0,
        created_at=max(moments),
        author=review.author if review is not None else "",
        doc_hash=review.sha256 if review is not None else "",
        company=letterhead(session.connection()),
    )
    return data, render_review(data, ctx, lang)


def render_review(review: dict[str, Any], ctx: DocumentContext, lang: str = "zh") -> bytes:
    """The review as a PDF from its data (`review_view`'s shape): an internal document, like every report."""
    from reports import render_report_pdf  # Jinja2 and the PDF layer load only when a PDF is asked for

    words = {key: text.render(lang) for key, text in PAGE_WORDS.items()}
    failed = sum(not r["ok"] for r in review["rules"])
    words["some_fail"] = PAGE_WORDS["some_fail"].render(lang).format(n=failed)
    words["amending_fail"] = PAGE_WORDS["amending_fail"].render(lang).format(n=failed)
    signed_at = review.get("signed_at")
    words["signed"] = PAGE_WORDS["signed"].render(lang).format(when=signed_at.date().isoformat() if signed_at else "")
    decided = {s["department"] for s in review["signoffs"] if not s["void"]}
    context = {
        "title": words["title"],
        "review": review,
        "W": words,
        "risk_label": {key: RISK.label(key, lang) for key in RISK.values},
        "waiting": [d for d in review["departments"] if d["id"] not in decided],
    }
    return render_report_pdf("compliance-review.html", context, ctx, lang)


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
    key_fingerprint: str | None = None  # the key that signed it (None: not signed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key_fingerprint": self.key_fingerprint,
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
    queries.state(session, opportunity_id)
    latest = queries.latest_valid(session, opportunity_id, REVIEW).document
    version = latest.version if latest is not None else None
    rows = queries.signoffs(session, opportunity_id)
    return [
        SignOffRecord(
            r.department,
            r.reviewer,
            r.decision,
            r.comment,
            r.review_version,
            r.at,
            r.review_version != version,
            r.key_fingerprint if r.signature is not None else None,
        )
        for r in rows
    ]


def pending_departments(session: Session, process: Process, opportunity_id: int, review_version: int) -> list[str]:
    """The required departments without a standing approval of `review_version` (none yet, or rejected)."""
    standing = current(queries.signoffs_on(session, opportunity_id, review_version))
    return [d for d in process.departments if d not in standing or standing[d].decision != "approve"]


def decided(
    session: Session,
    process: Process,
    signoff: Any,
    repeated: bool = False,
    replaced: Any = None,
    amended: bool = False,
) -> dict[str, Any]:
    """What `kam review approve/reject` prints: the decision, and the departments still to approve.

    `repeated`: the reviewer had already decided so (nothing stored); `replaced`: the sign-off this one replaced;
    `amended`: this approval put the open amendment of a signed contract in force.
    """
    return {
        "amended": amended,
        "repeated": repeated,
        "replaces": (
            None
            if replaced is None
            else {"reviewer": replaced.reviewer, "decision": replaced.decision, "at": replaced.at}
        ),
        "id": signoff.opportunity_id,
        "department": signoff.department,
        "reviewer": signoff.reviewer,
        "decision": signoff.decision,
        "comment": signoff.comment,
        "review_version": signoff.review_version,
        "at": signoff.at,
        "key_fingerprint": signoff.key_fingerprint if getattr(signoff, "signature", None) else None,
        "pending": pending_departments(session, process, signoff.opportunity_id, signoff.review_version),
    }

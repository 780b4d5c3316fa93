"""The compliance gate before signing (合同审核, SPEC §4).

`evaluate()` is the single reader: `kam compliance ID` prints its rules, and the
`sign` guard (the `compliance` check in the process) turns its failures into
missing requirements. Each rule is pass/fail with a reason a manager can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.errors import Missing
from workflow.i18n import Text, t
from workflow.models import Opportunity, SignOff
from workflow.process import Process

DEPARTMENT_LABELS: dict[str, Text] = {
    "sales": t("销售部", "sales"),
    "finance": t("财务部", "finance"),
    "legal": t("法务部", "legal"),
    "production": t("生产部", "production"),
}


def department_label(department: str, lang: str = "zh") -> str:
    text = DEPARTMENT_LABELS.get(department)
    return text.render(lang) if text else department


@dataclass(frozen=True)
class RuleResult:
    code: str  # stable: "compliance.<rule>"
    title: Text
    ok: bool
    reasons: tuple[Text, ...] = ()
    command: str = ""


@dataclass
class ComplianceReport:
    opportunity_id: int
    review_version: int | None
    rules: list[RuleResult] = field(default_factory=list)
    documents: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(rule.ok for rule in self.rules)

    def missing(self) -> list[Missing]:
        out = []
        for rule in self.rules:
            if not rule.ok:
                for reason in rule.reasons or (rule.title,):
                    out.append(Missing(rule.code, t(f"{rule.title.zh}：{reason.zh}", f"{rule.title.en}: {reason.en}"), rule.command))
        return out


def current_signoffs(session: Session, opportunity_id: int, review_version: int) -> dict[str, SignOff]:
    """The latest decision of each department on `review_version` (earlier versions' sign-offs are void)."""
    rows = session.scalars(
        select(SignOff)
        .where(SignOff.opportunity_id == opportunity_id, SignOff.review_version == review_version)
        .order_by(SignOff.at, SignOff.id)
    ).all()
    return {row.department: row for row in rows}


def evaluate(session: Session, process: Process, opp: Opportunity) -> ComplianceReport:
    from workflow.requirements import latest_valid

    review = latest_valid(session, opp.id, "contract-review")
    fill = f"kam doc fill {opp.id} contract-review --file FILE"
    if review.form is None:
        reason = (
            t("还没有合同审核表", "there is no contract review yet")
            if review.newest_version is None
            else t(f"合同审核表 v{review.newest_version} 不符合当前格式：{review.problem}", f"contract review v{review.newest_version} no longer validates: {review.problem}")
        )
        report = ComplianceReport(opp.id, None)
        report.rules.append(RuleResult("compliance.contract-review", t("合同审核表", "Contract review"), False, (reason,), fill))
        return report

    assert review.document is not None
    version = review.document.version
    report = ComplianceReport(opp.id, version, documents={"contract-review": version})
    signoffs = current_signoffs(session, opp.id, version)
    reasons = []
    for dept in process.departments:
        signoff = signoffs.get(dept)
        label = DEPARTMENT_LABELS.get(dept, Text(dept, dept))
        if signoff is None:
            reasons.append(t(f"{label.zh}尚未审批 v{version}", f"{label.en} has not approved v{version}"))
        elif signoff.decision != "approve":
            reasons.append(
                t(f"{label.zh}（{signoff.reviewer}）驳回：{signoff.comment}", f"{label.en} ({signoff.reviewer}) rejected: {signoff.comment}")
            )
    report.rules.append(
        RuleResult(
            "compliance.signoffs",
            t("部门会签", "Departmental sign-offs"),
            not reasons,
            tuple(reasons),
            f"kam review approve {opp.id} --department DEPT",
        )
    )
    return report

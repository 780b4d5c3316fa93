"""Departmental sign-offs (会签) on the latest contract review.

A reviewer is never the opportunity's owner and signs for one department per
opportunity; a new version of the contract review voids earlier sign-offs.

\b
Example:
  kam --actor 钱进 review approve 1 --department finance --comment "付款条件符合规定"
  kam --actor 孙律 review reject 1 --department legal --comment "违约条款需修改"
"""

from __future__ import annotations

import click

from commands._common import Kam, KamGroupBase, pass_kam
from workflow.operations.signoffs import decide
from workflow.views.compliance import decided


@click.group("review", cls=KamGroupBase, help=__doc__)
def review() -> None:
    pass


def _decide(
    kam: Kam, opportunity_id: int, department: str, decision: str, comment: str | None, version: int | None
) -> None:
    with kam.db.write() as session:
        signoff = decide(
            session,
            kam.process,
            opportunity_id,
            department=department,
            decision=decision,
            actor=kam.actor,
            comment=comment,
            review_version=version,
        )
        data = decided(session, kam.process, signoff)
    label_zh, label_en = kam.process.department_label(department, "zh"), kam.process.department_label(department, "en")
    if decision == "approve":
        zh = f"{data['reviewer']} 代表{label_zh}同意商机 {opportunity_id} 的合同审核表 v{data['review_version']}"
        en = (
            f"{data['reviewer']} approved contract review v{data['review_version']} of opportunity "
            f"{opportunity_id} for {label_en}"
        )
    else:
        zh = (
            f"{data['reviewer']} 代表{label_zh}驳回商机 {opportunity_id} 的合同审核表 v{data['review_version']}："
            "签约被阻止，直到重新审批"
        )
        en = (
            f"{data['reviewer']} rejected contract review v{data['review_version']} of opportunity "
            f"{opportunity_id} for {label_en}: signing is blocked until a new approval"
        )
    if data["pending"]:
        zh += "；尚待审批：" + "、".join(kam.process.department_label(d, "zh") for d in data["pending"])
        en += "; still waiting for: " + ", ".join(kam.process.department_label(d, "en") for d in data["pending"])
    else:
        zh += f"；各部门均已同意，合规结论见 kam compliance {opportunity_id}"
        en += f"; every department has approved, see kam compliance {opportunity_id}"
    kam.emit(data, lambda: kam.say(zh, en))


_VERSION_HELP = "The contract-review version you reviewed; refused if a newer one was stored since."


@review.command("approve")
@click.argument("opportunity_id", type=int)
@click.option("--department", required=True, help="The department you sign for (see kam workflow show).")
@click.option("--comment", help="Your remarks (optional).")
@click.option("--version", "version", type=int, help=_VERSION_HELP)
@pass_kam
def review_approve(kam: Kam, opportunity_id: int, department: str, comment: str | None, version: int | None) -> None:
    """Approve the latest contract review for one department (as --actor).

    \b
    Example:
      kam --actor 钱进 review approve 1 --department finance --comment "付款条件符合规定"
      kam --actor 李工 review approve 1 --department production --version 2
    """
    _decide(kam, opportunity_id, department, "approve", comment, version)


@review.command("reject")
@click.argument("opportunity_id", type=int)
@click.option("--department", required=True, help="The department you sign for (see kam workflow show).")
@click.option("--comment", required=True, help="Why: what must change before you approve.")
@click.option("--version", "version", type=int, help=_VERSION_HELP)
@pass_kam
def review_reject(kam: Kam, opportunity_id: int, department: str, comment: str, version: int | None) -> None:
    """Reject the latest contract review for one department; signing is blocked until a new approval.

    \b
    Example:
      kam --actor 孙律 review reject 1 --department legal --comment "违约赔偿比例过高，改为 10%"
    """
    _decide(kam, opportunity_id, department, "reject", comment, version)


COMMAND = review

"""Departmental sign-offs (会签) on the latest contract review.

A reviewer is never the opportunity's owner and signs for one department per
opportunity; a new version of the contract review voids earlier sign-offs. A
department signs a version once: approving again changes nothing, a second
reviewer is refused, and a rejection replaces the department's approval.

\b
Example:
  kam review pending --department finance
  kam --actor 钱进 review approve 1 --department finance --comment "付款条件符合规定"
  kam --actor 孙律 review reject 1 --department legal --comment "违约条款需修改"
"""

from __future__ import annotations

from typing import Any

import click

from commands._common import Kam, KamGroupBase, clean, local_time, output_path, pass_kam, write_output
from workflow.operations.signoffs import decide
from workflow.rules import signatures
from workflow.views.compliance import decided


@click.group("review", cls=KamGroupBase, help=__doc__)
def review() -> None:
    pass


def _decide(
    kam: Kam,
    opportunity_id: int,
    department: str,
    decision: str,
    comment: str | None,
    version: int | None,
    sign_with: str | None = None,
) -> None:
    signer = _private_key(kam, sign_with) if sign_with else None  # asked before the transaction: a prompt may wait
    with kam.db.write() as session:
        outcome = decide(
            session,
            kam.process,
            opportunity_id,
            department=department,
            decision=decision,
            actor=kam.actor,
            comment=comment,
            review_version=version,
            signer=signer,
        )
        data = decided(session, kam.process, outcome.signoff, outcome.repeated, outcome.replaced, outcome.amended)
    label_zh, label_en = kam.process.department_label(department, "zh"), kam.process.department_label(department, "en")
    who, v = data["reviewer"], data["review_version"]
    if data["repeated"]:
        done_zh, done_en = ("同意", "approved") if decision == "approve" else ("驳回", "rejected")
        zh = f"{who} 已代表{label_zh}{done_zh}过商机 {opportunity_id} 的合同审核表 v{v}，无需重复：未作更改"
        en = f"{who} already {done_en} contract review v{v} of opportunity {opportunity_id} for {label_en}"
        en += "; nothing changed"
    elif decision == "approve":
        zh = f"{who} 代表{label_zh}同意商机 {opportunity_id} 的合同审核表 v{v}"
        en = f"{who} approved contract review v{v} of opportunity {opportunity_id} for {label_en}"
    else:
        zh = f"{who} 代表{label_zh}驳回商机 {opportunity_id} 的合同审核表 v{v}：签约被阻止，直到重新审批"
        en = (
            f"{who} rejected contract review v{v} of opportunity "
            f"{opportunity_id} for {label_en}: signing is blocked until a new approval"
        )
    replaced = data["replaces"]
    if replaced is not None and not data["repeated"]:
        was_zh, was_en = ("同意", "approval") if replaced["decision"] == "approve" else ("驳回", "rejection")
        zh += f"（取代 {replaced['reviewer']} 的{was_zh}）"
        en += f" (replacing {replaced['reviewer']}'s {was_en})"
    if data["pending"]:
        zh += "；尚待审批：" + "、".join(kam.process.department_label(d, "zh") for d in data["pending"])
        en += "; still waiting for: " + ", ".join(kam.process.department_label(d, "en") for d in data["pending"])
    elif data["amended"]:
        zh += f"；各部门均已同意，合同变更已生效（合同审核表 v{v}）"
        en += f"; every department has approved: the amendment is in force (contract review v{v})"
    else:
        zh += f"；各部门均已同意，合规结论见 kam compliance {opportunity_id}"
        en += f"; every department has approved, see kam compliance {opportunity_id}"
    kam.emit(data, lambda: kam.say(zh, en))


def _private_key(kam: Kam, path: str) -> signatures.PrivateKey:
    """The reviewer's private key; its passphrase asked for (never echoed) only when the file is encrypted."""
    warning = signatures.key_file_warning(path)
    if warning is not None:
        click.echo(clean(kam.t("警告：", "Warning: ") + warning.render(kam.lang)), err=True)

    def ask() -> str:
        return str(click.prompt(kam.t(f"{path} 的口令", f"Passphrase for {path}"), hide_input=True, err=True))

    return signatures.load_private_key(path, ask)


_SIGN_HELP = "Sign with your Ed25519 private key (ssh-keygen -t ed25519); its public key must be registered."
_VERSION_HELP = "The contract-review version you reviewed; refused if a newer one was stored since."


@review.command("approve")
@click.argument("opportunity_id", type=int)
@click.option("--department", required=True, help="The department you sign for (see kam workflow show).")
@click.option("--comment", help="Your remarks (optional).")
@click.option("--version", "version", type=int, help=_VERSION_HELP)
@click.option("--sign-with", "sign_with", metavar="KEY_FILE", help=_SIGN_HELP)
@pass_kam
def review_approve(
    kam: Kam, opportunity_id: int, department: str, comment: str | None, version: int | None, sign_with: str | None
) -> None:
    """Approve the latest contract review for one department (as --actor).

    \b
    Example:
      kam --actor 钱进 review approve 1 --department finance --comment "付款条件符合规定"
      kam --actor 李工 review approve 1 --department production --version 2
      kam --actor 钱进 review approve 1 --department finance --sign-with ~/.ssh/id_ed25519
    """
    _decide(kam, opportunity_id, department, "approve", comment, version, sign_with)


@review.command("reject")
@click.argument("opportunity_id", type=int)
@click.option("--department", required=True, help="The department you sign for (see kam workflow show).")
@click.option("--comment", required=True, help="Why: what must change before you approve.")
@click.option("--version", "version", type=int, help=_VERSION_HELP)
@click.option("--sign-with", "sign_with", metavar="KEY_FILE", help=_SIGN_HELP)
@pass_kam
def review_reject(
    kam: Kam, opportunity_id: int, department: str, comment: str, version: int | None, sign_with: str | None
) -> None:
    """Reject the latest contract review for one department; signing is blocked until a new approval.

    \b
    Example:
      kam --actor 孙律 review reject 1 --department legal --comment "违约赔偿比例过高，改为 10%"
    """
    _decide(kam, opportunity_id, department, "reject", comment, version, sign_with)


@review.command("pending")
@click.option("--department", help="Only the reviews waiting for this department's decision.")
@click.option("--xlsx", "xlsx", metavar="FILE", help="Also write the queue as an Excel workbook.")
@click.option("--force", is_flag=True, help="Overwrite the --xlsx file if it exists.")
@pass_kam
def review_pending(kam: Kam, department: str | None, xlsx: str | None, force: bool) -> None:
    """The reviewers' queue: contract reviews some department has not approved, oldest first.

    A department that rejected a version waits for the owner's new version, so
    --department lists only the reviews it has not decided on.

    \b
    Example:
      kam review pending
      kam review pending --department finance --xlsx 财务待审.xlsx
    """
    from workflow.views.agenda import pending_reviews

    if xlsx:
        output_path(xlsx, force)  # refuse before the work, not after
    with kam.db.read() as session:
        items = pending_reviews(session, kam.process, department=department)
    if xlsx:
        from workflow.records.tables import utcnow
        from workflow.views.outputs import pending_sheets
        from workflow.views.spreadsheet import write_xlsx

        sheets = pending_sheets(items, kam.process, kam.lang)
        write_output(xlsx, write_xlsx(sheets, lang=kam.lang, generated_at=utcnow()), force)
    kam.emit({"items": [r.to_dict() for r in items]}, lambda: _print_pending(kam, items, department))
    if xlsx:
        kam.say(f"已生成 {xlsx}（{len(items)} 项）", f"wrote {xlsx} ({len(items)} items)")


def _print_pending(kam: Kam, items: list[Any], department: str | None) -> None:
    from commands._table import table

    label = kam.process.department_label
    if not items:
        kam.say(
            f"没有等待{label(department) if department else '会签'}的合同审核表",
            f"no contract review is waiting for {label(department, 'en') if department else 'a sign-off'}",
        )
        return
    sep = "、" if kam.lang == "zh" else ", "
    table(
        [
            kam.t(*h)
            for h in (
                ("商机", "Opp"),
                ("项目", "Title"),
                ("负责人", "Owner"),
                ("合同编号", "Contract"),
                ("总价（元）", "Total (yuan)"),
                ("版本", "Ver."),
                ("等待自", "Waiting since"),
                ("尚待", "Missing"),
            )
        ],
        [
            (
                r.opportunity_id,
                r.title,
                r.owner,
                r.contract_no,
                f"{r.total:,.2f}" if r.total is not None else "",
                f"v{r.version}",
                local_time(r.waiting_since),
                sep.join(
                    label(d, kam.lang) + (kam.t("（驳回）", " (rejected)") if d in r.rejected else "")
                    for d in r.departments_missing
                ),
            )
            for r in items
        ],
        title=kam.t(
            f"待审批合同审核表{'（' + label(department) + '）' if department else ''}",
            f"Contract reviews pending{' (' + label(department, 'en') + ')' if department else ''}",
        ),
    )
    command = f"kam review approve ID --department {department or 'DEPT'} --version N"
    click.echo(clean(kam.t(f"审批：{command}", f"decide with: {command}")))


COMMAND = review

"""kam compliance … and kam review … : the compliance gate before signing (合同审核) and its sign-offs."""

from __future__ import annotations

import click

from commands._common import (
    Kam,
    KamCommand,
    KamGroupBase,
    clean,
    local_time,
    output_path,
    pass_kam,
    table,
    write_output,
)


@click.command("compliance", cls=KamCommand)
@click.argument("opportunity_id", type=int)
@click.option("--pdf", "pdf_path", metavar="FILE", help="Also write the review (checklist and sign-off block) as a PDF.")
@click.option("--force", is_flag=True, help="Overwrite the PDF if it exists.")
@pass_kam
def compliance(kam: Kam, opportunity_id: int, pdf_path: str | None, force: bool) -> None:
    """The contract review (合同审核) rule by rule, pass or fail with the reason; exit 0 when all pass, else 1.

    The rules: configuration, what the price includes, payment, delivery mode, delivery
    cycle, service, breach liability, consistency with the negotiation minutes, sign-offs.

    It runs the same code as the guard of `sign` (kam opp advance at step 5).

    \b
    Example:
      kam compliance 1
      kam --json compliance 1
      kam compliance 1 --pdf 合同审核-1.pdf
    """
    from workflow.compliance import review_pdf, review_view

    if pdf_path:
        output_path(pdf_path, force)  # refuse before the work, not after
    with kam.db.read() as session:
        if pdf_path:
            data, pdf = review_pdf(session, kam.process, opportunity_id, kam.lang)
        else:
            data = review_view(session, kam.process, opportunity_id, kam.lang)
    if pdf_path:
        write_output(pdf_path, pdf, force)
        data["pdf"] = pdf_path
    kam.emit(data, lambda: _print_review(kam, data, pdf_path))
    if not data["ok"]:
        raise SystemExit(1)


def _print_review(kam: Kam, data: dict, pdf_path: str | None) -> None:
    from workflow.evaluation import describe

    head = kam.t(
        f"商机 {data['id']}：{data['title']}（{data['account']}）合同审核",
        f"Compliance review of opportunity {data['id']}: {data['title']} ({data['account']})",
    )
    click.echo(clean(head))
    if data["review_version"] is not None:
        against = (
            kam.t(f"，对照谈判纪要 v{data['minutes_version']}", f", against negotiation minutes v{data['minutes_version']}")
            if data["minutes_version"]
            else kam.t("，尚无谈判纪要", ", no negotiation minutes yet")
        )
        click.echo(clean(kam.t(f"合同 {data['contract_no']}，合同审核表 v{data['review_version']}", f"contract {data['contract_no']}, contract review v{data['review_version']}") + against))
    click.echo()
    for rule in data["rules"]:
        mark = kam.t("✓ 通过", "✓ pass") if rule["ok"] else kam.t("✗ 不通过", "✗ FAIL")
        line = f"{mark}  {rule['title']} [{rule['code']}]"
        if rule["ok"] and rule["detail"]:
            line += f"：{rule['detail']}" if kam.lang == "zh" else f": {rule['detail']}"
        click.echo(clean(line))
        for reason in rule["reasons"]:
            click.echo(clean(f"      - {reason}"))
        if rule["command"]:
            click.echo(clean(f"      → {rule['command']}"))
    if data["signoffs"]:
        click.echo()
        table(
            [kam.t(*h) for h in (("部门", "Department"), ("审批人", "Reviewer"), ("结论", "Decision"), ("版本", "Version"), ("时间", "When"), ("意见", "Comment"))],
            [
                (
                    s["department_label"],
                    s["reviewer"],
                    (kam.t("同意", "approved") if s["decision"] == "approve" else kam.t("驳回", "rejected"))
                    + (kam.t("（已失效）", " (void)") if s["void"] else ""),
                    f"v{s['review_version']}",
                    local_time(s["at"]),
                    s["comment"] or "",
                )
                for s in data["signoffs"]
            ],
            title=kam.t("会签记录", "Sign-offs"),
        )
    lines = describe(data["evaluation"], kam.lang)
    if lines:
        click.echo()
        for line in lines:
            click.echo(clean(line))
    click.echo()
    failed = sum(not r["ok"] for r in data["rules"])
    if data["ok"]:
        click.echo(kam.t(f"结论：{len(data['rules'])} 项全部通过，可以签约（kam opp advance {data['id']}）", f"Result: all {len(data['rules'])} rules pass; ready to sign (kam opp advance {data['id']})"))
    else:
        click.echo(kam.t(f"结论：{failed} 项不通过，不能签约", f"Result: {failed} rule(s) fail; the contract cannot be signed"))
    if pdf_path:
        click.echo(clean(kam.t(f"已生成 {pdf_path}", f"wrote {pdf_path}")))


@click.group("review", cls=KamGroupBase)
def review() -> None:
    """Departmental sign-offs (会签) on the latest contract review.

    A reviewer is never the opportunity's owner and signs for one department per
    opportunity; a new version of the contract review voids earlier sign-offs.

    \b
    Example:
      kam --actor 钱进 review approve 1 --department finance --comment "付款条件符合规定"
      kam --actor 孙律 review reject 1 --department legal --comment "违约条款需修改"
    """


def _decide(kam: Kam, opportunity_id: int, department: str, decision: str, comment: str | None, version: int | None) -> None:
    from workflow.review import decide, pending_departments

    with kam.db.write() as session:
        signoff = decide(
            session, kam.process, opportunity_id, department=department, decision=decision, actor=kam.actor, comment=comment, review_version=version
        )
        data = {
            "id": opportunity_id,
            "department": signoff.department,
            "reviewer": signoff.reviewer,
            "decision": signoff.decision,
            "comment": signoff.comment,
            "review_version": signoff.review_version,
            "at": signoff.at,
            "pending": pending_departments(session, kam.process, opportunity_id, signoff.review_version),
        }
    label_zh, label_en = kam.process.department_label(department, "zh"), kam.process.department_label(department, "en")
    if decision == "approve":
        zh = f"{data['reviewer']} 代表{label_zh}同意商机 {opportunity_id} 的合同审核表 v{data['review_version']}"
        en = f"{data['reviewer']} approved contract review v{data['review_version']} of opportunity {opportunity_id} for {label_en}"
    else:
        zh = f"{data['reviewer']} 代表{label_zh}驳回商机 {opportunity_id} 的合同审核表 v{data['review_version']}：签约被阻止，直到重新审批"
        en = f"{data['reviewer']} rejected contract review v{data['review_version']} of opportunity {opportunity_id} for {label_en}: signing is blocked until a new approval"
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


COMMANDS = [compliance, review]

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

from __future__ import annotations

from decimal import Decimal
from typing import Any

import click

from commands._common import Kam, KamCommand, clean, local_time, output_path, pass_kam, write_output
from commands._table import table
from forms.choices import DECISION
from workflow.rules.evaluation import describe
from workflow.values.money import format_amount
from workflow.views.compliance import review_pdf, review_view


@click.command("compliance", cls=KamCommand, help=__doc__)
@click.argument("opportunity_id", type=int)
@click.option(
    "--pdf", "pdf_path", metavar="FILE", help="Also write the review (checklist and sign-off block) as a PDF."
)
@click.option("--force", is_flag=True, help="Overwrite the PDF if it exists.")
@pass_kam
def compliance(kam: Kam, opportunity_id: int, pdf_path: str | None, force: bool) -> None:
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
    if not data["ok"] and data["state"] != "signed":  # a signed contract stands: nothing is left to pass
        raise SystemExit(1)


def _print_review(kam: Kam, data: dict[str, Any], pdf_path: str | None) -> None:
    head = kam.t(
        f"商机 {data['id']}：{data['title']}（{data['account']}）合同审核",
        f"Compliance review of opportunity {data['id']}: {data['title']} ({data['account']})",
    )
    click.echo(clean(head))
    if data["review_version"] is not None:
        against = (
            kam.t(
                f"，对照谈判纪要 v{data['minutes_version']}",
                f", against negotiation minutes v{data['minutes_version']}",
            )
            if data["minutes_version"]
            else kam.t("，尚无谈判纪要", ", no negotiation minutes yet")
        )
        click.echo(
            clean(
                kam.t(
                    f"合同 {data['contract_no']}，合同审核表 v{data['review_version']}",
                    f"contract {data['contract_no']}, contract review v{data['review_version']}",
                )
                + against
            )
        )
        ours, theirs = data["totals"]["contract"], data["totals"]["negotiated"]
        line = kam.t(
            f"合同总价：{ours['quantity']} 台，{_yuan(ours['amount'])}",
            f"Contract total: {ours['quantity']} vehicles, {_yuan(ours['amount'], 'en')}",
        )
        if theirs is not None:
            line += kam.t(
                f"（谈判约定 {theirs['quantity']} 台，{_yuan(theirs['amount'])}）",
                f" (negotiated {theirs['quantity']} vehicles, {_yuan(theirs['amount'], 'en')})",
            )
        click.echo(line)
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
            [
                kam.t(*h)
                for h in (
                    ("部门", "Department"),
                    ("审批人", "Reviewer"),
                    ("结论", "Decision"),
                    ("版本", "Version"),
                    ("时间", "When"),
                    ("意见", "Comment"),
                )
            ],
            [
                (
                    s["department_label"],
                    s["reviewer"],
                    DECISION.label(s["decision"], kam.lang) + (kam.t("（已失效）", " (void)") if s["void"] else ""),
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
    if data["state"] == "signed":
        when = local_time(data["signed_at"])[:10]
        version = data["review_version"]
        click.echo(
            kam.t(
                f"结论：合同已签订（{when}，合同审核表 v{version}）；如需变更，用 kam opp amend {data['id']} "
                "--reason 原因",
                f"Result: the contract is signed ({when}, contract review v{version}); to change it, run kam opp amend "
                f"{data['id']} --reason R",
            )
        )
    elif data["state"] == "amending":
        if data["ok"]:
            click.echo(kam.t("结论：变更审核全部通过", "Result: the amendment passes every rule"))
        else:
            click.echo(
                kam.t(
                    f"结论：变更审核中，{failed} 项不通过，变更尚未生效（原合同仍然有效）",
                    f"Result: amendment under review, {failed} rule(s) fail; the amendment is not in force yet (the "
                    "signed contract stands)",
                )
            )
    elif data["ok"]:
        click.echo(
            kam.t(
                f"结论：{len(data['rules'])} 项全部通过，可以签约（kam opp advance {data['id']}）",
                f"Result: all {len(data['rules'])} rules pass; ready to sign (kam opp advance {data['id']})",
            )
        )
    else:
        click.echo(
            kam.t(f"结论：{failed} 项不通过，不能签约", f"Result: {failed} rule(s) fail; the contract cannot be signed")
        )
    if pdf_path:
        click.echo(clean(kam.t(f"已生成 {pdf_path}", f"wrote {pdf_path}")))


def _yuan(amount: float, lang: str = "zh") -> str:
    return format_amount(Decimal(repr(amount)), lang)


COMMAND = compliance

"""Money received on a signed contract (回款): record it, list each milestone's due, received and outstanding.

\b
Example:
  kam payment record 1 --amount 275.76万 --date 2027-01-05 --milestone 首付款
  kam payment list 1
"""

from __future__ import annotations

from typing import Any

import click

from commands._common import Kam, KamGroupBase, clean, local_time, pass_kam
from commands._table import table
from workflow.operations import payments
from workflow.values.dates import parse_date
from workflow.values.money import format_amount, parse_amount
from workflow.views.receivables import receivables_view


@click.group("payment", cls=KamGroupBase, help=__doc__)
def payment() -> None:
    pass


@payment.command("record")
@click.argument("opportunity_id", type=int)
@click.option("--amount", required=True, help="Money received in 元: 2757600, 2,757,600, 275.76万 or ¥2,757,600.00.")
@click.option("--date", "on", required=True, help="The day it was received: 2027-01-05, 2027/1/5 or 2027年1月5日.")
@click.option("--milestone", help="The milestone it pays (首付款, 质保金...); default: the earliest due first.")
@click.option("--note", help="A note kept with it (bank slip number, who paid).")
@pass_kam
def payment_record(
    kam: Kam, opportunity_id: int, amount: str, on: str, milestone: str | None, note: str | None
) -> None:
    """Record money received on a signed opportunity (append-only, in its history). --json prints the payment.

    More than is outstanding (on the milestone, or on the contract) is refused, and so is a
    payment on a deal not yet signed.

    \b
    Example:
      kam payment record 1 --amount 275.76万 --date 2027-01-05 --milestone 首付款 --note 银行回单 0127
      kam payment record 1 --amount 1,000,000 --date 2027/3/1
    """
    value = parse_amount(amount, "--amount", positive=True)
    day = parse_date(on, "--date")
    with kam.db.write() as session:
        data = payments.record(
            session, opportunity_id, amount=value, on=day, actor=kam.actor, milestone=milestone, note=note
        )

    def human() -> None:
        paid = "、".join(f"{a['milestone']} {_yuan(a['amount'], kam.lang)}" for a in data["allocation"])
        paid_en = ", ".join(f"{a['milestone']} {_yuan(a['amount'], kam.lang)}" for a in data["allocation"])
        click.echo(
            clean(
                kam.t(
                    f"商机 {opportunity_id}：已记录回款 {_yuan(data['amount'], 'zh')}（{paid}），"
                    f"尚未收 {_yuan(data['outstanding'], 'zh')}",
                    f"opportunity {opportunity_id}: recorded {_yuan(data['amount'], 'en')} received ({paid_en}); "
                    f"{_yuan(data['outstanding'], 'en')} outstanding",
                )
            )
        )

    kam.emit(data, human)


@payment.command("list")
@click.argument("opportunity_id", type=int)
@pass_kam
def payment_list(kam: Kam, opportunity_id: int) -> None:
    """Each payment milestone of the contract: due, amount, received, outstanding, overdue; then the money received.

    \b
    Example:
      kam payment list 1
      kam --json payment list 1
    """
    with kam.db.read() as session:
        data = receivables_view(session, opportunity_id)
    kam.emit(data, lambda: _print(kam, data))


def _yuan(amount: float, lang: str) -> str:
    from decimal import Decimal

    return format_amount(Decimal(repr(amount)), lang)


def _print(kam: Kam, data: dict[str, Any]) -> None:
    lang = kam.lang
    if not data["signed"]:
        click.echo(
            kam.t(
                f"商机 {data['id']} 尚未签约：还没有应收款",
                f"opportunity {data['id']} is not signed: nothing is receivable yet",
            )
        )
        return
    table(
        [
            kam.t(*h)
            for h in (
                ("节点", "Milestone"),
                ("比例", "Share"),
                ("到期日", "Due"),
                ("应收", "Amount"),
                ("已收", "Received"),
                ("未收", "Outstanding"),
                ("状态", "Status"),
            )
        ],
        [
            (
                m["milestone"],
                f"{m['percent']:g}%",
                m["due"].isoformat() if m["due"] else "—",
                _yuan(m["amount"], lang),
                _yuan(m["received"], lang),
                _yuan(m["outstanding"], lang),
                _status(kam, m),
            )
            for m in data["milestones"]
        ],
        title=kam.t(
            f"商机 {data['id']} 回款（合同 {data['contract_no']}）",
            f"Receivables of opportunity {data['id']} (contract {data['contract_no']})",
        ),
    )
    click.echo(
        kam.t(
            f"合同总价 {_yuan(data['contract_total'], 'zh')}，已收 {_yuan(data['received'], 'zh')}，"
            f"未收 {_yuan(data['outstanding'], 'zh')}，其中逾期 {_yuan(data['overdue'], 'zh')}",
            f"contract total {_yuan(data['contract_total'], 'en')}, received {_yuan(data['received'], 'en')}, "
            f"outstanding {_yuan(data['outstanding'], 'en')}, of which overdue {_yuan(data['overdue'], 'en')}",
        )
    )
    if data["payments"]:
        click.echo()
        table(
            [
                kam.t(*h)
                for h in (
                    ("序号", "#"),
                    ("到账日", "Date"),
                    ("金额", "Amount"),
                    ("节点", "Milestones"),
                    ("记录人", "By"),
                    ("记录时间", "Recorded"),
                    ("备注", "Note"),
                )
            ],
            [
                (
                    p["seq"],
                    p["date"].isoformat() if p["date"] else "",
                    _yuan(p["amount"], lang),
                    "、".join(a["milestone"] for a in p["allocation"]),
                    p["actor"],
                    local_time(p["at"]),
                    p["note"] or "",
                )
                for p in data["payments"]
            ],
            title=kam.t("已收款", "Money received"),
        )


def _status(kam: Kam, m: dict[str, Any]) -> str:
    if m["outstanding"] <= 0:
        return kam.t("已收清", "paid")
    if m["overdue"]:
        return kam.t(f"逾期 {m['overdue_days']} 天", f"overdue {m['overdue_days']} days")
    return kam.t("未到期", "not yet due") if m["due"] else kam.t("未定期", "no due date")


COMMAND = payment

"""Payment terms and receivables (回款), pure: what the customer owes on a signed contract, milestone by milestone.

A contract review may give `payments: [{milestone, percent, due}]` (首付款 30 %, 发车前 60 %,
质保金 10 % a year after delivery); the schema checks that the percents sum to 100 and that the
质保金 share is the `quality_deposit`. `milestones()` turns them into amounts in 元: each
milestone is its percent of the contract total rounded half up to the fen, the last one takes
what rounding left, so the milestones always sum to the total exactly. A contract without
`payments` owes its total as one milestone, 合同款, without a due date (never overdue).

Money received (`kam payment record`) is a history row (action `payment`) with its amount as
text; `allocate()` decides which milestones it pays: the one named, else the earliest due
first. `status()` is a milestone's figures on a day: amount, received, outstanding, overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from workflow.errors import InvalidInput, Refused
from workflow.i18n import t
from workflow.values.money import format_amount

CENT = Decimal("0.01")
PAYMENT = "payment"  # the history action of money received, and the schedule's kind of money due
PAYMENT_LABEL = t("回款", "payment")
WHOLE = "合同款"  # the one milestone of a contract without payment terms
DEPOSIT_WORD = "质保"  # a milestone whose name holds it is the quality deposit (质保金)


class Milestone(NamedTuple):
    """One payment the contract expects: its order, name, share, due date (None: not dated) and amount."""

    seq: int
    milestone: str
    percent: Decimal
    due: dt.date | None
    amount: Decimal


def milestones(payments: Sequence[dict[str, Any]] | None, total: Decimal) -> list[Milestone]:
    """The contract's milestones in 元 (`payments` as stored in the review; None or [] is one milestone, 合同款)."""
    if not payments:
        return [Milestone(1, WHOLE, Decimal(100), None, total)]
    out: list[Milestone] = []
    left = total
    for i, term in enumerate(payments, start=1):
        percent = Decimal(str(term["percent"]))
        due = term["due"] if isinstance(term["due"], dt.date) else dt.date.fromisoformat(str(term["due"]))
        share = left if i == len(payments) else (total * percent / 100).quantize(CENT, ROUND_HALF_UP)
        left -= share
        out.append(Milestone(i, str(term["milestone"]), percent, due, share))
    return out


def is_deposit(milestone: str) -> bool:
    return DEPOSIT_WORD in milestone


class Status(NamedTuple):
    """A milestone's figures on a day."""

    seq: int
    milestone: str
    percent: Decimal
    due: dt.date | None
    amount: Decimal
    received: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.received

    def overdue(self, today: dt.date) -> bool:
        return self.due is not None and self.due < today and self.outstanding > 0

    def to_dict(self, today: dt.date) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "milestone": self.milestone,
            "percent": float(self.percent),
            "due": self.due,
            "amount": float(self.amount),
            "received": float(self.received),
            "outstanding": float(self.outstanding),
            "overdue": self.overdue(today),
        }


def allocate(
    opportunity_id: int, owed: Sequence[Status], amount: Decimal, milestone: str | None
) -> list[tuple[str, Decimal]]:
    """Which milestones `amount` pays: `milestone` alone when named, else the earliest due first (undated last).

    Refused: an unknown milestone, or more than is outstanding (on the milestone, or in all).
    """
    if milestone is not None:
        found = next((m for m in owed if m.milestone == milestone), None)
        if found is None:
            names = "、".join(m.milestone for m in owed)
            raise InvalidInput(
                t(
                    f"--milestone：商机 {opportunity_id} 的合同没有回款节点「{milestone}」；可选：{names}",
                    f"--milestone: the contract of opportunity {opportunity_id} has no milestone «{milestone}»; "
                    f"choose one of: {', '.join(m.milestone for m in owed)}",
                )
            )
        if amount > found.outstanding:
            raise too_much(opportunity_id, amount, found.outstanding, milestone)
        return [(found.milestone, amount)]
    outstanding = sum((m.outstanding for m in owed), Decimal(0))
    if amount > outstanding:
        raise too_much(opportunity_id, amount, outstanding, None)
    left, out = amount, []
    for m in sorted(owed, key=lambda m: (m.due is None, m.due or dt.date.max, m.seq)):
        if left <= 0:
            break
        share = min(left, m.outstanding)
        if share > 0:
            out.append((m.milestone, share))
            left -= share
    return out


def too_much(opportunity_id: int, amount: Decimal, outstanding: Decimal, milestone: str | None) -> Refused:
    where_zh = f"回款节点「{milestone}」" if milestone else "合同"
    where_en = f"milestone «{milestone}»" if milestone else "the contract"
    return Refused(
        t(
            f"--amount：回款 {format_amount(amount)} 超过商机 {opportunity_id} {where_zh}的未收金额 "
            f"{format_amount(outstanding)}：核对金额，或用 kam payment list {opportunity_id} 查看各节点",
            f"--amount: {format_amount(amount, 'en')} is more than the {format_amount(outstanding, 'en')} outstanding "
            f"on {where_en} of opportunity {opportunity_id}: check the amount, or see kam payment list "
            f"{opportunity_id}",
        ),
        [],
    )


def not_signed(opportunity_id: int) -> Refused:
    return Refused(
        t(
            f"商机 {opportunity_id} 尚未签约：签约后才能记录回款（kam compliance {opportunity_id} 查看签约还缺什么）",
            f"opportunity {opportunity_id} is not signed: money is recorded after signing "
            f"(kam compliance {opportunity_id} says what signing still needs)",
        ),
        [],
    )


def statuses(terms: Sequence[Milestone], received: dict[str, Decimal]) -> list[Status]:
    """The milestones with what has been received on each (`received`: milestone → 元)."""
    zero = Decimal(0)
    return [Status(m.seq, m.milestone, m.percent, m.due, m.amount, received.get(m.milestone, zero)) for m in terms]


def received_by_milestone(payment_details: Sequence[dict[str, Any]]) -> dict[str, Decimal]:
    """Σ of each milestone's allocations over the `payment` history rows' details."""
    out: dict[str, Decimal] = {}
    for detail in payment_details:
        for name, share in detail.get("allocation") or []:
            out[name] = out.get(name, Decimal(0)) + Decimal(share)
    return out

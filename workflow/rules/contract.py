"""A contract that stays signed (合同签订后): what it locks, its quantity and total, and its amendment (合同变更).

Pure. Once an opportunity is signed, the terms it was signed on are the
contract in force: a new version of the scorecard, the negotiation minutes or
the contract review is refused (`locked_after_signing`) unless an amendment is
open (`kam opp amend ID --reason R`). An amendment opens a new contract review
whose sign-offs start empty; the deal stays signed and shows 变更审核中 until
compliance passes again with every department's sign-off, and only then does
the amended review become the contract in force (history action `amended`).

The contract in force is the review version (and the minutes version) recorded
by the newest `sign` transition or `amended` row of the history: `in_force`.

`contract_no` is held by one opportunity only (the refusal `number_taken`
names the other one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import forms
from workflow.errors import Refused
from workflow.i18n import Text, t

REVIEW = "contract-review"
MINUTES = "negotiation-minutes"
SCORECARD = "evaluation-scorecard"
# The documents whose terms a signed contract rests on: changed only through an amendment.
LOCKED_KINDS: tuple[str, ...] = (SCORECARD, MINUTES, REVIEW)

AMEND = "amend"  # history action: an amendment opened
AMENDED = "amended"  # history action: the amendment passed compliance and is the contract in force

AMENDING_LABEL = t("变更审核中", "amendment under review")
AMENDMENT_LABEL = t("合同变更", "contract amendment")


def locked_after_signing(opportunity_id: int, kind: str, *, signed: bool, amending: bool) -> Refused | None:
    """The refusal of a new version of `kind` on a signed deal without an open amendment (None: allowed)."""
    if kind not in LOCKED_KINDS or not signed or amending:
        return None
    zh, en = forms.title(kind, "zh"), forms.title(kind, "en")
    return Refused(
        t(
            f"商机 {opportunity_id} 的合同已签订，{zh}（{kind}）不能再改：如需变更合同，先 kam opp amend "
            f"{opportunity_id} --reason 原因",
            f"opportunity {opportunity_id} is signed; its {en} ({kind}) can no longer change: to amend the contract, "
            f"run kam opp amend {opportunity_id} --reason R first",
        ),
        [],
    )


NUMBER_KEY_CHARS = 100  # opportunities.contract_no holds a longer number by its hash


def number_key(number: str) -> str:
    """What `opportunities.contract_no` holds for a contract number: the number itself, or the hash of a long one."""
    number = number.strip()
    if len(number) <= NUMBER_KEY_CHARS:
        return number
    return "sha256:" + hashlib.sha256(number.encode("utf-8")).hexdigest()


def number_taken(number: str, other_id: int, other_title: str) -> Refused:
    """The refusal of a contract number another opportunity already holds."""
    return Refused(
        t(
            f"合同编号 {number} 已用于商机 {other_id}「{other_title}」：每份合同一个编号，"
            "请在 contract_no 填写新的编号",
            f"contract number {number} is already used by opportunity {other_id} ({other_title}): one contract, one "
            "number; give contract_no a new number",
        ),
        [],
    )


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _lines(review: dict[str, Any]) -> list[dict[str, Any]]:
    lines = review.get("lines")
    return [line for line in lines if isinstance(line, dict)] if isinstance(lines, list) else []


def quantity(review: dict[str, Any]) -> int | None:
    """The contract's vehicles: the sum of its lines when it has lines, else its `quantity`."""
    lines = _lines(review)
    if lines:
        return sum(int(line.get("quantity") or 0) for line in lines)
    value = review.get("quantity")
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def total(review: dict[str, Any]) -> Decimal | None:
    """The contract total in 元: Σ quantity × unit price over its lines, else quantity × unit_price."""
    lines = _lines(review) or [review]
    amount = Decimal(0)
    for line in lines:
        count, price = _number(line.get("quantity")), _number(line.get("unit_price"))
        if count is None or price is None:
            return None
        amount += count * price
    return amount.quantize(Decimal("0.01"))


def signing_detail(review: dict[str, Any], opportunity_quantity: int | None) -> dict[str, Any]:
    """What a signature (or an amendment taking effect) records: the number, and the quantity and amount it sets."""
    amount = total(review)
    return {
        "contract_no": review.get("contract_no"),
        "quantity": [opportunity_quantity, quantity(review)],
        "amount": str(amount) if amount is not None else None,
    }


def in_force(events: Iterable[Any]) -> dict[str, int]:
    """The document versions of the contract in force ({kind: version}), from the history rows oldest first.

    The newest `amended` row or transition guarded by a contract review (the signature) wins; {} when there is none.
    """
    found: dict[str, int] = {}
    for event in events:
        if event.action in ("transition", AMENDED) and (event.documents or {}).get(REVIEW) is not None:
            found = dict(event.documents)
    return found


def amending(events: Iterable[Any]) -> bool:
    """Whether the history leaves an amendment open (the audit's replay of `amending_since`)."""
    open_ = False
    for event in events:
        if event.action == AMEND:
            open_ = True
        elif event.action == AMENDED:
            open_ = False
    return open_


def state_label(signed: bool, amending_: bool) -> Text | None:
    """What `opp show`, `opp list` and the pipeline print beside a signed deal (None: nothing to say)."""
    if signed and amending_:
        return AMENDING_LABEL
    return None

"""谈判纪要 — an output of step 5 (commercial negotiation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import model_validator

from forms.base import Count, Form, Money, Part, Text, computed, fail_at, field
from forms.choices import PaymentMethod, PaymentTiming

# Read by `forms` without importing this module (naming a kind never loads pydantic). AUDIENCE: who may
# read it ("customer": its default PDF is the customer edition, without the fields marked internal).
KIND = "negotiation-minutes"
TITLE = ("谈判纪要", "Negotiation minutes")
ORDER = 60
AUDIENCE = "customer"


class PriceIncludes(Part):
    freight: bool = field("含运费", "Includes freight")
    packaging: bool = field("含外包装费", "Includes packaging")
    registration: bool = field(
        "含上牌费", "Includes registration", help_zh="车辆上牌公关费", help_en="licence registration"
    )


class Line(Part):
    """One model of a deal: how many, at what price (without `lines` a document is one line)."""

    model: str = field("车型", "Model", help_zh="如 洗扫车、压缩式垃圾车", help_en="e.g. road sweeper", min_length=1)
    configuration: str | None = field(
        "配置", "Configuration", help_zh="底盘、上装等", help_en="chassis, body", default=None
    )
    quantity: Count = field("数量", "Quantity", help_zh="台", help_en="vehicles")
    unit_price: Money = field("单价", "Unit price", help_zh="元", help_en="yuan")

    @computed("金额", "Amount", help_zh="数量 × 单价（元）", help_en="quantity × unit price (yuan)")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def amount(self) -> float:
        return float(line_amount(self.quantity, self.unit_price))


# The priced part of the minutes and the contract review, declared once for both.
def lines_field() -> Any:
    return field(
        "车型明细",
        "Lines",
        help_zh="每个车型一行；给出后可不填数量和单价",
        help_en="one per model; with lines, quantity and unit price may be left out",
        default_factory=list,
    )


def quantity_field() -> Any:
    return field("数量", "Quantity", help_zh="台；有车型明细时为其合计", help_en="vehicles", default=None)


def unit_price_field() -> Any:
    return field("单价", "Unit price", help_zh="元；有车型明细时为平均单价", help_en="yuan", default=None)


def line_amount(quantity: int, unit_price: float) -> Decimal:
    """quantity × unit price in 元, exact to the fen (Decimal, never a float product)."""
    return (quantity * Decimal(repr(unit_price))).quantize(Decimal("0.01"))


def check_lines(form: Any) -> None:
    """With `lines`, the top-level quantity and unit price may be left out; when given they must agree with them.

    Without `lines` both are required (the document is one line, as before lines existed).
    Shared by the negotiation minutes and the contract review.
    """
    lines = form.lines
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if not lines:
        for key, zh, en in (("quantity", "数量", "quantity"), ("unit_price", "单价", "unit price")):
            if getattr(form, key) is None:
                problems.append(
                    ((key,), f"必填项缺失：填写{zh}，或在 lines 中逐个车型填写 | missing: give the {en}, or the lines")
                )
        fail_at(problems, type(form).__name__)
        return
    count, total = lines_total(form)
    if form.quantity is not None and form.quantity != count:
        problems.append(
            (
                ("quantity",),
                f"数量 {form.quantity} 台与各车型数量之和 {count} 台不一致：改为 {count}，或删去 quantity"
                f" | the quantity {form.quantity} differs from the sum of the lines, {count}: write {count}, "
                "or leave quantity out",
            )
        )
    elif form.unit_price is not None:
        # the top-level price of several models is their average: it agrees when it rounds to it at the fen
        average = (total / count).quantize(Decimal("0.01"))
        if abs(count * Decimal(repr(form.unit_price)) - total) > Decimal("0.005") * count:
            problems.append(
                (
                    ("unit_price",),
                    f"单价 {form.unit_price:,.2f} 元 × {count} 台与各车型金额之和 {total:,.2f} 元不一致："
                    f"改为平均单价 {average:,.2f}，或删去 unit_price"
                    f" | the unit price {form.unit_price:,.2f} × {count} differs from the lines' total {total:,.2f}: "
                    f"write the average {average:,.2f}, or leave unit_price out",
                )
            )
    fail_at(problems, type(form).__name__)


def lines_total(form: Any) -> tuple[int, Decimal]:
    """(vehicles, amount in 元) of a validated minutes or contract review: its lines, else quantity × unit price."""
    if form.lines:
        return (
            sum(line.quantity for line in form.lines),
            sum((line_amount(line.quantity, line.unit_price) for line in form.lines), Decimal(0)),
        )
    return form.quantity, line_amount(form.quantity, form.unit_price)


class Concession(Part):
    given: str = field("我方让步", "Concession given", min_length=1)
    received: str | None = field("换取的条件", "Received in exchange", default=None)


class NegotiationMinutes(Form):
    kind: ClassVar[str] = KIND

    meeting_date: dt.date = field("谈判日期", "Meeting date")
    our_participants: list[Text] = field("我方参加人员", "Our participants", min_length=1)
    customer_participants: list[Text] = field("客户参加人员", "Customer participants", min_length=1)
    product: str = field("产品及配置", "Product and configuration", min_length=1)
    lines: list[Line] = lines_field()
    quantity: Count | None = quantity_field()
    unit_price: Money | None = unit_price_field()
    price_includes: PriceIncludes = field("价格包含", "Price includes")
    service_terms: str = field("服务条款", "Service terms", min_length=1)
    payment_method: PaymentMethod = field("付款方式", "Payment method")
    payment_timing: PaymentTiming = field("付款时间", "Payment timing")
    delivery_mode: str = field(
        "交货方式",
        "Delivery mode",
        help_zh="是否分批交、是否上完牌交、交货区域",
        help_en="batches, registration, regions",
        min_length=1,
    )
    delivery_cycle_days: Count = field("交货周期（天）", "Delivery cycle (days)")
    # what we gave and what we asked in return: our negotiation's bookkeeping, not the customer's copy
    concessions: list[Concession] = field("让步与交换", "Concessions", default_factory=list, internal=True)
    agreed_items: list[Text] = field("已达成一致事项", "Agreed items", default_factory=list)
    open_items: list[Text] = field("待定事项", "Open items", default_factory=list)

    @model_validator(mode="after")
    def _lines_agree(self) -> NegotiationMinutes:
        check_lines(self)
        return self

    @computed("合计数量", "Total quantity", help_zh="台", help_en="vehicles")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def total_quantity(self) -> int:
        return lines_total(self)[0]

    @computed("总价", "Total price", help_zh="Σ 数量 × 单价（元）", help_en="Σ quantity × unit price (yuan)")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def total_price(self) -> float:
        return float(lines_total(self)[1])

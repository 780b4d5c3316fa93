"""谈判纪要 — an output of step 5 (commercial negotiation)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from forms.base import Count, Form, Money, Part, Text, computed, field
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


class Concession(Part):
    given: str = field("我方让步", "Concession given", min_length=1)
    received: str | None = field("换取的条件", "Received in exchange", default=None)


class NegotiationMinutes(Form):
    kind: ClassVar[str] = KIND

    meeting_date: dt.date = field("谈判日期", "Meeting date")
    our_participants: list[Text] = field("我方参加人员", "Our participants", min_length=1)
    customer_participants: list[Text] = field("客户参加人员", "Customer participants", min_length=1)
    product: str = field("产品及配置", "Product and configuration", min_length=1)
    quantity: Count = field("数量", "Quantity", help_zh="台", help_en="vehicles")
    unit_price: Money = field("单价", "Unit price", help_zh="元", help_en="yuan")
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

    @computed("总价", "Total price", help_zh="数量 × 单价（元）", help_en="quantity × unit price (yuan)")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def total_price(self) -> float:
        return round(self.quantity * self.unit_price, 2)

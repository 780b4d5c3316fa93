"""产品推介书 — the initial vehicle solution, output of step 3."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from forms.base import Count, Form, Money, Part, Text, computed, field
from forms.choices import AccountType

# Read by `forms` without importing this module (naming a kind never loads pydantic). AUDIENCE: who may
# read it ("customer": its default PDF is the customer edition, without the fields marked internal).
KIND = "product-proposal"
TITLE = ("产品推介书", "Product proposal")
ORDER = 30
AUDIENCE = "customer"


# A quotation holds this many days after the document date unless `valid_until` says otherwise.
VALIDITY_DAYS = 30


class Competitor(Part):
    name: str = field("竞争对手", "Competitor", help_zh="如 东风、重汽", help_en="e.g. Dongfeng", min_length=1)
    strengths: str | None = field("竞争优势", "Strengths", default=None)
    relationship: str | None = field("与客户的关系", "Relationship with the customer", default=None)


class Competition(Part):
    previous_prices: str | None = field("前期车辆采购价格", "Earlier purchase prices", default=None)
    previous_vehicle_performance: str | None = field(
        "前期采购车辆使用情况", "How earlier vehicles perform", default=None
    )
    competitors: list[Competitor] = field("参与竞争对手", "Competitors", default_factory=list)


class Configuration(Part):
    model: str = field("车型", "Model", help_zh="如 福田欧曼 EST 6×4", help_en="e.g. Foton Auman EST 6x4", min_length=1)
    tonnage: float | None = field(
        "吨位", "Tonnage", help_zh="吨", help_en="tonnes", default=None, gt=0, le=1000, allow_inf_nan=False
    )
    chassis: str | None = field("底盘配置", "Chassis", default=None)
    body: str | None = field(
        "上装", "Body", help_zh="上装配置，如 压缩式垃圾车厢", help_en="body / upper structure", default=None
    )
    emission_standard: str | None = field(
        "排放标准", "Emission standard", help_zh="如 国六", help_en="e.g. China VI", default=None
    )
    quantity: Count = field("数量", "Quantity", help_zh="台", help_en="vehicles")
    unit_price: Money = field("指导单价", "Indicative unit price", help_zh="元", help_en="yuan")

    @computed("金额", "Amount", help_zh="数量 × 单价（元）", help_en="quantity × unit price (yuan)")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def amount(self) -> float:
        return round(self.quantity * self.unit_price, 2)


class ProductProposal(Form):
    kind: ClassVar[str] = KIND
    validity_days: ClassVar[int] = VALIDITY_DAYS  # `valid_until` when it is left out: the document date + this

    # Optional addition (§3 lists it, §8 does not): the concerns differ by customer type.
    customer_type: AccountType | None = field(
        "客户类别",
        "Customer type",
        help_zh="政府客户 / 企业客户 / 个人",
        help_en="government / enterprise / individual",
        default=None,
        internal=True,  # how we segment customers, not something to tell them
    )
    customer_concerns: list[Text] = field(
        "客户关注点",
        "Customer concerns",
        help_zh="如 产品质量、特殊功能、服务政策、使用可靠性、价格、使用经济性、服务保障能力",
        help_en="e.g. quality, special functions, service policy, reliability, price, running economy",
        min_length=1,
    )
    # our intelligence on the competitors and on what the customer paid before: never in the customer edition
    competition: Competition | None = field("竞争分析", "Competition analysis", default=None, internal=True)
    configurations: list[Configuration] = field(
        "推荐配置", "Recommended configurations", help_zh="至少一项", help_en="at least one", min_length=1
    )
    solution_summary: str = field("方案概述", "Solution summary", min_length=1)
    agreed_to_submit: bool = field(
        "双方同意提交初步方案",
        "Both sides agree to submit",
        help_zh="双方达成共识，可以提交初步方案",
        help_en="both sides agree the proposal can be submitted",
        internal=True,  # the gate's flag for our process, not a line of the offer
    )
    valid_until: dt.date | None = field(
        "报价有效期至",
        "Valid until",
        help_zh=f"默认为文档日期后 {VALIDITY_DAYS} 天",
        help_en=f"default: {VALIDITY_DAYS} days after the document date",
        default=None,
    )

    @computed("合计数量", "Total quantity", help_zh="台", help_en="vehicles")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def total_quantity(self) -> int:
        return sum(c.quantity for c in self.configurations)

    @computed("合计金额", "Total amount", help_zh="元", help_en="yuan")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def total_amount(self) -> float:
        return round(sum(c.amount for c in self.configurations), 2)

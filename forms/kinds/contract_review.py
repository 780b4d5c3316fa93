"""合同审核表 — the contract's actual terms, checked by the compliance gate (SPEC §4) before `sign`.

The form only records the terms; whether they pass (e.g. delivery cycle not shorter than
the production cycle, consistency with the negotiation minutes) is the compliance
check's job, so an unfavourable but honest contract still validates here.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from pydantic import model_validator

from forms.base import Amount, Count, Form, Money, Part, computed, fail_at, field
from forms.choices import PaymentMethod, PaymentTiming
from forms.kinds.negotiation_minutes import (
    Line,
    PriceIncludes,
    check_lines,
    lines_field,
    lines_total,
    quantity_field,
    unit_price_field,
)

# Read by `forms` without importing this module (naming a kind never loads pydantic). AUDIENCE: who may
# read it ("customer": its default PDF is the customer edition, without the fields marked internal).
KIND = "contract-review"
TITLE = ("合同审核表", "Contract review")
ORDER = 70
AUDIENCE = "internal"


class ConfigurationCheck(Part):
    chassis_confirmed: bool = field("底盘配置已确认", "Chassis confirmed")
    in_announcement_catalogue: bool = field(
        "已列入公告", "In the announcement catalogue", help_zh="工信部公告", help_en="MIIT catalogue"
    )
    emission_compliant: bool = field(
        "环保达标", "Emission compliant", help_zh="环保目录/排放", help_en="environmental listing"
    )
    body_confirmed: bool = field("上装配置已确认", "Body confirmed")


class Delivery(Part):
    """One batch of vehicles handed over (分批交货)."""

    date: dt.date = field("交车日期", "Delivery date")
    quantity: Count = field("数量", "Quantity", help_zh="台", help_en="vehicles")
    region: str | None = field("交车地点", "Region", help_zh="如 包头东河区", help_en="where", default=None)


class PaymentTerm(Part):
    """One payment milestone (回款节点): its share of the contract total and when it is due."""

    milestone: str = field(
        "回款节点", "Milestone", help_zh="如 首付款、发车前、质保金", help_en="e.g. 首付款, 质保金", min_length=1
    )
    percent: float = field(
        "比例（%）",
        "Share (%)",
        help_zh="占合同总价",
        help_en="of the contract total",
        gt=0,
        le=100,
        allow_inf_nan=False,
    )
    due: dt.date = field("到期日", "Due date")


DEPOSIT_WORD = "质保"  # a milestone whose name holds it is the quality deposit (`workflow.rules.receivables`)


class ContractReview(Form):
    kind: ClassVar[str] = KIND

    contract_no: str = field("合同编号", "Contract number", min_length=1)
    configuration: ConfigurationCheck = field("车辆配置", "Vehicle configuration")
    lines: list[Line] = lines_field()
    quantity: Count | None = quantity_field()
    unit_price: Money | None = unit_price_field()
    price_includes: PriceIncludes = field("价格包含", "Price includes")
    payment_method: PaymentMethod = field("付款方式", "Payment method")
    payment_timing: PaymentTiming = field("付款时间", "Payment timing")
    delivery_mode: str = field(
        "交货方式",
        "Delivery mode",
        help_zh="是否分批交、是否上完牌交、区域是否分散",
        help_en="batches, registration, regions",
        min_length=1,
    )
    registration_possible_in_region: bool = field("交货区域能正常上牌", "Can be registered in the delivery region")
    delivery_cycle_days: Count = field("合同交货周期（天）", "Contract delivery cycle (days)")
    production_cycle_days: Count = field("公司生产周期（天）", "Production cycle (days)")
    special_service_requests: str | None = field("特殊服务要求", "Special service requests", default=None)
    service_within_policy: bool = field("在公司服务政策内", "Within company service policy")
    penalty_percent: float = field("违约赔偿比例（%）", "Penalty (%)", ge=0, le=100, allow_inf_nan=False)
    deliveries: list[Delivery] = field(
        "分批交货",
        "Deliveries",
        help_zh="每批一行；各批数量之和等于合同数量",
        help_en="one per batch; the batches sum to the contract quantity",
        default_factory=list,
    )
    payments: list[PaymentTerm] = field(
        "回款计划",
        "Payment terms",
        help_zh="每个节点一行，比例之和为 100%；质保金节点的金额等于质保金",
        help_en="one per milestone, 100% in all; the 质保金 milestone equals the quality deposit",
        default_factory=list,
    )
    quality_deposit: Amount = field(
        "质保金（元）", "Quality deposit (yuan)", help_zh="无质保金填 0", help_en="0 if none"
    )

    @model_validator(mode="after")
    def _lines_agree(self) -> ContractReview:
        check_lines(self)
        self._check_terms()
        return self

    def _check_terms(self) -> None:
        """Deliveries that sum to the quantity; payments that sum to 100 % and hold the quality deposit."""
        count, total = lines_total(self)
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if self.deliveries:
            batches = sum(d.quantity for d in self.deliveries)
            if batches != count:
                problems.append(
                    (
                        ("deliveries",),
                        f"各批交车数量之和 {batches} 台与合同数量 {count} 台不一致：调整各批数量"
                        f" | the batches add up to {batches} vehicles, the contract has {count}: adjust the batches",
                    )
                )
        if self.payments:
            percent = sum((Decimal(repr(p.percent)) for p in self.payments), Decimal(0))
            if percent != 100:
                problems.append(
                    (
                        ("payments",),
                        f"各回款节点比例之和为 {percent.normalize():f}%，应为 100%：调整比例"
                        f" | the milestones add up to {percent.normalize():f}%, they must make 100%: adjust the shares",
                    )
                )
            deposit = Decimal(repr(self.quality_deposit)).quantize(Decimal("0.01"))
            held = [p for p in self.payments if DEPOSIT_WORD in p.milestone]
            share = sum(
                ((total * Decimal(repr(p.percent)) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP) for p in held),
                Decimal(0),
            )
            if deposit > 0 and not held:
                problems.append(
                    (
                        ("payments",),
                        f"质保金 {deposit:,.2f} 元没有对应的回款节点：加一个名称含“质保”的节点"
                        f"（比例 = 质保金 ÷ 合同总价 {total:,.2f} 元）"
                        f" | the quality deposit of {deposit:,.2f} yuan has no milestone: add one named 质保金 "
                        f"(its share = the deposit ÷ the contract total of {total:,.2f} yuan)",
                    )
                )
            elif held and abs(share - deposit) >= 1:
                problems.append(
                    (
                        ("payments",),
                        f"质保金节点共 {share:,.2f} 元，与质保金 quality_deposit {deposit:,.2f} 元不一致："
                        "调整比例或质保金"
                        f" | the 质保金 milestone comes to {share:,.2f} yuan, the quality deposit is {deposit:,.2f}: "
                        "adjust the share or quality_deposit",
                    )
                )
        fail_at(problems, type(self).__name__)

    @computed("合计数量", "Total quantity", help_zh="台", help_en="vehicles")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def total_quantity(self) -> int:
        return lines_total(self)[0]

    @computed("合同总价", "Contract total", help_zh="Σ 数量 × 单价（元）", help_en="Σ quantity × unit price (yuan)")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def total_price(self) -> float:
        return float(lines_total(self)[1])

"""合同审核表 — the contract's actual terms, checked by the compliance gate (SPEC §4) before `sign`.

The form only records the terms; whether they pass (e.g. delivery cycle not shorter than
the production cycle, consistency with the negotiation minutes) is the compliance
check's job, so an unfavourable but honest contract still validates here.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import model_validator

from forms.base import Amount, Count, Form, Money, Part, computed, field
from forms.choices import PaymentMethod, PaymentTiming
from forms.kinds.negotiation_minutes import Line, PriceIncludes, check_lines, lines_total

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


class ContractReview(Form):
    kind: ClassVar[str] = KIND

    contract_no: str = field("合同编号", "Contract number", min_length=1)
    configuration: ConfigurationCheck = field("车辆配置", "Vehicle configuration")
    lines: list[Line] = field(
        "车型明细",
        "Lines",
        help_zh="每个车型一行；给出后可不填数量和单价",
        help_en="one per model; with lines, quantity and unit price may be left out",
        default_factory=list,
    )
    quantity: Count | None = field(
        "数量", "Quantity", help_zh="台；有车型明细时为其合计", help_en="vehicles", default=None
    )
    unit_price: Money | None = field(
        "单价", "Unit price", help_zh="元；有车型明细时为平均单价", help_en="yuan", default=None
    )
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
    quality_deposit: Amount = field(
        "质保金（元）", "Quality deposit (yuan)", help_zh="无质保金填 0", help_en="0 if none"
    )

    @model_validator(mode="after")
    def _lines_agree(self) -> ContractReview:
        check_lines(self)
        return self

    @computed("合计数量", "Total quantity", help_zh="台", help_en="vehicles")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def total_quantity(self) -> int:
        return lines_total(self)[0]

    @computed("合同总价", "Contract total", help_zh="Σ 数量 × 单价（元）", help_en="Σ quantity × unit price (yuan)")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def total_price(self) -> float:
        return float(lines_total(self)[1])

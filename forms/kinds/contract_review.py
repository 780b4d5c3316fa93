"""合同审核表 — the contract's actual terms, checked by the compliance gate (SPEC §4) before `sign`.

The form only records the terms; whether they pass (e.g. delivery cycle not shorter than
the production cycle, consistency with the negotiation minutes) is the compliance
check's job, so an unfavourable but honest contract still validates here.
"""

from __future__ import annotations

from typing import ClassVar

from forms.base import Count, Form, Money, Part, field
from forms.choices import PaymentMethod, PaymentTiming
from forms.kinds.negotiation_minutes import PriceIncludes

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
    quantity: Count = field("数量", "Quantity", help_zh="台", help_en="vehicles")
    unit_price: Money = field("单价", "Unit price", help_zh="元", help_en="yuan")
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
    quality_deposit: float = field(
        "质保金（元）",
        "Quality deposit (yuan)",
        help_zh="无质保金填 0",
        help_en="0 if none",
        ge=0,
        le=1_000_000_000_000,
        allow_inf_nan=False,
    )

"""关系维护与服务计划 — the output of step 6, with the generated return-visit schedule.

The return-visit rule (seed 001: 初期每半月一次，三个月后每月一次) lives in
`forms.visits`, which imports nothing heavy: `kam schedule` uses it without
loading pydantic.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import ValidationInfo, field_validator

from forms.base import Form, Part, Text, computed, fail_at, field
from forms.kinds.contract_review import Delivery
from forms.visits import add_months, merged_visits, return_visit_dates  # noqa: F401 - part of this kind's API

# Read by `forms` without importing this module (naming a kind never loads pydantic). AUDIENCE: who may
# read it ("customer": its default PDF is the customer edition, without the fields marked internal).
KIND = "service-plan"
TITLE = ("关系维护与服务计划", "Relationship and service plan")
ORDER = 80
AUDIENCE = "customer"


class Training(Part):
    date: dt.date = field("培训日期", "Training date")
    audience: str = field(
        "培训对象", "Audience", help_zh="如 驾驶员、车管人员", help_en="e.g. drivers, fleet managers", min_length=1
    )
    topics: list[Text] = field(
        "培训内容", "Topics", help_zh="驾驶、使用、维修保养知识", help_en="driving, use, maintenance", min_length=1
    )


class ServiceStation(Part):
    name: str = field("服务站名称", "Station name", min_length=1)
    contact: str | None = field("对接人", "Contact", default=None)
    phone: str | None = field("电话", "Phone", default=None)


class OrderAssurance(Part):
    production_control: bool = field("生产过程控制", "Production control")
    key_component_consistency: bool = field("关键零部件配套厂家一致", "Key-component supplier consistency")
    goods_contract_check: bool = field("实物与合同一致性核查", "Goods checked against the contract")
    first_sample_reviewed: bool = field("上装首台样车经客户确认", "First body sample reviewed by the customer")


class ServicePlan(Form):
    kind: ClassVar[str] = KIND

    delivery_date: dt.date = field(
        "交车日期", "Delivery date", help_zh="回访计划据此生成", help_en="the return visits are generated from it"
    )
    user_file_created: bool = field("已建立客户档案", "User file created", internal=True)  # our own customer file
    training: list[Training] = field(
        "培训安排", "Training", help_zh="交车后对驾驶员及车管人员的培训", help_en="after delivery", min_length=1
    )
    service_station: ServiceStation = field("定点服务站", "Designated service station")
    care_activities: list[Text] = field(
        "客户关怀活动",
        "Care activities",
        help_zh="如 上门检修、免费保养",
        help_en="e.g. on-site inspection",
        default_factory=list,
    )
    # how we look after the relationship (policy support, senior and holiday visits) is ours to know
    policy_support: str | None = field("政策支持", "Policy support", default=None, internal=True)
    business_meetings: str | None = field("业务沟通会", "Business review meetings", default=None)
    senior_visits: str | None = field("中高层互访", "Senior-level visits", default=None, internal=True)
    holiday_visits: str | None = field("节假日走访", "Holiday visits", default=None, internal=True)
    order_assurance: OrderAssurance = field("订单保障", "Order assurance")
    pre_delivery_inspection: bool = field("交车前售前检查", "Pre-delivery inspection")

    deliveries: list[Delivery] = field(
        "分批交货",
        "Deliveries",
        help_zh="分批交车时每批一行（可照抄合同审核表）；回访按每批交车日期生成并合并",
        help_en="one per batch (as in the contract review); return visits follow each batch, merged",
        default_factory=list,
    )

    @field_validator("delivery_date")
    @classmethod
    def _plausible_delivery(cls, value: dt.date) -> dt.date:
        # the schedule runs a year past delivery; keep it well inside the calendar
        if not 2000 <= value.year <= 2099:
            raise ValueError("交车日期应在 2000–2099 年之间 | the delivery date must be in 2000-2099")
        return value

    @field_validator("training")
    @classmethod
    def _training_after_delivery(cls, value: list[Training], info: ValidationInfo) -> list[Training]:
        delivery = info.data.get("delivery_date")
        if delivery is not None:
            fail_at(
                (
                    ((i, "date"), "培训日期不能早于交车日期 | training must not be before the delivery date")
                    for i, t in enumerate(value)
                    if t.date < delivery
                ),
                cls.__name__,
            )
        return value

    @computed(  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
        "回访计划",
        "Return visits",
        help_zh="交车后前三个月每半月一次，之后每月一次",
        help_en="fortnightly, then monthly",
    )
    @property
    def return_visits(self) -> list[dt.date]:
        if self.deliveries:
            return merged_visits(d.date for d in self.deliveries)
        return return_visit_dates(self.delivery_date)

"""拜访反馈报告 — the output of step 2 (visit and product pitch)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import ValidationInfo, field_validator

from forms.base import Count, Form, Part, Text, field
from forms.choices import Level, RelationshipLevel, Stance

# Read by `forms` without importing this module (naming a kind never loads pydantic). AUDIENCE: who may
# read it ("customer": its default PDF is the customer edition, without the fields marked internal).
KIND = "visit-feedback"
TITLE = ("拜访反馈报告", "Visit feedback report")
ORDER = 20
AUDIENCE = "internal"


class Attendee(Part):
    name: str = field("姓名", "Name", min_length=1)
    department: str | None = field("部门", "Department", default=None)
    title: str | None = field("职务", "Title", default=None)


class DecisionMaker(Part):
    name: str = field("姓名", "Name", min_length=1)
    department: str | None = field("部门", "Department", default=None)
    role: str | None = field(
        "在项目中的作用",
        "Role in the project",
        help_zh="如 最终拍板人、技术选型决策人、采购经理",
        help_en="e.g. final decision, technical selection, purchasing",
        default=None,
    )
    influence: Level | None = field("影响力", "Influence", default=None)
    stance: Stance | None = field(
        "目前的关系", "Stance", help_zh="对我方的态度", help_en="attitude towards us", default=None
    )


class Needs(Part):
    fleet_size: int | None = field("车辆保有量", "Fleet size", help_zh="台", help_en="vehicles", default=None, ge=0)
    replacement_cycle_years: float | None = field(
        "更换周期（年）", "Replacement cycle (years)", default=None, gt=0, le=100, allow_inf_nan=False
    )
    purchase_quantity: Count = field("采购数量", "Purchase quantity", help_zh="台", help_en="vehicles")
    purchase_timing: str | None = field(
        "采购时间", "Purchase timing", help_zh="如 2027年一季度", help_en="e.g. Q1 2027", default=None
    )
    vehicle_use: str | None = field(
        "车辆用途", "Vehicle use", help_zh="如 环卫清运、渣土运输", help_en="e.g. sanitation", default=None
    )
    operating_environment: str | None = field(
        "使用区域及环境",
        "Operating region and environment",
        help_zh="如 城区、高寒、山区",
        help_en="e.g. urban, cold",
        default=None,
    )


class VisitFeedback(Form):
    kind: ClassVar[str] = KIND

    visit_date: dt.date = field("拜访日期", "Visit date")
    our_visitors: list[Text] = field("我方拜访人员", "Our visitors", min_length=1)
    customer_attendees: list[Attendee] = field("客户参加人员", "Customer attendees", min_length=1)
    handler_found: bool = field(
        "是否找到经手人",
        "Handler found",
        help_zh="找对项目的经手人；进入下一步需要“是”",
        help_en="the next step needs yes",
    )
    # validate_default: the rule must also fire when `handler` is left out entirely.
    handler: str | None = field(
        "经手人",
        "Handler",
        help_zh="找到经手人时必填",
        help_en="required when a handler was found",
        default=None,
        validate_default=True,
    )
    materials_delivered: list[Text] = field(
        "已递交产品资料",
        "Product materials delivered",
        help_zh="如 产品样本、公司资质",
        help_en="e.g. brochures",
        default_factory=list,
    )
    advantages_presented: str | None = field(
        "已介绍的技术及产品优势", "Technical and product advantages presented", default=None
    )
    purchase_process: str = field("客户内部采购流程", "Customer's purchase process", min_length=1)
    project_lead: str = field(
        "项目负责人", "Project lead", help_zh="客户方", help_en="on the customer side", min_length=1
    )
    decision_chain: list[DecisionMaker] = field(
        "采购决策链",
        "Decision chain",
        help_zh="决策人、部门、作用、影响力、关系",
        help_en="who decides, and how",
        default_factory=list,
    )
    needs: Needs = field("需求分析", "Needs")
    relationship_level: RelationshipLevel = field(
        "客情关系等级", "Relationship level", help_zh="1–4 级，见客情关系等级标准", help_en="1-4, see the criteria"
    )
    next_steps: str = field("下一步计划", "Next steps", min_length=1)
    attachments: list[Text] = field("附件", "Attachments", default_factory=list)

    @field_validator("handler")
    @classmethod
    def _handler_named(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("handler_found") is True and not value:
            raise ValueError("已找到经手人时必须填写经手人 | the handler is required when handler_found is true")
        return value

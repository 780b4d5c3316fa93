"""技术交流纪要 — the output of step 4 (technical exchange and solution confirmation)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import ValidationInfo, field_validator

from forms.base import Form, Part, Text, fail_at, field

# Read by `forms` without importing this module (naming a kind never loads pydantic). AUDIENCE: who may
# read it ("customer": its default PDF is the customer edition, without the fields marked internal).
KIND = "exchange-minutes"
TITLE = ("技术交流纪要", "Technical exchange minutes")
ORDER = 40
AUDIENCE = "customer"


class OpenIssue(Part):
    issue: str = field("待解决问题", "Issue", min_length=1)
    owner: str | None = field("责任人", "Owner", default=None)
    due: dt.date | None = field("完成日期", "Due date", default=None)


class ExchangeMinutes(Form):
    kind: ClassVar[str] = KIND

    meeting_date: dt.date = field("交流日期", "Meeting date")
    place: str | None = field("地点", "Place", default=None)
    our_participants: list[Text] = field("我方参加人员", "Our participants", min_length=1)
    customer_participants: list[Text] = field("客户参加人员", "Customer participants", min_length=1)
    topics: list[Text] = field("交流议题", "Topics", min_length=1)
    technical_requirements: list[Text] = field("车辆采购技术要求", "Technical requirements", default_factory=list)
    commercial_standards: list[Text] = field("商务标准", "Commercial standards", default_factory=list)
    solution_confirmed: bool = field(
        "方案已确认", "Solution confirmed", help_zh="进入下一步需要“是”", help_en="the next step needs yes"
    )
    open_issues: list[OpenIssue] = field("遗留问题", "Open issues", default_factory=list)

    @field_validator("open_issues")
    @classmethod
    def _due_after_meeting(cls, value: list[OpenIssue], info: ValidationInfo) -> list[OpenIssue]:
        meeting = info.data.get("meeting_date")
        if meeting is not None:
            fail_at(
                (
                    ((i, "due"), "完成日期不能早于交流日期 | the due date must not be before the meeting")
                    for i, issue in enumerate(value)
                    if issue.due is not None and issue.due < meeting
                ),
                cls.__name__,
            )
        return value

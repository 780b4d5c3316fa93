"""电话邀约反馈单 — the output of step 1b (phone invitation)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import ValidationInfo, field_validator

from forms.base import Form, Part, Text, field
from forms.choices import Level

# Read by `forms` without importing this module (naming a kind never loads pydantic). AUDIENCE: who may
# read it ("customer": its default PDF is the customer edition, without the fields marked internal).
KIND = "phone-invite-feedback"
TITLE = ("电话邀约反馈单", "Phone invitation feedback")
ORDER = 10
AUDIENCE = "internal"


class Contact(Part):
    name: str = field("姓名", "Name", min_length=1)
    title: str | None = field("职务", "Title", default=None)
    phone: str | None = field("电话", "Phone", default=None)


class PhoneInviteFeedback(Form):
    kind: ClassVar[str] = KIND

    call_date: dt.date = field("通话日期", "Call date")
    caller: str = field("邀约人", "Caller", help_zh="打电话的我方人员", help_en="who of us made the call", min_length=1)
    contact: Contact = field("客户联系人", "Customer contact")
    visit_time: dt.datetime = field(
        "约定拜访时间", "Agreed visit time", help_zh="不早于通话日期", help_en="not before the call date"
    )
    visit_place: str = field("拜访地点", "Visit place", min_length=1)
    our_visitors: list[Text] = field("我方拜访人员", "Our visitors", min_length=1)
    customer_attendees: list[Text] = field("客户参加人员", "Customer attendees", default_factory=list)
    purpose: str = field("拜访目的", "Purpose", min_length=1)
    interest: Level = field("客户意向", "Customer interest")
    notes: str | None = field("备注", "Notes", default=None)
    attachments: list[Text] = field("附件", "Attachments", default_factory=list)

    # A field validator (not a model validator) so the error carries the key path `visit_time`.
    @field_validator("visit_time")
    @classmethod
    def _visit_after_call(cls, value: dt.datetime, info: ValidationInfo) -> dt.datetime:
        call_date = info.data.get("call_date")
        if call_date is not None and value.date() < call_date:
            raise ValueError("约定拜访时间不能早于通话日期 | the visit time must not be before the call date")
        return value

"""The tables of the reports as Excel sheets (`--xlsx`) and the dated items as calendar events (`--ics`).

One function per report turns what the report computed (the same objects its
`--json` prints) into `views.spreadsheet.Sheet`s or `views.calendar.CalendarItem`s;
the writers there make the bytes. Headers are bilingual `Text`s, rendered in the
workbook's language; amounts are `money` cells (元), heat a `percent`, dates
`date` cells, times `datetime`.

Calendar UIDs are `<key>@kam.<database id>` (`calendar_uid`): the key is the
item's own stable name (a follow-up id such as `12-RV-20270215`, or an agenda
key such as `12-REQ-visit_pitch-visit-feedback.handler_found`), so importing a
newer file updates the events of the same items instead of adding copies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from forms.choices import LOST_REASON
from workflow.i18n import Text, t
from workflow.rules.deadlines import deadline_of, overdue_days
from workflow.rules.plans import KINDS as FOLLOWUP_KINDS
from workflow.rules.process import LOST, Process
from workflow.rules.receivables import PAYMENT, PAYMENT_LABEL
from workflow.views.agenda import Agenda, PendingReview
from workflow.views.calendar import CalendarItem, calendar_uid
from workflow.views.pipeline import PipelineReport, Section
from workflow.views.schedule import DueItem, Schedule
from workflow.views.spreadsheet import Column, Sheet


def _status(overdue: int) -> Text:
    return t(f"逾期 {overdue} 天", f"overdue {overdue} d") if overdue else t("待办", "due")


# -- kam agenda -----------------------------------------------------------------------------------------

AGENDA_COLUMNS = (
    Column(t("到期", "Due"), "date"),
    Column(t("逾期天数", "Days overdue"), "int"),
    Column(t("类型", "Kind")),
    Column(t("商机", "Opp"), "int"),
    Column(t("项目", "Title")),
    Column(t("客户", "Account")),
    Column(t("负责人", "Owner")),
    Column(t("事项", "What")),
    Column(t("联系人", "Contact")),
    Column(t("电话", "Phone")),
    Column(t("命令", "Command")),
)


def agenda_sheets(result: Agenda, lang: str) -> list[Sheet]:
    rows = [
        (
            i.due,
            i.overdue_days,
            i.label().render(lang),
            i.opportunity_id,
            i.title,
            i.account,
            i.owner,
            i.message.render(lang),
            " ".join(p for p in (i.contact.name, i.contact.title) if p) if i.contact else None,
            i.contact.phone if i.contact else None,
            i.command,
        )
        for i in result.items
    ]
    name = t(f"{result.actor}的待办", f"Agenda of {result.actor}").render(lang)
    return [Sheet(name, AGENDA_COLUMNS, rows)]


def agenda_calendar(result: Agenda, database_id: str, lang: str) -> list[CalendarItem]:
    out = []
    for i in result.items:
        label = i.label().render(lang)
        out.append(
            CalendarItem(
                uid=calendar_uid(i.key, database_id),
                date=i.due,
                summary=f"{label} {i.opportunity_id} {i.account}",
                description=f"{i.title}\n{i.message.render(lang)}",
                contact=i.contact.text() if i.contact else "",
                command=i.command,
                location=str(i.station["name"]) if i.station else "",
                categories=(label,),
            )
        )
    return out


# -- kam review pending -------------------------------------------------------------------------------

PENDING_COLUMNS = (
    Column(t("商机", "Opp"), "int"),
    Column(t("项目", "Title")),
    Column(t("客户", "Account")),
    Column(t("负责人", "Owner")),
    Column(t("合同编号", "Contract no.")),
    Column(t("总价", "Total"), "money"),
    Column(t("版本", "Version"), "int"),
    Column(t("等待自", "Waiting since"), "datetime"),
    Column(t("尚待部门", "Departments missing")),
    Column(t("驳回", "Rejected")),
)


def pending_sheets(items: list[PendingReview], process: Process, lang: str) -> list[Sheet]:
    def departments(ids: Any) -> str:
        return ("、" if lang == "zh" else ", ").join(process.department_label(d, lang) for d in ids)

    rows = [
        (
            r.opportunity_id,
            r.title,
            r.account,
            r.owner,
            r.contract_no,
            r.total,
            r.version,
            r.waiting_since.replace(tzinfo=dt.UTC),
            departments(r.departments_missing),
            "; ".join(
                f"{process.department_label(d, lang)} {v['reviewer']}: {v['comment']}" for d, v in r.rejected.items()
            )
            or None,
        )
        for r in items
    ]
    return [Sheet(t("待审批合同", "Reviews pending").render(lang), PENDING_COLUMNS, rows)]


# -- kam schedule -------------------------------------------------------------------------------------

SCHEDULE_COLUMNS = (
    Column(t("编号", "ID")),
    Column(t("到期", "Due"), "date"),
    Column(t("逾期天数", "Days overdue"), "int"),
    Column(t("类型", "Kind")),
    Column(t("说明", "Detail")),
    Column(t("商机", "Opp"), "int"),
    Column(t("项目", "Title")),
    Column(t("客户", "Account")),
    Column(t("负责人", "Owner")),
)
MISSING_PLAN_COLUMNS = (
    Column(t("商机", "Opp"), "int"),
    Column(t("项目", "Title")),
    Column(t("客户", "Account")),
    Column(t("负责人", "Owner")),
    Column(t("签约于", "Signed"), "datetime"),
    Column(t("已过天数", "Days since signing"), "int"),
)


def schedule_sheets(result: Schedule, lang: str) -> list[Sheet]:
    items = [
        (
            i.id,
            i.due,
            i.overdue_days,
            _kind_label(i.kind).render(lang),
            i.detail or None,
            i.opportunity_id,
            i.title,
            i.account,
            i.owner,
        )
        for i in result.items
    ]
    plans = [
        (m.opportunity_id, m.title, m.account, m.owner, m.signed_at.replace(tzinfo=dt.UTC), m.days_since_signing)
        for m in result.missing_plans
    ]
    return [
        Sheet(t("待办回访", "Follow-ups").render(lang), SCHEDULE_COLUMNS, items),
        Sheet(t("缺服务计划", "Without service plan").render(lang), MISSING_PLAN_COLUMNS, plans),
    ]


def schedule_calendar(items: Iterable[DueItem], database_id: str, lang: str) -> Iterator[CalendarItem]:
    """One event per follow-up, made as the writer asks for it (a year of a team's is 150,000)."""
    for i in items:
        label = _kind_label(i.kind).render(lang)
        detail = f"（{i.detail}）" if i.detail and lang == "zh" else f" ({i.detail})" if i.detail else ""
        command = (
            f"kam payment record {i.opportunity_id} --amount AMOUNT --date YYYY-MM-DD --milestone {i.detail}"
            if i.kind == PAYMENT
            else f'kam followup done {i.id} YYYY-MM-DD --note "..."'
        )
        yield CalendarItem(
            uid=calendar_uid(i.id, database_id),
            date=i.due,
            summary=f"{label} {i.opportunity_id} {i.account}",
            description=f"{i.title}{detail}",
            command=command,
            categories=(label,),
        )


def _kind_label(kind: str) -> Text:
    """A schedule item's kind as people read it: a follow-up's, or 回款 for money due (`rules.receivables`)."""
    return PAYMENT_LABEL if kind == PAYMENT else FOLLOWUP_KINDS[kind][1]


# -- kam opp list -------------------------------------------------------------------------------------

OPPORTUNITY_COLUMNS = (
    Column(t("编号", "ID"), "int"),
    Column(t("项目", "Title")),
    Column(t("客户", "Account")),
    Column(t("阶段", "Stage")),
    Column(t("负责人", "Owner")),
    Column(t("数量", "Quantity"), "int"),
    Column(t("预算", "Budget"), "money"),
    Column(t("成交热度", "Deal heat"), "percent"),
    Column(t("客情关系等级", "Relationship level"), "int"),
    Column(t("预计签约", "Expected close"), "date"),
    Column(t("阶段期限", "Stage deadline"), "date"),
    Column(t("超期天数", "Days overdue"), "int"),
    Column(t("暂停", "On hold"), "bool"),
    Column(t("丢单原因", "Lost reason")),
    Column(t("签约日期", "Signed on"), "date"),
)


def opportunities_sheets(
    rows: Iterable[Any], accounts: dict[int, str], process: Process, lang: str, today: dt.date
) -> list[Sheet]:
    """`kam opp list --xlsx`: one row per opportunity (Core rows of `opportunities`), as `opp list` shows them.

    Read straight from the rows rather than from the `--json` dictionaries: 100,000 opportunities in a few seconds.
    """
    stages = {s.id: s.name(lang) for s in process.stages}
    stages[LOST] = process.stage_label(LOST, lang)
    reasons = {r: LOST_REASON.label(r, lang) for r in LOST_REASON.values}
    out = []
    for o in rows:
        deadline = deadline_of(process, o)
        out.append(
            (
                o.id,
                o.title,
                accounts.get(o.account_id),
                stages.get(o.stage, o.stage),
                o.owner,
                o.quantity,
                o.budget,
                o.heat / 100 if o.heat is not None else None,
                o.relationship_level,
                o.expected_close,
                deadline,
                overdue_days(deadline, today) or None,
                bool(o.on_hold),
                reasons.get(o.lost_reason, o.lost_reason) if o.lost_reason else None,
                o.signed_at.date() if o.signed_at is not None else None,
            )
        )
    return [Sheet(t("商机", "Opportunities").render(lang), OPPORTUNITY_COLUMNS, out)]


# -- kam report pipeline ------------------------------------------------------------------------------

STAGE_COLUMNS = (
    Column(t("阶段", "Stage")),
    Column(t("商机", "Opps"), "int"),
    Column(t("车辆", "Vehicles"), "int"),
    Column(t("加权预测（台）", "Forecast (vehicles)"), "number"),
    Column(t("平均停留天数", "Avg days in stage"), "number"),
    Column(t("超期", "Overdue"), "int"),
    Column(t("暂停", "On hold"), "int"),
)
CONVERSION_COLUMNS = (
    Column(t("从", "From")),
    Column(t("到", "To")),
    Column(t("到达", "Reached"), "int"),
    Column(t("进入下一步", "Moved on"), "int"),
    Column(t("转化率", "Conversion"), "percent"),
)
STALLED_COLUMNS = (
    Column(t("商机", "Opp"), "int"),
    Column(t("客户", "Account")),
    Column(t("项目", "Title")),
    Column(t("负责人", "Owner")),
    Column(t("阶段", "Stage")),
    Column(t("最后动态", "Last activity"), "datetime"),
    Column(t("停滞天数", "Idle days"), "int"),
    Column(t("暂停", "On hold"), "bool"),
)
LOST_COLUMNS = (
    Column(t("丢单原因", "Lost reason")),
    Column(t("商机", "Opps"), "int"),
    Column(t("车辆", "Vehicles"), "int"),
)


def pipeline_sheets(report: PipelineReport, process: Process, lang: str) -> list[Sheet]:
    """One sheet per table of the report: stages, conversion, stalled, lost reasons; by owner when asked."""
    sheets = _section_sheets(report.everyone, process, lang, "")
    if report.owners:
        columns = [
            Column(t("负责人", "Owner")),
            *(Column(s.name(lang), "int") for s in process.stages),
            Column(t("丢单", "Lost"), "int"),
            Column(t("在途车辆", "Open vehicles"), "int"),
            Column(t("加权预测", "Forecast"), "number"),
            Column(t("停滞", "Stalled"), "int"),
            Column(t("超期", "Overdue"), "int"),
        ]
        rows = [
            (
                name,
                *(next(f.count for f in section.stages if f.stage == s.id) for s in process.stages),
                section.totals["lost"],
                section.totals["open_vehicles"],
                section.totals["forecast"],
                section.totals["stalled"],
                section.totals["overdue"],
            )
            for name, section in report.owners.items()
        ]
        sheets.append(Sheet(t("按负责人", "By owner").render(lang), columns, rows))
    return sheets


def _section_sheets(section: Section, process: Process, lang: str, prefix: str) -> list[Sheet]:
    stages = [(s.label, s.count, s.vehicles, s.forecast, s.avg_days, s.overdue, s.on_hold) for s in section.stages]
    conversion = [
        (
            process.stage_label(c.from_stage, lang),
            process.stage_label(c.to_stage, lang),
            c.reached_from,
            c.reached_to,
            c.rate,
        )
        for c in section.conversion
    ]
    stalled = [
        (
            s.id,
            s.account,
            s.title,
            s.owner,
            process.stage_label(s.stage, lang),
            s.last_activity.replace(tzinfo=dt.UTC),
            s.idle_days,
            s.on_hold,
        )
        for s in section.stalled
    ]
    lost = [(LOST_REASON.label(r["reason"], lang), r["count"], r["vehicles"]) for r in section.lost_reasons]
    return [
        Sheet(prefix + t("按阶段", "By stage").render(lang), STAGE_COLUMNS, stages),
        Sheet(prefix + t("阶段转化", "Conversion").render(lang), CONVERSION_COLUMNS, conversion),
        Sheet(prefix + t("停滞商机", "Stalled").render(lang), STALLED_COLUMNS, stalled),
        Sheet(prefix + t("丢单原因", "Lost reasons").render(lang), LOST_COLUMNS, lost),
    ]

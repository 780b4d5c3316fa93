"""`--ics` and `--xlsx` on the reports: calendars parsed back with icalendar, workbooks read back with openpyxl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from forms_fixtures import edit, load
from helpers import fill, walk_to
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import update

from workflow.operations import accounts
from workflow.records import tables
from workflow.records.db import Database
from workflow.records.tables import utcnow
from workflow.rules.process import Process

LONG_STATION = "内蒙古自治区包头市东河区巴彦塔拉大街八号福田汽车鑫达特约服务站（二十四小时救援热线）"


@pytest.fixture
def visits(db: Database, process: Process, deal: int) -> int:
    """A signed deal delivered 20 days ago: return visits on days 15 (overdue) and 30 (in 10 days) after delivery."""
    with db.write() as s:
        accounts.add_contact(s, 1, "李阳", actor="t", title="总经理", influence="high", phone="13947200000")
    walk_to(db, process, deal, "contract_maintenance")
    delivery = utcnow().date() - dt.timedelta(days=20)
    plan = edit(load("service-plan"), "delivery_date", delivery.isoformat())
    plan = edit(plan, "training", plan["training"][:1])
    plan = edit(plan, "training[0].date", (delivery + dt.timedelta(days=200)).isoformat())  # outside the windows
    plan = edit(plan, "holiday_visits", None)
    plan = edit(plan, "service_station.name", LONG_STATION)
    fill(db, deal, "service-plan", plan)
    return deal


def events(path: Path) -> list:  # type: ignore[type-arg]
    return Calendar.from_ical(path.read_bytes()).walk("VEVENT")


def test_the_agenda_as_a_calendar(kam, visits: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    assert kam("--actor", "王磊", "agenda", "--days", "14", "--ics", str(first), lang="zh").exit_code == 0
    assert kam("--actor", "王磊", "agenda", "--days", "14", "--ics", str(second), lang="zh").exit_code == 0
    one, two = events(first), events(second)
    today = utcnow().date()
    due = [today - dt.timedelta(days=5), today + dt.timedelta(days=10)]
    assert [e.decoded("DTSTART") for e in one] == due  # all-day DATE values, most urgent first
    assert [str(e["UID"]) for e in one] == [str(e["UID"]) for e in two]  # the same items: the same UIDs
    uid = str(one[0]["UID"])
    assert uid.startswith(f"{visits}-RV-{due[0]:%Y%m%d}@kam.")
    event = one[0]
    assert str(event["SUMMARY"]) == f"回访 {visits} 包头鑫达物流有限公司"
    description = str(event["DESCRIPTION"])
    assert f"服务站：{LONG_STATION} 马师傅 13904721234" in description  # Chinese intact after folding
    assert "联系人：李阳 总经理 13947200000" in description
    assert f"命令：kam followup done {visits}-RV-{due[0]:%Y%m%d} {today} --note \"...\"" in description
    assert str(event["LOCATION"]) == LONG_STATION
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -dt.timedelta(hours=15)  # 09:00 the day before
    raw = first.read_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75 and b"\r\n " in raw  # folded, never over 75 octets
    raw.decode("utf-8")  # every fold on a character boundary


def test_the_schedule_as_a_calendar_and_a_workbook(kam, visits: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ics, xlsx = tmp_path / "s.ics", tmp_path / "s.xlsx"
    until = utcnow().date() + dt.timedelta(days=400)
    result = kam("schedule", "--due-before", until.isoformat(), "--ics", str(ics), "--xlsx", str(xlsx))
    assert result.exit_code == 0, result.output
    listed = kam.json("schedule", "--due-before", until.isoformat())["items"]
    found = events(ics)
    assert [str(e["UID"]).split("@")[0] for e in found] == [i["id"] for i in listed]
    assert all(e.walk("VALARM") for e in found)
    again = tmp_path / "again.ics"
    kam("schedule", "--due-before", until.isoformat(), "--ics", str(again))
    assert [str(e["UID"]) for e in events(again)] == [str(e["UID"]) for e in found]
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Follow-ups", "Without service plan"]
    sheet = book["Follow-ups"]
    assert [c.value for c in sheet[1]] == ["ID", "Due", "Days overdue", "Kind", "Detail", "Opp", "Title", "Account", "Owner"]
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:I{len(listed) + 1}"
    assert sheet["A2"].value == listed[0]["id"] and isinstance(sheet["B2"].value, dt.datetime)
    assert sheet["B2"].number_format == "yyyy-mm-dd" and sheet["C2"].value == listed[0]["overdue_days"]


def test_the_agenda_as_a_workbook(kam, visits: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "a.xlsx"
    assert kam("--actor", "王磊", "agenda", "--xlsx", str(path), lang="zh").exit_code == 0
    book = load_workbook(path)
    assert book.sheetnames == ["王磊的待办"]
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["到期", "逾期天数", "类型", "商机", "项目", "客户", "负责人", "事项", "联系人", "电话", "命令"]
    row = [c.value for c in sheet[2]]
    assert row[0].date() == utcnow().date() - dt.timedelta(days=5) and row[1:4] == [5, "回访", visits]
    assert row[8:10] == ["李阳 总经理", "13947200000"]  # the phone a text cell: a leading zero or + is never lost
    assert sheet.column_dimensions["H"].width > 40  # fits the Chinese message (two widths per character)


def test_opp_list_as_a_workbook(kam, db: Database, deal: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        s.execute(
            update(tables.opportunities).values(
                budget=8_600_000, heat=70, expected_close=dt.date(2027, 3, 31), stage_entered_at=utcnow() - dt.timedelta(days=20)
            )
        )
    path = tmp_path / "o.xlsx"
    result = kam("opp", "list", "--xlsx", str(path), lang="zh")
    assert result.exit_code == 0 and f"已生成 {path}（1 个商机）" in result.output
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert header[:8] == ["编号", "项目", "客户", "阶段", "负责人", "数量", "预算", "成交热度"]
    cells = dict(zip(header, sheet[2], strict=True))
    assert cells["编号"].value == deal and cells["数量"].value == 20
    assert (cells["预算"].value, cells["预算"].number_format) == (8_600_000, '#,##0.00"元"')
    assert (cells["成交热度"].value, cells["成交热度"].number_format) == (0.7, "0.0%")
    assert cells["预计签约"].value == dt.datetime(2027, 3, 31) and cells["预计签约"].number_format == "yyyy-mm-dd"
    assert cells["超期天数"].value == 6 and cells["暂停"].value == "否"
    english = tmp_path / "en.xlsx"
    kam("opp", "list", "--xlsx", str(english))
    assert load_workbook(english).active["G2"].number_format == '"CNY "#,##0.00'


def test_the_pipeline_as_a_workbook_one_sheet_per_table(kam, db: Database, deal: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "p.xlsx"
    assert kam("report", "pipeline", "--by", "owner", "--xlsx", str(path)).exit_code == 0
    book = load_workbook(path)
    assert book.sheetnames == ["By stage", "Conversion", "Stalled", "Lost reasons", "By owner"]
    stages = book["By stage"]
    assert [c.value for c in stages[1]] == ["Stage", "Opps", "Vehicles", "Forecast (vehicles)", "Avg days in stage", "Overdue", "On hold"]
    assert [stages["A2"].value, stages["B2"].value, stages["C2"].value] == ["Target customer", 1, 20]
    assert book["Conversion"]["E2"].number_format == "0.0%"
    assert [c.value for c in book["By owner"][2]][:2] == ["王磊", 1]


def test_review_pending_as_a_workbook(kam, db: Database, process: Process, deal: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    walk_to(db, process, deal, "evaluation_negotiation")
    fill(db, deal, "contract-review")
    path = tmp_path / "r.xlsx"
    assert kam("review", "pending", "--xlsx", str(path), lang="zh").exit_code == 0
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]] == ["商机", "项目", "客户", "负责人", "合同编号", "总价", "版本", "等待自", "尚待部门", "驳回"]
    row = sheet[2]
    assert (row[4].value, row[5].value, row[5].number_format, row[6].value) == ("BTHW-2026-118", 10_860_000, '#,##0.00"元"', 1)
    assert isinstance(row[7].value, dt.datetime) and row[8].value == "销售部、财务部、法务部、生产部"

"""Due and overdue follow-ups across all accounts (return visits, training, meetings, holiday visits).

Also flags signed opportunities still without a service plan 14 days after signing.

\b
Example:
  kam schedule
  kam schedule --due-before 2027-03-31 --owner 王磊
  kam schedule --due-before 2027-12-31 --ics 回访.ics --xlsx 回访.xlsx
  kam followup done 12-RV-20270215 2027-02-16 --note "车辆运行正常"
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import click

from commands._common import Kam, KamCommand, local_time, output_path, pass_kam, write_output
from commands._table import table
from commands._values import DATE
from workflow.rules.plans import DEFAULT_MONTHS, KINDS, MAX_MONTHS, plan_within_days
from workflow.rules.receivables import PAYMENT
from workflow.values.money import format_amount
from workflow.views import schedule as views

SHOWN = 200  # rows in the table; --json lists everything


@click.command("schedule", cls=KamCommand, help=__doc__)
@click.option(
    "--due-before",
    type=DATE,
    help="List follow-ups due on or before this date, YYYY-MM-DD (default: a week from today).",
)
@click.option("--owner", help="Only this owner's opportunities.")
@click.option(
    "--months",
    type=click.IntRange(1, MAX_MONTHS),
    default=DEFAULT_MONTHS,
    show_default=True,
    help="Horizon of the return-visit plan after delivery.",
)
@click.option("--ics", "ics", metavar="FILE", help="Also write the follow-ups as an iCalendar file (phones, Outlook).")
@click.option("--xlsx", "xlsx", metavar="FILE", help="Also write the schedule as an Excel workbook.")
@click.option("--force", is_flag=True, help="Overwrite the --ics / --xlsx file if it exists.")
@pass_kam
def schedule(
    kam: Kam,
    due_before: dt.date | None,
    owner: str | None,
    months: int,
    ics: str | None,
    xlsx: str | None,
    force: bool,
) -> None:
    for path in (ics, xlsx):
        if path:
            output_path(path, force)  # refuse before the work, not after
    with kam.db.connect() as connection:  # Core only: the schedule does not load the ORM
        result = views.schedule(connection, kam.process, due_before=due_before, owner=owner, months=months)
        if ics:
            from workflow.records.ledger import database_id

            database = database_id(connection) or "local"
    if xlsx or ics:
        from workflow.records.tables import utcnow
        from workflow.views import outputs

        if xlsx:
            from workflow.views.spreadsheet import write_xlsx

            sheets = outputs.schedule_sheets(result, kam.lang)
            write_output(xlsx, write_xlsx(sheets, lang=kam.lang, generated_at=utcnow()), force)
        if ics:
            from workflow.records.files import writing
            from workflow.views.calendar import iter_ics

            events = outputs.schedule_calendar(result.items, database, kam.lang)
            name = kam.t("回访计划（kam）", "Follow-ups (kam)")
            with writing(output_path(ics, force)) as out:  # streamed: a year's follow-ups are 80 MB of text
                for chunk in iter_ics(events, name=name, generated_at=utcnow(), lang=kam.lang):
                    out.write(chunk)
    kam.emit(result.to_dict(), lambda: _print(kam, result))
    for path in (xlsx, ics):
        if path:
            kam.say(f"已生成 {path}", f"wrote {path}")


def _kind(kam: Kam, item: views.DueItem) -> str:
    if item.kind == PAYMENT:  # a receivable: its milestone and what is still to come in
        owed = format_amount(item.outstanding or Decimal(0), kam.lang)
        return kam.t(f"回款（{item.detail}，未收 {owed}）", f"payment ({item.detail}, {owed} outstanding)")
    label = KINDS[item.kind][1].render(kam.lang)
    if not item.detail:
        return label
    return label + (f"（{item.detail}）" if kam.lang == "zh" else f" ({item.detail})")


def _print(kam: Kam, result: views.Schedule) -> None:
    if result.items:
        table(
            [
                kam.t(*h)
                for h in (
                    ("编号", "ID"),
                    ("到期", "Due"),
                    ("状态", "Status"),
                    ("类型", "Kind"),
                    ("客户", "Account"),
                    ("项目", "Opportunity"),
                    ("负责人", "Owner"),
                )
            ],
            [
                (
                    i.id,
                    i.due,
                    kam.t(f"逾期 {i.overdue_days} 天", f"overdue {i.overdue_days} d")
                    if i.overdue_days
                    else kam.t("待办", "due"),
                    _kind(kam, i),
                    i.account,
                    f"{i.opportunity_id} {i.title}",
                    i.owner,
                )
                for i in result.items[:SHOWN]
            ],
            title=kam.t(
                f"截至 {result.due_before} 的待办回访（今天 {result.today}）",
                f"Follow-ups due by {result.due_before} (today {result.today})",
            ),
        )
        if len(result.items) > SHOWN:
            kam.say(
                f"……另有 {len(result.items) - SHOWN} 项未列出：用 --owner / --due-before 缩小范围，或 --json 查看全部",
                f"... {len(result.items) - SHOWN} more not listed: narrow with --owner / --due-before, or --json for "
                "all",
            )
        overdue = sum(1 for i in result.items if i.overdue_days)
        kam.say(
            f"共 {len(result.items)} 项，其中逾期 {overdue} 项", f"{len(result.items)} follow-up(s), {overdue} overdue"
        )
    else:
        kam.say(f"截至 {result.due_before} 没有待办回访", f"no follow-ups due by {result.due_before}")
    if result.missing_plans:
        within = plan_within_days(kam.process)
        click.echo()
        table(
            [
                kam.t(*h)
                for h in (
                    ("商机", "Opp"),
                    ("客户", "Account"),
                    ("项目", "Title"),
                    ("负责人", "Owner"),
                    ("签约于", "Signed"),
                    ("已过天数", "Days"),
                )
            ],
            [
                (m.opportunity_id, m.account, m.title, m.owner, local_time(m.signed_at), m.days_since_signing)
                for m in result.missing_plans
            ],
            title=kam.t(
                f"签约后超过 {within} 天仍无服务计划（kam doc fill ID service-plan）",
                f"Signed over {within} days ago without a service plan (kam doc fill ID service-plan)",
            ),
        )


COMMAND = schedule

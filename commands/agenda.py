"""One person's day: what is due within N days and everything overdue, most urgent first, each with its command.

Next requirements of open deals (with their stage deadline), follow-ups with the
contact to call and the service station, signed deals without a service plan,
rejected contract reviews; with --department, the reviews waiting for it.

\b
Example:
  kam agenda
  kam agenda --owner 王磊 --days 14 --ics 王磊.ics
  kam --actor 钱进 agenda --department finance --xlsx 财务待审.xlsx
"""

from __future__ import annotations

import click

from commands._common import Kam, KamCommand, clean, output_path, pass_kam, write_output
from workflow.views import agenda as views

SHOWN = 200  # items printed; --json, --xlsx and --ics hold everything


@click.command("agenda", cls=KamCommand, help=__doc__)
@click.option("--owner", help="Whose agenda (default: --actor).")
@click.option("--department", help="Also the contract reviews waiting for this department (see kam workflow show).")
@click.option("--days", type=int, default=views.DEFAULT_DAYS, show_default=True, help="Due within this many days.")
@click.option("--ics", "ics", metavar="FILE", help="Also write the items as an iCalendar file (phones, Outlook).")
@click.option("--xlsx", "xlsx", metavar="FILE", help="Also write the items as an Excel workbook.")
@click.option("--force", is_flag=True, help="Overwrite the --ics / --xlsx file if it exists.")
@pass_kam
def agenda(
    kam: Kam, owner: str | None, department: str | None, days: int, ics: str | None, xlsx: str | None, force: bool
) -> None:
    if owner is not None and department is not None:
        raise click.UsageError(
            kam.t(
                "请只给出 --owner 姓名 或 --department 部门 其中之一",
                "give --owner NAME or --department D, not both",
            )
        )
    for path in (ics, xlsx):
        if path:
            output_path(path, force)  # refuse before the work, not after
    with kam.db.read() as session:
        result = views.agenda(session, kam.process, actor=kam.actor, owner=owner, department=department, days=days)
        database = _database_id(session) if ics else ""
    if xlsx:
        from workflow.records.tables import utcnow
        from workflow.views.outputs import agenda_sheets
        from workflow.views.spreadsheet import write_xlsx

        write_output(xlsx, write_xlsx(agenda_sheets(result, kam.lang), lang=kam.lang, generated_at=utcnow()), force)
    if ics:
        from workflow.records.tables import utcnow
        from workflow.views.calendar import write_ics
        from workflow.views.outputs import agenda_calendar

        name = kam.t(f"{result.actor}的待办（kam）", f"Agenda of {result.actor} (kam)")
        content = write_ics(
            agenda_calendar(result, database, kam.lang), name=name, generated_at=utcnow(), lang=kam.lang
        )
        write_output(ics, content, force)
    kam.emit(result.to_dict(kam.lang), lambda: _print(kam, result))
    for path in (xlsx, ics):
        if path:
            kam.say(f"已生成 {path}（{len(result.items)} 项）", f"wrote {path} ({len(result.items)} items)")


def _database_id(session: object) -> str:
    from workflow.records.db import as_connection
    from workflow.records.ledger import database_id

    return database_id(as_connection(session)) or "local"  # type: ignore[arg-type]


def _print(kam: Kam, result: views.Agenda) -> None:
    department = kam.process.department_label(result.department, kam.lang) if result.department else ""
    who = result.actor + (kam.t(f"（{department}审批）", f" (reviewing for {department})") if department else "")
    overdue = sum(1 for i in result.items if i.overdue_days)
    if not result.items:
        kam.say(
            f"{who}：截至 {result.until} 没有待办（今天 {result.today}）",
            f"{who}: nothing due by {result.until} (today {result.today})",
        )
        return
    kam.say(
        f"{who}的待办：今天 {result.today}，截至 {result.until}，共 {len(result.items)} 项，其中逾期 {overdue} 项",
        f"Agenda of {who}: today {result.today}, due by {result.until}: {len(result.items)} item(s), {overdue} overdue",
    )
    for i in result.items[:SHOWN]:
        when = (
            kam.t(f"逾期 {i.overdue_days} 天", f"overdue {i.overdue_days} d")
            if i.overdue_days
            else kam.t("待办", "due")
        )
        kind = i.label().render(kam.lang)
        click.echo(
            clean(
                f"{i.due}  {when}  [{kind}] {i.opportunity_id} {i.title}（{i.account}）"
                if kam.lang == "zh"
                else f"{i.due}  {when}  [{kind}] {i.opportunity_id} {i.title} ({i.account})"
            )
        )
        click.echo(clean(f"    {i.message.render(kam.lang)}"))
        if i.contact is not None:
            click.echo(clean("    " + kam.t("联系人：", "contact: ") + i.contact.text()))
        click.echo(clean(f"    → {i.command}"))
    if len(result.items) > SHOWN:
        kam.say(
            f"……另有 {len(result.items) - SHOWN} 项未列出：用 --days 缩小范围，或 --json / --xlsx 查看全部",
            f"... {len(result.items) - SHOWN} more not listed: narrow with --days, or --json / --xlsx for all",
        )


COMMAND = agenda

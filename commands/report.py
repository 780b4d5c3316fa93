"""Management reports.

\b
Example:
  kam report pipeline
  kam report pipeline --by owner --pdf pipeline.pdf
"""

from __future__ import annotations

from decimal import Decimal

import click

from commands._common import Kam, KamGroupBase, local_time, output_path, pass_kam, write_output
from commands._table import table
from forms.choices import LOST_REASON
from workflow.rules.contract import AMENDING_LABEL
from workflow.values.money import format_wan
from workflow.views import pipeline as views
from workflow.views.company import letterhead

STALLED_SHOWN = 20


@click.group("report", cls=KamGroupBase, help=__doc__)
def report() -> None:
    pass


@report.command("pipeline")
@click.option("--by", "by", type=click.Choice(["owner"]), help="Also break the figures down by owner.")
@click.option("--owner", help="Only this owner's opportunities.")
@click.option(
    "--stalled-days",
    type=click.IntRange(0, 36500),
    default=30,
    show_default=True,
    help="An open opportunity with no history for this many days is stalled.",
)
@click.option(
    "--stalled-limit",
    type=click.IntRange(0, 1_000_000),
    default=50,
    show_default=True,
    help="List this many stalled opportunities, longest idle first (all are counted; 0 lists all).",
)
@click.option(
    "--pdf",
    "pdf",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the report as a PDF with a funnel chart.",
)
@click.option("--xlsx", "xlsx", metavar="FILE", help="Also write the report's tables as an Excel workbook.")
@click.option("--force", is_flag=True, help="Overwrite the --pdf / --xlsx file if it exists.")
@pass_kam
def report_pipeline(
    kam: Kam,
    by: str | None,
    owner: str | None,
    stalled_days: int,
    stalled_limit: int,
    pdf: str | None,
    xlsx: str | None,
    force: bool,
) -> None:
    """Per stage: count, vehicles, weighted forecast (quantity × heat), days in stage; conversion, stalled,
    lost reasons.

    \b
    Example:
      kam report pipeline
      kam report pipeline --by owner --stalled-days 45
      kam --json report pipeline
      kam report pipeline --pdf pipeline.pdf
      kam report pipeline --by owner --xlsx 漏斗.xlsx
    """
    for path in (pdf, xlsx):
        if path:
            output_path(path, force)  # refuse before the work, not after
    with kam.db.connect() as connection:  # Core only: the report does not load the ORM
        company = letterhead(connection) if pdf else None
        result = views.pipeline(
            connection,
            kam.process,
            by_owner=by == "owner",
            owner=owner,
            stalled_days=stalled_days,
            stalled_limit=stalled_limit,
            lang=kam.lang,
        )
    if pdf:
        content = views.pipeline_pdf(
            result,
            kam.process,
            lang=kam.lang,
            owner=owner,
            actor=kam.actor,
            as_of=local_time(result.as_of),
            company=company,
        )
        write_output(pdf, content, force)
    if xlsx:
        from workflow.views.outputs import pipeline_sheets
        from workflow.views.spreadsheet import write_xlsx

        sheets = pipeline_sheets(result, kam.process, kam.lang)
        write_output(xlsx, write_xlsx(sheets, lang=kam.lang, generated_at=result.as_of), force)
    kam.emit(result.to_dict(), lambda: _print(kam, result))
    for path in (pdf, xlsx):
        if path:
            kam.say(f"已生成 {path}", f"wrote {path}")


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


UNRATED_SHOWN = 10


def _money(kam: Kam, value: float | None) -> str:
    """An amount in a table column headed 万元 (English: thousands of CNY)."""
    if value is None:
        return "—"
    return f"{value / 10_000:,.1f}" if kam.lang == "zh" else f"{value / 1_000:,.0f}"


def _wan(kam: Kam, value: float) -> str:
    return format_wan(Decimal(repr(value)), kam.lang)


def _print(kam: Kam, result: views.PipelineReport) -> None:
    process = kam.process
    everyone = result.everyone
    table(
        [
            kam.t(*h)
            for h in (
                ("阶段", "Stage"),
                ("商机", "Opps"),
                ("车辆", "Vehicles"),
                ("加权预测", "Forecast"),
                ("金额（万元）", "Amount (CNY k)"),
                ("预测（万元）", "Forecast (CNY k)"),
                ("平均停留天数", "Avg days"),
                ("超期", "Overdue"),
                ("暂停", "On hold"),
            )
        ],
        [
            (
                s.label,
                s.count,
                s.vehicles,
                _num(s.forecast),
                _money(kam, s.amount),
                _money(kam, s.forecast_amount),
                _num(s.avg_days),
                s.overdue or "",
                s.on_hold or "",
            )
            for s in everyone.stages
        ],
        title=kam.t(f"销售漏斗（{local_time(result.as_of)}）", f"Pipeline ({local_time(result.as_of)})"),
    )
    totals = everyone.totals
    kam.say(
        f"在途 {totals['open']} 个商机、{totals['open_vehicles']} 台，加权预测 {_num(totals['forecast'])} 台（数量 × "
        "成交热度）；已签约 "
        f"{totals['signed']}，已丢单 {totals['lost']}",
        f"{totals['open']} open opportunities, {totals['open_vehicles']} vehicles, weighted forecast "
        f"{_num(totals['forecast'])} vehicles (quantity × heat); {totals['signed']} signed, {totals['lost']} lost",
    )
    if everyone.amending:
        label = AMENDING_LABEL.render(kam.lang)
        listed = kam.t("、", ", ").join(
            kam.t(f"{a.id}「{a.title}」（{a.owner}）", f"{a.id} ({a.title}, {a.owner})") for a in everyone.amending
        )
        kam.say(
            f"{label}：{len(everyone.amending)} 个已签约商机 {listed}",
            f"{label}: {len(everyone.amending)} signed opportunit{'y' if len(everyone.amending) == 1 else 'ies'} "
            f"{listed}",
        )
    kam.say(
        f"在途金额 {_wan(kam, totals['open_amount'])}，"
        f"加权预测 {_wan(kam, totals['forecast_amount'])}（金额 × 成交热度）；"
        f"已签约合同 {_wan(kam, totals['signed_amount'])}，已回款 {_wan(kam, totals['received'])}，"
        f"未收 {_wan(kam, totals['outstanding'])}，其中逾期 {_wan(kam, totals['overdue_amount'])}",
        f"open amount {_wan(kam, totals['open_amount'])}, weighted forecast {_wan(kam, totals['forecast_amount'])} "
        f"(amount × heat); signed {_wan(kam, totals['signed_amount'])}, received {_wan(kam, totals['received'])}, "
        f"outstanding {_wan(kam, totals['outstanding'])}, of which overdue {_wan(kam, totals['overdue_amount'])}",
    )
    if everyone.unrated:
        shown = "、".join(f"{u.id} {u.title}（{u.default_heat}%）" for u in everyone.unrated[:UNRATED_SHOWN])
        shown_en = ", ".join(f"{u.id} {u.title} ({u.default_heat}%)" for u in everyone.unrated[:UNRATED_SHOWN])
        more = totals["unrated"] - min(len(everyone.unrated), UNRATED_SHOWN)
        kam.say(
            f"未评估成交热度的 {totals['unrated']} 个商机按阶段默认热度预测（kam opp rate 评估）：{shown}"
            + (f" 等（另有 {more} 个）" if more > 0 else ""),
            f"{totals['unrated']} deal(s) not yet rated, forecast at their stage's default heat (rate them with kam "
            f"opp rate): {shown_en}" + (f" and {more} more" if more > 0 else ""),
        )
    click.echo()
    table(
        [
            kam.t(*h)
            for h in (
                ("从", "From"),
                ("到", "To"),
                ("到达", "Reached"),
                ("进入下一步", "Moved on"),
                ("转化率", "Conversion"),
            )
        ],
        [
            (
                process.stage_label(c.from_stage, kam.lang),
                process.stage_label(c.to_stage, kam.lang),
                c.reached_from,
                c.reached_to,
                f"{c.rate:.0%}" if c.rate is not None else "—",
            )
            for c in everyone.conversion
        ],
        title=kam.t("阶段转化", "Conversion between stages"),
    )
    if everyone.stalled:
        click.echo()
        table(
            [
                kam.t(*h)
                for h in (
                    ("商机", "Opp"),
                    ("客户", "Account"),
                    ("项目", "Title"),
                    ("负责人", "Owner"),
                    ("阶段", "Stage"),
                    ("最后动态", "Last activity"),
                    ("停滞天数", "Idle days"),
                )
            ],
            [
                (
                    s.id,
                    s.account,
                    s.title,
                    s.owner,
                    process.stage_label(s.stage, kam.lang) + (kam.t("（暂停）", " (on hold)") if s.on_hold else ""),
                    local_time(s.last_activity),
                    s.idle_days,
                )
                for s in everyone.stalled[:STALLED_SHOWN]
            ],
            title=kam.t(
                f"停滞商机（{result.stalled_days} 天无动态）", f"Stalled ({result.stalled_days} days without history)"
            ),
        )
        more = totals["stalled"] - min(len(everyone.stalled), STALLED_SHOWN)
        if more > 0:
            kam.say(
                f"……另有 {more} 个（--stalled-limit 0 --json 列出全部）",
                f"... and {more} more (--stalled-limit 0 --json lists all)",
            )
    if everyone.lost_reasons:
        click.echo()
        table(
            [kam.t(*h) for h in (("丢单原因", "Lost reason"), ("商机", "Opps"), ("车辆", "Vehicles"))],
            [(LOST_REASON.label(r["reason"], kam.lang), r["count"], r["vehicles"]) for r in everyone.lost_reasons],
            title=kam.t("丢单原因", "Lost reasons"),
        )
    if result.owners:
        click.echo()
        steps = [s for s in process.stages]
        table(
            [
                kam.t("负责人", "Owner"),
                *(s.step for s in steps),
                kam.t("丢单", "Lost"),
                kam.t("在途车辆", "Open veh."),
                kam.t("加权预测", "Forecast"),
                kam.t("预测万元", "Fcst CNY k"),
                kam.t("签约万元", "Signed CNY k"),
                kam.t("未收万元", "Owed CNY k"),
                kam.t("停滞", "Stalled"),
            ],
            [
                (
                    name,
                    *(next(f.count for f in section.stages if f.stage == s.id) or "" for s in steps),
                    section.totals["lost"] or "",
                    section.totals["open_vehicles"],
                    _num(section.totals["forecast"]),
                    _money(kam, section.totals["forecast_amount"]),
                    _money(kam, section.totals["signed_amount"]),
                    _money(kam, section.totals["outstanding"]),
                    section.totals["stalled"] or "",
                )
                for name, section in result.owners.items()
            ],
            title=kam.t(
                "按负责人（列为阶段编号，见 kam workflow show）",
                "By owner (columns are step numbers, see kam workflow show)",
            ),
        )


COMMAND = report

"""kam report … : the pipeline at a glance (as a table, JSON or a PDF with a funnel chart)."""

from __future__ import annotations

import click

from commands._common import Kam, KamGroupBase, local_time, output_path, pass_kam, table, write_output

STALLED_SHOWN = 20


@click.group("report", cls=KamGroupBase)
def report() -> None:
    """Management reports.

    \b
    Example:
      kam report pipeline
      kam report pipeline --by owner --pdf pipeline.pdf
    """


@report.command("pipeline")
@click.option("--by", "by", type=click.Choice(["owner"]), help="Also break the figures down by owner.")
@click.option("--owner", help="Only this owner's opportunities.")
@click.option("--stalled-days", type=click.IntRange(0, 36500), default=30, show_default=True, help="An open opportunity with no history for this many days is stalled.")
@click.option("--stalled-limit", type=click.IntRange(0, 1_000_000), default=50, show_default=True, help="List this many stalled opportunities, longest idle first (all are counted; 0 lists all).")
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False, writable=True), help="Also write the report as a PDF with a funnel chart.")
@click.option("--force", is_flag=True, help="Overwrite the PDF if it exists.")
@pass_kam
def report_pipeline(kam: Kam, by: str | None, owner: str | None, stalled_days: int, stalled_limit: int, pdf: str | None, force: bool) -> None:
    """Per stage: count, vehicles, weighted forecast (quantity × heat), days in stage; conversion, stalled, lost reasons.

    \b
    Example:
      kam report pipeline
      kam report pipeline --by owner --stalled-days 45
      kam --json report pipeline
      kam report pipeline --pdf pipeline.pdf
    """
    from workflow import pipeline

    if pdf:
        output_path(pdf, force)  # refuse before the work, not after
    with kam.db.connect() as connection:  # Core only: the report does not load the ORM
        result = pipeline.pipeline(connection, kam.process, by_owner=by == "owner", owner=owner, stalled_days=stalled_days, stalled_limit=stalled_limit, lang=kam.lang)
    if pdf:
        _write_pdf(kam, result, pdf, owner, force)
    kam.emit(result.to_dict(), lambda: _print(kam, result))
    if pdf:
        kam.say(f"已生成 {pdf}", f"wrote {pdf}")


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def _print(kam: Kam, result) -> None:  # type: ignore[no-untyped-def]
    from workflow.i18n import value_label

    process = kam.process
    everyone = result.everyone
    table(
        [kam.t(*h) for h in (("阶段", "Stage"), ("商机", "Opps"), ("车辆", "Vehicles"), ("加权预测", "Forecast"), ("平均停留天数", "Avg days"), ("暂停", "On hold"))],
        [(s.label, s.count, s.vehicles, _num(s.forecast), _num(s.avg_days), s.on_hold or "") for s in everyone.stages],
        title=kam.t(f"销售漏斗（{local_time(result.as_of)}）", f"Pipeline ({local_time(result.as_of)})"),
    )
    totals = everyone.totals
    kam.say(
        f"在途 {totals['open']} 个商机、{totals['open_vehicles']} 台，加权预测 {_num(totals['forecast'])} 台（数量 × 成交热度）；已签约 {totals['signed']}，已丢单 {totals['lost']}",
        f"{totals['open']} open opportunities, {totals['open_vehicles']} vehicles, weighted forecast {_num(totals['forecast'])} vehicles (quantity × heat); {totals['signed']} signed, {totals['lost']} lost",
    )
    click.echo()
    table(
        [kam.t(*h) for h in (("从", "From"), ("到", "To"), ("到达", "Reached"), ("进入下一步", "Moved on"), ("转化率", "Conversion"))],
        [
            (process.stage_label(c.from_stage, kam.lang), process.stage_label(c.to_stage, kam.lang), c.reached_from, c.reached_to, f"{c.rate:.0%}" if c.rate is not None else "—")
            for c in everyone.conversion
        ],
        title=kam.t("阶段转化", "Conversion between stages"),
    )
    if everyone.stalled:
        click.echo()
        table(
            [kam.t(*h) for h in (("商机", "Opp"), ("客户", "Account"), ("项目", "Title"), ("负责人", "Owner"), ("阶段", "Stage"), ("最后动态", "Last activity"), ("停滞天数", "Idle days"))],
            [
                (s.id, s.account, s.title, s.owner, process.stage_label(s.stage, kam.lang) + (kam.t("（暂停）", " (on hold)") if s.on_hold else ""), local_time(s.last_activity), s.idle_days)
                for s in everyone.stalled[:STALLED_SHOWN]
            ],
            title=kam.t(f"停滞商机（{result.stalled_days} 天无动态）", f"Stalled ({result.stalled_days} days without history)"),
        )
        more = totals["stalled"] - min(len(everyone.stalled), STALLED_SHOWN)
        if more > 0:
            kam.say(f"……另有 {more} 个（--stalled-limit 0 --json 列出全部）", f"... and {more} more (--stalled-limit 0 --json lists all)")
    if everyone.lost_reasons:
        click.echo()
        table(
            [kam.t(*h) for h in (("丢单原因", "Lost reason"), ("商机", "Opps"), ("车辆", "Vehicles"))],
            [(value_label(r["reason"], kam.lang), r["count"], r["vehicles"]) for r in everyone.lost_reasons],
            title=kam.t("丢单原因", "Lost reasons"),
        )
    if result.owners:
        click.echo()
        steps = [s for s in process.stages]
        table(
            [kam.t("负责人", "Owner"), *(s.step for s in steps), kam.t("丢单", "Lost"), kam.t("在途车辆", "Open veh."), kam.t("加权预测", "Forecast"), kam.t("停滞", "Stalled")],
            [
                (
                    name,
                    *(next(f.count for f in section.stages if f.stage == s.id) or "" for s in steps),
                    section.totals["lost"] or "",
                    section.totals["open_vehicles"],
                    _num(section.totals["forecast"]),
                    section.totals["stalled"] or "",
                )
                for name, section in result.owners.items()
            ],
            title=kam.t("按负责人（列为阶段编号，见 kam workflow show）", "By owner (columns are step numbers, see kam workflow show)"),
        )


PDF_STALLED_SHOWN = 40

HEADINGS = {
    "title": ("销售漏斗报告", "Pipeline report"),
    "open": ("在途商机", "Open opportunities"),
    "open_vehicles": ("在途车辆", "Open vehicles"),
    "forecast": ("加权预测（台）", "Weighted forecast (vehicles)"),
    "signed_lost": ("已签约 / 已丢单", "Signed / lost"),
    "stalled": ("停滞", "Stalled"),
    "scope": ("范围", "Scope"),
    "as_of": ("统计截至", "As of"), "made_by": ("生成人", "Made by"), "stalled_rule": ("停滞标准", "Stalled means"),
    "funnel": ("漏斗", "Funnel"),
    "by_stage": ("按阶段", "By stage"),
    "stage": ("阶段", "Stage"),
    "count": ("商机", "Opps"),
    "vehicles": ("车辆", "Vehicles"),
    "avg_days": ("平均停留天数", "Avg days in stage"),
    "on_hold": ("暂停", "On hold"),
    "forecast_note": ("加权预测 = Σ 数量 × 成交热度（未评估的商机计 0）；已签约与已丢单不计入预测。漏斗宽度为到达该阶段的商机数。",
                      "Weighted forecast = Σ quantity × deal heat (unrated opportunities count 0); signed and lost are not forecast. Funnel width is the number that reached each stage."),
    "conversion": ("阶段转化", "Conversion between stages"),
    "from": ("从", "From"), "to": ("到", "To"), "reached": ("到达", "Reached"), "moved_on": ("进入下一步", "Moved on"), "rate": ("转化率", "Rate"),
    "lost_reasons": ("丢单原因", "Lost reasons"), "reason": ("原因", "Reason"),
    "by_owner": ("按负责人", "By owner"), "owner": ("负责人", "Owner"), "lost": ("丢单", "Lost"),
    "steps_note": ("列为阶段编号（见 kam workflow show）。", "Columns are step numbers (see kam workflow show)."),
    "stalled_title": ("停滞商机", "Stalled opportunities"),
    "opp": ("商机", "Opp"), "account": ("客户", "Account"), "title_col": ("项目", "Title"),
    "last_activity": ("最后动态", "Last activity"), "idle_days": ("停滞天数", "Idle days"),
    "more": ("另有 {} 个未列出（kam --json report pipeline --stalled-limit 0 列出全部）。", "{} more not listed (kam --json report pipeline --stalled-limit 0 lists all)."),
    "everyone": ("全部负责人", "all owners"),
}


def _write_pdf(kam: Kam, result, path: str, owner: str | None, force: bool) -> None:  # type: ignore[no-untyped-def]
    """The report in the shared A4 layout, with a funnel chart drawn from the figures."""
    from markupsafe import Markup

    import reports
    from workflow.i18n import value_label
    from workflow.pipeline import funnel_svg

    lang = kam.lang
    T = {key: pair[0 if lang == "zh" else 1] for key, pair in HEADINGS.items()}
    title = T["title"]
    T["title"] = T["title_col"]  # in the template, T.title heads the stalled table's title column
    T["stalled_title"] += kam.t(f"（{result.stalled_days} 天无动态）", f" ({result.stalled_days} days without history)")
    T["stalled_days_text"] = kam.t(f"{result.stalled_days} 天无动态", f"no history for {result.stalled_days} days")
    ctx = reports.DocumentContext(
        opportunity_id="—", customer=kam.t("全部客户", "all accounts"), version=1, created_at=result.as_of,
        owner=owner or T["everyone"], author=kam.actor, opportunity_title=local_time(result.as_of),
    )
    context = {
        "title": title,
        "r": result.to_dict(),
        "funnel": Markup(funnel_svg(result.everyone, lang)),
        "T": T,
        "stage": lambda sid: kam.process.stage_label(sid, lang),
        "reason": lambda r: value_label(r, lang),
        "steps": [(s.step, s.id) for s in kam.process.stages],
        "scope": owner or T["everyone"],
        "as_of": local_time(result.as_of),
        "stalled_shown": PDF_STALLED_SHOWN,
    }
    write_output(path, reports.render_report_pdf("pipeline.html", context, ctx, lang), force)


COMMANDS = [report]

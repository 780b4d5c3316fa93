"""Opportunities (商机/项目): open, inspect, move through the stages.

\b
Example:
  kam opp new 1 "20 台牵引车" --quantity 20
  kam opp check 1
  kam opp advance 1
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import click

import forms
from commands._common import Kam, KamGroupBase, change, clean, local_time, output_path, pass_kam, write_output
from commands._table import table
from commands._values import DATE
from forms.choices import DECISION, LOST_REASON
from workflow.operations import amendments, moves, opportunities, ratings
from workflow.records import queries
from workflow.records.chain import Recorded
from workflow.records.tables import utcnow
from workflow.rules import evaluation
from workflow.rules.contract import AMENDING_LABEL, AMENDMENT_LABEL
from workflow.rules.process import LOST
from workflow.rules.ratings import HEAT, RELATIONSHIP, Rating
from workflow.values.money import format_amount, format_wan
from workflow.views import opportunities as views


@click.group("opp", cls=KamGroupBase, help=__doc__)
def opp() -> None:
    pass


@opp.command("new")
@click.argument("account_id", type=int)
@click.argument("title")
@click.option("--owner", help="Project manager responsible (default: --actor).")
@click.option("--quantity", type=int, help="Vehicles in the deal (采购数量).")
@click.option("--budget", help="Customer budget in 元 (386000, 386,000.50, 38.6万).")
@click.option("--expected-close", type=DATE, help="Expected signing date: 2027-03-31, 2027/3/31 or 2027年3月31日.")
@pass_kam
def opp_new(
    kam: Kam,
    account_id: int,
    title: str,
    owner: str | None,
    quantity: int | None,
    budget: str | None,
    expected_close: dt.date | None,
) -> None:
    """Open an opportunity at the first stage. --json prints {"id": ...}.

    \b
    Example:
      kam opp new 1 "包头鑫达 20 台牵引车" --owner 王磊 --quantity 20 --expected-close 2027-03-31
    """
    with kam.db.write() as session:
        o = opportunities.new_opportunity(
            session,
            kam.process,
            account_id,
            title,
            owner=owner or kam.actor,
            actor=kam.actor,
            quantity=quantity,
            budget=budget,  # read as an amount (38.6万, 386,000...) by the operation
            expected_close=expected_close,
        )
        oid, stage = o.id, o.stage
    kam.emit(
        {"id": oid},
        lambda: kam.say(
            f"已创建商机 {oid}，阶段：{kam.process.stage_label(stage)}",
            f"created opportunity {oid} at {kam.process.stage_label(stage, 'en')}",
        ),
    )


EDIT_LABELS = {
    "title": ("项目", "title"),
    "owner": ("负责人", "owner"),
    "quantity": ("数量", "quantity"),
    "budget": ("预算", "budget"),
    "expected_close": ("预计签约", "expected close"),
}


@opp.command("edit")
@click.argument("opportunity_id", type=int)
@click.option("--title", help="New title.")
@click.option("--owner", help="New project manager responsible (not on a lost deal).")
@click.option("--quantity", type=int, help="Vehicles in the deal (before signing; after it, the contract's).")
@click.option("--budget", help="Customer budget in 元 (386000, 386,000.50, 38.6万).")
@click.option("--expected-close", type=DATE, help="Expected signing date: 2027-04-30, 2027/4/30 or 2027年4月30日.")
@pass_kam
def opp_edit(
    kam: Kam,
    opportunity_id: int,
    title: str | None,
    owner: str | None,
    quantity: int | None,
    budget: str | None,
    expected_close: dt.date | None,
) -> None:
    """Change an opportunity's title, owner, quantity, budget or expected close; each change is in its history.

    --json prints {"id", "changes": {field: [old, new]}}.

    \b
    Example:
      kam opp edit 1 --owner 李娜 --expected-close 2027-04-30
      kam opp edit 1 --quantity 24 --budget 9200000
    """
    expected = _expected_version(kam, opportunity_id)
    with kam.db.write() as session:
        changes = opportunities.edit_opportunity(
            session,
            kam.process,
            opportunity_id,
            actor=kam.actor,
            expected_version=expected,
            title=title,
            owner=owner,
            quantity=quantity,
            budget=budget,  # read as an amount by the operation
            expected_close=expected_close,
        )

    def human() -> None:
        if not changes:
            kam.say(f"商机 {opportunity_id} 没有变化", f"opportunity {opportunity_id}: nothing changed")
            return
        kam.say(f"商机 {opportunity_id} 已修改：", f"opportunity {opportunity_id} changed:")
        for key, (old, new) in changes.items():
            click.echo("  " + change(kam.t(*EDIT_LABELS[key]), old, new))

    kam.emit({"id": opportunity_id, "changes": changes}, human)


@opp.command("list")
@click.option("--stage", help="Only this stage id (see kam workflow show), or 'lost'.")
@click.option("--owner", help="Only this owner.")
@click.option("--xlsx", "xlsx", metavar="FILE", help="Also write the list as an Excel workbook.")
@click.option("--force", is_flag=True, help="Overwrite the --xlsx file if it exists.")
@pass_kam
def opp_list(kam: Kam, stage: str | None, owner: str | None, xlsx: str | None, force: bool) -> None:
    """List opportunities.

    \b
    Example:
      kam opp list --stage visit_pitch --owner 王磊
      kam opp list --xlsx 商机.xlsx
    """
    if stage and stage != LOST:
        kam.process.stage(stage)  # refuses an unknown stage with the list of valid ones
    if xlsx:
        output_path(xlsx, force)  # refuse before the work, not after
    with kam.db.read() as session:
        opps = queries.opportunity_rows(session, stage=stage, owner=owner)
        names = queries.account_names(session)
    today = utcnow().date()
    if xlsx:
        from workflow.views.outputs import opportunities_sheets
        from workflow.views.spreadsheet import write_xlsx

        sheets = opportunities_sheets(opps, names, kam.process, kam.lang, today)
        write_output(xlsx, write_xlsx(sheets, lang=kam.lang, generated_at=utcnow()), force)
        kam.say(f"已生成 {xlsx}（{len(opps)} 个商机）", f"wrote {xlsx} ({len(opps)} opportunities)")
        if not kam.json:
            return  # the list is in the workbook: 100,000 rows are not printed as well
    data = [views.opportunity(o, kam.process, kam.lang, names.get(o.account_id), today) for o in opps]
    if kam.json:
        kam.emit(data)
        return
    if not data:
        kam.say("没有符合条件的商机", "no opportunities match")
        return
    table(
        [
            kam.t(*h)
            for h in (
                ("编号", "ID"),
                ("项目", "Title"),
                ("客户", "Account"),
                ("阶段", "Stage"),
                ("负责人", "Owner"),
                ("数量", "Qty"),
                ("状态", "Status"),
            )
        ],
        [
            (d["id"], d["title"], d["account"], d["stage_label"], d["owner"], d["quantity"], _status(kam, d))
            for d in data
        ],
    )


def _status(kam: Kam, d: dict[str, Any]) -> str:
    if d["amending"]:
        return AMENDING_LABEL.render(kam.lang) + (kam.t("，暂停", ", on hold") if d["on_hold"] else "")
    if d["overdue_days"]:
        return overdue_text(kam, d["overdue_days"])
    if d["on_hold"]:
        return kam.t("暂停", "on hold")
    if d["lost_reason"]:
        return kam.t("丢单：", "lost: ") + LOST_REASON.label(d["lost_reason"], kam.lang)
    return ""


def overdue_text(kam: Kam, days: int) -> str:
    return kam.t(f"超期 {days} 天", f"overdue {days} d")


def _missing_lines(kam: Kam, missing: list[dict[str, Any]]) -> None:
    for m in missing:
        click.echo(f"  - [{m['code']}] {clean(m['message'])}")
        if m["command"]:
            click.echo(f"      → {clean(m['command'])}")


@opp.command("show")
@click.argument("opportunity_id", type=int)
@pass_kam
def opp_show(kam: Kam, opportunity_id: int) -> None:
    """Stage, documents, and what the next step still needs.

    \b
    Example:
      kam opp show 1
      kam --json opp show 1
    """
    with kam.db.read() as session:
        data = views.show(session, kam.process, opportunity_id, kam.lang)
    if kam.json:
        kam.emit(data)
        return
    _print_show(kam, data)


def _print_show(kam: Kam, data: dict[str, Any]) -> None:
    process = kam.process
    click.echo(
        clean(
            kam.t(
                f"商机 {data['id']}：{data['title']}（{data['account']}）",
                f"Opportunity {data['id']}: {data['title']} ({data['account']})",
            )
        )
    )
    facts = [kam.t("负责人", "owner") + f" {data['owner']}"]
    if data["quantity"]:
        facts.append(kam.t(f"数量 {data['quantity']} 台", f"quantity {data['quantity']}"))
    if data["amount"] is not None:
        facts.append(kam.t("金额 ", "amount ") + format_wan(Decimal(repr(data["amount"])), kam.lang))
    if data["expected_close"]:
        facts.append(kam.t("预计签约 ", "expected close ") + str(data["expected_close"]))
    click.echo(clean("  ".join(facts)))
    owed = data["receivables"]
    if owed:
        click.echo(
            kam.t(
                f"回款：已收 {format_wan(Decimal(repr(owed['received'])))}，未收 "
                f"{format_wan(Decimal(repr(owed['outstanding'])))}，逾期 {format_wan(Decimal(repr(owed['overdue'])))}"
                f"（kam payment list {data['id']}）",
                f"Receivables: received {format_wan(Decimal(repr(owed['received'])), 'en')}, outstanding "
                f"{format_wan(Decimal(repr(owed['outstanding'])), 'en')}, overdue "
                f"{format_wan(Decimal(repr(owed['overdue'])), 'en')} (kam payment list {data['id']})",
            )
        )
    click.echo(
        rating_line(
            kam, data["relationship_level"], data["relationship_assessed_at"], data["heat"], data["heat_assessed_at"]
        )
    )
    # the stage ribbon: done ✓, current ▶, to come ·
    current = data["stage"]
    order = process.order
    marks = []
    for stage in process.stages:
        if current == LOST:
            mark = "✓" if order[stage.id] < order.get(data["lost_from"] or "", -1) else "·"
        else:
            mark = "✓" if order[stage.id] < order[current] else ("▶" if stage.id == current else "·")
        marks.append(f"{mark}{stage.name(kam.lang)}")
    click.echo(" → ".join(marks))
    status = kam.t("阶段", "Stage") + f": {data['stage_label']} ({current})"
    if current == LOST:
        status += kam.t(
            f"，原因：{LOST_REASON.label(data['lost_reason'])}，丢于「{process.stage_label(data['lost_from'])}」",
            f", reason: {data['lost_reason']}, lost at {process.stage_label(data['lost_from'], 'en')}",
        )
        if data["lost_note"]:
            status += f"（{data['lost_note']}）" if kam.lang == "zh" else f" ({data['lost_note']})"
    else:
        status += kam.t(" 自 ", " since ") + local_time(data["stage_entered_at"])
    if data["on_hold"]:
        status += kam.t(f"  [暂停：{data['hold_reason']}]", f"  [on hold: {data['hold_reason']}]")
    if data["amending"]:
        status += f"  [{AMENDING_LABEL.render(kam.lang)}]"
    click.echo(clean(status))
    if data["stage_deadline"]:
        days, deadline = data["overdue_days"], data["stage_deadline"]
        click.echo(
            kam.t(f"本阶段期限 {deadline}" + (f"（超期 {days} 天）" if days else ""),
                  f"Stage deadline {deadline}" + (f" (overdue {days} d)" if days else ""))
        )  # fmt: skip
    click.echo()
    click.echo(kam.t("文档：", "Documents:"))
    if not data["documents"]:
        click.echo(kam.t("  （无）", "  (none)"))
    for d in data["documents"]:
        title = forms.title(d["kind"], kam.lang)
        click.echo(clean(f"  {title} ({d['kind']}) v{d['version']}  {d['author']}  {local_time(d['created_at'])}"))
    _print_evaluation(kam, data)
    click.echo()
    if data["next_trigger"] and current != LOST:
        nxt = process.stage_label(data["next_stage"], kam.lang)
        if data["missing"]:
            click.echo(
                kam.t(
                    f"下一步 {data['next_trigger']} → {nxt}，还需要：",
                    f"Next: {data['next_trigger']} → {nxt}; still needed:",
                )
            )
            _missing_lines(kam, data["missing"])
        else:
            click.echo(
                kam.t(
                    f"下一步 {data['next_trigger']} → {nxt}：条件已满足，可用 kam opp advance {data['id']}",
                    f"Next: {data['next_trigger']} → {nxt}: ready, run kam opp advance {data['id']}",
                )
            )
    elif current == LOST:
        click.echo(kam.t(f"可用 kam opp reopen {data['id']} 重新打开", f"Reopen with kam opp reopen {data['id']}"))
    elif data["amending"]:
        click.echo(
            kam.t(
                f"合同已签订，变更审核中：用 kam compliance {data['id']} 查看还缺什么",
                f"Contract signed, amendment under review: see what it still needs with kam compliance {data['id']}",
            )
        )
    else:
        click.echo(kam.t("合同已签订：进入关系维护", "Contract signed: relationship maintenance"))


def _print_evaluation(kam: Kam, data: dict[str, Any]) -> None:
    lines = evaluation.describe(data.get("evaluation"), kam.lang)
    if lines:
        click.echo()
    for line in lines:
        click.echo(clean(line))


@opp.command("check")
@click.argument("opportunity_id", type=int)
@pass_kam
def opp_check(kam: Kam, opportunity_id: int) -> None:
    """Dry run of the next step: every unmet requirement; exit 0 if none, else 1.

    \b
    Example:
      kam opp check 1 && kam opp advance 1
    """
    with kam.db.read() as session:
        result = moves.check(session, kam.process, opportunity_id)
    stage = result.opportunity.stage
    data = views.check(result, kam.lang)

    def human() -> None:
        if result.ready:
            kam.say(
                f"商机 {opportunity_id} 可以执行 {result.trigger} → {kam.process.stage_label(result.next_stage or '')}",
                f"opportunity {opportunity_id} is ready to {result.trigger} → "
                f"{kam.process.stage_label(result.next_stage or '', 'en')}",
            )
        else:
            kam.say(
                f"商机 {opportunity_id}（{kam.process.stage_label(stage)}）还缺 {len(result.missing)} 项：",
                f"opportunity {opportunity_id} ({kam.process.stage_label(stage, 'en')}) has "
                f"{len(result.missing)} unmet requirement(s):",
            )
            _missing_lines(kam, data["missing"])

    kam.emit(data, human)
    if not result.ready:
        raise SystemExit(1)


def _expected_version(kam: Kam, opportunity_id: int) -> int:
    """The version the user is acting on: read before the write, so a concurrent change is detected."""
    with kam.db.read() as session:
        return int(queries.state(session, opportunity_id).version)


def _transition(kam: Kam, opportunity_id: int, operation: Callable[..., Recorded], **kwargs: Any) -> None:
    """Run one state change in a write transaction and report where the opportunity now stands."""
    expected = _expected_version(kam, opportunity_id)
    with kam.db.write() as session:
        event = operation(session, kam.process, opportunity_id, actor=kam.actor, expected_version=expected, **kwargs)
    data = views.moved(event)
    process = kam.process
    kam.emit(
        data,
        lambda: kam.say(
            f"商机 {opportunity_id}：{event.trigger}，{process.stage_label(data['from'])} → "
            f"{process.stage_label(data['stage'])}",
            f"opportunity {opportunity_id}: {event.trigger}, {process.stage_label(data['from'], 'en')} → "
            f"{process.stage_label(data['stage'], 'en')}",
        ),
    )


@opp.command("advance")
@click.argument("opportunity_id", type=int)
@pass_kam
def opp_advance(kam: Kam, opportunity_id: int) -> None:
    """Fire the current stage's forward trigger; exit 1 with the missing list if refused.

    \b
    Example:
      kam opp advance 1
    """
    _transition(kam, opportunity_id, moves.advance)


@opp.command("lose")
@click.argument("opportunity_id", type=int)
@click.option(
    "--reason",
    required=True,
    help="price / product / service / competitor / no-budget / other (or the process file's list).",
)
@click.option("--note", help="What happened, in a sentence.")
@pass_kam
def opp_lose(kam: Kam, opportunity_id: int, reason: str, note: str | None) -> None:
    """Mark an open opportunity lost (丢单), with a reason.

    \b
    Example:
      kam opp lose 2 --reason competitor --note "对手报价低 3%"
    """
    _transition(kam, opportunity_id, moves.lose, reason=reason, note=note)


@opp.command("reopen")
@click.argument("opportunity_id", type=int)
@click.option("--reason", help="Why it is back.")
@pass_kam
def opp_reopen(kam: Kam, opportunity_id: int, reason: str | None) -> None:
    """Reopen a lost opportunity at the stage it was lost from.

    \b
    Example:
      kam opp reopen 2 --reason "客户重新招标"
    """
    _transition(kam, opportunity_id, moves.reopen, reason=reason)


@opp.command("revert")
@click.argument("opportunity_id", type=int)
@click.option("--reason", required=True, help="Why it goes one stage back.")
@pass_kam
def opp_revert(kam: Kam, opportunity_id: int, reason: str) -> None:
    """Go one stage back, with a reason.

    \b
    Example:
      kam opp revert 1 --reason "客户更换经手人，需重新拜访"
    """
    _transition(kam, opportunity_id, moves.revert, reason=reason)


@opp.command("hold")
@click.argument("opportunity_id", type=int)
@click.option("--reason", required=True, help="Why it is paused.")
@pass_kam
def opp_hold(kam: Kam, opportunity_id: int, reason: str) -> None:
    """Put an opportunity on hold; it cannot advance until resumed.

    \b
    Example:
      kam opp hold 1 --reason "客户预算冻结至明年一季度"
    """
    _transition(kam, opportunity_id, moves.hold, reason=reason)


@opp.command("resume")
@click.argument("opportunity_id", type=int)
@pass_kam
def opp_resume(kam: Kam, opportunity_id: int) -> None:
    """Take an opportunity off hold.

    \b
    Example:
      kam opp resume 1
    """
    _transition(kam, opportunity_id, moves.resume)


@opp.command("amend")
@click.argument("opportunity_id", type=int)
@click.option("--reason", required=True, help="Why the signed contract changes (变更原因).")
@pass_kam
def opp_amend(kam: Kam, opportunity_id: int, reason: str) -> None:
    """Amend a signed contract (合同变更): opens a new contract review whose sign-offs start empty.

    The deal stays signed and shows 变更审核中 until compliance passes again with
    every department's sign-off; then the amended review is the contract in force.
    Meanwhile the negotiation minutes, the scorecard and the contract review take
    new versions again. --json prints {"id", "seq", "amending", "from_version", "review_version"}.

    \b
    Example:
      kam opp amend 1 --reason "客户追加 4 台压缩式垃圾车"
      kam doc fill 1 contract-review --file 合同审核-变更.yaml
      kam compliance 1
    """
    expected = _expected_version(kam, opportunity_id)
    with kam.db.write() as session:
        data = amendments.amend(
            session, kam.process, opportunity_id, reason=reason, actor=kam.actor, expected_version=expected
        )
    kam.emit(
        data,
        lambda: kam.say(
            f"商机 {opportunity_id}：合同变更已开启，合同审核表 v{data['from_version']} → v{data['review_version']}，"
            f"等待会签（kam compliance {opportunity_id}）",
            f"opportunity {opportunity_id}: amendment opened, contract review v{data['from_version']} → "
            f"v{data['review_version']}, awaiting sign-offs (kam compliance {opportunity_id})",
        ),
    )


@opp.command("history")
@click.argument("opportunity_id", type=int)
@pass_kam
def opp_history(kam: Kam, opportunity_id: int) -> None:
    """Every change to an opportunity, oldest first (append-only).

    \b
    Example:
      kam opp history 1
    """
    with kam.db.read() as session:
        events = [views.event(e) for e in queries.opportunity_history(session, opportunity_id)]
    if kam.json:
        kam.emit(events)
        return
    label = kam.process.stage_label

    def what(e: dict[str, Any]) -> str:
        if e["action"] == "transition":
            if e["from"] == e["to"]:
                return f"{e['trigger']} ({label(e['to'], kam.lang)})"
            return f"{e['trigger']}: {label(e['from'], kam.lang)} → {label(e['to'], kam.lang)}"
        if e["action"] == "create":
            return kam.t("创建于", "created at ") + label(e["to"], kam.lang)
        if e["action"] == "document":
            return kam.t("文档 ", "document ") + f"{e['detail']['kind']} v{e['detail']['version']}"
        if e["action"] == "signoff":
            department = kam.process.department_label(e["detail"]["department"], kam.lang)
            outcome = DECISION.label(e["detail"]["decision"], kam.lang)
            version = (e["documents"] or {}).get("contract-review")
            return kam.t(
                f"{department}{outcome}合同审核表 v{version}", f"{department} {outcome} contract review v{version}"
            )
        if e["action"] == "edit":
            return "; ".join(
                change(kam.t(*EDIT_LABELS.get(key, (key, key))), old, new)
                for key, (old, new) in (e["detail"] or {}).get("changes", {}).items()
            )
        if e["action"] == "amend":
            version = (e["documents"] or {}).get("contract-review")
            return kam.t(
                f"{AMENDMENT_LABEL.zh}：合同审核表 v{version} 起", f"{AMENDMENT_LABEL.en} of contract review v{version}"
            )
        if e["action"] == "amended":
            version = (e["documents"] or {}).get("contract-review")
            return kam.t(f"合同变更生效：合同审核表 v{version}", f"amendment in force: contract review v{version}")
        if e["action"] == "baseline":  # migration 0010 (or an import of an older export): the facts as they stood
            d = e["detail"] or {}
            written, by = str(d.get("written_at", ""))[:10], d.get("by")
            if by == "import":
                return kam.t(f"导入时记录的商机信息（{written}）", f"the opportunity's facts as imported ({written})")
            return kam.t(
                f"升级时记录的商机信息（迁移 {by}，{written}）",
                f"the opportunity's facts at the upgrade ({by}, {written})",
            )
        if e["action"] == "payment":
            d = e["detail"]
            paid = format_amount(Decimal(d["amount"]), kam.lang)
            return kam.t(f"回款 {paid}（{d['date']}）", f"payment received {paid} ({d['date']})")
        if e["action"] == "attachment":
            d = e["detail"]
            where = f"（{d['kind']}）" if d.get("kind") else ""
            return kam.t(f"附件 {d['id']}：{d['name']}{where}", f"attachment {d['id']}: {d['name']}" + (
                f" ({d['kind']})" if d.get("kind") else ""))  # fmt: skip
        return e["action"] + (f" {e['detail']}" if e["detail"] else "")

    table(
        [
            kam.t(*h)
            for h in (
                ("序号", "#"),
                ("时间", "When"),
                ("操作人", "Who"),
                ("变更", "What"),
                ("原因", "Reason"),
                ("依据文档", "Documents"),
            )
        ],
        [
            (
                e["seq"],
                local_time(e["at"]),
                e["actor"],
                what(e),
                e["reason"],
                ", ".join(f"{k} v{v}" for k, v in (e["documents"] or {}).items()),
            )
            for e in events
        ],
    )


def _codes(values: tuple[str, ...]) -> list[str] | None:
    """Repeated and/or comma-separated codes; None when the option was not given; "none" = nothing ticked."""
    if not values:
        return None
    codes = [c.strip() for v in values for c in v.split(",") if c.strip()]
    return [] if codes == ["none"] else codes


@opp.command("rate")
@click.argument("opportunity_id", type=int)
@click.option(
    "--relationship",
    "-r",
    multiple=True,
    metavar="CODES",
    help="Relationship criteria that hold, e.g. 1.1,1.2,1.3 (or none).",
)
@click.option(
    "--heat", "-H", multiple=True, metavar="CODES", help="Deal-heat criteria that hold, e.g. 30.1,50.1,50.2 (or none)."
)
@pass_kam
def opp_rate(kam: Kam, opportunity_id: int, relationship: tuple[str, ...], heat: tuple[str, ...]) -> None:
    """Rate relationship level (1–4) and deal heat (30/50/70/90 %) by ticking what is true of the customer.

    Without options, shows both checklists with what was ticked last time.
    A level is reached when at least half of its criteria are ticked and the
    level below it is reached.

    \b
    Example:
      kam opp rate 1
      kam opp rate 1 -r 1.1,1.2,1.3,1.4,2.1,2.2,2.4 -H 30.1,50.1,50.2
    """
    rel, hot = _codes(relationship), _codes(heat)
    if rel is None and hot is None:
        with kam.db.read() as session:
            rating = views.rating(session, opportunity_id)
    else:
        with kam.db.write() as session:
            rating = ratings.rate(session, opportunity_id, actor=kam.actor, relationship=rel, heat=hot)
    kam.emit(rating.to_dict(), lambda: _print_rating(kam, rating, show_lists=rel is None and hot is None))


def _print_rating(kam: Kam, rating: Rating, show_lists: bool) -> None:
    click.echo(
        rating_line(
            kam, rating.relationship_level, rating.relationship_assessed_at, rating.heat, rating.heat_assessed_at
        )
    )
    if not show_lists:
        return
    for scale in (RELATIONSHIP, HEAT):
        ticked = set(rating.ticked.get(scale.name, []))
        click.echo()
        click.echo(clean(scale.label.render(kam.lang)) + ":")
        for level, criteria in scale.levels.items():
            click.echo(f"  {scale.unit(level)}")
            for c in criteria:
                click.echo(clean(f"    [{'x' if c.code in ticked else ' '}] {c.code:<5} {c.text.render(kam.lang)}"))
    click.echo()
    click.echo(
        kam.t(
            f"勾选：kam opp rate {rating.opportunity_id} -r 1.1,1.2,... -H 30.1,...",
            f"Tick with: kam opp rate {rating.opportunity_id} -r 1.1,1.2,... -H 30.1,...",
        )
    )


def rating_line(
    kam: Kam, level: int | None, level_at: dt.datetime | None, heat: int | None, heat_at: dt.datetime | None
) -> str:
    """One line for `opp show`: both ratings with the date each was assessed."""

    def part(zh: str, en: str, value: str | None, at: dt.datetime | None) -> str:
        if at is None:
            return kam.t(f"{zh}：未评估", f"{en}: not assessed")
        return kam.t(
            f"{zh}：{value or '未达标'}（{local_time(at)[:10]} 评估）",
            f"{en}: {value or 'below the first level'} (assessed {local_time(at)[:10]})",
        )

    return "  ".join(
        [
            part("客情关系等级", "Relationship level", f"{level}" if level else None, level_at),
            part("成交热度", "Deal heat", f"{heat}%" if heat else None, heat_at),
        ]
    )


COMMAND = opp

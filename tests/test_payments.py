"""Payment terms and receivables (回款, issue 14): the contract's milestones, money received, and where they show."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from forms_fixtures import load
from helpers import approve_all, fill, walk_to

import forms
from workflow.errors import InvalidInput, Refused
from workflow.operations import accounts, moves, opportunities, payments
from workflow.records import queries
from workflow.records.db import Database
from workflow.rules.process import Process
from workflow.views.receivables import receivables_view

FLEET = [
    {"model": "洗扫车", "quantity": 20, "unit_price": 386000},
    {"model": "压缩式垃圾车", "quantity": 4, "unit_price": 368000},
]
TERMS = [
    {"milestone": "首付款", "percent": 30, "due": "2027-01-15"},
    {"milestone": "发车前", "percent": 60, "due": "2027-03-20"},
    {"milestone": "质保金", "percent": 10, "due": "2028-04-20"},
]
DELIVERIES = [
    {"date": "2027-04-20", "quantity": 14, "region": "包头东河区"},
    {"date": "2027-05-10", "quantity": 10, "region": "包头青山区"},
]


def contract(**changes: Any) -> dict[str, Any]:
    """The sample contract review as the fleet deal: two models, two batches, three milestones (总价 9,192,000)."""
    data = load("contract-review")
    del data["quantity"], data["unit_price"]
    return {**data, "lines": FLEET, "deliveries": DELIVERIES, "payments": TERMS, "quality_deposit": 919200, **changes}


def minutes() -> dict[str, Any]:
    data = load("negotiation-minutes")
    del data["quantity"], data["unit_price"]
    return {**data, "lines": FLEET}


def sign(db: Database, process: Process, deal: int, review: dict[str, Any] | None = None) -> int:
    walk_to(db, process, deal, "evaluation_negotiation")
    fill(db, deal, "evaluation-scorecard")
    fill(db, deal, "negotiation-minutes", minutes() if review is None else load("negotiation-minutes"))
    fill(db, deal, "contract-review", review or contract())
    approve_all(db, deal)
    with db.write() as s:
        moves.advance(s, process, deal, actor="王磊")
    return deal


@pytest.fixture
def signed(db: Database, process: Process, deal: int) -> int:
    return sign(db, process, deal)


def record(db: Database, opp: int, amount: str, on: str = "2027-01-10", milestone: str | None = None) -> dict[str, Any]:
    with db.write() as s:
        return payments.record(
            s, opp, amount=Decimal(amount), on=dt.date.fromisoformat(on), actor="钱进", milestone=milestone
        )


def view(db: Database, opp: int, today: str = "2027-02-01") -> dict[str, Any]:
    with db.read() as s:
        return receivables_view(s, opp, dt.date.fromisoformat(today))


# -- the terms in the contract review -----------------------------------------------------------


def test_the_fleet_contract_validates_with_its_batches_and_milestones() -> None:
    doc = forms.validate("contract-review", contract())
    assert (doc.total_quantity, doc.total_price) == (24, 9_192_000)  # type: ignore[attr-defined]
    assert [p.milestone for p in doc.payments] == ["首付款", "发车前", "质保金"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("changes", "en", "zh"),
    [
        (
            {"deliveries": [{"date": "2027-04-20", "quantity": 14}]},
            "deliveries (Deliveries): the batches add up to 14 vehicles, the contract has 24: adjust the batches",
            "deliveries (分批交货): 各批交车数量之和 14 台与合同数量 24 台不一致：调整各批数量",
        ),
        (
            {"payments": [{**TERMS[0], "percent": 40}, TERMS[1], TERMS[2]]},
            "payments (Payment terms): the milestones add up to 110%, they must make 100%: adjust the shares",
            "payments (回款计划): 各回款节点比例之和为 110%，应为 100%：调整比例",
        ),
        (
            {"quality_deposit": 543000},
            "payments (Payment terms): the 质保金 milestone comes to 919,200.00 yuan, the quality deposit is "
            "543,000.00: adjust the share or quality_deposit",
            "payments (回款计划): 质保金节点共 919,200.00 元，与质保金 quality_deposit 543,000.00 元不一致：调整比例或质保金",
        ),
        (
            {"payments": [{**TERMS[0], "percent": 40}, TERMS[1]]},
            "payments (Payment terms): the quality deposit of 919,200.00 yuan has no milestone: add one named 质保金 "
            "(its share = the deposit ÷ the contract total of 9,192,000.00 yuan)",
            "payments (回款计划): 质保金 919,200.00 元没有对应的回款节点：加一个名称含“质保”的节点（比例 = 质保金 ÷ 合同总价 9,192,000.00 元）",
        ),
    ],
)
def test_terms_that_do_not_add_up_are_refused_one_line_each(changes: dict[str, Any], en: str, zh: str) -> None:
    with pytest.raises(forms.FormInvalid) as info:
        forms.validate("contract-review", contract(**changes))
    assert [(e.render("en"), e.render("zh")) for e in info.value.errors] == [(en, zh)]


# -- receivables ----------------------------------------------------------------------------------


def test_signing_opens_the_receivables_and_sets_the_amount(db: Database, signed: int) -> None:
    data = view(db, signed)
    assert [(m["milestone"], m["due"], m["amount"], m["received"], m["overdue"]) for m in data["milestones"]] == [
        ("首付款", dt.date(2027, 1, 15), 2_757_600.0, 0.0, True),
        ("发车前", dt.date(2027, 3, 20), 5_515_200.0, 0.0, False),
        ("质保金", dt.date(2028, 4, 20), 919_200.0, 0.0, False),
    ]
    assert (data["contract_total"], data["outstanding"], data["overdue"]) == (9_192_000.0, 9_192_000.0, 2_757_600.0)
    assert data["milestones"][0]["overdue_days"] == 17
    with db.read() as s:
        assert payments.deal_amount(s, queries.state(s, signed)) == Decimal("9192000.00")


def test_money_received_pays_the_named_milestone_or_the_earliest_due(db: Database, signed: int) -> None:
    first = record(db, signed, "2757600", milestone="首付款")
    assert first["allocation"] == [{"milestone": "首付款", "amount": 2_757_600.0}]
    second = record(db, signed, "6000000", on="2027-03-18")  # the rest of 发车前, then part of 质保金
    assert second["allocation"] == [{"milestone": "发车前", "amount": 5_515_200.0}, {"milestone": "质保金", "amount": 484_800.0}]
    data = view(db, signed, "2027-04-01")
    assert [m["outstanding"] for m in data["milestones"]] == [0.0, 0.0, 434_400.0]
    assert (data["received"], data["outstanding"], data["overdue"]) == (8_757_600.0, 434_400.0, 0.0)
    assert [(p["seq"], p["amount"], p["date"]) for p in data["payments"]][-1][1:] == (6_000_000.0, dt.date(2027, 3, 18))


def test_more_than_is_outstanding_is_refused_and_nothing_is_stored(db: Database, signed: int) -> None:
    with pytest.raises(Refused) as info:
        record(db, signed, "2757600.01", milestone="首付款")
    assert info.value.message.en == (
        f"--amount: CNY 2,757,600.01 is more than the CNY 2,757,600.00 outstanding on milestone «首付款» of opportunity "
        f"{signed}: check the amount, or see kam payment list {signed}"
    )
    with pytest.raises(Refused) as info:
        record(db, signed, "9192000.01")
    assert info.value.message.zh.startswith("--amount：回款 ¥9,192,000.01 超过商机")
    with pytest.raises(InvalidInput) as bad:
        record(db, signed, "1", milestone="尾款")
    assert bad.value.message.en == f"--milestone: the contract of opportunity {signed} has no milestone «尾款»; choose one of: 首付款, 发车前, 质保金"
    assert view(db, signed)["payments"] == []


def test_a_payment_on_an_unsigned_deal_is_refused(db: Database, deal: int) -> None:
    with pytest.raises(Refused) as info:
        record(db, deal, "1000")
    assert info.value.message.zh == f"商机 {deal} 尚未签约：签约后才能记录回款（kam compliance {deal} 查看签约还缺什么）"


def test_a_contract_without_payment_terms_owes_its_total_undated(db: Database, process: Process, deal: int) -> None:
    sign(db, process, deal, load("contract-review") | {"contract_no": "BT-1"})
    data = view(db, deal)
    assert [(m["milestone"], m["due"], m["amount"], m["overdue"]) for m in data["milestones"]] == [("合同款", None, 10_860_000.0, False)]


def test_payments_are_in_the_history_chain_and_the_audit_sees_an_edit(kam, db: Database, signed: int) -> None:  # type: ignore[no-untyped-def]
    record(db, signed, "2757600", milestone="首付款")
    assert kam.json("audit", "verify")["ok"] is True
    with db.write() as s:
        s.connection().exec_driver_sql(
            "UPDATE events SET detail = replace(detail, '2757600', '3757600') WHERE action = 'payment'"
        )
    result = kam("--json", "audit", "verify")
    assert result.exit_code == 1


# -- the command line -----------------------------------------------------------------------------


def test_kam_payment_record_and_list(kam, db: Database, signed: int) -> None:  # type: ignore[no-untyped-def]
    out = kam("payment", "record", signed, "--amount", "275.76万", "--date", "2027年1月10日", "--milestone", "首付款", "--note", "回单 0127", lang="zh")
    assert out.exit_code == 0, out.output
    assert out.stdout == f"商机 {signed}：已记录回款 ¥2,757,600.00（首付款 ¥2,757,600.00），尚未收 ¥6,434,400.00\n"
    data = kam.json("payment", "list", signed)
    assert [m["outstanding"] for m in data["milestones"]] == [0.0, 5_515_200.0, 919_200.0]
    assert data["payments"][0]["note"] == "回单 0127" and data["payments"][0]["actor"] == "tester"
    text = kam("payment", "list", signed).stdout
    assert "contract total CNY 9,192,000.00, received CNY 2,757,600.00, outstanding CNY 6,434,400.00" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--amount", "-5", "--date", "2027-01-10"), 'Error: --amount: an amount cannot be negative (written "-5"); write it without the minus sign'),
        (("--amount", "abc", "--date", "2027-01-10"), 'Error: --amount: "abc" is not an amount kam can read; write it as 386000, 386,000, 386,000.50, 38.6万, 38.6 万元, 1.2亿, ¥386,000.00 or 386000元'),
        (("--amount", "0", "--date", "2027-01-10"), 'Error: --amount: the amount must be more than 0 (written "0")'),
        (("--amount", "100", "--date", "10/01/2027"), None),
    ],
)
def test_bad_amounts_and_dates_are_one_line_and_nothing_is_stored(kam, db: Database, signed: int, args: tuple[str, ...], message: str | None) -> None:  # type: ignore[no-untyped-def]
    result = kam("payment", "record", signed, *args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    if message:
        assert lines[0] == message
    assert view(db, signed)["payments"] == []


def test_opp_show_json_carries_the_money(kam, db: Database, signed: int) -> None:  # type: ignore[no-untyped-def]
    record(db, signed, "2757600", milestone="首付款")
    data = kam.json("opp", "show", signed)
    assert data["amount"] == 9_192_000.0
    assert [line["model"] for line in data["lines"]] == ["洗扫车", "压缩式垃圾车"]
    assert [d["quantity"] for d in data["deliveries"]] == [14, 10]
    assert [p["milestone"] for p in data["payments"]] == ["首付款", "发车前", "质保金"]
    assert data["receivables"]["received"] == 2_757_600.0
    assert data["receivables"]["milestones"][0]["outstanding"] == 0.0


def test_the_amount_follows_the_documents_before_signing(kam, db: Database, process: Process, deal: int) -> None:  # type: ignore[no-untyped-def]
    assert kam.json("opp", "show", deal)["amount"] is None
    walk_to(db, process, deal, "technical_exchange")  # the sample proposal: 30 × 368,000 + 10 × 215,000
    assert kam.json("opp", "show", deal)["amount"] == 13_190_000.0
    walk_to(db, process, deal, "evaluation_negotiation")
    fill(db, deal, "negotiation-minutes", minutes())
    assert kam.json("opp", "show", deal)["amount"] == 9_192_000.0


# -- two managers at once -------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_managers_recording_at_once_never_receive_more_than_is_owed(backend: str, request: pytest.FixtureRequest, process: Process) -> None:
    url = request.getfixturevalue("db_url" if backend == "sqlite" else "pg_url")
    db = Database(url)
    try:
        with db.write() as s:
            acc = accounts.create_account(s, name="包头市环境卫生服务中心", type="government", account_class="A", industry="环卫", fleet_size=120, actor="t", region="内蒙古包头")
            accounts.add_contact(s, acc.id, "赵建国", actor="t", department="车管科", title="科长")
            opp = opportunities.new_opportunity(s, process, acc.id, "24 台环卫车", owner="王磊", actor="王磊", quantity=24).id
        sign(db, process, opp)
        results: list[str] = []

        def pay() -> None:
            try:
                record(db, opp, "5000000")
                results.append("ok")
            except Refused:
                results.append("refused")

        threads = [threading.Thread(target=pay) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == ["ok", "refused"]
        assert view(db, opp)["received"] == 5_000_000.0
    finally:
        db.dispose()


# -- where receivables show: the schedule ---------------------------------------------------------


def test_receivables_due_and_overdue_are_in_the_schedule(kam, db: Database, process: Process, signed: int) -> None:  # type: ignore[no-untyped-def]
    from workflow.views.schedule import schedule

    record(db, signed, "1000000", milestone="首付款")
    with db.read() as s:
        result = schedule(s, process, due_before=dt.date(2027, 3, 31), today=dt.date(2027, 2, 1))
    owed = [i.to_dict() for i in result.items if i.kind == "payment"]
    assert [(i["id"], i["due"], i["status"], i["overdue_days"], i["detail"], i["amount"], i["outstanding"]) for i in owed] == [
        (f"{signed}-PAY-1", dt.date(2027, 1, 15), "overdue", 17, "首付款", 2_757_600.0, 1_757_600.0),
        (f"{signed}-PAY-2", dt.date(2027, 3, 20), "due", 0, "发车前", 5_515_200.0, 5_515_200.0),
    ]
    record(db, signed, "1757600", milestone="首付款")  # paid in full: no longer due
    data = kam.json("schedule", "--due-before", "2027-03-31")
    assert [i["detail"] for i in data["items"] if i["kind"] == "payment"] == ["发车前"]
    text = kam("schedule", "--due-before", "2027-03-31").stdout
    assert "payment (发车前, CNY 5,515,200.00 outstanding)" in text


# -- money in the pipeline ------------------------------------------------------------------------


def test_the_pipeline_counts_money_and_forecasts_an_unrated_deal_at_its_stage_default(kam, db: Database, process: Process, deal: int) -> None:  # type: ignore[no-untyped-def]
    from workflow.views.pipeline import pipeline

    walk_to(db, process, deal, "evaluation_negotiation")
    fill(db, deal, "negotiation-minutes", minutes())  # 9,192,000; nobody has rated the deal
    with db.read() as s:
        report = pipeline(s, process, now=dt.datetime(2027, 2, 1))
    stage = next(f for f in report.everyone.stages if f.stage == "evaluation_negotiation")
    assert (stage.vehicles, stage.forecast, stage.amount, stage.forecast_amount, stage.unrated) == (20, 14.0, 9_192_000.0, 6_434_400.0, 1)
    assert [(u.id, u.default_heat) for u in report.everyone.unrated] == [(deal, 70)]
    out = kam("report", "pipeline").stdout
    assert f"1 deal(s) not yet rated, forecast at their stage's default heat (rate them with kam opp rate): {deal} 20 台牵引车 (70%)" in out
    assert "open amount CNY 9,192k, weighted forecast CNY 6,434k (amount × heat)" in out


def test_the_pipeline_totals_signed_received_outstanding_and_overdue(kam, db: Database, process: Process, signed: int) -> None:  # type: ignore[no-untyped-def]
    from workflow.views.pipeline import pipeline

    record(db, signed, "1000000", milestone="首付款")
    with db.read() as s:
        totals = pipeline(s, process, now=dt.datetime(2027, 2, 1), by_owner=True).owners["王磊"].totals
    assert (totals["signed_amount"], totals["received"], totals["outstanding"], totals["overdue_amount"]) == (
        9_192_000.0, 1_000_000.0, 8_192_000.0, 1_757_600.0,
    )
    data = kam.json("report", "pipeline")
    signed_stage = next(s for s in data["stages"] if s["stage"] == "contract_maintenance")
    assert (signed_stage["amount"], signed_stage["forecast_amount"]) == (9_192_000.0, None)
    assert (data["totals"]["signed_amount"], data["totals"]["received"]) == (9_192_000.0, 1_000_000.0)
    zh = kam("report", "pipeline", lang="zh").stdout
    assert "已签约合同 919.2 万元，已回款 100.0 万元，未收 819.2 万元" in zh


@pytest.mark.parametrize("value", ["120", "-5", "true", "high"])
def test_a_stage_default_heat_is_a_percent(value: str) -> None:
    from workflow.rules.process import BUILTIN, parse_process

    source = BUILTIN.read_text(encoding="utf-8").replace("    default_heat: 70\n", f"    default_heat: {value}\n")
    with pytest.raises(InvalidInput) as info:
        parse_process(source, "ours.yaml")
    assert info.value.message.en.startswith("process file ours.yaml:")
    assert "evaluation_negotiation.default_heat must be a whole percent from 0 to 100, got" in info.value.message.en


def test_the_built_in_stages_declare_their_default_heat(process: Process) -> None:
    assert {s.id: s.default_heat for s in process.stages} == {
        "target": None,
        "phone_invite": 10,
        "visit_pitch": 10,
        "initial_solution": 30,
        "technical_exchange": 50,
        "evaluation_negotiation": 70,
        "contract_maintenance": None,
    }


# -- deliveries in batches and their return visits ------------------------------------------------


def test_a_delivery_on_2027_04_20_gets_one_visit_at_the_three_month_mark_not_two() -> None:
    from forms.visits import return_visit_dates

    visits = return_visit_dates(dt.date(2027, 4, 20))
    assert dt.date(2027, 7, 20) in visits and dt.date(2027, 7, 19) not in visits
    assert visits[:6] == [dt.date(2027, m, d) for m, d in ((5, 5), (5, 20), (6, 4), (6, 19), (7, 4), (7, 20))]
    assert min(b - a for a, b in zip(visits, visits[1:], strict=False)) > dt.timedelta(days=7)


def test_batches_merge_their_visits_never_two_within_seven_days() -> None:
    from forms.visits import merged_visits, return_visit_dates

    first, second = dt.date(2027, 4, 20), dt.date(2027, 5, 10)
    merged = merged_visits([first, second])
    assert min(b - a for a, b in zip(merged, merged[1:], strict=False)) > dt.timedelta(days=7)
    assert merged[:4] == [dt.date(2027, 5, 5), dt.date(2027, 5, 20), dt.date(2027, 6, 4), dt.date(2027, 6, 19)]
    # every visit of either batch is covered: one of the merged visits is at most 7 days before it
    for visit in return_visit_dates(first) + return_visit_dates(second):
        assert any(dt.timedelta(0) <= visit - kept <= dt.timedelta(days=7) for kept in merged)


def test_a_service_plan_with_batches_plans_the_merged_visits_and_the_schedule_reads_them(db: Database, process: Process, signed: int) -> None:
    from forms.visits import merged_visits
    from workflow.views.documents import defaults_for
    from workflow.views.schedule import schedule

    with db.read() as s:
        offered = defaults_for(s, signed, "service-plan")
    assert offered["deliveries"] == [{"date": "2027-04-20", "quantity": 14, "region": "包头东河区"}, {"date": "2027-05-10", "quantity": 10, "region": "包头青山区"}]
    assert offered["delivery_date"] == "2027-04-20"
    plan = load("service-plan") | {"delivery_date": "2027-04-20", "deliveries": DELIVERIES}
    plan["training"] = [{**t, "date": "2027-05-12"} for t in plan["training"]]
    doc = forms.validate("service-plan", plan)
    expected = merged_visits([dt.date(2027, 4, 20), dt.date(2027, 5, 10)])
    assert doc.return_visits == expected  # type: ignore[attr-defined]
    fill(db, signed, "service-plan", plan)
    with db.read() as s:
        stored = [i.due for i in schedule(s, process, due_before=dt.date(2028, 6, 1)).items if i.kind == "return-visit"]
        computed = [i.due for i in schedule(s, process, due_before=dt.date(2028, 6, 1), months=12).items if i.kind == "return-visit"]
    assert stored == computed == expected


def test_batches_must_sum_to_the_plan_they_belong_to() -> None:
    with pytest.raises(forms.FormInvalid) as info:
        forms.validate("service-plan", load("service-plan") | {"deliveries": [{"date": "2027-02-01", "quantity": 0}]})
    assert [e.path for e in info.value.errors] == ["deliveries[0].quantity"]

"""The compliance gate before signing (SPEC §4): each rule, its message, and the `sign` guard reading it."""

from __future__ import annotations

import json

import pytest
from forms_fixtures import edit, load
from helpers import approve_all, fill, walk_to

from workflow.errors import Refused
from workflow.operations import moves, signoffs
from workflow.records.db import Database
from workflow.rules.compliance import ComplianceReport
from workflow.rules.process import Process

RULE_CODES = [
    "compliance.configuration",
    "compliance.price-includes",
    "compliance.payment",
    "compliance.delivery-mode",
    "compliance.delivery-cycle",
    "compliance.service",
    "compliance.breach-liability",
    "compliance.consistency",
    "compliance.signoffs",
]


def report(db: Database, process: Process, opp_id: int) -> ComplianceReport:
    with db.read() as s:
        return moves.compliance_report(s, process, opp_id)


def failures(db: Database, process: Process, opp_id: int) -> dict[str, list[str]]:
    return {r.code: [x.en for x in r.reasons] for r in report(db, process, opp_id).rules if not r.ok}


@pytest.fixture
def negotiating(db: Database, process: Process, deal: int) -> int:
    """An opportunity at step 5 with its scorecard and negotiation minutes (v1)."""
    walk_to(db, process, deal, "evaluation_negotiation")
    fill(db, deal, "evaluation-scorecard")
    fill(db, deal, "negotiation-minutes")
    return deal


def test_a_faithful_reviewed_contract_passes_every_rule(db: Database, process: Process, negotiating: int) -> None:
    fill(db, negotiating, "contract-review")
    approve_all(db, negotiating)
    result = report(db, process, negotiating)
    assert [r.code for r in result.rules] == RULE_CODES
    assert result.ok
    assert (result.review_version, result.minutes_version, result.contract_no) == (1, 1, "BTHW-2026-118")


def test_without_a_contract_review_only_that_is_reported(db: Database, process: Process, negotiating: int) -> None:
    assert failures(db, process, negotiating) == {"compliance.contract-review": ["there is no contract review yet"]}


MINUTES = "(谈判纪要 v1)"


@pytest.mark.parametrize(
    ("path", "value", "code", "message"),
    [
        ("configuration.chassis_confirmed", False, "compliance.configuration", "the chassis configuration is not confirmed"),
        ("configuration.in_announcement_catalogue", False, "compliance.configuration", "the vehicle is not listed in the announcement catalogue (公告)"),
        ("configuration.emission_compliant", False, "compliance.configuration", "emission compliance (环保) is not confirmed"),
        ("configuration.body_confirmed", False, "compliance.configuration", "the body (上装) configuration is not confirmed"),
        ("price_includes.packaging", True, "compliance.price-includes", f"the contract price includes packaging, the negotiated price excludes it {MINUTES}"),
        ("price_includes.freight", False, "compliance.price-includes", f"the contract price excludes freight, the negotiated price includes it {MINUTES}"),
        ("payment_method", "loan", "compliance.payment", f"contract payment method loan differs from the negotiated full payment {MINUTES}"),
        ("payment_timing", "before_dispatch", "compliance.payment", f"contract payment timing before dispatch differs from the negotiated after registration {MINUTES}"),
        (
            "registration_possible_in_region", False, "compliance.delivery-mode",
            "the vehicles cannot be registered in the delivery region: change the region or settle the registration first",
        ),
        (
            "delivery_mode", "一次性在厂内交车", "compliance.delivery-mode",
            f"contract delivery mode «一次性在厂内交车» differs from the negotiated «分两批交货（4 月 15 台、5 月 15 台），上完牌后在包头交车» {MINUTES}",
        ),
        (
            "production_cycle_days", 75, "compliance.delivery-cycle",
            "delivery promised in 60 days, production needs 75: lengthen the delivery cycle or confirm earlier production",
        ),
        ("delivery_cycle_days", 90, "compliance.delivery-cycle", f"contract delivery cycle 90 days differs from the negotiated 60 {MINUTES}"),
        (
            "service_within_policy", False, "compliance.service",
            "the special service requests «冬季（11 月至次年 3 月）服务站安排专人驻点» are outside company policy: get them approved or take them out of the contract",
        ),
        ("penalty_percent", 35, "compliance.breach-liability", "penalty 35% exceeds the company limit of 30% (max_penalty_percent): renegotiate the breach clause"),
        (
            "quality_deposit", 1_500_000, "compliance.breach-liability",
            "quality deposit 1,500,000 yuan is 13.8% of the contract total, above the company limit of 10% (max_quality_deposit_percent)",
        ),
        ("quantity", 32, "compliance.consistency", f"contract quantity 32 differs from the negotiated 30 {MINUTES}"),
        ("unit_price", 365000, "compliance.consistency", f"contract unit price 365,000.00 yuan differs from the negotiated 362,000.00 {MINUTES}"),
    ],
)
def test_each_rule_fails_alone_with_its_message(
    db: Database, process: Process, negotiating: int, path: str, value: object, code: str, message: str
) -> None:
    fill(db, negotiating, "contract-review", edit(load("contract-review"), path, value))
    approve_all(db, negotiating)
    assert failures(db, process, negotiating) == {code: [message]}
    # the sign guard reads the same rules: the same code, the same words
    with pytest.raises(Refused) as info, db.write() as s:
        moves.advance(s, process, negotiating, actor="王磊")
    assert [(m.code, m.message.en.split(": ", 1)[1]) for m in info.value.missing] == [(code, message)]


def test_every_difference_is_its_own_line(db: Database, process: Process, negotiating: int) -> None:
    data = load("contract-review")
    data.update(quantity=22, unit_price=350000, payment_method="loan", delivery_cycle_days=45, production_cycle_days=60)
    fill(db, negotiating, "contract-review", data)
    approve_all(db, negotiating)
    assert failures(db, process, negotiating) == {
        "compliance.payment": [f"contract payment method loan differs from the negotiated full payment {MINUTES}"],
        "compliance.delivery-cycle": [
            "delivery promised in 45 days, production needs 60: lengthen the delivery cycle or confirm earlier production",
            f"contract delivery cycle 45 days differs from the negotiated 60 {MINUTES}",
        ],
        "compliance.consistency": [
            f"contract quantity 22 differs from the negotiated 30 {MINUTES}",
            f"contract unit price 350,000.00 yuan differs from the negotiated 362,000.00 {MINUTES}",
        ],
    }


def test_the_latest_minutes_are_the_reference(db: Database, process: Process, negotiating: int) -> None:
    fill(db, negotiating, "contract-review", edit(load("contract-review"), "quantity", 22))
    approve_all(db, negotiating)
    assert failures(db, process, negotiating) == {"compliance.consistency": [f"contract quantity 22 differs from the negotiated 30 {MINUTES}"]}
    fill(db, negotiating, "negotiation-minutes", edit(load("negotiation-minutes"), "quantity", 20))
    assert failures(db, process, negotiating) == {"compliance.consistency": ["contract quantity 22 differs from the negotiated 20 (谈判纪要 v2)"]}


def test_without_minutes_consistency_fails_and_points_at_them(db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "evaluation_negotiation")
    fill(db, deal, "contract-review")
    approve_all(db, deal)
    rule = report(db, process, deal).rule("compliance.consistency")
    assert not rule.ok
    assert rule.reasons[0].en == "there are no negotiation minutes to compare the contract with"
    assert rule.command == f"kam doc fill {deal} negotiation-minutes --file FILE"


def test_the_margin_between_cycles_comes_from_the_process(db: Database, negotiating: int) -> None:
    from workflow.rules.process import BUILTIN, parse_process

    source = BUILTIN.read_text(encoding="utf-8").replace("min_cycle_margin_days: 0", "min_cycle_margin_days: 20")
    strict = parse_process(source, "strict.yaml")
    fill(db, negotiating, "contract-review")  # delivery 60 days, production 45: 15 days of margin
    approve_all(db, negotiating)
    assert failures(db, strict, negotiating) == {
        "compliance.delivery-cycle": [
            "delivery promised in 60 days, production needs 45 plus a margin of 20 days (min_cycle_margin_days): "
            "lengthen the delivery cycle or confirm earlier production"
        ]
    }


# -- the command line -------------------------------------------------------------------


def test_kam_compliance_lists_every_rule_and_exits_1_when_one_fails(kam, db: Database, process: Process, negotiating: int) -> None:  # type: ignore[no-untyped-def]
    fill(db, negotiating, "contract-review", edit(load("contract-review"), "quantity", 22))
    result = kam("compliance", negotiating)
    assert result.exit_code == 1
    out = result.stdout
    assert "✓ pass  Vehicle configuration [compliance.configuration]" in out
    assert "✗ FAIL  Consistency with the negotiation minutes [compliance.consistency]" in out
    assert f"      - contract quantity 22 differs from the negotiated 30 {MINUTES}" in out
    assert f"      → kam review approve {negotiating} --department DEPT" in out
    assert "Evaluation (scorecard v1): us 77.5, 东风 73.5, 重汽 66.5" in out
    assert "Result: 2 rule(s) fail; the contract cannot be signed" in out


def test_kam_compliance_json_and_exit_0_when_all_pass(kam, db: Database, process: Process, negotiating: int) -> None:  # type: ignore[no-untyped-def]
    fill(db, negotiating, "contract-review")
    approve_all(db, negotiating)
    data = kam.json("compliance", negotiating)
    assert data["ok"] is True and data["missing"] == []
    assert [r["code"] for r in data["rules"]] == RULE_CODES
    assert data["rules"][2] == {
        "code": "compliance.payment", "title": "Payment", "ok": True, "reasons": [], "detail": "full payment, after registration", "command": "",
    }
    assert [(s["department"], s["reviewer"], s["decision"], s["review_version"], s["void"]) for s in data["signoffs"]] == [
        ("sales", "赵敏", "approve", 1, False),
        ("finance", "钱进", "approve", 1, False),
        ("legal", "孙律", "approve", 1, False),
        ("production", "李工", "approve", 1, False),
    ]
    assert data["evaluation"]["our_total"] == 77.5
    assert data["evaluation"]["defection_risk"] == "watch"


def test_kam_compliance_json_fails_with_exit_1_and_the_missing_list(kam, db: Database, negotiating: int) -> None:  # type: ignore[no-untyped-def]
    result = kam("--json", "compliance", negotiating)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["missing"] == [
        {"code": "compliance.contract-review", "message": "Contract review: there is no contract review yet", "command": f"kam doc fill {negotiating} contract-review --file FILE"}
    ]


def test_kam_compliance_in_chinese(kam, db: Database, negotiating: int) -> None:  # type: ignore[no-untyped-def]
    fill(db, negotiating, "contract-review", edit(load("contract-review"), "production_cycle_days", 75))
    result = kam("compliance", negotiating, lang="zh")
    assert "合同承诺 60 天交货，生产需要 75 天：延长交货周期或确认能提前排产" in result.stdout
    assert "结论：2 项不通过，不能签约" in result.stdout


def test_kam_compliance_unknown_opportunity(kam) -> None:  # type: ignore[no-untyped-def]
    result = kam("compliance", 99)
    assert result.exit_code == 1
    assert result.stderr == "Error: opportunity 99 not found: see kam opp list\n"


def test_opp_show_gives_the_scorecard_totals_and_defection_risk(kam, db: Database, negotiating: int) -> None:  # type: ignore[no-untyped-def]
    out = kam("opp", "show", negotiating).stdout
    assert "Evaluation (scorecard v1): us 77.5, 东风 73.5, 重汽 66.5" in out
    assert "Defection risk: watch (国六 b 排放，列入公告及环保目录; 包头本地 2 小时服务响应)" in out
    card = edit(load("evaluation-scorecard"), "purchase_standards[0]", {"standard": "三年免费保养", "we_meet": False, "competitor_meets": True})
    fill(db, negotiating, "evaluation-scorecard", card)
    data = kam.json("opp", "show", negotiating)
    assert data["evaluation"]["defection_risk"] == "alarm"
    assert data["evaluation"]["standards"][0] == {"standard": "三年免费保养", "we_meet": False, "competitor_meets": True, "risk": "alarm"}


def test_opp_show_without_a_scorecard_has_no_evaluation(kam, deal: int) -> None:  # type: ignore[no-untyped-def]
    assert kam.json("opp", "show", deal)["evaluation"] is None
    assert "scorecard v" not in kam("opp", "show", deal).stdout


def test_a_competitor_ahead_is_named(db: Database, negotiating: int) -> None:
    from workflow.rules.evaluation import describe
    from workflow.views.opportunities import scorecard

    card = load("evaluation-scorecard")
    for criterion in card["criteria"]:
        criterion["our_score"] = 5
    card.pop("purchase_standards")
    fill(db, negotiating, "evaluation-scorecard", card)
    with db.read() as s:
        data = scorecard(s, negotiating)
    assert data is not None
    assert (data["leader"], data["margin"], data["defection_risk"]) == ("东风", -23.5, None)
    assert describe(data, "en") == ["Evaluation (scorecard v2): us 50, 东风 73.5, 重汽 66.5; 东风 leads by 23.5"]


def test_kam_compliance_pdf_has_the_checklist_and_the_signoff_block(kam, db: Database, process: Process, negotiating: int, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    fill(db, negotiating, "contract-review", edit(load("contract-review"), "quantity", 22))
    with db.write() as s:
        signoffs.decide(s, process, negotiating, department="finance", decision="approve", actor="钱进", comment="付款条件符合规定")
    target = tmp_path / "review.pdf"
    result = kam("compliance", negotiating, "--pdf", target, lang="zh")
    assert result.exit_code == 1  # the review fails, and the PDF says so
    assert result.stdout.endswith(f"已生成 {target}\n")
    # table cells wrap: compare without line breaks and spaces
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(target).pages)
    for expected in (
        "合同审核（合规审查）",
        "BTHW-2026-118",
        "合同数量 22 台与谈判约定的 30 台不一致（谈判纪要 v1）",
        "2 项不通过，不能签约",
        "钱进",
        "付款条件符合规定",
        "待审批",
        "77.5",
    ):
        assert "".join(expected.split()) in text, expected

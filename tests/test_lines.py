"""Deals of several models (issue 14): `lines` in the negotiation minutes and the contract review, amounts
as people write them, and the compliance consistency rule compared model by model."""

from __future__ import annotations

import json
from typing import Any

import pytest
from forms_fixtures import load
from helpers import approve_all, fill, walk_to

import forms
from workflow.operations import moves
from workflow.records.db import Database
from workflow.rules.process import Process

FLEET = [
    {"model": "洗扫车", "configuration": "福田 8 方洗扫车", "quantity": 20, "unit_price": "386,000"},
    {"model": "压缩式垃圾车", "quantity": 4, "unit_price": "36.8万"},
]
MINUTES = "(谈判纪要 v1)"


def with_lines(kind: str, lines: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    """The sample of `kind` as a deal of `lines`, without the top-level quantity and unit price unless `top` gives them."""
    data = load(kind)
    del data["quantity"], data["unit_price"]
    return {**data, "lines": lines, **top}


# -- the schema ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["negotiation-minutes", "contract-review"])
def test_lines_make_the_totals_and_the_top_level_may_be_left_out(kind: str) -> None:
    doc = forms.validate(kind, with_lines(kind, FLEET))
    assert (doc.total_quantity, doc.total_price) == (24, 9_192_000)  # type: ignore[attr-defined]
    assert [line.amount for line in doc.lines] == [7_720_000, 1_472_000]  # type: ignore[attr-defined]
    stored = forms.dump(doc)
    assert stored["lines"][1] == {"model": "压缩式垃圾车", "quantity": 4, "unit_price": 368000.0}
    assert "quantity" not in stored and "total_price" not in stored


@pytest.mark.parametrize("kind", ["negotiation-minutes", "contract-review"])
def test_a_document_without_lines_is_one_line_as_before(kind: str) -> None:
    doc = forms.validate(kind, load(kind))
    assert (doc.lines, doc.total_quantity, doc.total_price) == ([], 30, 10_860_000)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("top", "zh", "en"),
    [
        ({"quantity": 24, "unit_price": 383000}, None, None),  # the average price agrees
        ({"quantity": 24}, None, None),
        ({"unit_price": "¥383,000.00"}, None, None),
        (
            {"quantity": 30, "unit_price": 383000},
            "quantity (数量): 数量 30 台与各车型数量之和 24 台不一致：改为 24，或删去 quantity",
            "quantity (Quantity): the quantity 30 differs from the sum of the lines, 24: write 24, or leave quantity out",
        ),
        (
            {"quantity": 24, "unit_price": 386000},
            "unit_price (单价): 单价 386,000.00 元 × 24 台与各车型金额之和 9,192,000.00 元不一致：改为平均单价 383,000.00，或删去 unit_price",
            "unit_price (Unit price): the unit price 386,000.00 × 24 differs from the lines' total 9,192,000.00: "
            "write the average 383,000.00, or leave unit_price out",
        ),
    ],
)
def test_top_level_quantity_and_price_must_agree_with_the_lines(top: dict[str, Any], zh: str | None, en: str | None) -> None:
    data = with_lines("contract-review", FLEET, **top)
    if zh is None:
        forms.validate("contract-review", data)
        return
    with pytest.raises(forms.FormInvalid) as info:
        forms.validate("contract-review", data)
    assert [(e.render("zh"), e.render("en")) for e in info.value.errors] == [(zh, en)]


def test_without_lines_quantity_and_unit_price_are_required() -> None:
    data = load("negotiation-minutes")
    del data["quantity"], data["unit_price"]
    with pytest.raises(forms.FormInvalid) as info:
        forms.validate("negotiation-minutes", data)
    assert [e.render("en") for e in info.value.errors] == [
        "quantity (Quantity): missing: give the quantity, or the lines",
        "unit_price (Unit price): missing: give the unit price, or the lines",
    ]
    assert info.value.errors[0].render("zh") == "quantity (数量): 必填项缺失：填写数量，或在 lines 中逐个车型填写"


@pytest.mark.parametrize(
    ("written", "amount"),
    [("386000", 386000), ("386,000", 386000), ("38.6万", 386000), ("¥386,000.00", 386000), ("３８６，０００", 386000), ("386000元", 386000)],
)
def test_amounts_are_read_as_people_write_them(written: str, amount: float) -> None:
    doc = forms.validate("contract-review", {**load("contract-review"), "unit_price": written, "quality_deposit": "54.3万"})
    assert (doc.unit_price, doc.quality_deposit) == (amount, 543000)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("written", "zh", "en"),
    [
        ("三十六万", "无法把「三十六万」读作金额", '"三十六万" is not an amount kam can read'),
        ("386.000", "「386.000」有 3 位小数", '"386.000" has 3 decimals'),
        ("38,60", "「38,60」的逗号位置不对", 'the commas in "38,60" are misplaced'),
        ("-386000", "金额不能为负", "an amount cannot be negative"),
        ("1e6", "「1e6」是科学计数法", '"1e6" is in scientific notation'),
    ],
)
def test_an_amount_that_cannot_be_read_is_refused_naming_the_field(written: str, zh: str, en: str) -> None:
    with pytest.raises(forms.FormInvalid) as info:
        forms.validate("negotiation-minutes", with_lines("negotiation-minutes", [{"model": "洗扫车", "quantity": 2, "unit_price": written}]))
    [error] = info.value.errors
    assert error.path == "lines[0].unit_price"
    assert error.render("zh").startswith(f"lines[0].unit_price (单价): {zh}")
    assert en in error.render("en")


# -- compliance, model by model -------------------------------------------------------------------


@pytest.fixture
def negotiated(db: Database, process: Process, deal: int) -> int:
    """A step-5 deal whose minutes (v1) negotiated 20 洗扫车 at 386,000 and 4 压缩式垃圾车 at 365,000."""
    walk_to(db, process, deal, "evaluation_negotiation")
    fill(db, deal, "evaluation-scorecard")
    lines = [FLEET[0], {**FLEET[1], "unit_price": 365000}]
    fill(db, deal, "negotiation-minutes", with_lines("negotiation-minutes", lines))
    return deal


def failures(db: Database, process: Process, opp_id: int) -> dict[str, list[tuple[str, str]]]:
    with db.read() as s:
        report = moves.compliance_report(s, process, opp_id)
    return {r.code: [(x.zh, x.en) for x in r.reasons] for r in report.rules if not r.ok}


def test_each_line_that_differs_is_its_own_reason(db: Database, process: Process, negotiated: int) -> None:
    contract = [
        {"model": "洗扫车", "quantity": 18, "unit_price": 386000},
        {"model": "压缩式垃圾车", "quantity": 4, "unit_price": 368000},
        {"model": "洒水车", "quantity": 2, "unit_price": 300000},
    ]
    fill(db, negotiated, "contract-review", with_lines("contract-review", contract))
    approve_all(db, negotiated)
    assert failures(db, process, negotiated) == {
        "compliance.consistency": [
            ("洗扫车 数量 18 台 ≠ 谈判约定 20 台（谈判纪要 v1）", f"洗扫车: quantity 18 ≠ negotiated 20 {MINUTES}"),
            (
                "4 台 压缩式垃圾车 单价 368,000 ≠ 谈判约定 365,000（谈判纪要 v1）",
                f"4 压缩式垃圾车: unit price 368,000 ≠ negotiated 365,000 {MINUTES}",
            ),
            ("合同车型「洒水车」（2 台）不在谈判约定中（谈判纪要 v1）", f"the contract's model «洒水车» (2) was not negotiated {MINUTES}"),
        ]
    }


def test_a_model_left_out_of_the_contract_is_named(db: Database, process: Process, negotiated: int) -> None:
    fill(db, negotiated, "contract-review", with_lines("contract-review", [FLEET[0]]))
    approve_all(db, negotiated)
    assert failures(db, process, negotiated) == {
        "compliance.consistency": [
            ("谈判约定的车型「压缩式垃圾车」（4 台）不在合同中（谈判纪要 v1）", f"the negotiated model «压缩式垃圾车» (4) is not in the contract {MINUTES}")
        ]
    }


def test_the_faithful_fleet_contract_passes_and_shows_its_totals(kam, db: Database, process: Process, negotiated: int) -> None:  # type: ignore[no-untyped-def]
    lines = [FLEET[0], {**FLEET[1], "unit_price": 365000}]
    fill(db, negotiated, "contract-review", with_lines("contract-review", lines))
    approve_all(db, negotiated)
    assert failures(db, process, negotiated) == {}
    data = kam.json("compliance", negotiated)
    assert data["totals"] == {
        "contract": {"quantity": 24, "amount": 9_180_000.0},
        "negotiated": {"quantity": 24, "amount": 9_180_000.0},
    }
    assert data["lines"] == [
        {"model": "洗扫车", "quantity": 20, "unit_price": 386000.0, "amount": 7_720_000.0},
        {"model": "压缩式垃圾车", "quantity": 4, "unit_price": 365000.0, "amount": 1_460_000.0},
    ]
    consistency = next(r for r in data["rules"] if r["code"] == "compliance.consistency")
    assert consistency["detail"] == (
        "洗扫车 20 × 386,000; 压缩式垃圾车 4 × 365,000: 24 vehicles, 9,180,000.00 yuan in all; "
        "谈判纪要 v1 24 vehicles, 9,180,000.00 yuan"
    )
    out = kam("compliance", negotiated).stdout
    assert "Contract total: 24 vehicles, CNY 9,180,000.00 (negotiated 24 vehicles, CNY 9,180,000.00)" in out
    zh = kam("compliance", negotiated, lang="zh").stdout
    assert "合同总价：24 台，¥9,180,000.00（谈判约定 24 台，¥9,180,000.00）" in zh


def test_the_compliance_pdf_prints_the_totals(kam, db: Database, negotiated: int, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    fill(db, negotiated, "contract-review", with_lines("contract-review", [FLEET[0], {**FLEET[1], "unit_price": 365000}]))
    target = tmp_path / "review.pdf"
    kam("compliance", negotiated, "--pdf", str(target), lang="zh")
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(target).pages)
    assert "合同总价24台·¥9,180,000.00" in text and "谈判约定24台·¥9,180,000.00" in text


def test_a_contract_file_with_amounts_as_written(kam, db: Database, negotiated: int, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "contract.json"
    data = with_lines("contract-review", [FLEET[0], {**FLEET[1], "unit_price": "¥365,000.00"}])
    data["quality_deposit"] = "45.9万"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = kam("doc", "fill", negotiated, "contract-review", "--file", str(path))
    assert result.exit_code == 0, result.output
    doc = kam.json("doc", "show", negotiated, "contract-review")
    assert doc["data"]["lines"][1]["unit_price"] == 365000 and doc["data"]["quality_deposit"] == 459000


def test_the_minutes_offer_one_line_per_proposed_model_and_the_review_takes_them(db: Database, deal: int) -> None:
    from workflow.views.documents import defaults_for

    fill(db, deal, "product-proposal")  # two configurations: 368,000 and 215,000
    with db.read() as s:
        offered = defaults_for(s, deal, "negotiation-minutes")
    proposal = load("product-proposal")["configurations"]
    assert [(line["model"], line["quantity"], line["unit_price"]) for line in offered["lines"]] == [
        (c["model"], c["quantity"], c["unit_price"]) for c in proposal
    ]
    assert "unit_price" not in offered  # never an averaged price
    fill(db, deal, "negotiation-minutes", with_lines("negotiation-minutes", FLEET))
    with db.read() as s:
        assert defaults_for(s, deal, "contract-review")["lines"][1] == {"model": "压缩式垃圾车", "quantity": 4, "unit_price": 368000.0}

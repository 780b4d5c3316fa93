"""`kam doc diff`: changes between two stored versions, labelled."""

from __future__ import annotations

import pytest
from forms_fixtures import DELETE, edit, load

import forms
from forms.diff import Change, diff, flatten, render


def stored(kind, data=None):
    return forms.dump(forms.validate(kind, data if data is not None else load(kind)))


@pytest.mark.parametrize("kind", forms.KINDS)
def test_same_document_no_changes(kind):
    assert diff(stored(kind), stored(kind)) == []


def test_changes_in_document_order():
    old = stored("negotiation-minutes")
    new = load("negotiation-minutes")
    new = edit(new, "unit_price", 358000)
    new = edit(new, "price_includes.packaging", True)
    new = edit(new, "concessions[1]", DELETE)
    new = edit(new, "open_items", [*new["open_items"], "上牌费用发票抬头"])
    changes = diff(old, stored("negotiation-minutes", new))
    assert changes == [
        Change("unit_price", 362000.0, 358000.0),
        Change("price_includes.packaging", False, True),
        Change("concessions[1]", {"given": "赠送两次免费保养", "received": "质保金比例由 10% 降为 5%"}, None),
        Change("open_items[1]", None, "上牌费用发票抬头"),
    ]
    assert render(changes, "negotiation-minutes") == [
        "unit_price (单价): 362000 → 358000",
        "price_includes.packaging (含外包装费): 否 → 是",
        'concessions[1] (让步与交换): {"given": "赠送两次免费保养", "received": "质保金比例由 10% 降为 5%"} → —',
        "open_items[1] (待定事项): — → 上牌费用发票抬头",
    ]
    assert render(changes[:2], "negotiation-minutes", "en") == [
        "unit_price (Unit price): 362000 → 358000",
        "price_includes.packaging (Includes packaging): no → yes",
    ]


def test_key_added_and_removed():
    changes = diff({"notes": "旧", "caller": "王磊"}, {"caller": "刘洋", "attachments": ["a.pdf"]})
    assert changes == [
        Change("notes", "旧", None),
        Change("caller", "王磊", "刘洋"),
        Change("attachments", None, ["a.pdf"]),
    ]


def test_dict_entries_are_labelled_by_their_field():
    old = stored("evaluation-scorecard")
    new = stored("evaluation-scorecard", edit(load("evaluation-scorecard"), "criteria[5].competitor_scores.东风", 9))
    assert render(diff(old, new), "evaluation-scorecard") == ["criteria[5].competitor_scores.东风 (竞争对手得分): 8 → 9"]


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [(380000, 380000.0, False), (True, 1, True), (0, False, True), ("1", 1, True), (None, None, False), ([], {}, True)],
)
def test_value_equality(old, new, changed):
    assert bool(diff({"x": old}, {"x": new})) is changed


def test_unlabelled_without_kind():
    assert render([Change("a.b", 1, 2)]) == ["a.b: 1 → 2"]


def test_flatten_leaves():
    assert flatten({"a": {"b": [1, {"c": True}]}, "d": []}) == [("a.b[0]", 1), ("a.b[1].c", True), ("d", [])]


def test_one_version_alone_is_a_usage_error_in_the_chosen_language(kam) -> None:  # type: ignore[no-untyped-def]
    assert "Error: give two versions (A B) or none" in kam("doc", "diff", "1", "visit-feedback", "1").stderr
    zh = kam("doc", "diff", "1", "visit-feedback", "1", lang="zh")
    assert zh.exit_code == 2 and "错误：请给出两个版本号（A B），或都不给" in zh.stderr

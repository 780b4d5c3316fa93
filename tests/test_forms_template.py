"""`kam doc template KIND`: the commented skeleton parses, names every key and, filled in, validates."""

from __future__ import annotations

import pytest
import yaml

import forms
from forms.introspect import FieldSpec, describe
from forms.template import template

# One plausible value per type; chosen to satisfy every schema's bounds (scores 0-10, percent ≤ 100).
SAMPLE = {
    "str": "示例",
    "int": 3,
    "number": 5,
    "bool": True,
    "date": "2026-11-20",
    "datetime": "2026-11-21T10:00",
}


def fill_blanks(specs: list[FieldSpec] | tuple[FieldSpec, ...], data: dict) -> dict:
    """Put a sample value into every blank placeholder of a parsed template."""
    for spec in specs:
        value = data.get(spec.key)
        if spec.type == "object":
            fill_blanks(spec.children, value)
        elif spec.type == "list-of-object":
            for item in value:
                fill_blanks(spec.children, item)
        elif spec.type in ("list-of-str", "list-of-date"):
            data[spec.key] = [SAMPLE["date" if spec.type == "list-of-date" else "str"]]
        elif spec.type == "dict-of-number":
            assert value == {}
        elif value is None:
            data[spec.key] = spec.choices[0] if spec.type == "choice" else SAMPLE[spec.type]
    return data


def _walk(specs):
    for spec in specs:
        yield spec
        yield from _walk(spec.children)


@pytest.mark.parametrize("kind", forms.KINDS)
def test_filled_template_validates(kind):
    data = fill_blanks(describe(kind), yaml.safe_load(template(kind)))
    if kind == "contract-review":  # sample values agree field by field, not across fields: make the terms add up
        data["payments"] = [{**data["payments"][0], "milestone": "合同款", "percent": 100}]
        data["quality_deposit"] = 0
    document = forms.validate(kind, data)
    assert forms.validate(kind, forms.dump(document)) == document


@pytest.mark.parametrize("kind", forms.KINDS)
def test_template_has_every_key_in_order(kind):
    data = yaml.safe_load(template(kind))
    assert list(data) == [spec.key for spec in describe(kind)]


@pytest.mark.parametrize("kind", forms.KINDS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_untouched_template_fails_only_on_required_fields(kind, lang):
    with pytest.raises(forms.FormInvalid) as exc:
        forms.validate(kind, yaml.safe_load(template(kind, lang)))
    messages = {e.message_zh for e in exc.value.errors}
    assert messages <= {"必填项缺失", "至少需要一项"}
    top = {e.path.split(".")[0].split("[")[0] for e in exc.value.errors}
    assert top == {spec.key for spec in describe(kind) if spec.required}


@pytest.mark.parametrize("kind", forms.KINDS)
def test_every_field_commented_in_both_languages(kind):
    text = template(kind)
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    for spec in _walk(describe(kind)):
        assert spec.label_zh in comments and spec.label_en in comments, spec.path
        for choice in spec.choices:
            assert str(choice) in comments


def test_comment_line_reads_like_the_manual():
    lines = template("phone-invite-feedback").splitlines()
    at = lines.index("interest:")
    assert lines[at - 1] == (
        "# * 客户意向 / Customer interest — 必填 / required — 选项 / choice"
        " — 可选值 / choices: high (高 / high) | medium (中 / medium) | low (低 / low)"
    )
    at = lines.index("notes:")
    assert lines[at - 1] == "# 备注 / Notes — 可选 / optional — 文本 / text"


def test_english_first_when_asked():
    text = template("visit-feedback", "en")
    assert text.startswith("# Visit feedback report / 拜访反馈报告 (visit-feedback)")
    assert "# * Visit date / 拜访日期 — required / 必填" in text


def test_template_lists_computed_values():
    text = template("product-proposal")
    assert "合计金额 (total_amount)" in text and "金额 (amount)" in text
    assert "total_amount:" not in text


def test_scorecard_template_starts_from_the_seed_criteria():
    data = yaml.safe_load(template("evaluation-scorecard"))
    names = [c["name"] for c in data["criteria"]]
    assert names == ["客户关系", "售后服务", "行业地位", "品牌", "产品性能", "价格", "供货能力", "快速解决方案"]
    assert sum(c["weight"] for c in data["criteria"]) == 100


def test_unknown_kind():
    with pytest.raises(forms.UnknownKind):
        template("quotation")

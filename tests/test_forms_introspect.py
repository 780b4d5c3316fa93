"""`describe()`: the schema as data, the one walker behind template, prompts, diff and renderer."""

from __future__ import annotations

import pytest

import forms
from forms.introspect import describe, find


def by_path(kind, computed=False):
    out = {}

    def walk(specs):
        for spec in specs:
            out[spec.path] = spec
            walk(spec.children)

    walk(describe(kind, computed=computed))
    return out


@pytest.mark.parametrize(
    ("kind", "path", "type_", "required"),
    [
        ("phone-invite-feedback", "call_date", "date", True),
        ("phone-invite-feedback", "visit_time", "datetime", True),
        ("phone-invite-feedback", "contact", "object", True),
        ("phone-invite-feedback", "contact.title", "str", False),
        ("phone-invite-feedback", "our_visitors", "list-of-str", True),
        ("phone-invite-feedback", "interest", "choice", True),
        ("visit-feedback", "handler_found", "bool", True),
        ("visit-feedback", "needs.fleet_size", "int", False),
        ("visit-feedback", "needs.replacement_cycle_years", "number", False),
        ("visit-feedback", "decision_chain", "list-of-object", False),
        ("visit-feedback", "decision_chain[].stance", "choice", False),
        ("product-proposal", "competition.competitors[].name", "str", True),
        ("evaluation-scorecard", "criteria[].competitor_scores", "dict-of-number", False),
        ("service-plan", "training[].topics", "list-of-str", True),
    ],
)
def test_types_and_required(kind, path, type_, required):
    spec = by_path(kind)[path]
    assert (spec.type, spec.required) == (type_, required)


def test_choices_and_labels():
    spec = by_path("visit-feedback")["relationship_level"]
    assert spec.choices == (1, 2, 3, 4)
    assert (spec.label("zh"), spec.label("en")) == ("客情关系等级", "Relationship level")
    assert by_path("visit-feedback")["decision_chain[].stance"].choices == ("supporter", "neutral", "opponent", "unknown")


def test_min_items():
    specs = by_path("product-proposal")
    assert specs["configurations"].min_items == 1
    assert specs["solution_summary"].min_items == 0


def test_computed_values_only_on_request():
    assert "total_amount" not in by_path("product-proposal")
    specs = by_path("product-proposal", computed=True)
    assert specs["total_amount"].computed and specs["total_amount"].type == "number"
    assert specs["configurations[].amount"].computed
    assert not specs["configurations[].quantity"].computed
    scorecard = by_path("evaluation-scorecard", computed=True)
    assert scorecard["competitor_totals"].type == "dict-of-number"
    assert scorecard["competitors"].type == "list-of-str"
    assert scorecard["defection_risk"].choices == ("safe", "watch", "alarm")
    assert by_path("service-plan", computed=True)["return_visits"].type == "list-of-date"


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("configurations[1].quantity", "数量"),
        ("configurations[0].amount", "金额"),
        ("configurations[3]", "推荐配置"),
        ("competition.competitors[0].strengths", "竞争优势"),
        ("total_amount", "合计金额"),
    ],
)
def test_find_concrete_paths(path, label):
    assert find("product-proposal", path).label("zh") == label


def test_find_nothing():
    assert find("product-proposal", "configurations[0].colour") is None
    assert find("product-proposal", "") is None


@pytest.mark.parametrize("kind", forms.KINDS)
def test_paths_unique(kind):
    paths = list(by_path(kind, computed=True))
    assert len(paths) == len(set(paths))

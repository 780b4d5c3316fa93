"""The document schemas: realistic fixtures validate, each rule rejects exactly what it should."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from forms_fixtures import DELETE, edit, load

import forms
from forms.introspect import describe

FOUND = "visit-feedback"


@pytest.mark.parametrize("kind", forms.KINDS)
def test_fixture_is_valid(kind):
    document = forms.validate(kind, load(kind))
    assert document.kind == kind


@pytest.mark.parametrize(
    ("kind", "stage"),
    [
        ("phone-invite-feedback", "phone_invite"),
        ("visit-feedback", "visit_pitch"),
        ("product-proposal", "initial_solution"),
        ("exchange-minutes", "technical_exchange"),
        ("evaluation-scorecard", "evaluation_negotiation"),
        ("negotiation-minutes", "evaluation_negotiation"),
        ("contract-review", "evaluation_negotiation"),
        ("service-plan", "contract_maintenance"),
    ],
)
def test_stage_served(kind, stage):
    """The stage → document map is the process file's alone (requirements, or what is expected after a stage)."""
    from workflow.rules.process import load_process
    from workflow.rules.requirements import documents_needed

    served = {k: s.id for s in load_process().stages for k in [*documents_needed(s), *(e.document for e in s.expects)]}
    assert served[kind] == stage


def test_unknown_kind():
    with pytest.raises(forms.UnknownKind):
        forms.get("quotation")


@pytest.mark.parametrize("data", [[], "call_date: 2026-09-02", None, 3])
def test_document_must_be_a_mapping(data):
    with pytest.raises(forms.FormInvalid) as exc:
        forms.validate("phone-invite-feedback", data)
    assert [e.path for e in exc.value.errors] == [""]


# (kind, path to edit, new value or DELETE, the single error path, a fragment of its Chinese message)
INVALID = [
    ("phone-invite-feedback", "call_date", DELETE, "call_date", "必填项缺失"),
    ("phone-invite-feedback", "call_date", "下周二", "call_date", "无法把「下周二」读作日期"),
    ("phone-invite-feedback", "contact.name", DELETE, "contact.name", "必填项缺失"),
    ("phone-invite-feedback", "interest", "very high", "interest", "「very high」不是可选值；可选：高 (high)、中 (medium)、低 (low)"),
    ("phone-invite-feedback", "visit_time", "2026-09-01T10:00", "visit_time", "不能早于通话日期"),
    ("phone-invite-feedback", "our_visitors", [], "our_visitors", "至少需要一项"),
    ("phone-invite-feedback", "visit_date", "2026-09-08", "visit_date", "未知字段"),
    ("visit-feedback", "handler", DELETE, "handler", "必须填写经手人"),
    ("visit-feedback", "handler", "  ", "handler", "必须填写经手人"),
    ("visit-feedback", "handler_found", "maybe", "handler_found", "应为是/否"),
    ("visit-feedback", "relationship_level", 5, "relationship_level", "「5」不是可选值；可选：一级：有联系方式，客户不排斥 (1)、二级"),
    ("visit-feedback", "decision_chain[0].stance", "friend", "decision_chain[0].stance", "「friend」不是可选值；可选：支持者 (supporter)、中立者 (neutral)、反对者 (opponent)、不清楚 (unknown)"),
    ("visit-feedback", "needs.purchase_quantity", 0, "needs.purchase_quantity", "必须大于 0"),
    ("visit-feedback", "needs.purchase_quantity", "四十", "needs.purchase_quantity", "应为整数"),
    ("visit-feedback", "needs.replacement_cycle_years", -8, "needs.replacement_cycle_years", "必须大于 0"),
    ("visit-feedback", "customer_attendees[1].name", DELETE, "customer_attendees[1].name", "必填项缺失"),
    ("visit-feedback", "customer_attendees", [], "customer_attendees", "至少需要一项"),
    ("product-proposal", "configurations", [], "configurations", "至少需要一项"),
    ("product-proposal", "configurations[1].quantity", -5, "configurations[1].quantity", "必须大于 0"),
    ("product-proposal", "configurations[0].unit_price", 0, "configurations[0].unit_price", "必须大于 0"),
    ("product-proposal", "configurations[0].unit_price", "三十六万", "configurations[0].unit_price", "无法把「三十六万」读作金额"),
    ("product-proposal", "configurations[0].amount", 11040000, "configurations[0].amount", "自动计算的值，请勿填写"),
    ("product-proposal", "total_amount", 13190000, "total_amount", "自动计算的值，请勿填写"),
    ("product-proposal", "customer_type", "alien", "customer_type", "「alien」不是可选值；可选：政府客户 (government)、企业客户 (enterprise)、个人客户 (individual)"),
    ("product-proposal", "competition.competitors[0].name", DELETE, "competition.competitors[0].name", "必填项缺失"),
    ("product-proposal", "agreed_to_submit", DELETE, "agreed_to_submit", "必填项缺失"),
    ("exchange-minutes", "open_issues[1].due", "下周", "open_issues[1].due", "无法把「下周」读作日期；可写作 2027-03-31、2027/3/31、2027.3.31 或 2027年3月31日"),
    ("exchange-minutes", "meeting_date", "2026-13-01", "meeting_date", "没有这一天：月份只有 1–12 月（写的是「2026-13-01」）"),
    ("exchange-minutes", "solution_confirmed", DELETE, "solution_confirmed", "必填项缺失"),
    ("exchange-minutes", "topics", "底盘匹配", "topics", "应为列表"),
    ("exchange-minutes", "open_issues[0].issue", DELETE, "open_issues[0].issue", "必填项缺失"),
    ("exchange-minutes", "open_issues[1].due", "2026-10-14", "open_issues[1].due", "完成日期不能早于交流日期"),
    ("evaluation-scorecard", "criteria[0].weight", 25, "criteria", "权重合计应为 100，现为 105"),
    ("evaluation-scorecard", "criteria[2].our_score", 11, "criteria[2].our_score", "必须小于或等于 10"),
    ("evaluation-scorecard", "criteria[2].our_score", -1, "criteria[2].our_score", "必须大于或等于 0"),
    ("evaluation-scorecard", "criteria[0].competitor_scores.东风", 12, "criteria[0].competitor_scores.东风", "必须小于或等于 10"),
    ("evaluation-scorecard", "criteria[1].name", "客户关系", "criteria[1].name", "评估指标重复"),
    ("evaluation-scorecard", "criteria", [], "criteria", "至少需要一项"),
    ("evaluation-scorecard", "decision_roles[0].role", "boss", "decision_roles[0].role", "「boss」不是可选值；可选：决策者 (decider)、管理者 (manager)、执行者 (executor)"),
    ("evaluation-scorecard", "purchase_standards[0].we_meet", "maybe", "purchase_standards[0].we_meet", "应为是/否"),
    ("evaluation-scorecard", "our_total", 77.5, "our_total", "自动计算的值"),
    ("negotiation-minutes", "quantity", 0, "quantity", "必须大于 0"),
    ("negotiation-minutes", "unit_price", -362000, "unit_price", "必须大于 0"),
    ("negotiation-minutes", "payment_method", "cash", "payment_method", "「cash」不是可选值；可选：全款 (full)、贷款 (loan)"),
    ("negotiation-minutes", "payment_timing", "on_delivery", "payment_timing", "「on_delivery」不是可选值；可选：发车前到账 (before_dispatch)、上完牌到账 (after_registration)"),
    ("negotiation-minutes", "price_includes.freight", DELETE, "price_includes.freight", "必填项缺失"),
    ("negotiation-minutes", "delivery_cycle_days", "六十", "delivery_cycle_days", "应为整数"),
    ("negotiation-minutes", "total_price", 10860000, "total_price", "自动计算的值"),
    ("negotiation-minutes", "concessions[1].given", DELETE, "concessions[1].given", "必填项缺失"),
    ("contract-review", "configuration.emission_compliant", DELETE, "configuration.emission_compliant", "必填项缺失"),
    ("contract-review", "penalty_percent", 150, "penalty_percent", "必须小于或等于 100"),
    ("contract-review", "quality_deposit", -1, "quality_deposit", "必须大于或等于 0"),
    ("contract-review", "contract_no", "", "contract_no", "不能为空"),
    ("contract-review", "payment_method", "credit", "payment_method", "「credit」不是可选值；可选：全款 (full)、贷款 (loan)"),
    ("contract-review", "production_cycle_days", 0, "production_cycle_days", "必须大于 0"),
    ("service-plan", "training[1].date", "2027-01-20", "training[1].date", "培训日期不能早于交车日期"),
    ("service-plan", "training", [], "training", "至少需要一项"),
    ("service-plan", "training[0].topics", [], "training[0].topics", "至少需要一项"),
    ("service-plan", "delivery_date", "1999-12-31", "delivery_date", "2000–2099"),
    ("service-plan", "return_visits", ["2027-02-15"], "return_visits", "自动计算的值"),
    ("service-plan", "order_assurance.first_sample_reviewed", DELETE, "order_assurance.first_sample_reviewed", "必填项缺失"),
    ("service-plan", "service_station.name", DELETE, "service_station.name", "必填项缺失"),
]


@pytest.mark.parametrize(("kind", "path", "value", "error_path", "message"), INVALID)
def test_one_rule_one_error(kind, path, value, error_path, message):
    with pytest.raises(forms.FormInvalid) as exc:
        forms.validate(kind, edit(load(kind), path, value))
    errors = exc.value.errors
    assert [e.path for e in errors] == [error_path]
    assert message in errors[0].message_zh
    assert errors[0].message_en and "|" not in errors[0].message_en


def test_every_kind_has_invalid_variants():
    assert {row[0] for row in INVALID} == set(forms.KINDS)


def test_error_carries_labels_of_the_innermost_field():
    with pytest.raises(forms.FormInvalid) as exc:
        forms.validate("product-proposal", edit(load("product-proposal"), "configurations[1].quantity", 0))
    (error,) = exc.value.errors
    assert (error.label_zh, error.label_en) == ("数量", "Quantity")
    assert error.render("zh") == "configurations[1].quantity (数量): 必须大于 0"
    assert error.render("en").startswith("configurations[1].quantity (Quantity): ")


def test_handler_may_be_absent_when_not_found():
    data = edit(edit(load(FOUND), "handler", DELETE), "handler_found", False)
    assert forms.validate(FOUND, data).handler is None


def test_all_problems_reported_at_once():
    data = load("phone-invite-feedback")
    data = edit(data, "caller", DELETE)
    data = edit(data, "contact.name", "")
    data = edit(data, "interest", "urgent")
    data = edit(data, "visit_time", "2026-08-30T09:00")
    data["color"] = "red"
    with pytest.raises(forms.FormInvalid) as exc:
        forms.validate("phone-invite-feedback", data)
    assert [e.path for e in exc.value.errors] == ["caller", "contact.name", "visit_time", "interest", "color"]


def test_nested_cross_field_errors_together():
    data = load("evaluation-scorecard")
    data = edit(data, "criteria[0].weight", 30)
    data = edit(data, "criteria[3].name", "价格")
    data = edit(data, "criteria[4].competitor_scores.重汽", 10.5)
    with pytest.raises(forms.FormInvalid) as exc:
        forms.validate("evaluation-scorecard", data)
    assert [e.path for e in exc.value.errors] == ["criteria[4].competitor_scores.重汽"]
    # the per-item bound fails first; fixed, the list-level rules report together
    data = edit(data, "criteria[4].competitor_scores.重汽", 8)
    with pytest.raises(forms.FormInvalid) as exc:
        forms.validate("evaluation-scorecard", data)
    assert [e.path for e in exc.value.errors] == ["criteria[5].name", "criteria"]


def test_training_dates_each_checked():
    data = edit(load("service-plan"), "training[0].date", "2027-01-01")
    data = edit(data, "training[1].date", "2027-01-30")
    with pytest.raises(forms.FormInvalid) as exc:
        forms.validate("service-plan", data)
    assert [e.path for e in exc.value.errors] == ["training[0].date", "training[1].date"]


def test_blank_means_not_given():
    data = load("phone-invite-feedback")
    data["notes"] = None
    data["our_visitors"] = ["王磊", None]
    document = forms.validate("phone-invite-feedback", data)
    assert document.notes is None and document.our_visitors == ["王磊"]


# -- computed values ----------------------------------------------------------------------


def test_product_proposal_totals():
    document = forms.validate("product-proposal", load("product-proposal"))
    out = document.model_dump(mode="json")
    assert [c["amount"] for c in out["configurations"]] == [11_040_000, 2_150_000]
    assert out["total_quantity"] == 40
    assert out["total_amount"] == 13_190_000


def test_scorecard_totals():
    out = forms.validate("evaluation-scorecard", load("evaluation-scorecard")).model_dump(mode="json")
    assert out["criteria"][4]["our_weighted"] == 13.5
    assert out["criteria"][0]["competitor_weighted"] == {"东风": 16, "重汽": 12}
    assert out["our_total"] == 77.5
    assert out["competitors"] == ["东风", "重汽"]
    assert out["competitor_totals"] == {"东风": 73.5, "重汽": 66.5}


def test_competitor_scored_on_some_criteria_counts_zero_elsewhere():
    data = load("evaluation-scorecard")
    data["criteria"][7]["competitor_scores"]["陕汽"] = 10
    out = forms.validate("evaluation-scorecard", data).model_dump(mode="json")
    assert out["competitors"] == ["东风", "重汽", "陕汽"]
    assert out["competitor_totals"]["陕汽"] == 5


def test_negotiation_total_price():
    assert forms.validate("negotiation-minutes", load("negotiation-minutes")).total_price == 10_860_000


@pytest.mark.parametrize(
    ("standards", "risk"),
    [
        ([(True, False)], "safe"),
        ([(True, True)], "watch"),
        ([(False, True)], "alarm"),
        ([(False, False)], "watch"),
        ([(True, False), (True, True)], "watch"),
        ([(True, False), (True, True), (False, True)], "alarm"),
        ([], None),
    ],
)
def test_defection_risk_is_the_worst_standard(standards, risk):
    data = load("evaluation-scorecard")
    data["purchase_standards"] = [
        {"standard": f"标准{i}", "we_meet": we, "competitor_meets": they} for i, (we, they) in enumerate(standards)
    ]
    assert forms.validate("evaluation-scorecard", data).defection_risk == risk


def test_computed_fields_carry_labels():
    from forms.base import label
    from forms.kinds.product_proposal import Configuration, ProductProposal

    assert label(ProductProposal.model_computed_fields["total_amount"], "zh") == "合计金额"
    assert label(Configuration.model_computed_fields["amount"], "en") == "Amount"


# -- dump --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", forms.KINDS)
def test_dump_round_trips_without_computed_values(kind):
    document = forms.validate(kind, load(kind))
    stored = forms.dump(document)
    assert json.loads(json.dumps(stored, ensure_ascii=False)) == stored
    assert forms.validate(kind, stored) == document
    assert forms.dump(forms.validate(kind, stored)) == stored
    computed = set(type(document).model_computed_fields)
    assert not computed & set(stored)


def test_dump_normalizes():
    stored = forms.dump(forms.validate("phone-invite-feedback", load("phone-invite-feedback")))
    assert stored["call_date"] == "2026-09-02"
    assert stored["visit_time"] == "2026-09-08T09:30:00"
    assert "notes" in stored and "attachments" in stored
    bare = forms.dump(forms.validate("phone-invite-feedback", edit(load("phone-invite-feedback"), "notes", DELETE)))
    assert "notes" not in bare


# -- schema metadata -------------------------------------------------------------------------


def _all_specs(specs):
    for spec in specs:
        yield spec
        yield from _all_specs(spec.children)


@pytest.mark.parametrize("kind", forms.KINDS)
def test_every_field_is_labelled_in_both_languages(kind):
    for spec in _all_specs(describe(kind, computed=True)):
        assert spec.label_zh and spec.label_en, spec.path
        assert spec.label_zh != spec.key, spec.path
        assert any("\u4e00" <= ch <= "\u9fff" for ch in spec.label_zh), spec.path


@pytest.mark.parametrize("kind", forms.KINDS)
def test_every_choice_has_display_labels(kind):
    from forms import choices

    for spec in _all_specs(describe(kind, computed=True)):
        for value in spec.choices:
            enum = choices.of(spec.annotation)
            assert enum is not None and value in enum.labels, (spec.path, value)


# SPEC §8: the keys are an interface; a schema may add, never rename.
SPEC_KEYS = {
    "phone-invite-feedback": "call_date caller contact visit_time visit_place our_visitors customer_attendees purpose interest notes attachments",
    "visit-feedback": "visit_date our_visitors customer_attendees handler_found handler materials_delivered advantages_presented purchase_process project_lead decision_chain needs relationship_level next_steps attachments",
    "product-proposal": "customer_concerns competition configurations solution_summary agreed_to_submit",
    "exchange-minutes": "meeting_date place our_participants customer_participants topics technical_requirements commercial_standards solution_confirmed open_issues",
    "evaluation-scorecard": "criteria decision_roles",
    "negotiation-minutes": "meeting_date our_participants customer_participants product lines quantity unit_price price_includes service_terms payment_method payment_timing delivery_mode delivery_cycle_days concessions agreed_items open_items",
    "contract-review": "contract_no configuration lines quantity unit_price price_includes payment_method payment_timing delivery_mode registration_possible_in_region delivery_cycle_days production_cycle_days special_service_requests service_within_policy penalty_percent quality_deposit",
    "service-plan": "delivery_date user_file_created training service_station care_activities policy_support business_meetings senior_visits holiday_visits order_assurance pre_delivery_inspection",
}
SPEC_REQUIRED = {
    "phone-invite-feedback": "call_date caller contact visit_time visit_place our_visitors purpose interest",
    "visit-feedback": "visit_date our_visitors customer_attendees handler_found purchase_process project_lead needs relationship_level next_steps",
    "product-proposal": "customer_concerns configurations solution_summary agreed_to_submit",
    "exchange-minutes": "meeting_date our_participants customer_participants topics solution_confirmed",
    "evaluation-scorecard": "criteria",
    "negotiation-minutes": "meeting_date our_participants customer_participants product price_includes service_terms payment_method payment_timing delivery_mode delivery_cycle_days",  # quantity, unit_price: unless lines (issue 14)
    "contract-review": "contract_no configuration price_includes payment_method payment_timing delivery_mode registration_possible_in_region delivery_cycle_days production_cycle_days service_within_policy penalty_percent quality_deposit",  # quantity, unit_price: unless lines
    "service-plan": "delivery_date user_file_created training service_station order_assurance pre_delivery_inspection",
}


@pytest.mark.parametrize("kind", forms.KINDS)
def test_spec_keys_kept_and_required(kind):
    specs = describe(kind)
    keys = [s.key for s in specs]
    assert set(SPEC_KEYS[kind].split()) <= set(keys)
    assert {s.key for s in specs if s.required} == set(SPEC_REQUIRED[kind].split())


def test_importing_forms_does_not_import_pydantic():
    code = "import sys, forms; print('pydantic' in sys.modules, 'click' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_typed_in_computed_value_is_named():
    with pytest.raises(forms.FormInvalid) as exc:
        forms.validate("negotiation-minutes", edit(load("negotiation-minutes"), "total_price", 1))
    (error,) = exc.value.errors
    assert error.render("zh") == "total_price (总价): 自动计算的值，请勿填写"
    assert error.render("en") == "total_price (Total price): a computed value: do not type it"


def test_blank_competitor_name_is_located():
    data = edit(load("evaluation-scorecard"), "criteria[1].competitor_scores", {"": 7})
    with pytest.raises(forms.FormInvalid) as exc:
        forms.validate("evaluation-scorecard", data)
    assert [(e.path, e.label_zh) for e in exc.value.errors] == [('criteria[1].competitor_scores.""', "竞争对手得分")]


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({False: 1}, "false"),  # YAML `false:` is not text: spelt as YAML writes it, never Python's False
        ({None: 1}, "null"),
        ({"False": 1}, '"False"'),  # the text "False" is quoted, so it reads as what was written
        ({"a.b": 1}, '"a.b"'),
        ({"visit_date": 1}, "visit_date"),
    ],
)
def test_an_unknown_key_is_shown_as_written(data, path):
    with pytest.raises(forms.FormInvalid) as exc:
        forms.validate("phone-invite-feedback", data)
    assert path in [e.path for e in exc.value.errors]


def test_titles_are_known_without_loading_a_schema() -> None:
    import importlib

    import forms

    for kind in forms.KINDS:
        module = importlib.import_module(forms.get(kind).__module__)
        assert (forms.title(kind, "zh"), forms.title(kind, "en")) == module.TITLE

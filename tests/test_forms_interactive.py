"""Interactive fill, driven by scripted answers (as the CLI's prompts or piped input would give them)."""

from __future__ import annotations

import io

import pytest
from forms_fixtures import load

import forms
from forms.interactive import FillAborted, fill


class Script:
    """A scripted user: answers in order, and a transcript of what was asked and said."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.asked: list[tuple[str, str | None]] = []
        self.said: list[str] = []

    def ask(self, prompt, default):
        self.asked.append((prompt, default))
        assert self.answers, f"unexpected prompt: {prompt}"
        return self.answers.pop(0)

    def say(self, text):
        self.said.append(text)


PHONE_ANSWERS = [
    "2026-09-31",  # call date: no such day, asked again
    "2026-09-02",
    "王磊",  # caller
    "赵建国",  # contact name
    "",  # contact title: skipped
    "0472-5123456",  # contact phone
    "2026-09-01T09:30",  # visit time: before the call, caught at the end
    "环卫服务中心三楼会议室",
    "",  # our visitors #1: required, asked again
    "王磊",
    "刘洋",
    "",  # ends the list
    "",  # customer attendees: none
    "介绍国六压缩式垃圾车方案",
    "5",  # interest: no 5th choice
    "1",  # high
    "",  # notes
    "",  # attachments: none
    "2026-09-08T09:30",  # visit time again, after the cross-field error
]

PHONE_RESULT = {
    "call_date": "2026-09-02",
    "caller": "王磊",
    "contact": {"name": "赵建国", "phone": "0472-5123456"},
    "visit_time": "2026-09-08T09:30:00",
    "visit_place": "环卫服务中心三楼会议室",
    "our_visitors": ["王磊", "刘洋"],
    "customer_attendees": [],
    "purpose": "介绍国六压缩式垃圾车方案",
    "interest": "high",
    "attachments": [],
}


def test_fill_from_scratch_with_reasks():
    user = Script([*PHONE_ANSWERS, "maybe", "y"])
    assert fill("phone-invite-feedback", user.ask, user.say) == PHONE_RESULT
    assert not user.answers
    prompts = [p for p, _ in user.asked]
    assert prompts[:2] == ["通话日期 * (YYYY-MM-DD)", "通话日期 * (YYYY-MM-DD)"]
    assert "  应为日期，如 2026-11-20" in user.said
    assert "  必填项，请输入。" in user.said
    assert "  1) high 高  2) medium 中  3) low 低" in user.said
    assert "  取值不在可选范围内" in user.said
    assert "  visit_time (约定拜访时间): 约定拜访时间不能早于通话日期" in user.said
    # the re-ask after the cross-field error offers the earlier answer as default
    assert user.asked[-3] == ("约定拜访时间 * (YYYY-MM-DDTHH:MM)", "2026-09-01T09:30:00")
    assert "  客户意向 (interest): high" in user.said
    assert user.asked[-1][0] == "保存？(y/n)"


def test_declined_summary_aborts():
    user = Script([*PHONE_ANSWERS, "n"])
    with pytest.raises(FillAborted):
        fill("phone-invite-feedback", user.ask, user.say)
    assert not user.answers


def test_english_prompts():
    user = Script([*PHONE_ANSWERS, "y"])
    fill("phone-invite-feedback", user.ask, user.say, lang="en")
    assert user.asked[0] == ("Call date * (YYYY-MM-DD)", None)
    assert "  1) high high  2) medium medium  3) low low" in user.said


@pytest.mark.parametrize("kind", forms.KINDS)
@pytest.mark.parametrize("enter", ["empty", "default"], ids=["scripted-enter", "click-like-enter"])
def test_enter_accepts_every_default(kind, enter):
    """With a previous version as defaults, pressing Enter throughout reproduces it."""
    stored = forms.dump(forms.validate(kind, load(kind)))

    def ask(prompt, default):
        return "" if enter == "empty" else (default or "")

    assert fill(kind, ask, lambda text: None, defaults=stored) == stored


def test_dash_clears_an_optional_default():
    stored = forms.dump(forms.validate("phone-invite-feedback", load("phone-invite-feedback")))

    def ask(prompt, default):
        return "-" if prompt.startswith(("备注", "附件 #1")) else ""

    result = fill("phone-invite-feedback", ask, lambda text: None, defaults=stored)
    assert "notes" not in result and result["attachments"] == []
    assert {k: v for k, v in result.items() if k not in ("notes", "attachments")} == {
        k: v for k, v in stored.items() if k not in ("notes", "attachments")
    }


def test_scorecard_starts_from_the_seed_criteria():
    answers = []
    for score in ("8", "9", "7", "8", "9", "6", "9", "8"):
        answers += ["", "", score, "东风=7", ""]  # keep name and weight, score, one competitor
    answers += [""]  # no 9th criterion
    answers += ["周海涛", "决策者", "中心领导", ""]  # decision role by its Chinese label, then end
    answers += ["-30℃ 冷启动", "y", "否", ""]  # one purchase standard, then end
    answers += ["y"]
    user = Script(answers)
    result = fill("evaluation-scorecard", user.ask, user.say)
    assert not user.answers
    assert [c["name"] for c in result["criteria"]][:2] == ["客户关系", "售后服务"]
    assert result["criteria"][0] == {"name": "客户关系", "weight": 20.0, "our_score": 8.0, "competitor_scores": {"东风": 7.0}}
    assert result["decision_roles"] == [{"name": "周海涛", "role": "decider", "department": "中心领导"}]
    assert result["purchase_standards"] == [{"standard": "-30℃ 冷启动", "we_meet": True, "competitor_meets": False}]
    assert any(line.startswith("  背叛风险 (defection_risk): safe") for line in user.said)
    document = forms.validate("evaluation-scorecard", result)
    assert document.our_total == 80  # 16 + 13.5 + 7 + 8 + 13.5 + 9 + 9 + 4


def test_weights_not_summing_to_100_reask_the_criteria():
    answers = []
    for weight in ("30", "", "", "", "", "", "", ""):  # 30 instead of 20: total 110
        answers += ["", weight, "8", ""]
    answers += [""]
    answers += ["", ""]  # no decision roles, no purchase standards
    for weight in ("20", "", "", "", "", "", "", ""):  # asked again with the answers as defaults
        answers += ["", weight, "", ""]
    answers += ["", "y"]
    user = Script(answers)
    result = fill("evaluation-scorecard", user.ask, user.say)
    assert not user.answers
    assert "  criteria (评估指标): 权重合计应为 100，现为 110" in user.said
    assert sum(c["weight"] for c in result["criteria"]) == 100


def test_piped_input():
    stream = io.StringIO("\n".join([*PHONE_ANSWERS, "y"]) + "\n")
    result = fill("phone-invite-feedback", lambda p, d: stream.readline().rstrip("\n"), lambda t: None)
    assert result == PHONE_RESULT


def test_piped_input_running_dry_aborts_instead_of_hanging():
    stream = io.StringIO("2026-09-02\n王磊\n")
    with pytest.raises(FillAborted):
        fill("phone-invite-feedback", lambda p, d: stream.readline().rstrip("\n"), lambda t: None)


def test_forms_never_import_click():
    import subprocess
    import sys

    code = (
        "import sys, forms, forms.interactive, forms.template, forms.diff, forms.introspect\n"
        "for kind in forms.KINDS: forms.get(kind)\n"
        "print('click' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_competitor_scores_reasked_on_bad_entries():
    answers = ["", "", "8", "东风", "东风=11", "东风=7", "重汽：6", ""]  # first criterion
    for _ in range(7):
        answers += ["", "", "8", ""]
    answers += ["", "", "", "y"]  # no 9th criterion, no roles, no standards, confirm
    user = Script(answers)
    result = fill("evaluation-scorecard", user.ask, user.say)
    assert not user.answers
    assert result["criteria"][0]["competitor_scores"] == {"东风": 7.0, "重汽": 6.0}
    assert "  格式应为 名称=数值，如 东风=7" in user.said
    assert "  必须小于或等于 10" in user.said

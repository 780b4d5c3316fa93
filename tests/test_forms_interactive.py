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
    assert "  9) 客户意向 (interest): high 高" in user.said
    assert "  请回答 y、n 或 1 到 11 的编号。" in user.said  # "maybe" at the review
    assert user.asked[-1] == ("保存？(y 保存 / n 取消 / 1-11 修改 / < 上一题)", "y")


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
    assert any(line.startswith("  = 背叛风险 (defection_risk): safe") for line in user.said)
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


# -- going back, the review, drafts, suggestions --------------------------------------------------------------

def test_back_asks_the_previous_question_again_and_skips_its_rejected_tries():
    answers = list(PHONE_ANSWERS)
    # at the contact's title: back to the name, back to the caller, then retype both
    at = answers.index("赵建国") + 1
    answers[at:at] = ["<", "<", "李伟", "赵建国"]
    user = Script([*answers, "y"])
    result = fill("phone-invite-feedback", user.ask, user.say)
    assert not user.answers
    assert result == {**PHONE_RESULT, "caller": "李伟"}
    prompts = [p for p, _ in user.asked]
    i = prompts.index("姓名 *")
    assert prompts[i : i + 6] == ["姓名 *", "职务", "姓名 *", "邀约人 *", "姓名 *", "职务"]
    # a question asked again offers the answer it had
    assert user.asked[i + 2] == ("姓名 *", "赵建国") and user.asked[i + 3] == ("邀约人 *", "王磊")


def test_back_over_a_rejected_answer_reaches_the_question_before():
    user = Script(["2026-09-31", "2026-09-02", "<", "<", "2026-09-03", *PHONE_ANSWERS[2:], "y"])
    result = fill("phone-invite-feedback", user.ask, user.say)
    assert result["call_date"] == "2026-09-03"
    assert "  已是第一题。" in user.said
    assert user.said.count("  应为日期，如 2026-11-20") == 1  # the replay is silent


def test_back_inside_a_list():
    answers = list(PHONE_ANSWERS)
    at = answers.index("刘洋") + 1
    answers[at:at] = ["<", "张敏"]  # replace the second visitor
    result = fill("phone-invite-feedback", Script([*answers, "y"]).ask, lambda text: None)
    assert result["our_visitors"] == ["王磊", "张敏"]


def test_the_review_edits_a_field_by_number_and_goes_back():
    user = Script([*PHONE_ANSWERS, "8", "试乘试驾", "<", "演示会", "12", "y"])
    result = fill("phone-invite-feedback", user.ask, user.say)
    assert not user.answers
    assert result == {**PHONE_RESULT, "purpose": "演示会"}
    assert user.said.count("请检查（输入编号修改）：") == 3  # the first, after 试乘试驾, after 演示会
    assert "  8) 拜访目的 (purpose): 演示会" in user.said
    assert "  请回答 y、n 或 1 到 11 的编号。" in user.said  # 12


def test_back_from_the_review_reaches_the_last_question():
    user = Script([*PHONE_ANSWERS, "<", "2026-09-09T10:00", "y"])
    result = fill("phone-invite-feedback", user.ask, user.say)
    assert result["visit_time"] == "2026-09-09T10:00:00"


def test_review_in_english():
    user = Script([*PHONE_ANSWERS, "y"])
    fill("phone-invite-feedback", user.ask, user.say, lang="en")
    assert "Please review (type a number to edit):" in user.said
    assert "  6) Our visitors (our_visitors): 王磊, 刘洋" in user.said
    assert "  3) Customer contact (contact)" in user.said
    assert user.asked[-1] == ("Save? (y save / n cancel / 1-11 edit / < back)", "y")


def test_declined_review_keeps_the_whole_document_as_draft():
    with pytest.raises(FillAborted) as caught:
        fill("phone-invite-feedback", Script([*PHONE_ANSWERS, "n"]).ask, lambda text: None)
    assert caught.value.draft == PHONE_RESULT


@pytest.mark.parametrize("interrupt", [EOFError, KeyboardInterrupt])
def test_end_of_input_or_ctrl_c_keeps_every_answer(interrupt):
    answers = iter(PHONE_ANSWERS[:11])  # up to the first visitor 王磊 and 刘洋

    def ask(prompt, default):
        try:
            return next(answers)
        except StopIteration:
            raise interrupt from None

    with pytest.raises(FillAborted) as caught:
        fill("phone-invite-feedback", ask, lambda text: None)
    assert caught.value.draft == {
        "call_date": "2026-09-02",
        "caller": "王磊",
        "contact": {"name": "赵建国", "phone": "0472-5123456"},
        "visit_time": "2026-09-01T09:30:00",
        "visit_place": "环卫服务中心三楼会议室",
        "our_visitors": ["王磊", "刘洋"],
    }


def test_an_interrupted_edit_keeps_the_earlier_value():
    answers = iter([*PHONE_ANSWERS, "6"])

    def ask(prompt, default):
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    with pytest.raises(FillAborted) as caught:
        fill("phone-invite-feedback", ask, lambda text: None)
    assert caught.value.draft["our_visitors"] == ["王磊", "刘洋"]


def test_resuming_a_half_draft_goes_on_where_it_stopped():
    draft = {"call_date": "2026-09-02", "caller": "王磊", "contact": {"name": "赵建国"}, "visit_time": "2026-09-08T09:30"}
    user = Script(["", "会议室", "王磊", "", "", "推介", "2", "", "", "y"])
    result = fill("phone-invite-feedback", user.ask, user.say, resume=draft)
    assert not user.answers
    assert user.asked[0] == ("约定拜访时间 * (YYYY-MM-DDTHH:MM)", "2026-09-08T09:30")
    assert "继续草稿：已有 4 项回答，从“约定拜访时间”继续。" in user.said
    assert result["visit_place"] == "会议室" and result["interest"] == "medium"


def test_resuming_a_complete_draft_shows_the_review():
    user = Script(["y"])
    assert fill("phone-invite-feedback", user.ask, user.say, resume=PHONE_RESULT) == PHONE_RESULT
    assert user.asked == [("保存？(y 保存 / n 取消 / 1-11 修改 / < 上一题)", "y")]


SUGGESTED = {
    "customer_attendees": [
        {"name": "张华", "department": "车管科", "title": "科长"},
        {"name": "王淑芬", "department": "财务科"},
    ],
    "our_visitors": ["王磊"],
}


def _visit(answers):
    """visit-feedback answers up to its customer attendees."""
    return ["2026-09-10", "1", "", *answers]


def test_suggestions_are_taken_by_number_and_bring_their_details():
    asked = []

    def ask(prompt, default):
        asked.append((prompt, default))
        return script.pop(0)

    said: list[str] = []
    script = _visit(["2", "", "", "刘振华", "", "", ""])
    with pytest.raises((IndexError, FillAborted)):
        fill("visit-feedback", ask, said.append, suggestions=SUGGESTED)
    assert "  建议（输入编号选用）：1) 张华（车管科，科长）  2) 王淑芬（财务科）" in said
    i = next(n for n, (p, _) in enumerate(asked) if p.startswith("姓名 #1"))
    assert asked[i + 1][1] == "财务科"  # 王淑芬's department, offered as the default
    assert asked[i + 3][0] == "姓名 #2" and asked[i + 4] == ("部门", None)  # 刘振华: nothing of anyone else
    assert "  建议（输入编号选用）：1) 张华（车管科，科长）" in said  # 王淑芬 is taken


def test_enter_on_a_new_item_ends_the_list_even_with_suggestions():
    user = Script([*PHONE_ANSWERS, "y"])
    suggestions = {"customer_attendees": ["张华", "王淑芬"], "our_visitors": ["王磊"]}
    result = fill("phone-invite-feedback", user.ask, user.say, suggestions=suggestions)
    assert result["customer_attendees"] == []
    assert "  建议（输入编号选用）：1) 张华  2) 王淑芬" in user.said
    assert ("客户参加人员 #1", None) in user.asked  # a suggestion is never the default


def test_a_changed_name_drops_the_previous_items_details():
    """With a previous version as defaults, typing another person at #1 offers none of the replaced one's details."""
    stored = forms.dump(forms.validate("visit-feedback", load("visit-feedback")))
    first = stored["customer_attendees"][0]
    asked = []

    def ask(prompt, default):
        asked.append((prompt, default))
        if prompt.startswith("姓名 #1") and len([p for p, _ in asked if p.startswith("姓名 #1")]) == 1:
            return "刘振华"
        return ""

    result = fill("visit-feedback", ask, lambda text: None, defaults=stored)
    assert result["customer_attendees"][0]["name"] == "刘振华"
    assert set(result["customer_attendees"][0]) == {"name"}
    i = next(n for n, (p, _) in enumerate(asked) if p.startswith("姓名 #1"))
    assert asked[i][1] == first["name"] and asked[i + 1][1] is None


@pytest.mark.parametrize(("typed", "expected"), [("支持", "supporter"), ("支持者", "supporter"), ("Supporter", "supporter"), ("2", "neutral")])
def test_a_choice_by_its_key_label_short_form_or_number(typed, expected):
    from forms.interactive import _Filler
    from forms.introspect import find

    spec = find("visit-feedback", "decision_chain[0].stance")
    assert _Filler(lambda p, d: "", lambda t: None, "zh", [], None)._parse(spec, typed) == expected

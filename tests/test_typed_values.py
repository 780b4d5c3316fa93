"""Values as a Chinese project manager types them (issue 16): Chinese labels for every enum, dates as written,
text kept exactly as written, and every refusal (click's usage errors too) in the chosen language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from forms_fixtures import edit, load
from helpers import walk_to

import forms
from cli import cli
from forms import choices
from forms.choices import ALL, LEVEL, STANCE, Choice, to_key
from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.records.db import Database
from workflow.rules.process import Process, load_process

# -- the one function every reader of typed values calls --------------------------------------------------------


@pytest.mark.parametrize("choice", ALL, ids=lambda c: c.name)
def test_every_key_and_label_of_every_enum_names_its_key(choice: Choice) -> None:
    for value in choice.values:
        text = choice.labels[value]
        for typed in (value, str(value), text.zh, text.en, f" {text.zh} ", text.en.upper()):
            assert to_key(choice, typed) == value, (choice.name, typed)


@pytest.mark.parametrize(
    ("choice", "typed", "key"),
    [
        (choices.LEVEL, "高", "high"),
        (choices.LEVEL, "中", "medium"),
        (choices.LEVEL, "低", "low"),
        (choices.ACCOUNT_SIZE, "中型", "medium"),
        (choices.STANCE, "支持者", "supporter"),
        (choices.STANCE, "支持", "supporter"),
        (choices.STANCE, "中立", "neutral"),
        (choices.DECISION_ROLE, "决策者", "decider"),
        (choices.DECISION_ROLE, "管理者", "manager"),
        (choices.DECISION_ROLE, "执行者", "executor"),
        (choices.PAYMENT_METHOD, "全款", "full"),
        (choices.PAYMENT_METHOD, "按揭", "loan"),
        (choices.PAYMENT_TIMING, "上完牌到账", "after_registration"),
        (choices.PAYMENT_TIMING, "before dispatch", "before_dispatch"),
        (choices.ACCOUNT_TYPE, "政府", "government"),
        (choices.ACCOUNT_TYPE, "个体", "individual"),
        (choices.ACCOUNT_CLASS, "A类", "A"),
        (choices.ACCOUNT_CLASS, "ａ 类", "A"),  # full-width, as a Chinese input method types it
        (choices.ACCOUNT_CLASS, "b", "B"),
        (choices.ACCOUNT_CLASS, "重点客户", "B"),
        (choices.MARKET, "国际", "international"),
        (choices.LOST_REASON, "价格", "price"),
        (choices.LOST_REASON, "无预算", "no-budget"),
        (choices.LOST_REASON, "no budget", "no-budget"),
        (choices.RELATIONSHIP_LEVEL, "二级", 2),
        (choices.RELATIONSHIP_LEVEL, "3", 3),
        (choices.RISK, "警报", "alarm"),
        (choices.DECISION, "同意", "approve"),
    ],
)
def test_chinese_labels_and_short_forms_name_the_stored_key(choice: Choice, typed: str, key: Any) -> None:
    assert to_key(choice, typed) == key
    assert choice.key(typed) == key


def test_a_value_no_enum_value_has_is_refused_with_every_choice_in_both_forms() -> None:
    with pytest.raises(InvalidInput) as caught:
        to_key(LEVEL, "超高", t("影响力", "influence"))
    assert caught.value.message == t(
        "影响力：「超高」不是可选值；可选：高 (high)、中 (medium)、低 (low)",
        'influence: "超高" is not one of the choices: high (高), medium (中), low (低)',
    )
    assert LEVEL.key("超高") is None and LEVEL.key(None) is None and LEVEL.key(True) is None


def test_a_process_lists_its_own_departments_and_reasons_as_choices(tmp_path: Path) -> None:
    builtin = load_process()
    assert builtin.department_choice.key("销售部") == "sales"
    assert builtin.department_choice.key("Legal") == "legal"
    assert builtin.lost_reason_choice.key("竞争对手") == "competitor"
    own = _own_process(tmp_path)
    assert own.department_choice.key("车管部") == "fleet"
    assert own.department_choice.key("fleet office") == "fleet"
    assert own.department_choice.key("财务部") == "finance"
    assert own.lost_reason_choice.key("weather") == "weather"
    assert own.lost_reason_choice.key("价格") == "price"


def _own_process(tmp_path: Path) -> Process:
    text = Path("workflow/rules/six-step.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    - {id: production, label: {zh: 生产部, en: production}}",
        "    - {id: production, label: {zh: 生产部, en: production}}\n"
        "    - {id: fleet, label: {zh: 车管部, en: fleet office}}",
    )
    data = yaml.safe_load(text)
    data["lost_reasons"] = ["price", "weather"]
    path = tmp_path / "own.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_process(str(path))


# -- options ----------------------------------------------------------------------------------------------------


def test_options_take_the_chinese_labels_and_store_the_keys(kam: Any) -> None:
    out = kam(
        "account", "add", "包头环卫", "--type", "政府", "--class", "A类", "--industry", "环卫", "--fleet-size", "120",
        "--size", "大型", "--market", "本地",
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert kam("contact", "add", "1", "赵建国", "--influence", "高", "--stance", "支持者").exit_code == 0
    assert kam("contact", "add", "1", "孙丽", "--influence", "medium", "--stance", "中立").exit_code == 0
    shown = kam.json("account", "show", "1")
    assert (shown["type"], shown["class"], shown["size"], shown["market"]) == ("government", "A", "large", "local")
    assert [(c["influence"], c["stance"]) for c in shown["contacts"]] == [("high", "supporter"), ("medium", "neutral")]


def test_lost_reasons_and_departments_take_their_labels(kam: Any, db: Database, process: Process, deal: int) -> None:
    assert kam("opp", "lose", deal, "--reason", "价格").exit_code == 0
    assert kam.json("opp", "show", deal)["lost_reason"] == "price"


def test_a_department_is_typed_as_its_chinese_label(kam: Any, db: Database, process: Process, deal: int) -> None:
    from helpers import fill

    walk_to(db, process, deal, "evaluation_negotiation")
    for kind in ("evaluation-scorecard", "negotiation-minutes", "contract-review"):
        fill(db, deal, kind)
    result = kam("--actor", "赵敏", "review", "approve", deal, "--department", "销售部", lang="zh")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"赵敏 代表销售部同意商机 {deal} 的合同审核表 v1")
    refused = kam("--actor", "钱进", "review", "approve", deal, "--department", "市场部", lang="zh")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "错误：会签部门：「市场部」不是可选值；可选：销售部 (sales)、财务部 (finance)、法务部 (legal)、生产部 (production)\n"
    )


@pytest.mark.parametrize("written", ["2027/03/31", "2027.3.31", "2027年3月31日", "2027-3-31", "２０２７/３/３１"])
def test_dates_are_taken_as_people_write_them(kam: Any, deal: int, written: str) -> None:
    assert kam("opp", "new", "1", "新项目", "--expected-close", written).exit_code == 0
    assert kam.json("opp", "show", deal + 1)["expected_close"] == "2027-03-31"


def _usage(command: str | None, zh: bool) -> str:
    if command is None:
        return ""
    return (
        f"用法：kam {command}\n运行 'kam {command.split(' [')[0]} --help' 查看帮助。\n\n"
        if zh
        else f"Usage: kam {command}\nTry 'kam {command.split(' [')[0]} --help' for help.\n\n"
    )


OPP_NEW = "opp new [OPTIONS] ACCOUNT_ID TITLE"
CONTACT_ADD = "contact add [OPTIONS] ACCOUNT_ID NAME"

USAGE_ERRORS = [
    (
        ("opp", "new", "1", "x", "--expected-close", "2027-02-30"),
        OPP_NEW,
        "错误：'--expected-close' 的值无效：没有这一天：2027 年 2 月只有 28 天（写的是「2027-02-30」）",
        "Error: Invalid value for '--expected-close': there is no such day: February 2027 has only 28 days "
        '(written "2027-02-30")',
    ),
    (
        ("opp", "new", "1", "x", "--expected-close", "31/03/2027"),
        OPP_NEW,
        "错误：'--expected-close' 的值无效：「31/03/2027」请把年份写在前面：日在前还是月在前看不出来；"
        "可写作 2027-03-31、2027/3/31、2027.3.31 或 2027年3月31日",
        "Error: Invalid value for '--expected-close': write the year first in \"31/03/2027\": the day and the month "
        "could be either way round; write it as 2027-03-31, 2027/3/31, 2027.3.31 or 2027年3月31日",
    ),
    (
        ("contact", "add", "1", "张三", "--influence", "超高"),
        CONTACT_ADD,
        "错误：'--influence' 的值无效：「超高」不是可选值；可选：高 (high)、中 (medium)、低 (low)",
        "Error: Invalid value for '--influence': \"超高\" is not one of the choices: high (高), medium (中), low (低)",
    ),
    (("opp", "new"), OPP_NEW, "错误：缺少参数 'ACCOUNT_ID'。", "Error: Missing argument 'ACCOUNT_ID'."),
    (("opp", "new", "1", "x", "--bogus"), OPP_NEW, "错误：没有选项「--bogus」。", "Error: No such option '--bogus'."),
    (
        ("opp", "new", "1", "x", "--quantity", "abc"),
        OPP_NEW,
        "错误：'--quantity' 的值无效：「abc」不是整数。",
        "Error: Invalid value for '--quantity': 'abc' is not a valid integer.",
    ),
    (
        ("opp", "lose", "1"),
        "opp lose [OPTIONS] OPPORTUNITY_ID",
        "错误：缺少选项 '--reason'。",
        "Error: Missing option '--reason'.",
    ),
    (
        ("opp", "new", "1", "x", "--quantity"),
        None,  # click's parser raises this one without the command: no usage line in either language
        "错误：选项「--quantity」后面需要一个值。",
        "Error: Option '--quantity' requires an argument.",
    ),
    (
        ("opp", "frobnicate"),
        "opp [OPTIONS] COMMAND [ARGS]...",
        "错误：没有命令「frobnicate」。",
        "Error: No such command 'frobnicate'.",
    ),
    (
        ("opp", "show", "1", "2"),
        "opp show [OPTIONS] OPPORTUNITY_ID",
        "错误：多余的参数「2」",
        "Error: Got unexpected extra argument “2”",
    ),
]


@pytest.mark.parametrize(
    ("args", "usage", "zh", "en"), USAGE_ERRORS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else None
)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_usage_errors_are_in_the_chosen_language(
    kam: Any, args: tuple[str, ...], usage: str, zh: str, en: str, lang: str
) -> None:
    result = kam.runner.invoke(cli, ["--db", kam.db_url, "--lang", lang, *args], prog_name="kam")
    assert result.exit_code == 2
    assert result.stderr == _usage(usage, lang == "zh") + (zh if lang == "zh" else en) + "\n"


@pytest.mark.parametrize("where", ["before", "after", "env"])
def test_the_language_of_a_usage_error_is_the_one_asked_for_wherever_it_is_asked(
    kam: Any, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if where == "env":
        monkeypatch.setenv("KAM_LANG", "en")
        args = ["--db", kam.db_url, "opp", "new"]
    elif where == "before":
        args = ["--db", kam.db_url, "--lang", "en", "opp", "new"]
    else:
        args = ["--db", kam.db_url, "opp", "new", "--lang=en"]
    result = kam.runner.invoke(cli, args)
    assert result.stderr.endswith("Error: Missing argument 'ACCOUNT_ID'.\n")
    chinese = kam.runner.invoke(cli, ["--db", kam.db_url, "--lang", "en", "opp", "new", "--lang", "zh"])
    assert chinese.stderr.endswith("错误：缺少参数 'ACCOUNT_ID'。\n")


def test_a_refusal_starts_with_the_error_prefix_of_its_language(kam: Any) -> None:
    assert kam("opp", "show", "7", lang="zh").stderr == "错误：找不到商机 7：用 kam opp list 查看编号\n"
    assert kam("opp", "show", "7", lang="en").stderr == "Error: opportunity 7 not found: see kam opp list\n"


# -- files ------------------------------------------------------------------------------------------------------


def test_text_fields_keep_exactly_what_was_written_quoted_or_not(kam: Any, deal: int, tmp_path: Path) -> None:
    path = tmp_path / "invite.yaml"
    path.write_text(
        "call_date: 2027/3/1\ncaller: 王磊\ncontact:\n  name: 张华\n  phone: 13904001234\n  title: 0472\n"
        "visit_time: 2027年3月5日 14点30分\nvisit_place: 2027-01-01\nour_visitors:\n  - 王磊\npurpose: 0.50\n"
        "interest: 高\n",
        encoding="utf-8",
    )
    result = kam("doc", "fill", deal, "phone-invite-feedback", "--file", str(path))
    assert result.exit_code == 0, result.output
    stored = kam.json("doc", "show", deal, "phone-invite-feedback")["data"]
    assert stored["contact"] == {"name": "张华", "phone": "13904001234", "title": "0472"}
    assert (stored["call_date"], stored["visit_time"]) == ("2027-03-01", "2027-03-05T14:30:00")
    assert (stored["visit_place"], stored["purpose"], stored["interest"]) == ("2027-01-01", "0.50", "high")


def test_roles_stances_and_payments_in_a_file_are_typed_in_chinese() -> None:
    scorecard = edit(load("evaluation-scorecard"), "decision_roles[0].role", "决策者")
    assert forms.dump(forms.validate("evaluation-scorecard", scorecard))["decision_roles"][0]["role"] == "decider"
    visit = edit(load("visit-feedback"), "decision_chain[0].stance", "支持者")
    visit = edit(visit, "decision_chain[0].influence", "中")
    visit = edit(visit, "relationship_level", "三级")
    dumped = forms.dump(forms.validate("visit-feedback", visit))
    assert (dumped["decision_chain"][0]["stance"], dumped["decision_chain"][0]["influence"]) == ("supporter", "medium")
    assert dumped["relationship_level"] == 3
    minutes = edit(load("negotiation-minutes"), "payment_method", "贷款")
    minutes = edit(minutes, "payment_timing", "上完牌到账")
    dumped = forms.dump(forms.validate("negotiation-minutes", minutes))
    assert (dumped["payment_method"], dumped["payment_timing"]) == ("loan", "after_registration")


@pytest.mark.parametrize(
    ("path", "value", "zh", "en"),
    [
        (
            "interest",
            "超高",
            "interest (客户意向): 「超高」不是可选值；可选：高 (high)、中 (medium)、低 (low)",
            'interest (Customer interest): "超高" is not one of the choices: high (高), medium (中), low (低)',
        ),
        (
            "call_date",
            "2027-02-30",
            "call_date (通话日期): 没有这一天：2027 年 2 月只有 28 天（写的是「2027-02-30」）",
            'call_date (Call date): there is no such day: February 2027 has only 28 days (written "2027-02-30")',
        ),
        (
            "call_date",
            "2027年2月29日",
            "call_date (通话日期): 没有这一天：2027 年 2 月只有 28 天（写的是「2027年2月29日」）",
            'call_date (Call date): there is no such day: February 2027 has only 28 days (written "2027年2月29日")',
        ),
        (
            "visit_time",
            "2026-11-20 下午2点",
            "visit_time (约定拜访时间): 「2026-11-20 下午2点」请用 24 小时制写时间，如 2027-03-31 14:00（下午 2 点）",
            'visit_time (Agreed visit time): write the time in "2026-11-20 下午2点" on the 24-hour clock, '
            "as in 2027-03-31 14:00 for 2 pm",
        ),
    ],
)
def test_a_bad_value_in_a_file_says_why_in_both_languages(path: str, value: str, zh: str, en: str) -> None:
    with pytest.raises(forms.FormInvalid) as caught:
        forms.validate("phone-invite-feedback", edit(load("phone-invite-feedback"), path, value))
    assert [e.render("zh") for e in caught.value.errors] == [zh]
    assert [e.render("en") for e in caught.value.errors] == [en]


def test_stance_labels_round_trip_through_the_one_declaration() -> None:
    for value in STANCE.values:
        assert STANCE.key(STANCE.label(value, "zh")) == value
        assert STANCE.key(STANCE.label(value, "en")) == value


def test_the_roster_takes_departments_and_roles_as_typed(kam: Any) -> None:
    assert kam("--actor", "王总", "user", "add", "王总", "--role", "管理员").exit_code == 0  # the first is the admin
    result = kam("--actor", "王总", "user", "add", "赵敏", "--role", "审批人", "--department", "销售部", "--department", "Legal")
    assert result.exit_code == 0, result.output
    [person] = [u for u in kam.json("user", "list") if u["name"] == "赵敏"]
    assert (person["role"], person["departments"]) == ("reviewer", ["sales", "legal"])


def test_a_choice_refusal_shows_what_was_written_never_a_repr() -> None:
    """Found by `make soak`: a mapping given for a choice was shown as Python's `{'x': []}`, and a typed text holding
    a double quote was quoted with double quotes, so the message could not say where the text ends."""
    from refusals import leak

    from forms.choices import STANCE
    from workflow.errors import InvalidInput

    for typed, en in (({"x": [], "y": False}, '“{"x": [], "y": false}”'), ('a"{}"b', "“a\"{}\"b”"), ("hr", '"hr"')):
        with pytest.raises(InvalidInput) as refused:
            STANCE.parse(typed, "stance")
        message = refused.value.message
        assert f"stance: {en} is not one of the choices" in message.en, message.en
        assert leak(message.en) is None and leak(message.zh) is None

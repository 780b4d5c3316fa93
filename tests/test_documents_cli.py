"""Documents through the command line: templates, interactive fill, versions and diffs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Kam
from forms_fixtures import edit, load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import forms
from cli import cli


def setup_deal(kam: Kam) -> int:
    acc = kam.json("account", "add", "包头鑫达物流有限公司", "--type", "enterprise", "--class", "A", "--industry", "物流", "--fleet-size", "120", "--region", "内蒙古包头")
    kam.json("contact", "add", acc["id"], "张华", "--department", "车管科", "--title", "科长", "--role", "技术选型决策人", "--influence", "high", "--stance", "supporter", "--phone", "13904720000")
    return kam.json("opp", "new", acc["id"], "20 台牵引车", "--owner", "王磊", "--quantity", "20")["id"]


def overlay(template: Any, values: Any) -> Any:
    """The template's structure with the fixture's values written in (as a person fills it in)."""
    if isinstance(template, dict) and template:  # {} is a free mapping (competitor scores by name)
        assert set(values) <= set(template), f"template lacks keys {set(values) - set(template)}"
        return {k: overlay(template[k], values[k]) for k in template if k in values}
    if isinstance(template, list) and isinstance(values, list):
        item = template[0] if template else None
        return [overlay(item, v) if isinstance(item, dict) else v for v in values]
    return values


@pytest.mark.parametrize("kind", forms.KINDS)
def test_template_once_filled_in_is_accepted(kam: Kam, tmp_path: Path, kind: str) -> None:
    opp = setup_deal(kam)
    result = kam("doc", "template", kind)
    assert result.exit_code == 0
    text = result.stdout
    assert f"({kind})" in text.splitlines()[0] and "# " in text
    filled = overlay(yaml.safe_load(text), load(kind))
    path = tmp_path / f"{kind}.yaml"
    path.write_text(yaml.safe_dump(filled, allow_unicode=True), encoding="utf-8")
    stored = kam.json("doc", "fill", opp, kind, "--file", str(path))
    assert stored["version"] == 1


def test_template_comments_follow_the_language(kam: Kam) -> None:
    zh = kam("doc", "template", "visit-feedback", lang="zh").stdout
    assert "是否找到经手人" in zh
    assert kam("doc", "template", "nonsense").exit_code == 1


INVITE_ANSWERS = [
    "2026-11-20",  # call date
    "",  # caller: default 王磊
    "1",  # contact name: suggestion 1, 张华 (from the account)
    "",  # title: 张华's, 科长
    "",  # phone: 张华's
    "2026-11-19T10:00",  # visit time before the call: re-asked at the end
    "",  # visit place: default 内蒙古包头
    "1",  # our visitor #1: suggestion 1, the owner 王磊
    "",  # end of list
    "张华",  # customer attendee #1: the suggestion typed out
    "",  # end of list
    "产品推介与需求调研",  # purpose
    "hot",  # interest: not a choice, re-asked
    "1",  # interest: high
    "",  # notes
    "",  # attachments: none
    "2026-11-25T09:30",  # visit time, asked again after the cross-field check
]


def test_interactive_fill_with_suggestions_and_re_asks(kam: Kam) -> None:
    opp = setup_deal(kam)
    result = kam("doc", "fill", opp, "phone-invite-feedback", input="\n".join([*INVITE_ANSWERS, "y"]) + "\n", lang="zh")
    assert result.exit_code == 0, result.output
    assert "  建议（输入编号选用）：1) 张华（科长，13904720000）" in result.stderr
    assert "取值不在可选范围内" in result.stderr  # the re-ask after "hot"
    assert "约定拜访时间不能早于通话日期" in result.stderr
    doc = kam.json("doc", "show", opp, "phone-invite-feedback")["data"]
    assert doc["contact"] == {"name": "张华", "title": "科长", "phone": "13904720000"}
    assert (doc["caller"], doc["visit_place"], doc["interest"], doc["visit_time"]) == ("王磊", "内蒙古包头", "high", "2026-11-25T09:30:00")
    assert (doc["our_visitors"], doc["customer_attendees"]) == (["王磊"], ["张华"])


def test_an_empty_answer_on_a_new_item_ends_the_list(kam: Kam) -> None:
    """Suggestions are never defaults: Enter on the first attendee ends the list, the contact is not added."""
    opp = setup_deal(kam)
    answers = ["2026-11-20", "", "刘振华", "", "", "2026-11-25T09:30", "", "王磊", "", "", "调研", "1", "", ""]
    result = kam("doc", "fill", opp, "phone-invite-feedback", input="\n".join([*answers, "y"]) + "\n")
    assert result.exit_code == 0, result.output
    doc = kam.json("doc", "show", opp, "phone-invite-feedback")["data"]
    assert doc["customer_attendees"] == []
    # another person than the suggestion: none of 张华's details are offered for 刘振华
    assert doc["contact"] == {"name": "刘振华"}
    assert "Title [" not in result.stderr


def _draft_lines(stderr: str) -> tuple[Path, str]:
    lines = stderr.splitlines()
    path = Path(lines[-2].removeprefix("  - what you typed is kept in "))
    return path, lines[-1].removeprefix("  - to go on: ")


def test_cancelling_keeps_a_draft_and_prints_the_command_to_go_on(kam: Kam, tmp_path: Path) -> None:
    opp = setup_deal(kam)
    result = kam("doc", "fill", opp, "phone-invite-feedback", input="\n".join([*INVITE_ANSWERS, "n"]) + "\n")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-3] == "Error: cancelled; nothing was stored in the database"
    path, command = _draft_lines(result.stderr)
    assert path.parent == tmp_path / "xdg" / "kam" / "drafts"
    assert path.name.startswith(f"{opp}-phone-invite-feedback-")
    assert command == f"kam --db {kam.db_url} doc fill {opp} phone-invite-feedback --file {path}"
    assert kam.json("doc", "list", opp) == []
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# kam draft: Phone invitation feedback (phone-invite-feedback), opportunity {opp}"
    assert yaml.safe_load(text)["purpose"] == "产品推介与需求调研"
    # going on: the draft is complete, so kam shows the review at once; 8 edits the purpose, then save
    again = kam("doc", "fill", opp, "phone-invite-feedback", "--file", str(path), input="8\n推介会\ny\n")
    assert again.exit_code == 0, again.output
    assert kam.json("doc", "show", opp, "phone-invite-feedback")["data"]["purpose"] == "推介会"
    assert not path.exists()  # used up


def test_end_of_input_half_way_keeps_what_was_typed(kam: Kam) -> None:
    opp = setup_deal(kam)
    result = kam("doc", "fill", opp, "phone-invite-feedback", input="\n".join(INVITE_ANSWERS[:8]) + "\n", lang="zh")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-3] == "错误：已取消，未保存到数据库"
    assert lines[-2].startswith("  - 已填内容存为草稿：")
    path = Path(lines[-2].removeprefix("  - 已填内容存为草稿："))
    assert lines[-1] == f"  - 继续填写：kam --db {kam.db_url} doc fill {opp} phone-invite-feedback --file {path}"
    draft = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert draft == {
        "call_date": "2026-11-20",
        "caller": "王磊",
        "contact": {"name": "张华", "title": "科长", "phone": "13904720000"},
        "visit_time": "2026-11-19T10:00:00",
        "visit_place": "内蒙古包头",
        "our_visitors": ["王磊"],
    }
    # going on asks again from the field it stopped in (our visitors), then the rest
    rest = ["", "", "张华", "", "调研", "1", "", "", "2026-11-25T09:30", "y"]
    again = kam("doc", "fill", opp, "phone-invite-feedback", "--file", str(path), input="\n".join(rest) + "\n")
    assert again.exit_code == 0, again.output
    assert "resuming the draft: 6 fields answered, going on at 'Our visitors'." in again.stderr
    doc = kam.json("doc", "show", opp, "phone-invite-feedback")["data"]
    assert (doc["our_visitors"], doc["customer_attendees"], doc["purpose"]) == (["王磊"], ["张华"], "调研")


def test_nothing_typed_keeps_no_draft(kam: Kam, tmp_path: Path) -> None:
    opp = setup_deal(kam)
    result = kam("doc", "fill", opp, "phone-invite-feedback", input="")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Error: cancelled; nothing was stored"
    assert not (tmp_path / "xdg" / "kam" / "drafts").exists()


def test_interactive_fill_offers_the_previous_version(kam: Kam, tmp_path: Path) -> None:
    opp = setup_deal(kam)
    path = tmp_path / "n.yaml"
    path.write_text(yaml.safe_dump(load("negotiation-minutes"), allow_unicode=True), encoding="utf-8")
    kam("doc", "fill", opp, "negotiation-minutes", "--file", str(path))
    answers = "\n" * 200  # accept every default; lists end at their defaults
    result = kam("doc", "fill", opp, "negotiation-minutes", input=answers + "y\n")
    assert result.exit_code == 0, result.output[-2000:]
    # every answer as it was: the same document, so no new version
    assert result.stdout == f"identical to negotiation-minutes v1; no new version stored for opportunity {opp}\n"
    assert [d["version"] for d in kam.json("doc", "list", opp)] == [1]


def test_contract_review_defaults_come_from_the_negotiation(db: Any, deal: int) -> None:
    from helpers import fill

    from workflow.views.documents import defaults_for

    fill(db, deal, "negotiation-minutes")
    with db.read() as s:
        defaults = defaults_for(s, deal, "contract-review")
    minutes = load("negotiation-minutes")
    assert {k: defaults[k] for k in ("quantity", "unit_price", "payment_method", "delivery_cycle_days")} == {
        k: minutes[k] for k in ("quantity", "unit_price", "payment_method", "delivery_cycle_days")
    }


def test_diff_between_versions(kam: Kam, tmp_path: Path) -> None:
    opp = setup_deal(kam)
    for n, data in enumerate([load("negotiation-minutes"), edit(edit(load("negotiation-minutes"), "quantity", 22), "unit_price", 358000)]):
        path = tmp_path / f"v{n}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        kam("doc", "fill", opp, "negotiation-minutes", "--file", str(path))
    changes = kam.json("doc", "diff", opp, "negotiation-minutes")
    assert (changes["from"], changes["to"]) == (1, 2)
    assert {c["path"]: (c["old"], c["new"]) for c in changes["changes"]} == {"quantity": (30, 22), "unit_price": (362000, 358000)}
    text = kam("doc", "diff", opp, "negotiation-minutes", "1", "2").stdout
    assert "quantity (Quantity): 30 → 22" in text
    assert kam("doc", "diff", opp, "negotiation-minutes", "1").exit_code == 2


# -- property: any YAML/JSON value through the command ends stored or cleanly refused -------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=25,
)


def mutated(kind: str) -> st.SearchStrategy[Any]:
    base = load(kind)
    return st.builds(lambda key, value: {**base, key: value}, st.sampled_from(sorted(base)), json_values)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=st.sampled_from(forms.KINDS), data=st.data())
def test_any_document_file_ends_stored_or_cleanly_refused(kam: Kam, tmp_path: Path, kind: str, data: st.DataObject) -> None:
    if not kam.json("opp", "list"):
        setup_deal(kam)
    value = data.draw(st.one_of(json_values, mutated(kind)))
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(value, ensure_ascii=False, default=str), encoding="utf-8")
    before = len(kam.json("doc", "list", 1))
    result = kam.runner.invoke(cli, ["--db", kam.db_url, "doc", "fill", "1", kind, "--file", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1), result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    after = len(kam.json("doc", "list", 1))
    unchanged = "未保存新版本" in result.output  # the same document as the latest: a no-op that says so
    assert after == before + (1 if result.exit_code == 0 and not unchanged else 0)

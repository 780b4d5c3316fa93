"""Messages a manager can act on (issue 16): no Python value in any message, booleans as 是/否, help that speaks to
the user, files in the encodings Chinese Windows saves, and contacts brought in with the account import."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import click
import openpyxl
import pytest
import refusals
from forms_fixtures import edit, load
from helpers import fill, walk_to

from cli import cli
from commands import _usage
from forms import errors as form_errors
from workflow.errors import InvalidInput, Refused
from workflow.operations import moves
from workflow.operations.account_import import import_accounts
from workflow.records import queries
from workflow.records.db import Database
from workflow.rules.process import Process
from workflow.values.writing import value_text

ROOT = Path(__file__).parent.parent
SOURCES = sorted(
    p for folder in ("workflow", "forms", "commands", "reports") for p in (ROOT / folder).rglob("*.py")
) + [ROOT / "cli.py"]

# -- no Python reprs ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("当前 v1 为 False", "False"),
        ("handler_found = True", "True"),
        ("未知的顶层键 ['complance']", "['"),
        ("got {'label': '质量部'}", "{'"),
        ("values [1, 2]", "[1, "),
        ("nothing: []", "[]"),
        ("at <forms.base.Part object at 0x7f>", "<forms.base.Part object at 0x"),
        ("「None」不是可选值", None),  # what the person typed, quoted
        ('"True" is not one of the choices', None),
        ("a '[' is not closed", None),
        ("configurations[1].quantity (数量): 必须大于 0", None),
        ("[compliance.signoffs] 部门会签", None),
        ("[157]: Keys should be strings", None),  # a key path, not a list
        ("[0].name: 必填项缺失", None),
    ],
)
def test_the_repr_check_finds_python_values_and_nothing_else(text: str, found: str | None) -> None:
    assert refusals.leak(text) == found


def test_the_suite_watches_every_refusal() -> None:
    with pytest.raises(InvalidInput):
        raise InvalidInput(value_text(["a", "b"]))
    assert refusals.recorded() > 0


CATALOGUES = {
    "commands._usage.ZH (click's messages)": list(_usage.ZH.values()),
    "forms.errors._ZH (pydantic's messages)": list(form_errors._ZH.values()),
}


@pytest.mark.parametrize("name", CATALOGUES)
def test_no_message_catalogue_holds_a_python_repr(name: str) -> None:
    for text in CATALOGUES[name]:
        assert refusals.leak(text) is None, text
        assert "!r}" not in text, f"{text}: a Chinese message quotes with 「」, never a repr"


_CJK = re.compile("[\u4e00-\u9fff]")
_CONTAINERS = (ast.List, ast.Dict, ast.Set, ast.Tuple, ast.ListComp, ast.DictComp, ast.SetComp)
_BUILDERS = {"sorted", "list", "set", "dict", "tuple", "frozenset"}


def _interpolated_containers(tree: ast.AST) -> list[tuple[int, str]]:
    """Every `{…}` of a Chinese message (an f-string with CJK text) that puts a container there as Python prints it."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        if not _CJK.search(text):
            continue
        for value in node.values:
            if not isinstance(value, ast.FormattedValue):
                continue
            expr = value.value
            builder = isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in _BUILDERS
            if isinstance(expr, _CONTAINERS) or builder:
                found.append((node.lineno, ast.unparse(expr)))
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_message_prints_a_list_or_a_mapping_as_python_does(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _interpolated_containers(tree) == []


def test_the_message_scan_finds_a_list_printed_as_python_does() -> None:
    tree = ast.parse('t(f"未知键 {sorted(unknown)}", f"unknown keys {sorted(unknown)}")')
    assert _interpolated_containers(tree) == [(1, "sorted(unknown)")]


def test_a_value_in_a_message_is_shown_as_people_read_it() -> None:
    assert value_text(True).render("zh") == "是" and value_text(False).render("en") == "no"
    assert value_text(None).render("zh") == "（空）"
    assert value_text(["王磊", "刘洋"]).render("zh") == "王磊、刘洋"
    assert value_text(380000.0).render("en") == "380000"


def test_a_field_condition_says_yes_or_no_not_true_or_false(db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "visit_pitch")
    data = edit(load("visit-feedback"), "handler_found", False)
    data.pop("handler", None)
    fill(db, deal, "visit-feedback", data)
    with pytest.raises(Refused) as info, db.write() as s:
        moves.advance(s, process, deal, actor="王磊")
    [missing] = info.value.missing
    assert missing.message.zh == "拜访反馈报告须写明已找到经手人（“是否找到经手人”填“是”）（当前 v1 为“否”）"
    assert (
        missing.message.en
        == "the visit feedback must record that the handler was found (Handler found: yes) (v1 has no)"
    )


def test_the_process_shown_says_yes_not_true(kam: Any) -> None:
    out = kam("workflow", "show", lang="zh").stdout
    assert "True" not in out and "handler_found 为“是”" in out
    assert "solution_confirmed = yes" in kam("workflow", "show").stdout  # (a table: a long cell wraps)


# -- help --------------------------------------------------------------------------------------------------------

_SOURCES_TALK = re.compile(r"\bseed\b|\bSPEC\b|§|\bissue \d|\.py\b|\bforms\.|\bworkflow\.", re.IGNORECASE)


def _every_command() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []

    def walk(name: str, command: click.Command, ctx: click.Context) -> None:
        found.append((name, command))
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                child = command.get_command(ctx, sub)
                assert child is not None
                walk(f"{name} {sub}", child, click.Context(child, parent=ctx, info_name=sub))

    walk("kam", cli, click.Context(cli, info_name="kam"))
    return found


def test_help_speaks_to_the_user_never_of_the_sources() -> None:
    leaks = []
    for name, command in _every_command():
        text = command.get_help(click.Context(command, info_name=name))
        leaks += [f"{name}: {line.strip()}" for line in text.splitlines() if _SOURCES_TALK.search(line)]
    assert leaks == []


# -- account show ------------------------------------------------------------------------------------------------


def test_account_show_prints_each_contacts_phone_and_the_influence_label(kam: Any) -> None:
    kam(
        "account",
        "add",
        "包头鑫达",
        "--type",
        "enterprise",
        "--class",
        "A",
        "--industry",
        "物流",
        "--fleet-size",
        "12",
        "--size",
        "medium",
    )
    kam("contact", "add", "1", "张华", "--phone", "13904001234", "--influence", "medium", "--stance", "supporter")
    out = kam("account", "show", "1", lang="zh").stdout
    assert "性质: 企业客户 中型" in out
    row = next(line for line in out.splitlines() if "张华" in line)
    assert row.split() == ["1", "张华", "13904001234", "中", "支持者"]
    assert "电话" in out.splitlines()[out.splitlines().index(row) - 2]


# -- files as Chinese Windows saves them ---------------------------------------------------------------------------

INVITE = (
    "call_date: 2027/3/1\ncaller: 王磊\ncontact:\n  name: 张华\n  phone: 13904001234\nvisit_time: 2027-03-05 14:00\n"
    "visit_place: 包头\nour_visitors:\n  - 王磊\npurpose: 介绍产品\ninterest: 高\n"
)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_document_saved_as_gbk_is_read_as_the_csv_import_reads_it(
    kam: Any, deal: int, tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "invite.yaml"
    path.write_bytes(INVITE.encode(encoding))
    result = kam("doc", "fill", deal, "phone-invite-feedback", "--file", str(path), lang="zh")
    assert result.exit_code == 0, result.output
    assert kam.json("doc", "show", deal, "phone-invite-feedback")["data"]["purpose"] == "介绍产品"


def test_a_file_in_no_encoding_kam_reads_says_how_to_save_it_as_utf8(kam: Any, deal: int, tmp_path: Path) -> None:
    path = tmp_path / "invite.yaml"
    path.write_bytes(b"caller: \xff\xfe\xfd\n")
    result = kam("doc", "fill", deal, "phone-invite-feedback", "--file", str(path), lang="zh")
    assert result.exit_code == 1
    assert result.stderr == (
        f"错误：文件 {path} 不是 UTF-8 编码（第 1 行，第 9 个字节）：请另存为 UTF-8 编码：WPS/记事本：另存为 → 编码选 UTF-8；"
        "Excel：另存为 → CSV UTF-8（逗号分隔）\n"
    )
    english = kam("doc", "fill", deal, "phone-invite-feedback", "--file", str(path))
    assert english.stderr == (
        f"Error: file {path} is not UTF-8 text (line 1, byte 9): save it as UTF-8: in WPS or Notepad (记事本): "
        "Save As → Encoding: UTF-8; in Excel: Save As → CSV UTF-8 (Comma delimited)\n"
    )


def test_a_tab_in_a_document_names_the_line_and_says_yaml_indents_with_spaces(
    kam: Any, deal: int, tmp_path: Path
) -> None:
    path = tmp_path / "invite.yaml"
    path.write_text(INVITE.replace("  phone:", "\tphone:"), encoding="utf-8")
    zh = kam("doc", "fill", deal, "phone-invite-feedback", "--file", str(path), lang="zh")
    assert zh.stderr == f"错误：文件 {path} 第 5 行用了 Tab 缩进：YAML 只能用空格缩进，请把行首的 Tab 换成空格\n"
    en = kam("doc", "fill", deal, "phone-invite-feedback", "--file", str(path))
    assert en.stderr == (
        f"Error: file {path} line 5 is indented with a tab: YAML indents with spaces only; replace the tab with spaces\n"
    )
    assert kam.json("doc", "list", deal) == []


# -- contacts in the account import --------------------------------------------------------------------------------

PEOPLE = (
    "名称,性质,分类,行业,保有量,联系人,部门,职务,电话,角色,影响力,态度\n"
    "包头鑫达物流有限公司,企业,A类,物流,120,张华,车管科,科长,13904001234,技术选型决策人,高,支持者\n"
    "包头鑫达物流有限公司,,,,,李娜,财务部,经理,0472-6912345,预算审核,中,中立\n"
    "包头市环境卫生服务中心,政府,A,环卫,86,,,,,,,\n"
)


def _csv(tmp_path: Path, text: str = PEOPLE, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _contacts(db: Database) -> list[tuple[Any, ...]]:
    with db.read() as s:
        return [
            (a.name, c.name, c.department, c.title, c.phone, c.role, c.influence, c.stance, c.created_by)
            for a in queries.list_accounts(s)
            for c in a.contacts
        ]


def test_contacts_are_imported_with_their_accounts_several_rows_for_one_account(db: Database, tmp_path: Path) -> None:
    with db.write() as s:
        result = import_accounts(s, str(_csv(tmp_path)), actor="王磊")
    assert (result.rows, result.imported, len(result.contacts), result.errors) == (3, 2, 2, [])
    assert _contacts(db) == [
        (
            "包头鑫达物流有限公司",
            "张华",
            "车管科",
            "科长",
            "13904001234",
            "技术选型决策人",
            "high",
            "supporter",
            "王磊",
        ),
        ("包头鑫达物流有限公司", "李娜", "财务部", "经理", "0472-6912345", "预算审核", "medium", "neutral", "王磊"),
    ]


def test_contacts_come_from_an_xlsx_with_phones_typed_as_numbers(db: Database, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in PEOPLE.splitlines():
        sheet.append([int(c) if c.isdigit() else (c or None) for c in row.split(",")])
    path = tmp_path / "people.xlsx"
    book.save(path)
    with db.write() as s:
        import_accounts(s, str(path), actor="王磊")
    assert [c[4] for c in _contacts(db)] == ["13904001234", "0472-6912345"]


def test_imported_contacts_are_in_the_ledger(kam: Any, db: Database, tmp_path: Path) -> None:
    assert kam("account", "import", str(_csv(tmp_path))).exit_code == 0
    assert kam("audit", "verify").exit_code == 0
    with db.write() as s:
        s.execute(queries.tables.contacts.update().where(queries.tables.contacts.c.name == "李娜").values(phone="110"))
    assert kam("audit", "verify").exit_code == 1


def test_the_dry_run_shows_the_contacts_and_writes_nothing(kam: Any, db: Database, tmp_path: Path) -> None:
    path = _csv(tmp_path)
    result = kam("account", "import", str(path), "--dry-run")
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[1].split() == [
        "Row",
        "Account",
        "Contact",
        "Department",
        "Title",
        "Phone",
        "Role",
        "Influence",
        "Stance",
    ]
    assert lines[3].split() == [
        "2",
        "包头鑫达物流有限公司",
        "张华",
        "车管科",
        "科长",
        "13904001234",
        "技术选型决策人",
        "high",
        "supporter",
    ]
    assert lines[4].split() == [
        "3",
        "包头鑫达物流有限公司",
        "李娜",
        "财务部",
        "经理",
        "0472-6912345",
        "预算审核",
        "medium",
        "neutral",
    ]
    assert lines[-1] == "checked 3 row(s): 2 account(s) and 2 contact(s) would be imported (nothing written)"
    zh = kam("account", "import", str(path), "--dry-run", lang="zh").stdout.splitlines()[-1]
    assert zh == "检查完毕：3 行，可导入 2 个客户、2 位联系人（未写入）"
    data = kam.json("account", "import", str(path), "--dry-run")
    assert data["contacts"][0] == {
        "row": 2,
        "account": "包头鑫达物流有限公司",
        "contact": "张华",
        "department": "车管科",
        "title": "科长",
        "phone": "13904001234",
        "role": "技术选型决策人",
        "influence": "high",
        "stance": "supporter",
    }
    assert _contacts(db) == [] and kam.json("account", "list") == []
    assert kam("account", "import", str(path)).stdout == "imported 2 account(s) and 2 contact(s), skipped 0 row(s)\n"


BAD_PEOPLE = [
    (
        "包头鑫达物流有限公司,企业,A,物流,120,张华,车管科,科长,139,,超高,支持者",
        "第 2 行：influence：「超高」不是可选值；可选：高 (high)、中 (medium)、低 (low)",
        'row 2: influence: "超高" is not one of the choices: high (高), medium (中), low (低)',
    ),
    (
        "包头鑫达物流有限公司,企业,A,物流,120,,车管科,科长,139,,,",
        "第 2 行：填了联系人信息（department, title, phone）却没有联系人姓名：请填写 contact（联系人）列",
        "row 2: contact details (department, title, phone) without a contact name: fill in the contact (联系人) column",
    ),
]


@pytest.mark.parametrize(("row", "zh", "en"), BAD_PEOPLE)
def test_a_bad_contact_row_imports_nothing_at_all(
    kam: Any, db: Database, tmp_path: Path, row: str, zh: str, en: str
) -> None:
    path = _csv(tmp_path, PEOPLE.splitlines()[0] + "\n" + row + "\n" + "\n".join(PEOPLE.splitlines()[2:]) + "\n")
    result = kam("account", "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        f"  - {en}",
        "  - row 3: contact “李娜” not imported: its account (row 2) has a problem",
    ]
    assert kam("account", "import", str(path), lang="zh").stderr.splitlines()[1] == f"  - {zh}"
    assert _contacts(db) == [] and kam.json("account", "list") == []


def test_a_further_row_of_an_account_only_adds_a_contact(db: Database, tmp_path: Path) -> None:
    text = PEOPLE.replace("包头鑫达物流有限公司,,,,,李娜", "包头鑫达物流有限公司,政府,,,,李娜").replace(
        "包头市环境卫生服务中心,政府,A,环卫,86,,,,,,,", "包头鑫达物流有限公司,企业,A类,物流,120,,,,,,,"
    )
    with pytest.raises(InvalidInput) as info, db.write() as s:
        import_accounts(s, str(_csv(tmp_path, text)), actor="王磊")
    assert [d.zh for d in info.value.details] == [
        "第 3 行：客户「包头鑫达物流有限公司」的 type「政府」与第 2 行的「企业」不同：后续行只加联系人，客户信息请留空或与第一行相同",
        "第 4 行：客户「包头鑫达物流有限公司」与第 2 行重复（要为它再加联系人，请填写联系人列）",
    ]
    assert [d.en for d in info.value.details] == [
        'row 3: the type of account “包头鑫达物流有限公司” ("政府") differs from row 2 ("企业"): a further row only adds a '
        "contact; leave the account cells blank or write them as on the first row",
        "row 4: account “包头鑫达物流有限公司” repeats row 2 (to give it another contact, fill in the contact columns)",
    ]
    assert _contacts(db) == []


def test_skip_invalid_leaves_out_the_contacts_of_an_account_it_skips(db: Database, tmp_path: Path) -> None:
    text = PEOPLE.replace("包头鑫达物流有限公司,企业,A类,物流,120", "包头鑫达物流有限公司,企业,Z,物流,120")
    with db.write() as s:
        result = import_accounts(s, str(_csv(tmp_path, text)), actor="王磊", skip_invalid=True)
    assert (result.imported, result.contacts) == (1, [])
    assert [e.row for e in result.errors] == [2, 3]
    assert _contacts(db) == []

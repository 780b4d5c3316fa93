"""One rule for every text a person types (issue 12): controls C0 and C1 and the bidirectional overrides are refused.

A right-to-left override (U+202E) in a title or a document field reorders what follows it, in a terminal and
in the PDF's text layer; U+009B is a terminal's escape. The rule is `workflow.values.writing.safe_text`, used by
document fields (forms), titles, names of accounts and contacts, notes, reasons, comments, payment notes, the
letterhead and a process file's labels; each refusal names the field, the code point and the position.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from commands._common import clean
from workflow.errors import InvalidInput
from workflow.records.db import Database
from workflow.values.writing import safe_text, unsafe

OVERRIDES = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
C1 = [chr(c) for c in range(0x80, 0xA0)]


@pytest.mark.parametrize("char", OVERRIDES + C1 + ["\x00", "\x1b", "\x7f", "\udcff"], ids=lambda c: f"U+{ord(c):04X}")
def test_the_rule_refuses_controls_and_overrides(char: str) -> None:
    found = unsafe(f"合同{char}金额")
    assert found is not None and found.position == 3 and found.char == char


@pytest.mark.parametrize(
    "text",
    ["第一行\n第二行\t制表", "\u00a0不换行空格", "\u202f窄空格", "\u2065", "\u200b零宽空格可断行", "阿拉伯 \u200f", "😀"],
)
def test_the_rule_lets_layout_and_ordinary_text_through(text: str) -> None:
    assert unsafe(text) is None and safe_text("note", text) == text


def test_a_refusal_names_the_field_the_code_point_and_the_position() -> None:
    with pytest.raises(InvalidInput) as caught:
        safe_text("title (标题)", "合同\u202e001")
    assert caught.value.message.en == (
        "title (标题): “合同<U+202E>001” holds the bidirectional control character U+202E RIGHT-TO-LEFT OVERRIDE at "
        "position 3, which kam cannot store or print: remove it"
    )
    assert caught.value.message.zh == (
        "title (标题)：「合同<U+202E>001」的第 3 个字符是改变文字方向的控制字符 U+202E RIGHT-TO-LEFT OVERRIDE，"
        "不能保存或打印：请删除它"
    )
    with pytest.raises(InvalidInput) as caught:
        safe_text("note", "ab\x9b31m")
    assert "holds the control character U+009B at position 3" in caught.value.message.en


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("account", "add", "包头\u202e物流", "--type", "enterprise", "--class", "A", "--industry", "物流", "--fleet-size", "5"), "name (名称)"),
        (("contact", "add", "1", "李阳", "--title", "总\u0085经理"), "title"),
        (("opp", "new", "1", "20 台\u2066牵引车"), "title (标题)"),
        (("opp", "lose", "1", "--reason", "price", "--note", "对手\u202d报价"), "note"),
        (("opp", "hold", "1", "--reason", "等\u2069预算"), "reason (原因)"),
        (("company", "set", "--address", "北京市\u202e昌平区"), "the address"),
    ],
    ids=["account-name", "contact-title", "opp-title", "lose-note", "hold-reason", "letterhead"],
)
def test_every_typed_text_refuses_them(kam: Any, deal: int, args: tuple[str, ...], field: str) -> None:
    result = kam(*args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: {field}: “"), result.stderr
    assert "at position" in result.stderr and "which kam cannot store or print: remove it" in result.stderr
    assert "\u202e" not in result.stderr and "\u0085" not in result.stderr  # quoted as <U+…>, never printed


def test_a_review_comment_refuses_them(kam: Any, deal: int) -> None:
    result = kam("--actor", "钱进", "review", "approve", str(deal), "--department", "finance", "--comment", "同意\u202e")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: --comment: “同意<U+202E>” holds the bidirectional control character U+202E")


def test_a_payment_note_refuses_them(db: Database, deal: int) -> None:
    import datetime as dt
    from decimal import Decimal

    from workflow.operations import payments

    with pytest.raises(InvalidInput) as caught, db.write() as session:
        payments.record(session, deal, amount=Decimal(1), on=dt.date(2027, 1, 5), actor="王磊", note="首付\u0090款")
    assert caught.value.message.en.startswith("--note: “首付<U+0090>款” holds the control character U+0090 at position 3")


@pytest.mark.parametrize("char", ["\u202e", "\u2067", "\u0085", "\u009b"], ids=lambda c: f"U+{ord(c):04X}")
def test_a_document_field_refuses_them(kam: Any, deal: int, tmp_path: Path, char: str) -> None:
    from helpers import sample

    data = sample("phone-invite-feedback", deal)
    data["visit_place"] = f"王{char}磊"
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(data, default=str), encoding="utf-8")  # "\u202e": escaped, past the file check
    result = kam("doc", "fill", str(deal), "phone-invite-feedback", "--file", str(path))
    assert result.exit_code == 1, result.output
    assert "  - visit_place (" in result.stderr and "): contains the" in result.stderr and f"U+{ord(char):04X}" in result.stderr
    assert "(character 2): remove it" in result.stderr


def test_a_process_file_label_refuses_them(kam: Any, tmp_path: Path) -> None:
    from workflow.rules.process import BUILTIN

    text = Path(BUILTIN).read_text(encoding="utf-8")
    assert "{zh: 电话邀约," in text
    path = tmp_path / "process.yaml"
    path.write_text(text.replace("{zh: 电话邀约,", "{zh: 电话\u202e邀约,", 1), encoding="utf-8")
    result = kam("--process", str(path), "workflow", "show")
    assert result.exit_code == 1, result.output
    assert "holds the bidirectional control character U+202E RIGHT-TO-LEFT OVERRIDE at position 3: remove it" in result.stderr


def test_a_terminal_never_receives_them_from_older_rows() -> None:
    assert clean("合同\u202e100\u2066元\x9b31m") == "合同100元31m"


def test_a_path_that_would_not_read_as_one_is_quoted() -> None:
    """Found by `make soak`: `kam attach add 1 False` said "no file at False", which reads as Python talking."""
    from workflow.values.writing import path_text

    assert path_text("/tmp/a.pdf") == "/tmp/a.pdf" and path_text("visit.yaml") == "visit.yaml"
    assert path_text("False") == "“False”" and path_text("my key.pem") == "“my key.pem”" and path_text("") == "“”"
    assert path_text("/tmp/" + "x" * 300) == "/tmp/" + "x" * 300  # never cut short
    assert path_text("a\u202eb.pdf") == "a<U+202E>b.pdf"


def test_a_missing_file_named_like_a_constant_is_quoted(kam, deal: int) -> None:  # type: ignore[no-untyped-def]
    result = kam("attach", "add", str(deal), "False")
    assert result.exit_code == 1 and "no file at “False”: check the path" in result.stderr
    assert "找不到文件 “None”：请检查路径" in kam("attach", "add", str(deal), "None", lang="zh").stderr

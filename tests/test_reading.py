"""Reading a file a person wrote (forms.reading): limits, encodings, YAML and JSON mistakes, bombs, scalars as written.

Every refusal is checked word for word in both languages. The bombs run in a child
process under a CPU, wall-clock and address-space bound (tests/bounded.py), so a
broken bound fails the test instead of taking the machine.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
import yaml
from bounded import MB, run_bounded
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field, ValidationError

import forms
from forms import reading, samples
from forms.base import Part
from workflow.errors import InvalidInput

FIXTURES = Path(__file__).parent / "fixtures"
BOMBS = FIXTURES / "bombs"


def refusal(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, str]:
    """The (中文, English) message of the InvalidInput that `call` raises."""
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    return caught.value.message.zh, caught.value.message.en


def outcome_of(call: Callable[..., Any], *args: Any) -> Any:
    """What a reader gives for a bounded run: ("refused", zh, en), or ("read", a summary of the tree)."""
    try:
        tree = call(*args)
    except InvalidInput as exc:
        return ("refused", exc.message.zh, exc.message.en)
    return ("read", type(tree).__name__)


def yaml_doc(text: str) -> Any:
    return reading.parse_document(text, "doc.yaml")


def json_doc(text: str) -> Any:
    return reading.parse_document(text, "doc.json", json=True)


# -- bytes: a limit, streamed -------------------------------------------------------------------------------------


def test_a_file_within_the_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_bytes(b"x" * 1_000)
    assert reading.read_bytes(str(path), 1_000) == b"x" * 1_000


def test_a_file_one_byte_over_the_limit_is_refused_naming_the_file_and_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_bytes(b"x" * 5_000_001)
    assert refusal(reading.read_bytes, str(path), 5_000_000) == (
        f"文件 {path} 超过 5 MB 上限：请删减内容后重试",
        f"file {path} is larger than the 5 MB limit: shorten it and retry",
    )


def test_a_huge_file_is_refused_from_its_size_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as fh:
        fh.truncate(50 * 1024**3)  # 50 GiB, sparse: reading it would take minutes
    outcome = run_bounded(outcome_of, reading.read_document, str(path), cpu_seconds=2, memory_bytes=64 * MB)
    assert outcome.bound is None
    assert outcome.value == (
        "refused",
        f"文件 {path} 超过 5 MB 上限：请删减内容后重试",
        f"file {path} is larger than the 5 MB limit: shorten it and retry",
    )
    assert outcome.cpu_seconds < 0.5


class CountingStream(io.RawIOBase):
    """An endless stream that counts what was taken from it."""

    def __init__(self) -> None:
        self.taken = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        buffer[:] = b"a" * len(buffer)
        self.taken += len(buffer)
        return len(buffer)


def test_an_endless_stdin_is_read_in_chunks_and_never_past_the_limit_plus_one_byte() -> None:
    stream = CountingStream()
    assert refusal(reading.read_bytes, "-", 1_000_000, stdin=stream) == (  # type: ignore[arg-type]
        "标准输入 超过 1 MB 上限：请删减内容后重试",
        "standard input is larger than the 1 MB limit: shorten it and retry",
    )
    assert stream.taken == 1_000_001


def test_stdin_within_the_limit_is_read_whole() -> None:
    assert reading.read_bytes("-", 10, stdin=io.BytesIO(b"a: 1\n")) == b"a: 1\n"


def test_no_standard_input_at_all_reads_as_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    assert reading.read_bytes("-", 10) == b""


@pytest.mark.parametrize(
    ("limit", "zh", "en"),
    [
        (5_000_000, "5 MB", "5 MB"),
        (1_000_000, "1 MB", "1 MB"),
        (64_000, "64 KB", "64 KB"),
        (1_234, "1,234 字节", "1,234 bytes"),
    ],
)
def test_the_limit_is_named_as_people_count_bytes(tmp_path: Path, limit: int, zh: str, en: str) -> None:
    path = tmp_path / "doc.yaml"
    path.write_bytes(b"x" * (limit + 1))
    assert refusal(reading.read_bytes, str(path), limit) == (
        f"文件 {path} 超过 {zh} 上限：请删减内容后重试",
        f"file {path} is larger than the {en} limit: shorten it and retry",
    )


def test_a_missing_file_and_a_folder_are_refused_with_what_to_do(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert refusal(reading.read_bytes, str(missing), 10) == (
        f"文件 {missing} 不存在：请检查路径和文件名",
        f"file {missing} does not exist: check the path and the name",
    )
    assert refusal(reading.read_bytes, str(tmp_path), 10) == (
        f"文件 {tmp_path} 是文件夹：请给出一个文件",
        f"file {tmp_path} is a folder: give a file",
    )


def test_a_process_file_is_named_as_one(tmp_path: Path) -> None:
    missing = tmp_path / "p.yaml"
    assert refusal(reading.read_text, str(missing), 10, kind=reading.PROCESS_FILE) == (
        f"流程文件 {missing} 不存在：请检查路径和文件名",
        f"process file {missing} does not exist: check the path and the name",
    )


# -- decoding ----------------------------------------------------------------------------------------------------

CHINESE = "名称: 包头鑫达物流\n电话: 0472-5123456\n备注: “重点客户”，需求约 120 台①\n"
SAVE_ZH = "请另存为 UTF-8 编码：WPS/记事本：另存为 → 编码选 UTF-8；Excel：另存为 → CSV UTF-8（逗号分隔）"
SAVE_EN = (
    "save it as UTF-8: in WPS or Notepad (记事本): Save As → Encoding: UTF-8; "
    "in Excel: Save As → CSV UTF-8 (Comma delimited)"
)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (CHINESE.encode("utf-8"), CHINESE),
        (b"\xef\xbb\xbf" + CHINESE.encode("utf-8"), CHINESE),  # Notepad's "UTF-8 with BOM"
        (CHINESE.encode("gbk"), CHINESE),  # Notepad / WPS on a Chinese Windows
        (CHINESE.encode("gb18030"), CHINESE),
        ("客户: 朱镕基 商贸公司\n".encode("gbk"), "客户: 朱镕基 商贸公司\n"),  # 镕 is GBK, not GB2312: most are common
        (b"plain: ascii\n", "plain: ascii\n"),
        (b"", ""),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gb18030", "gbk-rare-character", "ascii", "empty"],
)
def test_utf8_and_chinese_legacy_encodings_are_read(raw: bytes, text: str) -> None:
    assert reading.decode_text(raw, "doc.yaml") == text


@pytest.mark.parametrize(
    ("raw", "where_zh", "where_en"),
    [
        (b"name: caf\xe9s\n", "第 1 行，第 10 个字节", "line 1, byte 10"),  # Latin-1: GB18030 would read 閟
        (b"name: M\xfcller\n", "第 1 行，第 8 个字节", "line 1, byte 8"),
        ("a: 1\nname: 客戶名稱\n".encode("big5"), "第 2 行，第 12 个字节", "line 2, byte 12"),  # lands in private use
        ("name: お客様\n".encode("shift_jis"), "第 1 行，第 7 个字节", "line 1, byte 7"),
        (b"visit_date: 2026-09-08\nhandler: \xff\xfe\n", "第 2 行，第 33 个字节", "line 2, byte 33"),
    ],
    ids=["latin-1", "latin-1-umlaut", "big5", "shift-jis", "stray-bytes"],
)
def test_other_encodings_are_refused_with_how_to_save_as_utf8(raw: bytes, where_zh: str, where_en: str) -> None:
    assert refusal(reading.decode_text, raw, "doc.yaml") == (
        f"文件 doc.yaml 不是 UTF-8 编码（{where_zh}）：{SAVE_ZH}",
        f"file doc.yaml is not UTF-8 text ({where_en}): {SAVE_EN}",
    )


@pytest.mark.parametrize("raw", ["a: 1\n".encode("utf-16"), "a: 1\n".encode("utf-16-be").join([b"\xfe\xff", b""])])
def test_utf16_is_refused_naming_it(raw: bytes) -> None:
    assert refusal(reading.decode_text, raw, "doc.yaml") == (
        f"文件 doc.yaml 是 UTF-16 编码（记事本里叫“Unicode”）：{SAVE_ZH}",
        f'file doc.yaml is UTF-16 text (Notepad calls it "Unicode"): {SAVE_EN}',
    )


@pytest.mark.parametrize(
    ("raw", "zh", "en"),
    [
        (
            b"a: 1\x00\n",
            "文件 doc.yaml 不是文本文件：第 5 个字节是 NUL；请给出 YAML 或 JSON 文本",
            "file doc.yaml is not a text file: byte 5 is NUL; give a YAML or JSON text file",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00",
            "文件 doc.yaml 不是文本文件（看起来是 Excel 或压缩文件）：第 6 个字节是 NUL；请给出 YAML 或 JSON 文本",
            "file doc.yaml is not a text file (it looks like an Excel or ZIP file): "
            "byte 6 is NUL; give a YAML or JSON text file",
        ),
    ],
    ids=["nul", "xlsx"],
)
def test_nul_bytes_are_refused_as_not_text(raw: bytes, zh: str, en: str) -> None:
    assert refusal(reading.decode_text, raw, "doc.yaml") == (zh, en)


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        (
            "a: 1\nb: x\x1by\n",
            "第 2 行第 5 列有控制字符 U+001B",
            "line 2 column 5: contains the control character U+001B",
        ),
        ("a: \x7f\n", "第 1 行第 4 列有控制字符 U+007F", "line 1 column 4: contains the control character U+007F"),
        ("a: x\x85y\n", "第 1 行第 5 列有控制字符 U+0085", "line 1 column 5: contains the control character U+0085"),
        ("a: \x0c\n", "第 1 行第 4 列有控制字符 U+000C", "line 1 column 4: contains the control character U+000C"),
        ("a: \x00\n", "第 1 行第 4 列有控制字符 U+0000", "line 1 column 4: contains the control character U+0000"),
        (
            "a: x\udcff\n",
            "第 1 行第 5 列有无效字符 U+DCFF（不成对的代理码位）",
            "line 1 column 5: contains the invalid character U+DCFF (an unpaired surrogate)",
        ),
        ("a: \ufffe\n", "第 1 行第 4 列有控制字符 U+FFFE", "line 1 column 4: contains the control character U+FFFE"),
    ],
    ids=["esc", "del", "c1-nel", "form-feed", "nul", "surrogate", "noncharacter"],
)
def test_characters_no_reader_accepts_are_refused_with_line_and_column(text: str, zh: str, en: str) -> None:
    expected = (f"文件 doc.yaml {zh}：请删除", f"file doc.yaml {en}: remove it")
    assert refusal(yaml_doc, text) == expected
    assert refusal(reading.load_yaml, text, "doc.yaml") == expected


def test_tabs_newlines_and_carriage_returns_are_text() -> None:
    assert yaml_doc('a: "x\ty"\r\nb: |\r\n  one\r\n  two\r\n') == {"a": "x\ty", "b": "one\ntwo\n"}


# -- YAML mistakes, as a person can act on them ------------------------------------------------------------------

INDENT_EN = (
    "the indentation does not line up, or the line holds something extra: keys at one level start in the same column"
)
YAML_NUL_EN = "contains a NUL or an invalid Unicode character (from an escape such as \\0 or \\uD800): remove it"
TAB_ZH = "文件 doc.yaml 第 {n} 行用了 Tab 缩进：YAML 只能用空格缩进，请把行首的 Tab 换成空格"
TAB_EN = "file doc.yaml line {n} is indented with a tab: YAML indents with spaces only; replace the tab with spaces"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("contact:\n\tname: 赵建国\n", 2),
        ("contact:\n  name: 赵建国\n\ttitle: 科长\n", 3),
        ("contact:\n  \tname: 赵建国\n", 2),
        ("our_visitors:\n\t- 王磊\n", 2),
        ("\tcaller: 王磊\n", 1),
    ],
    ids=["tab", "tab-after-a-good-line", "spaces-then-tab", "tab-before-a-list-item", "tab-on-the-first-line"],
)
def test_a_tab_used_for_indentation_names_the_line(text: str, line: int) -> None:
    assert refusal(yaml_doc, text) == (TAB_ZH.format(n=line), TAB_EN.format(n=line))


def test_a_tab_inside_a_value_or_after_a_colon_is_fine() -> None:
    assert yaml_doc('a:\tb\nc: "x\ty"\nd: [1,\t2]\n') == {"a": "b", "c": "x\ty", "d": ["1", "2"]}


FULL_WIDTH_ZH = "文件 doc.yaml 第 {n} 行用了中文冒号“：”：键和值之间要用英文冒号加空格“: ”"
FULL_WIDTH_EN = (
    "file doc.yaml line {n} uses a full-width colon '：': "
    "a key and its value are separated by ': ' (an ASCII colon and a space)"
)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("名称：包头鑫达物流\n", 1),
        ("名称：包头鑫达物流\n行业：物流\n", 1),
        ("名称：包头鑫达物流\n行业: 物流\n", 1),
        ("名称: 包头鑫达物流\n行业：物流\n保有量: 120\n", 2),
        ("contact:\n  name：赵建国\n  title: 科长\n", 2),
    ],
    ids=["alone", "two-lines", "then-a-good-line", "in-the-middle", "nested"],
)
def test_a_full_width_colon_names_the_line(text: str, line: int) -> None:
    assert refusal(yaml_doc, text) == (FULL_WIDTH_ZH.format(n=line), FULL_WIDTH_EN.format(n=line))


def test_a_full_width_colon_inside_a_value_is_text() -> None:
    assert yaml_doc("notes: 说明：客户重视售后\n") == {"notes": "说明：客户重视售后"}


@pytest.mark.parametrize(
    ("text", "where", "zh", "en"),
    [
        (
            "time: 10:00 meeting: x\n",
            (1, 20),
            "这里不能出现“: ”（冒号加空格）：值里有冒号时请给整个值加引号，或检查这一行的缩进",
            "': ' is not allowed here: put the whole value in quotes if it contains a colon, or check the indentation",
        ),
        (
            "a: 1\nb\nc: 2\n",
            (3, 1),
            "缺少冒号：键和值之间要写“: ”（英文冒号加空格）",
            "a ':' is missing: a key and its value are separated by ': ' (a colon and a space)",
        ),
        (
            "a:\n  b: 1\n c: 2\n",
            (3, 2),
            "缩进没有对齐，或这一行多了内容：同一层的键要从同一列开始",
            INDENT_EN,
        ),
        (
            'a: "x" y\n',
            (1, 8),
            "缩进没有对齐，或这一行多了内容：同一层的键要从同一列开始",
            INDENT_EN,
        ),
        (
            "visit_date: [2026\n",
            (2, 1),
            "第 1 行的方括号“[”没有闭合，或项之间缺少逗号",
            "a '[' is not closed, or a ',' is missing between items (it opens on line 1)",
        ),
        (
            "contact: {name: 赵建国\n",
            (2, 1),
            "第 1 行的花括号“{”没有闭合，或项之间缺少逗号",
            "a '{' is not closed, or a ',' is missing between items (it opens on line 1)",
        ),
        (
            'notes: "客户重视售后\ncaller: 王磊\n',
            (3, 1),
            "第 1 行开始的引号没有闭合：请补上结尾的引号",
            "a quote is not closed: add the closing quote (it opens on line 1)",
        ),
        (
            'path: "C:\\资料\\报价.pdf"\n',
            (1, 10),
            "双引号里反斜杠“\\”后面的转义无效：请写成“\\\\”，或改用单引号",
            "an invalid escape after a backslash in double quotes: write '\\\\', or use single quotes",
        ),
        (
            'a: "\\ud800"\n',
            (1, 7),
            "双引号里的 \\u 转义不是有效的字符：请直接写出这个字符",
            "a \\u escape in double quotes is not a valid character: type the character itself",
        ),
        (
            "handler: @王磊\n",
            (1, 10),
            "“@”不能作为值的开头：请给这个值加上引号",
            "a value cannot start with '@': put the value in quotes",
        ),
        (
            "model: `EST`\n",
            (1, 8),
            "“`”不能作为值的开头：请给这个值加上引号",
            "a value cannot start with '`': put the value in quotes",
        ),
        (
            "%x\na: 1\n",
            (1, 3),
            "以“%”开头的行不是有效的 YAML 指令：请删除它，或给值加引号",
            "a line starting with '%' is not a valid YAML directive: remove it, or put the value in quotes",
        ),
    ],
    ids=[
        "colon-in-a-value",
        "missing-colon",
        "indentation",
        "after-a-quote",
        "open-bracket",
        "open-brace",
        "open-quote",
        "backslash",
        "bad-escape",
        "at-sign",
        "backtick",
        "directive",
    ],
)
def test_yaml_syntax_errors_give_the_line_the_column_and_what_to_do(
    text: str, where: tuple[int, int], zh: str, en: str
) -> None:
    line, column = where
    assert refusal(yaml_doc, text) == (
        f"文件 doc.yaml 第 {line} 行第 {column} 列：YAML 格式错误：{zh}",
        f"file doc.yaml line {line} column {column}: invalid YAML: {en}",
    )


def test_a_problem_with_no_translation_keeps_the_parser_words_behind_a_chinese_lead() -> None:
    exc = yaml.scanner.ScannerError(problem="something new", problem_mark=yaml.Mark("x", 0, 0, 0, "a\n", 0))
    message = reading._syntax(exc, "a\n", reading._name(reading.FILE, "doc.yaml")).message
    assert message == (
        "文件 doc.yaml 第 1 行第 1 列：YAML 格式错误：无法解析（解析器提示：something new）",
        "file doc.yaml line 1 column 1: invalid YAML: something new",
    )


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        (
            "a: 1\n---\nb: 2\n",
            "第 2 行：一个文件只能有一个文档：删除“---”之后的内容，或分成多个文件",
            "line 2: a file holds one document: remove what follows the '---', or split the file",
        ),
        ("a: *x\n", "第 1 行：别名 *x 没有对应的锚点 &x", "line 1: the alias *x has no anchor &x"),
        (
            "a: &a [1, *a]\n",
            "第 1 行：别名 *a 引用了包含它自己的内容",
            "line 1: the alias *a refers to what contains it",
        ),
        (
            "a: !!binary aGVsbG8=\n",
            "第 1 行：不支持的 YAML 标签 !!binary：请删除它",
            "line 1: the YAML tag !!binary is not supported: remove it",
        ),
        (
            "a: !!python/object/apply:os.system [ls]\n",
            "第 1 行：不支持的 YAML 标签 !!python/object/apply:os.system：请删除它",
            "line 1: the YAML tag !!python/object/apply:os.system is not supported: remove it",
        ),
        (
            "a: !!set {x, y}\n",
            "第 1 行：不支持的 YAML 标签 !!set：请删除它",
            "line 1: the YAML tag !!set is not supported: remove it",
        ),
        (
            "a: !mine x\n",
            "第 1 行：不支持的 YAML 标签 !mine：请删除它",
            "line 1: the YAML tag !mine is not supported: remove it",
        ),
        (
            "a: !!int 十二\n",
            "第 1 行：“十二” 不是有效的 !!int 值：改正它，或删除标签 !!int",
            "line 1: '十二' is not a valid !!int value: correct it, or remove the !!int tag",
        ),
        (
            "a: !!int\n",
            "第 1 行：“” 不是有效的 !!int 值：改正它，或删除标签 !!int",
            "line 1: '' is not a valid !!int value: correct it, or remove the !!int tag",
        ),
        (
            "? [a, b]\n: c\n",
            "第 1 行：键须是文本，不能是列表或映射",
            "line 1: a key must be a text, not a list or a mapping",
        ),
        (
            "<<: x\n",
            "第 1 行：“<<” 后面须是映射或映射的列表",
            "line 1: '<<' must be followed by a mapping or a list of mappings",
        ),
        (
            '"a\\0b": 1\n',
            "第 1 行：含 NUL 或无效的 Unicode 字符（来自转义 \\0 或 \\uD800 这类写法）：请删除",
            f"line 1: {YAML_NUL_EN}",
        ),
    ],
    ids=[
        "two-documents",
        "undefined-alias",
        "recursive-alias",
        "binary",
        "python-object",
        "set",
        "local-tag",
        "bad-int",
        "empty-int",
        "list-as-key",
        "bad-merge",
        "nul-escape-in-a-key",
    ],
)
def test_yaml_structures_kam_does_not_read_are_refused_with_the_line(text: str, zh: str, en: str) -> None:
    expected = (f"文件 doc.yaml {zh}", f"file doc.yaml {en}")
    assert refusal(yaml_doc, text) == expected
    assert refusal(reading.load_yaml, text, "doc.yaml") == expected


# -- duplicate keys ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "line", "first"),
    [
        ("caller: 王磊\npurpose: 拜访\ncaller: 刘洋\n", "caller", 3, 1),
        ("contact:\n  name: 赵建国\n  phone: 1\n  name: 孙丽\n", "name", 4, 2),
        ("customer_attendees:\n  - name: 赵建国\n    name: 孙丽\n", "name", 3, 2),
        ("contact: {name: 赵建国, name: 孙丽}\n", "name", 1, 1),
        ('"caller": 王磊\ncaller: 刘洋\n', "caller", 2, 1),
        ("1: a\n1: b\n", "1", 2, 1),
        ("<<: {a: 1}\n<<: {b: 2}\n", "<<", 2, 1),
    ],
    ids=["top-level", "nested", "in-a-list-item", "flow", "quoted-and-plain", "numbers", "two-merges"],
)
def test_a_duplicate_yaml_key_is_refused_naming_the_key_and_both_lines(
    text: str, key: str, line: int, first: int
) -> None:
    expected = (
        f"文件 doc.yaml 第 {line} 行：键“{key}”重复（第 {first} 行已有）：删除其中一个",
        f"file doc.yaml line {line}: the key '{key}' appears twice (first on line {first}): remove one of them",
    )
    assert refusal(yaml_doc, text) == expected
    assert refusal(reading.load_yaml, text, "doc.yaml") == expected


@pytest.mark.parametrize(
    ("text", "key", "line", "first"),
    [
        ('{"caller": "王磊", "caller": "刘洋"}', "caller", 1, 1),
        ('{\n  "caller": "王磊",\n  "purpose": "拜访",\n  "caller": "刘洋"\n}', "caller", 4, 2),
        ('{"contact": {\n  "name": "赵建国",\n  "phone": {"a": [1, {"x": 1}]},\n  "name": "孙丽"}}', "name", 4, 2),
        ('[{"a": 1}, {"b": 1,\n "b": 2}]', "b", 2, 1),
        ('{"a"\n  :\n  1, "a": 2}', "a", 3, 1),
    ],
    ids=["one-line", "top-level", "nested", "in-a-list", "key-and-colon-on-other-lines"],
)
def test_a_duplicate_json_key_is_refused_naming_the_key_and_both_lines(
    text: str, key: str, line: int, first: int
) -> None:
    expected = (
        f"文件 doc.json 第 {line} 行：键“{key}”重复（第 {first} 行已有）：删除其中一个",
        f"file doc.json line {line}: the key '{key}' appears twice (first on line {first}): remove one of them",
    )
    assert refusal(json_doc, text) == expected
    assert refusal(reading.load_json, text, "doc.json") == expected


def test_a_merged_key_may_be_overridden_but_an_own_key_not_repeated() -> None:
    text = "base: &base {a: 1, b: 2}\nx:\n  <<: *base\n  b: 3\n"
    assert reading.load_yaml(text, "p.yaml") == {"base": {"a": 1, "b": 2}, "x": {"a": 1, "b": 3}}
    assert reading.load_yaml("a: &a {k: 1}\nb: &b {k: 2, j: 2}\nc: {<<: [*a, *b]}\n", "p.yaml")["c"] == {"k": 1, "j": 2}


# -- bombs: each refused fast and small --------------------------------------------------------------------------


def read_process(path: str) -> Any:
    text = reading.read_text(path, reading.PROCESS.max_bytes, kind=reading.PROCESS_FILE)
    return reading.load_yaml(text, path, lines=True, limits=reading.PROCESS, kind=reading.PROCESS_FILE)


JSON_NUL_EN = "contains a NUL or an invalid Unicode character (from an escape such as \\u0000 or \\uD800): remove it"
NODES_ZH = "值的个数（别名展开后）超过 100,000 个上限：请拆分文件，或不用锚点和别名"
NODES_EN = (
    "more than 100,000 values (aliases expanded), the limit: split the file, or write it without anchors and aliases"
)
DEPTH_ZH, DEPTH_EN = "嵌套超过 20 层上限", "nested deeper than 20 levels, the limit"
ALIASES_ZH = "别名（*引用）超过 100 个上限：请直接写出内容，不用锚点和别名"
ALIASES_EN = (
    "more than 100 aliases (*references), the limit: write the content out instead of using anchors and aliases"
)


@pytest.mark.parametrize(
    ("name", "where", "zh", "en"),
    [
        ("alias-bomb.yaml", " 第 6 行", NODES_ZH, NODES_EN),  # billion laughs: 9 levels of 9 aliases, 342 bytes
        ("process-alias-bomb.yaml", " 第 6 行", NODES_ZH, NODES_EN),
        ("merge-bomb.yaml", " 第 5 行", NODES_ZH, NODES_EN),  # the same through `<<:` merge keys
        ("many-aliases.yaml", " 第 2 行", ALIASES_ZH, ALIASES_EN),
        ("deep-flow.yaml", " 第 1 行", DEPTH_ZH, DEPTH_EN),  # [[[[... 10,000 deep
        ("deep-block.yaml", " 第 1 行", DEPTH_ZH, DEPTH_EN),  # - - - - ... 5,000 deep
        ("deep.json", " 第 1 行", DEPTH_ZH, DEPTH_EN),
    ],
    ids=lambda value: value if isinstance(value, str) and value.endswith((".yaml", ".json")) else "",
)
@pytest.mark.parametrize("reader", ["document", "process"])
def test_a_tiny_bomb_is_refused_in_milliseconds_and_a_few_megabytes(
    name: str, where: str, zh: str, en: str, reader: str
) -> None:
    path = str(BOMBS / name)
    if reader == "document" and name.endswith(".json"):
        where = ""  # the JSON parser itself stops at its recursion limit, with no position
    outcome = run_bounded(
        outcome_of,
        reading.read_document if reader == "document" else read_process,
        path,
        cpu_seconds=2,
        memory_bytes=256 * MB,
    )
    what = ("文件", "file") if reader == "document" else ("流程文件", "process file")
    where_en = where.replace(" 第 ", " line ").replace(" 行", "")
    assert outcome.bound is None, outcome
    assert outcome.value == ("refused", f"{what[0]} {path}{where}：{zh}", f"{what[1]} {path}{where_en}: {en}")
    assert outcome.cpu_seconds < 0.5
    assert outcome.rss_growth_bytes < 16 * MB


def test_the_alias_bomb_is_tiny_and_would_cost_seconds_and_hundreds_of_megabytes_read_the_old_way() -> None:
    """The reference figure: PyYAML's loader builds it at once, and the first walk over it (json.dumps) is the bomb."""
    assert (BOMBS / "alias-bomb.yaml").stat().st_size < 400

    def old_way() -> int:
        tree = yaml.load((BOMBS / "alias-bomb.yaml").read_text(), Loader=yaml.CSafeLoader)  # noqa: S506 - the safe loader
        return len(json.dumps(tree))

    # the wall bound far above the CPU one: on a loaded machine a CPU second takes many seconds of wall time
    outcome = run_bounded(old_way, cpu_seconds=1, wall_seconds=120, memory_bytes=128 * MB)
    assert outcome.bound in ("cpu", "memory")


def _many_keys_yaml() -> str:
    return "".join(f"k{i}: 1\n" for i in range(450_000))


def _many_keys_json() -> str:
    return "{" + ",".join(f'"k{i}":1' for i in range(400_000)) + "}"


BIG_INPUTS: dict[str, tuple[Callable[[], str], str, str, str]] = {
    "many-keys.yaml": (_many_keys_yaml, " 第 50000 行", NODES_ZH, NODES_EN),
    "many-items.yaml": (lambda: "[" + "x," * 2_400_000 + "x]\n", " 第 1 行", NODES_ZH, NODES_EN),
    "long-scalar.yaml": (
        lambda: "a: " + "长" * 1_600_000 + "\n",
        " 第 1 行",
        "文本过长：1,600,000 字，上限 1,000,000 字",
        "a text of 1,600,000 characters, the limit is 1,000,000",
    ),
    "long-key.yaml": (
        lambda: "k" * 300 + ": 1\n",
        " 第 1 行",
        "键名过长：300 字，上限 200 字",
        "a key of 300 characters, the limit is 200",
    ),
    "many-keys.json": (
        _many_keys_json,
        "",
        "值的个数超过 100,000 个上限：请拆分文件",
        "more than 100,000 values, the limit: split the file",
    ),
    "many-items.json": (
        lambda: "[" + "0," * 2_450_000 + "0]",
        "",
        "值的个数超过 100,000 个上限：请拆分文件",
        "more than 100,000 values, the limit: split the file",
    ),
    "many-lists.json": (
        lambda: "[" + "[]," * 1_600_000 + "[]]",
        "",
        "值的个数超过 100,000 个上限：请拆分文件",
        "more than 100,000 values, the limit: split the file",
    ),
    "many-objects.json": (
        lambda: "[" + "{}," * 1_600_000 + "{}]",
        "",
        "值的个数超过 100,000 个上限：请拆分文件",
        "more than 100,000 values, the limit: split the file",
    ),
    "long-scalar.json": (
        lambda: '{"a": "' + "x" * 4_900_000 + '"}',
        " 中 a",
        "文本过长：4,900,000 字，上限 1,000,000 字",
        "a text of 4,900,000 characters, the limit is 1,000,000",
    ),
}


@pytest.mark.parametrize("name", list(BIG_INPUTS))
def test_a_big_file_under_the_size_limit_is_refused_at_its_first_bound_fast_and_small(
    tmp_path: Path, name: str
) -> None:
    make, where, zh, en = BIG_INPUTS[name]
    path = tmp_path / name
    path.write_text(make(), encoding="utf-8")
    assert path.stat().st_size <= 5_000_000  # these are the files the byte limit lets through
    outcome = run_bounded(outcome_of, reading.read_document, str(path), cpu_seconds=3, memory_bytes=512 * MB)
    where_en = where.replace(" 第 ", " line ").replace(" 行", "").replace(" 中 ", " at ")
    assert outcome.bound is None, outcome
    assert outcome.value == ("refused", f"文件 {path}{where}：{zh}", f"file {path}{where_en}: {en}")
    assert outcome.cpu_seconds < 1.0
    assert outcome.rss_growth_bytes < 80 * MB


def test_a_50_mb_stream_on_stdin_is_refused_after_5_mb_without_being_read_whole() -> None:
    def read_stdin() -> Any:
        return outcome_of(reading.read_document, "-")

    chunks: Iterator[bytes] = (b"a: " + b"x" * (MB - 4) + b"\n" for _ in range(50))
    outcome = run_bounded(read_stdin, stdin=chunks, cpu_seconds=2, memory_bytes=256 * MB)
    assert outcome.bound is None, outcome
    assert outcome.value == (
        "refused",
        "标准输入 超过 5 MB 上限：请删减内容后重试",
        "standard input is larger than the 5 MB limit: shorten it and retry",
    )
    assert outcome.rss_growth_bytes < 32 * MB


def test_a_50_mb_stream_into_a_command_is_refused_the_same_way() -> None:
    script = (
        "from forms.reading import read_document\n"
        "from workflow.errors import InvalidInput\n"
        "try:\n    read_document('-')\n"
        "except InvalidInput as exc:\n    print(exc.message.en)\n"
    )
    outcome = run_bounded(
        [sys.executable, "-c", script], stdin=(b"x" * MB for _ in range(50)), cpu_seconds=5, memory_bytes=1024 * MB
    )
    assert outcome.bound is None, outcome
    assert outcome.stdout == "standard input is larger than the 5 MB limit: shorten it and retry\n"


@pytest.mark.parametrize(
    ("limits", "text", "zh", "en"),
    [
        (
            reading.Limits(1_000, 3, 1_000, 10, 100, 10),
            "a: [[[1]]]\n",
            "第 1 行：嵌套超过 3 层上限",
            "line 1: nested deeper than 3 levels, the limit",
        ),
        (
            reading.Limits(1_000, 20, 5, 10, 100, 10),
            "a: [1, 2, 3, 4]\n",
            "第 1 行：值的个数（别名展开后）超过 5 个上限：请拆分文件，或不用锚点和别名",
            f"line 1: {NODES_EN.replace('100,000', '5')}",
        ),
        (
            reading.Limits(1_000, 20, 10, 10, 100, 10),
            "a: &a [1, 2, 3]\nb: *a\nc: *a\n",
            "第 2 行：值的个数（别名展开后）超过 10 个上限：请拆分文件，或不用锚点和别名",
            f"line 2: {NODES_EN.replace('100,000', '10')}",
        ),
        (
            reading.Limits(1_000, 20, 100, 1, 100, 10),
            "a: &a x\nb: *a\nc: *a\n",
            "第 3 行：别名（*引用）超过 1 个上限：请直接写出内容，不用锚点和别名",
            f"line 3: {ALIASES_EN.replace('100', '1')}",
        ),
        (
            reading.Limits(1_000, 20, 100, 10, 5, 10),
            "a: 123456\n",
            "第 1 行：文本过长：6 字，上限 5 字",
            "line 1: a text of 6 characters, the limit is 5",
        ),
        (
            reading.Limits(1_000, 20, 100, 10, 100, 3),
            "abcd: 1\n",
            "第 1 行：键名过长：4 字，上限 3 字",
            "line 1: a key of 4 characters, the limit is 3",
        ),
    ],
    ids=["depth", "nodes", "expanded-aliases", "aliases", "scalar", "key"],
)
def test_each_yaml_bound_is_the_one_given(limits: reading.Limits, text: str, zh: str, en: str) -> None:
    assert refusal(reading.parse_document, text, "doc.yaml", limits=limits) == (
        f"文件 doc.yaml {zh}",
        f"file doc.yaml {en}",
    )


def test_the_limits_just_inside_each_bound_are_accepted() -> None:
    limits = reading.Limits(
        1_000, 3, 11, 2, 6, 4
    )  # 11 values: the root, 4 keys, 2 lists, 4 scalars (aliases count as theirs)
    assert reading.parse_document("abcd: [[123456]]\nb: &a x\nc: *a\nd: *a\n", "doc.yaml", limits=limits) == {
        "abcd": [["123456"]],
        "b": "x",
        "c": "x",
        "d": "x",
    }


@pytest.mark.parametrize(
    ("limits", "text", "zh", "en"),
    [
        (
            reading.Limits(1_000, 2, 1_000, 0, 100, 10),
            '{"a": [[1]]}',
            " 中 a[0]：嵌套超过 2 层上限",
            " at a[0]: nested deeper than 2 levels, the limit",
        ),
        (
            reading.Limits(1_000, 20, 5, 0, 100, 10),
            '{"a": [1, 2, 3, 4, 5]}',
            "：值的个数超过 5 个上限：请拆分文件",
            ": more than 5 values, the limit: split the file",
        ),
        (
            reading.Limits(1_000, 20, 3, 0, 100, 10),
            '{"a": {"b": {"c": {}}}}',
            "：值的个数超过 3 个上限：请拆分文件",
            ": more than 3 values, the limit: split the file",
        ),
        (
            reading.Limits(1_000, 20, 100, 0, 5, 10),
            '{"a": {"b": "123456"}}',
            " 中 a.b：文本过长：6 字，上限 5 字",
            " at a.b: a text of 6 characters, the limit is 5",
        ),
        (
            reading.Limits(1_000, 20, 100, 0, 100, 3),
            '{"a": {"abcd": 1}}',
            " 中 a：键名过长或含无效字符（上限 3 字）：“abcd”",
            " at a: a key that is too long or holds an invalid character (the limit is 3 characters): “abcd”",
        ),
        (
            reading.Limits(1_000, 20, 100, 0, 100, 10),
            '{"a": {"x\\u0000": 1}}',
            " 中 a：键名过长或含无效字符（上限 10 字）：“x\x00”",
            " at a: a key that is too long or holds an invalid character (the limit is 10 characters): “x\x00”",
        ),
    ],
    ids=["depth", "values", "objects", "scalar", "key", "nul-in-a-key"],
)
def test_each_json_bound_is_the_one_given(limits: reading.Limits, text: str, zh: str, en: str) -> None:
    assert refusal(reading.load_json, text, "doc.json", limits=limits) == (f"文件 doc.json{zh}", f"file doc.json{en}")


def test_brackets_and_commas_inside_json_strings_are_not_counted_as_values() -> None:
    limits = reading.Limits(1_000_000, 20, 10, 0, 100_000, 10)
    text = json.dumps({"a": "[{,}]" * 10_000})
    assert reading.load_json(text, "doc.json", limits=limits) == {"a": "[{,}]" * 10_000}


# -- JSON --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "zh", "en"),
    [
        (
            '{"a": 1,}',
            (1, 9),
            "键名要用双引号括起来（也可能是最后一项后面多了逗号）",
            "a key must be in double quotes (or the last item has a comma after it)",
        ),
        (
            "{'a': 1}",
            (1, 2),
            "键名要用双引号括起来（也可能是最后一项后面多了逗号）",
            "a key must be in double quotes (or the last item has a comma after it)",
        ),
        ('{"a": 1 "b": 2}', (1, 9), "缺少逗号“,”", "a ',' is missing"),
        ('{"a" 1}', (1, 6), "缺少冒号“:”", "a ':' is missing"),
        (
            '{"a": }',
            (1, 7),
            "这里应有一个值：检查多余的逗号或缺少的引号",
            "a value was expected here: look for an extra comma or a missing quote",
        ),
        (
            "",
            (1, 1),
            "这里应有一个值：检查多余的逗号或缺少的引号",
            "a value was expected here: look for an extra comma or a missing quote",
        ),
        ('{"a": "x}', (1, 7), "引号没有闭合：请补上结尾的引号", "a quoted text is not closed: add the closing quote"),
        (
            '{"a": "x\ty"}',
            (1, 9),
            "引号里有控制字符：换行请写成 \\n，Tab 写成 \\t",
            "a control character inside quotes: write a line break as \\n, a tab as \\t",
        ),
        (
            '{"a": "C:\\path"}',
            (1, 10),
            "反斜杠“\\”后面的转义无效：请写成“\\\\”",
            "an invalid escape after a backslash: write '\\\\'",
        ),
        ('{"a": "\\u12"}', (1, 9), "\\u 转义须是四位十六进制数", "a \\u escape needs four hexadecimal digits"),
        ('{"a": 1}\n{"b": 2}', (2, 1), "JSON 值结束后还有多余的内容", "there is more after the end of the JSON value"),
    ],
    ids=[
        "trailing-comma",
        "single-quotes",
        "missing-comma",
        "missing-colon",
        "missing-value",
        "empty",
        "open-quote",
        "raw-tab",
        "bad-escape",
        "short-u-escape",
        "two-values",
    ],
)
def test_json_syntax_errors_give_the_line_the_column_and_what_to_do(
    text: str, where: tuple[int, int], zh: str, en: str
) -> None:
    line, column = where
    assert refusal(json_doc, text) == (
        f"文件 doc.json 第 {line} 行第 {column} 列：JSON 格式错误：{zh}",
        f"file doc.json line {line} column {column}: invalid JSON: {en}",
    )


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        (
            '{"a": NaN}',
            "：数字 NaN 不是有限的数（JSON 不允许 NaN 或 Infinity）",
            ": the number NaN is not finite (JSON allows no NaN or Infinity)",
        ),
        (
            '{"a": -Infinity}',
            "：数字 -Infinity 不是有限的数（JSON 不允许 NaN 或 Infinity）",
            ": the number -Infinity is not finite (JSON allows no NaN or Infinity)",
        ),
        (
            '{"a": 1e999}',
            "：数字 1e999 不是有限的数（JSON 不允许 NaN 或 Infinity）",
            ": the number 1e999 is not finite (JSON allows no NaN or Infinity)",
        ),
        ('{"a": ' + "9" * 5_000 + "}", "：数字的位数过多", ": a number has too many digits"),
        (
            '{"a": ["\\u0000"]}',
            " 中 a[0]：含 NUL 或无效的 Unicode 字符（来自转义 \\u0000 或 \\uD800 这类写法）：请删除",
            f" at a[0]: {JSON_NUL_EN}",
        ),
        (
            '{"a": {"b": "\\ud800"}}',
            " 中 a.b：含 NUL 或无效的 Unicode 字符（来自转义 \\u0000 或 \\uD800 这类写法）：请删除",
            f" at a.b: {JSON_NUL_EN}",
        ),
    ],
    ids=["nan", "infinity", "overflow", "huge-integer", "nul-escape", "lone-surrogate-escape"],
)
def test_json_values_kam_cannot_store_are_refused(text: str, zh: str, en: str) -> None:
    assert refusal(reading.load_json, text, "doc.json") == (f"文件 doc.json{zh}", f"file doc.json{en}")
    if "NUL" not in zh:
        assert refusal(json_doc, text) == (f"文件 doc.json{zh}", f"file doc.json{en}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"handler": "a\\u0000b"}',
            "handler (Handler): contains the control character U+0000 (character 2): remove it",
        ),
        (
            '{"handler": "a\\udcffb"}',
            "handler (Handler): contains the unpaired surrogate U+DCFF (character 2): remove it",
        ),
        ('handler: "a\\0b"\n', "handler (Handler): contains the control character U+0000 (character 2): remove it"),
        ("handler: " + "长" * 20_001 + "\n", "handler (Handler): too long: 20,001 characters, the limit is 20,000"),
    ],
    ids=["json-nul", "json-surrogate", "yaml-nul", "long-text"],
)
def test_a_document_value_merely_bad_is_left_for_forms_to_name_its_field(text: str, message: str) -> None:
    tree = reading.parse_document(text, "doc", json=text.startswith("{"))
    with pytest.raises(forms.FormInvalid) as caught:
        forms.validate("visit-feedback", reading.resolve(forms.get("visit-feedback"), tree))
    assert message in [e.render("en") for e in caught.value.errors]


def test_a_nul_from_an_escape_is_refused_in_a_process_file() -> None:
    assert refusal(reading.load_yaml, 'a: "x\\0y"\n', "p.yaml") == (
        "文件 p.yaml 第 1 行：含 NUL 或无效的 Unicode 字符（来自转义 \\0 或 \\uD800 这类写法）：请删除",
        f"file p.yaml line 1: {YAML_NUL_EN}",
    )


def test_an_escaped_surrogate_pair_is_one_character() -> None:
    assert reading.load_json('{"a": "\\ud83d\\ude9a"}', "doc.json") == {"a": "🚚"}


def test_typed_json_gives_plain_numbers() -> None:
    data = reading.load_json('{"n": 13904001234, "f": 1.50, "e": 2e3, "b": true, "z": null}', "x.json")
    assert data == {"n": 13904001234, "f": 1.5, "e": 2000.0, "b": True, "z": None}
    assert type(data["f"]) is float


def test_a_json_document_keeps_the_text_of_its_fractional_numbers() -> None:
    data = json_doc('{"amount": 1.50, "ratio": 2E3, "count": 7}')
    assert data == {"amount": 1.5, "ratio": 2000.0, "count": 7}
    assert (data["amount"].text, data["ratio"].text) == ("1.50", "2E3")


# -- documents: scalars as written -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("v: 13904001234", "13904001234"),
        ("v: 0472", "0472"),
        ("v: 0o17", "0o17"),
        ("v: 0x1F", "0x1F"),
        ("v: 1:30", "1:30"),
        ("v: 2027-001", "2027-001"),
        ("v: 2027-01-01", "2027-01-01"),
        ("v: 2026-09-08T09:30", "2026-09-08T09:30"),
        ("v: 1.50", "1.50"),
        ("v: 1e3", "1e3"),
        ("v: .inf", ".inf"),
        ("v: yes", "yes"),
        ("v: No", "No"),
        ("v: true", "true"),
        ("v: 是", "是"),
        ("v: EST 6×4", "EST 6×4"),
        ("v: '0472'", "0472"),
        ('v: "null"', "null"),
        ("v: ''", ""),
        ("v:", None),
        ("v: ~", None),
        ("v: null", None),
        ("v: NULL", None),
        ("v: !!str 0472", "0472"),
        ("v: !!int 0472", 314),
        ("v: !!float 1", 1.0),
        ("v: !!bool yes", True),
        ("v: !!null ''", None),
        ("v: !!timestamp 2027-01-01", dt.date(2027, 1, 1)),
        ("v: ! 12", "12"),
        ("v: =", "="),
    ],
)
def test_a_document_keeps_every_plain_scalar_as_the_text_written(text: str, value: Any) -> None:
    assert yaml_doc(text + "\n") == {"v": value}


def test_keys_and_list_items_are_text_as_written_too() -> None:
    assert yaml_doc("1: a\n2027-01-01: b\nlist: [01, 2.0, yes]\ntrue: c\n") == {
        "1": "a",
        "2027-01-01": "b",
        "list": ["01", "2.0", "yes"],
        "true": "c",
    }


def test_an_empty_document_is_none() -> None:
    assert yaml_doc("") is None
    assert yaml_doc("# only a comment\n") is None


def test_aliases_within_the_bounds_read_as_the_anchored_value() -> None:
    assert yaml_doc("a: &who 王磊\nb: *who\nc: &l [1, 2]\nd: *l\n") == {
        "a": "王磊",
        "b": "王磊",
        "c": ["1", "2"],
        "d": ["1", "2"],
    }


# -- resolving against the schema --------------------------------------------------------------------------------


class Row(Part):
    name: str
    count: int | None = None


class Sample(Part):
    text: str | None = None
    texts: list[Annotated[str, Field(min_length=1)]] = []
    number: int | None = None
    amount: float | None = None
    flag: bool | None = None
    day: dt.date | None = None
    moment: dt.datetime | None = None
    level: Literal[1, 2, 3, 4] | None = None
    choice: Literal["high", "medium", "low"] | None = None
    rows: list[Row] = []
    scores: dict[Annotated[str, Field(min_length=1)], float] = {}
    part: Row | None = None
    pair: tuple[int, str] | None = None
    many: tuple[int, ...] | None = None
    either: int | str | None = None


@pytest.mark.parametrize(
    ("field", "raw", "resolved"),
    [
        ("text", "13904001234", "13904001234"),
        ("text", "0472", "0472"),
        ("text", "2027-01-01", "2027-01-01"),
        ("text", 13904001234, "13904001234"),  # a JSON number in a text field: its text
        ("text", reading.WrittenFloat("1.50"), "1.50"),
        ("text", 1.5, "1.5"),
        ("texts", ["0472", 12], ["0472", "12"]),
        ("number", "0472", 472),  # decimal, never octal
        ("number", "+12", 12),
        ("number", " 12 ", 12),
        ("number", 12, 12),
        ("amount", "1.50", 1.5),
        ("amount", "1e3", 1000.0),
        ("amount", ".5", 0.5),
        ("amount", "12", 12.0),
        ("amount", reading.WrittenFloat("1.50"), 1.5),
        ("flag", "true", True),
        ("flag", "Yes", True),
        ("flag", "on", True),
        ("flag", "是", True),
        ("flag", "false", False),
        ("flag", "NO", False),
        ("flag", "off", False),
        ("flag", "否", False),
        ("flag", True, True),
        ("day", "2026-09-08", dt.date(2026, 9, 8)),
        ("day", "2026-9-8", dt.date(2026, 9, 8)),
        ("day", "2027/03/31", dt.date(2027, 3, 31)),  # as people write dates (workflow.values.dates)
        ("day", "2027.3.31", dt.date(2027, 3, 31)),
        ("day", "2027年3月31日", dt.date(2027, 3, 31)),
        ("moment", "2027年3月31日 14点30分", dt.datetime(2027, 3, 31, 14, 30)),
        ("moment", "2027/3/31 9:30", dt.datetime(2027, 3, 31, 9, 30)),
        ("moment", "2026-09-08T09:30", dt.datetime(2026, 9, 8, 9, 30)),
        ("moment", "2026-09-08 09:30:15", dt.datetime(2026, 9, 8, 9, 30, 15)),
        ("moment", "2026-09-08t09:30:15.25", dt.datetime(2026, 9, 8, 9, 30, 15, 250_000)),
        ("moment", "2026-09-08T09:30Z", dt.datetime(2026, 9, 8, 9, 30, tzinfo=dt.UTC)),
        ("moment", "2026-09-08T09:30+08:00", dt.datetime(2026, 9, 8, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))),
        (
            "moment",
            "2026-09-08 09:30 -0530",
            dt.datetime(2026, 9, 8, 9, 30, tzinfo=dt.timezone(-dt.timedelta(hours=5, minutes=30))),
        ),
        ("level", "2", 2),
        ("level", 2, 2),
        ("level", reading.WrittenFloat("2.0"), 2),
        ("choice", "high", "high"),
        ("choice", " low ", "low"),
        ("choice", "高 ", "high"),  # the Chinese label names the key (forms.choices)
        ("choice", "Medium", "medium"),
        ("rows", [{"name": 120, "count": "03"}], [{"name": "120", "count": 3}]),
        ("scores", {"东风": "8.5", "重汽": 7}, {"东风": 8.5, "重汽": 7}),
        ("part", {"name": "0472", "count": "7"}, {"name": "0472", "count": 7}),
        ("pair", ["1", 2], [1, "2"]),
        ("many", ["1", "2", "3"], [1, 2, 3]),
        ("either", "12", "12"),  # text as written wins where text is allowed
        ("either", 12, 12),
    ],
)
def test_resolve_gives_each_field_what_its_type_needs(field: str, raw: Any, resolved: Any) -> None:
    out = reading.resolve(Sample, {field: raw})
    assert out == {field: resolved}
    assert type(out[field]) is type(resolved)


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        ("number", "0x1F", "int_parsing"),
        ("number", "1:30", "int_parsing"),
        ("number", "１２", "int_parsing"),
        ("number", "9" * 5_000, "int_parsing_size"),  # past Python's 4,300 digits: not converted here
        ("amount", "1,5", "float_parsing"),
        ("amount", "十二", "float_parsing"),
        ("flag", "maybe", "bool_parsing"),
        ("day", "2027-02-30", "date_from_datetime_parsing"),
        ("day", "31/03/2027", "date_from_datetime_parsing"),
        ("moment", "2026-09-08T25:00", "datetime_from_date_parsing"),
        ("level", "5", "literal_error"),
        ("choice", "超高", "literal_error"),
        ("text", True, "string_type"),
        ("text", ["a"], "string_type"),
        ("rows", "x", "list_type"),
        ("part", "x", "model_type"),
    ],
)
def test_what_cannot_be_resolved_is_left_for_pydantic_to_report(field: str, raw: Any, error: str) -> None:
    out = reading.resolve(Sample, {field: raw})
    assert out == {field: raw}
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(out)
    assert caught.value.errors()[0]["type"] == error


def test_unknown_keys_and_nulls_pass_through_unchanged() -> None:
    tree = {"text": None, "nope": "0472", 3: reading.WrittenFloat("1.50"), "rows": [{"name": "a", "extra": "07"}]}
    assert reading.resolve(Sample, tree) == tree


def test_a_tree_that_is_not_a_mapping_is_left_for_the_schema_to_refuse() -> None:
    assert reading.resolve(Sample, ["a"]) == ["a"]
    assert reading.resolve(Sample, None) is None


def test_no_written_float_survives_resolution() -> None:
    out = reading.resolve(
        Sample,
        {"scores": {"a": reading.WrittenFloat("1.50")}, "rows": [{"name": "x", "count": reading.WrittenFloat("2.0")}]},
    )
    assert type(out["scores"]["a"]) is float and type(out["rows"][0]["count"]) is float


def document(kind: str, text: str, *, as_json: bool = False) -> Any:
    """A document file read and validated the way `kam doc fill --file` will: as written, resolved, validated."""
    form = forms.get(kind)
    tree = reading.parse_document(text, f"doc.{'json' if as_json else 'yaml'}", json=as_json)
    return form.model_validate(reading.resolve(form, tree))


def fixture_text(kind: str) -> str:
    return samples.path(kind).read_text(encoding="utf-8")


def test_a_phone_number_postcode_and_contract_number_stay_as_written() -> None:
    text = fixture_text("phone-invite-feedback").replace('phone: "0472-5123456"', "phone: 13904001234")
    assert document("phone-invite-feedback", text).contact.phone == "13904001234"
    text = fixture_text("phone-invite-feedback").replace('phone: "0472-5123456"', "phone: 0472")
    assert document("phone-invite-feedback", text).contact.phone == "0472"
    contract = fixture_text("contract-review")
    assert "contract_no:" in contract
    text = "\n".join(
        "contract_no: 2027-001" if line.startswith("contract_no:") else line for line in contract.splitlines()
    )
    assert document("contract-review", text).contract_no == "2027-001"
    text = "\n".join(
        "contract_no: 2027-01-01" if line.startswith("contract_no:") else line for line in contract.splitlines()
    )
    assert document("contract-review", text).contract_no == "2027-01-01"


def test_typed_fields_read_the_same_text_the_way_their_type_needs() -> None:
    text = fixture_text("visit-feedback").replace("handler_found: true", "handler_found: 是")
    assert "handler_found: 是" in text
    doc = document("visit-feedback", text)
    assert doc.handler_found is True and doc.visit_date == dt.date(2026, 9, 8)
    assert document("phone-invite-feedback", fixture_text("phone-invite-feedback")).visit_time == dt.datetime(
        2026, 9, 8, 9, 30
    )


def test_a_json_document_with_a_number_in_a_text_field_keeps_its_text() -> None:
    data = forms.dump(forms.validate("phone-invite-feedback", yaml.safe_load(fixture_text("phone-invite-feedback"))))
    data["contact"]["phone"] = 13904001234
    text = json.dumps(data, ensure_ascii=False)
    assert document("phone-invite-feedback", text, as_json=True).contact.phone == "13904001234"


@pytest.mark.parametrize("kind", forms.KINDS)
def test_every_sample_document_reads_as_it_did_with_typed_yaml(kind: str) -> None:
    text = fixture_text(kind)
    before = forms.dump(forms.validate(kind, yaml.load(text, Loader=yaml.CSafeLoader)))  # noqa: S506 - the safe loader
    assert forms.dump(document(kind, text)) == before


@pytest.mark.parametrize("kind", forms.KINDS)
def test_resolving_a_stored_document_changes_nothing(kind: str) -> None:
    stored = forms.dump(forms.validate(kind, yaml.safe_load(fixture_text(kind))))
    resolved = reading.resolve(forms.get(kind), stored)
    assert forms.dump(forms.validate(kind, resolved)) == stored
    assert reading.resolve(forms.get(kind), resolved) == resolved


# -- typed YAML for process files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("v: 12", 12),
        ("v: 010", 8),  # YAML 1.1, as process files have always been read
        ("v: 1.5", 1.5),
        ("v: yes", True),
        ("v: off", False),
        ("v: ~", None),
        ("v: 2027-01-01", dt.date(2027, 1, 1)),
        ("v: '12'", "12"),
        ("v: =", "="),
        ("v: [a, 1]", ["a", 1]),
    ],
)
def test_process_files_are_typed_as_yaml_1_1_reads_them(text: str, value: Any) -> None:
    assert reading.load_yaml(text + "\n", "p.yaml") == {"v": value}


@pytest.mark.parametrize(
    "path",
    sorted((FIXTURES / "processes").glob("*.yaml"))
    + [Path(__file__).parents[1] / "workflow" / "rules" / "six-step.yaml"],
    ids=lambda p: p.name,
)
def test_every_process_file_reads_as_the_safe_loader_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        expected = yaml.load(text, Loader=yaml.CSafeLoader)  # noqa: S506 - the safe loader
    except yaml.YAMLError:
        with pytest.raises(InvalidInput):
            reading.load_yaml(text, path.name, lines=True)
        return
    assert reading.load_yaml(text, path.name, lines=True) == expected
    assert reading.load_yaml(text, path.name) == expected


def test_lines_give_where_every_mapping_key_and_item_is() -> None:
    text = "name: p\nstages:\n  - id: a\n    leave:\n      trigger: go\n  - id: b\nlost_reasons: [price,\n  other]\n"
    raw = reading.load_yaml(text, "p.yaml", lines=True)
    assert isinstance(raw, reading.LineDict) and raw.line == 1
    assert raw.lines == {"name": 1, "stages": 2, "lost_reasons": 7}
    stages = raw["stages"]
    assert isinstance(stages, reading.LineList) and stages.line == 3 and stages.lines == [3, 6]
    assert [reading.line_of(s) for s in stages] == [3, 6]
    assert reading.line_of(stages[0]["leave"]) == 5
    assert reading.key_line(stages[0], "leave") == 4
    assert raw["lost_reasons"].lines == [7, 8]
    assert reading.key_line(raw, "missing", 99) == 99
    assert reading.line_of("a scalar", 7) == 7
    assert reading.key_line({"a": 1}, "a") is None


def test_without_lines_the_tree_is_plain_dicts_and_lists() -> None:
    raw = reading.load_yaml("a: {b: [1]}\n", "p.yaml")
    assert type(raw) is dict and type(raw["a"]) is dict and type(raw["a"]["b"]) is list


def test_a_merged_mapping_keeps_the_lines_of_its_keys() -> None:
    raw = reading.load_yaml("base: &b\n  a: 1\nx:\n  <<: *b\n  c: 2\n", "p.yaml", lines=True)
    assert raw["x"] == {"a": 1, "c": 2}
    assert raw["x"].line == 4 and raw["x"].lines == {"a": 2, "<<": 4, "c": 5}


def test_a_user_key_named_like_the_old_line_marker_is_just_a_key() -> None:
    raw = reading.load_yaml("__line__: 5\na: 1\n", "p.yaml", lines=True)
    assert raw == {"__line__": 5, "a": 1} and raw.line == 1


# -- the whole document read -------------------------------------------------------------------------------------


def test_read_document_reads_yaml_by_default_and_json_by_its_name(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text("phone: 0472\n", encoding="utf-8")
    (tmp_path / "d.json").write_text('{"phone": 472, "x": 1.50}', encoding="utf-8")
    (tmp_path / "d.txt").write_text(
        '{"phone": 0472}', encoding="utf-8"
    )  # not .json: YAML, which reads JSON's flow style
    assert reading.read_document(str(tmp_path / "d.yaml")) == {"phone": "0472"}
    assert reading.read_document(str(tmp_path / "d.json")) == {"phone": 472, "x": 1.5}
    assert reading.read_document(str(tmp_path / "d.txt")) == {"phone": "0472"}


@pytest.mark.parametrize(
    ("stdin", "tree"),
    [
        (b"phone: 0472\n", {"phone": "0472"}),
        (b'  \n{"phone": 472}', {"phone": 472}),
        (
            b'[{"a": "\\ud83d\\ude9a"}]',
            [{"a": "🚚"}],
        ),  # JSON's escaped surrogate pairs: only the JSON parser takes them
        ("名称: 包头\n".encode("gbk"), {"名称": "包头"}),
    ],
)
def test_stdin_is_json_when_it_starts_with_a_bracket_and_yaml_otherwise(stdin: bytes, tree: Any) -> None:
    assert reading.read_document("-", stdin=io.BytesIO(stdin)) == tree


@pytest.mark.parametrize(
    ("source", "text", "expected"),
    [
        ("a.json", "", True),
        ("a.JSON", "", True),
        ("a.yaml", "{}", False),
        ("-", "\ufeff {", True),
        ("-", "[", True),
        ("-", "a: 1", False),
        ("-", "", False),
    ],
)
def test_is_json(source: str, text: str, expected: bool) -> None:
    assert reading.is_json(source, text) is expected


def test_a_gbk_document_with_a_tab_is_refused_for_the_tab_not_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_bytes("contact:\n\tname: 赵建国\n".encode("gbk"))
    assert refusal(reading.read_document, str(path)) == (
        f"文件 {path} 第 2 行用了 Tab 缩进：YAML 只能用空格缩进，请把行首的 Tab 换成空格",
        f"file {path} line 2 is indented with a tab: YAML indents with spaces only; replace the tab with spaces",
    )


# -- the harness itself: it must see each bound hit --------------------------------------------------------------


def _spin() -> None:
    while True:
        pass


def _eat() -> None:
    hoard = []
    while True:
        hoard.append(bytearray(MB))


def _nap() -> None:
    import time

    time.sleep(30)


def _talk() -> dict[str, int]:
    print("out")
    print("err", file=sys.stderr)
    return {"a": 1}


def _fail() -> None:
    raise InvalidInput(reading.t("坏", "bad"))


def _stdin_size() -> int:
    return len(sys.stdin.buffer.read())


@pytest.mark.parametrize(
    ("target", "bound"),
    [(_spin, "cpu"), (_eat, "memory"), (_nap, "wall"), (_talk, None)],
    ids=["cpu", "memory", "wall", "none"],
)
def test_the_harness_reports_the_bound_a_callable_hit(target: Callable[[], Any], bound: str | None) -> None:
    wall = 2 if bound == "wall" else 120  # a CPU second may take many seconds of wall time on a loaded machine
    outcome = run_bounded(target, cpu_seconds=1, wall_seconds=wall, memory_bytes=64 * MB)
    assert outcome.bound == bound
    assert outcome.wall_seconds < wall + 2


def test_the_harness_returns_what_a_callable_printed_returned_or_raised() -> None:
    talked = run_bounded(_talk)
    assert (talked.stdout, talked.stderr, talked.value, talked.error, talked.returncode) == (
        "out\n",
        "err\n",
        {"a": 1},
        None,
        0,
    )
    failed = run_bounded(_fail)
    assert (failed.value, failed.error) == (None, "InvalidInput: bad")


def test_the_harness_feeds_stdin_in_chunks() -> None:
    assert run_bounded(_stdin_size, stdin=(b"x" * MB for _ in range(8))).value == 8 * MB
    assert run_bounded(_stdin_size, stdin=b"abc").value == 3
    assert run_bounded(_stdin_size).value == 0


@pytest.mark.parametrize(
    ("script", "bound"),
    [
        ("while True: pass", "cpu"),
        ("x = bytearray(2 * 10**9)", "memory"),
        ("import time; time.sleep(30)", "wall"),
        ("print('ok')", None),
    ],
    ids=["cpu", "memory", "wall", "none"],
)
def test_the_harness_reports_the_bound_a_command_hit(script: str, bound: str | None) -> None:
    wall = 3 if bound == "wall" else 120  # a CPU second may take many seconds of wall time on a loaded machine
    outcome = run_bounded([sys.executable, "-c", script], cpu_seconds=1, wall_seconds=wall, memory_bytes=512 * MB)
    assert outcome.bound == bound
    if bound is None:
        assert (outcome.stdout, outcome.returncode) == ("ok\n", 0)


# -- anything at all: read or refused, never another exception ---------------------------------------------------

YAML_PIECES = [*"ab1 :-\n\t[]{},'\"&*!#|>~%@`\\：是0", "\udcff", "\x00", "\x1b", "<<", "!!int ", "---"]
YAMLISH = st.lists(st.sampled_from(YAML_PIECES), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(raw=st.one_of(st.binary(max_size=200), YAMLISH.map(lambda s: s.encode("utf-8", "surrogatepass"))))
def test_any_bytes_are_read_or_refused_with_invalid_input(raw: bytes) -> None:
    for as_json in (False, True):
        try:
            text = reading.decode_text(raw, "doc.yaml")
            tree = reading.parse_document(text, "doc.yaml", json=as_json)
            reading.resolve(forms.get("visit-feedback"), tree)
            reading.load_yaml(text, "p.yaml", lines=True)
        except InvalidInput as exc:
            assert exc.message.en.startswith("file doc.yaml") or exc.message.en.startswith("file p.yaml")

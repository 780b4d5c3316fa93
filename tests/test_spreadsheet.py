"""Excel workbooks: every file is read back with openpyxl, as Excel would open it."""

from __future__ import annotations

import datetime as dt
import io
import math
import tempfile
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell

from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.views.spreadsheet import Column, Sheet, display_width, sheet_names, write_xlsx

GENERATED = dt.datetime(2027, 2, 1, 0, 30)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))

OPPORTUNITIES = Sheet(
    "商机",
    [
        Column("编号", "int"),
        Column("客户"),
        Column("合同金额", "money"),
        Column("成交热度", "percent"),
        Column("预计成交", "date"),
        Column("更新于", "datetime"),
        Column("暂停", "bool"),
        Column("加权预测", "number"),
    ],
    [
        (12, "包头鑫达物流有限公司", Decimal("1234567.50"), 0.35, dt.date(2027, 2, 15), dt.datetime(2027, 2, 1, 8, 30), True, 10.5),
        (13, "鄂尔多斯市运输集团", 980000, 0.8, dt.date(2027, 3, 1), dt.datetime(2027, 2, 2, 17, 5), False, 24),
    ],
)


def xlsx(*sheets: Sheet, **options: Any) -> bytes:
    options = {"generated_at": GENERATED, "tz": SHANGHAI, **options}
    return write_xlsx(list(sheets), **options)


def book(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def cells(data: bytes, sheet: int = 0) -> list[list[Cell]]:
    return [list(row) for row in book(data).worksheets[sheet].iter_rows()]


def one(kind: str, value: Any, **options: Any) -> Cell:
    """The cell below the header of a one-column sheet of `kind` holding `value`."""
    return book(xlsx(Sheet("s", [Column("h", kind)], [(value,)]), **options)).worksheets[0].cell(2, 1)  # type: ignore[arg-type]


# -- typed cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "read", "number_format"),
    [
        ("int", 12, 12, "0"),
        ("int", -3, -3, "0"),
        ("number", 10.5, 10.5, "#,##0.00"),
        ("number", Decimal("0.1"), 0.1, "#,##0.00"),
        ("number", 24, 24, "#,##0.00"),
        ("money", Decimal("1234567.50"), 1234567.5, '#,##0.00"元"'),
        ("money", 980000, 980000, '#,##0.00"元"'),
        ("percent", 0.35, 0.35, "0.0%"),
        ("percent", 1, 1, "0.0%"),
        ("date", dt.date(2027, 2, 15), dt.datetime(2027, 2, 15), "yyyy-mm-dd"),
        ("date", dt.date(1900, 3, 1), dt.datetime(1900, 3, 1), "yyyy-mm-dd"),
        ("date", dt.datetime(2027, 2, 14, 20, 0, tzinfo=dt.UTC), dt.datetime(2027, 2, 15), "yyyy-mm-dd"),  # 04:00 in Shanghai
        ("datetime", dt.datetime(2027, 2, 1, 8, 30), dt.datetime(2027, 2, 1, 8, 30), "yyyy-mm-dd hh:mm"),
        ("datetime", dt.datetime(2027, 2, 1, 0, 30, tzinfo=dt.UTC), dt.datetime(2027, 2, 1, 8, 30), "yyyy-mm-dd hh:mm"),
        ("datetime", dt.date(2027, 2, 1), dt.datetime(2027, 2, 1), "yyyy-mm-dd hh:mm"),
        ("datetime", dt.datetime(2027, 2, 1, 23, 59, 59), dt.datetime(2027, 2, 1, 23, 59, 59), "yyyy-mm-dd hh:mm"),
    ],
)
def test_numbers_dates_and_times_are_typed_cells_with_their_format(kind: str, value: Any, read: Any, number_format: str) -> None:
    cell = one(kind, value)
    assert cell.value == read
    assert type(cell.value) is type(read)
    assert cell.number_format == number_format
    assert cell.data_type == ("d" if isinstance(read, dt.datetime) else "n")


@pytest.mark.parametrize(("lang", "money", "yes", "no"), [("zh", '#,##0.00"元"', "是", "否"), ("en", '"CNY "#,##0.00', "yes", "no")])
def test_money_and_yes_no_follow_the_language(lang: str, money: str, yes: str, no: str) -> None:
    rows = cells(xlsx(Sheet("s", [Column("m", "money"), Column("b", "bool")], [(1, True), (2, False)]), lang=lang))
    assert rows[1][0].number_format == money
    assert [(r[1].value, r[1].data_type) for r in rows[1:]] == [(yes, "s"), (no, "s")]


@pytest.mark.parametrize("kind", ["int", "number", "money", "percent", "date", "datetime", "bool", "text"])
def test_none_is_an_empty_cell(kind: str) -> None:
    assert one(kind, None).value is None


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, Decimal("NaN")])
def test_a_number_excel_cannot_hold_is_an_empty_cell(value: Any) -> None:
    assert one("number", value).value is None


def test_a_date_before_march_1900_is_written_as_text() -> None:
    """Excel's 1900 date system counts a 29 February 1900 that never was: earlier serials would show a wrong day."""
    cell = one("date", dt.date(1899, 12, 31))
    assert (cell.value, cell.data_type) == ("1899-12-31", "s")


@pytest.mark.parametrize(
    ("value", "lang", "read"),
    [
        ("包头鑫达物流有限公司", "zh", "包头鑫达物流有限公司"),
        (t("方案交流", "technical exchange"), "zh", "方案交流"),
        (t("方案交流", "technical exchange"), "en", "technical exchange"),
        (12, "zh", "12"),
        (True, "en", "yes"),
        (dt.date(2027, 2, 15), "zh", "2027-02-15"),
        (dt.datetime(2027, 2, 15, 9, 30), "zh", "2027-02-15 09:30"),
        ("  leading and trailing  ", "zh", "  leading and trailing  "),
        ("A&B <c> \"d\" 'e'", "zh", "A&B <c> \"d\" 'e'"),
        ("an XML ]]> end", "zh", "an XML ]]> end"),
        ("第一行\r\n第二行\r第三行", "zh", "第一行\n第二行\n第三行"),
        ("bell\x07 nul\x00 esc\x1b \ufffe gone", "zh", "bell nul esc  gone"),
        ("tab\tstays", "zh", "tab\tstays"),
        ("lone \ud800 surrogate " + "长" * 30, "zh", "lone  surrogate " + "长" * 30),
    ],
)
def test_text_cells_hold_the_text(value: Any, lang: str, read: str) -> None:
    cell = one("text", value, lang=lang)
    assert (cell.value, cell.data_type) == (read, "s")


def test_spaces_at_either_end_are_kept_for_excel() -> None:
    """Excel drops the spaces around a cell's text unless the XML says to keep them (openpyxl keeps them anyway)."""
    with zipfile.ZipFile(io.BytesIO(xlsx(Sheet("s", [Column("h")], [(" 左",), ("右 ",), ("中 间",)])))) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert '<t xml:space="preserve"> 左</t>' in xml and '<t xml:space="preserve">右 </t>' in xml and "<t>中 间</t>" in xml


def test_multi_line_text_wraps() -> None:
    rows = cells(xlsx(Sheet("s", [Column("h")], [("一行",), ("两行\n文本",)])))
    assert [r[0].alignment.wrap_text for r in rows[1:]] == [None, True]


def test_a_text_longer_than_a_cell_holds_is_cut_with_an_ellipsis() -> None:
    cell = one("text", "长" * 40_000)
    assert cell.value == "长" * 32_766 + "…"


# -- formula injection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","点我")', "+86 138 0000 0000", "-5% 折扣", "@SUM(A1:A9)", "=1+1", "=A1\n第二行"],
)
def test_text_that_looks_like_a_formula_stays_text_with_a_quote_prefix(text: str) -> None:
    data = xlsx(Sheet("s", [Column("=header"), Column("h")], [(text, text)]))
    header, row = cells(data)
    assert [(c.value, c.data_type, c.quotePrefix) for c in row] == [(text, "s", True)] * 2
    assert (header[0].value, header[0].data_type) == ("=header", "s")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert b"<f>" not in package.read("xl/worksheets/sheet1.xml")


def test_plain_text_has_no_quote_prefix() -> None:
    assert one("text", "包头鑫达").quotePrefix is False


# -- header, filter, widths -------------------------------------------------------------------


def test_the_header_is_bold_and_frozen_and_the_filter_covers_the_table() -> None:
    data = xlsx(OPPORTUNITIES)
    sheet = book(data).worksheets[0]
    header = next(sheet.iter_rows(max_row=1))
    assert [c.value for c in header] == ["编号", "客户", "合同金额", "成交热度", "预计成交", "更新于", "暂停", "加权预测"]
    assert all(c.font.b for c in header)
    assert not any(c.font.b for c in next(sheet.iter_rows(min_row=2, max_row=2)))
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H3"
    assert load_workbook(io.BytesIO(data), read_only=True).worksheets[0].calculate_dimension() == "A1:H3"


def test_an_empty_table_still_has_its_header_and_filter() -> None:
    sheet = book(xlsx(Sheet("空", [Column("编号", "int"), Column("客户")], []))).worksheets[0]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["编号", "客户"]]
    assert sheet.auto_filter.ref == "A1:B1"


def test_headers_are_rendered_in_the_workbook_language() -> None:
    sheet = Sheet("s", [Column(t("负责人", "Owner")), Column(t("金额", "Amount"), "money")], [])
    assert [c.value for c in cells(xlsx(sheet, lang="en"))[0]] == ["Owner", "Amount"]


@pytest.mark.parametrize(
    ("column", "values", "width"),
    [
        (Column("ID", "int"), [1, 22, 333], 6),  # header 2 + filter 2 + 2: below the least width
        (Column("客户"), ["包头鑫达物流有限公司"], 22),  # ten wide characters + 2
        (Column("Account"), ["Baotou Xinda"], 14),
        (Column("客户"), ["Baotou 鑫达 Logistics"], 23),
        (Column("备注"), ["短\n包头鑫达物流有限公司的第二行"], 30),  # the longest line
        (Column("备注"), ["长" * 100], 60),  # at most 60
        (Column("合同金额", "money"), [Decimal("1234567.50"), -5], 16),  # "1,234,567.50元"
        (Column("金额", "money"), [-12345678.5], 18),  # "-12,345,678.50元"
        (Column("热度", "percent"), [0.35, 1], 8),  # header 4 + 2 > "100.0%"
        (Column("到期", "date"), [dt.date(2027, 2, 15)], 12),
        (Column("更新于", "datetime"), [dt.datetime(2027, 2, 15, 9, 30)], 18),
        (Column("暂停", "bool"), [True], 8),
        (Column("备注", width=33.5), ["x"], 33.5),  # as the caller says
    ],
)
def test_columns_are_as_wide_as_their_widest_value_counting_chinese_as_two(column: Column, values: list[Any], width: float) -> None:
    sheet = book(xlsx(Sheet("s", [column], [(v,) for v in values]))).worksheets[0]
    assert sheet.column_dimensions["A"].width == width


@pytest.mark.parametrize(
    ("text", "width"),
    [("abc", 3), ("包头", 4), ("ｱｲ", 2), ("ＡＢ", 4), ("é", 1), ("a\n包头鑫", 6), ("🚚", 2), ("", 0), ("（）：，", 8)],
)
def test_display_width_counts_east_asian_wide_characters_as_two(text: str, width: int) -> None:
    assert display_width(text) == width


# -- sheets ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["商机", "阶段转化", "丢单原因"], ["商机", "阶段转化", "丢单原因"]),
        (["a[1]:b*c?d/e\\f"], ["a_1__b_c_d_e_f"]),
        (["x" * 40], ["x" * 31]),
        (["王磊的商机" * 7], [("王磊的商机" * 7)[:31]]),
        (["Owners", "owners", "OWNERS"], ["Owners", "owners (2)", "OWNERS (3)"]),
        (["x" * 31, "x" * 31], ["x" * 31, "x" * 27 + " (2)"]),
        (["History", "history"], ["History_", "history_ (2)"]),
        (["", "  ", "'quoted'"], ["Sheet1", "Sheet2", "quoted"]),
        (["🚚" * 20], ["🚚" * 15]),  # a character outside the BMP counts two of the 31
    ],
)
def test_sheet_names_are_made_valid_and_unique(names: list[str], expected: list[str]) -> None:
    assert sheet_names(names) == expected


def test_one_sheet_per_table_in_order() -> None:
    lost = Sheet("丢单原因", [Column("原因"), Column("商机", "int")], [("价格", 3)])
    same = Sheet("商机", [Column("编号", "int")], [(1,)])
    workbook = book(xlsx(OPPORTUNITIES, lost, same))
    assert workbook.sheetnames == ["商机", "丢单原因", "商机 (2)"]
    assert [[c.value for c in row] for row in workbook["丢单原因"].iter_rows()] == [["原因", "商机"], ["价格", 3]]
    assert workbook["商机 (2)"].auto_filter.ref == "A1:A2"


# -- the same bytes for the same input -----------------------------------------------------------------


def test_the_same_sheets_give_the_same_bytes() -> None:
    assert xlsx(OPPORTUNITIES) == xlsx(OPPORTUNITIES)
    assert xlsx(OPPORTUNITIES) != xlsx(OPPORTUNITIES, generated_at=GENERATED + dt.timedelta(seconds=1))


def test_the_document_properties_and_entry_times_are_fixed() -> None:
    data = xlsx(OPPORTUNITIES, generated_at=dt.datetime(2027, 2, 1, 8, 30, tzinfo=SHANGHAI))
    properties = book(data).properties
    assert (properties.creator, properties.created, properties.modified) == ("kam", GENERATED, GENERATED)
    assert properties.language == "zh-CN"
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert {entry.date_time for entry in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert book(write_xlsx([OPPORTUNITIES])).properties.created == dt.datetime(2000, 1, 1)


# -- bad sheets ------------------------------------------------------------------------------------------------


class Rows(Sequence[Any]):
    """As many rows as `len` says, none of them built (a test of the limit, not of memory)."""

    def __init__(self, length: int) -> None:
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: Any) -> Any:
        raise AssertionError("the rows are counted before any is read")


def test_no_sheets_is_refused() -> None:
    with pytest.raises(InvalidInput) as info:
        write_xlsx([])
    assert info.value.message == t("工作簿至少要有一张表", "a workbook needs at least one sheet")


def test_more_rows_than_a_worksheet_holds_are_refused() -> None:
    with pytest.raises(InvalidInput) as info:
        xlsx(Sheet("商机", [Column("编号", "int")], Rows(1_048_576)))
    assert info.value.message == t(
        "表 '商机' 有 1048576 行，超过 Excel 一张工作表的上限 1048575 行：用筛选条件（如 --owner）缩小范围",
        "sheet '商机' has 1048576 rows, past the 1048575 an Excel worksheet holds: narrow it with a filter such as --owner",
    )


@pytest.mark.parametrize("count", [0, 16_385])
def test_a_sheet_without_columns_or_with_too_many_is_refused(count: int) -> None:
    with pytest.raises(InvalidInput) as info:
        xlsx(Sheet("s", [Column(f"c{i}") for i in range(count)], []))
    assert info.value.message.en == f"sheet 's' has {count} columns: a worksheet holds 1 to 16384"
    assert info.value.message.zh == f"表 's' 有 {count} 列：一张工作表须有 1 到 16384 列"


def test_a_temporary_folder_that_cannot_be_written_is_said_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    missing = tmp_path / "gone"
    monkeypatch.setattr(tempfile, "tempdir", str(missing))
    with pytest.raises(InvalidInput) as info:
        xlsx(OPPORTUNITIES)
    assert info.value.message.en == (
        f"cannot write the workbook: its temporary file failed (No such file or directory): check the space and permissions of {missing}"
    )
    assert info.value.message.zh == f"无法写出工作簿：临时文件写入失败（No such file or directory）：检查临时目录 {missing} 的空间与权限"


def test_a_row_of_the_wrong_length_is_a_bug_in_the_caller() -> None:
    with pytest.raises(ValueError, match=r"^sheet '商机', row 2: 7 values for 8 columns$"):
        xlsx(Sheet("商机", OPPORTUNITIES.columns, [OPPORTUNITIES.rows[0], OPPORTUNITIES.rows[1][:7]]))


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("int", "12", r"^sheet 's', column 'h': '12' is not a number \(int\)$"),
        ("money", True, r"^sheet 's', column 'h': True is not a number \(money\)$"),
        ("date", "2027-02-15", r"^sheet 's', column 'h': '2027-02-15' is not a date$"),
        ("datetime", 1, r"^sheet 's', column 'h': 1 is not a date or time$"),
        ("bool", 1, r"^sheet 's', column 'h': 1 is not a bool$"),
    ],
)
def test_a_value_that_does_not_fit_its_column_is_a_bug_in_the_caller(kind: str, value: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        xlsx(Sheet("s", [Column("h", kind)], [(value,)]))  # type: ignore[arg-type]


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^column 'h': kind 'money\(元\)' is not one of text, int, number, money, "):
        Column("h", "money(元)")  # type: ignore[arg-type]


# -- the same cells as openpyxl's own writer ----------------------------------------------------------------

FORMATS = {"int": "0", "number": "#,##0.00", "money": '#,##0.00"元"', "percent": "0.0%", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
TEXT = st.text(
    st.one_of(st.sampled_from(list("包头鑫达物流 abc=+-@&<>\"'\n\t ") + ["🚚"]), st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn"))),
    min_size=1,
    max_size=30,
)
VALUES = {
    "text": TEXT,
    "int": st.integers(-(2**53), 2**53),
    "number": st.floats(min_value=-1e300, max_value=1e300),  # near the largest float openpyxl's 16 digits overflow
    "money": st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False),
    "percent": st.floats(min_value=-10, max_value=10),
    "date": st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    "datetime": st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    "bool": st.booleans(),
}


def reference(columns: list[Column], rows: list[tuple[Any, ...]]) -> bytes:
    """The same table written cell by cell by openpyxl itself (text as text, the same formats)."""
    workbook = Workbook()
    sheet = workbook.active
    for index, column in enumerate(columns, 1):
        sheet.cell(1, index, str(column.header)).data_type = "s"
    for number, row in enumerate(rows, 2):
        for index, (column, value) in enumerate(zip(columns, row, strict=True), 1):
            if value is None:
                continue
            cell = sheet.cell(number, index)
            if column.kind == "text":
                cell.value = value
                cell.data_type = "s"
            elif column.kind == "bool":
                cell.value = "是" if value else "否"
            else:
                cell.value = float(value) if isinstance(value, Decimal) else value
                cell.number_format = FORMATS[column.kind]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def grid(data: bytes, rows: int, columns: int) -> list[list[tuple[Any, str, str]]]:
    sheet = book(data).worksheets[0]
    cell = sheet.cell
    return [
        [(c.value, c.data_type, c.number_format) if c.value is not None else (None, "-", "-") for c in (cell(r, k) for k in range(1, columns + 1))]
        for r in range(1, rows + 2)
    ]


def same(ours: Any, theirs: Any) -> bool:
    """Equal, allowing for openpyxl writing numbers with 16 digits ("%.16g") where kam writes the exact float."""
    if isinstance(ours, float | int) and isinstance(theirs, float | int):
        return math.isclose(ours, theirs, rel_tol=1e-15, abs_tol=1e-300)
    if isinstance(ours, dt.datetime) and isinstance(theirs, dt.datetime):
        return abs(ours - theirs) <= dt.timedelta(milliseconds=1)  # Excel keeps times to the millisecond
    return bool(ours == theirs)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(list(VALUES)), min_size=1, max_size=6).flatmap(
        lambda kinds: st.tuples(st.just(kinds), st.lists(st.tuples(*(st.one_of(st.none(), VALUES[k]) for k in kinds)), max_size=6))
    )
)
def test_the_rows_read_back_as_openpyxl_writes_them(table: tuple[list[str], list[tuple[Any, ...]]]) -> None:
    kinds, rows = table
    columns = [Column(f"c{i}", kind) for i, kind in enumerate(kinds)]  # type: ignore[arg-type]
    ours = grid(xlsx(Sheet("s", columns, rows), tz=None), len(rows), len(columns))
    theirs = grid(reference(columns, rows), len(rows), len(columns))
    for our_row, their_row in zip(ours, theirs, strict=True):
        for (value, kind, number_format), (their_value, their_kind, their_format) in zip(our_row, their_row, strict=True):
            assert (kind, number_format) == (their_kind, their_format)
            assert same(value, their_value), (value, their_value)


# -- size ------------------------------------------------------------------------------------------------------


def test_a_hundred_thousand_rows_of_ten_columns_take_a_fraction_of_five_seconds() -> None:
    """`kam opp list --xlsx` of 100,000 opportunities must finish under 5 s and 300 MB, the query included."""
    owners = ["王磊", "李娜", "张伟", "刘洋", "陈静"]
    columns = [
        Column("编号", "int"), Column("客户"), Column("项目"), Column("负责人"), Column("阶段"),
        Column("预计成交", "date"), Column("金额", "money"), Column("热度", "percent"), Column("暂停", "bool"),
        Column("更新于", "datetime"),
    ]
    rows = [
        (i, f"包头鑫达物流有限公司{i}", f"大客户采购项目 {i} 期", owners[i % 5], "方案交流", dt.date(2027, 1, 1) + dt.timedelta(days=i % 300),
         Decimal(1234567) + i, (i % 100) / 100, i % 7 == 0, dt.datetime(2027, 1, 1, 9, 30) + dt.timedelta(minutes=i))
        for i in range(100_000)
    ]
    data = xlsx(Sheet("商机", columns, rows))  # about 1.4 s of CPU on the 2-core machine; the suite asserts no timing
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    assert sheet.calculate_dimension() == "A1:J100001"
    first, last = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True)), None
    assert first == (0, "包头鑫达物流有限公司0", "大客户采购项目 0 期", "王磊", "方案交流", dt.datetime(2027, 1, 1), 1234567, 0, "是",
                     dt.datetime(2027, 1, 1, 9, 30))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        last = package.read("xl/worksheets/sheet1.xml").rsplit(b"<row ", 1)[1]
    assert last.startswith(b'r="100001"><c r="A100001" s="')

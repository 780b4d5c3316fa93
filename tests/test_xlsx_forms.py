"""Excel forms (`forms.xlsx`): the template, reading it back cell by cell, and every bad workbook refused in one line.

The tests fill the template the way a manager does: openpyxl opens the blank template, finds each
field by the key in column C (or a table's key row) and types into the cell. LibreOffice headless
re-saves a filled form as a third-party spreadsheet program would (skipped when `soffice` is absent).

Fixtures in `tests/fixtures/xlsx/`: `old-format.xls` is the phone-invite template saved by
LibreOffice 7.4 as "MS Excel 97"; `encrypted.xlsx` the same template encrypted with
msoffcrypto-tool (`msoffcrypto-tool -e -p kam`), i.e. an OLE package holding EncryptedPackage.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import struct
import subprocess
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from forms_fixtures import load

import forms
from forms import FieldError, xlsx
from forms.introspect import FieldSpec, describe
from workflow.errors import InvalidInput

FIXTURES = Path(__file__).parent / "fixtures" / "xlsx"
LANGS = ("zh", "en")


# -- a manager filling the template with openpyxl ------------------------------------------------------


def typed(spec: FieldSpec, value: Any, lang: str) -> Any:
    """What a manager puts in the cell for a document value: a drop-down label, a date, a number, text."""
    if spec.type == "choice":
        return spec.choice_label(value, lang)
    if spec.type == "bool":
        return xlsx.BOOL_LABELS[lang][0 if value else 1]
    if spec.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if spec.type == "datetime" and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def key_rows(sheet: Any) -> dict[str, int]:
    # a table's own key row (column A "键 (key)") holds its columns' keys, one of which may fall in column C
    return {
        sheet.cell(r, 3).value: r
        for r in range(1, sheet.max_row + 1)
        if isinstance(sheet.cell(r, 3).value, str) and sheet.cell(r, 1).value not in ("键 (key)", "key")
    }


def fill_sheet(sheet: Any, kind: str, doc: dict[str, Any], lang: str) -> None:
    """Type `doc` into the form sheet, inserting table rows when the blank ones run out."""

    def walk(specs: tuple[FieldSpec, ...] | list[FieldSpec], values: dict[str, Any]) -> None:
        for spec in specs:
            value = values.get(spec.key)
            if value is None:
                continue
            if spec.type == "object":
                walk(spec.children, value)
            elif spec.type in ("list-of-str", "list-of-date"):
                first = key_rows(sheet)[spec.path] + 1
                rows_for(first, len(value), lambda r: isinstance(sheet.cell(r, 1).value, int))
                for i, item in enumerate(value):
                    sheet.cell(first + i, 2, item)
            elif spec.type == "list-of-object":
                title = key_rows(sheet)[spec.path]
                keys_at, first = title + 2, title + 3
                columns: dict[str, list[int]] = {}
                for c in range(2, sheet.max_column + 1):
                    if sheet.cell(keys_at, c).value:
                        columns.setdefault(sheet.cell(keys_at, c).value, []).append(c)
                rows_for(first, len(value), lambda r: isinstance(sheet.cell(r, 1).value, int))
                names: dict[str, dict[str, int]] = {}
                for i, item in enumerate(value):
                    for child in spec.children:
                        put_child(child, item.get(child.key), child.key, first + i, columns, names, title + 1)
            else:
                sheet.cell(key_rows(sheet)[spec.path], 2, typed(spec, value, lang))

    def put_child(child: FieldSpec, value: Any, rel: str, r: int, columns: dict[str, list[int]],
                  names: dict[str, dict[str, int]], header: int) -> None:
        if value is None:
            return
        if child.type == "object":
            for grandchild in child.children:
                put_child(grandchild, value.get(grandchild.key), f"{rel}.{grandchild.key}", r, columns, names, header)
        elif child.type == "dict-of-number":
            where = names.setdefault(rel, {})
            for name, number in value.items():
                if name not in where:  # rename the next placeholder header to this competitor
                    where[name] = columns[rel][len(where)]
                    sheet.cell(header, where[name], name)
                sheet.cell(r, where[name], number)
        elif child.type in ("list-of-str", "list-of-date"):
            sheet.cell(r, columns[rel][0], "\n".join(str(v) for v in value))
        else:
            sheet.cell(r, columns[rel][0], typed(child, value, lang))

    def rows_for(first: int, needed: int, is_blank_row: Any) -> None:
        have = 0
        while is_blank_row(first + have):
            have += 1
        if needed > have:  # as a manager does: insert whole rows inside the table
            sheet.insert_rows(first + have - 1, needed - have)

    walk(describe(kind), doc)


def filled(kind: str, doc: dict[str, Any], lang: str = "zh") -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(xlsx.write_template(kind, lang)))
    fill_sheet(book.worksheets[0], kind, doc, lang)
    return save(book)


def save(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def edit(data: bytes, change: Any) -> bytes:
    """Open a workbook with openpyxl, let `change(sheet)` edit the form sheet, save it."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    change(book.worksheets[0])
    return save(book)


def stored(kind: str, doc: dict[str, Any]) -> dict[str, Any]:
    return forms.dump(forms.validate(kind, doc))


def refusal(exc: pytest.ExceptionInfo[InvalidInput]) -> tuple[str, str]:
    return exc.value.message.zh, exc.value.message.en


def problems(kind: str, data: bytes) -> list[tuple[str, str]]:
    values, cells = xlsx.read_form(kind, data, name="f.xlsx")
    with pytest.raises(InvalidInput) as exc:
        xlsx.check(kind, values, cells, name="f.xlsx")
    return [(d.zh, d.en) for d in exc.value.details]


def _walk(specs: tuple[FieldSpec, ...] | list[FieldSpec]) -> Any:
    for spec in specs:
        yield spec
        yield from _walk(spec.children)


# -- the template ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", forms.KINDS)
def test_template_reads_back_as_its_prefill(kind: str, lang: str) -> None:
    data = xlsx.write_template(kind, lang)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == list(xlsx.SHEET_NAMES[lang])
    assert book.worksheets[0]["C1"].value == kind
    values, _ = xlsx.read_form(kind, data)
    required_lists: dict[str, Any] = {s.key: [] for s in describe(kind) if s.required and s.type.startswith("list-")}
    required_objects: dict[str, Any] = {s.key: {} for s in describe(kind) if s.required and s.type == "object"}
    assert values == {**required_objects, **required_lists, **forms.get(kind).prefill}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", forms.KINDS)
def test_untouched_template_fails_only_on_required_fields_each_at_its_cell(kind: str, lang: str) -> None:
    values, cells = xlsx.read_form(kind, xlsx.write_template(kind, lang))
    with pytest.raises(forms.FormInvalid) as exc:
        forms.validate(kind, values)
    assert {e.message_zh for e in exc.value.errors} <= {"必填项缺失", "至少需要一项"}
    assert all(xlsx.locate(error, cells) is not None for error in exc.value.errors)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", forms.KINDS)
def test_template_shows_every_field_with_both_labels_and_its_key(kind: str, lang: str) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.write_template(kind, lang))).worksheets[0]
    other = "en" if lang == "zh" else "zh"
    rows = key_rows(sheet)
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    for spec in describe(kind):
        for field in _walk([spec]):
            if field.path in rows:  # a field row or a title row
                r = rows[field.path]
                assert sheet.cell(r, 1).value == field.label(lang) + (" *" if field.required else "")
                assert sheet.cell(r, 4).value == field.label(other)
            else:  # a column of a table: its label in the header row, its key in the key row
                assert any(c.startswith(field.label(lang)) or f"· {field.label(lang)}" in c for c in cells), field.path
                assert field.key in cells or field.type == "dict-of-number", field.path


@pytest.mark.parametrize("kind", forms.KINDS)
def test_every_choice_and_yes_no_cell_has_its_drop_down_of_labels(kind: str) -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx.write_template(kind, "zh")))
    sheet, notes = book.worksheets
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        ref = validation.formula1.split("!")[1].replace("$", "")
        lists[str(validation.sqref)] = [c.value for row in notes[ref] for c in row]
    offered = {cell: labels for sqref, labels in lists.items() for cell in sqref.split()}
    rows = key_rows(sheet)
    for spec in _walk(describe(kind)):
        if spec.path in rows and spec.type in ("choice", "bool"):
            labels = [spec.choice_label(v, "zh") for v in spec.choices] if spec.type == "choice" else ["是", "否"]
            assert offered[f"B{rows[spec.path]}"] == labels, spec.path


def test_date_text_and_number_cells_are_formatted_for_what_is_typed() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.write_template("phone-invite-feedback"))).worksheets[0]
    rows = key_rows(sheet)
    assert sheet.cell(rows["call_date"], 2).number_format == "yyyy-mm-dd"
    assert sheet.cell(rows["visit_time"], 2).number_format == "yyyy-mm-dd hh:mm"
    assert sheet.cell(rows["contact.phone"], 2).number_format == "@"  # Excel keeps 0472 as typed
    contract = openpyxl.load_workbook(io.BytesIO(xlsx.write_template("contract-review"))).worksheets[0]
    assert contract.cell(key_rows(contract)["quantity"], 2).number_format == "0"


@pytest.mark.parametrize(
    ("kind", "table", "rows"),
    [
        ("visit-feedback", "customer_attendees", 6),
        ("visit-feedback", "our_visitors", 5),
        ("product-proposal", "configurations", 6),
        ("evaluation-scorecard", "criteria", 8 + 2),  # the seed's eight criteria and two blank rows
    ],
)
def test_tables_have_a_header_a_key_row_and_blank_rows(kind: str, table: str, rows: int) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.write_template(kind))).worksheets[0]
    title = key_rows(sheet)[table]
    first = title + (1 if table == "our_visitors" else 3)
    numbers: list[int] = []
    while isinstance(sheet.cell(first + len(numbers), 1).value, int):
        numbers.append(sheet.cell(first + len(numbers), 1).value)
    assert numbers == list(range(1, rows + 1))


def test_product_proposal_table_layout() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.write_template("product-proposal"))).worksheets[0]
    title = key_rows(sheet)["configurations"]
    header = [sheet.cell(title + 1, c).value for c in range(1, 9)]
    keys = [sheet.cell(title + 2, c).value for c in range(1, 9)]
    assert header == ["序号", "车型 *", "吨位", "底盘配置", "上装", "排放标准", "数量 *", "指导单价 *"]
    assert keys == ["键 (key)", "model", "tonnage", "chassis", "body", "emission_standard", "quantity", "unit_price"]
    assert sheet.cell(title + 1, 7).comment.text == "Quantity — 整数；台"


def test_scorecard_starts_from_the_seed_criteria_with_competitor_columns() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.write_template("evaluation-scorecard"))).worksheets[0]
    title = key_rows(sheet)["criteria"]
    assert [sheet.cell(title + 1, c).value for c in range(2, 8)] == [
        "评估指标 *", "权重 *", "我方得分 *", "竞争对手得分 1", "竞争对手得分 2", "竞争对手得分 3",
    ]
    assert [sheet.cell(title + 2, c).value for c in range(5, 8)] == ["competitor_scores"] * 3
    assert [(sheet.cell(r, 2).value, sheet.cell(r, 3).value) for r in range(title + 3, title + 11)] == [
        ("客户关系", 20), ("售后服务", 15), ("行业地位", 10), ("品牌", 10),
        ("产品性能", 15), ("价格", 15), ("供货能力", 10), ("快速解决方案", 5),
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_instructions_sheet(lang: str) -> None:
    notes = openpyxl.load_workbook(io.BytesIO(xlsx.write_template("service-plan", lang))).worksheets[1]
    text = "\n".join(str(c.value) for row in notes.iter_rows() for c in row if c.value is not None)
    if lang == "zh":
        assert text.startswith("填写说明：关系维护与服务计划（service-plan）\n1. 在“表单”工作表的黄色格")
        for words in ("带 * 的项目为必填", "日期：输入 2026-11-20", "开头的 0 会保留", "行不够时在表格中间插入整行",
                      "Alt+Enter", "自动计算，不用填写：回访计划", "kam doc fill 商机编号 service-plan --file 文件名.xlsx",
                      "kam doc template service-plan（YAML 版", "是/否"):
            assert words in text, words
    else:
        assert text.startswith("How to fill in: Relationship and service plan (service-plan)\n1. Fill in the yellow cells")
        for words in ("marked * is required", "Dates: type 2026-11-20", "leading zeros included", "insert whole rows",
                      "Alt+Enter", "kam computes these; do not type them: Return visits",
                      "kam doc fill OPPORTUNITY_ID service-plan --file FILE.xlsx", "kam doc template service-plan (the YAML"):
            assert words in text, words


def test_unknown_kind() -> None:
    with pytest.raises(forms.UnknownKind):
        xlsx.write_template("visit-report")
    with pytest.raises(forms.UnknownKind):
        xlsx.read_form("visit-report", b"")


# -- round trips ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", forms.KINDS)
def test_sample_typed_into_the_template_reads_back_as_the_sample(kind: str, lang: str) -> None:
    sample = load(kind)
    values, _ = xlsx.read_form(kind, filled(kind, sample, lang))
    assert stored(kind, values) == stored(kind, sample)


@pytest.mark.parametrize("kind", forms.KINDS)
def test_a_stored_document_written_into_the_form_reads_back_unchanged(kind: str) -> None:
    document = stored(kind, load(kind))  # as kept in the database: dates as text, no blanks
    values, _ = xlsx.read_form(kind, xlsx.write_template(kind, "zh", data=document))
    assert stored(kind, values) == document


def test_load_form_gives_the_document_to_store() -> None:
    sample = load("service-plan")
    assert stored("service-plan", xlsx.load_form("service-plan", filled("service-plan", sample))) == stored("service-plan", sample)


def test_rows_inserted_inside_a_table_and_blank_rows_between_items() -> None:
    doc = load("visit-feedback")
    doc["decision_chain"] = doc["decision_chain"][:2]

    def change(sheet: Any) -> None:
        title = key_rows(sheet)["decision_chain"]
        sheet.insert_rows(title + 4, 3)  # three rows in the middle: no item number in column A
        sheet.cell(title + 6, 2, "刘振华")
        sheet.cell(title + 6, 3, "财务科")
        sheet.cell(title + 6, 5, "低")  # influence

    values, cells = xlsx.read_form("visit-feedback", edit(filled("visit-feedback", doc), change))
    assert [m["name"] for m in values["decision_chain"]] == ["周海涛", "刘振华", "赵建国"]
    assert values["decision_chain"][1] == {"name": "刘振华", "department": "财务科", "influence": "low"}
    assert cells["decision_chain[1].influence"].ref == "E37"  # title row 31, header, keys, item 1, two blank rows


def test_a_sheet_added_in_front_of_the_form() -> None:
    book = openpyxl.load_workbook(io.BytesIO(filled("contract-review", load("contract-review"))))
    book.create_sheet("封面", 0)["A1"] = "包头市环境卫生服务中心"
    values, _ = xlsx.read_form("contract-review", save(book))
    assert stored("contract-review", values) == stored("contract-review", load("contract-review"))


def test_merged_cells_are_read_from_their_top_left_cell() -> None:
    def change(sheet: Any) -> None:
        rows = key_rows(sheet)
        sheet.merge_cells(f"B{rows['notes']}:E{rows['notes']}")  # a long note over the key and hint columns
        first = rows["our_visitors"] + 1
        sheet.merge_cells(f"B{first + 1}:B{first + 2}")  # the second visitor spread over two rows

    values, _ = xlsx.read_form("phone-invite-feedback", edit(filled("phone-invite-feedback", load("phone-invite-feedback")), change))
    assert values["notes"] == load("phone-invite-feedback")["notes"]
    assert values["our_visitors"] == ["王磊", "刘洋"]


# -- values as typed --------------------------------------------------------------------------------------


def one_cell(kind: str, path: str, value: Any, number_format: str | None = None) -> Any:
    """The value read back for `path` after typing `value` into its cell of an otherwise valid form."""

    def change(sheet: Any) -> None:
        cell = sheet.cell(key_rows(sheet)[path], 2)
        cell.value = value
        if number_format:
            cell.number_format = number_format

    found: Any = xlsx.read_form(kind, edit(filled(kind, load(kind)), change))[0]
    for part in path.split("."):
        found = found.get(part) if isinstance(found, dict) else None
    return found


@pytest.mark.parametrize(
    ("typed_value", "number_format", "expected"),
    [
        ("0472", "@", "0472"),  # a text cell keeps the leading zero
        ("0472-5123456", "@", "0472-5123456"),
        (13904721234, "General", "13904721234"),  # typed into a General cell: a number, read as its digits
        (13904721234.0, "General", "13904721234"),
        ("+86 139 0472 1234", "@", "+86 139 0472 1234"),
    ],
)
def test_text_is_kept_as_typed(typed_value: Any, number_format: str, expected: str) -> None:
    assert one_cell("phone-invite-feedback", "contact.phone", typed_value, number_format) == expected


@pytest.mark.parametrize(
    ("typed_value", "expected"),
    [
        (dt.datetime(2026, 9, 2), dt.date(2026, 9, 2)),  # what a date cell holds
        ("2026-09-02", dt.date(2026, 9, 2)),
        ("2026/09/02", dt.date(2026, 9, 2)),
        ("2026/9/2", dt.date(2026, 9, 2)),
        ("2026.9.2", dt.date(2026, 9, 2)),
        ("2026年9月2日", dt.date(2026, 9, 2)),
        ("２０２６－０９－０２", dt.date(2026, 9, 2)),  # full-width digits from a Chinese input method
        (46267, dt.date(2026, 9, 2)),  # a date cell whose format was lost: Excel's day number
        ("2026-02-30", "2026-02-30"),  # no such day: left for validation to say so
        ("下周二", "下周二"),
    ],
)
def test_dates_as_people_type_them(typed_value: Any, expected: Any) -> None:
    assert one_cell("phone-invite-feedback", "call_date", typed_value, "General") == expected


@pytest.mark.parametrize(
    ("typed_value", "expected"),
    [
        (dt.datetime(2026, 9, 8, 9, 30), dt.datetime(2026, 9, 8, 9, 30)),
        ("2026-09-08 09:30", dt.datetime(2026, 9, 8, 9, 30)),
        ("2026/9/8 9:30", dt.datetime(2026, 9, 8, 9, 30)),
        ("2026-09-08T09:30", dt.datetime(2026, 9, 8, 9, 30)),
        ("2026年9月8日 9时30分", dt.datetime(2026, 9, 8, 9, 30)),
        ("2026-09-08 25:00", "2026-09-08T25:00:00"),
    ],
)
def test_date_times(typed_value: Any, expected: Any) -> None:
    assert one_cell("phone-invite-feedback", "visit_time", typed_value, "General") == expected


@pytest.mark.parametrize(
    ("path", "typed_value", "expected"),
    [
        ("interest", "高", "high"),
        ("interest", "high", "high"),
        ("interest", "High", "high"),
        ("interest", " 中 ", "medium"),
        ("interest", "很高", "很高"),  # validation refuses it at its cell
    ],
)
def test_choices_by_label_or_key(path: str, typed_value: Any, expected: Any) -> None:
    assert one_cell("phone-invite-feedback", path, typed_value) == expected


@pytest.mark.parametrize(
    ("typed_value", "expected"),
    [("二级：客户了解产品，愿透露重要信息", 2), ("二级", 2), ("level 2", 2), (2, 2), (2.0, 2), ("2", 2), ("５", "5")],
)
def test_relationship_level_by_label_short_label_or_number(typed_value: Any, expected: Any) -> None:
    assert one_cell("visit-feedback", "relationship_level", typed_value) == expected


@pytest.mark.parametrize(
    ("typed_value", "expected"), [("是", True), ("否", False), ("yes", "yes"), (True, True), (False, False)]
)
def test_yes_no(typed_value: Any, expected: Any) -> None:
    assert one_cell("contract-review", "service_within_policy", typed_value) == expected


@pytest.mark.parametrize(
    ("path", "typed_value", "expected"),
    [
        ("quantity", 30, 30),
        ("quantity", 30.0, 30),
        ("quantity", "30", "30"),  # validation reads the digits
        ("unit_price", "362,000", "362000"),
        ("unit_price", 362000.5, 362000.5),
        ("unit_price", True, "TRUE"),  # TRUE in a number cell is a mistake, not 1
        ("penalty_percent", "０.５", "0.5"),
    ],
)
def test_numbers(path: str, typed_value: Any, expected: Any) -> None:
    assert one_cell("contract-review", path, typed_value) == expected


def test_typed_values_validate() -> None:
    def change(sheet: Any) -> None:
        rows = key_rows(sheet)
        sheet.cell(rows["call_date"], 2, "2026年9月2日")
        sheet.cell(rows["visit_time"], 2, "2026/9/8 9:30")
        sheet.cell(rows["interest"], 2, "high")

    values, _ = xlsx.read_form("phone-invite-feedback", edit(filled("phone-invite-feedback", load("phone-invite-feedback")), change))
    assert stored("phone-invite-feedback", values) == stored("phone-invite-feedback", load("phone-invite-feedback"))


def test_several_items_in_one_cell() -> None:
    def change(sheet: Any) -> None:
        title = key_rows(sheet)["training"]
        sheet.cell(title + 3, 4, "驾驶要点\n\n  DPF 再生操作  \n")  # blank lines dropped; each line is stripped by validation

    values, _ = xlsx.read_form("service-plan", edit(filled("service-plan", load("service-plan")), change))
    assert values["training"][0]["topics"] == ["驾驶要点", "  DPF 再生操作  "]
    assert forms.dump(forms.validate("service-plan", values))["training"][0]["topics"] == ["驾驶要点", "DPF 再生操作"]


# -- problems named by their cell ------------------------------------------------------------------------


def test_every_problem_names_its_cell_and_label() -> None:
    doc = load("product-proposal")
    doc["configurations"][1]["quantity"] = 0
    doc["configurations"][0]["unit_price"] = "面议"
    del doc["solution_summary"]
    doc["customer_type"] = "机关"  # neither a key, a label nor a short form (政府 is one: issue 16)

    assert problems("product-proposal", filled("product-proposal", doc)) == [
        (
            "B4 客户类别: 「机关」不是可选值；可选：政府客户 (government)、企业客户 (enterprise)、个人客户 (individual)",
            'B4 Customer type: "机关" is not one of the choices: government (政府客户), enterprise (企业客户), individual (个人客户)',
        ),
        (
            "H26 指导单价: 无法把「面议」读作金额；可写作 386000、386,000、386,000.50、38.6万、38.6 万元、1.2亿、¥386,000.00 或 386000元",
            'H26 Indicative unit price: "面议" is not an amount kam can read; write it as 386000, 386,000, 386,000.50, 38.6万, 38.6 万元, 1.2亿, ¥386,000.00 or 386000元',
        ),
        ("G27 数量: 必须大于 0", "G27 Quantity: Input should be greater than 0"),
        ("B32 方案概述: 必填项缺失", "B32 Solution summary: Field required"),
    ]


def test_problems_inside_tables_and_in_competitor_columns() -> None:
    doc = load("evaluation-scorecard")
    doc["criteria"][2]["competitor_scores"]["重汽"] = 11
    doc["decision_roles"][0]["role"] = "老板"
    assert problems("evaluation-scorecard", filled("evaluation-scorecard", doc)) == [
        ("F9 竞争对手得分（重汽）: 必须小于或等于 10", "F9 Competitor scores (重汽): Input should be less than or equal to 10"),
        (
            "C20 角色: 「老板」不是可选值；可选：决策者 (decider)、管理者 (manager)、执行者 (executor)",
            'C20 Role: "老板" is not one of the choices: decider (决策者), manager (管理者), executor (执行者)',
        ),
    ]


def test_a_rule_over_a_whole_table_points_at_its_title_row() -> None:
    doc = load("evaluation-scorecard")
    doc["criteria"][1]["weight"] = 25
    assert problems("evaluation-scorecard", filled("evaluation-scorecard", doc)) == [
        ("A4 评估指标: 权重合计应为 100，现为 110", "A4 Criteria: the weights must sum to 100, not 110"),
    ]


def test_cross_field_rules_point_at_the_later_cell() -> None:
    doc = load("exchange-minutes")
    doc["open_issues"][1]["due"] = "2026-10-01"  # before the meeting on 2026-10-15
    assert problems("exchange-minutes", filled("exchange-minutes", doc)) == [
        ("D41 完成日期: 完成日期不能早于交流日期", "D41 Due date: the due date must not be before the meeting"),
    ]


def test_check_header_and_problem_text() -> None:
    doc = load("phone-invite-feedback")
    del doc["contact"]["name"]
    values, cells = xlsx.read_form("phone-invite-feedback", filled("phone-invite-feedback", doc))
    with pytest.raises(InvalidInput) as exc:
        xlsx.check("phone-invite-feedback", values, cells, name="invite.xlsx")
    assert refusal(exc) == (
        "《电话邀约反馈单》表单（invite.xlsx）有 1 处问题，未保存：",
        "the Phone invitation feedback form (invite.xlsx) has 1 problem(s); nothing was stored:",
    )
    assert [(d.zh, d.en) for d in exc.value.details] == [("B7 姓名: 必填项缺失", "B7 Name: Field required")]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("contact.phone", ("B9 电话: 应为文本", "B9 Phone: should be text")),
        ("our_visitors[1]", ("B14 我方拜访人员: 应为文本", "B14 Our visitors: should be text")),
        ("our_visitors[7]", ("A12 我方拜访人员: 应为文本", "A12 Our visitors: should be text")),  # an item not read: its table
        ("notes.extra", ("B26 备注: 应为文本", "B26 Notes: should be text")),
        ("elsewhere", ("elsewhere (标签): 应为文本", "elsewhere (label): should be text")),  # no cell: the key path
        ("", ("应为文本", "should be text")),
    ],
)
def test_problem_falls_back_to_the_nearest_cell_read(path: str, expected: tuple[str, str]) -> None:
    _, cells = xlsx.read_form("phone-invite-feedback", filled("phone-invite-feedback", load("phone-invite-feedback")))
    label = ("标签", "label") if path == "elsewhere" else ("", "")
    text = xlsx.problem(FieldError(path, *label, "应为文本", "should be text"), cells)
    assert (text.zh, text.en) == expected


# -- bad workbooks: one line each ---------------------------------------------------------------------------


def zip_replace(data: bytes, changes: dict[str, Any], add: dict[str, bytes] | None = None) -> bytes:
    """A copy of an xlsx package with parts rewritten (`name: fn(bytes) -> bytes`) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            dst.writestr(item, changes[item.filename](body) if item.filename in changes else body)
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def declared_size(data: bytes, size: int) -> bytes:
    """The package with the first central-directory entry claiming `size` bytes unpacked (a zip bomb's header)."""
    at = data.index(b"PK\x01\x02")
    return data[: at + 24] + struct.pack("<I", size) + data[at + 28 :]


def sheet_xml(data: bytes, fn: Any) -> bytes:
    return zip_replace(data, {"xl/worksheets/sheet1.xml": lambda body: fn(body.decode()).encode()})


def with_formula(data: bytes, path: str, formula: str, cached: str | None) -> bytes:
    """The form with a formula in `path`'s value cell, with or without the value Excel caches beside it."""
    row = key_rows(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0])[path]

    def change(sheet: Any) -> None:
        sheet.cell(row, 2, formula)

    base = edit(data, change)
    if cached is None:
        return base
    return sheet_xml(base, lambda x: re.sub(
        rf'(<c r="B{row}"[^>]*?)(>)<f>(.*?)</f>(<v>\s*</v>|<v/>)?', lambda m: f'{m[1]} t="str"><f>{m[3]}</f><v>{cached}</v>', x
    ))


BASE = "phone-invite-feedback"


def good() -> bytes:
    return filled(BASE, load(BASE))


def test_formula_with_a_cached_value_is_read_as_that_value() -> None:
    values, _ = xlsx.read_form(BASE, with_formula(good(), "caller", '="王"&"磊"', "王磊"))
    assert values["caller"] == "王磊"


CASES: list[tuple[str, Any, tuple[str, str]]] = [
    (
        "big.xlsx", lambda: b"PK\x03\x04" + b"\0" * 5_000_000,
        ("文件 {f} 超过 5 MB 上限：表单通常只有几十 KB，请删除图片和多余的工作表后另存",
         "file {f} is larger than the 5 MB limit: a form is usually a few dozen KB; remove pictures and extra sheets and save it again"),
    ),
    (
        "form.xlsm", good,
        ("文件 {f} 是启用宏的工作簿 (.xlsm)，kam 不读取含宏的文件：请另存为不含宏的“Excel 工作簿 (*.xlsx)”",
         "file {f} is a macro-enabled workbook (.xlsm) and kam does not read files with macros: save it as an “Excel Workbook (*.xlsx)” without macros"),
    ),
    (
        "renamed-macros.xlsx", lambda: zip_replace(good(), {}, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"}),
        ("文件 {f} 是启用宏的工作簿 (.xlsm)，kam 不读取含宏的文件：请另存为不含宏的“Excel 工作簿 (*.xlsx)”",
         "file {f} is a macro-enabled workbook (.xlsm) and kam does not read files with macros: save it as an “Excel Workbook (*.xlsx)” without macros"),
    ),
    (
        "old.xls", lambda: (FIXTURES / "old-format.xls").read_bytes(),
        ("文件 {f} 是旧版 Excel 格式 (.xls/.et)：请在 Excel 或 WPS 中打开，另存为“Excel 工作簿 (*.xlsx)”",
         "file {f} is in the old Excel format (.xls/.et): open it in Excel or WPS and save it as “Excel Workbook (*.xlsx)”"),
    ),
    (
        "secret.xlsx", lambda: (FIXTURES / "encrypted.xlsx").read_bytes(),
        ("文件 {f} 设有打开密码（已加密），kam 无法读取：请在 Excel 或 WPS 中去掉密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后保存",
         "file {f} is password-protected (encrypted) and kam cannot read it: remove the password in Excel or WPS (File → Info → Protect Workbook → Encrypt with Password, clear it) and save it"),
    ),
    *[
        (
            name, (lambda body=body: body),
            ("文件 {f} 不是 Excel 工作簿 (.xlsx)：请在 Excel 或 WPS 中打开，另存为“Excel 工作簿 (*.xlsx)”",
             "file {f} is not an Excel workbook (.xlsx): open it in Excel or WPS and save it as “Excel Workbook (*.xlsx)”"),
        )
        for name, body in [
            ("empty.xlsx", b""),
            ("list.xlsx", "名称,性质\n包头市环卫中心,政府\n".encode()),  # a CSV renamed
            ("scan.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
            ("page.xlsx", b"<html><body><table><tr><td>1</td></tr></table></body></html>"),  # "xls" saved as a web page
        ]
    ],
    (
        "letter.xlsx", lambda: zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
        ("文件 {f} 不是 Excel 工作簿 (.xlsx)：请在 Excel 或 WPS 中打开，另存为“Excel 工作簿 (*.xlsx)”",
         "file {f} is not an Excel workbook (.xlsx): open it in Excel or WPS and save it as “Excel Workbook (*.xlsx)”"),
    ),
    (
        "half.xlsx", lambda: good()[:3000],
        ("文件 {f} 已损坏，不是完整的 .xlsx 工作簿：请在 Excel 或 WPS 中打开，另存为“Excel 工作簿 (*.xlsx)”",
         "file {f} is damaged, not a complete .xlsx workbook: open it in Excel or WPS and save it as “Excel Workbook (*.xlsx)”"),
    ),
    (
        "calc.ods", lambda: zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
        ("文件 {f} 是 OpenDocument 表格 (.ods)：请在 Excel 或 WPS 中打开，另存为“Excel 工作簿 (*.xlsx)”",
         "file {f} is an OpenDocument spreadsheet (.ods): open it in Excel or WPS and save it as “Excel Workbook (*.xlsx)”"),
    ),
    (
        "bomb.xlsx", lambda: declared_size(good(), 200_000_000),
        ("文件 {f} 解压后超过 100 MB 或 1000 个部件上限：不是一份普通的工作簿",
         "file {f} unpacks to more than the 100 MB or 1000 parts limit: it is not an ordinary workbook"),
    ),
    (
        "strict.xlsx", lambda: zip_replace(good(), {"xl/workbook.xml": lambda b: b.replace(
            b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main")}),
        ("文件 {f} 是“Strict Open XML 电子表格”格式：请在 Excel 或 WPS 中打开，另存为“Excel 工作簿 (*.xlsx)”",
         "file {f} is a “Strict Open XML Spreadsheet”: open it in Excel or WPS and save it as “Excel Workbook (*.xlsx)”"),
    ),
    (
        "garbled.xlsx", lambda: sheet_xml(good(), lambda x: x.replace("<sheetData>", "<sheetData><row r=\"x\"><c r=\"@@\">")),
        ("文件 {f} 无法作为 .xlsx 工作簿读取（内容已损坏）：请在 Excel 或 WPS 中打开，另存为“Excel 工作簿 (*.xlsx)”",
         "file {f} cannot be read as an .xlsx workbook (its content is damaged): open it in Excel or WPS and save it as “Excel Workbook (*.xlsx)”"),
    ),
    (
        "formula.xlsx", lambda: with_formula(good(), "caller", '="王"&"磊"', None),
        ("文件 {f} 的工作表“表单”单元格 B5 是公式，但没有计算结果（文件不是由 Excel/WPS 保存的）：请在 Excel 或 WPS 中打开并保存，或把公式换成数值",
         "cell B5 of sheet “表单” in {f} holds a formula with no computed value (the file was not saved by Excel or WPS): open and save it in Excel or WPS, or replace the formula by its value"),
    ),
    (
        "div0.xlsx", lambda: with_formula(good(), "caller", "=1/0", "#DIV/0!"),
        ("文件 {f} 的工作表“表单”单元格 B5 是错误值 #DIV/0!：请改正该单元格的公式或内容",
         "cell B5 of sheet “表单” in {f} is the error value #DIV/0!: correct that cell's formula or content"),
    ),
    (
        "other-kind.xlsx", lambda: filled("visit-feedback", load("visit-feedback")),
        ("文件 {f} 是《拜访反馈报告》(visit-feedback) 的表单，不是 phone-invite-feedback：请用 kam doc fill … visit-feedback --file {f}，或用 kam doc template phone-invite-feedback --xlsx 生成 phone-invite-feedback 的表单",
         "file {f} is a form for the Visit feedback report (visit-feedback), not phone-invite-feedback: use kam doc fill … visit-feedback --file {f}, or make a phone-invite-feedback form with kam doc template phone-invite-feedback --xlsx"),
    ),
    (
        "accounts.xlsx", lambda: save_plain([["名称", "性质"], ["包头市环卫中心", "政府"]]),
        ("文件 {f} 不是 kam 的表单（第一行 C1 没有文档类型）：请用 kam doc template phone-invite-feedback --xlsx 生成表单后填写",
         "file {f} is not a kam form (cell C1 holds no document kind): make one with kam doc template phone-invite-feedback --xlsx and fill that in"),
    ),
    (
        "twice.xlsx", lambda: edit(good(), lambda s: copy_row(s, key_rows(s)["caller"], s.max_row + 2)),
        ("文件 {f}：第 5 行和第 34 行的键相同（caller）：每个项目只能有一行，请删除其中一行",
         "file {f}: rows 5 and 34 have the same key (caller): each field has one row; delete one of them"),
    ),
    (
        "stray-row.xlsx", lambda: edit(good(), lambda s: (s.insert_rows(6), s.cell(6, 2, "王磊的手机 139…"))),
        ("文件 {f}：单元格 B6 有内容，但第 6 行不属于任何项目（C6 没有键）：请把内容移到黄色格，或删除",
         "file {f}: cell B6 has content but row 6 belongs to no field (C6 holds no key): move it into a yellow cell, or delete it"),
    ),
    (
        "stray-column.xlsx", lambda: edit(good(), lambda s: s.cell(key_rows(s)["our_visitors"] + 1, 3, "司机")),
        ("文件 {f}：单元格 C13 有内容，但它所在的列不属于表格“我方拜访人员”（该列没有键）：请把内容移到黄色格，或删除",
         "file {f}: cell C13 has content but its column belongs to no field of the table “Our visitors” (the column has no key): move it into a yellow cell, or delete it"),
    ),
    (
        "title-row.xlsx", lambda: edit(good(), lambda s: s.cell(key_rows(s)["contact"], 2, "赵建国")),
        ("文件 {f}：单元格 B6 有内容，但第 6 行是“客户联系人”的标题行，不填内容（请填在下面的行）：请把内容移到黄色格，或删除",
         "file {f}: cell B6 has content but row 6 is the title row of “Customer contact” and takes no value (fill the rows below): move it into a yellow cell, or delete it"),
    ),
    (
        "far.xlsx", lambda: edit(good(), lambda s: s.cell(xlsx.FORM_MAX_ROWS + 1, 2, "x")),
        ("文件 {f} 的工作表“表单”超过 10,000 行上限：请删除多余的行",
         "sheet “表单” of {f} has more than the 10,000 rows limit: delete the extra rows"),
    ),
]


def save_plain(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    return save(book)


def copy_row(sheet: Any, source: int, target: int) -> None:
    for c in range(1, 6):
        sheet.cell(target, c, sheet.cell(source, c).value)


@pytest.mark.parametrize(("name", "make", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_workbook_refused_in_one_line(tmp_path: Path, name: str, make: Any, expected: tuple[str, str]) -> None:
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(InvalidInput) as exc:
        xlsx.read_form(BASE, str(path))
    assert refusal(exc) == (expected[0].format(f=path), expected[1].format(f=path))
    assert "\n" not in exc.value.message.zh + exc.value.message.en


CONTENT_CASES = [c for c in CASES[:6] if not c[0].endswith(".xlsm")]  # a suffix exists only for a path


@pytest.mark.parametrize(("name", "make", "expected"), CONTENT_CASES, ids=[c[0] for c in CONTENT_CASES])
def test_refused_the_same_from_bytes_or_a_stream(name: str, make: Any, expected: tuple[str, str]) -> None:
    for source in (make(), io.BytesIO(make())):
        with pytest.raises(InvalidInput) as exc:
            xlsx.read_form(BASE, source, name=name)
        assert refusal(exc) == (expected[0].format(f=name), expected[1].format(f=name))


def test_a_scored_column_whose_header_names_no_competitor() -> None:
    def change(sheet: Any) -> None:
        title = key_rows(sheet)["criteria"]
        sheet.cell(title + 1, 7).value = None  # the third competitor column's header emptied…
        sheet.cell(title + 4, 7, 7)  # …with a score under it

    with pytest.raises(InvalidInput) as exc:
        xlsx.read_form("evaluation-scorecard", edit(filled("evaluation-scorecard", load("evaluation-scorecard")), change), name="s.xlsx")
    assert refusal(exc) == (
        "文件 s.xlsx：G8 有竞争对手得分，但表头 G5 还没有改成名称：请在 G5 填写名称（如 东风）",
        "file s.xlsx: G8 holds a competitor scores value but its header G5 is not renamed: type the name (e.g. Dongfeng) in G5",
    )


def test_a_scored_column_still_under_its_placeholder_header() -> None:
    def change(sheet: Any) -> None:
        sheet.cell(key_rows(sheet)["criteria"] + 3, 7, 5)  # first criterion, third column: header still “竞争对手得分 3”

    with pytest.raises(InvalidInput) as exc:
        xlsx.read_form("evaluation-scorecard", edit(filled("evaluation-scorecard", load("evaluation-scorecard")), change), name="s.xlsx")
    assert refusal(exc)[0] == "文件 s.xlsx：G7 有竞争对手得分，但表头 G5 还没有改成名称：请在 G5 填写名称（如 东风）"


def test_a_table_that_lost_its_key_row() -> None:
    def change(sheet: Any) -> None:
        title = key_rows(sheet)["customer_attendees"]
        for c in range(2, 5):
            sheet.cell(title + 2, c).value = None

    with pytest.raises(InvalidInput) as exc:
        xlsx.read_form("visit-feedback", edit(filled("visit-feedback", load("visit-feedback")), change), name="v.xlsx")
    assert refusal(exc) == (
        "文件 v.xlsx：表格“客户参加人员”（第 11 行）缺少键行：请从 kam doc template visit-feedback --xlsx 生成的模板中复制表头和键行",
        "file v.xlsx: the table “Customer attendees” (row 11) has lost its key row: copy the header and key rows from a template "
        "made by kam doc template visit-feedback --xlsx",
    )


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: tmp / "missing.xlsx", ("无法读取文件 {f}：No such file or directory", "cannot read file {f}: No such file or directory")),
        (lambda tmp: tmp, ("{f} 是文件夹，请给出 .xlsx 文件", "{f} is a folder; give an .xlsx file")),
    ],
)
def test_a_path_that_is_no_file(tmp_path: Path, make: Any, expected: tuple[str, str]) -> None:
    path = make(tmp_path)
    with pytest.raises(InvalidInput) as exc:
        xlsx.read_form(BASE, path)
    assert refusal(exc) == (expected[0].format(f=path), expected[1].format(f=path))


def test_a_stream_is_read_no_further_than_the_limit() -> None:
    class Endless(io.RawIOBase):
        read_bytes = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            buffer[:] = b"\0" * len(buffer)
            self.read_bytes += len(buffer)
            return len(buffer)

    stream = Endless()
    with pytest.raises(InvalidInput):
        xlsx.read_form(BASE, io.BufferedReader(stream), name="-")
    assert stream.read_bytes <= xlsx.MAX_BYTES + 64 * 1024


# -- the A1:XFD100000 bomb and the account import's helper ------------------------------------------------


def dimension_bomb(data: bytes) -> bytes:
    """Issue 12's workbook: a sheet declaring A1:XFD100000, with cells at its far corners."""
    def change(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD100000"/>', xml)
        far = '<row r="100000"><c r="XFD100000" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace("</sheetData>", far + "</sheetData>")

    return sheet_xml(data, change)


def test_a_sheet_declaring_a1_xfd100000_reads_in_milliseconds_and_little_memory() -> None:
    bomb = dimension_bomb(good())
    assert len(bomb) < 20_000
    tracemalloc.start()
    started = time.process_time()  # CPU: a loaded machine stretches wall time, not this
    values, _ = xlsx.read_form(BASE, bomb)
    seconds = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert stored(BASE, values) == stored(BASE, load(BASE))
    assert seconds < 1.0  # about 15 ms here; generous for a shared machine and tracemalloc's overhead
    assert peak < 16_000_000  # a few MB; without the bounds, 6 GB and a MemoryError


def test_an_entity_expansion_bomb_in_a_sheet_is_refused_at_once() -> None:
    """A billion-laughs DTD in the sheet XML, refused before it is parsed (expat alone stops it only after ~100 MB)."""
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))

    def change(xml: str) -> str:
        xml = re.sub(r"^<\?xml[^>]*\?>", "", xml)
        cell = '<row r="1"><c r="Z1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        return f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>' + xml.replace("<sheetData>", "<sheetData>" + cell, 1)

    tracemalloc.start()
    started = time.process_time()  # CPU seconds of this process: the same on a quiet or a loaded machine
    with pytest.raises(InvalidInput) as exc:
        xlsx.read_form(BASE, sheet_xml(good(), change), name="lol.xlsx")
    seconds = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert refusal(exc) == (
        "文件 lol.xlsx 的部件 xl/worksheets/sheet1.xml 含有 DTD（<!DOCTYPE>），Excel 和 WPS 从不写入它：请在 Excel 或 WPS 中打开后另存",
        "part xl/worksheets/sheet1.xml of file lol.xlsx holds a DTD (<!DOCTYPE>), which Excel and WPS never write: "
        "open the file in Excel or WPS and save it again",
    )
    assert seconds < 0.5 and peak < 5_000_000  # expanded, the text would be 3 GB


def test_read_rows_for_the_account_import() -> None:
    data = save_plain([["名称", "性质", "电话"], ["包头市环卫中心", "政府", "0472-5123456"], [None, None, None], ["呼市公交", "企业", 4715551234]])
    expected = [
        (1, ["名称", "性质", "电话", None, None]),
        (2, ["包头市环卫中心", "政府", "0472-5123456", None, None]),
        (4, ["呼市公交", "企业", 4715551234, None, None]),  # blank rows left out, numbers kept
    ]
    assert xlsx.read_rows(data, max_rows=10, max_cols=5) == expected
    started = time.process_time()
    # 100,000 declared rows and a cell in the last one, past column 5: the gap costs nothing
    assert xlsx.read_rows(dimension_bomb(data), max_rows=200_001, max_cols=5) == expected
    assert time.process_time() - started < 1.0  # a bomb bound (issue 12): without it, minutes and GBs


def test_open_workbook_as_a_context_manager(tmp_path: Path) -> None:
    path = tmp_path / "accounts.xlsx"
    path.write_bytes(save_plain([["名称"], ["包头市环卫中心"]]))
    with xlsx.open_workbook(path) as book:
        assert book.name == str(path)
        assert book.sheet_names == ["Sheet"]
        assert book.rows(0, max_rows=5, max_cols=1) == [(1, ["名称"]), (2, ["包头市环卫中心"])]


# -- saved by LibreOffice -------------------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Every kind's filled form, plus one with a formula, opened and saved again by LibreOffice (one soffice run)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice is not installed (Debian: apt-get install libreoffice-calc-nogui)")
    folder = tmp_path_factory.mktemp("lo")
    (folder / "in").mkdir()
    for kind in forms.KINDS:
        (folder / "in" / f"{kind}.xlsx").write_bytes(filled(kind, load(kind)))
    (folder / "in" / "formula.xlsx").write_bytes(with_formula(good(), "caller", '="王"&"磊"', None))
    env = {**os.environ, "HOME": str(folder)}
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
         "--outdir", str(folder / "out"), *sorted(str(p) for p in (folder / "in").iterdir())],
        check=True, capture_output=True, timeout=300, env=env,
    )
    return {p.stem: p.read_bytes() for p in (folder / "out").iterdir()}


@pytest.mark.parametrize("kind", forms.KINDS)
def test_a_form_saved_by_libreoffice_reads_back_as_the_sample(resaved: dict[str, bytes], kind: str) -> None:
    assert resaved[kind] != filled(kind, load(kind))
    values, _ = xlsx.read_form(kind, resaved[kind])
    assert stored(kind, values) == stored(kind, load(kind))


def test_libreoffice_computes_the_formula_and_the_form_reads_its_value(resaved: dict[str, bytes]) -> None:
    values, _ = xlsx.read_form(BASE, resaved["formula"])
    assert values["caller"] == "王磊"

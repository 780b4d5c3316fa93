"""Excel forms through the command line: `kam doc template KIND --xlsx FILE`, `kam doc fill ID KIND --file F.xlsx`.

The form itself (layout, values as typed, every bad workbook) is tested on `forms.xlsx` in
test_xlsx_forms; here the commands: the round trip through openpyxl and through LibreOffice,
problems named by their cells in both languages, the refusals of bad files as one line with
nothing stored, and a fill identical to the newest version storing nothing.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from conftest import Kam
from forms_fixtures import load
from test_documents_cli import setup_deal
from test_xlsx_forms import CASES, edit, fill_sheet, key_rows, save, stored

import forms


def template(kam: Kam, kind: str, path: Path, lang: str = "zh") -> bytes:
    result = kam("doc", "template", kind, "--xlsx", str(path), lang=lang)
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def typed_in(data: bytes, kind: str, doc: dict[str, Any], lang: str = "zh") -> bytes:
    """The template with `doc` typed in as a manager does (openpyxl)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    fill_sheet(book.worksheets[0], kind, doc, lang)
    return save(book)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", forms.KINDS)
def test_the_template_filled_in_is_stored_as_the_sample(kam: Kam, tmp_path: Path, kind: str, lang: str) -> None:
    opp = setup_deal(kam)
    form = tmp_path / f"{kind}.xlsx"
    form.write_bytes(typed_in(template(kam, kind, form, lang), kind, load(kind), lang))
    out = kam.json("doc", "fill", opp, kind, "--file", str(form))
    assert (out["version"], out["stored"]) == (1, True)
    assert kam.json("doc", "show", opp, kind)["data"] == stored(kind, load(kind))


def test_template_messages_and_json(kam: Kam, tmp_path: Path) -> None:
    form = tmp_path / "拜访.xlsx"
    result = kam("doc", "template", "visit-feedback", "--xlsx", str(form), lang="zh")
    size = form.stat().st_size
    assert result.stdout == f"已生成 {form}（《拜访反馈报告》Excel 表单，{size // 1024} KB）\n"
    again = kam("doc", "template", "visit-feedback", "--xlsx", str(form))
    assert again.exit_code == 1
    assert again.stderr == f"Error: {form} exists: use --force to overwrite it, or choose another name\n"
    zh = kam("doc", "template", "visit-feedback", "--xlsx", str(form), lang="zh")
    assert zh.stderr == f"错误：文件 {form} 已存在：加 --force 覆盖，或换一个文件名\n"
    forced = kam.json("doc", "template", "visit-feedback", "--xlsx", str(form), "--force")
    assert forced == {"kind": "visit-feedback", "path": str(form), "size": form.stat().st_size}
    en = kam("doc", "template", "visit-feedback", "--xlsx", str(form), "--force")
    assert en.stdout == f"wrote {form} (the Visit feedback report as an Excel form, {form.stat().st_size // 1024} KB)\n"
    book = openpyxl.load_workbook(form)
    assert book.sheetnames == ["Form", "Instructions"]
    assert book.worksheets[0]["C1"].value == "visit-feedback"


def test_every_problem_names_its_cell_in_both_languages_and_nothing_is_stored(kam: Kam, tmp_path: Path) -> None:
    opp = setup_deal(kam)
    doc = load("phone-invite-feedback")
    form = tmp_path / "invite.xlsx"
    data = typed_in(template(kam, "phone-invite-feedback", form), "phone-invite-feedback", doc)

    def spoil(sheet: Any) -> None:
        rows = key_rows(sheet)
        sheet.cell(rows["contact.name"], 2).value = None  # cell(r, c, None) would leave the value
        sheet.cell(rows["visit_time"], 2, "明天上午")

    form.write_bytes(edit(data, spoil))
    zh = kam("doc", "fill", opp, "phone-invite-feedback", "--file", str(form), lang="zh")
    assert zh.exit_code == 1
    assert zh.stderr.splitlines() == [
        f"错误：《电话邀约反馈单》表单（{form}）有 2 处问题，未保存：",
        "  - B7 姓名: 必填项缺失",
        "  - B10 约定拜访时间: 「明天上午」请用 24 小时制写时间，如 2027-03-31 14:00（下午 2 点）",
    ]
    en = kam("doc", "fill", opp, "phone-invite-feedback", "--file", str(form))
    assert en.stderr.splitlines() == [
        f"Error: the Phone invitation feedback form ({form}) has 2 problem(s); nothing was stored:",
        "  - B7 Name: Field required",
        '  - B10 Agreed visit time: write the time in "明天上午" on the 24-hour clock, as in 2027-03-31 14:00 for 2 pm',
    ]
    assert kam.json("doc", "list", opp) == []


REFUSED = ["big.xlsx", "form.xlsm", "old.xls", "secret.xlsx", "formula.xlsx", "div0.xlsx", "calc.ods", "scan.xlsx"]


@pytest.mark.parametrize(("name", "make", "expected"), [c for c in CASES if c[0] in REFUSED], ids=REFUSED)
def test_a_bad_workbook_is_refused_in_one_line_in_both_languages(
    kam: Kam, tmp_path: Path, name: str, make: Any, expected: tuple[str, str]
) -> None:
    opp = setup_deal(kam)
    path = tmp_path / name
    path.write_bytes(make())
    for lang, lead, message in zip(("zh", "en"), ("错误：", "Error: "), expected, strict=True):
        result = kam("doc", "fill", opp, "phone-invite-feedback", "--file", str(path), lang=lang)
        assert result.exit_code == 1
        assert result.stderr == f"{lead}{message.format(f=path)}\n"
    assert kam.json("doc", "list", opp) == []


def test_a_workbook_under_another_name_is_still_read_as_one(kam: Kam, tmp_path: Path) -> None:
    """A form mailed as "invite" (no extension) is recognized by its content, not by its name."""
    opp = setup_deal(kam)
    form = tmp_path / "invite"
    form.write_bytes(typed_in(template(kam, "phone-invite-feedback", tmp_path / "t.xlsx"), "phone-invite-feedback", load("phone-invite-feedback")))
    assert kam.json("doc", "fill", opp, "phone-invite-feedback", "--file", str(form))["version"] == 1


def test_merged_cells_and_a_formula_with_its_value_are_read(kam: Kam, tmp_path: Path) -> None:
    opp = setup_deal(kam)
    doc = load("phone-invite-feedback")
    form = tmp_path / "invite.xlsx"
    data = typed_in(template(kam, "phone-invite-feedback", form), "phone-invite-feedback", doc)

    def change(sheet: Any) -> None:
        rows = key_rows(sheet)
        sheet.merge_cells(f"B{rows['notes']}:E{rows['notes']}")

    form.write_bytes(edit(data, change))
    kam.json("doc", "fill", opp, "phone-invite-feedback", "--file", str(form))
    assert kam.json("doc", "show", opp, "phone-invite-feedback")["data"]["notes"] == doc["notes"]


# -- a fill identical to the newest version ------------------------------------------------------------------


def test_an_identical_fill_stores_nothing_and_says_so(kam: Kam, tmp_path: Path) -> None:
    opp = setup_deal(kam)
    path = tmp_path / "n.yaml"
    path.write_text(yaml.safe_dump(load("negotiation-minutes"), allow_unicode=True), encoding="utf-8")
    first = kam.json("doc", "fill", opp, "negotiation-minutes", "--file", str(path))
    assert (first["version"], first["stored"]) == (1, True)
    zh = kam("doc", "fill", opp, "negotiation-minutes", "--file", str(path), lang="zh")
    assert (zh.exit_code, zh.stdout) == (0, f"与 negotiation-minutes v1 完全相同，未保存新版本（商机 {opp}）\n")
    en = kam("doc", "fill", opp, "negotiation-minutes", "--file", str(path))
    assert en.stdout == f"identical to negotiation-minutes v1; no new version stored for opportunity {opp}\n"
    again = kam.json("doc", "fill", opp, "negotiation-minutes", "--file", str(path))
    assert again == {**first, "stored": False}
    assert [d["version"] for d in kam.json("doc", "list", opp)] == [1]
    history = kam.json("opp", "history", opp)
    assert sum(1 for e in history if e.get("action") == "document") == 1
    # the same document as an Excel form is the same document
    form = tmp_path / "n.xlsx"
    form.write_bytes(typed_in(template(kam, "negotiation-minutes", form), "negotiation-minutes", load("negotiation-minutes")))
    assert kam.json("doc", "fill", opp, "negotiation-minutes", "--file", str(form))["stored"] is False
    # a change is a new version; going back to v1's content is a change from v2 and stored as v3
    changed = {**load("negotiation-minutes"), "quantity": 22}
    path.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    assert kam.json("doc", "fill", opp, "negotiation-minutes", "--file", str(path))["version"] == 2
    path.write_text(yaml.safe_dump(load("negotiation-minutes"), allow_unicode=True), encoding="utf-8")
    assert kam.json("doc", "fill", opp, "negotiation-minutes", "--file", str(path))["version"] == 3


# -- saved again by LibreOffice -------------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (Debian: apt-get install libreoffice-calc-nogui)")
def test_a_form_saved_again_by_libreoffice_is_stored_as_the_sample(kam: Kam, tmp_path: Path) -> None:
    opp = setup_deal(kam)
    kinds = ("visit-feedback", "evaluation-scorecard", "product-proposal")
    (tmp_path / "in").mkdir()
    for kind in kinds:
        form = tmp_path / "in" / f"{kind}.xlsx"
        form.write_bytes(typed_in(template(kam, kind, tmp_path / f"{kind}-blank.xlsx"), kind, load(kind)))
    env = {**os.environ, "HOME": str(tmp_path)}
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "out"), *(str(tmp_path / "in" / f"{k}.xlsx") for k in kinds)],
        check=True, capture_output=True, timeout=300, env=env,
    )
    for kind in kinds:
        resaved = tmp_path / "out" / f"{kind}.xlsx"
        assert resaved.read_bytes() != (tmp_path / "in" / f"{kind}.xlsx").read_bytes()
        assert kam.json("doc", "fill", opp, kind, "--file", str(resaved))["stored"] is True
        assert kam.json("doc", "show", opp, kind)["data"] == stored(kind, load(kind))

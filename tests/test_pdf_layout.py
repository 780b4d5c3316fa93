"""The PDF layout checker (tests/pdf_layout.py) on small PDFs made for each problem with WeasyPrint.

Each kind is shown found on a page that has it and not found on the same page done
right, so no test passes because the checker is blind.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pdf_layout import KINDS, MM, Problem, describe, problems, read_layout

from workflow.errors import InvalidInput

weasyprint = pytest.importorskip("weasyprint")

FONT = '"Noto Sans CJK SC", "Noto Sans CJK", sans-serif'
PAGE = f"""
@page {{ size: A4; margin: 25mm 20mm;
  @top-left {{ content: "福田汽车 大客户部"; font: 9pt {FONT}; }}
  @top-right {{ content: "产品推介书 · 北京顺通冷链物流有限公司"; font: 9pt {FONT}; }}
  @bottom-center {{ content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font: 8pt {FONT}; }} }}
html {{ font: 10pt/1.5 {FONT}; }}
table {{ border-collapse: collapse; table-layout: fixed; width: 100%; }}
th, td {{ border: 0.5pt solid #333; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }}
"""


def render(body: str, css: str = "") -> bytes:
    return weasyprint.HTML(string=f"<html><head><style>{PAGE}{css}</style></head><body>{body}</body></html>").write_pdf()


def kinds_texts(found: list[Problem]) -> list[tuple[int, str, str]]:
    return [(p.page, p.kind, p.text) for p in found]


CLEAN = """
<h1>产品推介书</h1>
<p>以 20 台牵引车承担干线运输，10 台冷藏车承担城配；配套车联网油耗管理与驻场服务，预计全生命周期成本较在用车辆降低 8%。
Twenty tractors run the trunk routes and ten refrigerated trucks the city deliveries, with fuel management and an engineer on site.</p>
<table>
  <thead><tr><th>车型 Model</th><th>排放标准 Emission</th><th>数量 Qty</th><th>指导单价 Unit price</th></tr></thead>
  <tbody>
    <tr><td>欧曼 EST 6×4 牵引车</td><td>国六</td><td>20</td><td>¥398,000.00</td></tr>
    <tr><td>欧曼 EST 冷藏车 officially affluent</td><td>China VI</td><td>10</td><td>¥456,000.00</td></tr>
  </tbody>
</table>
<p style="letter-spacing: -0.04em">AVAVAV Tetete WAVE Type: kerning pairs touch inside a word.</p>
"""


def test_a_clean_page_has_no_problem() -> None:
    assert problems(render(CLEAN)) == []


def test_the_clean_page_is_read_as_glyphs_lines_and_edges() -> None:
    (page,) = read_layout(render(CLEAN))
    assert (round(page.width / MM), round(page.height / MM)) == (210, 297)
    assert "产品推介书" in page.phrases and "福田汽车 大客户部" in page.phrases
    assert "¥398,000.00" in page.phrases
    # the table: 5 vertical borders (4 columns) and 4 horizontal ones (3 rows)
    verticals = {round(e.at, 1) for e in page.edges if e.vertical}
    horizontals = {round(e.at, 1) for e in page.edges if not e.vertical}
    assert len(verticals) == 5 and len(horizontals) == 4
    title = next(g for g in page.glyphs if g.char == "产")
    assert 20 * MM - 1 < title.x0 < title.x1 < 40 * MM and 25 * MM < title.top < title.bottom < 40 * MM


# -- overlap ----------------------------------------------------------------------------------

ABSOLUTE = "position: absolute; top: 60mm; white-space: nowrap"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # two header words piled onto each other, as in the English product proposal
            f'<div style="{ABSOLUTE}; left: 20mm">Emission standard</div><div style="{ABSOLUTE}; left: 38mm">Quantity</div>',
            "Emission standard / Quantity",
        ),
        (  # CJK runs have no spaces: found glyph by glyph
            f'<div style="{ABSOLUTE}; left: 20mm">采购部门意见汇总</div><div style="{ABSOLUTE}; left: 32mm">设备科</div>',
            "采购部门意见汇总 / 设备科",
        ),
        (  # a Latin word half over a Chinese one
            f'<div style="{ABSOLUTE}; left: 20mm">技术交流</div><div style="{ABSOLUTE}; left: 24mm">Exchange</div>',
            "技术交流 / Exchange",
        ),
    ],
)
def test_words_printed_over_each_other_overlap(body: str, expected: str) -> None:
    (found,) = problems(render(body))
    assert (found.page, found.kind, found.text) == (1, "overlap", expected)
    assert re.fullmatch(r"'.' and '.' print over each other at x \d+\.\d mm, y 8\d\.\d mm", found.detail), found.detail


@pytest.mark.parametrize("gap_mm", [0.0, 0.4])
def test_words_side_by_side_do_not_overlap(gap_mm: float) -> None:
    # "技术" ends where "交流" starts (a 10 pt glyph is 3.53 mm wide): touching boxes are not an overlap
    body = f'<div style="{ABSOLUTE}; left: 20mm">技术</div><div style="{ABSOLUTE}; left: {20 + 2 * 3.528 + gap_mm}mm">交流</div>'
    assert problems(render(body)) == []


@pytest.mark.parametrize(("line_height", "overlaps"), [("1.0", False), ("1.5", False), ("0.55", True)])
def test_lines_overlap_only_when_squeezed(line_height: str, overlaps: bool) -> None:
    body = f'<p style="line-height: {line_height}; width: 60mm">gypsy quay jumpy Type Hold 采购标准 采购标准 gypsy quay jumpy Type Hold</p>'
    found = problems(render(body))
    assert bool(found) is overlaps, describe(found)
    assert all(p.kind == "overlap" for p in found)


WATERMARK = (
    '<div style="position: absolute; top: 90mm; left: 15mm; transform: rotate(-30deg); font-size: 48pt; color: #eee;'
    ' white-space: nowrap">{mark}</div><p style="margin-top: 70mm">' + "客户车队在高寒与高湿环境下长期运营，对整车可靠性提出很高要求。" * 12 + "</p>"
)


def test_a_known_diagonal_watermark_is_left_out() -> None:
    assert problems(render(WATERMARK.format(mark="内部资料 · 请勿外传"))) == []


def test_a_watermark_is_only_known_by_its_text() -> None:
    pdf = render(WATERMARK.format(mark="内部资料 · 请勿外传"))
    assert {p.kind for p in problems(pdf, watermarks=())} == {"overlap"}
    assert {p.kind for p in problems(render(WATERMARK.format(mark="样例文本 · 不是水印")))} == {"overlap"}


# -- crosses-cell -----------------------------------------------------------------------------

NARROW = """
<table style="width: 120mm">
  <colgroup><col style="width: 40mm"><col style="width: 18mm"><col style="width: 18mm"><col></colgroup>
  <thead><tr><th>Model</th><th style="{style}">Emission standard</th><th style="{style}">Quantity</th><th>Indicative unit price</th></tr></thead>
  <tbody><tr><td>欧曼 EST 6×4</td><td style="{style}">{long}</td><td>20</td><td>¥398,000.00</td></tr></tbody>
</table>
"""


def test_text_running_out_of_its_cell_crosses_the_border() -> None:
    found = problems(render(NARROW.format(style="white-space: nowrap", long="技术交流及方案确认阶段")))
    assert kinds_texts(found) == [
        (1, "overlap", "Emission standard / Quantity"),
        (1, "overlap", "技术交流及方案确认阶段 / 20"),
        (1, "overlap", "技术交流及方案确认阶段 / ¥398,000.00"),
        (1, "crosses-cell", "Emission standard"),
        (1, "crosses-cell", "技术交流及方案确认阶段"),
    ]
    assert re.fullmatch(r"a vertical line at x \d+\.\d mm runs through the text at '.': it leaves its cell", found[3].detail)


def test_the_same_table_wrapping_in_its_cells_is_clean() -> None:
    assert problems(render(NARROW.format(style="overflow-wrap: anywhere", long="技术交流及方案确认阶段"))) == []


def test_a_border_falling_between_two_words_still_crosses() -> None:
    # The cell ends in the space between "and" and "confirmation": no glyph is cut, yet the text leaves its cell.
    def table(width_mm: float) -> str:
        return (
            f'<table style="width: 150mm"><colgroup><col style="width: {width_mm:.2f}mm"><col></colgroup>'
            '<tr><td style="white-space: nowrap; padding: 0">Tech and confirmation</td><td></td></tr></table>'
        )

    wide = read_layout(render(table(100)))[0]
    d = next(g for g in wide.glyphs if g.char == "d")
    c = next(g for g in wide.glyphs if g.char == "c" and g.x0 > d.x1)
    left = min(e.at for e in wide.edges if e.vertical)
    narrow = render(table(((d.x1 + c.x0) / 2 - left) / MM))
    layout = read_layout(narrow)[0]
    border = sorted(e.at for e in layout.edges if e.vertical)[1]
    text = layout.phrases.index("Tech and confirmation")
    assert not any(g.x0 < border < g.x1 for g in layout.glyphs if g.phrase == text), "the border must fall in the space"
    assert kinds_texts(problems(narrow)) == [(1, "crosses-cell", "Tech and confirmation")]
    assert kinds_texts(problems(render(table(100)))) == []


@pytest.mark.parametrize("wrap", ["nowrap", "normal"])
def test_text_leaving_a_bordered_box_crosses_its_border(wrap: str) -> None:
    # a box's border (not a collapsed table's) is drawn as a filled ring, not as stroked lines
    body = f'<div style="border: 0.5pt solid #333; padding: 1mm; width: 40mm; white-space: {wrap}">客户车队在高寒与高湿环境下长期运营</div>'
    expected = [(1, "crosses-cell", "客户车队在高寒与高湿环境下长期运营")] if wrap == "nowrap" else []
    assert kinds_texts(problems(render(body))) == expected


def test_an_underline_under_descenders_is_not_a_crossing() -> None:
    assert problems(render('<p style="text-decoration: underline">gypsy jumpy query 签字</p>')) == []


# -- off-page -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "css", "why"),
    [
        (f"<p>{'A' * 400}</p>", "", "runs off the right edge of the page"),
        (f"<p>{'采' * 400}</p>", "p { white-space: nowrap }", "runs off the right edge of the page"),
        ('<div style="position: absolute; left: -25mm; top: 40mm">Tonnage</div>', "", "runs off the left edge of the page"),
        (
            '<div style="position: absolute; left: -18mm; top: 40mm">页边距</div>',
            "",
            "within 5 mm of the page edge, where printers cannot print",
        ),
    ],
)
def test_text_outside_the_printable_page(body: str, css: str, why: str) -> None:
    (found,) = problems(render(body, css))
    assert (found.page, found.kind) == (1, "off-page")
    assert found.detail.startswith(why + " (at x "), found.detail


def test_a_token_without_break_opportunity_runs_off_and_is_named_short() -> None:
    token = "3f9a1c0e7b2d4c55" * 625  # 10,000 characters, no break opportunity
    (found,) = problems(render(f"<p>{token}</p>"))
    assert (found.page, found.kind, found.text) == (1, "off-page", token[:60] + "… (10,000 characters)")


def test_the_printable_margin_is_a_parameter() -> None:
    pdf = render('<div style="position: absolute; left: -18mm; top: 40mm">页边距</div>')  # 2 mm from the edge
    assert problems(pdf, printable_margin=1 * MM) == []
    assert [p.kind for p in problems(pdf, printable_margin=3 * MM)] == ["off-page"]


# -- clipped ------------------------------------------------------------------------------------

FUNNEL = """
<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40" viewBox="0 0 300 40" font-family="Noto Sans CJK SC" font-size="11">
  <text x="{x}" y="20" text-anchor="end">Technical exchange and confirmation</text>
  <rect x="200" y="5" width="80" height="28" fill="#ccd" stroke="#333"/>
</svg>
"""


def test_an_svg_label_cut_by_its_viewport_is_clipped() -> None:
    (found,) = problems(render(FUNNEL.format(x=150)))
    assert (found.page, found.kind, found.text) == (1, "clipped", "Technical exchange and confirmation")
    assert re.fullmatch(r"'T' falls outside the clipping box x 22\.1 mm, y \d+\.\d mm to .*: part of the text is not printed", found.detail)


def test_an_svg_label_inside_its_viewport_is_not_clipped() -> None:
    assert problems(render(FUNNEL.format(x=195))) == []


def test_overflow_hidden_clips_text() -> None:
    body = '<div style="width: 30mm; overflow: hidden; white-space: nowrap">客户车队在高寒环境下长期运营</div>'
    assert kinds_texts(problems(render(body))) == [(1, "clipped", "客户车队在高寒环境下长期运营")]
    assert problems(render(body.replace("white-space: nowrap", "white-space: normal"))) == []


def test_text_cut_by_the_bottom_of_the_page_is_clipped() -> None:
    body = '<div style="position: absolute; bottom: -27mm; left: 0">签字日期 Signature</div>'  # 2 mm below the page edge
    (found,) = problems(render(body))
    assert (found.page, found.kind, found.text) == (1, "clipped", "签字日期 Signature")
    assert re.fullmatch(r"cut by the bottom edge of the page at x 2\d\.\d mm, y 297\.0 mm", found.detail), found.detail


# -- signature-only ------------------------------------------------------------------------------

SIGNATURES = """
<table class="sig"><tr>
  <td><p>{our}</p><p>福田汽车 大客户部</p><p>{sign} ________</p><p>{date} ________</p></td>
  <td><p>{customer}</p><p>北京顺通冷链物流有限公司</p><p>{sign} ________</p><p>{date} ________</p></td>
</tr></table>
"""
ZH = {"our": "我方", "customer": "客户方", "sign": "签字", "date": "日期"}
EN = {"our": "Our company", "customer": "For the customer", "sign": "Signature", "date": "Date"}
FIRST_PAGE = "<h1>电话邀约反馈单</h1>" + "<p>客户对百公里油耗和冷机可靠性最为关注，希望看到同线路的实测数据。</p>" * 8


@pytest.mark.parametrize(("words", "labels"), [(ZH, "我方 客户方 签字 日期"), (EN, "Our company For the customer Signature Date")])
def test_a_page_holding_only_the_signature_box(words: dict[str, str], labels: str) -> None:
    body = FIRST_PAGE + '<div style="break-before: page"></div>' + SIGNATURES.format(**words)
    (found,) = problems(render(body))
    assert (found.page, found.kind, found.text) == (2, "signature-only", labels)
    assert re.fullmatch(
        r"the page holds only the signature block \(4 lines, \d+ mm tall\) below the running header: "
        r"the block was pushed off page 1 on its own",
        found.detail,
    )


@pytest.mark.parametrize(
    "second_page",
    [
        "<p>下次拜访：3 月 15 日前提交初步方案，邀请孙立参观北京工厂并安排同线路试驾，确认冷机品牌。</p>",  # content above the box
        "<h2>附件</h2><ul><li>通话记录 2026-03-02.m4a</li><li>拜访照片.zip</li><li>油耗实测报告.pdf</li></ul>",
    ],
)
def test_a_signature_box_after_content_is_fine(second_page: str) -> None:
    body = FIRST_PAGE + '<div style="break-before: page"></div>' + second_page + SIGNATURES.format(**ZH)
    assert problems(render(body)) == []


def test_a_signature_box_on_the_first_page_is_fine() -> None:
    assert problems(render(FIRST_PAGE + SIGNATURES.format(**ZH))) == []


def test_one_label_alone_is_not_a_signature_box() -> None:
    body = FIRST_PAGE + '<div style="break-before: page"></div><p>日期</p>'
    assert problems(render(body)) == []


# -- bad input and speed --------------------------------------------------------------------------


def test_bytes_that_are_not_a_pdf() -> None:
    with pytest.raises(InvalidInput) as error:
        problems(b"<html>not a pdf</html>")
    assert error.value.message.en == "<bytes> is not a PDF (it does not start with %PDF-): pass the rendered PDF"
    assert error.value.message.zh == "<bytes> 不是 PDF 文件（开头不是 %PDF-）：请传入渲染得到的 PDF"


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"^no PDF file at .*missing\.pdf: check the path$"):
        problems(tmp_path / "missing.pdf")


def test_a_truncated_pdf(tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(render(CLEAN)[:400])
    with pytest.raises(InvalidInput, match=r"^cannot read the PDF .*cut\.pdf: .*; render it again$"):
        problems(path)


def test_a_path_and_bytes_give_the_same_answer(tmp_path: Path) -> None:
    pdf = render(NARROW.format(style="white-space: nowrap", long="—"))
    (tmp_path / "doc.pdf").write_bytes(pdf)
    assert problems(tmp_path / "doc.pdf") == problems(pdf) != []


def test_problems_come_page_by_page_in_the_order_of_kinds() -> None:
    body = (
        NARROW.format(style="white-space: nowrap", long="—")
        + FUNNEL.format(x=150)
        + '<div style="break-before: page"></div>'
        + NARROW.format(style="white-space: nowrap", long="—")
    )
    found = problems(render(body))
    assert [(p.page, p.kind) for p in found] == sorted(((p.page, p.kind) for p in found), key=lambda k: (k[0], KINDS.index(k[1])))
    assert {p.page for p in found} == {1, 2}
    assert describe(found).splitlines()[0] == str(found[0])
    assert str(found[0]).startswith("page 1 overlap: 'Emission standard / Quantity': ")
    assert describe([]) == "no layout problems"


def test_twenty_dense_pages_have_no_problems() -> None:
    # the check took 0.28-0.42 s CPU here (14-21 ms a page of ~800 glyphs); a test asserts no timing
    rows = "".join(
        f"<tr><td>联系人{i:03d}</td><td>设备部采购与技术评审委员会</td><td>技术评审与选型决策人员 reviewer</td><td>中立者</td></tr>" for i in range(372)
    )
    pdf = render(f"<table>{rows}</table>", "html { font-size: 9pt }")
    assert len(read_layout(pdf)) == 20
    assert problems(pdf) == []

"""The terminal table: one pass, CJK-aware widths, and cells that wrap when the table is wider than the terminal."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from commands._table import fit, lines, table, wrap

TEXT = st.text(alphabet=st.sampled_from(list("abc XYZ 019.-_:/()（）") + list("包头鑫达物流有限公司王磊阶段回访") + ["\n", "\t", "é", "ｱ"]), max_size=60)


def _printed(*args: object) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        table(*args)  # type: ignore[arg-type]
    return out.getvalue()


def test_a_table_that_fits_keeps_each_row_on_one_line() -> None:
    assert lines(["编号", "客户"], [(1, "包头鑫达物流有限公司"), (12, "沈阳华信")], "客户", 160) == [
        "客户" + " " * 23,
        "编号   客户" + " " * 16,
        "─" * 27,
        "1      包头鑫达物流有限公司",
        "12     沈阳华信" + " " * 12,
    ]


def test_a_table_too_wide_for_the_terminal_wraps_its_widest_cells() -> None:
    out = _printed(["客户", "备注"], [("包头鑫达物流有限公司", "很长的说明" * 40)], None, 80)
    printed = out.splitlines()
    assert all(cell_len(line) <= 80 for line in printed)
    assert printed[2].startswith("包头鑫达物流有限公司   很长的说明")
    assert "".join(printed[2:]).replace(" ", "").removeprefix("包头鑫达物流有限公司") == "很长的说明" * 40  # nothing lost, nothing cut


def test_a_line_break_in_a_cell_starts_a_new_line_in_its_column() -> None:
    out = lines(["a", "b"], [("x\ny", "z")], None, 80)
    assert out[2:] == ["x   z", "y    "]


@pytest.mark.parametrize(("text", "width", "expected"), [("abc def ghi", 7, ["abc def", "ghi"]), ("包头鑫达", 4, ["包头", "鑫达"]), ("abcdefgh", 3, ["abc", "def", "gh"])])
def test_wrap_breaks_at_a_space_or_between_characters(text: str, width: int, expected: list[str]) -> None:
    assert wrap(text, width) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=5), st.lists(st.lists(TEXT, min_size=5, max_size=5), max_size=6), st.integers(40, 200))
def test_every_line_fits_and_every_character_is_printed(headers: list[str], rows: list[list[str]], width: int) -> None:
    rows = [row[: len(headers)] for row in rows]
    out = lines(headers, rows, None, width)
    widths = fit([max(cell_len(x) for x in col.split("\n")) for col in headers], width)
    assert all(cell_len(line) <= max(width, sum(widths) + 3 * (len(widths) - 1), 4 * len(headers) + 3 * (len(headers) - 1)) for line in out)
    shown = "".join(out).replace(" ", "")
    for cell in [*headers, *(c for row in rows for c in row)]:
        for char in cell.replace("\n", "").replace("\t", "").replace(" ", ""):
            assert char in shown

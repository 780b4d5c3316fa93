"""The terminal table: the fast layout and rich's agree wherever the fast one is used."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

from hypothesis import given, settings
from hypothesis import strategies as st

from commands._common import _rich_table, clean, table

TEXT = st.text(alphabet=st.sampled_from(list("abc XYZ 019.-_:/()（）") + list("包头鑫达物流有限公司王磊阶段回访") + ["\n", "\t", "é", "ｱ"]), max_size=24)


def _printed(call, *args) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    with redirect_stdout(out):
        call(*args)
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=6).flatmap(
        lambda n: st.tuples(st.lists(TEXT, min_size=n, max_size=n), st.lists(st.lists(st.one_of(TEXT, st.none(), st.integers(-5, 10**6)), min_size=n, max_size=n), max_size=8))
    ),
    st.one_of(st.none(), TEXT),
)
def test_the_fast_layout_is_riches_layout(shape: tuple[list[str], list[list[object]]], title: str | None) -> None:
    headers, rows = shape
    expected = _printed(_rich_table, [clean(h) for h in headers], [[clean(c) for c in row] for row in rows], title, 160)
    assert _printed(table, headers, rows, title) == expected


def test_a_table_too_wide_for_the_terminal_is_laid_out_by_rich() -> None:
    out = _printed(table, ["客户", "备注"], [("包头鑫达物流有限公司", "很长的说明" * 40)], None)
    lines = out.splitlines()
    assert all(len(line) <= 160 for line in lines)
    assert lines[2].startswith("包头鑫达物流有限公司   很长的说明") and lines[2].rstrip().endswith("…")

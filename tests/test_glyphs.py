"""Characters no installed font has are refused at fill time; those some font has print as themselves (issue 12).

Never an empty box, never a wrong character in the PDF's text layer: the text layer is read back with
pdftotext (poppler), as a reader copying from the PDF would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers import sample

from workflow.values import glyphs
from workflow.values.glyphs import missing_glyphs

needs_fontconfig = pytest.mark.skipif(shutil.which("fc-list") is None, reason="needs fontconfig's fc-list")


def _fill(kam: Any, deal: int, tmp_path: Path, handler: str) -> Any:
    data = sample("phone-invite-feedback", deal)
    data["visit_place"] = handler
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(data, default=str, ensure_ascii=False), encoding="utf-8")
    return kam("doc", "fill", str(deal), "phone-invite-feedback", "--file", str(path))


@needs_fontconfig
@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("王\U00020000", "U+20000 CJK UNIFIED IDEOGRAPH-20000"),  # Extension B: not in Noto Sans CJK SC
        ("王\U0002a700", "U+2A700 CJK UNIFIED IDEOGRAPH-2A700"),  # Extension C
        ("王\U00031350", "U+31350"),  # Extension H (newer than Python 3.11's Unicode: no name)
        ("王\U0001f468\u200d\U0001f469\u200d\U0001f467", "U+1F468 MAN"),  # a ZWJ emoji sequence
        ("王\U0001f1e8\U0001f1f3", "U+1F1E8 REGIONAL INDICATOR SYMBOL LETTER C"),  # a flag
        ("王\ue000", "U+E000"),  # private use
    ],
    ids=["ext-b", "ext-c", "ext-h", "zwj-emoji", "flag", "private-use"],
)
def test_a_character_no_font_has_is_refused_at_fill_time(kam: Any, deal: int, tmp_path: Path, text: str, named: str) -> None:
    assert [char for _, char in missing_glyphs(text)], "an installed font has it: the case does not apply here"
    result = _fill(kam, deal, tmp_path, text)
    assert result.exit_code == 1, result.output
    assert f"  - visit_place: character 2, {named}, is in no installed font, so the PDF would print an empty box" in result.stderr
    assert kam("doc", "list", str(deal)).stdout.count("phone-invite-feedback") == 0  # nothing was stored


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout


@needs_fontconfig
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_a_rare_character_a_font_has_is_printed_as_itself(kam: Any, deal: int, tmp_path: Path) -> None:
    rare = "㐀"  # U+3400, Extension A: in Noto Sans CJK
    fallback = "😀"  # U+1F600: not in Noto CJK, drawn by DejaVu Sans (Pango's fallback)
    assert list(missing_glyphs(rare + fallback)) == []
    filled = _fill(kam, deal, tmp_path, f"王{rare}{fallback}磊")
    assert filled.exit_code == 0, filled.output
    out = tmp_path / "p.pdf"
    rendered = kam("doc", "render", str(deal), "phone-invite-feedback", "--internal", "-o", str(out))
    assert rendered.exit_code == 0, rendered.output
    text = _pdf_text(out)
    assert f"王{rare}{fallback}磊" in text
    assert "\ufffd" not in text  # no character the PDF could not map back


def test_ordinary_text_never_reads_the_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    def unexpected() -> None:
        raise AssertionError("read the fonts for ordinary text")

    monkeypatch.setattr(glyphs, "_coverage", unexpected)
    ordinary = "客户车队 120 台，“高寒”工况 -30℃ → ① ■ Ⅻ ǎ；Fleet of 120 trucks — ￥1,000 · ＡＢＣ（全角）。\n\t\u200b\u200d\ufe0f"
    assert list(missing_glyphs(ordinary * 100)) == []


def test_without_fontconfig_nothing_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(glyphs, "_coverage", lambda: None)
    assert list(missing_glyphs("王\U00020000")) == []


def test_the_charsets_are_merged_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    class Ran:
        stdout = "20-7e a0-ff\n4e00-9fa5 3400-4dbf\n1f600\n20-30\n"

    import subprocess as real

    monkeypatch.setattr(real, "run", lambda *a, **k: Ran())
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/fc-list")
    glyphs._coverage.cache_clear()
    try:
        assert glyphs._coverage() == ([0x20, 0xA0, 0x3400, 0x4E00, 0x1F600], [0x7E, 0xFF, 0x4DBF, 0x9FA5, 0x1F600])
        assert list(missing_glyphs("a㐀😀😁")) == [(4, "😁")]
    finally:
        glyphs._coverage.cache_clear()


@needs_fontconfig
@pytest.mark.parametrize(
    ("command", "field"),
    [
        (("account", "add", "包头𠀀物流", "--type", "enterprise", "--class", "A", "--industry", "物流", "--fleet-size", "3"), "name (名称)"),
        (("contact", "add", "{account}", "王𠀀"), "name (姓名)"),
        (("opp", "new", "{account}", "20 台𠀀牵引车", "--owner", "王磊"), "title (标题)"),
        (("opp", "edit", "{deal}", "--title", "20 台𠀀牵引车"), "title (标题)"),
        (("company", "set", "--address", "北京𠀀路 1 号"), "the address"),
        (("opp", "hold", "{deal}", "--reason", "等𠀀"), "reason (原因)"),
    ],
    ids=["account-name", "contact-name", "title", "new-title", "letterhead", "hold-reason"],
)
def test_a_character_no_font_has_is_refused_wherever_it_is_typed(kam: Any, db: Any, deal: int, command: tuple[str, ...], field: str) -> None:
    """Titles, names and letterhead lines print on the PDFs like document fields: the same rule, naming the field."""
    from workflow.records.models import Opportunity

    with db.read() as s:
        account = s.get(Opportunity, deal).account_id
    args = [arg.format(account=account, deal=deal) for arg in command]
    before = kam("--json", "opp", "show", str(deal)).stdout
    result = kam("--actor", "王磊", *args)
    assert result.exit_code == 1, result.output
    assert f"Error: {field}: character " in result.stderr and "U+20000 CJK UNIFIED IDEOGRAPH-20000, is in no installed font" in result.stderr
    zh = kam("--actor", "王磊", *args, lang="zh")
    assert "U+20000" in zh.stderr and "在已安装的字体中都没有" in zh.stderr
    assert kam("--json", "opp", "show", str(deal)).stdout == before

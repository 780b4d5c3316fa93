"""Characters no installed font has (issue 12): refused when a document is filled, never an empty box in a PDF.

Pango draws each character with the first font fontconfig offers that has it (the document's Noto CJK, else
DejaVu, OpenSymbol...), so a character any installed font has is printed and lands in the PDF's text layer as
itself (tests/test_glyphs.py reads it back); one that no font has would be an empty box (.notdef) whose text
layer still claims the character. `kam doc fill` asks `missing_in` and refuses those, naming each.

Cost: nothing for ordinary text (one regular-expression scan: 0.24 ms for the longest realistic contract review,
6,000 characters); the first character outside the common set and GB 2312 reads every font's charset with one
`fc-list` call (50-110 ms on the test machine under load, 70 of them fc-list itself), kept for the process.
"""

from __future__ import annotations

import bisect
import functools
import re
import shutil
import unicodedata
from collections.abc import Iterator

# What every Chinese font has, and DejaVu with it: ASCII, Latin-1, general punctuation, CJK punctuation, the
# 20,902 ideographs of Unicode 1.1 and the full-width forms. A text made only of these (nearly every document)
# never reads a font's character map; anything else is looked up in the fonts fontconfig knows.
_RARE = re.compile(r"[^\t\n\r\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u3000-\u303f\u4e00-\u9fa5\uff01-\uffef]")


@functools.lru_cache(maxsize=1)
def _coverage() -> tuple[list[int], list[int]] | None:
    """Every code point some installed font has, as merged ranges (starts, ends); None without fontconfig.

    Read once per process and only when a rare character occurs: one `fc-list` call (~70 ms for 53 fonts) gives
    each font's charset as hex ranges. Pango falls back through the same fonts, so a character in any of
    them is drawn (by that font) and one in none is an empty box.
    """
    import subprocess  # 10 ms: only a process that meets a rare character pays it

    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run(
            [fc_list, "--format", "%{charset}\n"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    ranges: list[tuple[int, int]] = []
    # the weights and regional variants of one family share a charset: each distinct one is read once
    for item in {item for line in set(out.splitlines()) for item in line.split()}:
        first, _, last = item.partition("-")
        try:
            ranges.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    if not ranges:
        return None
    ranges.sort()
    starts, ends = [ranges[0][0]], [ranges[0][1]]
    for low, high in ranges[1:]:
        if low <= ends[-1] + 1:
            ends[-1] = max(ends[-1], high)
        else:
            starts.append(low)
            ends.append(high)
    return starts, ends


def _drawn(char: str) -> bool:
    """Whether `char` needs no glyph: a format character or a variation selector (ZWJ, ZWSP, U+FE0F) draws nothing."""
    code = ord(char)
    return unicodedata.category(char) == "Cf" or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _gb2312(char: str) -> bool:
    """Whether `char` is one of GB 2312's (℃, →, ①, ■, Ⅻ, the pinyin letters...), the simplified-Chinese set every
    Chinese font carries: `require_cjk_font` vouches for it, and the common symbols of a document never cost a lookup.
    """
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def missing_glyphs(text: str) -> Iterator[tuple[int, str]]:
    """(position from 1, character) of each character of `text` no installed font has, in order.

    Nothing when fontconfig cannot say (no fc-list): `require_cjk_font` refuses to render then anyway.
    """
    for found in _RARE.finditer(text):
        char = found.group()
        if _drawn(char) or _gb2312(char):
            continue
        coverage = _coverage()
        if coverage is None:
            return
        starts, ends = coverage
        index = bisect.bisect_right(starts, ord(char)) - 1
        if index < 0 or ord(char) > ends[index]:
            yield found.start() + 1, char


def missing_in(data: object, path: str = "") -> Iterator[tuple[str, int, str]]:
    """(key path, position, character) of the first character without a glyph in each text of a stored document."""
    if isinstance(data, str):
        for position, char in missing_glyphs(data):
            yield path, position, char
            return
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from missing_in(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from missing_in(value, f"{path}[{index + 1}]")

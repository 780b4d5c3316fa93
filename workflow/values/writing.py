"""Text as people type it: full-width forms, and how a refused value is shown back to them.

Shared by the rules that read values people write (`names`, `money`, `dates`), so that the
three agree on what a full-width character means and on how a refusal quotes the input.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.values.glyphs import missing_glyphs

#: A field as a refusal names it: one string for both languages (`--owner`, `lines[2].unit_price`)
#: or a `Text` with a label per language (`t("负责人", "owner")`).
Field = str | Text

# A Chinese input method in full-width mode types U+FF01..U+FF5E for ASCII ! .. ~ and U+3000
# for the space; ￥ (U+FFE5) is the full-width yuan sign. Only these are mapped: NFKC would also
# turn ² into 2 and ⑩ into 10, which in an amount or a date would silently change the number.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xFFE5: 0xA5}

SHOWN_LIMIT = 40


def halfwidth(text: str) -> str:
    """`text` with full-width ASCII forms (３８６，０００．５０) turned into ASCII (386,000.50)."""
    return text.translate(_HALFWIDTH)


def label(field: Field) -> Text:
    """The field's name in both languages."""
    return field if isinstance(field, Text) else Text(field, field)


def shown(text: str, *, hidden: Callable[[str], bool] | None = None, limit: int = SHOWN_LIMIT) -> str:
    """`text` as a refusal quotes it: one line, what the eye cannot see spelled as <U+XXXX>, at most `limit` characters.

    Quoting the raw input would print the very character being refused (an invisible one, or
    a right-to-left override that scrambles the rest of the line), so anything not printable,
    any space other than U+0020, and whatever `hidden` flags is written as its code point.
    """
    out: list[str] = []
    for count, char in enumerate(text):
        if count == limit:
            out.append("…")
            break
        if char != " " and (not char.isprintable() or (hidden is not None and hidden(char))):
            out.append(f"<U+{ord(char):04X}>")
        else:
            out.append(char)
    return "".join(out)


def as_written(value: object) -> str:
    """A value from a file or an option as a refusal quotes it: text as typed, anything else in its JSON/YAML
    spelling (`true`, `null`, `[1, 2]`), through `shown` (one line, invisible characters as code points).

    The caller puts the quotes around it: 「…」 in Chinese, “…” in English.
    """
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return shown(value)


def path_text(path: object) -> str:
    """A path a person gave, as a message names it: as typed (through `shown`), in “…” when it would not read as a
    path on its own (no / and no dot: `False`, `None`, `my file`), so "no file at “False”" is not Python talking."""
    text = shown(str(path), limit=4096)  # a path is shown whole (Linux's PATH_MAX), invisible characters spelled
    return text if ("/" in text or "." in text) and " " not in text and text else f"“{text}”"


def value_text(value: object) -> Text:
    """A stored value as a message shows it: 是/否 (yes/no) for a boolean, never `True`; a list as its items.

    What a person wrote or can write back: `True`, `None` or `['a']` in a message is Python
    talking, not kam.
    """
    if isinstance(value, bool):
        return Text("是", "yes") if value else Text("否", "no")
    if value is None:
        return Text("（空）", "(blank)")
    if isinstance(value, float) and value.is_integer():
        return Text(str(int(value)), str(int(value)))
    if isinstance(value, list | tuple | set | frozenset):
        items = [value_text(item) for item in value]
        return Text("、".join(i.zh for i in items), ", ".join(i.en for i in items))
    if isinstance(value, dict):
        pairs = [(str(k), value_text(v)) for k, v in value.items()]
        return Text("；".join(f"{k}：{v.zh}" for k, v in pairs), "; ".join(f"{k}: {v.en}" for k, v in pairs))
    return Text(str(value), str(value))


def code_point(char: str) -> str:
    """`U+200B ZERO WIDTH SPACE`: how a refusal names one character, with its Unicode name when it has one."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"


# -- characters no typed text may hold (issue 12) ------------------------------------------------------------

#: The bidirectional embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): each reorders
#: the text after it, in a terminal and in a PDF's text layer, so "合同金额 100" can read as something else.
BIDI_CONTROLS = frozenset(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))

# The one rule for every text a person types that kam stores, prints on a PDF or shows in a terminal (a document
# field, a title, a note, a comment, a letterhead line): C0 controls but tab, line feed and carriage return; DEL;
# the C1 controls U+0080-U+009F (U+009B is a terminal's escape, U+0085 a line break to some readers); the
# bidirectional controls above; and lone surrogates (bytes that were not UTF-8). Refused, never stripped, so
# what is stored and hashed into the history is exactly what was written. Names refuse more (`values.names`).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


class Unsafe(NamedTuple):
    """The first character of a text that the rule refuses, and where it is (1 = the first character)."""

    position: int
    char: str

    def what(self) -> Text:
        """The character as a refusal names it: its kind and its code point (`U+202E RIGHT-TO-LEFT OVERRIDE`)."""
        code = code_point(self.char)
        if self.char in BIDI_CONTROLS:
            return t(f"改变文字方向的控制字符 {code}", f"the bidirectional control character {code}")
        if 0xD800 <= ord(self.char) <= 0xDFFF:
            return t(f"无效的代理码位 {code}", f"the unpaired surrogate {code}")
        return t(f"控制字符 {code}", f"the control character {code}")


def unsafe(text: str) -> Unsafe | None:
    """The first character of `text` no typed text may hold (see `_UNSAFE`), or None."""
    found = _UNSAFE.search(text)
    return None if found is None else Unsafe(found.start() + 1, found.group())


def safe_text(field: Field, text: str) -> str:
    """`text` itself, or a refusal naming `field`, the character, its code point and its position: a control or
    bidirectional character (`unsafe`), or one no installed font has (it would print as an empty box)."""
    found = unsafe(text)
    if found is None:
        refuse_unprintable(field, text)
        return text
    where, what = label(field), found.what()
    quoted = shown(text, hidden=lambda char: _UNSAFE.fullmatch(char) is not None)
    raise InvalidInput(
        t(
            f"{where.zh}：「{quoted}」的第 {found.position} 个字符是{what.zh}，不能保存或打印：请删除它",
            f"{where.en}: “{quoted}” holds {what.en} at position {found.position}, which kam cannot store or "
            "print: remove it",
        )
    )


def refuse_unprintable(field: Field, text: str) -> None:
    """A refusal naming `field` and the first character of `text` that no installed font has (`values.glyphs`):
    a title, a name or a letterhead line prints on a PDF like a document field, so the same rule holds (issue 12)."""
    for position, char in missing_glyphs(text):
        where, quoted = label(field), shown(text)
        raise InvalidInput(
            t(
                f"{where.zh}：「{quoted}」的第 {position} 个字符 {code_point(char)} 在已安装的字体中都没有，"
                "PDF 里会印成空框：请改用常用写法（或拼音），或安装含有该字符的字体（见 kam doctor）",
                f"{where.en}: character {position} of “{quoted}”, {code_point(char)}, is in no installed font, so a "
                "PDF would print an empty box: write it another way, or install a font that has it (see kam doctor)",
            )
        )

"""Text as people type it: full-width forms, and how a refused value is shown back to them.

Shared by the rules that read values people write (`names`, `money`, `dates`), so that the
three agree on what a full-width character means and on how a refusal quotes the input.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable

from workflow.i18n import Text

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

"""People's names, compared as people read them (issue 13).

A name (an opportunity's owner, the acting user, a reviewer, a roster entry) is stored in
its normalized form and compared by its key, so that what looks like one person to the eye
is one person to kam, and a name that would look like someone else's is refused, never
taken for a different person:

- ``Ｚｈａｎｇ``, ``ZHANG`` and ``zhang`` are one person: Unicode NFKC (full-width letters,
  CJK compatibility ideographs, Kangxi radicals, composed accents), then case folding for the
  key;
- ``张\\u200b伟``, ``\\ufeff张伟``, ``张伟\\u2060`` and a name that is only U+200B are refused:
  zero-width and other format characters (Cf), bidirectional controls, control characters
  (C0 and C1), surrogates (undecodable bytes from the terminal), private-use and unassigned
  code points, and the invisible fillers and variation selectors Unicode lists as
  default-ignorable; the refusal names the field, the character and where it is;
- ``Zhаng`` with a Cyrillic а is refused too: Latin, Cyrillic and Greek letters mixed in
  one name are the classic look-alike;
- a run of spaces (any Unicode space, a tab, a line break) is one space; the spaces inside a
  Chinese name (``张　伟``, padded to line up with three-character names) are dropped; the
  dots of a transliterated name (``阿依古丽•买买提``, ``・``, ``.`` between Chinese characters)
  are the one U+00B7 ``·``; typographic apostrophes and dashes are ``'`` and ``-``.

Not covered: traditional and simplified forms (張偉 and 张伟) stay two names, as telling them
apart needs a conversion table; characters newer than the Unicode version of Python's
`unicodedata` (14.0 on Python 3.11, so CJK Extension H) are refused as unassigned.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.values.writing import BIDI_CONTROLS, Field, code_point, label, refuse_unprintable, shown

MAX_LENGTH = 100
# A raw text this long is refused before it is scanned: no name is ever that long, and the
# character-by-character checks should not run over a pasted file.
MAX_RAW_LENGTH = 10 * MAX_LENGTH

# Spaces as the eye sees them: every Zs space plus the tab and the line breaks. They are
# collapsed, not refused, although tab and line feed are control characters: in a name copied
# from a spreadsheet cell or a chat they are layout, and no name keeps them.
_LAYOUT_SPACES = frozenset("\t\n\r\x0b\x0c\x85\u2028\u2029")

# Bidirectional controls (UAX #9): the embeddings, overrides and isolates every typed text refuses
# (`writing.BIDI_CONTROLS`), and in a name the marks LRM, RLM and ALM too.
_BIDI = BIDI_CONTROLS | frozenset(chr(code) for code in (0x061C, 0x200E, 0x200F))

# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt) beyond what the categories
# Cf, Cn and Cs already refuse: characters that render as nothing although they are letters or
# marks. U+3164 HANGUL FILLER is the usual "blank name" in games and chats.
_INVISIBLE = frozenset(
    chr(code)
    for code in (
        0x034F,  # COMBINING GRAPHEME JOINER
        0x115F,  # HANGUL CHOSEONG FILLER
        0x1160,  # HANGUL JUNGSEONG FILLER
        0x17B4,  # KHMER VOWEL INHERENT AQ
        0x17B5,  # KHMER VOWEL INHERENT AA
        *range(0x180B, 0x180E),  # MONGOLIAN FREE VARIATION SELECTOR ONE..THREE
        0x180F,  # MONGOLIAN FREE VARIATION SELECTOR FOUR
        0x3164,  # HANGUL FILLER
        *range(0xFE00, 0xFE10),  # VARIATION SELECTOR-1..16
        0xFFA0,  # HALFWIDTH HANGUL FILLER
        *range(0xE0100, 0xE01F0),  # VARIATION SELECTOR-17..256
    )
)

# Characters people type interchangeably in a name, folded to one. Before NFKC: the acute
# accent U+00B4 would otherwise become a space and a combining mark.
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2018\u2019\u02bc\u00b4\u2032\u0060", "'"))
# After NFKC (which already maps U+FF65 to U+30FB, U+0387 to U+00B7, U+FF0D to "-").
_AFTER_NFKC = str.maketrans(
    dict.fromkeys("\u2022\u2027\u2219\u22c5\u30fb\u2e31", "\u00b7")
    | dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58", "-")
)

# Chinese characters, for the spaces and dots between them: the unified ideographs and
# their extensions, the compatibility ideographs NFKC leaves alone, and 〇.
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_SPACES = re.compile(r"\s+")
_SPACED_DOT = re.compile(" ?\u00b7 ?")

_RADICALS = ((0x2E80, 0x2FDF), (0x2FF0, 0x2FFF), (0x31C0, 0x31EF))

_SCRIPTS = {
    "LATIN": t("拉丁字母", "Latin"),
    "CYRILLIC": t("西里尔字母", "Cyrillic"),
    "GREEK": t("希腊字母", "Greek"),
}

_KINDS: dict[str, Text] = {
    "format": t("看不见的格式字符", "an invisible format character"),
    "bidi": t("改变文字方向的控制字符", "a bidirectional control character"),
    "invisible": t("看不见的填充或变体字符", "an invisible filler or variation character"),
    "control": t("控制字符", "a control character"),
    "surrogate": t("无效的编码（代理码位）", "an invalid code (a surrogate)"),
    "private": t("私用区字符", "a private-use character"),
    "unassigned": t("未分配的码位", "an unassigned code point"),
}

_RETYPE = t(
    "请删除它后重新输入名字（从网页、聊天软件或表格复制的名字常带这类字符）",
    "delete it and type the name again "
    "(names copied from web pages, chat apps or spreadsheets often carry such characters)",
)
_FIXES: dict[str, Text] = {
    "surrogate": t(
        "输入的文字不是有效的 UTF-8：请检查终端或文件的编码",
        "the text was not valid UTF-8: check the encoding of the terminal or the file",
    ),
    "private": t(
        "这是字体或输入法自造的字符，别人的电脑上显示不出来；请换用标准的汉字或字母",
        "it is a font's or an input method's own character that other computers cannot show; use a standard character",
    ),
    "unassigned": t(
        "kam 使用的 Unicode 14 里没有这个字符；请换用常用写法",
        "Unicode 14, which kam uses, has no such character; write the name with common characters",
    ),
}


def normalize_name(raw: object, field: Field = "name") -> str:
    """The name as kam stores and shows it; refuses (InvalidInput, naming `field`) what would deceive the eye.

    Idempotent: a normalized name normalizes to itself, so stored names can be passed back in.
    """
    where = label(field)
    if not isinstance(raw, str):
        raise InvalidInput(
            t(
                f"{where.zh}：名字应为文本；请写成文字（YAML 里可加引号）",
                f"{where.en}: a name must be text; write it as text (in YAML, put it in quotes)",
            )
        )
    if len(raw) > MAX_RAW_LENGTH:
        raise _too_long(where, len(raw))
    _refuse_hidden(raw, where)
    text = unicodedata.normalize("NFKC", raw.translate(_APOSTROPHES)).translate(_AFTER_NFKC)
    text = _SPACES.sub(" ", text).strip()
    if " " in text or "." in text:
        space_between, dot_between = _between_han()
        text = space_between.sub("", text)
        text = _SPACED_DOT.sub("\u00b7", dot_between.sub("\u00b7", text))
    if not text:
        blank = bool(raw)
        raise InvalidInput(
            t(
                f"{where.zh}：名字为空{'（只有空白）' if blank else ''}；请写出名字",
                f"{where.en}: the name is empty{' (only spaces)' if blank else ''}; write the name",
            )
        )
    _refuse_shapes(text, where)
    if len(text) > MAX_LENGTH:
        raise _too_long(where, len(text))
    refuse_unprintable(field, text)  # a rare character in a name (王𠀀) that no font has would be an empty box
    return text


def name_key(name: object, field: Field = "name") -> str:
    """What two names are compared by: the normalized name, case folded (`Ｚｈａｎｇ`, `ZHANG`, `zhang` -> `zhang`).

    For equality and unique indexes only; show people `normalize_name()`, never the key.
    A name `normalize_name` refuses is refused here too: it is never "someone else".
    """
    return unicodedata.normalize("NFKC", normalize_name(name, field).casefold())


def stored_key(name: str) -> str:
    """The key of a name read back from the database: a name stored before names were checked is compared as written.

    Rows written by kam before issue 13 may hold a name `normalize_name` now refuses; such a
    name is nobody's typed name, so folding its case is enough to compare it with itself.
    """
    try:
        return name_key(name)
    except InvalidInput:
        return name.casefold()


def same_person(a: object, b: object, field: Field = "name") -> bool:
    """Whether two names are one person as people read them; refuses either name if it is not a name."""
    return name_key(a, field) == name_key(b, field)


@functools.cache
def _between_han() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A space, and a full stop, between two Chinese characters.

    Compiled on first use: the ranges of ideographs take the regex compiler 3-4 ms, which
    `kam --help` should not pay, and most names (张伟) never need them.
    """
    return re.compile(rf"(?<=[{_HAN}]) (?=[{_HAN}])"), re.compile(rf"(?<=[{_HAN}]) ?\. ?(?=[{_HAN}])")


# -- the checks -----------------------------------------------------------------------------


def _kind(char: str) -> str | None:
    """Why `char` may not be in a name as typed, or None if it may (spaces are layout, not refused)."""
    if char in _LAYOUT_SPACES:
        return None
    if char in _BIDI:
        return "bidi"
    if char in _INVISIBLE:
        return "invisible"
    category = unicodedata.category(char)
    if category[0] != "C":
        return None
    return {"Cc": "control", "Cf": "format", "Cs": "surrogate", "Co": "private"}.get(category, "unassigned")


def _hidden(char: str) -> bool:
    return _kind(char) is not None


def _is_mark(char: str) -> bool:
    return unicodedata.category(char)[0] == "M"


def _refuse_hidden(raw: str, where: Text) -> None:
    found = [(position, char, kind) for position, char in enumerate(raw, 1) if (kind := _kind(char)) is not None]
    if not found:
        return
    position, char, kind = found[0]
    what, fix, code = _KINDS[kind], _FIXES.get(kind, _RETYPE), code_point(char)
    quoted = shown(raw, hidden=_hidden)
    more = len(found)
    raise InvalidInput(
        t(
            f"{where.zh}：「{quoted}」的第 {position} 个字符（{code}）是{what.zh}，名字里不能有"
            f"{f'（共 {more} 个不能用的字符）' if more > 1 else ''}；{fix.zh}",
            f'{where.en}: "{quoted}" has {what.en} ({code}) at position {position}, which a name cannot hold'
            f"{f' ({more} such characters in all)' if more > 1 else ''}; {fix.en}",
        )
    )


def _refuse_shapes(text: str, where: Text) -> None:
    """What is wrong with a name only once it is normalized: radicals, stray marks, mixed look-alike scripts."""
    first_script: str | None = None
    for position, char in enumerate(text, 1):
        code = ord(char)
        if any(low <= code <= high for low, high in _RADICALS):
            cp = code_point(char)
            raise InvalidInput(
                t(
                    f"{where.zh}：「{shown(text)}」的第 {position} 个字符（{cp}）是部首或笔画符号，不是汉字；"
                    "请用输入法重新输入这个字",
                    f'{where.en}: "{shown(text)}" has a radical or stroke sign ({cp}) at position {position}, '
                    "not a Chinese character; type the character again with an input method",
                )
            )
        category = unicodedata.category(char)
        if category[0] == "M" and (position == 1 or text[position - 2] == " "):
            cp, quoted = code_point(char), shown(text, hidden=_is_mark)
            raise InvalidInput(
                t(
                    f"{where.zh}：「{quoted}」的第 {position} 个字符（{cp}）是没有依附字母的组合符号；"
                    "请删除它，或把它紧跟在要加符号的字母后",
                    f'{where.en}: "{quoted}" has a combining mark with no letter before it ({cp}) '
                    f"at position {position}; delete it or put it right after the letter it belongs to",
                )
            )
        if category[0] != "L":
            continue
        script = unicodedata.name(char, "").split(" ", 1)[0]
        if script not in _SCRIPTS:
            continue
        if first_script is None:
            first_script = script
        elif script != first_script:
            one, other, cp = _SCRIPTS[first_script], _SCRIPTS[script], code_point(char)
            raise InvalidInput(
                t(
                    f"{where.zh}：「{shown(text)}」混用了{one.zh}和{other.zh}（第 {position} 个字符 {cp}）："
                    "看起来一样的字母其实不同；请只用一种文字重新输入",
                    f'{where.en}: "{shown(text)}" mixes {one.en} and {other.en} letters ({cp} at position {position}): '
                    "letters that look alike are different letters; type the name again in one script",
                )
            )


def _too_long(where: Text, length: int) -> InvalidInput:
    return InvalidInput(
        t(
            f"{where.zh}：名字有 {length} 个字符，超过上限 {MAX_LENGTH} 个；请只写名字本身",
            f"{where.en}: the name has {length} characters, over the limit of {MAX_LENGTH}; write only the name itself",
        )
    )

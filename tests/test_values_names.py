"""People's names compared as people read them (issue 13): one person however they are typed, and a refusal,
never a second person, for a name that only looks like someone's."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.values import names
from workflow.values.names import MAX_LENGTH, name_key, normalize_name, same_person
from workflow.values.writing import Field

OWNER = t("负责人 (--owner)", "owner (--owner)")
RETYPE_ZH = "请删除它后重新输入名字（从网页、聊天软件或表格复制的名字常带这类字符）"
RETYPE_EN = (
    "delete it and type the name again "
    "(names copied from web pages, chat apps or spreadsheets often carry such characters)"
)


def refusal(raw: object, field: Field = OWNER) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as caught:
        normalize_name(raw, field)
    return caught.value.message.zh, caught.value.message.en


# -- the bypasses of issue 13 -------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["zhang", "ZHANG", "Ｚｈａｎｇ", "Zhang", " Zhang ", "ＺＨＡＮＧ", "zHaNg"])
def test_an_owner_zhang_is_one_person_however_the_case_or_width_is_typed(typed: str) -> None:
    assert same_person("Zhang", typed)
    assert name_key(typed) == "zhang"


def test_a_zero_width_space_inside_a_name_is_refused_naming_the_character_and_where_it_is() -> None:
    assert refusal("张\u200b伟") == (
        "负责人 (--owner)：「张<U+200B>伟」的第 2 个字符（U+200B ZERO WIDTH SPACE）是看不见的格式字符，"
        f"名字里不能有；{RETYPE_ZH}",
        f'owner (--owner): "张<U+200B>伟" has an invisible format character (U+200B ZERO WIDTH SPACE) at position 2, '
        f"which a name cannot hold; {RETYPE_EN}",
    )


def test_a_byte_order_mark_before_a_name_is_refused() -> None:
    assert refusal("\ufeff张伟") == (
        "负责人 (--owner)：「<U+FEFF>张伟」的第 1 个字符（U+FEFF ZERO WIDTH NO-BREAK SPACE）是看不见的格式字符，"
        f"名字里不能有；{RETYPE_ZH}",
        'owner (--owner): "<U+FEFF>张伟" has an invisible format character (U+FEFF ZERO WIDTH NO-BREAK SPACE) '
        f"at position 1, which a name cannot hold; {RETYPE_EN}",
    )


def test_a_word_joiner_after_a_name_is_refused() -> None:
    assert refusal("张伟\u2060") == (
        "负责人 (--owner)：「张伟<U+2060>」的第 3 个字符（U+2060 WORD JOINER）是看不见的格式字符，"
        f"名字里不能有；{RETYPE_ZH}",
        f'owner (--owner): "张伟<U+2060>" has an invisible format character (U+2060 WORD JOINER) at position 3, '
        f"which a name cannot hold; {RETYPE_EN}",
    )


def test_an_actor_that_is_only_a_zero_width_space_is_refused_not_taken_as_a_reviewer() -> None:
    reviewer = t("审批人 (--actor)", "reviewer (--actor)")
    assert refusal("\u200b", reviewer) == (
        "审批人 (--actor)：「<U+200B>」的第 1 个字符（U+200B ZERO WIDTH SPACE）是看不见的格式字符，"
        f"名字里不能有；{RETYPE_ZH}",
        f'reviewer (--actor): "<U+200B>" has an invisible format character (U+200B ZERO WIDTH SPACE) at position 1, '
        f"which a name cannot hold; {RETYPE_EN}",
    )


@pytest.mark.parametrize("disguised", ["张\u200b伟", "\ufeff张伟", "张伟\u2060"])
def test_a_disguised_name_is_never_a_different_person_it_is_refused(disguised: str) -> None:
    with pytest.raises(InvalidInput):
        same_person("张伟", disguised)
    with pytest.raises(InvalidInput):
        name_key(disguised)


def test_several_hidden_characters_are_counted_and_the_first_one_is_named() -> None:
    assert refusal("\u200b张\u200c伟\u200d") == (
        "负责人 (--owner)：「<U+200B>张<U+200C>伟<U+200D>」的第 1 个字符（U+200B ZERO WIDTH SPACE）"
        f"是看不见的格式字符，名字里不能有（共 3 个不能用的字符）；{RETYPE_ZH}",
        'owner (--owner): "<U+200B>张<U+200C>伟<U+200D>" has an invisible format character (U+200B ZERO WIDTH SPACE) '
        f"at position 1, which a name cannot hold (3 such characters in all); {RETYPE_EN}",
    )


# -- every kind of character a name cannot hold ---------------------------------------------------

FORMAT = ("看不见的格式字符", "an invisible format character")
BIDI = ("改变文字方向的控制字符", "a bidirectional control character")
INVISIBLE = ("看不见的填充或变体字符", "an invisible filler or variation character")
CONTROL = ("控制字符", "a control character")
SURROGATE = ("无效的编码（代理码位）", "an invalid code (a surrogate)")
PRIVATE = ("私用区字符", "a private-use character")
UNASSIGNED = ("未分配的码位", "an unassigned code point")


@pytest.mark.parametrize(
    ("char", "kind"),
    [
        ("\u200b", FORMAT),  # ZERO WIDTH SPACE
        ("\u200c", FORMAT),  # ZERO WIDTH NON-JOINER
        ("\u200d", FORMAT),  # ZERO WIDTH JOINER
        ("\u2060", FORMAT),  # WORD JOINER
        ("\u2061", FORMAT),  # FUNCTION APPLICATION
        ("\u2064", FORMAT),  # INVISIBLE PLUS
        ("\ufeff", FORMAT),  # ZERO WIDTH NO-BREAK SPACE
        ("\u00ad", FORMAT),  # SOFT HYPHEN
        ("\u180e", FORMAT),  # MONGOLIAN VOWEL SEPARATOR
        ("\U000e0041", FORMAT),  # TAG LATIN CAPITAL LETTER A
        ("\U0001d173", FORMAT),  # MUSICAL SYMBOL BEGIN BEAM
        ("\u202a", BIDI),  # LEFT-TO-RIGHT EMBEDDING
        ("\u202b", BIDI),  # RIGHT-TO-LEFT EMBEDDING
        ("\u202c", BIDI),  # POP DIRECTIONAL FORMATTING
        ("\u202d", BIDI),  # LEFT-TO-RIGHT OVERRIDE
        ("\u202e", BIDI),  # RIGHT-TO-LEFT OVERRIDE
        ("\u2066", BIDI),  # LEFT-TO-RIGHT ISOLATE
        ("\u2067", BIDI),  # RIGHT-TO-LEFT ISOLATE
        ("\u2068", BIDI),  # FIRST STRONG ISOLATE
        ("\u2069", BIDI),  # POP DIRECTIONAL ISOLATE
        ("\u200e", BIDI),  # LEFT-TO-RIGHT MARK
        ("\u200f", BIDI),  # RIGHT-TO-LEFT MARK
        ("\u061c", BIDI),  # ARABIC LETTER MARK
        ("\u3164", INVISIBLE),  # HANGUL FILLER
        ("\uffa0", INVISIBLE),  # HALFWIDTH HANGUL FILLER
        ("\u115f", INVISIBLE),  # HANGUL CHOSEONG FILLER
        ("\u1160", INVISIBLE),  # HANGUL JUNGSEONG FILLER
        ("\u034f", INVISIBLE),  # COMBINING GRAPHEME JOINER
        ("\ufe0f", INVISIBLE),  # VARIATION SELECTOR-16
        ("\ufe00", INVISIBLE),  # VARIATION SELECTOR-1
        ("\U000e0100", INVISIBLE),  # VARIATION SELECTOR-17
        ("\u180b", INVISIBLE),  # MONGOLIAN FREE VARIATION SELECTOR ONE
        ("\u17b4", INVISIBLE),  # KHMER VOWEL INHERENT AQ
        ("\x00", CONTROL),
        ("\x07", CONTROL),  # bell
        ("\x08", CONTROL),  # backspace: rewrites what the terminal shows
        ("\x1b", CONTROL),  # escape: starts a terminal colour sequence
        ("\x1c", CONTROL),  # file separator: Python calls it a space, a name does not
        ("\x1f", CONTROL),
        ("\x7f", CONTROL),  # delete
        ("\x80", CONTROL),  # C1
        ("\x9b", CONTROL),  # C1 control sequence introducer
        ("\x9f", CONTROL),
        ("\ud800", SURROGATE),
        ("\udce5", SURROGATE),  # what Python makes of an undecodable byte in sys.argv
        ("\ue000", PRIVATE),
        ("\uf8ff", PRIVATE),
        ("\U000f0000", PRIVATE),
        ("\U0010fffd", PRIVATE),
        ("\u0378", UNASSIGNED),
        ("\ufdd0", UNASSIGNED),  # a noncharacter
        ("\uffff", UNASSIGNED),  # a noncharacter
        ("\U0003ffff", UNASSIGNED),
        ("\u2065", UNASSIGNED),  # reserved inside the invisible operators
    ],
)
@pytest.mark.parametrize(("before", "position"), [("", 1), ("张", 2), ("Zhang Wei ", 11)])
def test_a_character_a_name_cannot_hold_is_refused_wherever_it_is(
    char: str, kind: tuple[str, str], before: str, position: int
) -> None:
    zh, en = refusal(before + char + "伟")
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"
    assert f"的第 {position} 个字符（{code}）是{kind[0]}，名字里不能有；" in zh
    assert f" has {kind[1]} ({code}) at position {position}, which a name cannot hold; " in en
    assert zh.startswith(f"负责人 (--owner)：「{before}<U+{ord(char):04X}>伟」")
    assert en.startswith(f'owner (--owner): "{before}<U+{ord(char):04X}>伟"')


def test_an_undecodable_argument_says_to_check_the_encoding() -> None:
    assert refusal("张\udce5\udcbc") == (
        "负责人 (--owner)：「张<U+DCE5><U+DCBC>」的第 2 个字符（U+DCE5）是无效的编码（代理码位），"
        "名字里不能有（共 2 个不能用的字符）；输入的文字不是有效的 UTF-8：请检查终端或文件的编码",
        'owner (--owner): "张<U+DCE5><U+DCBC>" has an invalid code (a surrogate) (U+DCE5) at position 2, '
        "which a name cannot hold (2 such characters in all); "
        "the text was not valid UTF-8: check the encoding of the terminal or the file",
    )


def test_a_private_use_character_says_others_cannot_see_it() -> None:
    assert refusal("张\ue000") == (
        "负责人 (--owner)：「张<U+E000>」的第 2 个字符（U+E000）是私用区字符，名字里不能有；"
        "这是字体或输入法自造的字符，别人的电脑上显示不出来；请换用标准的汉字或字母",
        'owner (--owner): "张<U+E000>" has a private-use character (U+E000) at position 2, which a name cannot hold; '
        "it is a font's or an input method's own character that other computers cannot show; use a standard character",
    )


def test_an_unassigned_code_point_says_which_unicode_kam_knows() -> None:
    assert refusal("张\u0378") == (
        "负责人 (--owner)：「张<U+0378>」的第 2 个字符（U+0378）是未分配的码位，名字里不能有；"
        "kam 使用的 Unicode 14 里没有这个字符；请换用常用写法",
        'owner (--owner): "张<U+0378>" has an unassigned code point (U+0378) at position 2, which a name cannot hold; '
        "Unicode 14, which kam uses, has no such character; write the name with common characters",
    )


def test_a_right_to_left_override_is_shown_as_its_code_so_the_message_itself_is_not_reversed() -> None:
    zh, en = refusal("\u202e伟张")
    assert "\u202e" not in zh and "\u202e" not in en
    assert zh.startswith(
        "负责人 (--owner)：「<U+202E>伟张」的第 1 个字符（U+202E RIGHT-TO-LEFT OVERRIDE）是改变文字方向的控制字符"
    )


def test_a_long_refused_name_is_quoted_short_but_the_position_is_exact() -> None:
    zh, en = refusal("张" * 49 + "\u200b伟")
    assert zh == (
        f"负责人 (--owner)：「{'张' * 40}…」的第 50 个字符（U+200B ZERO WIDTH SPACE）"
        f"是看不见的格式字符，名字里不能有；{RETYPE_ZH}"
    )
    assert en.startswith(
        f'owner (--owner): "{"张" * 40}…" has an invisible format character (U+200B ZERO WIDTH SPACE) at position 50,'
    )


# -- look-alikes only visible once normalized --------------------------------------------------------


def test_a_cyrillic_letter_inside_a_latin_name_is_refused() -> None:
    assert refusal("Zh\u0430ng") == (
        "负责人 (--owner)：「Zhаng」混用了拉丁字母和西里尔字母（第 3 个字符 U+0430 CYRILLIC SMALL LETTER A）："
        "看起来一样的字母其实不同；请只用一种文字重新输入",
        'owner (--owner): "Zhаng" mixes Latin and Cyrillic letters (U+0430 CYRILLIC SMALL LETTER A at position 3): '
        "letters that look alike are different letters; type the name again in one script",
    )


@pytest.mark.parametrize(
    ("typed", "scripts", "code", "position"),
    [
        ("Zhang W\u0435i", ("拉丁字母和西里尔字母", "Latin and Cyrillic"), "U+0435 CYRILLIC SMALL LETTER IE", 8),
        (
            "Zhang \u0412\u0435\u0456",
            ("拉丁字母和西里尔字母", "Latin and Cyrillic"),
            "U+0412 CYRILLIC CAPITAL LETTER VE",
            7,
        ),
        ("\u0415lena", ("西里尔字母和拉丁字母", "Cyrillic and Latin"), "U+006C LATIN SMALL LETTER L", 2),
        ("\u039f'Brien", ("希腊字母和拉丁字母", "Greek and Latin"), "U+0042 LATIN CAPITAL LETTER B", 3),
        ("Ale\u03c7", ("拉丁字母和希腊字母", "Latin and Greek"), "U+03C7 GREEK SMALL LETTER CHI", 4),
        ("Ｚｈ\u0430ｎｇ", ("拉丁字母和西里尔字母", "Latin and Cyrillic"), "U+0430 CYRILLIC SMALL LETTER A", 3),
    ],
)
def test_latin_cyrillic_and_greek_letters_are_never_mixed_in_one_name(
    typed: str, scripts: tuple[str, str], code: str, position: int
) -> None:
    zh, en = refusal(typed)
    assert f"混用了{scripts[0]}（第 {position} 个字符 {code}）" in zh
    assert f"mixes {scripts[1]} letters ({code} at position {position})" in en


@pytest.mark.parametrize(
    "name", ["Иван Петров", "Αλέξανδρος", "张伟 Zhang Wei", "Иван 张", "Nguyễn Văn An", "Ørsted", "Łukasz"]
)
def test_one_script_or_a_chinese_name_with_its_pinyin_is_a_name(name: str) -> None:
    assert normalize_name(name) == name


def test_a_radical_that_looks_like_a_character_is_refused() -> None:
    assert refusal("张\u2ea0") == (
        "负责人 (--owner)：「张⺠」的第 2 个字符（U+2EA0 CJK RADICAL CIVILIAN）是部首或笔画符号，不是汉字；"
        "请用输入法重新输入这个字",
        'owner (--owner): "张⺠" has a radical or stroke sign (U+2EA0 CJK RADICAL CIVILIAN) at position 2, '
        "not a Chinese character; type the character again with an input method",
    )


@pytest.mark.parametrize("sign", ["\u2e80", "\u2ee9", "\u2ff0", "\u31c0", "\u31e3"])
def test_radicals_description_characters_and_strokes_are_refused(sign: str) -> None:
    zh, _ = refusal("李" + sign)
    assert "是部首或笔画符号，不是汉字" in zh


def test_a_combining_mark_with_nothing_to_combine_with_is_refused_and_shown_as_its_code() -> None:
    assert refusal("\u0301Zhang") == (
        "负责人 (--owner)：「<U+0301>Zhang」的第 1 个字符（U+0301 COMBINING ACUTE ACCENT）是没有依附字母的组合符号；"
        "请删除它，或把它紧跟在要加符号的字母后",
        'owner (--owner): "<U+0301>Zhang" has a combining mark with no letter before it '
        "(U+0301 COMBINING ACUTE ACCENT) at position 1; delete it or put it right after the letter it belongs to",
    )
    zh, _ = refusal("Zhang \u0301Wei")
    assert "「Zhang <U+0301>Wei」的第 7 个字符（U+0301 COMBINING ACUTE ACCENT）" in zh


# -- how names are normalized ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ｚｈａｎｇ", "Zhang"),  # full-width letters
        ("Ｚｈａｎｇ\u3000Ｗｅｉ", "Zhang Wei"),  # and the full-width space
        ("  Zhang   Wei  ", "Zhang Wei"),
        ("Zhang\u00a0Wei", "Zhang Wei"),  # no-break space from a web page
        ("Zhang\tWei\n", "Zhang Wei"),  # a tab and a line break from a spreadsheet cell
        ("Zhang\r\nWei", "Zhang Wei"),
        ("Zhang\u2028Wei", "Zhang Wei"),
        ("Zhang\u2003\u2009Wei", "Zhang Wei"),  # em space and thin space
        ("Mary Ann  O'Neil", "Mary Ann O'Neil"),  # a Latin name keeps its spaces
        ("Jean-Luc Picard", "Jean-Luc Picard"),
        ("张伟", "张伟"),
        ("  张伟  ", "张伟"),
        ("张\u3000伟", "张伟"),  # padded to line up with three-character names
        ("张  伟", "张伟"),
        ("欧阳 娜娜", "欧阳娜娜"),
        ("山田 太郎", "山田太郎"),
        ("张伟 Zhang Wei", "张伟 Zhang Wei"),  # the space between Chinese and pinyin stays
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),  # bullet
        ("阿依古丽・买买提", "阿依古丽·买买提"),  # katakana middle dot
        ("阿依古丽･买买提", "阿依古丽·买买提"),  # half-width katakana middle dot
        ("阿依古丽‧买买提", "阿依古丽·买买提"),  # hyphenation point
        ("阿依古丽.买买提", "阿依古丽·买买提"),  # a full stop between Chinese characters
        ("阿依古丽．买买提", "阿依古丽·买买提"),  # a full-width full stop
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("J. R. Smith", "J. R. Smith"),  # a full stop between Latin letters stays one
        ("O\u2019Brien", "O'Brien"),
        ("O\u02bcBrien", "O'Brien"),
        ("O\u00b4Brien", "O'Brien"),  # an acute accent typed for an apostrophe
        ("O＇Brien", "O'Brien"),
        ("Smith\u2013Jones", "Smith-Jones"),  # en dash
        ("Smith\u2010Jones", "Smith-Jones"),
        ("Smith\u2011Jones", "Smith-Jones"),  # non-breaking hyphen
        ("Smith\u2212Jones", "Smith-Jones"),  # minus sign
        ("Smith－Jones", "Smith-Jones"),  # full-width hyphen-minus
        ("e\u0301milie", "\u00e9milie"),  # NFKC composes a combining accent
        ("Nguye\u0302\u0303n", "Nguy\u1ec5n"),  # two marks on one letter
        ("Zo\u00eb", "Zo\u00eb"),
        ("\uf9d0", "\u985e"),  # CJK COMPATIBILITY IDEOGRAPH-F9D0 is 類
        ("\uf900", "\u8c48"),  # 豈
        ("\U0002f800", "\u4e3d"),  # CJK COMPATIBILITY IDEOGRAPH-2F800 is 丽
        ("\u2f08民", "人民"),  # KANGXI RADICAL MAN is 人
        ("\u2e9f", "母"),  # CJK RADICAL MOTHER is 母 to NFKC
        ("\u2ef3", "龟"),  # and CJK RADICAL C-SIMPLIFIED TURTLE is 龟
        ("ﾔﾏﾀﾞ", "ヤマダ"),  # half-width katakana
        ("Henry Ⅷ", "Henry VIII"),
        ("ﬁona", "fiona"),  # the fi ligature
    ],
)
def test_a_name_is_stored_as_people_read_it(typed: str, stored: str) -> None:
    assert normalize_name(typed) == stored


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Zhang Wei", "zhang wei"),
        ("ZHANG WEI", "Ｚｈａｎｇ　Ｗｅｉ"),
        ("张伟", "张　伟"),
        ("张伟", " 张伟\t"),
        ("Straße", "STRASSE"),  # full case folding, not lower()
        ("ÉMILIE", "e\u0301milie"),
        ("O'Brien", "o\u2019brien"),
        ("阿依古丽·买买提", "阿依古丽•买买提"),
        ("類", "\uf9d0"),
        ("人民", "\u2f08民"),
    ],
)
def test_names_people_read_as_one_are_one_person(a: str, b: str) -> None:
    assert same_person(a, b)
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("张伟", "张玮"),
        ("Zhang Wei", "ZhangWei"),  # spaces between Latin words count
        ("张伟", "張偉"),  # traditional and simplified stay apart: that needs a conversion table
        ("Li Na", "Lina"),
    ],
)
def test_different_names_stay_different_people(a: str, b: str) -> None:
    assert not same_person(a, b)


def test_the_key_is_for_comparing_and_the_normalized_name_for_showing() -> None:
    assert normalize_name("ＺＨＡＮＧ  Ｗｅｉ") == "ZHANG Wei"
    assert name_key("ＺＨＡＮＧ  Ｗｅｉ") == "zhang wei"


# -- empty, long, not text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "zh", "en"),
    [
        ("", "负责人 (--owner)：名字为空；请写出名字", "owner (--owner): the name is empty; write the name"),
        (
            "   ",
            "负责人 (--owner)：名字为空（只有空白）；请写出名字",
            "owner (--owner): the name is empty (only spaces); write the name",
        ),
        (
            "\u3000\t\n",
            "负责人 (--owner)：名字为空（只有空白）；请写出名字",
            "owner (--owner): the name is empty (only spaces); write the name",
        ),
    ],
)
def test_an_empty_name_is_refused(typed: str, zh: str, en: str) -> None:
    assert refusal(typed) == (zh, en)


def test_a_name_of_100_characters_is_accepted_and_101_refused() -> None:
    assert normalize_name("张" * MAX_LENGTH) == "张" * 100
    assert refusal("张" * 101) == (
        "负责人 (--owner)：名字有 101 个字符，超过上限 100 个；请只写名字本身",
        "owner (--owner): the name has 101 characters, over the limit of 100; write only the name itself",
    )


def test_the_limit_counts_the_normalized_name() -> None:
    assert normalize_name("张" + " " * 500 + "伟") == "张伟"
    assert normalize_name("e\u0301" * 100) == "\u00e9" * 100  # 200 typed, 100 once composed
    zh, _ = refusal("Ｌ" * 60 + " " + "ﬁ" * 30)  # 91 typed, 121 once the ligatures are letters
    assert zh == "负责人 (--owner)：名字有 121 个字符，超过上限 100 个；请只写名字本身"


def test_a_pasted_page_is_refused_before_it_is_scanned() -> None:
    assert refusal("张" * 5000 + "\u200b") == (
        "负责人 (--owner)：名字有 5001 个字符，超过上限 100 个；请只写名字本身",
        "owner (--owner): the name has 5001 characters, over the limit of 100; write only the name itself",
    )


@pytest.mark.parametrize("value", [123, 12.5, None, True, ["张伟"], {"name": "张伟"}, b"Zhang"])
def test_a_name_that_is_not_text_is_refused(value: object) -> None:
    assert refusal(value) == (
        "负责人 (--owner)：名字应为文本；请写成文字（YAML 里可加引号）",
        "owner (--owner): a name must be text; write it as text (in YAML, put it in quotes)",
    )


def test_a_field_named_once_is_used_in_both_languages() -> None:
    assert refusal("", "roster[3].name") == (
        "roster[3].name：名字为空；请写出名字",
        "roster[3].name: the name is empty; write the name",
    )
    with pytest.raises(InvalidInput) as caught:
        name_key("", "--actor")
    assert caught.value.message.en == "--actor: the name is empty; write the name"


# -- properties -------------------------------------------------------------------------------------


def test_no_character_kam_lets_in_normalizes_into_one_it_refuses() -> None:
    """Over every code point: NFKC never turns an accepted character into a refused one, so the one scan of the
    raw text is enough and a stored name never holds what a typed one may not."""
    leaks = []
    for code in range(0x110000):
        char = chr(code)
        if names._kind(char) is not None:
            continue
        normalized = unicodedata.normalize("NFKC", char.translate(names._APOSTROPHES)).translate(names._AFTER_NFKC)
        if any(names._kind(c) is not None for c in normalized if c not in names._LAYOUT_SPACES):
            leaks.append(f"U+{code:04X}")
    assert leaks == []


@given(st.text(max_size=30))
def test_normalizing_is_idempotent_and_the_key_agrees(typed: str) -> None:
    try:
        stored = normalize_name(typed)
    except InvalidInput:
        return
    assert normalize_name(stored) == stored
    assert name_key(stored) == name_key(typed)
    assert same_person(stored, typed)


@given(st.text(max_size=30))
def test_a_stored_name_is_one_trimmed_line_of_visible_characters(typed: str) -> None:
    try:
        stored = normalize_name(typed)
    except InvalidInput:
        return
    assert stored == stored.strip() and "  " not in stored
    assert 1 <= len(stored) <= MAX_LENGTH
    assert all(char == " " or (char.isprintable() and names._kind(char) is None) for char in stored)


@given(st.text(alphabet=st.characters(categories=["Cf", "Co", "Cs"]), min_size=1, max_size=3), st.text(max_size=5))
def test_a_name_with_any_format_private_or_surrogate_character_is_refused(hidden: str, rest: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_name("张" + hidden + rest)

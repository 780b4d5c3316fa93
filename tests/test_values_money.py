"""Amounts in 元 as people write them (issue 14) and as contracts print them in 大写 (issue 15)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.values.money import MAX_AMOUNT, format_amount, format_wan, parse_amount, rmb_upper

PRICE = t("单价 (unit_price)", "unit price (unit_price)")
ACCEPTED_ZH = "可写作 386000、386,000、386,000.50、38.6万、38.6 万元、1.2亿、¥386,000.00 或 386000元"
ACCEPTED_EN = "write it as 386000, 386,000, 386,000.50, 38.6万, 38.6 万元, 1.2亿, ¥386,000.00 or 386000元"


def refusal(value: object, *, positive: bool = False) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as caught:
        parse_amount(value, PRICE, positive=positive)
    return caught.value.message.zh, caught.value.message.en


# -- what is accepted -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("386000", "386000.00"),
        ("386,000", "386000.00"),
        ("386,000.50", "386000.50"),
        ("386000.5", "386000.50"),
        ("38.6万", "386000.00"),
        ("38.6 万元", "386000.00"),
        ("38.6万元", "386000.00"),
        ("1.2亿", "120000000.00"),
        ("1.2 亿元", "120000000.00"),
        ("1,200万", "12000000.00"),
        ("12,000.0 万元", "120000000.00"),  # what format_wan prints for 1.2 亿
        ("38.612345万", "386123.45"),  # 万 moves the point four places: still fen
        ("0.0001万", "1.00"),
        ("¥386,000.00", "386000.00"),
        ("¥ 386000", "386000.00"),
        ("￥386000", "386000.00"),  # the full-width yuan sign
        ("¥38.6万", "386000.00"),
        ("386000元", "386000.00"),
        ("386000 元", "386000.00"),
        ("人民币386,000元", "386000.00"),
        ("RMB 386000", "386000.00"),
        ("rmb386000", "386000.00"),
        ("CNY 386,000.00", "386000.00"),  # what format_amount prints in English
        ("３８６０００", "386000.00"),  # full-width digits
        ("３８６，０００．５０", "386000.50"),  # and full-width comma and point
        ("３８.６万", "386000.00"),
        ("3８6", "386.00"),  # an input method switched mid-number: each character is still one digit
        ("  386000\t", "386000.00"),
        ("\u3000386000\u3000", "386000.00"),
        ("0", "0.00"),
        ("0.5", "0.50"),
        ("0.05", "0.05"),
        ("1", "1.00"),
        ("1,000,000,000,000", "1000000000000.00"),  # the bound itself
        ("10000亿", "1000000000000.00"),
        ("100000000万", "1000000000000.00"),
    ],
)
def test_an_amount_is_read_as_people_write_it(written: str, amount: str) -> None:
    parsed = parse_amount(written, PRICE)
    assert parsed == Decimal(amount)
    assert str(parsed) == amount  # always two decimals: the fen


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        (386000, "386000.00"),
        (0, "0.00"),
        (386000.5, "386000.50"),
        (386000.0, "386000.00"),
        (0.1, "0.10"),  # read as the float's shortest form, 0.1, not 0.1000000000000000055511151231257827
        (1e6, "1000000.00"),
        (3.86e5, "386000.00"),  # a JSON number in exponent form is still a number
        (Decimal("386000.5"), "386000.50"),
        (Decimal("386000.500"), "386000.50"),
        (10**12, "1000000000000.00"),
    ],
)
def test_numbers_from_json_or_yaml_are_amounts(value: object, amount: str) -> None:
    assert str(parse_amount(value, PRICE)) == amount


def test_zero_is_an_amount_unless_the_field_must_be_positive() -> None:
    assert parse_amount("0", PRICE) == 0
    assert refusal("0", positive=True) == (
        "单价 (unit_price)：金额须大于 0（写的是「0」）",
        'unit price (unit_price): the amount must be more than 0 (written "0")',
    )
    assert refusal(0.0, positive=True) == (
        "单价 (unit_price)：金额须大于 0（写的是「0.0」）",
        'unit price (unit_price): the amount must be more than 0 (written "0.0")',
    )
    assert refusal("0万", positive=True)[0] == "单价 (unit_price)：金额须大于 0（写的是「0万」）"
    assert parse_amount("0.01", PRICE, positive=True) == Decimal("0.01")


# -- what is refused, and what the refusal says -----------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "zh", "en"),
    [
        (
            "386.000,00",
            "单价 (unit_price)：「386.000,00」像是用点分千位的写法（如 386.000,00）；"
            f"kam 用逗号分千位、点作小数点，{ACCEPTED_ZH}",
            'unit price (unit_price): "386.000,00" looks like dots grouping thousands (as in 386.000,00); '
            f"kam groups thousands with commas and uses a dot for the decimals: {ACCEPTED_EN}",
        ),
        (
            "1.234.567",
            "单价 (unit_price)：「1.234.567」像是用点分千位的写法（如 386.000,00）；"
            f"kam 用逗号分千位、点作小数点，{ACCEPTED_ZH}",
            'unit price (unit_price): "1.234.567" looks like dots grouping thousands (as in 386.000,00); '
            f"kam groups thousands with commas and uses a dot for the decimals: {ACCEPTED_EN}",
        ),
        (
            "386.000",
            "单价 (unit_price)：「386.000」有 3 位小数，看不出是 386 元还是 386000 元；"
            "金额最多到分，千位请用逗号（如 386,000）",
            'unit price (unit_price): "386.000" has 3 decimals: it could mean 386 元 or 386000 元; '
            "an amount goes down to the fen, and thousands are grouped with commas (as in 386,000)",
        ),
        (
            "38,60",
            "单价 (unit_price)：「38,60」的逗号位置不对：逗号只用来每 3 位分千位（如 386,000），小数点用“.”；"
            + ACCEPTED_ZH,
            'unit price (unit_price): the commas in "38,60" are misplaced: a comma separates thousands, '
            f'every 3 digits (as in 386,000), and the decimal point is "."; {ACCEPTED_EN}',
        ),
        (
            "1,2345",
            "单价 (unit_price)：「1,2345」的逗号位置不对：逗号只用来每 3 位分千位（如 386,000），小数点用“.”；"
            + ACCEPTED_ZH,
            'unit price (unit_price): the commas in "1,2345" are misplaced: a comma separates thousands, '
            f'every 3 digits (as in 386,000), and the decimal point is "."; {ACCEPTED_EN}',
        ),
        (
            "386 000",
            "单价 (unit_price)：「386 000」的数字中间有空格；千位请用逗号分隔（如 386,000）或不分隔",
            'unit price (unit_price): "386 000" has spaces between its digits; '
            "separate thousands with commas (as in 386,000) or not at all",
        ),
        (
            "1e20",
            "单价 (unit_price)：「1e20」是科学计数法；金额请写出全部数字（如 386000 或 38.6万）",
            'unit price (unit_price): "1e20" is in scientific notation; '
            "write the amount out in digits (as in 386000 or 38.6万)",
        ),
        (
            "-386000",
            "单价 (unit_price)：金额不能为负（写的是「-386000」）；请写不带负号的金额",
            'unit price (unit_price): an amount cannot be negative (written "-386000"); '
            "write it without the minus sign",
        ),
        (
            "0386000",
            "单价 (unit_price)：「0386000」以 0 开头；金额请不带前导零（如 386000）",
            'unit price (unit_price): "0386000" starts with a 0; write the amount without leading zeros (as in 386000)',
        ),
        (
            "386.0001",
            "单价 (unit_price)：「386.0001」超过 2 位小数；金额最多到分（如 386000.50）",
            'unit price (unit_price): "386.0001" has more than 2 decimals; '
            "an amount goes down to the fen, 2 decimals at most (as in 386000.50)",
        ),
        (
            "38.6123456万",
            "单价 (unit_price)：「38.6123456万」即 386123.456 元，超过 2 位小数；金额最多到分（如 386000.50）",
            'unit price (unit_price): "38.6123456万" is 386123.456 元 and has more than 2 decimals; '
            "an amount goes down to the fen, 2 decimals at most (as in 386000.50)",
        ),
        (
            "1,000,000,000,000.01",
            "单价 (unit_price)：1,000,000,000,000.01 元超过上限 1,000,000,000,000 元（1 万亿元）；请检查位数",
            "unit price (unit_price): 1,000,000,000,000.01 元 is over the limit of 1,000,000,000,000 元 "
            "(one trillion); check the number of digits",
        ),
        (
            "100000001万",
            "单价 (unit_price)：1,000,000,010,000 元超过上限 1,000,000,000,000 元（1 万亿元）；请检查位数",
            "unit price (unit_price): 1,000,000,010,000 元 is over the limit of 1,000,000,000,000 元 (one trillion); "
            "check the number of digits",
        ),
        (
            "万万",
            f"单价 (unit_price)：无法把「万万」读作金额；{ACCEPTED_ZH}",
            f'unit price (unit_price): "万万" is not an amount kam can read; {ACCEPTED_EN}',
        ),
        (
            "",
            f"单价 (unit_price)：金额为空；{ACCEPTED_ZH}",
            f"unit price (unit_price): the amount is empty; {ACCEPTED_EN}",
        ),
    ],
)
def test_a_wrong_or_ambiguous_amount_is_refused_naming_the_field_and_the_fix(written: str, zh: str, en: str) -> None:
    assert refusal(written) == (zh, en)


@pytest.mark.parametrize(
    "written",
    [
        "38万万",
        "38万6千",  # said aloud, not written in a form
        "三十八万",
        "叁拾捌万陆仟元整",
        "386k",
        "NaN",
        "Infinity",
        "inf",
        "386.",
        ".5",
        "+386000",
        "386,000元整",
        "386000美元",
        "$386000",
        "3,86",
        "٣٨٦",  # Arabic-Indic digits, which Python's Decimal would read
        "३८६",  # Devanagari digits
        "3²",  # NFKC would make this 32
        "①",
        "38.6 万 元",
        "1万亿",
        "12" * 40,  # longer than any amount
    ],
)
def test_anything_else_is_refused_with_the_accepted_forms(written: str) -> None:
    zh, en = refusal(written)
    assert zh.startswith("单价 (unit_price)：") and zh.endswith(ACCEPTED_ZH)
    assert en.startswith("unit price (unit_price): ") and en.endswith(ACCEPTED_EN)


@pytest.mark.parametrize("written", ["-386000", "−386000", "－386000", "¥-386000", "-¥386000", "-0", "- 5", "-38.6万"])
def test_a_negative_amount_is_refused_however_the_minus_is_typed(written: str) -> None:
    zh, en = refusal(written)
    assert zh.startswith("单价 (unit_price)：金额不能为负（写的是「")
    assert en.endswith("); write it without the minus sign")


@pytest.mark.parametrize("written", ["38,60", "1,2345", "386,00", "1,000,00", "38,6万", "386,", "1,,000"])
def test_a_comma_that_does_not_group_thousands_is_refused(written: str) -> None:
    zh, en = refusal(written)
    assert zh.startswith(f"单价 (unit_price)：「{written}」的逗号位置不对：逗号只用来每 3 位分千位（如 386,000）")
    assert en.startswith(f'unit price (unit_price): the commas in "{written}" are misplaced')


@pytest.mark.parametrize(
    ("written", "shown"),
    [("1E20", "1E20"), ("3.86e5", "3.86e5"), ("1e-2", "1e-2"), ("¥1e6", "¥1e6"), ("1E+6", "1E+6"), ("1e6万", "1e6万")],
)
def test_scientific_notation_is_refused(written: str, shown: str) -> None:
    assert (
        refusal(written)[0] == f"单价 (unit_price)：「{shown}」是科学计数法；金额请写出全部数字（如 386000 或 38.6万）"
    )


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (
            float("nan"),
            f"单价 (unit_price)：NaN 不是一个数；{ACCEPTED_ZH}",
            f"unit price (unit_price): NaN is not a number; {ACCEPTED_EN}",
        ),
        (
            float("inf"),
            f"单价 (unit_price)：Infinity 不是一个数；{ACCEPTED_ZH}",
            f"unit price (unit_price): Infinity is not a number; {ACCEPTED_EN}",
        ),
        (
            float("-inf"),
            f"单价 (unit_price)：-Infinity 不是一个数；{ACCEPTED_ZH}",
            f"unit price (unit_price): -Infinity is not a number; {ACCEPTED_EN}",
        ),
        (
            Decimal("NaN"),
            f"单价 (unit_price)：NaN 不是一个数；{ACCEPTED_ZH}",
            f"unit price (unit_price): NaN is not a number; {ACCEPTED_EN}",
        ),
        (
            1e20,
            "单价 (unit_price)：100,000,000,000,000,000,000 元超过上限 1,000,000,000,000 元（1 万亿元）；请检查位数",
            "unit price (unit_price): 100,000,000,000,000,000,000 元 is over the limit of 1,000,000,000,000 元 "
            "(one trillion); check the number of digits",
        ),
        (
            10**12 + 1,
            "单价 (unit_price)：1,000,000,000,001 元超过上限 1,000,000,000,000 元（1 万亿元）；请检查位数",
            "unit price (unit_price): 1,000,000,000,001 元 is over the limit of 1,000,000,000,000 元 (one trillion); "
            "check the number of digits",
        ),
        (
            0.1 + 0.2,
            "单价 (unit_price)：「0.30000000000000004」超过 2 位小数；金额最多到分（如 386000.50）",
            'unit price (unit_price): "0.30000000000000004" has more than 2 decimals; '
            "an amount goes down to the fen, 2 decimals at most (as in 386000.50)",
        ),
        (
            -5,
            "单价 (unit_price)：金额不能为负（写的是「-5」）；请写不带负号的金额",
            'unit price (unit_price): an amount cannot be negative (written "-5"); write it without the minus sign',
        ),
        (
            True,
            f"单价 (unit_price)：应为金额，收到的是 是/否；{ACCEPTED_ZH}",
            f"unit price (unit_price): an amount is needed, not yes/no; {ACCEPTED_EN}",
        ),
        (
            None,
            f"单价 (unit_price)：应为金额（数字或文字）；{ACCEPTED_ZH}",
            f"unit price (unit_price): an amount is needed (a number or text); {ACCEPTED_EN}",
        ),
        (
            [386000],
            f"单价 (unit_price)：应为金额（数字或文字）；{ACCEPTED_ZH}",
            f"unit price (unit_price): an amount is needed (a number or text); {ACCEPTED_EN}",
        ),
    ],
)
def test_a_number_that_is_not_an_amount_is_refused(value: object, zh: str, en: str) -> None:
    assert refusal(value) == (zh, en)


def test_a_negative_zero_is_zero() -> None:
    assert str(parse_amount(-0.0, PRICE)) == "0.00"
    assert str(parse_amount(Decimal("-0"), PRICE)) == "0.00"


def test_a_float_far_over_the_bound_is_refused_in_one_short_line() -> None:
    assert refusal(1.7976931348623157e308)[1] == (
        "unit price (unit_price): 1.798E+308 元 is over the limit of 1,000,000,000,000 元 (one trillion); "
        "check the number of digits"
    )
    zh, _ = refusal(-1e300)
    assert zh == f"单价 (unit_price)：金额不能为负（写的是「-{'1' + '0' * 38}…」）；请写不带负号的金额"


def test_false_from_yaml_is_not_zero() -> None:
    assert refusal(False)[1] == f"unit price (unit_price): an amount is needed, not yes/no; {ACCEPTED_EN}"


def test_a_field_named_once_is_used_in_both_languages() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_amount("abc", "--amount")
    assert caught.value.message == (
        f"--amount：无法把「abc」读作金额；{ACCEPTED_ZH}",
        f'--amount: "abc" is not an amount kam can read; {ACCEPTED_EN}',
    )


def test_a_refused_amount_is_quoted_on_one_line() -> None:
    zh, _ = refusal("386\n000\x1b[31m")
    assert "\n" not in zh and "\x1b" not in zh
    assert zh == f"单价 (unit_price)：无法把「386<U+000A>000<U+001B>[31m」读作金额；{ACCEPTED_ZH}"


# -- printing --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "zh", "en"),
    [
        ("386000", "¥386,000.00", "CNY 386,000.00"),
        ("386000.5", "¥386,000.50", "CNY 386,000.50"),
        ("0", "¥0.00", "CNY 0.00"),
        ("0.005", "¥0.01", "CNY 0.01"),  # half up, as money is rounded in China (四舍五入)
        ("0.004", "¥0.00", "CNY 0.00"),
        ("999.995", "¥1,000.00", "CNY 1,000.00"),
        ("7720000", "¥7,720,000.00", "CNY 7,720,000.00"),
        ("1000000000000", "¥1,000,000,000,000.00", "CNY 1,000,000,000,000.00"),
        ("-1500", "-¥1,500.00", "CNY -1,500.00"),
    ],
)
def test_format_amount(amount: str, zh: str, en: str) -> None:
    assert format_amount(Decimal(amount)) == zh
    assert format_amount(Decimal(amount), "en") == en


@pytest.mark.parametrize(
    ("amount", "zh", "en"),
    [
        ("386000", "38.6 万元", "CNY 386k"),
        ("7720000", "772.0 万元", "CNY 7,720k"),
        ("8492000", "849.2 万元", "CNY 8,492k"),  # 20 x 386,000 + 4 x 368,000
        ("386500", "38.7 万元", "CNY 387k"),  # half up, not half even (38.6 / 386k)
        ("385949.99", "38.6 万元", "CNY 386k"),
        ("120000000", "12,000.0 万元", "CNY 120,000k"),
        ("0", "0.0 万元", "CNY 0k"),
        ("400", "0.0 万元", "CNY 0k"),
        ("-400", "0.0 万元", "CNY 0k"),  # never "-0.0"
        ("-386000", "-38.6 万元", "CNY -386k"),
    ],
)
def test_format_wan(amount: str, zh: str, en: str) -> None:
    assert format_wan(Decimal(amount)) == zh
    assert format_wan(Decimal(amount), "en") == en
    assert format_wan(int(Decimal(amount))) == format_wan(Decimal(int(Decimal(amount))))


def test_formatting_refuses_what_is_not_a_number() -> None:
    with pytest.raises(ValueError, match="finite"):
        format_amount(Decimal("NaN"))
    with pytest.raises(ValueError, match="finite"):
        format_wan(Decimal("Infinity"), "en")


FEN = st.integers(min_value=0, max_value=int(MAX_AMOUNT * 100)).map(lambda fen: Decimal(fen) / 100)


@given(FEN, st.sampled_from(["zh", "en"]))
def test_what_format_amount_prints_reads_back_as_the_same_amount(amount: Decimal, lang: str) -> None:
    assert parse_amount(format_amount(amount, lang), PRICE) == amount


@given(FEN)
def test_plain_digits_and_their_wan_form_read_back(amount: Decimal) -> None:
    assert parse_amount(f"{amount:f}", PRICE) == amount
    assert parse_amount(f"{amount:,f}元", PRICE) == amount
    assert parse_amount(f"{(amount / 10000).normalize():f}万", PRICE) == amount


# -- 大写 ----------------------------------------------------------------------------------------------

UPPER = [
    # 0 and the fen alone
    ("0", "人民币零元整"),
    ("0.01", "人民币壹分"),
    ("0.05", "人民币伍分"),
    ("0.10", "人民币壹角"),
    ("0.50", "人民币伍角"),  # 角 ends it: no 整 (第二条 allows either; the rule's example writes none)
    ("0.15", "人民币壹角伍分"),
    ("0.99", "人民币玖角玖分"),
    # units and the 拾 convention
    ("1", "人民币壹元整"),
    ("1.05", "人民币壹元零伍分"),  # 角 is 0, 分 is not: 零 after 元 (第四条(四))
    ("1.50", "人民币壹元伍角"),
    ("9", "人民币玖元整"),
    ("10", "人民币壹拾元整"),  # 壹拾, as on cheques
    ("11", "人民币壹拾壹元整"),
    ("15", "人民币壹拾伍元整"),
    ("19", "人民币壹拾玖元整"),
    ("20", "人民币贰拾元整"),
    ("10.05", "人民币壹拾元零伍分"),
    ("10.50", "人民币壹拾元零伍角"),  # 元 digit is 0, 角 is not: 零 (第四条(三), its first form)
    ("99", "人民币玖拾玖元整"),
    # zeros inside a section: one 零
    ("100", "人民币壹佰元整"),
    ("101", "人民币壹佰零壹元整"),
    ("110", "人民币壹佰壹拾元整"),
    ("1000", "人民币壹仟元整"),
    ("1001", "人民币壹仟零壹元整"),
    ("1005", "人民币壹仟零伍元整"),
    ("1010", "人民币壹仟零壹拾元整"),
    ("1100", "人民币壹仟壹佰元整"),
    # the rule's own examples (第四条)
    ("1409.50", "人民币壹仟肆佰零玖元伍角"),
    ("6007.14", "人民币陆仟零柒元壹角肆分"),
    ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),
    ("107000.53", "人民币壹拾万柒仟元零伍角叁分"),
    ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "人民币叁佰贰拾伍元零肆分"),
    # across 万
    ("10000", "人民币壹万元整"),
    ("10005", "人民币壹万零伍元整"),
    ("10050", "人民币壹万零伍拾元整"),
    ("10500", "人民币壹万零伍佰元整"),
    ("15000", "人民币壹万伍仟元整"),
    ("100000", "人民币壹拾万元整"),
    ("100010", "人民币壹拾万零壹拾元整"),
    ("100500", "人民币壹拾万零伍佰元整"),
    ("105000", "人民币壹拾万伍仟元整"),  # a section ending in 0 before a 千 digit: no 零, as 107000
    ("368000", "人民币叁拾陆万捌仟元整"),
    ("386000", "人民币叁拾捌万陆仟元整"),
    ("1000000", "人民币壹佰万元整"),
    ("1001000", "人民币壹佰万壹仟元整"),
    ("1000001", "人民币壹佰万零壹元整"),
    ("7720000", "人民币柒佰柒拾贰万元整"),
    ("8492000", "人民币捌佰肆拾玖万贰仟元整"),
    ("10000000", "人民币壹仟万元整"),
    ("12345678.90", "人民币壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角"),
    ("99999999.99", "人民币玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    # across 亿
    ("100000000", "人民币壹亿元整"),
    ("100000001", "人民币壹亿零壹元整"),
    ("100001000", "人民币壹亿零壹仟元整"),  # an empty 万 section between: one 零
    ("100010000", "人民币壹亿零壹万元整"),
    ("101000000", "人民币壹亿零壹佰万元整"),
    ("110000000", "人民币壹亿壹仟万元整"),
    ("1000000000", "人民币壹拾亿元整"),
    ("1000000000.10", "人民币壹拾亿元零壹角"),
    ("1000000000.01", "人民币壹拾亿元零壹分"),
    ("10005000000", "人民币壹佰亿零伍佰万元整"),
    ("123456789012.34", "人民币壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
    # the bound of parse_amount, and beyond it for sums
    ("1000000000000", "人民币壹万亿元整"),
    ("1000000000001", "人民币壹万亿零壹元整"),
    ("1200000000000", "人民币壹万贰仟亿元整"),
    ("9999999999999999.99", "人民币玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("amount", "upper"), UPPER)
def test_rmb_upper(amount: str, upper: str) -> None:
    assert rmb_upper(Decimal(amount)) == upper


def test_the_table_holds_at_least_forty_conversions() -> None:
    assert len(UPPER) >= 40


def test_rmb_upper_without_the_prefix_for_a_form_that_prints_it() -> None:
    assert rmb_upper(Decimal("386000"), prefix=False) == "叁拾捌万陆仟元整"
    assert rmb_upper(386000) == "人民币叁拾捌万陆仟元整"


def test_rmb_upper_of_a_parsed_amount() -> None:
    assert rmb_upper(parse_amount("38.6万", PRICE)) == "人民币叁拾捌万陆仟元整"
    assert rmb_upper(parse_amount("¥1,000,000.00", PRICE)) == "人民币壹佰万元整"


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        (Decimal("-1"), "0 or more"),
        (Decimal("0.001"), "two decimals"),
        (Decimal("1E16"), "below 10"),
        (Decimal("NaN"), "finite"),
        (Decimal("Infinity"), "finite"),
    ],
)
def test_rmb_upper_refuses_what_no_contract_prints(amount: Decimal, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        rmb_upper(amount)


_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_PLACE = {"拾": 10, "佰": 100, "仟": 1000}


def _read_integer(text: str) -> int:
    """An independent reader of 大写 integers, to check rmb_upper against."""
    if "亿" in text:
        high, low = text.rsplit("亿", 1)
        return _read_integer(high) * 10**8 + _read_integer(low)
    if "万" in text:
        high, low = text.split("万")
        return _read_integer(high) * 10**4 + _read_integer(low)
    total = digit = 0
    for char in text:
        if char in _PLACE:
            total += digit * _PLACE[char]
            digit = 0
        else:
            digit = _DIGIT[char]
    return total + digit


def _read_upper(text: str) -> Decimal:
    assert text.startswith("人民币")
    text = text.removeprefix("人民币").removesuffix("整")
    yuan, _, rest = text.rpartition("元")
    if yuan == "零":
        yuan = ""
    jiao = re.search("(.)角", rest)
    fen = re.search("(.)分", rest)
    cents = _read_integer(yuan) * 100 if yuan else 0
    cents += _DIGIT[jiao[1]] * 10 if jiao else 0
    cents += _DIGIT[fen[1]] if fen else 0
    return Decimal(cents) / 100


@given(st.integers(min_value=0, max_value=10**18 - 1).map(lambda fen: Decimal(fen) / 100))
def test_rmb_upper_reads_back_as_the_same_amount_and_keeps_the_rules(amount: Decimal) -> None:
    upper = rmb_upper(amount)
    assert _read_upper(upper) == amount
    assert "零零" not in upper  # consecutive zeros are one 零
    assert not re.search("零[元万亿整]", upper) or upper == "人民币零元整"  # no 零 before a unit or at the end
    assert upper.endswith("整") == (amount == amount.to_integral_value())  # 整 exactly when there is no 角 and no 分
    assert not re.search("(?<![壹贰叁肆伍陆柒捌玖])拾", upper)  # every 拾 has its digit: 壹拾, never a bare 拾

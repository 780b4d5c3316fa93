"""Amounts in 元 as people write them, and as contracts print them (issues 14 and 15).

`parse_amount` reads what a project manager types in a file, a form or an option; the result
is a `Decimal` in 元 with exactly two decimals (fen), never a float. Accepted::

    386000   386,000   386,000.50   38.6万   38.6 万元   1.2亿   ¥386,000.00   ￥386000   386000元
    人民币386,000元   RMB 386000   CNY 386,000.00   full-width digits (３８６，０００)

and from JSON or YAML, an int or a float. Decisions:

- full-width characters are read as their ASCII forms one by one, so ``3８6`` (an input method
  switched mid-number) is 386: each character is still one digit, nothing is ambiguous;
- a comma only groups thousands: ``386,000`` and ``1,200万``, never ``38,60`` or ``1,2345``;
  ``386.000,00`` (a dot grouping thousands, a comma for the decimals) is refused by name, and
  so is a lone ``386.000``: 386 to the digit, but 386,000 to whoever groups with dots;
- refused with the form it has: scientific notation (``1e20``), a sign, a leading zero
  (``0386000``, what YAML would have read as an octal number), spaces between digits,
  ``万万``, Chinese numerals, NaN and Infinity; an amount with more than two decimals once
  万/亿 are applied (``38.612345万`` is fine, ``38.6123456万`` is not); more than
  `MAX_AMOUNT`; and zero where the field says the amount must be positive.

`format_amount` (``¥386,000.00``), `format_wan` (``38.6 万元``; English ``CNY 386k``, the same
precision in the unit English readers use) and `rmb_upper` (人民币叁拾捌万陆仟元整) print them.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.values.writing import Field, halfwidth, label, shown

MAX_AMOUNT = Decimal("1000000000000")  # 1 万亿元: far above any deal, low enough to catch a slipped digit
CENT = Decimal("0.01")
MAX_TEXT = 64  # longer than any amount written out, grouping, unit and all

ACCEPTED = t(
    "可写作 386000、386,000、386,000.50、38.6万、38.6 万元、1.2亿、¥386,000.00 或 386000元",
    "write it as 386000, 386,000, 386,000.50, 38.6万, 38.6 万元, 1.2亿, ¥386,000.00 or 386000元",
)

_UNITS = {"": 1, "元": 1, "万": 10**4, "万元": 10**4, "亿": 10**8, "亿元": 10**8}

# The shape of an amount, loose enough that a wrong one can be told what is wrong with it:
# a sign, a currency prefix, digits with any commas and dots, an exponent, a unit.
_SHAPE = re.compile(
    r"(?P<sign>[-−])?\s*(?P<prefix>¥|rmb|cny|人民币)?\s*(?P<sign2>[-−])?\s*"
    r"(?P<number>[0-9][0-9,.]*)(?P<exponent>\s*e[-+]?[0-9]+)?\s*(?P<unit>万元|亿元|万|亿|元)?",
    re.IGNORECASE,
)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_DIGITS_SPACED = re.compile(r"[0-9][\s,.]*\s[\s,.]*[0-9]")


def parse_amount(value: object, field: Field, *, positive: bool = False) -> Decimal:
    """The amount in 元, with two decimals; refuses (InvalidInput, naming `field` and the accepted forms) anything else.

    `positive`: the field needs more than zero (a unit price, a payment); otherwise 0 is allowed.
    """
    where = label(field)
    if isinstance(value, bool):
        # YAML reads `yes`/`no`/`true` as booleans, and bool is an int to Python
        raise InvalidInput(
            t(
                f"{where.zh}：应为金额，收到的是 是/否；{ACCEPTED.zh}",
                f"{where.en}: an amount is needed, not yes/no; {ACCEPTED.en}",
            )
        )
    if isinstance(value, int):
        amount, written = Decimal(value), str(value)
    elif isinstance(value, float | Decimal):
        amount, written = _from_number(value, where)
    elif isinstance(value, str):
        amount, written = _from_text(value, where)
    else:
        raise InvalidInput(
            t(
                f"{where.zh}：应为金额（数字或文字）；{ACCEPTED.zh}",
                f"{where.en}: an amount is needed (a number or text); {ACCEPTED.en}",
            )
        )
    return _checked(amount, written, where, positive=positive, converted=isinstance(value, str) and _has_unit(value))


def format_amount(amount: Decimal | int, lang: str = "zh") -> str:
    """``¥386,000.00`` (English ``CNY 386,000.00``: ¥ alone is also the yen), rounded half up to the fen."""
    value = _finite(amount).quantize(CENT, ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):,.2f}"
    return f"{sign}¥{digits}" if lang == "zh" else f"CNY {sign}{digits}"


def format_wan(amount: Decimal | int, lang: str = "zh") -> str:
    """A compact amount for tables and totals: ``38.6 万元`` (to 0.1 万, half up); English ``CNY 386k`` (to 1,000 元).

    Both keep the same precision, 1,000 元, which is what a pipeline of vehicle deals needs.
    """
    value = _finite(amount)
    if lang == "zh":
        wan = (value / 10**4).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return f"{_unsigned_zero(wan):,} 万元"
    thousands = (value / 10**3).quantize(Decimal(1), ROUND_HALF_UP)
    return f"CNY {_unsigned_zero(thousands):,}k"


# -- 大写: the financial capital form ---------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("", "拾", "佰", "仟")
UPPER_LIMIT = Decimal(10**16)  # 万亿 is the largest section written: 玖仟玖佰玖拾玖万亿…


def rmb_upper(amount: Decimal | int, *, prefix: bool = True) -> str:
    """The amount in 大写 as on Chinese contracts, invoices and cheques: ``人民币叁拾捌万陆仟元整``.

    The rules are those of the People's Bank of China, 《支付结算办法》(银发〔1997〕393号),
    附件《正确填写票据和结算凭证的基本规定》:

    - 第二条: 到"元"为止的，在"元"之后应写"整"；在"角"之后可以不写"整"；有"分"的，"分"后面不写"整".
      Written here: 整 after 元 only (1409.50 is 壹仟肆佰零玖元伍角, the rule's own example).
    - 第三条: 大写金额前应标明"人民币"，紧接填写 (`prefix=False` for a form that prints 人民币 itself).
    - 第四条: a 0 between digits is one 零 however many zeros there are (1409 壹仟肆佰零玖,
      6007 陆仟零柒); when the 万 or 元 digit is 0 but the 千 or 角 digit is not, one 零 may be
      written or not: this writes the first form of each of the rule's examples, no 零 after
      a 万/亿 section that ends in zeros (107000.53 壹拾万柒仟元零伍角叁分) but 零 before 角
      when the 元 digit is 0 (1680.32 壹仟陆佰捌拾元零叁角贰分); when the 角 digit is 0 and 分 is
      not, 零 after 元 (16409.02 壹万陆仟肆佰零玖元零贰分).
    - 10 to 19 are 壹拾… (107000.53 is 壹拾万…, the rule's example; a bare 拾 could be prefixed).

    Refuses (ValueError: a caller's bug, amounts come from `parse_amount` or sums of them) a
    negative amount, more than two decimals, and 10^16 元 or more.
    """
    value = _finite(amount)
    if value < 0:
        raise ValueError(f"rmb_upper needs an amount of 0 or more, got {value}")
    if value != value.quantize(CENT):
        raise ValueError(f"rmb_upper needs an amount in fen (two decimals), got {value}")
    if value >= UPPER_LIMIT:
        raise ValueError(f"rmb_upper writes amounts below 10^16 元, got {value}")
    cents = int(value * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if yuan:
        text = _upper_integer(yuan) + "元"
        if jiao:
            text += ("零" if yuan % 10 == 0 else "") + _DIGITS[jiao] + "角"
        elif fen:
            text += "零"
    else:
        text = "" if jiao or fen else "零元"
        if jiao:
            text += _DIGITS[jiao] + "角"
    if fen:
        text += _DIGITS[fen] + "分"
    elif not jiao:
        text += "整"
    return ("人民币" if prefix else "") + text


def _upper_integer(number: int) -> str:
    """1 <= number < 10^16 in 大写 digits and places, 零 as 第四条 says (sections of 亿, then 万, then four digits)."""
    if number >= 10**8:
        return _join(_upper_integer(number // 10**8) + "亿", number % 10**8, 10**7)
    if number >= 10**4:
        return _join(_upper_section(number // 10**4) + "万", number % 10**4, 10**3)
    return _upper_section(number)


def _join(high: str, low: int, leading: int) -> str:
    """A higher section and what follows it: one 零 when the lower part starts with zeros (100010 壹拾万零壹拾)."""
    if low == 0:
        return high
    return high + ("零" if low < leading else "") + _upper_integer(low)


def _upper_section(number: int) -> str:
    """0 < number < 10^4: digits with their places, consecutive inner zeros as one 零, trailing zeros as nothing."""
    out: list[str] = []
    zero = False
    for place in range(3, -1, -1):
        digit = number // 10**place % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[digit] + _PLACES[place])
    return "".join(out)


# -- reading ------------------------------------------------------------------------------------


def _from_number(value: float | Decimal, where: Text) -> tuple[Decimal, str]:
    # repr is the shortest text that reads back as the same float (386000.5, not 386000.500000000116...);
    # NaN and the infinities go through Decimal, whose names for them are the ones JSON writers use.
    amount = Decimal(repr(value)) if isinstance(value, float) and math.isfinite(value) else Decimal(value)
    if not amount.is_finite():
        raise InvalidInput(
            t(f"{where.zh}：{amount} 不是一个数；{ACCEPTED.zh}", f"{where.en}: {amount} is not a number; {ACCEPTED.en}")
        )
    return amount, shown(f"{amount:f}")


def _from_text(value: str, where: Text) -> tuple[Decimal, str]:
    text = halfwidth(value).strip()
    quoted = shown(text)
    if not text:
        raise InvalidInput(t(f"{where.zh}：金额为空；{ACCEPTED.zh}", f"{where.en}: the amount is empty; {ACCEPTED.en}"))
    match = _SHAPE.fullmatch(text) if len(text) <= MAX_TEXT else None
    if match is None:
        if len(text) <= MAX_TEXT and _DIGITS_SPACED.search(text) and _SHAPE.fullmatch(re.sub(r"\s", "", text)):
            raise InvalidInput(
                t(
                    f"{where.zh}：「{quoted}」的数字中间有空格；千位请用逗号分隔（如 386,000）或不分隔",
                    f'{where.en}: "{quoted}" has spaces between its digits; '
                    "separate thousands with commas (as in 386,000) or not at all",
                )
            )
        raise InvalidInput(
            t(
                f"{where.zh}：无法把「{quoted}」读作金额；{ACCEPTED.zh}",
                f'{where.en}: "{quoted}" is not an amount kam can read; {ACCEPTED.en}',
            )
        )
    number = match["number"]
    if match["exponent"]:
        raise InvalidInput(
            t(
                f"{where.zh}：「{quoted}」是科学计数法；金额请写出全部数字（如 386000 或 38.6万）",
                f'{where.en}: "{quoted}" is in scientific notation; '
                "write the amount out in digits (as in 386000 or 38.6万)",
            )
        )
    if match["sign"] or match["sign2"]:
        raise InvalidInput(
            t(
                f"{where.zh}：金额不能为负（写的是「{quoted}」）；请写不带负号的金额",
                f'{where.en}: an amount cannot be negative (written "{quoted}"); write it without the minus sign',
            )
        )
    whole, dot, decimals = number.partition(".")
    if "." in decimals or "," in decimals:
        raise InvalidInput(
            t(
                f"{where.zh}：「{quoted}」像是用点分千位的写法（如 386.000,00）；"
                f"kam 用逗号分千位、点作小数点，{ACCEPTED.zh}",
                f'{where.en}: "{quoted}" looks like dots grouping thousands (as in 386.000,00); '
                f"kam groups thousands with commas and uses a dot for the decimals: {ACCEPTED.en}",
            )
        )
    if "," in whole and not _GROUPED.fullmatch(whole):
        raise InvalidInput(
            t(
                f"{where.zh}：「{quoted}」的逗号位置不对：逗号只用来每 3 位分千位（如 386,000），"
                f"小数点用“.”；{ACCEPTED.zh}",
                f'{where.en}: the commas in "{quoted}" are misplaced: a comma separates thousands, '
                f'every 3 digits (as in 386,000), and the decimal point is "."; {ACCEPTED.en}',
            )
        )
    if dot and not decimals:
        raise InvalidInput(
            t(
                f"{where.zh}：无法把「{quoted}」读作金额；{ACCEPTED.zh}",
                f'{where.en}: "{quoted}" is not an amount kam can read; {ACCEPTED.en}',
            )
        )
    digits = whole.replace(",", "")
    if len(digits) > 1 and digits.startswith("0"):
        raise InvalidInput(
            t(
                f"{where.zh}：「{quoted}」以 0 开头；金额请不带前导零（如 386000）",
                f'{where.en}: "{quoted}" starts with a 0; write the amount without leading zeros (as in 386000)',
            )
        )
    unit = _UNITS[match["unit"] or ""]
    if unit == 1 and len(decimals) == 3:
        # 386.000 is 386 to the digit, but whoever groups thousands with a dot meant 386,000
        raise InvalidInput(
            t(
                f"{where.zh}：「{quoted}」有 3 位小数，看不出是 {digits} 元还是 {digits}{decimals} 元；"
                f"金额最多到分，千位请用逗号（如 {int(digits + decimals):,}）",
                f'{where.en}: "{quoted}" has 3 decimals: it could mean {digits} 元 or {digits}{decimals} 元; '
                "an amount goes down to the fen, and thousands are grouped with commas "
                f"(as in {int(digits + decimals):,})",
            )
        )
    if unit == 1 and len(decimals) > 2:
        raise InvalidInput(
            t(
                f"{where.zh}：「{quoted}」超过 2 位小数；金额最多到分（如 386000.50）",
                f'{where.en}: "{quoted}" has more than 2 decimals; '
                "an amount goes down to the fen, 2 decimals at most (as in 386000.50)",
            )
        )
    return Decimal(f"{digits}.{decimals or '0'}") * unit, quoted


def _has_unit(value: str) -> bool:
    return "万" in value or "亿" in value


def _checked(amount: Decimal, written: str, where: Text, *, positive: bool, converted: bool) -> Decimal:
    """The rules every amount meets however it was written: not negative, the bound, fen at most, above 0 if asked."""
    if amount < 0:
        raise InvalidInput(
            t(
                f"{where.zh}：金额不能为负（写的是「{written}」）；请写不带负号的金额",
                f'{where.en}: an amount cannot be negative (written "{written}"); write it without the minus sign',
            )
        )
    if amount > MAX_AMOUNT:
        raise InvalidInput(
            t(
                f"{where.zh}：{_huge(amount)} 元超过上限 {MAX_AMOUNT:,} 元（1 万亿元）；请检查位数",
                f"{where.en}: {_huge(amount)} 元 is over the limit of {MAX_AMOUNT:,} 元 (one trillion); "
                "check the number of digits",
            )
        )
    if amount != amount.quantize(CENT):
        is_zh = f"即 {amount.normalize():f} 元，" if converted else ""
        is_en = f" is {amount.normalize():f} 元 and" if converted else ""
        raise InvalidInput(
            t(
                f"{where.zh}：「{written}」{is_zh}超过 2 位小数；金额最多到分（如 386000.50）",
                f'{where.en}: "{written}"{is_en} has more than 2 decimals; '
                "an amount goes down to the fen, 2 decimals at most (as in 386000.50)",
            )
        )
    if positive and amount == 0:
        raise InvalidInput(
            t(
                f"{where.zh}：金额须大于 0（写的是「{written}」）",
                f'{where.en}: the amount must be more than 0 (written "{written}")',
            )
        )
    fen = amount.quantize(CENT)
    return fen.copy_abs() if fen == 0 else fen  # a float -0.0 is 0.00, never -0.00


def _huge(amount: Decimal) -> str:
    """An amount over the bound as a refusal prints it: grouped digits, or 1.798E+308 for a float's worth of them."""
    return f"{amount.normalize():,f}" if amount.adjusted() <= 20 else f"{amount:.3E}"


def _finite(amount: Decimal | int) -> Decimal:
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError(f"an amount must be a finite number, got {value}")
    return value


def _unsigned_zero(value: Decimal) -> Decimal:
    """-0.0 rounds from a small negative amount; print it as 0.0."""
    return abs(value) if value == 0 else value

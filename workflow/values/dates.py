"""Dates and times as people write them (issue 16).

`parse_date` accepts, with or without surrounding spaces and in full-width digits::

    2027-03-31   2027-3-31   2027/03/31   2027/3/31   2027.3.31
    2027年3月31日   2027 年 3 月 31 日   2027年3月31号   2027年3月31

and from YAML or a spreadsheet a `date`, or a `datetime` at midnight (openpyxl reads a date
cell as one). The year always comes first: ``31/03/2027`` and ``03/31/2027`` are refused
because nobody can tell the day from the month, ``27/3/31`` because the century is missing.
An impossible date says why: 没有这一天：2027 年 2 月只有 28 天.

`parse_datetime` takes any of those dates followed by a time, after a space or ``T``
(after 日 the space may be left out)::

    14:00   9:30   14:00:00   14点   14点30   14点30分   14时30分   14点半

on the 24-hour clock. ``下午2点`` and ``2pm`` are refused with the 24-hour form to write
instead: 12 点 is noon or midnight depending on the writer, and 晚上12点 even changes the day.
A date alone is refused (a visit at midnight is a missing time, not a plan), and so is a time
zone: kam keeps local times. Seconds are optional; fractions of a second are not accepted.
"""

from __future__ import annotations

import datetime as dt
import re

from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.values.writing import Field, halfwidth, label, shown

FIRST_YEAR, LAST_YEAR = 1900, 2200
MAX_TEXT = 64

ACCEPTED_DATES = t(
    "可写作 2027-03-31、2027/3/31、2027.3.31 或 2027年3月31日",
    "write it as 2027-03-31, 2027/3/31, 2027.3.31 or 2027年3月31日",
)
ACCEPTED_DATETIMES = t(
    "可写作 2027-03-31 14:00、2027-03-31T14:00:00、2027/3/31 9:30 或 2027年3月31日 14点30分（24 小时制）",
    "write it as 2027-03-31 14:00, 2027-03-31T14:00:00, 2027/3/31 9:30 or 2027年3月31日 14点30分 (24-hour clock)",
)

_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# [0-9], never \d: Python's \d also matches Arabic-Indic and other digits.
_NUMERIC_DATE = re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})")
_CHINESE_DATE = re.compile(r"(?P<y>[0-9]{4}) *年 *(?P<m>[0-9]{1,2}) *月 *(?P<d>[0-9]{1,2})(?: *[日号])?")
_YEAR_LAST = re.compile(r"[0-9]{1,2}([-/.])[0-9]{1,2}\1[0-9]{4}")
_SHORT_YEAR = re.compile(r"[0-9]{2}([-/.])[0-9]{1,2}\1[0-9]{1,2}")
_NO_YEAR = re.compile(r"[0-9]{1,2} *月 *[0-9]{1,2} *[日号]|[0-9]{1,2}[-/][0-9]{1,2}")
_CLOCK = re.compile(r"(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2}))?")
_CHINESE_TIME = re.compile(
    r"(?P<h>[0-9]{1,2}) *[点时] *(?:(?P<half>半)|(?P<mi>[0-9]{1,2}) *(?:分 *(?:(?P<s>[0-9]{1,2}) *秒)?)?)?"
)
_TWELVE_HOUR = re.compile(r"上午|下午|中午|晚上|凌晨|早上|傍晚|[ap]\.?m\.?(?![a-z])", re.IGNORECASE)
_ZONE = re.compile(r"(?:z|[+-][0-9]{2}(?::?[0-9]{2})?|utc|gmt)$", re.IGNORECASE)


def parse_date(value: object, field: Field) -> dt.date:
    """The date written; refuses (InvalidInput, naming `field` and the accepted forms) anything else."""
    where = label(field)
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0) or value.tzinfo is not None:
            raise _time_given(where, value.isoformat(sep=" "))
        return _in_range(value.date(), where, value.date().isoformat())
    if isinstance(value, dt.date):
        return _in_range(value, where, value.isoformat())
    if not isinstance(value, str):
        raise InvalidInput(
            t(f"{where.zh}：应为日期；{ACCEPTED_DATES.zh}", f"{where.en}: a date is needed; {ACCEPTED_DATES.en}")
        )
    text = halfwidth(value).strip()
    quoted = shown(text)
    if not text:
        raise InvalidInput(
            t(f"{where.zh}：日期为空；{ACCEPTED_DATES.zh}", f"{where.en}: the date is empty; {ACCEPTED_DATES.en}")
        )
    found = _date_at_start(text) if len(text) <= MAX_TEXT else None
    if found is not None:
        year, month, day, end = found
        if end == len(text):
            return _make_date(year, month, day, where, quoted)
        if _looks_like_time(text[end:]):
            raise _time_given(where, quoted)
    raise _wrong_date(where, text, quoted)


def parse_datetime(value: object, field: Field) -> dt.datetime:
    """The date and time written (naive, local time).

    Refuses (InvalidInput, naming `field` and the accepted forms) anything else.
    """
    where = label(field)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise _zone_given(where, value.isoformat(sep=" "))
        _in_range(value.date(), where, value.isoformat(sep=" "))
        return value
    if isinstance(value, dt.date):
        raise _time_missing(where, value.isoformat())
    if not isinstance(value, str):
        raise InvalidInput(
            t(
                f"{where.zh}：应为日期和时间；{ACCEPTED_DATETIMES.zh}",
                f"{where.en}: a date and time are needed; {ACCEPTED_DATETIMES.en}",
            )
        )
    text = halfwidth(value).strip()
    quoted = shown(text)
    if not text:
        raise InvalidInput(
            t(
                f"{where.zh}：日期和时间为空；{ACCEPTED_DATETIMES.zh}",
                f"{where.en}: the date and time are empty; {ACCEPTED_DATETIMES.en}",
            )
        )
    if len(text) <= MAX_TEXT and _TWELVE_HOUR.search(text):
        raise InvalidInput(
            t(
                f"{where.zh}：「{quoted}」请用 24 小时制写时间，如 2027-03-31 14:00（下午 2 点）",
                f'{where.en}: write the time in "{quoted}" on the 24-hour clock, as in 2027-03-31 14:00 for 2 pm',
            )
        )
    found = _date_at_start(text) if len(text) <= MAX_TEXT else None
    if found is None:
        raise _wrong_datetime(where, quoted)
    year, month, day_of_month, end = found
    rest = text[end:]
    if not rest:
        _make_date(year, month, day_of_month, where, quoted)  # an impossible date says so before the missing time
        raise _time_missing(where, quoted)
    if rest[0] in "Tt" and text[end - 1].isdigit():
        rest = rest[1:]
    elif rest[0].isspace() or text[end - 1] in "日号":
        rest = rest.lstrip()
    else:
        raise _wrong_datetime(where, quoted)
    if _ZONE.search(rest):
        raise _zone_given(where, quoted)
    time = _time(rest)
    if time is None:
        raise _wrong_datetime(where, quoted)
    day = _make_date(year, month, day_of_month, where, quoted)
    hour, minute, second = time
    if hour > 23 or minute > 59 or second > 59:
        midnight = (hour, minute, second) == (24, 0, 0)
        raise InvalidInput(
            t(
                f"{where.zh}：没有这个时间：一天从 00:00 到 23:59（写的是「{quoted}」）"
                f"{'；午夜请写次日 00:00' if midnight else ''}",
                f'{where.en}: there is no such time: a day runs from 00:00 to 23:59 (written "{quoted}")'
                f"{'; for midnight write 00:00 of the next day' if midnight else ''}",
            )
        )
    return dt.datetime.combine(day, dt.time(hour, minute, second))


# -- the pieces -----------------------------------------------------------------------------


def _date_at_start(text: str) -> tuple[int, int, int, int] | None:
    """Year, month and day as written at the start of `text`, and where they end; not yet checked."""
    match = _NUMERIC_DATE.match(text) or _CHINESE_DATE.match(text)
    if match is None:
        return None
    return int(match["y"]), int(match["m"]), int(match["d"]), match.end()


def _make_date(year: int, month: int, day: int, where: Text, quoted: str) -> dt.date:
    """The date, or the refusal saying why there is no such day."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _year_out_of_range(where, year, quoted)
    if not 1 <= month <= 12:
        raise _no_such_day(where, t("月份只有 1–12 月", "months run from 1 to 12"), quoted)
    if day < 1:
        raise _no_such_day(where, t("日期从 1 日起", "days start at 1"), quoted)
    last = _days_in(year, month)
    if day > last:
        why = t(f"{year} 年 {month} 月只有 {last} 天", f"{_MONTHS_EN[month - 1]} {year} has only {last} days")
        raise _no_such_day(where, why, quoted)
    return dt.date(year, month, day)


def _days_in(year: int, month: int) -> int:
    # calendar.monthrange would do, but importing calendar costs more than all of this module
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return (following - dt.timedelta(days=1)).day


def _time(text: str) -> tuple[int, int, int] | None:
    match = _CLOCK.fullmatch(text) or _CHINESE_TIME.fullmatch(text)
    if match is None:
        return None
    groups = match.groupdict()
    minute = 30 if groups.get("half") else int(groups["mi"] or 0)
    return int(groups["h"]), minute, int(groups["s"] or 0)


def _looks_like_time(rest: str) -> bool:
    rest = rest.lstrip()
    return _time(rest[1:] if rest[:1] in ("T", "t") else rest) is not None


def _in_range(day: dt.date, where: Text, quoted: str) -> dt.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise _year_out_of_range(where, day.year, quoted)
    return day


# -- refusals -------------------------------------------------------------------------------


def _no_such_day(where: Text, why: Text, quoted: str) -> InvalidInput:
    return InvalidInput(
        t(
            f"{where.zh}：没有这一天：{why.zh}（写的是「{quoted}」）",
            f'{where.en}: there is no such day: {why.en} (written "{quoted}")',
        )
    )


def _year_out_of_range(where: Text, year: int, quoted: str) -> InvalidInput:
    return InvalidInput(
        t(
            f"{where.zh}：年份 {year} 不在 {FIRST_YEAR}–{LAST_YEAR} 之间（写的是「{quoted}」）；请检查年份",
            f'{where.en}: the year {year} is outside {FIRST_YEAR}-{LAST_YEAR} (written "{quoted}"); check the year',
        )
    )


def _time_given(where: Text, quoted: str) -> InvalidInput:
    return InvalidInput(
        t(
            f"{where.zh}：这里只要日期，不带时间（写的是「{quoted}」）；{ACCEPTED_DATES.zh}",
            f'{where.en}: only a date goes here, without a time (written "{quoted}"); {ACCEPTED_DATES.en}',
        )
    )


def _time_missing(where: Text, quoted: str) -> InvalidInput:
    return InvalidInput(
        t(
            f"{where.zh}：还需要时间（写的是「{quoted}」）；{ACCEPTED_DATETIMES.zh}",
            f'{where.en}: a time is needed too (written "{quoted}"); {ACCEPTED_DATETIMES.en}',
        )
    )


def _zone_given(where: Text, quoted: str) -> InvalidInput:
    return InvalidInput(
        t(
            f"{where.zh}：请不要写时区（写的是「{quoted}」）；kam 记录当地时间，如 2027-03-31 14:00",
            f'{where.en}: leave out the time zone (written "{quoted}"); kam keeps local times, as in 2027-03-31 14:00',
        )
    )


def _wrong_date(where: Text, text: str, quoted: str) -> InvalidInput:
    if _YEAR_LAST.fullmatch(text):
        return InvalidInput(
            t(
                f"{where.zh}：「{quoted}」请把年份写在前面：日在前还是月在前看不出来；{ACCEPTED_DATES.zh}",
                f'{where.en}: write the year first in "{quoted}": the day and the month could be either way round; '
                f"{ACCEPTED_DATES.en}",
            )
        )
    if _SHORT_YEAR.fullmatch(text):
        return InvalidInput(
            t(
                f"{where.zh}：「{quoted}」的年份请写全 4 位；{ACCEPTED_DATES.zh}",
                f'{where.en}: write the year in "{quoted}" with all 4 digits; {ACCEPTED_DATES.en}',
            )
        )
    if _NO_YEAR.fullmatch(text):
        return InvalidInput(
            t(
                f"{where.zh}：「{quoted}」缺少年份；{ACCEPTED_DATES.zh}",
                f'{where.en}: "{quoted}" has no year; {ACCEPTED_DATES.en}',
            )
        )
    return InvalidInput(
        t(
            f"{where.zh}：无法把「{quoted}」读作日期；{ACCEPTED_DATES.zh}",
            f'{where.en}: "{quoted}" is not a date kam can read; {ACCEPTED_DATES.en}',
        )
    )


def _wrong_datetime(where: Text, quoted: str) -> InvalidInput:
    return InvalidInput(
        t(
            f"{where.zh}：无法把「{quoted}」读作日期和时间；{ACCEPTED_DATETIMES.zh}",
            f'{where.en}: "{quoted}" is not a date and time kam can read; {ACCEPTED_DATETIMES.en}',
        )
    )

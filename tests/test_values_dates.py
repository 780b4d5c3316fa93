"""Dates and times as people write them (issue 16): 2027/3/31, 2027.3.31, 2027年3月31日; an impossible date
says 没有这一天 and why."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.values.dates import FIRST_YEAR, LAST_YEAR, parse_date, parse_datetime

CLOSE = t("预计签约日期 (--expected-close)", "expected close (--expected-close)")
VISIT = t("约定拜访时间 (visit_time)", "agreed visit time (visit_time)")
DATES_ZH = "可写作 2027-03-31、2027/3/31、2027.3.31 或 2027年3月31日"
DATES_EN = "write it as 2027-03-31, 2027/3/31, 2027.3.31 or 2027年3月31日"
TIMES_ZH = "可写作 2027-03-31 14:00、2027-03-31T14:00:00、2027/3/31 9:30 或 2027年3月31日 14点30分（24 小时制）"
TIMES_EN = "write it as 2027-03-31 14:00, 2027-03-31T14:00:00, 2027/3/31 9:30 or 2027年3月31日 14点30分 (24-hour clock)"
MARCH_31 = dt.date(2027, 3, 31)


def date_refusal(value: object) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as caught:
        parse_date(value, CLOSE)
    return caught.value.message.zh, caught.value.message.en


def datetime_refusal(value: object) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as caught:
        parse_datetime(value, VISIT)
    return caught.value.message.zh, caught.value.message.en


# -- dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "2027-03-31",
        "2027-3-31",
        "2027/03/31",
        "2027/3/31",
        "2027.3.31",
        "2027.03.31",
        "2027年3月31日",
        "2027年03月31日",
        "2027 年 3 月 31 日",  # as kam's own messages print it
        "2027年3月31号",
        "2027年3月31",
        "２０２７－０３－３１",  # full-width digits and hyphen
        "２０２７／３／３１",
        "２０２７年３月３１日",
        "2027/3/３1",  # an input method switched mid-date
        " 2027-03-31 ",
        "\t2027/3/31\n",
        "\u30002027年3月31日\u3000",
    ],
)
def test_a_date_is_read_as_people_write_it(written: str) -> None:
    assert parse_date(written, CLOSE) == MARCH_31


@pytest.mark.parametrize(
    ("value", "day"),
    [
        (MARCH_31, MARCH_31),  # YAML reads an unquoted 2027-03-31 as a date
        (dt.datetime(2027, 3, 31), MARCH_31),  # openpyxl reads a date cell as midnight
        ("1900-01-01", dt.date(1900, 1, 1)),
        ("2200-12-31", dt.date(2200, 12, 31)),
        ("2028-02-29", dt.date(2028, 2, 29)),
        ("2000-02-29", dt.date(2000, 2, 29)),  # divisible by 400: a leap year
        ("2027-1-1", dt.date(2027, 1, 1)),
    ],
)
def test_dates_objects_and_the_edges_of_the_range(value: object, day: dt.date) -> None:
    assert parse_date(value, CLOSE) == day


def test_an_impossible_day_says_there_is_no_such_day_and_how_many_days_the_month_has() -> None:
    assert date_refusal("2027-02-30") == (
        "预计签约日期 (--expected-close)：没有这一天：2027 年 2 月只有 28 天（写的是「2027-02-30」）",
        "expected close (--expected-close): there is no such day: February 2027 has only 28 days "
        '(written "2027-02-30")',
    )


@pytest.mark.parametrize(("year", "month"), [(2027, month) for month in range(1, 13)])
def test_the_day_after_the_last_of_every_month_is_refused(year: int, month: int) -> None:
    last = calendar.monthrange(year, month)[1]
    assert parse_date(f"{year}/{month}/{last}", CLOSE) == dt.date(year, month, last)
    english = calendar.month_name[month]
    assert date_refusal(f"{year}年{month}月{last + 1}日") == (
        f"预计签约日期 (--expected-close)：没有这一天：{year} 年 {month} 月只有 {last} 天"
        f"（写的是「{year}年{month}月{last + 1}日」）",
        f"expected close (--expected-close): there is no such day: {english} {year} has only {last} days "
        f'(written "{year}年{month}月{last + 1}日")',
    )


@pytest.mark.parametrize(
    ("written", "why_zh", "why_en"),
    [
        ("2027-02-29", "2027 年 2 月只有 28 天", "February 2027 has only 28 days"),
        ("2100-02-29", "2100 年 2 月只有 28 天", "February 2100 has only 28 days"),  # divisible by 100, not 400
        ("1900-02-29", "1900 年 2 月只有 28 天", "February 1900 has only 28 days"),
        ("2027-04-31", "2027 年 4 月只有 30 天", "April 2027 has only 30 days"),
        ("2027-02-31", "2027 年 2 月只有 28 天", "February 2027 has only 28 days"),
        ("2028-02-30", "2028 年 2 月只有 29 天", "February 2028 has only 29 days"),
        ("2027-13-01", "月份只有 1–12 月", "months run from 1 to 12"),
        ("2027-00-10", "月份只有 1–12 月", "months run from 1 to 12"),
        ("2027/3/0", "日期从 1 日起", "days start at 1"),
        ("2027-03-32", "2027 年 3 月只有 31 天", "March 2027 has only 31 days"),
        ("2027-03-99", "2027 年 3 月只有 31 天", "March 2027 has only 31 days"),
    ],
)
def test_there_is_no_such_day(written: str, why_zh: str, why_en: str) -> None:
    assert date_refusal(written) == (
        f"预计签约日期 (--expected-close)：没有这一天：{why_zh}（写的是「{written}」）",
        f'expected close (--expected-close): there is no such day: {why_en} (written "{written}")',
    )


@pytest.mark.parametrize(
    ("value", "year", "shown"),
    [
        ("1899-12-31", 1899, "1899-12-31"),
        ("2201/1/1", 2201, "2201/1/1"),
        (dt.date(1850, 6, 1), 1850, "1850-06-01"),
        ("0027-03-31", 27, "0027-03-31"),
    ],
)
def test_a_year_outside_1900_to_2200_is_refused(value: object, year: int, shown: str) -> None:
    assert date_refusal(value) == (
        f"预计签约日期 (--expected-close)：年份 {year} 不在 {FIRST_YEAR}–{LAST_YEAR} 之间"
        f"（写的是「{shown}」）；请检查年份",
        f'expected close (--expected-close): the year {year} is outside 1900-2200 (written "{shown}"); check the year',
    )


def test_the_year_is_checked_before_the_day() -> None:
    assert date_refusal("1899-02-30")[0].startswith("预计签约日期 (--expected-close)：年份 1899 不在 1900–2200 之间")


@pytest.mark.parametrize(
    ("written", "zh", "en"),
    [
        (
            "31/03/2027",
            f"预计签约日期 (--expected-close)：「31/03/2027」请把年份写在前面：日在前还是月在前看不出来；{DATES_ZH}",
            'expected close (--expected-close): write the year first in "31/03/2027": '
            f"the day and the month could be either way round; {DATES_EN}",
        ),
        (
            "03/31/2027",
            f"预计签约日期 (--expected-close)：「03/31/2027」请把年份写在前面：日在前还是月在前看不出来；{DATES_ZH}",
            'expected close (--expected-close): write the year first in "03/31/2027": '
            f"the day and the month could be either way round; {DATES_EN}",
        ),
        (
            "31.3.2027",
            f"预计签约日期 (--expected-close)：「31.3.2027」请把年份写在前面：日在前还是月在前看不出来；{DATES_ZH}",
            'expected close (--expected-close): write the year first in "31.3.2027": '
            f"the day and the month could be either way round; {DATES_EN}",
        ),
        (
            "27/3/31",
            f"预计签约日期 (--expected-close)：「27/3/31」的年份请写全 4 位；{DATES_ZH}",
            f'expected close (--expected-close): write the year in "27/3/31" with all 4 digits; {DATES_EN}',
        ),
        (
            "3月31日",
            f"预计签约日期 (--expected-close)：「3月31日」缺少年份；{DATES_ZH}",
            f'expected close (--expected-close): "3月31日" has no year; {DATES_EN}',
        ),
        (
            "3/31",
            f"预计签约日期 (--expected-close)：「3/31」缺少年份；{DATES_ZH}",
            f'expected close (--expected-close): "3/31" has no year; {DATES_EN}',
        ),
        (
            "2027-03-31T14:00",
            f"预计签约日期 (--expected-close)：这里只要日期，不带时间（写的是「2027-03-31T14:00」）；{DATES_ZH}",
            'expected close (--expected-close): only a date goes here, without a time (written "2027-03-31T14:00"); '
            f"{DATES_EN}",
        ),
        (
            "2027年3月31日 14点",
            f"预计签约日期 (--expected-close)：这里只要日期，不带时间（写的是「2027年3月31日 14点」）；{DATES_ZH}",
            'expected close (--expected-close): only a date goes here, without a time (written "2027年3月31日 14点"); '
            f"{DATES_EN}",
        ),
        (
            "2027-03/31",
            f"预计签约日期 (--expected-close)：无法把「2027-03/31」读作日期；{DATES_ZH}",
            f'expected close (--expected-close): "2027-03/31" is not a date kam can read; {DATES_EN}',
        ),
        (
            "",
            f"预计签约日期 (--expected-close)：日期为空；{DATES_ZH}",
            f"expected close (--expected-close): the date is empty; {DATES_EN}",
        ),
        (
            "   ",
            f"预计签约日期 (--expected-close)：日期为空；{DATES_ZH}",
            f"expected close (--expected-close): the date is empty; {DATES_EN}",
        ),
    ],
)
def test_a_date_in_another_form_is_refused_with_the_accepted_forms(written: str, zh: str, en: str) -> None:
    assert date_refusal(written) == (zh, en)


@pytest.mark.parametrize(
    "written",
    [
        "20270331",
        "2027-03",
        "2027",
        "2027--03-31",
        "2027 - 03 - 31",
        "2027—03—31",  # em dashes
        "2027_03_31",
        "2027-003-31",
        "2027-03-031",
        "٢٠٢٧-٠٣-٣١",  # Arabic-Indic digits, which Python's \d and int() would read
        "二〇二七年三月三十一日",
        "next friday",
        "2027年3月31日星期三",
        "2027-03-31 2027-04-01",
        "2027" * 30,
    ],
)
def test_anything_else_is_not_a_date(written: str) -> None:
    quoted = written if len(written) <= 40 else written[:40] + "…"
    assert date_refusal(written) == (
        f"预计签约日期 (--expected-close)：无法把「{quoted}」读作日期；{DATES_ZH}",
        f'expected close (--expected-close): "{quoted}" is not a date kam can read; {DATES_EN}',
    )


@pytest.mark.parametrize("value", [20270331, 46477, None, 2027.0331, ["2027-03-31"]])
def test_a_date_that_is_not_text_or_a_date_is_refused(value: object) -> None:
    assert date_refusal(value) == (
        f"预计签约日期 (--expected-close)：应为日期；{DATES_ZH}",
        f"expected close (--expected-close): a date is needed; {DATES_EN}",
    )


def test_a_spreadsheet_cell_with_a_time_is_not_a_date() -> None:
    assert date_refusal(dt.datetime(2027, 3, 31, 14, 30)) == (
        f"预计签约日期 (--expected-close)：这里只要日期，不带时间（写的是「2027-03-31 14:30:00」）；{DATES_ZH}",
        'expected close (--expected-close): only a date goes here, without a time (written "2027-03-31 14:30:00"); '
        f"{DATES_EN}",
    )


def test_a_field_named_once_is_used_in_both_languages() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date("2027-02-30", "deliveries[1].date")
    assert caught.value.message == (
        "deliveries[1].date：没有这一天：2027 年 2 月只有 28 天（写的是「2027-02-30」）",
        'deliveries[1].date: there is no such day: February 2027 has only 28 days (written "2027-02-30")',
    )


DAYS = st.dates(min_value=dt.date(FIRST_YEAR, 1, 1), max_value=dt.date(LAST_YEAR, 12, 31))
FULL_WIDTH = str.maketrans("0123456789-/.", "０１２３４５６７８９－／．")


@given(DAYS)
def test_every_day_in_the_range_reads_back_in_every_form(day: dt.date) -> None:
    y, m, d = day.year, day.month, day.day
    forms = [
        day.isoformat(),
        f"{y}-{m}-{d}",
        f"{y}/{m:02}/{d:02}",
        f"{y}/{m}/{d}",
        f"{y}.{m}.{d}",
        f"{y}年{m}月{d}日",
        f"{y} 年 {m} 月 {d} 日",
        day.isoformat().translate(FULL_WIDTH),
    ]
    assert {parse_date(form, CLOSE) for form in forms} == {day}


# -- dates with a time ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "at"),
    [
        ("2027-03-31 14:00", dt.datetime(2027, 3, 31, 14, 0)),
        ("2027-03-31T14:00", dt.datetime(2027, 3, 31, 14, 0)),
        ("2027-03-31t14:00", dt.datetime(2027, 3, 31, 14, 0)),
        ("2027-03-31 14:00:05", dt.datetime(2027, 3, 31, 14, 0, 5)),
        ("2027-03-31T14:00:00", dt.datetime(2027, 3, 31, 14, 0)),
        ("2027-03-31   14:00", dt.datetime(2027, 3, 31, 14, 0)),
        ("2027-03-31\t14:00", dt.datetime(2027, 3, 31, 14, 0)),
        ("2027/3/31 9:30", dt.datetime(2027, 3, 31, 9, 30)),
        ("2027/3/31 09:30", dt.datetime(2027, 3, 31, 9, 30)),
        ("2027.3.31 0:00", dt.datetime(2027, 3, 31, 0, 0)),
        ("2027-03-31 23:59:59", dt.datetime(2027, 3, 31, 23, 59, 59)),
        ("2027年3月31日 14:00", dt.datetime(2027, 3, 31, 14, 0)),
        ("2027年3月31日14:00", dt.datetime(2027, 3, 31, 14, 0)),
        ("2027年3月31日 14点", dt.datetime(2027, 3, 31, 14, 0)),
        ("2027年3月31日14点", dt.datetime(2027, 3, 31, 14, 0)),
        ("2027年3月31日 14点30分", dt.datetime(2027, 3, 31, 14, 30)),
        ("2027年3月31日 14点30", dt.datetime(2027, 3, 31, 14, 30)),
        ("2027年3月31日 14点5分", dt.datetime(2027, 3, 31, 14, 5)),
        ("2027年3月31日 14点半", dt.datetime(2027, 3, 31, 14, 30)),
        ("2027年3月31日 14时30分", dt.datetime(2027, 3, 31, 14, 30)),
        ("2027年3月31日 14时30分15秒", dt.datetime(2027, 3, 31, 14, 30, 15)),
        ("2027年3月31号 9点", dt.datetime(2027, 3, 31, 9, 0)),
        ("2027-03-31 14点", dt.datetime(2027, 3, 31, 14, 0)),
        ("２０２７－０３－３１\u3000１４：００", dt.datetime(2027, 3, 31, 14, 0)),  # full-width, colon included
        ("  2027-03-31 14:00  ", dt.datetime(2027, 3, 31, 14, 0)),
        (dt.datetime(2027, 3, 31, 14, 0), dt.datetime(2027, 3, 31, 14, 0)),  # YAML's own timestamp
    ],
)
def test_a_date_and_time_is_read_as_people_write_it(written: object, at: dt.datetime) -> None:
    assert parse_datetime(written, VISIT) == at


@pytest.mark.parametrize(
    ("written", "zh", "en"),
    [
        (
            "2027-03-31",
            f"约定拜访时间 (visit_time)：还需要时间（写的是「2027-03-31」）；{TIMES_ZH}",
            f'agreed visit time (visit_time): a time is needed too (written "2027-03-31"); {TIMES_EN}',
        ),
        (
            MARCH_31,
            f"约定拜访时间 (visit_time)：还需要时间（写的是「2027-03-31」）；{TIMES_ZH}",
            f'agreed visit time (visit_time): a time is needed too (written "2027-03-31"); {TIMES_EN}',
        ),
        (
            "2027-02-30 14:00",
            "约定拜访时间 (visit_time)：没有这一天：2027 年 2 月只有 28 天（写的是「2027-02-30 14:00」）",
            "agreed visit time (visit_time): there is no such day: February 2027 has only 28 days "
            '(written "2027-02-30 14:00")',
        ),
        (
            "2027-02-30",  # the impossible day is said before the missing time
            "约定拜访时间 (visit_time)：没有这一天：2027 年 2 月只有 28 天（写的是「2027-02-30」）",
            "agreed visit time (visit_time): there is no such day: February 2027 has only 28 days "
            '(written "2027-02-30")',
        ),
        (
            "2027-03-31 24:00",
            "约定拜访时间 (visit_time)：没有这个时间：一天从 00:00 到 23:59（写的是「2027-03-31 24:00」）；"
            "午夜请写次日 00:00",
            "agreed visit time (visit_time): there is no such time: a day runs from 00:00 to 23:59 "
            '(written "2027-03-31 24:00"); for midnight write 00:00 of the next day',
        ),
        (
            "2027-03-31 14:60",
            "约定拜访时间 (visit_time)：没有这个时间：一天从 00:00 到 23:59（写的是「2027-03-31 14:60」）",
            "agreed visit time (visit_time): there is no such time: a day runs from 00:00 to 23:59 "
            '(written "2027-03-31 14:60")',
        ),
        (
            "2027-03-31 下午2点",
            "约定拜访时间 (visit_time)：「2027-03-31 下午2点」请用 24 小时制写时间，如 2027-03-31 14:00（下午 2 点）",
            'agreed visit time (visit_time): write the time in "2027-03-31 下午2点" on the 24-hour clock, '
            "as in 2027-03-31 14:00 for 2 pm",
        ),
        (
            "2027-03-31 2:00 PM",
            "约定拜访时间 (visit_time)：「2027-03-31 2:00 PM」请用 24 小时制写时间，如 2027-03-31 14:00（下午 2 点）",
            'agreed visit time (visit_time): write the time in "2027-03-31 2:00 PM" on the 24-hour clock, '
            "as in 2027-03-31 14:00 for 2 pm",
        ),
        (
            "2027-03-31 14:00+08:00",
            "约定拜访时间 (visit_time)：请不要写时区（写的是「2027-03-31 14:00+08:00」）；"
            "kam 记录当地时间，如 2027-03-31 14:00",
            'agreed visit time (visit_time): leave out the time zone (written "2027-03-31 14:00+08:00"); '
            "kam keeps local times, as in 2027-03-31 14:00",
        ),
        (
            "",
            f"约定拜访时间 (visit_time)：日期和时间为空；{TIMES_ZH}",
            f"agreed visit time (visit_time): the date and time are empty; {TIMES_EN}",
        ),
        (
            "14:00",
            f"约定拜访时间 (visit_time)：无法把「14:00」读作日期和时间；{TIMES_ZH}",
            f'agreed visit time (visit_time): "14:00" is not a date and time kam can read; {TIMES_EN}',
        ),
        (
            None,
            f"约定拜访时间 (visit_time)：应为日期和时间；{TIMES_ZH}",
            f"agreed visit time (visit_time): a date and time are needed; {TIMES_EN}",
        ),
    ],
)
def test_a_date_and_time_that_is_not_one_is_refused(written: object, zh: str, en: str) -> None:
    assert datetime_refusal(written) == (zh, en)


@pytest.mark.parametrize(
    "written",
    ["2027-03-31T14:00Z", "2027-03-31 14:00 UTC", "2027-03-31T14:00-05", "2027-03-31T14:00:00+0800"],
)
def test_a_time_zone_is_refused(written: str) -> None:
    zh, _ = datetime_refusal(written)
    assert (
        zh == f"约定拜访时间 (visit_time)：请不要写时区（写的是「{written}」）；kam 记录当地时间，如 2027-03-31 14:00"
    )


def test_a_datetime_object_with_a_time_zone_is_refused() -> None:
    at = dt.datetime(2027, 3, 31, 14, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert datetime_refusal(at)[1] == (
        'agreed visit time (visit_time): leave out the time zone (written "2027-03-31 14:00:00+08:00"); '
        "kam keeps local times, as in 2027-03-31 14:00"
    )


@pytest.mark.parametrize(
    "written",
    [
        "上午9点",
        "2027-03-31 晚上8点",
        "2027-03-31 中午12点",
        "2027-03-31 凌晨1点",
        "2027-03-31 9am",
        "2027-03-31 9 a.m.",
    ],
)
def test_a_twelve_hour_time_is_refused_with_the_24_hour_form(written: str) -> None:
    assert datetime_refusal(written)[0] == (
        f"约定拜访时间 (visit_time)：「{written}」请用 24 小时制写时间，如 2027-03-31 14:00（下午 2 点）"
    )


@pytest.mark.parametrize(
    "written",
    [
        "2027-03-3114:00",  # no space between the day and the hour
        "2027-03-31 14",
        "2027-03-31 14:5",
        "2027-03-31 14:00:00.5",  # fractions of a second
        "2027-03-31 1400",
        "2027-03-31 14.00",
        "2027-03-31 十四点",
        "2027-03-31 14:00 14:00",
        "2027年3月31日T14:00",
    ],
)
def test_anything_else_is_not_a_date_and_time(written: str) -> None:
    assert datetime_refusal(written) == (
        f"约定拜访时间 (visit_time)：无法把「{written}」读作日期和时间；{TIMES_ZH}",
        f'agreed visit time (visit_time): "{written}" is not a date and time kam can read; {TIMES_EN}',
    )


def test_a_datetime_outside_the_years_is_refused() -> None:
    assert datetime_refusal("2300-01-01 10:00")[0] == (
        "约定拜访时间 (visit_time)：年份 2300 不在 1900–2200 之间（写的是「2300-01-01 10:00」）；请检查年份"
    )
    assert datetime_refusal(dt.datetime(1800, 1, 1, 10))[0] == (
        "约定拜访时间 (visit_time)：年份 1800 不在 1900–2200 之间（写的是「1800-01-01 10:00:00」）；请检查年份"
    )


@given(
    st.datetimes(min_value=dt.datetime(FIRST_YEAR, 1, 1), max_value=dt.datetime(LAST_YEAR, 12, 31, 23, 59, 59)).map(
        lambda at: at.replace(microsecond=0)
    )
)
def test_every_time_reads_back_in_every_form(at: dt.datetime) -> None:
    day = f"{at.year}年{at.month}月{at.day}日"
    forms = [
        at.isoformat(),
        at.isoformat(sep=" "),
        f"{at:%Y/%m/%d} {at.hour}:{at.minute:02}:{at.second:02}",
        f"{day} {at.hour}点{at.minute}分{at.second}秒",
        f"{day}{at.hour}时{at.minute}分{at.second}秒",
    ]
    assert {parse_datetime(form, VISIT) for form in forms} == {at}

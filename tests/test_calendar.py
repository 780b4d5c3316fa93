"""Calendar files: every file is parsed back with the `icalendar` library, as a phone or Outlook would read it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from workflow.errors import InvalidInput
from workflow.views.calendar import CalendarItem, calendar_uid, escape_text, fold, write_ics

D = dt.date.fromisoformat
GENERATED = dt.datetime(2027, 2, 1, 0, 30)  # naive UTC, as kam stores times: 08:30 in Shanghai

VISIT = CalendarItem(
    uid="12-RV-20270215@kam.3f2a9c1e",
    date=D("2027-02-15"),
    summary="回访：包头鑫达物流有限公司（商机 12）",
    description="第 3 次回访（交车后 45 天）\n服务站：包头东河服务站",
    contact="张三（车队长）13800000000",
    command="kam followup done 12-RV-20270215 2027-02-15",
    location="包头市东河区巴彦塔拉大街 8 号",
    url="https://kam.example.com/opp/12",
    categories=("回访", "A 类客户"),
)
TRAINING = CalendarItem(uid="12-TR-20270220@kam.3f2a9c1e", date=D("2027-02-20"), summary="培训：驾驶员节油培训")


def ics(items: list[CalendarItem], **options: object) -> bytes:
    options = {"name": "王磊的回访", "generated_at": GENERATED, **options}
    return write_ics(items, **options)  # type: ignore[arg-type]


def events(data: bytes) -> list:  # type: ignore[type-arg]
    return Calendar.from_ical(data).walk("VEVENT")


def unfolded(data: bytes) -> list[str]:
    return data.replace(b"\r\n ", b"").decode().split("\r\n")


# -- what an event holds -------------------------------------------------------------------


def test_an_item_is_an_all_day_event_on_its_date() -> None:
    (event,) = events(ics([VISIT]))
    assert event.decoded("DTSTART") == D("2027-02-15")
    assert event.decoded("DTEND") == D("2027-02-16")  # exclusive: the event is that one day
    assert str(event["UID"]) == "12-RV-20270215@kam.3f2a9c1e"
    assert str(event["SUMMARY"]) == "回访：包头鑫达物流有限公司（商机 12）"
    assert str(event["LOCATION"]) == "包头市东河区巴彦塔拉大街 8 号"
    assert str(event["CONTACT"]) == "张三（车队长）13800000000"
    assert str(event["URL"]) == "https://kam.example.com/opp/12"
    assert event["CATEGORIES"].cats == ["回访", "A 类客户"]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["TRANSP"]) == "TRANSPARENT"  # a reminder does not make the day busy
    lines = unfolded(ics([VISIT]))
    assert "DTSTART;VALUE=DATE:20270215" in lines and "DTEND;VALUE=DATE:20270216" in lines


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh", "第 3 次回访（交车后 45 天）\n服务站：包头东河服务站\n联系人：张三（车队长）13800000000\n"
               "命令：kam followup done 12-RV-20270215 2027-02-15"),
        ("en", "第 3 次回访（交车后 45 天）\n服务站：包头东河服务站\nContact: 张三（车队长）13800000000\n"
               "Command: kam followup done 12-RV-20270215 2027-02-15"),
    ],
)
def test_the_description_holds_the_text_the_contact_and_the_command(lang: str, expected: str) -> None:
    (event,) = events(ics([VISIT], lang=lang))
    assert str(event["DESCRIPTION"]) == expected


def test_an_item_with_only_a_summary_has_no_description_location_contact_url_or_categories() -> None:
    (event,) = events(ics([TRAINING]))
    assert [key for key in ("DESCRIPTION", "LOCATION", "CONTACT", "URL", "CATEGORIES") if key in event] == []


def test_the_calendar_is_named_and_in_the_shanghai_zone_without_any_tzid() -> None:
    data = ics([VISIT, TRAINING])
    calendar = Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "王磊的回访"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"]) == "-//kam//key-account workflow//ZH"
    # all dates are DATE values and the stamps UTC: nothing refers to a zone, so no VTIMEZONE is needed
    assert b"TZID" not in data and calendar.walk("VTIMEZONE") == []


def test_every_line_ends_with_crlf() -> None:
    data = ics([VISIT, TRAINING])
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_an_empty_list_is_a_calendar_without_events() -> None:
    data = ics([])
    assert events(data) == []
    assert str(Calendar.from_ical(data)["X-WR-CALNAME"]) == "王磊的回访"


# -- the reminder ----------------------------------------------------------------------------


def test_the_reminder_is_at_nine_the_day_before() -> None:
    (event,) = events(ics([VISIT]))
    (alarm,) = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert str(alarm["DESCRIPTION"]) == "回访：包头鑫达物流有限公司（商机 12）"
    assert alarm["TRIGGER"].params["RELATED"] == "START"
    start = dt.datetime.combine(event.decoded("DTSTART"), dt.time())  # an all-day event starts at local midnight
    assert start + alarm.decoded("TRIGGER") == dt.datetime(2027, 2, 14, 9, 0)
    assert "TRIGGER;RELATED=START:-PT15H" in unfolded(ics([VISIT]))


@pytest.mark.parametrize(
    ("before", "written"),
    [
        (dt.timedelta(days=1, hours=9), "-P1DT9H"),  # 15:00 two days before
        (dt.timedelta(days=2), "-P2D"),
        (dt.timedelta(minutes=90), "-PT1H30M"),
        (dt.timedelta(0), "-PT0S"),  # at midnight, the day itself
    ],
)
def test_the_reminder_can_come_earlier_or_later(before: dt.timedelta, written: str) -> None:
    data = ics([VISIT], remind_before=before)
    assert f"TRIGGER;RELATED=START:{written}" in unfolded(data)
    (alarm,) = events(data)[0].walk("VALARM")
    assert alarm.decoded("TRIGGER") == -before


def test_no_reminder_when_none_is_asked_for() -> None:
    assert events(ics([VISIT], remind_before=None))[0].walk("VALARM") == []


@pytest.mark.parametrize("before", [dt.timedelta(hours=-1), dt.timedelta(days=29)])
def test_a_reminder_after_the_start_or_a_month_ahead_is_refused(before: dt.timedelta) -> None:
    with pytest.raises(InvalidInput) as info:
        ics([VISIT], remind_before=before)
    assert info.value.message.en == f"the reminder must come 0 to 28 days before the event, got {before}"
    assert info.value.message.zh == f"提醒时间须在事件开始前 0 到 28 天之间，收到 {before}"


# -- updates instead of duplicates -------------------------------------------------------------


def test_a_newer_export_has_the_same_uids_and_a_higher_sequence() -> None:
    first = events(ics([VISIT, TRAINING]))
    later = events(ics([TRAINING, VISIT], generated_at=GENERATED + dt.timedelta(days=1)))
    assert sorted(str(e["UID"]) for e in first) == sorted(str(e["UID"]) for e in later)
    by_uid = {str(e["UID"]): e for e in later}
    for event in first:
        assert by_uid[str(event["UID"])]["SEQUENCE"] == event["SEQUENCE"] + 86400
        assert by_uid[str(event["UID"])].decoded("LAST-MODIFIED") > event.decoded("LAST-MODIFIED")


def test_the_stamps_are_the_generation_time_in_utc() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    for generated in (GENERATED, GENERATED.replace(tzinfo=dt.UTC), dt.datetime(2027, 2, 1, 8, 30, tzinfo=shanghai)):
        (event,) = events(ics([VISIT], generated_at=generated))
        assert event.decoded("DTSTAMP") == dt.datetime(2027, 2, 1, 0, 30, tzinfo=dt.UTC)
        assert event.decoded("LAST-MODIFIED") == dt.datetime(2027, 2, 1, 0, 30, tzinfo=dt.UTC)
        # seconds since 2020-01-01 UTC
        assert event["SEQUENCE"] == int((dt.datetime(2027, 2, 1, 0, 30) - dt.datetime(2020, 1, 1)).total_seconds())


@pytest.mark.parametrize(("generated", "sequence"), [(dt.datetime(2019, 12, 31), 0), (dt.datetime(2090, 1, 1), 2**31 - 1)])
def test_the_sequence_stays_a_32_bit_counter(generated: dt.datetime, sequence: int) -> None:
    assert events(ics([VISIT], generated_at=generated))[0]["SEQUENCE"] == sequence


def test_the_same_input_gives_the_same_bytes() -> None:
    assert ics([VISIT, TRAINING]) == ics([VISIT, TRAINING])
    assert ics([VISIT, TRAINING]) != ics([TRAINING, VISIT])  # the caller's order is kept


def test_a_cancelled_item_is_written_cancelled_and_without_a_reminder() -> None:
    done = CalendarItem(uid=VISIT.uid, date=VISIT.date, summary=VISIT.summary, cancelled=True)
    (event,) = events(ics([done]))
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.walk("VALARM") == []


@pytest.mark.parametrize(
    ("key", "database", "uid"),
    [("12-RV-20270215", "3f2a9c1e", "12-RV-20270215@kam.3f2a9c1e"), ("12-REQ-visit_pitch-visit-feedback", "main.db", None)],
)
def test_the_recommended_uid(key: str, database: str, uid: str | None) -> None:
    assert calendar_uid(key, database) == (uid or f"{key}@kam.{database}")


@pytest.mark.parametrize(
    ("key", "database", "en"),
    [
        ("12 RV", "3f2a", "the calendar UID's key '12 RV' is not valid: use letters, digits, . _ - only, starting with a letter or digit"),
        ("", "3f2a", "the calendar UID's key '' is not valid: use letters, digits, . _ - only, starting with a letter or digit"),
        ("12-RV", "-x", "the calendar UID's database id '-x' is not valid: use letters, digits, . _ - only, starting with a letter or digit"),
        ("12-RV", "数据库", "the calendar UID's database id '数据库' is not valid: use letters, digits, . _ - only, starting with a letter or digit"),
    ],
)
def test_a_uid_from_a_bad_key_or_database_id_is_refused(key: str, database: str, en: str) -> None:
    with pytest.raises(InvalidInput) as info:
        calendar_uid(key, database)
    assert info.value.message.en == en


def test_the_zh_message_of_a_bad_uid_part() -> None:
    with pytest.raises(InvalidInput) as info:
        calendar_uid("12-RV", "a b")
    assert info.value.message.zh == "日历 UID 的数据库标识 'a b' 无效：只可用字母、数字、. _ -，且以字母或数字开头"


# -- bad items -------------------------------------------------------------------------------------


def test_two_items_with_one_uid_are_refused() -> None:
    with pytest.raises(InvalidInput) as info:
        ics([VISIT, TRAINING, VISIT])
    assert info.value.message.en == (
        "two calendar events share the UID 12-RV-20270215@kam.3f2a9c1e: each item needs its own, or calendars merge them into one"
    )
    assert info.value.message.zh == "日历中有两个事件的 UID 都是 12-RV-20270215@kam.3f2a9c1e：每项须有自己的 UID，否则日历会把它们合成一个"


@pytest.mark.parametrize("uid", ["", "12 RV@kam.x", "回访-12@kam.x", "12-RV\n@kam.x"])
def test_a_uid_that_is_not_visible_ascii_is_refused(uid: str) -> None:
    with pytest.raises(InvalidInput) as info:
        ics([CalendarItem(uid=uid, date=VISIT.date, summary="x")])
    assert info.value.message.en == (
        f"calendar event UID {uid!r} is not valid: use visible ASCII without spaces, e.g. 12-RV-20270215@kam.3f2a9c1e"
    )


@pytest.mark.parametrize("url", ["kam.example.com/opp/12", "https://kam.example.com/opp 12", "https://例子.com"])
def test_a_url_that_is_not_an_absolute_uri_is_refused(url: str) -> None:
    with pytest.raises(InvalidInput) as info:
        ics([CalendarItem(uid="1@kam.x", date=VISIT.date, summary="x", url=url)])
    assert info.value.message.en == (
        f"the URL {url!r} of calendar event 1@kam.x is not valid: give an absolute URI without spaces, e.g. https://kam.example.com/opp/12"
    )


def test_a_datetime_is_not_a_date() -> None:
    with pytest.raises(TypeError, match="CalendarItem 1@kam.x: date must be a datetime.date"):
        ics([CalendarItem(uid="1@kam.x", date=dt.datetime(2027, 2, 15, 9), summary="x")])


# -- escaping ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("价格 12,000 元; 含税", "价格 12\\,000 元\\; 含税"),
        ("C:\\kam\\demo", "C:\\\\kam\\\\demo"),
        ("D:\\Notes", "D:\\\\Notes"),  # icalendar 7 itself would write a line break here
        ("第一行\n第二行\r\n第三行\r第四行", "第一行\\n第二行\\n第三行\\n第四行"),
        ('引号 "ok" 与冒号: 照写', '引号 "ok" 与冒号: 照写'),
        ("tab\tstays", "tab\tstays"),
        ("bell\x07 and nul\x00 and esc\x1b go", "bell and nul and esc go"),
        ("lone \ud800 surrogate", "lone  surrogate"),
    ],
)
def test_text_is_escaped_as_rfc_5545_says_and_reads_back_the_same(text: str, written: str) -> None:
    assert escape_text(text) == written
    (event,) = events(ics([CalendarItem(uid="1@kam.x", date=VISIT.date, summary=text, description=text)]))
    expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", "", text).replace("\r\n", "\n").replace("\r", "\n")
    assert str(event["SUMMARY"]) == expected
    assert str(event["DESCRIPTION"]) == expected


def test_categories_are_escaped_one_by_one() -> None:
    data = ics([CalendarItem(uid="1@kam.x", date=VISIT.date, summary="x", categories=("回访,季度", "A;B"))])
    assert "CATEGORIES:回访\\,季度,A\\;B" in unfolded(data)
    assert events(data)[0]["CATEGORIES"].cats == ["回访,季度", "A;B"]


def test_the_calendar_name_is_escaped() -> None:
    data = ics([], name="王磊, 李娜; 回访")
    assert "X-WR-CALNAME:王磊\\, 李娜\\; 回访" in unfolded(data)


# -- folding ------------------------------------------------------------------------------------------


def assert_folded_well(data: bytes) -> None:
    """Every physical line: at most 75 octets, valid UTF-8 on its own, not ending inside an escape."""
    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode()  # a fold inside a UTF-8 sequence leaves a line that does not decode
        assert (len(line) - len(line.rstrip(b"\\"))) % 2 == 0, line  # an escape is never cut in two


@pytest.mark.parametrize("prefix", ["", "a", "ab", "abc"])  # moves every fold across the three octets of a character
@pytest.mark.parametrize(
    "text",
    [
        "包头鑫达物流有限公司" * 20,
        "回访：" + "内蒙古自治区包头市东河区巴彦塔拉大街 8 号，" * 6,
        "🚚车队" * 40,  # four-octet characters
        "兀" * 24 + "\\,\\;\\\\" * 30,  # escapes on every possible boundary
        "x" * 73 + "\\,",
        "x" * 74 + "\\,",
    ],
)
def test_long_chinese_lines_are_folded_on_character_boundaries(prefix: str, text: str) -> None:
    data = ics([CalendarItem(uid="1@kam.x", date=VISIT.date, summary=prefix + text, description=prefix + text)])
    assert_folded_well(data)
    (event,) = events(data)
    assert str(event["SUMMARY"]) == prefix + text
    assert str(event["DESCRIPTION"]) == prefix + text


def test_a_line_of_exactly_75_octets_is_not_folded_and_76_is() -> None:
    assert fold("SUMMARY:" + "x" * 67) == b"SUMMARY:" + b"x" * 67
    assert fold("SUMMARY:" + "x" * 68) == b"SUMMARY:" + b"x" * 67 + b"\r\n x"


def test_a_fold_never_splits_a_character_or_an_escape() -> None:
    # 8 octets of name, then 22 characters of 3 octets (66 octets, 74 in all): the 23rd would end at octet 77
    assert fold("SUMMARY:" + "兀" * 23) == ("SUMMARY:" + "兀" * 22).encode() + b"\r\n " + "兀".encode()
    # a backslash at octet 75 goes to the next line with the comma it escapes
    assert fold("SUMMARY:" + "x" * 66 + "\\,y") == b"SUMMARY:" + b"x" * 66 + b"\r\n \\,y"
    # an escaped backslash (two of them) before the cut is whole: the fold may follow it
    assert fold("SUMMARY:" + "x" * 65 + "\\\\y") == b"SUMMARY:" + b"x" * 65 + b"\\\\\r\n y"


TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("包头鑫达物流有限公司回访：，；。 \\,;\n\r\t\"abcXYZ019") + ["🚚", "é", "\x00", "\x1f"]),
        st.characters(codec="utf-8"),
    ),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(summary=TEXT, description=TEXT, contact=TEXT, categories=st.lists(TEXT.filter(bool), max_size=3))
def test_any_text_reads_back_the_same_and_every_line_fits(summary: str, description: str, contact: str, categories: list[str]) -> None:
    item = CalendarItem(uid="1@kam.x", date=VISIT.date, summary=summary, description=description, contact=contact, categories=tuple(categories))
    data = ics([item], lang="en")
    assert_folded_well(data)
    (event,) = events(data)

    def clean(text: str) -> str:
        return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text).replace("\r\n", "\n").replace("\r", "\n")

    assert str(event["SUMMARY"]) == clean(summary)
    lines = [clean(description)] if description else []
    if contact:
        lines.append("Contact: " + clean(contact))
        assert str(event["CONTACT"]) == clean(contact)
    if lines:
        assert str(event["DESCRIPTION"]) == "\n".join(lines)
    if categories:
        assert event["CATEGORIES"].cats == [clean(c) for c in categories]


# -- size ---------------------------------------------------------------------------------------------


def test_twenty_thousand_items_take_a_fraction_of_the_five_seconds() -> None:
    """`kam schedule --ics` of a whole 100k-opportunity schedule must finish under 5 s and 300 MB."""
    items = [
        CalendarItem(
            uid=f"{i}-RV-20270215@kam.3f2a9c1e",
            date=D("2027-01-01") + dt.timedelta(days=i % 365),
            summary=f"回访：包头鑫达物流有限公司 {i}（商机 {i} 大客户采购项目）",
            description="第 3 次回访（交车后 45 天）\n服务站：包头东河服务站",
            contact="张三（车队长）13800000000",
            command=f"kam followup done {i}-RV-20270215 2027-02-15",
            categories=("回访",),
        )
        for i in range(20_000)
    ]
    data = ics(items)  # about 0.25 s of CPU on the 2-core machine; the suite asserts no timing
    assert data.count(b"BEGIN:VEVENT") == 20_000 and data.count(b"BEGIN:VALARM") == 20_000
    assert_folded_well(data)
    sample = events(data[: data.index(b"BEGIN:VEVENT", 200_000)] + b"END:VCALENDAR\r\n")
    assert [str(e["UID"]) for e in sample[:3]] == ["0-RV-20270215@kam.3f2a9c1e", "1-RV-20270215@kam.3f2a9c1e", "2-RV-20270215@kam.3f2a9c1e"]

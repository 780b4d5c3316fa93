"""Calendar files (iCalendar, RFC 5545) of dated items: what `kam agenda --ics` and `kam schedule --ics` write.

One VEVENT per item, all-day on its date, with a reminder the day before, so that
a phone or Outlook shows "回访 12 包头某某公司" on the day and reminds the evening
before. The writer knows no database: the caller turns its rows (`DueItem`, agenda
items) into `CalendarItem`s and writes the bytes where the user asked.

What a file holds, and why:

- **All-day dates.** `DTSTART;VALUE=DATE` and `DTEND;VALUE=DATE` the day after
  (DTEND is exclusive). A DATE value carries no time zone: the event stays on the
  same calendar day wherever the phone is, which is what a due date means. The
  dates are the caller's dates in the company's zone, Asia/Shanghai, and the
  calendar says so in `X-WR-TIMEZONE` (read by Apple and Google calendars). No
  VTIMEZONE is written: RFC 5545 §3.6.5 asks for one per TZID a property refers
  to, and none does (DTSTAMP and LAST-MODIFIED are UTC); Outlook reads DATE
  values as all-day events without one.
- **A reminder the day before.** A VALARM (ACTION:DISPLAY) with
  `TRIGGER;RELATED=START:-PT15H`: the start of an all-day event is local
  midnight, so 15 hours before is 09:00 the day before, on the phone's own clock.
  `remind_before` changes it (None: no reminder); cancelled events have none.
- **Updates, not duplicates.** Calendars match an imported event to the one they
  hold by its UID and take it when its SEQUENCE is higher. The UID is the
  caller's, stable for the same item (see `calendar_uid`); SEQUENCE is the number
  of seconds from 2020-01-01 UTC to `generated_at`, so every newer export outranks
  the older ones without kam remembering what it exported; DTSTAMP and
  LAST-MODIFIED are `generated_at` too. An item the caller marks `cancelled`
  (a follow-up done since the last export) is written with STATUS:CANCELLED, which
  takes it off the calendars that imported it.
- **Deterministic.** The same items, name and `generated_at` give the same bytes:
  items are written in the order given, properties in a fixed order, nothing is
  read from the clock.
- **Free time.** TRANSP:TRANSPARENT: a reminder to call a customer does not block
  the day as busy.

The text encoding is done here, not by the `icalendar` library's object model,
and the tests hold it to that library (they parse every file back with it):

- speed: building 20,000 `icalendar.Event`s and serialising them took 7 s of CPU
  and 276 MB, past the whole-command target of `kam schedule --ics` (5 s, 300 MB);
  this writer takes a small fraction of that (figures in the tests and the README);
- escaping (§3.3.11): backslash, semicolon, comma and line breaks are escaped, in
  that order; icalendar 7 first turns a literal backslash-N into a line break
  (`D:\\Notes` comes back as "D:" and "otes" on two lines), which would change a
  customer's text;
- folding (§3.1): a content line longer than 75 octets is folded at a character
  boundary, never inside a UTF-8 sequence (a Chinese character is three octets)
  and never between a backslash and the character it escapes (some clients do not
  join those again); each folded line is at most 75 octets, its leading space
  included. Text is cleaned of control characters, which TEXT may not hold, and of
  unpaired surrogates, which UTF-8 cannot.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from workflow.errors import InvalidInput
from workflow.i18n import t

ZONE = "Asia/Shanghai"
FOLD_OCTETS = 75  # RFC 5545 §3.1: lines SHOULD NOT be longer than 75 octets, excluding the line break
REMIND_BEFORE = dt.timedelta(hours=15)  # before the all-day start (local midnight): 09:00 the day before
SEQUENCE_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # seconds since then fit a 32-bit SEQUENCE until 2088
MAX_SEQUENCE = 2**31 - 1

# What a TEXT value may not hold (§3.3.11: no control characters but HTAB; line breaks are escaped),
# and what UTF-8 cannot encode (unpaired surrogates, e.g. from a badly decoded file).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# A UID or URL: visible ASCII without spaces, so that every calendar keeps it byte for byte.
_TOKEN = re.compile(r"[!-~]+")
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

LABELS = {
    "contact": t("联系人：", "Contact: "),
    "command": t("命令：", "Command: "),
}


@dataclass(frozen=True, slots=True)
class CalendarItem:
    """One dated thing to do, as it becomes one all-day event.

    `description` is free text (lines separated by newlines: the message, the service
    station...); `contact` (who to call: name, title, phone) is added to it as a line
    and also written as the event's CONTACT; `command` (the kam command that does or
    records it) is its last line. `location` and `url` become LOCATION and URL,
    `categories` CATEGORIES (e.g. the kind: 回访, 培训). `cancelled` writes the event
    as STATUS:CANCELLED, for an item an earlier export listed that is no longer due.
    """

    uid: str
    date: dt.date
    summary: str
    description: str = ""
    contact: str = ""
    command: str = ""
    location: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    cancelled: bool = False


def calendar_uid(key: str, database_id: str) -> str:
    """The recommended UID of an item: `<key>@kam.<database id>`, e.g. `12-RV-20270215@kam.3f2a9c1e`.

    The key names the item within one database and stays the same while the item
    does (a follow-up id, or `12-REQ-<stage>-<code>` for an agenda requirement, never
    a row number or a date that moves); the database id keeps two databases' item 12
    apart on the same phone. Both are letters, digits, `.`, `_` and `-`.
    """
    for label, value in (("key", key), ("database id", database_id)):
        if not _KEY.fullmatch(value or ""):
            raise InvalidInput(
                t(
                    f"日历 UID 的{'编号' if label == 'key' else '数据库标识'} "
                    f"{value!r} 无效：只可用字母、数字、. _ -，且以字母或数字开头",
                    f"the calendar UID's {label} {value!r} is not valid: use letters, digits, . _ - only, "
                    "starting with a letter or digit",
                )
            )
    return f"{key}@kam.{database_id}"


def write_ics(
    items: Iterable[CalendarItem],
    *,
    name: str,
    generated_at: dt.datetime,
    lang: str = "zh",
    remind_before: dt.timedelta | None = REMIND_BEFORE,
) -> bytes:
    """The iCalendar file of `items`, one all-day event each, in the order given.

    `name` is the calendar's name (X-WR-CALNAME, shown when importing);
    `generated_at` (naive values are UTC, as kam stores them) stamps every event and
    sets its SEQUENCE; `lang` picks the labels of the description lines. Refuses a
    duplicate or malformed UID, a malformed URL and a reminder not before the day.
    """
    return b"".join(
        iter_ics(items, name=name, generated_at=generated_at, lang=lang, remind_before=remind_before)
    )


def iter_ics(
    items: Iterable[CalendarItem],
    *,
    name: str,
    generated_at: dt.datetime,
    lang: str = "zh",
    remind_before: dt.timedelta | None = REMIND_BEFORE,
) -> Iterator[bytes]:
    """`write_ics` as chunks (the header, then one per event), for a file written as it is made.

    A year of a team's follow-ups is 150,000 events and 80 MB: streamed from a
    generator of items into `records.files.writing`, neither the items nor the text
    are held whole. A refusal can come at any chunk; the writer then keeps no file.
    """
    if remind_before is not None and not dt.timedelta(0) <= remind_before <= dt.timedelta(days=28):
        raise InvalidInput(
            t(
                f"提醒时间须在事件开始前 0 到 28 天之间，收到 {remind_before}",
                f"the reminder must come 0 to 28 days before the event, got {remind_before}",
            )
        )
    stamp = generated_at.replace(tzinfo=dt.UTC) if generated_at.tzinfo is None else generated_at.astimezone(dt.UTC)
    utc = stamp.strftime("%Y%m%dT%H%M%SZ")
    sequence = f"SEQUENCE:{min(MAX_SEQUENCE, max(0, int((stamp - SEQUENCE_EPOCH).total_seconds())))}"
    contact_label, command_label = LABELS["contact"].render(lang), LABELS["command"].render(lang)
    alarm_trigger = f"TRIGGER;RELATED=START:{_duration(remind_before)}" if remind_before is not None else ""
    header = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//kam//key-account workflow//{'ZH' if lang == 'zh' else 'EN'}",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:" + escape_text(name),
        "X-WR-TIMEZONE:" + ZONE,
    ]
    yield _lines(header)  # one bytes chunk per event: the file's text is never held twice as str
    seen: set[str] = set()
    for item in items:
        uid = _checked_uid(item.uid, seen)
        if isinstance(item.date, dt.datetime) or not isinstance(item.date, dt.date):
            raise TypeError(f"CalendarItem {uid}: date must be a datetime.date, got {item.date!r}")
        summary = escape_text(item.summary)
        lines = [
            "BEGIN:VEVENT",
            "UID:" + uid,
            "DTSTAMP:" + utc,
            "DTSTART;VALUE=DATE:" + item.date.strftime("%Y%m%d"),
            "DTEND;VALUE=DATE:" + (item.date + dt.timedelta(days=1)).strftime("%Y%m%d"),
            "SUMMARY:" + summary,
        ]
        description = [item.description] if item.description else []
        if item.contact:
            description.append(contact_label + item.contact)
        if item.command:
            description.append(command_label + item.command)
        if description:
            lines.append("DESCRIPTION:" + "\\n".join(map(escape_text, description)))  # each part's own line breaks
        if item.location:
            lines.append("LOCATION:" + escape_text(item.location))
        if item.contact:
            lines.append("CONTACT:" + escape_text(item.contact))
        if item.url:
            lines.append("URL;VALUE=URI:" + _checked_url(item.url, uid))
        if item.categories:
            lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in item.categories))
        lines += ("STATUS:CANCELLED" if item.cancelled else "STATUS:CONFIRMED", "TRANSP:TRANSPARENT", sequence)
        lines.append("LAST-MODIFIED:" + utc)
        if alarm_trigger and not item.cancelled:
            lines += ("BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:" + summary, alarm_trigger, "END:VALARM")
        lines.append("END:VEVENT")
        yield _lines(lines)
    yield b"END:VCALENDAR\r\n"


def _lines(lines: list[str]) -> bytes:
    return b"".join(fold(line) + b"\r\n" for line in lines)


def escape_text(value: str) -> str:
    """A TEXT value as RFC 5545 §3.3.11 writes it: `\\` `;` `,` escaped, every line break as `\\n`.

    Control characters (which TEXT may not hold) and unpaired surrogates are dropped;
    a tab stays.
    """
    if _UNSAFE.search(value):
        value = _UNSAFE.sub("", value)
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> bytes:
    """One content line as UTF-8, folded (CRLF + space) so that no line is over 75 octets (RFC 5545 §3.1).

    Folds fall on character boundaries, never inside a UTF-8 sequence, and never
    between a backslash and the character it escapes. Unfolding (removing each CRLF
    and the space after it) gives the line back exactly.
    """
    data = line.encode()
    if len(data) <= FOLD_OCTETS:
        return data
    parts = []
    start, room = 0, FOLD_OCTETS  # the first line has 75 octets; the others 74 after their space
    while len(data) - start > room:
        cut = start + room
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: back to the start of its character
            cut -= 1
        backslashes = 0
        while cut - 1 - backslashes >= start and data[cut - 1 - backslashes] == 0x5C:
            backslashes += 1
        if backslashes % 2:  # the character at `cut` is escaped: keep its backslash with it
            cut -= 1
        parts.append(data[start:cut])
        start, room = cut, FOLD_OCTETS - 1
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def _duration(before: dt.timedelta) -> str:
    """A negative DURATION (§3.3.6) `before` the start, in whole minutes: -PT15H, -P1DT9H, -PT0S."""
    minutes = int(before.total_seconds()) // 60
    if minutes == 0:
        return "-PT0S"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return "-P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")


def _checked_uid(uid: str, seen: set[str]) -> str:
    if not _TOKEN.fullmatch(uid or ""):
        raise InvalidInput(
            t(
                f"日历事件的 UID {uid!r} 无效：须为不含空格的可见 ASCII 字符，如 12-RV-20270215@kam.3f2a9c1e",
                f"calendar event UID {uid!r} is not valid: use visible ASCII without spaces, "
                "e.g. 12-RV-20270215@kam.3f2a9c1e",
            )
        )
    if uid in seen:
        raise InvalidInput(
            t(
                f"日历中有两个事件的 UID 都是 {uid}：每项须有自己的 UID，否则日历会把它们合成一个",
                f"two calendar events share the UID {uid}: each item needs its own, or calendars merge them into one",
            )
        )
    seen.add(uid)
    return uid


def _checked_url(url: str, uid: str) -> str:
    if not _TOKEN.fullmatch(url) or ":" not in url:
        raise InvalidInput(
            t(
                f"日历事件 {uid} 的链接 {url!r} 无效：须为不含空格的完整网址，如 https://kam.example.com/opp/12",
                f"the URL {url!r} of calendar event {uid} is not valid: give an absolute URI without spaces, "
                "e.g. https://kam.example.com/opp/12",
            )
        )
    return url

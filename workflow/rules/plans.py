"""After the signature: the follow-ups each service plan sets (pure date rules).

The plan of an opportunity is computed from the latest version of its service
plan (`service-plan`), so editing the plan moves its dates; a follow-up recorded
as done is a `FollowUp` row keyed by (opportunity, kind, due date) plus a
history row. For the default horizon the computed plan is also stored, in
`planned_followups` with a done flag (written with each service-plan version,
marked when a follow-up is recorded, rebuilt on import): `kam schedule` then
reads the open follow-ups by date from one index instead of recomputing every
signed deal's plan (10,000 plans: 0.9 s → well under 0.1 s). Other horizons
are computed afresh; a test keeps both ways equal.

What a service plan sets (all counted from its `delivery_date`, up to a horizon
of `months` months, default 12):

- return visits: `forms.kinds.service_plan.return_visit_dates` (every 15 days for
  three months, then monthly);
- training: each `training[].date`;
- business meetings and senior visits: the plan says them in words; a rhythm
  named in the text (每月 / 每季度 / 每半年 / 每年, or monthly / quarterly /
  half-yearly / yearly) gives dates at delivery + n periods, and any ISO date
  written in the text (2027-03-15) is taken as is;
- holiday visits: each holiday the text names (春节, 元旦, 劳动节/五一, 中秋, 国庆,
  or their English names) gives a visit `HOLIDAY_LEAD` days before the holiday
  inside the horizon; ISO dates in the text are taken as is. The lunar holidays
  are looked up in `LUNAR_HOLIDAYS` (2024–2035); outside it they are skipped.

A follow-up is named `<opportunity>-<code>-<yyyymmdd>`, e.g. `12-RV-20270215`.
It is *overdue* when its due date is before today, *due* when it falls between
today and the `--due-before` date. A signed opportunity with no service plan
past the process's `within_days` (14 in the six-step process) is flagged.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from typing import Any, NamedTuple

from forms.visits import add_months, merged_visits, return_visit_dates
from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.rules.process import Process
from workflow.values.writing import as_written

SERVICE_PLAN = "service-plan"
DEFAULT_MONTHS = 12
MAX_MONTHS = 120  # the longest horizon a plan is computed for (`kam schedule --months`)
DEFAULT_WINDOW_DAYS = 7  # `kam schedule` without --due-before: overdue plus the coming week
HOLIDAY_LEAD = 3  # a holiday visit is made a few days before the holiday (节前走访)

# kind -> (code in follow-up ids, label)
KINDS: dict[str, tuple[str, Text]] = {
    "return-visit": ("RV", t("回访", "return visit")),
    "training": ("TR", t("培训", "training")),
    "business-meeting": ("BM", t("业务沟通会", "business meeting")),
    "senior-visit": ("SV", t("中高层互访", "senior visit")),
    "holiday-visit": ("HV", t("节假日走访", "holiday visit")),
}
KIND_BY_CODE = {code: kind for kind, (code, _) in KINDS.items()}

# A rhythm named in free text -> months between occurrences (longest words first).
RHYTHMS: tuple[tuple[str, int], ...] = (
    ("每半年", 6),
    ("半年", 6),
    ("half-year", 6),
    ("semiannual", 6),
    ("semi-annual", 6),
    ("twice a year", 6),
    ("每季度", 3),
    ("每季", 3),
    ("季度", 3),
    ("quarterly", 3),
    ("every quarter", 3),
    ("每月", 1),
    ("每个月", 1),
    ("monthly", 1),
    ("every month", 1),
    ("每年", 12),
    ("yearly", 12),
    ("annually", 12),
    ("every year", 12),
)

# Holidays by name; fixed ones as (month, day), lunar ones from the table below.
FIXED_HOLIDAYS: dict[str, tuple[int, int]] = {"元旦": (1, 1), "劳动节": (5, 1), "五一": (5, 1), "国庆": (10, 1)}
HOLIDAY_ALIASES: dict[str, str] = {
    "new year": "元旦",
    "labour day": "劳动节",
    "labor day": "劳动节",
    "national day": "国庆",
    "spring festival": "春节",
    "chinese new year": "春节",
    "mid-autumn": "中秋",
    "mid autumn": "中秋",
}
LUNAR_HOLIDAYS: dict[str, dict[int, tuple[int, int]]] = {
    "春节": {
        2024: (2, 10),
        2025: (1, 29),
        2026: (2, 17),
        2027: (2, 6),
        2028: (1, 26),
        2029: (2, 13),
        2030: (2, 3),
        2031: (1, 23),
        2032: (2, 11),
        2033: (1, 31),
        2034: (2, 19),
        2035: (2, 8),
    },
    "中秋": {
        2024: (9, 17),
        2025: (10, 6),
        2026: (9, 25),
        2027: (9, 15),
        2028: (10, 3),
        2029: (9, 22),
        2030: (9, 12),
        2031: (10, 1),
        2032: (9, 19),
        2033: (9, 8),
        2034: (9, 27),
        2035: (9, 16),
    },
}
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


class Planned(NamedTuple):
    """One follow-up a service plan sets."""

    kind: str
    due: dt.date
    detail: str = ""  # e.g. the training audience or the holiday


def followup_id(opportunity_id: int, kind: str, due: dt.date) -> str:
    return f"{opportunity_id}-{KINDS[kind][0]}-{due.year:04d}{due.month:02d}{due.day:02d}"


def parse_followup_id(text: str) -> tuple[int, str, dt.date]:
    """`12-RV-20270215` -> (12, "return-visit", 2027-02-15)."""
    match = re.fullmatch(r"\s*(\d+)-([A-Za-z]{2})-(\d{8})\s*", text or "")
    kind = KIND_BY_CODE.get(match.group(2).upper()) if match else None
    try:
        due = dt.datetime.strptime(match.group(3), "%Y%m%d").date() if match else None
    except ValueError:
        due = None
    if match is None or kind is None or due is None:
        raise InvalidInput(
            t(
                f"回访编号「{as_written(text)}」无效：格式为 商机-类型-日期，如 12-RV-20270215；"
                "用 kam schedule 查看编号",
                f"follow-up id “{as_written(text)}” is not valid: it reads opportunity-code-date, e.g. "
                "12-RV-20270215; see kam schedule",
            )
        )
    return int(match.group(1)), kind, due


# -- what a plan sets ---------------------------------------------------------------


# The pieces of a plan are cached: across many opportunities the same delivery dates and the
# same wording ("每季度召开一次业务沟通会") recur, and `kam schedule` computes every signed plan.


@lru_cache(maxsize=2048)
def _iso_dates(text: str) -> tuple[dt.date, ...]:
    out = []
    for y, m, d in ISO_DATE.findall(text):
        try:
            out.append(dt.date(int(y), int(m), int(d)))
        except ValueError:
            continue
    return tuple(out)


@lru_cache(maxsize=2048)
def _rhythm(text: str) -> int | None:
    lowered = text.lower()
    for word, months in RHYTHMS:
        if word in lowered:
            return months
    return None


@lru_cache(maxsize=2048)
def _holidays(text: str) -> tuple[str, ...]:
    lowered = text.lower()
    names = [name for name in (*FIXED_HOLIDAYS, *LUNAR_HOLIDAYS) if name in text]
    names += [name for alias, name in HOLIDAY_ALIASES.items() if alias in lowered]
    return tuple(dict.fromkeys(names))


def _holiday_dates(name: str, start: dt.date, end: dt.date) -> list[dt.date]:
    out = []
    for year in range(start.year, end.year + 2):
        if name in FIXED_HOLIDAYS:
            month, day = FIXED_HOLIDAYS[name]
        elif year in LUNAR_HOLIDAYS[name]:
            month, day = LUNAR_HOLIDAYS[name][year]
        else:
            continue
        visit = dt.date(year, month, day) - dt.timedelta(days=HOLIDAY_LEAD)
        if start < visit <= end:
            out.append(visit)
    return out


@lru_cache(maxsize=8192)
def _visits(delivery: dt.date, months: int) -> dict[tuple[str, dt.date], Planned]:
    """The return visits after `delivery`, keyed by (kind, due). Shared: callers copy, never change it."""
    return {("return-visit", d): Planned("return-visit", d) for d in return_visit_dates(delivery, months)}


def _batch_visits(batches: list[Any], months: int) -> dict[tuple[str, dt.date], Planned]:
    """The return visits of a deal delivered in batches: each batch's, merged (`forms.visits.merged_visits`)."""
    dates = merged_visits((as_date(b["date"]) for b in batches), months)
    return {("return-visit", d): Planned("return-visit", d) for d in dates}


@lru_cache(maxsize=8192)
def _from_text(kind: str, text: str, delivery: dt.date, months: int) -> dict[tuple[str, dt.date], Planned]:
    """What one free-text field (meetings, senior visits, holiday visits) sets, keyed by (kind, due)."""
    items = [Planned(kind, d) for d in _iso_dates(text)]
    if kind == "holiday-visit":
        end = add_months(delivery, months)
        for name in _holidays(text):
            items += [Planned(kind, d, name) for d in _holiday_dates(name, delivery, end)]
    else:
        period = _rhythm(text)
        if period:
            items += [Planned(kind, add_months(delivery, n)) for n in range(period, months + 1, period)]
    return {(p.kind, p.due): p for p in reversed(items)}  # reversed: the first of equal keys wins


TEXT_FIELDS = (
    ("business-meeting", "business_meetings"),
    ("senior-visit", "senior_visits"),
    ("holiday-visit", "holiday_visits"),
)
KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


def plan_items(plan: dict[str, Any], months: int) -> dict[tuple[str, dt.date], Planned]:
    """The plan's follow-ups keyed by (kind, due), unsorted. Keys of different kinds never collide."""
    delivery = as_date(plan["delivery_date"])
    unique: dict[tuple[str, dt.date], Planned] = {}
    for kind, key in TEXT_FIELDS:
        text = plan.get(key)
        if text:
            unique.update(_from_text(kind, text, delivery, months))
    batches = plan.get("deliveries") or []
    unique.update(_batch_visits(batches, months) if batches else _visits(delivery, months))
    for training in plan.get("training") or []:
        due = as_date(training["date"])
        unique[("training", due)] = Planned("training", due, str(training.get("audience") or ""))
    return unique


def plan_followups(plan: dict[str, Any], months: int = DEFAULT_MONTHS) -> list[Planned]:
    """Every follow-up a stored service plan sets, by date (then kind)."""
    return sorted(plan_items(plan, months).values(), key=lambda p: (p.due, KIND_ORDER[p.kind]))


def as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


PLAN_FIELDS = ("delivery_date", "training", *(key for _, key in TEXT_FIELDS), "deliveries")


def check_months(months: int) -> int:
    """A plan horizon within 1..MAX_MONTHS months, else `InvalidInput`."""
    if months < 1 or months > MAX_MONTHS:
        raise InvalidInput(
            t(
                f"回访周期月数须在 1–{MAX_MONTHS} 之间，收到 {months}",
                f"the horizon must be 1-{MAX_MONTHS} months, got {months}",
            )
        )
    return months


def plan_within_days(process: Process) -> int:
    """Days after signing within which the service plan is expected (the signed stage's `expects`)."""
    for expectation in process.signed.expects:
        if expectation.document == SERVICE_PLAN:
            return expectation.within_days
    return 14


def plan_from(values: Any) -> dict[str, Any]:
    return dict(zip(PLAN_FIELDS, json.loads(values) if isinstance(values, str) else values, strict=True))


def readable_items(values: Any, months: int) -> dict[tuple[str, dt.date], Planned]:
    """What a stored service plan's fields set, or nothing when they cannot give dates.

    kam stores only validated plans; a row written outside kam (which `kam audit
    verify` names) must not stop the schedule of every other opportunity.
    """
    try:
        return plan_items(plan_from(values), months)
    except (KeyError, TypeError, ValueError, AttributeError):
        return {}

"""After the signature: the follow-ups each service plan sets, what is due, and recording one as done.

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
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Connection, String, case, cast, delete, false, func, insert, select, update

from forms.visits import add_months, return_visit_dates
from workflow import tables
from workflow.db import as_connection
from workflow.errors import InvalidInput, NotFound
from workflow.i18n import Text, t
from workflow.process import Process
from workflow.tables import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from workflow.models import FollowUp as FollowUpRecord

# Core columns: listing the schedule never loads the ORM (recording a follow-up does).
Account, Document, FollowUp, Opportunity = tables.accounts.c, tables.documents.c, tables.followups.c, tables.opportunities.c

SERVICE_PLAN = "service-plan"
DEFAULT_MONTHS = 12
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
    ("每半年", 6), ("半年", 6), ("half-year", 6), ("semiannual", 6), ("semi-annual", 6), ("twice a year", 6),
    ("每季度", 3), ("每季", 3), ("季度", 3), ("quarterly", 3), ("every quarter", 3),
    ("每月", 1), ("每个月", 1), ("monthly", 1), ("every month", 1),
    ("每年", 12), ("yearly", 12), ("annually", 12), ("every year", 12),
)

# Holidays by name; fixed ones as (month, day), lunar ones from the table below.
FIXED_HOLIDAYS: dict[str, tuple[int, int]] = {"元旦": (1, 1), "劳动节": (5, 1), "五一": (5, 1), "国庆": (10, 1)}
HOLIDAY_ALIASES: dict[str, str] = {
    "new year": "元旦", "labour day": "劳动节", "labor day": "劳动节", "national day": "国庆",
    "spring festival": "春节", "chinese new year": "春节", "mid-autumn": "中秋", "mid autumn": "中秋",
}
LUNAR_HOLIDAYS: dict[str, dict[int, tuple[int, int]]] = {
    "春节": {2024: (2, 10), 2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13),
             2030: (2, 3), 2031: (1, 23), 2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8)},
    "中秋": {2024: (9, 17), 2025: (10, 6), 2026: (9, 25), 2027: (9, 15), 2028: (10, 3), 2029: (9, 22),
             2030: (9, 12), 2031: (10, 1), 2032: (9, 19), 2033: (9, 8), 2034: (9, 27), 2035: (9, 16)},
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
                f"回访编号 {text!r} 无效：格式为 商机-类型-日期，如 12-RV-20270215；用 kam schedule 查看编号",
                f"follow-up id {text!r} is not valid: it reads opportunity-code-date, e.g. 12-RV-20270215; see kam schedule",
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


TEXT_FIELDS = (("business-meeting", "business_meetings"), ("senior-visit", "senior_visits"), ("holiday-visit", "holiday_visits"))
KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


def _plan_items(plan: dict[str, Any], months: int) -> dict[tuple[str, dt.date], Planned]:
    """The plan's follow-ups keyed by (kind, due), unsorted. Keys of different kinds never collide."""
    delivery = _date(plan["delivery_date"])
    unique: dict[tuple[str, dt.date], Planned] = {}
    for kind, key in TEXT_FIELDS:
        text = plan.get(key)
        if text:
            unique.update(_from_text(kind, text, delivery, months))
    unique.update(_visits(delivery, months))
    for training in plan.get("training") or []:
        due = _date(training["date"])
        unique[("training", due)] = Planned("training", due, str(training.get("audience") or ""))
    return unique


def plan_followups(plan: dict[str, Any], months: int = DEFAULT_MONTHS) -> list[Planned]:
    """Every follow-up a stored service plan sets, by date (then kind)."""
    return sorted(_plan_items(plan, months).values(), key=lambda p: (p.due, KIND_ORDER[p.kind]))


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


# -- the schedule across all accounts --------------------------------------------------------


class DueItem(NamedTuple):
    """One follow-up due or overdue (a tuple: the schedule makes tens of thousands)."""

    id: str
    opportunity_id: int
    account: str
    title: str
    owner: str
    kind: str
    due: dt.date
    overdue_days: int  # 0 when not yet overdue
    detail: str = ""

    @property
    def status(self) -> str:
        return "overdue" if self.overdue_days > 0 else "due"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "opportunity_id": self.opportunity_id, "account": self.account, "title": self.title,
            "owner": self.owner, "kind": self.kind, "due": self.due, "status": self.status,
            "overdue_days": self.overdue_days, "detail": self.detail or None,
        }


@dataclass(frozen=True)
class MissingPlan:
    opportunity_id: int
    account: str
    title: str
    owner: str
    signed_at: dt.datetime
    days_since_signing: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "opportunity_id": self.opportunity_id, "account": self.account, "title": self.title, "owner": self.owner,
            "signed_at": self.signed_at, "days_since_signing": self.days_since_signing,
        }


@dataclass(frozen=True)
class Schedule:
    today: dt.date
    due_before: dt.date
    items: list[DueItem]
    missing_plans: list[MissingPlan]

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today,
            "due_before": self.due_before,
            "items": [i.to_dict() for i in self.items],
            "missing_service_plans": [m.to_dict() for m in self.missing_plans],
        }


def plan_within_days(process: Process) -> int:
    """Days after signing within which the service plan is expected (the last stage's `expects`)."""
    for expectation in process.last.expects:
        if expectation.document == SERVICE_PLAN:
            return expectation.within_days
    return 14


def schedule(
    source: Connection | Session,
    process: Process,
    *,
    due_before: dt.date | None = None,
    owner: str | None = None,
    months: int = DEFAULT_MONTHS,
    today: dt.date | None = None,
) -> Schedule:
    """Follow-ups not yet done whose date is before `due_before` (inclusive), across every signed opportunity."""
    if months < 1 or months > 120:
        raise InvalidInput(t(f"回访周期月数须在 1–120 之间，收到 {months}", f"the horizon must be 1-120 months, got {months}"))
    today = today or utcnow().date()
    due_before = due_before or today + dt.timedelta(days=DEFAULT_WINDOW_DAYS)
    connection = as_connection(source)
    if months == DEFAULT_MONTHS:
        items = _open_items(connection, process, due_before, owner, today)  # ordered by the query
    else:
        items = _computed_items(connection, process, due_before, owner, months, today)
        items.sort(key=lambda i: (i.due, i.opportunity_id, KIND_ORDER[i.kind]))
    return Schedule(today, due_before, items, missing_plans(connection, process, owner=owner, today=today))


def _open_items(connection: Connection, process: Process, due_before: dt.date, owner: str | None, today: dt.date) -> list[DueItem]:
    """The default horizon: the stored open follow-ups (`planned_followups`) due by `due_before`, read by date."""
    P = tables.planned_followups.c
    query = (
        select(P.opportunity_id, Account.name, Opportunity.title, Opportunity.owner, P.kind, cast(P.due_date, String), P.detail)
        .join(tables.opportunities, Opportunity.id == P.opportunity_id)
        .join(tables.accounts, Account.id == Opportunity.account_id)
        .where(P.done == false(), P.due_date <= due_before, Opportunity.stage == process.last.id)
        .order_by(P.due_date, P.opportunity_id, case(KIND_ORDER, value=P.kind))  # the schedule's order
    )
    if owner:
        query = query.where(Opportunity.owner == owner)
    fromiso = dt.date.fromisoformat
    items = []
    for opp_id, account, title, opp_owner, kind, due_text, detail in _driver_rows(connection, query):
        due = fromiso(due_text[:10])
        items.append(DueItem(followup_id(opp_id, kind, due), opp_id, account, title, opp_owner, kind, due, max(0, (today - due).days), detail or ""))
    return items


def _computed_items(
    connection: Connection, process: Process, due_before: dt.date, owner: str | None, months: int, today: dt.date
) -> list[DueItem]:
    """Any other horizon: every signed opportunity's latest service plan computed afresh, less what is done."""
    signed = select(Opportunity.id).where(Opportunity.stage == process.last.id)
    if owner:
        signed = signed.where(Opportunity.owner == owner)
    rows = _driver_rows(
        connection,
        _latest_plans(connection, Opportunity.id, Account.name, Opportunity.title, Opportunity.owner, among=signed)
        .join(tables.opportunities, Opportunity.id == Document.opportunity_id)
        .join(tables.accounts, Account.id == Opportunity.account_id),
    )
    done = _done(connection, FollowUp.due_date <= due_before)
    items = []
    for opp_id, account, title, opp_owner, values in rows:
        for planned in _readable_items(values, months).values():
            due = planned.due
            if due > due_before or (opp_id, planned.kind, due) in done:
                continue
            items.append(
                DueItem(followup_id(opp_id, planned.kind, due), opp_id, account, title, opp_owner, planned.kind, due, max(0, (today - due).days), planned.detail)
            )
    return items


def _latest_plans(connection: Connection, *columns: Any, among: Any = None) -> Any:
    """SELECT `columns` and the plan fields of each opportunity's latest service-plan version (`among` some)."""
    latest = select(Document.opportunity_id, func.max(Document.version).label("version")).where(Document.kind == SERVICE_PLAN)
    if among is not None:
        latest = latest.where(Document.opportunity_id.in_(among))
    latest = latest.group_by(Document.opportunity_id).subquery()
    # Only the fields the plan is computed from are read out of the stored JSON, in one array per row.
    return select(*columns, _plan_fields(connection.dialect.name)).select_from(tables.documents).join(
        latest, (Document.opportunity_id == latest.c.opportunity_id) & (Document.kind == SERVICE_PLAN) & (Document.version == latest.c.version)
    )


def _driver_rows(connection: Connection, query: Any) -> list[tuple]:
    """The rows as the driver returns them: no per-row result processing (tens of thousands of rows)."""
    result = connection.execute(query)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _done(connection: Connection, *where: Any) -> set[tuple[int, str, dt.date]]:
    """(opportunity, kind, due) of the recorded follow-ups matching `where`; dates read as ISO text (one C call each)."""
    fromiso = dt.date.fromisoformat
    query = select(FollowUp.opportunity_id, FollowUp.kind, cast(FollowUp.due_date, String)).where(*where)
    return {(o, k, fromiso(d[:10])) for o, k, d in _driver_rows(connection, query)}


def _plan_from(values: Any) -> dict[str, Any]:
    return dict(zip(PLAN_FIELDS, json.loads(values) if isinstance(values, str) else values, strict=True))


# -- the stored plan (planned_followups) ----------------------------------------------------------


def store_plan(connection: Connection, opportunity_id: int, plan: dict[str, Any]) -> int:
    """Rewrite the opportunity's planned follow-ups from its newest service plan; returns how many."""
    done = _done(connection, FollowUp.opportunity_id == opportunity_id)
    connection.execute(delete(tables.planned_followups).where(tables.planned_followups.c.opportunity_id == opportunity_id))
    rows = _planned_rows(opportunity_id, _plan_items(plan, DEFAULT_MONTHS), done)
    if rows:
        connection.execute(insert(tables.planned_followups), rows)
    return len(rows)


def rebuild_plans(connection: Connection) -> int:
    """Every opportunity's planned follow-ups from its latest service plan (after an import); returns how many."""
    connection.execute(delete(tables.planned_followups))
    rows = _expected_plans(connection)
    for start in range(0, len(rows), 5000):
        connection.execute(insert(tables.planned_followups), rows[start : start + 5000])
    return len(rows)


def plan_mismatches(connection: Connection) -> list[int]:
    """Opportunities whose stored plan is not what their latest service plan and recorded follow-ups give."""
    P = tables.planned_followups.c

    def key(row: Any) -> tuple:
        return (row["opportunity_id"], row["kind"], _date(row["due_date"]), row["detail"] or "", bool(row["done"]))

    expected = {key(row) for row in _expected_plans(connection)}
    stored = {key(row) for row in connection.execute(select(P.opportunity_id, P.kind, P.due_date, P.detail, P.done)).mappings()}
    return sorted({k[0] for k in expected ^ stored})


def _expected_plans(connection: Connection) -> list[dict[str, Any]]:
    """The planned_followups rows every latest service plan and the recorded follow-ups give."""
    plans = _driver_rows(connection, _latest_plans(connection, Document.opportunity_id))
    done = _done(connection)
    return [row for opp_id, values in plans for row in _planned_rows(opp_id, _readable_items(values, DEFAULT_MONTHS), done)]


def _readable_items(values: Any, months: int) -> dict[tuple[str, dt.date], Planned]:
    """What a stored service plan's fields set, or nothing when they cannot give dates.

    kam stores only validated plans; a row written outside kam (which `kam audit
    verify` names) must not stop the schedule of every other opportunity.
    """
    try:
        return _plan_items(_plan_from(values), months)
    except (KeyError, TypeError, ValueError, AttributeError):
        return {}


def _planned_rows(opportunity_id: int, items: dict[tuple[str, dt.date], Planned], done: set[tuple[int, str, dt.date]]) -> list[dict[str, Any]]:
    return [
        {"opportunity_id": opportunity_id, "kind": p.kind, "due_date": p.due, "detail": p.detail, "done": (opportunity_id, p.kind, p.due) in done}
        for p in items.values()
    ]


PLAN_FIELDS = ("delivery_date", "training", *(key for _, key in TEXT_FIELDS))


def _plan_fields(dialect: str) -> Any:
    """The fields a schedule is computed from, as one JSON array per service plan."""
    if dialect == "sqlite":
        # json_extract with several paths parses the document once and returns an array of the values
        return func.json_extract(Document.data, *(f"$.{key}" for key in PLAN_FIELDS))
    return func.json_build_array(*(Document.data[key] for key in PLAN_FIELDS))


def missing_plans(source: Connection | Session, process: Process, *, owner: str | None = None, today: dt.date | None = None) -> list[MissingPlan]:
    """Signed opportunities still without a service plan past the expected number of days."""
    today = today or utcnow().date()
    days = plan_within_days(process)
    cutoff = dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min)  # more than `days` whole days ago
    has_plan = select(Document.opportunity_id).where(Document.kind == SERVICE_PLAN)
    query = (
        select(Opportunity.id, Account.name, Opportunity.title, Opportunity.owner, Opportunity.signed_at)
        .join(tables.accounts, Account.id == Opportunity.account_id)
        .where(Opportunity.stage == process.last.id, Opportunity.signed_at < cutoff, Opportunity.id.not_in(has_plan))
        .order_by(Opportunity.signed_at, Opportunity.id)
    )
    if owner:
        query = query.where(Opportunity.owner == owner)
    return [MissingPlan(i, a, ti, o, s, (today - s.date()).days) for i, a, ti, o, s in as_connection(source).execute(query)]


# -- recording a follow-up ------------------------------------------------------------------


def record_followup(
    session: Session,
    process: Process,
    followup: str,
    done_on: dt.date,
    *,
    actor: str,
    note: str | None = None,
    found: str | None = None,
    months: int = DEFAULT_MONTHS,
    today: dt.date | None = None,
) -> FollowUpRecord:
    """Record a planned follow-up as done on `done_on`, with a note and what was found."""
    from workflow import history
    from workflow.engine import _text, get_opportunity
    from workflow.models import FollowUp as FollowUpRecord

    opp_id, kind, due = parse_followup_id(followup)
    today = today or utcnow().date()
    if done_on > today:
        raise InvalidInput(t(f"完成日期 {done_on} 晚于今天，不能预先登记", f"the date done {done_on} is after today; record a follow-up once it has happened"))
    note, found = _text("note", note), _text("found", found)
    opp = get_opportunity(session, opp_id, for_update=True)
    plan = session.scalar(
        select(Document.data).where(Document.opportunity_id == opp_id, Document.kind == SERVICE_PLAN).order_by(Document.version.desc()).limit(1)
    )
    if opp.stage != process.last.id or plan is None:
        raise NotFound(
            t(
                f"商机 {opp_id} 没有服务计划，无回访安排：签约后用 kam doc fill {opp_id} service-plan 填写",
                f"opportunity {opp_id} has no service plan, so nothing is scheduled: fill one with kam doc fill {opp_id} service-plan once signed",
            )
        )
    if not any(p.kind == kind and p.due == due for p in plan_followups(plan, months)):
        raise NotFound(
            t(
                f"商机 {opp_id} 的服务计划中没有 {due} 的{KINDS[kind][1].zh}：用 kam schedule 查看编号",
                f"opportunity {opp_id}'s service plan has no {KINDS[kind][1].en} on {due}: see kam schedule for the ids",
            )
        )
    existing = session.scalar(
        select(FollowUpRecord).where(FollowUp.opportunity_id == opp_id, FollowUp.kind == kind, FollowUp.due_date == due)
    )
    if existing is not None:
        raise InvalidInput(
            t(
                f"{followup} 已于 {existing.done_on} 由 {existing.actor} 登记完成",
                f"{followup} was already recorded as done on {existing.done_on} by {existing.actor}",
            )
        )
    now = utcnow()
    record = FollowUpRecord(opportunity_id=opp_id, kind=kind, due_date=due, done_on=done_on, note=note, found=found, actor=actor, created_at=now)
    session.add(record)
    session.connection().execute(
        update(tables.planned_followups)
        .where(tables.planned_followups.c.opportunity_id == opp_id, tables.planned_followups.c.kind == kind, tables.planned_followups.c.due_date == due)
        .values(done=True)
    )
    detail = {"id": followup_id(opp_id, kind, due), "kind": kind, "due": due.isoformat(), "done_on": done_on.isoformat()}
    detail.update({k: v for k, v in (("note", note), ("found", found)) if v})
    history.append(session, opp_id, actor=actor, action="followup", at=now, detail=detail)
    session.flush()
    return record

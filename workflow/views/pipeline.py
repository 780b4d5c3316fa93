"""The pipeline at a glance: every figure is a SQL aggregate, so 100,000 opportunities take well under a second.

Definitions (what the report's columns mean):

- count / vehicles: opportunities now in the stage, and the sum of their quantity;
- amount: Σ of the opportunities' amounts in 元 (`opportunities.amount`: the contract
  total once signed, else the negotiated, proposed or budgeted amount);
- forecast (weighted): for open stages, Σ quantity × heat (成交热度, %), in vehicles, and
  forecast_amount, Σ amount × heat in 元; an opportunity not yet rated counts at its stage's
  `default_heat` (the process file; 0 without one) and is listed as unrated. Signed stages (the signed one and any
  after it) and lost have no forecast (signed vehicles are won: see `vehicles`);
- money of the signed deals (totals): signed_amount (Σ their amounts), received, outstanding and
  overdue (outstanding on milestones past due), from `receivables`;
- average days in stage: from `stage_entered_at` to now;
- conversion from stage i to i+1: of the opportunities that reached stage i, the
  share that reached i+1. "Reached" is read from where each opportunity is now —
  at or past the stage, or lost from a stage at or past it — so an opportunity
  sent back by `revert` counts where it is now;
- stalled: open (before the signed stage, not lost) opportunities whose last history row is older
  than `stalled_days` (default 30): `last_activity_at`, kept by the history appender.
  All of them are counted; the longest idle `stalled_limit` (default 50, 0 = all)
  are listed with their details;
- lost reasons: count and vehicles per reason;
- overdue (超期): opportunities in a stage with a deadline (`expected_days` in the
  process) that entered it longer ago than that and are not on hold
  (`rules.deadlines`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from sqlalchemy import Connection, Float, and_, case, cast, false, func, or_, select

from forms.choices import LOST_REASON
from reports import DocumentContext
from reports.context import Letterhead
from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.records.db import as_connection
from workflow.records.tables import accounts, opportunities, receivables, utcnow
from workflow.rules.deadlines import overdue_cutoffs
from workflow.rules.process import LOST, Process

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Opportunity = opportunities.c  # Core columns: the report never loads the ORM

DEFAULT_STALLED_DAYS = 30
DEFAULT_STALLED_LIMIT = 50


@dataclass
class StageFigures:
    stage: str
    label: str
    count: int = 0
    vehicles: int = 0
    forecast: float | None = None
    avg_days: float | None = None
    on_hold: int = 0
    overdue: int = 0  # past the stage's deadline (expected_days), not on hold
    amount: float = 0.0  # Σ amount in 元
    forecast_amount: float | None = None  # Σ amount × heat (the stage's default_heat when unrated), in 元
    unrated: int = 0  # open deals without a heat rating: forecast at the stage's default_heat


@dataclass
class Conversion:
    from_stage: str
    to_stage: str
    reached_from: int
    reached_to: int

    @property
    def rate(self) -> float | None:
        return round(self.reached_to / self.reached_from, 4) if self.reached_from else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.from_stage,
            "to": self.to_stage,
            "reached_from": self.reached_from,
            "reached_to": self.reached_to,
            "rate": self.rate,
        }


@dataclass
class Stalled:
    id: int
    account: str
    title: str
    owner: str
    stage: str
    last_activity: dt.datetime
    idle_days: int
    on_hold: bool


@dataclass
class Amending:
    """A signed deal whose amendment (合同变更) is under review: 变更审核中 until compliance passes again."""

    id: int
    title: str
    owner: str
    stage: str
    since: dt.datetime


@dataclass
class Unrated:
    """An open deal nobody has rated yet: the report names it, forecast at its stage's default heat."""

    id: int
    title: str
    owner: str
    stage: str
    default_heat: int


@dataclass
class Section:
    """The figures of one group of opportunities (everyone's, or one owner's)."""

    stages: list[StageFigures]
    conversion: list[Conversion]
    lost_reasons: list[dict[str, Any]]
    stalled: list[Stalled]
    stalled_count: int = 0
    amending: list[Amending] = field(default_factory=list)
    money: dict[str, float] = field(default_factory=dict)  # signed_amount, received, outstanding, overdue
    unrated: list[Unrated] = field(default_factory=list)  # open deals not yet rated (up to the limit)

    @property
    def totals(self) -> dict[str, Any]:
        open_rows = [s for s in self.stages if s.forecast is not None]
        return {
            "count": sum(s.count for s in self.stages),
            "open": sum(s.count for s in open_rows),
            "open_vehicles": sum(s.vehicles for s in open_rows),
            "forecast": round(sum(s.forecast or 0 for s in open_rows), 2),
            "signed": sum(s.count for s in self.stages if s.forecast is None and s.stage != LOST),
            "lost": next((s.count for s in self.stages if s.stage == LOST), 0),
            "stalled": self.stalled_count,
            "overdue": sum(s.overdue for s in self.stages),
            "amending": len(self.amending),
            "open_amount": round(sum(s.amount for s in open_rows), 2),
            "forecast_amount": round(sum(s.forecast_amount or 0 for s in open_rows), 2),
            "unrated": sum(s.unrated for s in self.stages),
            "signed_amount": self.money.get("signed_amount", 0.0),
            "received": self.money.get("received", 0.0),
            "outstanding": self.money.get("outstanding", 0.0),
            "overdue_amount": self.money.get("overdue", 0.0),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "stages": [asdict(s) for s in self.stages],
            "totals": self.totals,
            "conversion": [c.to_dict() for c in self.conversion],
            "lost_reasons": self.lost_reasons,
            "stalled": [asdict(s) for s in self.stalled],  # the longest idle, up to the limit
            "amending": [asdict(a) for a in self.amending],  # signed deals with an amendment under review
            "unrated": [asdict(u) for u in self.unrated],  # open deals forecast at their stage's default heat
        }


@dataclass
class PipelineReport:
    as_of: dt.datetime
    stalled_days: int
    everyone: Section
    owners: dict[str, Section] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {"as_of": self.as_of, "stalled_days": self.stalled_days, **self.everyone.to_dict()}
        if self.owners:
            out["owners"] = {name: section.to_dict() for name, section in self.owners.items()}
        return out


def _epoch_days(connection: Connection, column: Any) -> Any:
    """Days since 1970-01-01 of a stored (naive UTC) datetime, in SQL."""
    if connection.dialect.name == "sqlite":
        return func.julianday(column) - 2440587.5
    return func.extract("epoch", column) / 86400.0


def pipeline(
    source: Connection | Session,
    process: Process,
    *,
    by_owner: bool = False,
    owner: str | None = None,
    stalled_days: int = DEFAULT_STALLED_DAYS,
    stalled_limit: int = DEFAULT_STALLED_LIMIT,
    now: dt.datetime | None = None,
    lang: str = "zh",
) -> PipelineReport:
    """Per-stage counts, vehicles, weighted forecast, days in stage, conversion, stalled and lost reasons."""
    if stalled_days < 1:
        raise InvalidInput(
            t(
                f"停滞天数须为正整数，收到 {stalled_days}",
                f"--stalled-days must be a positive number, got {stalled_days}",
            )
        )
    connection = as_connection(source)
    now = now or utcnow()
    now_days = (now - dt.datetime(1970, 1, 1)).total_seconds() / 86400
    # Grouping by owner adds the owner as the first key; otherwise the key is a constant "" added in Python
    # (a bound literal in GROUP BY is not portable).
    who = [Opportunity.owner] if by_owner else []
    scope = [Opportunity.owner == owner] if owner else []
    heat = _heat(process)
    amount = cast(func.coalesce(Opportunity.amount, 0), Float)
    rows = connection.execute(
        select(
            *who,
            Opportunity.stage,
            Opportunity.lost_from,
            func.count(),
            func.coalesce(func.sum(Opportunity.quantity), 0),
            func.coalesce(func.sum(cast(func.coalesce(Opportunity.quantity, 0) * heat, Float)), 0.0),
            func.avg(_epoch_days(connection, Opportunity.stage_entered_at)),
            func.sum(case((Opportunity.on_hold, 1), else_=0)),
            func.coalesce(func.sum(amount), 0.0),
            func.coalesce(func.sum(amount * heat), 0.0),
            func.sum(case((Opportunity.heat.is_(None), 1), else_=0)),
        )
        .where(*scope)
        .group_by(*who, Opportunity.stage, Opportunity.lost_from)
    ).all()
    lost_rows = connection.execute(
        select(*who, Opportunity.lost_reason, func.count(), func.coalesce(func.sum(Opportunity.quantity), 0))
        .where(Opportunity.stage == LOST, *scope)
        .group_by(*who, Opportunity.lost_reason)
    ).all()
    if not by_owner:
        rows = [("", *r) for r in rows]
        lost_rows = [("", *r) for r in lost_rows]
    overdue_rows = _overdue(connection, process, now.date(), who, scope)
    if not by_owner:
        overdue_rows = [("", *r) for r in overdue_rows]
    overdue_by: dict[str, dict[str, int]] = {}
    everyone_overdue: dict[str, int] = {}
    for key, stage, count in overdue_rows:
        overdue_by.setdefault(key, {})[stage] = count
        everyone_overdue[stage] = everyone_overdue.get(stage, 0) + count
    money = _money(connection, process, now.date(), who, scope)
    unrated = _unrated(connection, process, scope, stalled_limit)
    counts, listed_ids = _stalled(connection, process, now, stalled_days, stalled_limit, scope, by_owner)
    amending = _amending(connection, process, scope)
    details = _details(connection, {i for ids in listed_ids.values() for i in ids}, now)

    groups: dict[str, list[Any]] = {}
    for row in rows:
        groups.setdefault(row[0], []).append(row[1:])
    lost_by: dict[str, list[Any]] = {}
    for row in lost_rows:
        lost_by.setdefault(row[0], []).append(row[1:])

    def listed(key: str | None) -> list[Stalled]:
        return [details[i] for i in listed_ids.get(key, [])]

    def section(key: str) -> Section:
        part = _section(
            process,
            groups.get(key, []),
            lost_by.get(key, []),
            listed(key),
            counts.get(key, 0),
            now_days,
            lang,
            overdue_by.get(key, {}),
        )
        part.money = money.get(key, {})
        part.unrated = [u for u in unrated if u.owner == key]
        return part

    everyone = _section(
        process,
        [r[1:] for r in rows],
        [r[1:] for r in lost_rows],
        listed(EVERYONE),
        counts.get(EVERYONE, 0),
        now_days,
        lang,
        everyone_overdue,
    )
    everyone.amending = amending
    everyone.money = _summed(money.values()) if by_owner else money.get("", {})
    everyone.unrated = unrated
    names = sorted(name for name in set(groups) | set(counts) if name is not EVERYONE)
    owners = {name: section(name) for name in names} if by_owner else {}
    for name, part in owners.items():
        part.amending = [a for a in amending if a.owner == name]
    return PipelineReport(now, stalled_days, everyone, owners)


def _section(
    process: Process,
    rows: list[Any],
    lost_rows: list[Any],
    stalled: list[Stalled],
    stalled_count: int,
    now_days: float,
    lang: str,
    overdue: dict[str, int] | None = None,
) -> Section:
    order = process.order
    figures = {
        s.id: StageFigures(s.id, s.name(lang), forecast=0.0 if process.is_open(s.id) else None) for s in process.stages
    }
    figures[LOST] = StageFigures(LOST, process.stage_label(LOST, lang))
    day_sums: dict[str, float] = {}
    reached_counts = [0] * len(process.stages)
    for stage, lost_from, count, vehicles, weighted, avg_epoch_days, on_hold, amount, weighted_amount, unrated in rows:
        f = figures.get(stage)
        if f is None:  # a stage no longer in the process: left out, as in `opp list`
            continue
        f.count += count
        f.vehicles += int(vehicles)
        f.on_hold += int(on_hold or 0)
        f.amount += float(amount)
        if f.forecast is not None:
            f.forecast += float(weighted) / 100
            f.forecast_amount = (f.forecast_amount or 0.0) + float(weighted_amount) / 100
            f.unrated += int(unrated or 0)
        day_sums[stage] = day_sums.get(stage, 0.0) + (now_days - float(avg_epoch_days)) * count
        position = order.get(lost_from if stage == LOST else stage)
        if position is not None:
            for i in range(position + 1):
                reached_counts[i] += count
    for stage, count in (overdue or {}).items():
        if stage in figures:
            figures[stage].overdue = count
    for stage, total in day_sums.items():
        f = figures[stage]
        f.avg_days = round(total / f.count, 1) if f.count else None
        if f.forecast is not None:
            f.forecast = round(f.forecast, 2)
    for f in figures.values():
        f.amount = round(f.amount, 2)
        if f.forecast is not None:
            f.forecast_amount = round(f.forecast_amount or 0.0, 2)
    conversion = [
        Conversion(a.id, b.id, reached_counts[i], reached_counts[i + 1])
        for i, (a, b) in enumerate(zip(process.stages, process.stages[1:], strict=False))
    ]
    lost_reasons = sorted(
        ({"reason": reason, "count": count, "vehicles": int(vehicles)} for reason, count, vehicles in lost_rows),
        key=lambda r: (-r["count"], r["reason"] or ""),
    )
    return Section(list(figures.values()), conversion, lost_reasons, stalled, stalled_count)


def _overdue(connection: Connection, process: Process, today: dt.date, who: list[Any], scope: list[Any]) -> list[Any]:
    """(owner?, stage, count) of the opportunities past their stage's deadline, not on hold (one grouped query)."""
    cutoffs = overdue_cutoffs(process, today)
    if not cutoffs:
        return []
    late = or_(*(and_(Opportunity.stage == stage, Opportunity.stage_entered_at < at) for stage, at in cutoffs.items()))
    return list(
        connection.execute(
            select(*who, Opportunity.stage, func.count())
            .where(late, Opportunity.on_hold == false(), *scope)
            .group_by(*who, Opportunity.stage)
        ).all()
    )


def _amending(connection: Connection, process: Process, scope: list[Any]) -> list[Amending]:
    """The signed deals with an amendment under review, oldest amendment first (only signed stages are read)."""
    rows = connection.execute(
        select(Opportunity.id, Opportunity.title, Opportunity.owner, Opportunity.stage, Opportunity.amending_since)
        .where(
            Opportunity.stage.in_(process.signed_stages),
            Opportunity.amending_since.is_not(None),
            Opportunity.signed_at.is_not(None),
            *scope,
        )
        .order_by(Opportunity.amending_since, Opportunity.id)
    )
    return [Amending(*row) for row in rows]
def _heat(process: Process) -> Any:
    """The heat a deal is forecast at, in SQL: its rating, else its stage's `default_heat` (0 without one)."""
    defaults = {s.id: s.default_heat for s in process.stages if s.default_heat}
    fallback = case(defaults, value=Opportunity.stage, else_=0) if defaults else 0
    return func.coalesce(Opportunity.heat, fallback)


def _money(
    connection: Connection, process: Process, today: dt.date, who: list[Any], scope: list[Any]
) -> dict[str, dict[str, float]]:
    """{owner or "": signed_amount, received, outstanding, overdue} of the signed deals (two grouped queries)."""
    signed = Opportunity.stage.in_(process.signed_stages)
    out: dict[str, dict[str, float]] = {}

    def key(row: Any) -> str:
        return row[0] if who else ""

    amounts = connection.execute(
        select(*who, func.coalesce(func.sum(Opportunity.amount), 0)).where(signed, *scope).group_by(*who)
    ).all()
    for row in amounts:
        out.setdefault(key(row), {})["signed_amount"] = float(row[-1])
    R = receivables.c
    late = and_(R.due < today, R.received < R.amount)
    owed = connection.execute(
        select(
            *who,
            func.coalesce(func.sum(R.received), 0),
            func.coalesce(func.sum(R.amount - R.received), 0),
            func.coalesce(func.sum(case((late, R.amount - R.received), else_=0)), 0),
        )
        .join(opportunities, Opportunity.id == R.opportunity_id)
        .where(signed, *scope)
        .group_by(*who)
    ).all()
    for row in owed:
        figures = out.setdefault(key(row), {})
        figures.update(received=float(row[-3]), outstanding=float(row[-2]), overdue=float(row[-1]))
    for figures in out.values():
        for name in ("signed_amount", "received", "outstanding", "overdue"):
            figures[name] = round(figures.get(name, 0.0), 2)
    return out


def _summed(parts: Any) -> dict[str, float]:
    total: dict[str, float] = {}
    for part in parts:
        for name, value in part.items():
            total[name] = round(total.get(name, 0.0) + value, 2)
    return total


def _unrated(connection: Connection, process: Process, scope: list[Any], limit: int) -> list[Unrated]:
    """The open deals not yet rated (up to `limit`, 0 = all), longest in their stage first."""
    defaults = {s.id: s.default_heat or 0 for s in process.stages}
    query = (
        select(Opportunity.id, Opportunity.title, Opportunity.owner, Opportunity.stage)
        .where(
            Opportunity.heat.is_(None),
            Opportunity.stage.in_([s.id for s in process.stages if process.is_open(s.id)]),
            *scope,
        )
        .order_by(Opportunity.stage_entered_at, Opportunity.id)
    )
    if limit:
        query = query.limit(limit)
    rows = connection.execute(query)
    return [Unrated(i, title, owner, stage, defaults.get(stage, 0)) for i, title, owner, stage in rows]


EVERYONE = None  # the key of everyone's figures in `_stalled`'s results (owners are keyed by name)


def _stalled(
    connection: Connection, process: Process, now: dt.datetime, days: int, limit: int, scope: list[Any], by_owner: bool
) -> tuple[dict[str | None, int], dict[str | None, list[int]]]:
    """How many open opportunities are stalled, and the ids of the longest idle (up to `limit`, 0 = all).

    Both read ix_opportunities_activity (stage, last_activity_at, owner) alone: the
    counts are one range scan per open stage, the list the first rows of the scan in idle order.
    Keyed by `EVERYONE`, and by owner with `by_owner`.
    """
    cutoff = now - dt.timedelta(days=days)
    where = [
        Opportunity.stage.in_([s.id for s in process.stages if process.is_open(s.id)]),
        Opportunity.last_activity_at < cutoff,
        *scope,
    ]
    counts: dict[str | None, int] = {}
    if by_owner:
        counts.update(
            connection.execute(select(Opportunity.owner, func.count()).where(*where).group_by(Opportunity.owner)).all()
        )
    counts[EVERYONE] = connection.execute(select(func.count()).select_from(opportunities).where(*where)).scalar() or 0
    oldest_first = (
        select(Opportunity.id, Opportunity.owner).where(*where).order_by(Opportunity.last_activity_at, Opportunity.id)
    )
    if not by_owner or not limit:
        listed: dict[str | None, list[int]] = {EVERYONE: []}
        for opp_id, owner in connection.execute(oldest_first.limit(limit or None)):
            listed[EVERYONE].append(opp_id)
            if by_owner:  # every stalled opportunity is listed (limit 0): split them by owner
                listed.setdefault(owner, []).append(opp_id)
        return counts, listed
    # Each owner's longest idle: read in idle order until every owner has `limit` (or all of theirs).
    wanted = {owner: min(limit, count) for owner, count in counts.items() if owner is not EVERYONE}
    listed = {EVERYONE: [], **{owner: [] for owner in wanted}}
    short = sum(1 for owner, n in wanted.items() if n)
    result = connection.execute(oldest_first)
    try:
        while short:
            chunk = result.fetchmany(1000)
            if not chunk:
                break
            for opp_id, owner in chunk:
                if len(listed[EVERYONE]) < limit:
                    listed[EVERYONE].append(opp_id)
                mine = listed[owner]
                if len(mine) < wanted[owner]:
                    mine.append(opp_id)
                    if len(mine) == wanted[owner]:
                        short -= 1
    finally:
        result.close()
    return counts, listed


def _details(connection: Connection, ids: set[int], now: dt.datetime) -> dict[int, Stalled]:
    """What the report lists about the stalled opportunities it shows."""
    out: dict[int, Stalled] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = connection.execute(
            select(
                Opportunity.id,
                accounts.c.name,
                Opportunity.title,
                Opportunity.owner,
                Opportunity.stage,
                Opportunity.last_activity_at,
                Opportunity.on_hold,
            )
            .join(accounts, accounts.c.id == Opportunity.account_id)
            .where(Opportunity.id.in_(chunk))
        )
        out.update({i: Stalled(i, a, ti, o, st, at, (now - at).days, bool(h)) for i, a, ti, o, st, at, h in rows})
    return out


# -- the funnel chart ----------------------------------------------------------------------------

FUNNEL_WIDTH = 640
FUNNEL_ROW = 34
FUNNEL_FONT_PX = 11  # the font-size the funnel is drawn in


def _label_px(text: str) -> float:
    """Width of `text` at 11 px in Noto Sans CJK: a wide (CJK) character is 1 em, any other ~0.56 em."""
    return sum(FUNNEL_FONT_PX if unicodedata.east_asian_width(c) in "WF" else 0.56 * FUNNEL_FONT_PX for c in text)


def funnel_svg(section: Section, lang: str = "zh") -> str:
    """The stages as a centred funnel (SVG text): each bar's width is the number that reached the stage.

    Drawn from the figures themselves (no screenshot); labels are escaped, so a
    company's own stage names are safe to embed.
    """
    stages = [s for s in section.stages if s.stage != LOST]
    reached = [c.reached_from for c in section.conversion] + (
        [section.conversion[-1].reached_to] if section.conversion else [s.count for s in stages][-1:]
    )
    top = max(reached + [1])
    # The label column fits the longest stage name (English ones run to 35 characters, 200 px): a fixed
    # 190 px let the SVG viewport cut "Technical exchange and confirmation" to "echnical ...".
    note_w = 150
    longest = max((_label_px(s.label) for s in stages), default=0)
    label_w = min(FUNNEL_WIDTH - note_w - 160, max(120, round(longest + 16)))
    bar_w = FUNNEL_WIDTH - label_w - note_w
    height = FUNNEL_ROW * len(stages) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{FUNNEL_WIDTH}" height="{height}" '
        f'viewBox="0 0 {FUNNEL_WIDTH} {height}" '
        'font-family="Noto Sans CJK SC, Noto Sans CJK, sans-serif" font-size="11">'
    ]
    rate_word = "转化" if lang == "zh" else "conv."
    now_word = "当前" if lang == "zh" else "now"
    for i, (stage, count) in enumerate(zip(stages, reached, strict=False)):
        y = 4 + i * FUNNEL_ROW
        width = max(2.0, bar_w * count / top)
        x = label_w + (bar_w - width) / 2
        shade = 90 - i * 7  # darker further down the funnel
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" fill="#1a1a1a">{escape(stage.label)}</text>'
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{FUNNEL_ROW - 6}" rx="2" '
            f'fill="hsl(212, 45%, {shade}%)" stroke="#1f3a5f" stroke-width="0.6"/>'
        )
        parts.append(
            f'<text x="{label_w + bar_w / 2:.1f}" y="{y + 19}" text-anchor="middle" '
            f'fill="{"#ffffff" if shade < 60 else "#1a1a1a"}">{count}</text>'
        )
        note = f"{now_word} {stage.count}"
        if i > 0 and section.conversion[i - 1].rate is not None:
            note += f" · {rate_word} {section.conversion[i - 1].rate:.0%}"
        parts.append(f'<text x="{label_w + bar_w + 10}" y="{y + 19}" fill="#555555">{escape(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)


# -- the report as a PDF ------------------------------------------------------------------------

PDF_STALLED_SHOWN = 40

HEADINGS: dict[str, tuple[str, str]] = {
    "title": ("销售漏斗报告", "Pipeline report"),
    "open": ("在途商机", "Open opportunities"),
    "open_vehicles": ("在途车辆", "Open vehicles"),
    "forecast": ("加权预测（台）", "Weighted forecast (vehicles)"),
    # the by-owner table: 12 columns of ~15 mm, so the terminal table's short headers
    "open_vehicles_short": ("在途", "Open veh."),
    "forecast_short": ("预测", "Forecast"),
    "signed_lost": ("已签约 / 已丢单", "Signed / lost"),
    "stalled": ("停滞", "Stalled"),
    "scope": ("范围", "Scope"),
    "as_of": ("统计截至", "As of"),
    "made_by": ("生成人", "Made by"),
    "stalled_rule": ("停滞标准", "Stalled means"),
    "funnel": ("漏斗", "Funnel"),
    "by_stage": ("按阶段", "By stage"),
    "stage": ("阶段", "Stage"),
    "count": ("商机", "Opps"),
    "vehicles": ("车辆", "Vehicles"),
    "avg_days": ("平均停留天数", "Avg days in stage"),
    "on_hold": ("暂停", "On hold"),
    "forecast_note": (
        "加权预测 = Σ 数量 × 成交热度（未评估的商机按阶段默认热度 default_heat）；已签约与已丢单不计入预测。"
        "漏斗宽度为到达该阶段的商机数。",
        "Weighted forecast = Σ quantity × deal heat (an unrated opportunity at its stage's default_heat); "
        "signed and lost are not forecast. "
        "Funnel width is the number that reached each stage.",
    ),
    "conversion": ("阶段转化", "Conversion between stages"),
    "from": ("从", "From"),
    "to": ("到", "To"),
    "reached": ("到达", "Reached"),
    "moved_on": ("进入下一步", "Moved on"),
    "rate": ("转化率", "Rate"),
    "lost_reasons": ("丢单原因", "Lost reasons"),
    "reason": ("原因", "Reason"),
    "by_owner": ("按负责人", "By owner"),
    "owner": ("负责人", "Owner"),
    "lost": ("丢单", "Lost"),
    "steps_note": ("列为阶段编号（见 kam workflow show）。", "Columns are step numbers (see kam workflow show)."),
    "stalled_title": ("停滞商机", "Stalled opportunities"),
    "opp": ("商机", "Opp"),
    "account": ("客户", "Account"),
    "title_col": ("项目", "Title"),
    "last_activity": ("最后动态", "Last activity"),
    "idle_days": ("停滞天数", "Idle days"),
    "more": (
        "另有 {} 个未列出（kam --json report pipeline --stalled-limit 0 列出全部）。",
        "{} more not listed (kam --json report pipeline --stalled-limit 0 lists all).",
    ),
    "everyone": ("全部负责人", "all owners"),
}


def pipeline_pdf(
    report: PipelineReport,
    process: Process,
    *,
    lang: str,
    owner: str | None,
    actor: str,
    as_of: str,
    company: Letterhead | None = None,
) -> bytes:
    """The report in the shared A4 layout, with a funnel chart drawn from the figures (`as_of`: the time as shown).

    An internal document, on the company's letterhead (`views.documents.letterhead`; the built-in one without).
    """
    from markupsafe import Markup  # with Jinja2 and the PDF layer: only when a PDF is asked for

    from reports import render_report_pdf
    from reports.pdf import REPORT_MAX_PAGES

    T = {key: pair[0 if lang == "zh" else 1] for key, pair in HEADINGS.items()}
    title = T["title"]
    T["title"] = T["title_col"]  # in the template, T.title heads the stalled table's title column
    T["stalled_title"] += t(
        f"（{report.stalled_days} 天无动态）", f" ({report.stalled_days} days without history)"
    ).render(lang)
    T["stalled_days_text"] = t(f"{report.stalled_days} 天无动态", f"no history for {report.stalled_days} days").render(
        lang
    )
    ctx = DocumentContext(
        opportunity_id="—",
        customer=t("全部客户", "all accounts").render(lang),
        version=1,
        created_at=report.as_of,
        owner=owner or T["everyone"],
        author=actor,
        opportunity_title=as_of,
        company=company or Letterhead(),
    )
    context = {
        "title": title,
        "r": report.to_dict(),
        "funnel": Markup(funnel_svg(report.everyone, lang)),
        "T": T,
        "stage": lambda sid: process.stage_label(sid, lang),
        "reason": lambda r: LOST_REASON.label(r, lang),
        "steps": [(s.step, s.id) for s in process.stages],
        "scope": owner or T["everyone"],
        "as_of": as_of,
        "stalled_shown": PDF_STALLED_SHOWN,
    }
    return render_report_pdf("pipeline.html", context, ctx, lang, max_pages=REPORT_MAX_PAGES)

"""A person's day (`kam agenda`) and the reviewers' queue (`kam review pending`): derived, never typed twice.

The agenda of one owner lists, most urgent first (the earliest due date, so the
longest overdue, first), everything due within `days` days and everything
overdue, each item with the command that does it:

- ``requirement``: each unmet requirement of an open deal's next step, the same
  list as `kam opp check` (the requirement table evaluated by
  `rules.requirements.evaluate` over the same facts, loaded here for many deals
  at once), due at the requirement's `within_days` or the stage's deadline
  (`rules.deadlines`). A deal on hold is paused and a stage without a deadline
  puts nothing on the agenda (its next step is still in `kam opp check`);
- ``followup``: the follow-ups due or overdue after signing (the schedule's own
  list, `views.schedule.open_items`), with the customer contact to call (the
  account's contact with a phone, most influential first) and the service
  station of the latest service plan;
- ``service-plan``: a signed deal without a service plan, due `within_days`
  after signing (14 in the six-step process);
- ``rejected-review``: a department's standing rejection of the latest contract
  review on the owner's deal, with the reviewer's comment, due the day it was
  given: the owner revises the review (a new version voids every sign-off);
- ``review`` (with a department): the contract reviews waiting for that
  department's decision, due the day the version was stored, oldest first.
  Without `--department` (and without `--owner`), the actor's department is
  read from the roster (`kam user`) when the actor signs for exactly one.

Receivables (issue 14a) join the list when payment terms exist in kam.

The queue (`pending_reviews`) is every deal in a stage whose exit checks
compliance with a valid contract review that some department has not approved
(no decision yet, or rejected).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Connection, String, and_, cast, false, func, or_, select
from sqlalchemy.orm import Session

from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.records import queries, roster, tables
from workflow.records.db import as_connection
from workflow.records.followups import driver_rows, latest_plans
from workflow.records.tables import utcnow
from workflow.rules import compliance
from workflow.rules.deadlines import overdue_days, requirement_due
from workflow.rules.plans import KINDS as FOLLOWUP_KINDS
from workflow.rules.plans import SERVICE_PLAN, plan_within_days
from workflow.rules.process import Process, Requirement, Stage
from workflow.rules.requirements import Facts, evaluate, needs
from workflow.values.names import name_key, stored_key
from workflow.views.schedule import missing_plans, open_items

DEFAULT_DAYS = 7
MAX_DAYS = 366
CHUNK = 500  # ids per IN list (SQLite's parameter limit is far above; PostgreSQL plans it well)

# Ties on the same due date: what blocks a signature first, then the next steps, then the follow-ups.
KIND_ORDER = {"rejected-review": 0, "review": 1, "requirement": 2, "service-plan": 3, "followup": 4}
KIND_LABELS: dict[str, Text] = {
    "requirement": t("下一步", "next step"),
    "followup": t("回访", "follow-up"),
    "service-plan": t("服务计划", "service plan"),
    "rejected-review": t("合同被驳回", "review rejected"),
    "review": t("待审批", "to review"),
}
INFLUENCE_ORDER = {"high": 0, "medium": 1, "low": 2}

A, C, D, OP, S = (
    tables.accounts.c,
    tables.contacts.c,
    tables.documents.c,
    tables.opportunities.c,
    tables.signoffs.c,
)


@dataclass(frozen=True)
class Contact:
    name: str
    title: str | None
    phone: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "phone": self.phone}

    def text(self) -> str:
        return " ".join(part for part in (self.name, self.title, self.phone) if part)


class Item(NamedTuple):
    """One thing to do on one day: what, for which deal, and the command that does it (a tuple: one owner's
    agenda can hold ten thousand)."""

    kind: str
    key: str  # stable while the item is the same (the calendar UID's key): 12-REQ-visit_pitch-visit-feedback
    due: dt.date
    overdue_days: int
    opportunity_id: int
    title: str
    account: str
    owner: str
    message: Text
    command: str
    contact: Contact | None = None
    station: dict[str, Any] | None = None  # the service station {name, contact, phone} of a follow-up
    followup: dict[str, Any] | None = None  # {id, kind, detail} of a follow-up

    def label(self) -> Text:
        """What kind of thing it is, as the table and the calendar say it: 下一步, 回访, 培训, 待审批..."""
        if self.followup is not None:
            return FOLLOWUP_KINDS[self.followup["kind"]][1]
        return KIND_LABELS[self.kind]

    def sort_key(self) -> tuple[Any, ...]:
        # ties keep the order they were listed in: a deal's requirements as `opp check` lists them (the sort is stable)
        return (self.due, KIND_ORDER[self.kind], self.opportunity_id)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "id": self.key,
            "due": self.due,
            "overdue_days": self.overdue_days,
            "opportunity_id": self.opportunity_id,
            "title": self.title,
            "account": self.account,
            "owner": self.owner,
            "message": self.message.render(lang),
            "command": self.command,
        }
        if self.contact is not None:
            out["contact"] = self.contact.to_dict()
        if self.station is not None:
            out["service_station"] = self.station
        if self.followup is not None:
            out["followup"] = self.followup
        return out


@dataclass(frozen=True)
class Agenda:
    actor: str
    department: str | None
    today: dt.date
    until: dt.date
    items: list[Item]

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        out: dict[str, Any] = {"actor": self.actor, "today": self.today, "until": self.until}
        if self.department:
            out["department"] = self.department
        out["items"] = [i.to_dict(lang) for i in self.items]
        return out


@dataclass(frozen=True)
class PendingReview:
    """A contract review some department has not approved."""

    opportunity_id: int
    title: str
    account: str
    owner: str
    contract_no: str
    version: int
    total: Decimal | None  # quantity × unit price of the review
    waiting_since: dt.datetime  # when this version was stored
    departments_missing: list[str]  # without an approval of this version: no decision yet, or rejected
    rejected: dict[str, dict[str, Any]] = field(default_factory=dict)  # department -> {reviewer, comment, at}

    def waiting_for(self, department: str) -> bool:
        """The department has not decided on this version (a rejection waits for the owner, not for it)."""
        return department in self.departments_missing and department not in self.rejected

    def to_dict(self) -> dict[str, Any]:
        return {
            "opportunity_id": self.opportunity_id,
            "title": self.title,
            "account": self.account,
            "owner": self.owner,
            "contract_no": self.contract_no,
            "total": self.total,
            "version": self.version,
            "waiting_since": self.waiting_since,
            "departments_missing": self.departments_missing,
            "rejected": self.rejected,
        }


# -- who and how far ----------------------------------------------------------------------------------


def known_owners(connection: Connection) -> list[str]:
    """Every owner of an opportunity, as stored."""
    return sorted({owner for (owner,) in connection.execute(select(OP.owner).distinct())})


def resolve_owner(connection: Connection, name: str) -> list[str]:
    """The stored spellings of owner `name` as people read it; refuses a name no opportunity has, listing the known."""
    key = name_key(name, "--owner")
    owners = known_owners(connection)
    found = [owner for owner in owners if stored_key(owner) == key]
    if not found:
        shown = "、".join(owners[:20]) + ("……" if len(owners) > 20 else "")
        shown_en = ", ".join(owners[:20]) + (", ..." if len(owners) > 20 else "")
        raise InvalidInput(
            t(
                f"没有负责人 {name} 的商机；已知负责人：{shown or '（尚无商机）'}",
                f"no opportunity is owned by {name}; known owners: {shown_en or '(no opportunities yet)'}",
            )
        )
    return found


def check_department(process: Process, department: str) -> str:
    """The department's id, typed as its id or its label (财务部), as the sign-offs read it."""
    return process.department_choice.parse(department, t("会签部门", "sign-off department"))


def check_days(days: int) -> int:
    if not 0 <= days <= MAX_DAYS:
        raise InvalidInput(
            t(
                f"--days 须在 0 到 {MAX_DAYS} 之间，收到 {days}",
                f"--days must be between 0 and {MAX_DAYS}, got {days}",
            )
        )
    return days


# -- the agenda ---------------------------------------------------------------------------------------


def agenda(
    session: Session,
    process: Process,
    *,
    actor: str,
    owner: str | None = None,
    department: str | None = None,
    days: int = DEFAULT_DAYS,
    today: dt.date | None = None,
) -> Agenda:
    """The agenda of `owner` (else the actor), plus the queue of `department` when given."""
    check_days(days)
    if department is not None:
        department = check_department(process, department)
    connection = as_connection(session)
    today = today or utcnow().date()
    until = today + dt.timedelta(days=days)
    person = owner if owner is not None else actor
    if owner is not None:
        owners = resolve_owner(connection, owner)
    else:
        key = stored_key(actor)
        owners = [o for o in known_owners(connection) if stored_key(o) == key]
    items: list[Item] = []
    validated: dict[str, Any] = {}  # each document content validated once across the lists
    if owners:
        items += requirement_items(session, process, owners, today, until, validated)
        items += followup_items(connection, process, owners, today, until)
        items += service_plan_items(connection, process, owners, today, until)
        items += rejected_items(session, process, owners, today, validated)
    if department is None and owner is None:
        department = _roster_department(connection, process, actor)
    if department is not None:
        items += review_items(session, process, department, today, validated)
    items.sort(key=Item.sort_key)
    return Agenda(person, department, today, until, items)


def _roster_department(connection: Connection, process: Process, actor: str) -> str | None:
    """The department the actor signs for, where the roster knows it (an enabled reviewer of exactly one)."""
    user = roster.find(connection, actor)
    if user is None:
        return None
    signed = [d for d in user.departments if user.signs_for(d) and d in process.departments]
    return signed[0] if len(signed) == 1 else None


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _requirement_of(stage: Stage, code: str) -> Requirement | None:
    """The requirement of `stage` an unmet code comes from (`visit-feedback.handler_found`, `compliance.payment`)."""
    for req in stage.requires:
        if req.check == "compliance" and code.startswith("compliance."):
            return req
        if req.check is not None and req.check == code:
            return req
        if req.document is not None and code.split(".", 1)[0] == req.document:
            return req
    return None


def _earliest_days(stage: Stage) -> int | None:
    """The fewest days after entering `stage` at which one of its requirements falls due."""
    values = [r.within_days for r in stage.requires if r.within_days is not None]
    if stage.expected_days is not None:
        values += [stage.expected_days] * any(r.within_days is None for r in stage.requires)
    return min(values) if values else None


def requirement_items(
    session: Session,
    process: Process,
    owners: list[str],
    today: dt.date,
    until: dt.date,
    validated: dict[str, Any] | None = None,
) -> list[Item]:
    """The unmet requirements of the owners' open deals due by `until` (on hold: none)."""
    connection = as_connection(session)
    # A deal is read only when its stage's earliest due date (entered + fewest days) is at most `until`.
    late = []
    for stage in process.stages:
        earliest = _earliest_days(stage)
        if stage.trigger and process.is_open(stage.id) and earliest is not None:
            cutoff = dt.datetime.combine(until - dt.timedelta(days=earliest - 1), dt.time.min)
            late.append(and_(OP.stage == stage.id, OP.stage_entered_at < cutoff))
    if not late:
        return []
    query = (
        select(OP.id, OP.account_id, OP.title, OP.owner, OP.stage, cast(OP.stage_entered_at, String), A.name)
        .join(tables.accounts, A.id == OP.account_id)
        .where(or_(*late), OP.on_hold == false(), OP.owner.in_(owners))
        .order_by(OP.id)
    )
    rows = [_Deal(*row) for row in driver_rows(connection, query)]  # thousands of rows: no per-row processing
    facts = _facts(session, process, rows, validated)
    offsets: dict[tuple[str, str], int | None] = {}  # (stage, code) -> days after entering when it is due
    names = {s.id: (s.name("zh"), s.name("en")) for s in process.stages}
    fromiso, day = dt.date.fromisoformat, dt.timedelta(days=1)
    items: list[Item] = []
    for row in rows:
        stage = process.by_id[row.stage]
        entered = fromiso(row.entered[:10])
        seen: dict[str, int] = {}
        zh, en = names[stage.id]
        for m in evaluate(stage, facts[row.id]).missing:
            if (stage.id, m.code) not in offsets:
                req = _requirement_of(stage, m.code)
                offsets[(stage.id, m.code)] = _offset(stage, req) if req is not None else None
            offset = offsets[(stage.id, m.code)]
            if offset is None:
                continue
            due = entered + offset * day  # `rules.deadlines.requirement_due`, for a stored date
            if due > until:
                continue
            key = f"{row.id}-REQ-{stage.id}-{m.code}"
            seen[key] = seen.get(key, 0) + 1
            items.append(
                Item(
                    "requirement",
                    key if seen[key] == 1 else f"{key}-{seen[key]}",
                    due,
                    overdue_days(due, today),
                    row.id,
                    row.title,
                    row.account,
                    row.owner,
                    Text(f"{zh}：{m.message.zh}", f"{en}: {m.message.en}"),
                    m.command,
                )
            )
    return items


class _Deal(NamedTuple):
    id: int
    account_id: int
    title: str
    owner: str
    stage: str
    entered: str  # the stored stage_entered_at as text (its first ten characters are the date)
    account: str


def _offset(stage: Stage, requirement: Requirement) -> int | None:
    """Days after entering `stage` at which `requirement` is due (`rules.deadlines.requirement_due`)."""
    due = requirement_due(stage, requirement, dt.datetime(2000, 1, 1))
    return (due - dt.date(2000, 1, 1)).days if due is not None else None


def _facts(
    session: Session, process: Process, rows: list[Any], validated: dict[str, Any] | None = None
) -> dict[int, Facts]:
    """What `evaluate` reads for each deal, loaded with a few queries for all of them (as `moves.facts` for one)."""
    connection = as_connection(session)
    validated = {} if validated is None else validated
    need = {s.id: needs(s) for s in process.stages}
    account_ids = sorted({r.account_id for r in rows if need[r.stage].account or need[r.stage].contacts})
    accounts: dict[int, Any] = {}
    contacts: dict[int, int] = {}
    for chunk in _chunks(account_ids):
        accounts.update(
            (a.id, a)
            for a in connection.execute(
                select(A.id, A.name, A.type, A["class"].label("account_class"), A.industry, A.fleet_size).where(
                    A.id.in_(chunk)
                )
            )
        )
        counted = select(C.account_id, func.count()).where(C.account_id.in_(chunk)).group_by(C.account_id)
        contacts.update((account_id, count) for account_id, count in connection.execute(counted))
    kinds_of = {
        s.id: set(need[s.id].kinds) | ({compliance.REVIEW, compliance.MINUTES} if need[s.id].compliance else set())
        for s in process.stages
    }
    by_stage: dict[str, list[int]] = {}
    for r in rows:
        if kinds_of[r.stage]:
            by_stage.setdefault(r.stage, []).append(r.id)
    versions: dict[tuple[int, str], list[Any]] = {}
    for stage_id, ids in by_stage.items():  # each deal's own kinds only, not its earlier stages' documents
        versions.update(_versions(connection, ids, kinds_of[stage_id]))
    compliance_ids = [r.id for r in rows if need[r.stage].compliance]
    latest: dict[tuple[int, str], queries.LatestValid] = {}
    for stage_id, ids in by_stage.items():
        for opp_id in ids:
            for kind in kinds_of[stage_id]:
                rows_of = versions.get((opp_id, kind), [])
                latest[(opp_id, kind)] = queries.latest_valid_of(kind, rows_of, validated)
    decisions = _signoffs(connection, compliance_ids)
    out = {}
    for r in rows:
        stage_need = need[r.stage]
        report = None
        if stage_need.compliance:
            review, minutes = latest[(r.id, compliance.REVIEW)], latest[(r.id, compliance.MINUTES)]
            version = review.document.version if review.document is not None else None
            on_version = [s for s in decisions.get(r.id, []) if s.review_version == version]
            report = compliance.evaluate(process, r.id, review, minutes, on_version)
        out[r.id] = Facts(
            opportunity_id=r.id,
            account_id=r.account_id,
            account=accounts.get(r.account_id) if stage_need.account else None,
            contacts=contacts.get(r.account_id, 0) if stage_need.contacts else 0,
            documents={kind: latest[(r.id, kind)] for kind in stage_need.kinds},
            compliance=report,
        )
    return out


def _versions(connection: Connection, ids: list[int], kinds: set[str]) -> dict[tuple[int, str], list[Any]]:
    """Every stored version of `kinds` of the deals `ids`, newest first, by (deal, kind)."""
    out: dict[tuple[int, str], list[Any]] = {}
    if not ids or not kinds:
        return out
    for chunk in _chunks(sorted(ids)):
        query = (
            select(tables.documents)
            .where(D.opportunity_id.in_(chunk), D.kind.in_(sorted(kinds)))
            .order_by(D.opportunity_id, D.kind, D.version.desc())
        )
        for doc in connection.execute(query):
            out.setdefault((doc.opportunity_id, doc.kind), []).append(doc)
    return out


def _signoffs(connection: Connection, ids: list[int]) -> dict[int, list[Any]]:
    """Every decision on the deals `ids`, oldest first (as `queries.signoffs_on` orders them)."""
    out: dict[int, list[Any]] = {}
    for chunk in _chunks(sorted(ids)):
        query = select(tables.signoffs).where(S.opportunity_id.in_(chunk)).order_by(S.at, S.id)
        for row in connection.execute(query):
            out.setdefault(row.opportunity_id, []).append(row)
    return out


def followup_items(
    connection: Connection, process: Process, owners: list[str], today: dt.date, until: dt.date
) -> list[Item]:
    """The schedule's open follow-ups of the owners, with the contact to call and the service station."""
    due = [item for owner in owners for item in open_items(connection, process, until, owner, today)]
    if not due:
        return []
    ids = sorted({i.opportunity_id for i in due})
    stations: dict[int, dict[str, Any]] = {}
    account_of: dict[int, int] = {}
    for chunk in _chunks(ids):
        among = select(OP.id).where(OP.id.in_(chunk))
        for opp_id, values in connection.execute(
            latest_plans(connection, SERVICE_PLAN, ("service_station", "delivery_date"), D.opportunity_id, among=among)
        ):
            values = json.loads(values) if isinstance(values, str) else values
            station = values[0] if values else None
            if isinstance(station, dict) and station.get("name"):
                stations[opp_id] = {k: station.get(k) for k in ("name", "contact", "phone")}
        account_of.update((i, a) for i, a in connection.execute(select(OP.id, OP.account_id).where(OP.id.in_(chunk))))
    people = _contacts(connection, sorted(set(account_of.values())))
    items = []
    for f in due:
        label = FOLLOWUP_KINDS[f.kind][1]
        detail = (t(f"（{f.detail}）", f" ({f.detail})") if f.detail else t("", "")).render
        station = stations.get(f.opportunity_id)
        where = (
            t(f"；服务站：{_station_text(station)}", f"; service station: {_station_text(station)}")
            if station
            else t("", "")
        )
        message = t(
            f"{label.zh}{detail('zh')}{where.zh}",
            f"{label.en}{detail('en')}{where.en}",
        )
        items.append(
            Item(
                "followup",
                f.id,
                f.due,
                f.overdue_days,
                f.opportunity_id,
                f.title,
                f.account,
                f.owner,
                message,
                f'kam followup done {f.id} {today.isoformat()} --note "..."',
                people.get(account_of.get(f.opportunity_id, 0)),
                station,
                {"id": f.id, "kind": f.kind, "detail": f.detail or None},
            )
        )
    return items


def _station_text(station: dict[str, Any] | None) -> str:
    if not station:
        return ""
    rest = " ".join(str(station[k]) for k in ("contact", "phone") if station.get(k))
    return f"{station['name']}" + (f" {rest}" if rest else "")


def _contacts(connection: Connection, account_ids: list[int]) -> dict[int, Contact]:
    """Per account, the contact to call: one with a phone first, then the most influential, then the first added."""
    best: dict[int, tuple[tuple[int, int, int], Contact]] = {}
    for chunk in _chunks(account_ids):
        query = select(C.account_id, C.id, C.name, C.title, C.phone, C.influence).where(C.account_id.in_(chunk))
        for account_id, contact_id, name, title, phone, influence in connection.execute(query):
            rank = (0 if phone else 1, INFLUENCE_ORDER.get(influence or "", 3), contact_id)
            if account_id not in best or rank < best[account_id][0]:
                best[account_id] = (rank, Contact(name, title, phone))
    return {account_id: contact for account_id, (_, contact) in best.items()}


def service_plan_items(
    connection: Connection, process: Process, owners: list[str], today: dt.date, until: dt.date
) -> list[Item]:
    """Signed deals of the owners without a service plan, due `within_days` after signing, by `until`."""
    within = plan_within_days(process)
    items = []
    for m in missing_plans(connection, process, owners=owners, today=today, due_by=until):
        signed = m.signed_at.date()
        due = signed + dt.timedelta(days=within)
        items.append(
            Item(
                "service-plan",
                f"{m.opportunity_id}-PLAN",
                due,
                overdue_days(due, today),
                m.opportunity_id,
                m.title,
                m.account,
                m.owner,
                t(
                    f"签约（{signed}）后 {within} 天内须提交《关系维护与服务计划》",
                    f"the service plan is due within {within} days of signing ({signed})",
                ),
                f"kam doc fill {m.opportunity_id} {SERVICE_PLAN} --file FILE",
            )
        )
    return items


def rejected_items(
    session: Session, process: Process, owners: list[str], today: dt.date, validated: dict[str, Any] | None = None
) -> list[Item]:
    """Standing rejections of the latest contract review on the owners' deals, with the reviewer's comment."""
    items = []
    for review in pending_reviews(session, process, owners=owners, validated=validated):
        for department, rejection in review.rejected.items():
            label = t(process.department_label(department, "zh"), process.department_label(department, "en"))
            day = rejection["at"].date()
            items.append(
                Item(
                    "rejected-review",
                    f"{review.opportunity_id}-REJ-{department}-v{review.version}",
                    day,
                    overdue_days(day, today),
                    review.opportunity_id,
                    review.title,
                    review.account,
                    review.owner,
                    t(
                        f"{label.zh}（{rejection['reviewer']}）驳回合同审核表 v{review.version}："
                        f"{rejection['comment']}",
                        f"{label.en} ({rejection['reviewer']}) rejected contract review v{review.version}: "
                        f"{rejection['comment']}",
                    ),
                    f"kam doc fill {review.opportunity_id} {compliance.REVIEW} --file FILE",
                )
            )
    return items


def review_items(
    session: Session, process: Process, department: str, today: dt.date, validated: dict[str, Any] | None = None
) -> list[Item]:
    """The contract reviews waiting for `department`'s decision, due the day their version was stored."""
    label = t(process.department_label(department, "zh"), process.department_label(department, "en"))
    items = []
    for review in pending_reviews(session, process, department=department, validated=validated):
        day = review.waiting_since.date()
        total = t(f"，总价 {review.total:,.2f} 元", f", total {review.total:,.2f} yuan") if review.total else t("", "")
        items.append(
            Item(
                "review",
                f"{review.opportunity_id}-REV-{department}-v{review.version}",
                day,
                overdue_days(day, today),
                review.opportunity_id,
                review.title,
                review.account,
                review.owner,
                t(
                    f"合同 {review.contract_no} 审核表 v{review.version} 待{label.zh}审批{total.zh}",
                    f"contract {review.contract_no} review v{review.version} waits for {label.en}{total.en}",
                ),
                f"kam review approve {review.opportunity_id} --department {department} --version {review.version}",
            )
        )
    return items


# -- the reviewers' queue -----------------------------------------------------------------------------


def pending_reviews(
    session: Session,
    process: Process,
    *,
    department: str | None = None,
    owners: list[str] | None = None,
    validated: dict[str, Any] | None = None,
) -> list[PendingReview]:
    """Deals whose latest valid contract review lacks an approval, oldest version first.

    With `department`, only those waiting for its decision; with `owners`, only their deals.
    """
    if department is not None:
        department = check_department(process, department)
    connection = as_connection(session)
    gated = [s.id for s in process.stages if any(r.check == "compliance" for r in s.requires)]
    if not gated:
        return []
    query = (
        select(OP.id, OP.title, OP.owner, A.name)
        .join(tables.accounts, A.id == OP.account_id)
        .where(OP.stage.in_(gated), OP.id.in_(select(D.opportunity_id).where(D.kind == compliance.REVIEW)))
    )
    if owners is not None:
        query = query.where(OP.owner.in_(owners))
    deals = {row.id: row for row in connection.execute(query)}
    versions = _versions(connection, list(deals), {compliance.REVIEW})
    decisions = _signoffs(connection, list(deals))
    validated = {} if validated is None else validated
    out = []
    for opp_id, deal in deals.items():
        latest = queries.latest_valid_of(compliance.REVIEW, versions.get((opp_id, compliance.REVIEW), []), validated)
        if latest.document is None or latest.form is None:
            continue  # no valid review: the owner's next step (on the agenda), not the reviewers'
        version = latest.document.version
        standing: dict[str, Any] = compliance.current(
            [s for s in decisions.get(opp_id, []) if s.review_version == version]
        )
        missing = [d for d in process.departments if d not in standing or standing[d].decision != "approve"]
        if not missing:
            continue
        rejected = {
            d: {"reviewer": s.reviewer, "comment": s.comment, "at": s.at}
            for d, s in standing.items()
            if s.decision != "approve" and d in missing
        }
        review = PendingReview(
            opp_id,
            deal.title,
            deal.name,
            deal.owner,
            str(getattr(latest.form, "contract_no", "")),
            version,
            _total(latest.form),
            latest.document.created_at,
            missing,
            rejected,
        )
        if department is None or review.waiting_for(department):
            out.append(review)
    out.sort(key=lambda r: (r.waiting_since, r.opportunity_id))
    return out


def _total(form: Any) -> Decimal | None:
    quantity, price = getattr(form, "quantity", None), getattr(form, "unit_price", None)
    if quantity is None or price is None:
        return None
    return (Decimal(quantity) * Decimal(str(price))).quantize(Decimal("0.01"))

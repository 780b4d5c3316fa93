"""The schedule across all accounts: what is due and overdue after the signature (`kam schedule`).

Read through Core only (no ORM: listing the schedule loads less). For the
default horizon the open follow-ups are read by date from the stored plan
(`planned_followups`, kept by `operations.followups`); any other horizon is
computed afresh from each signed deal's latest service plan (`rules.plans`);
a test keeps both ways equal. A signed opportunity with no service plan past
the process's `within_days` is flagged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Connection, String, case, cast, false, select

from workflow.records import followups as followup_rows
from workflow.records import tables
from workflow.records.db import as_connection
from workflow.records.tables import utcnow
from workflow.rules.plans import (
    DEFAULT_MONTHS,
    DEFAULT_WINDOW_DAYS,
    KIND_ORDER,
    PLAN_FIELDS,
    SERVICE_PLAN,
    check_months,
    followup_id,
    plan_within_days,
    readable_items,
)
from workflow.rules.process import Process
from workflow.rules.receivables import PAYMENT

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Core columns: listing the schedule never loads the ORM (recording a follow-up does).
Account, Document, FollowUp, Opportunity = (
    tables.accounts.c,
    tables.documents.c,
    tables.followups.c,
    tables.opportunities.c,
)


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
    amount: Decimal | None = None  # a payment: the milestone's amount in 元
    outstanding: Decimal | None = None  # a payment: what is still to be received on it

    @property
    def status(self) -> str:
        return "overdue" if self.overdue_days > 0 else "due"

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "opportunity_id": self.opportunity_id,
            "account": self.account,
            "title": self.title,
            "owner": self.owner,
            "kind": self.kind,
            "due": self.due,
            "status": self.status,
            "overdue_days": self.overdue_days,
            "detail": self.detail or None,
        }
        if self.kind == PAYMENT:
            out["amount"] = float(self.amount or 0)
            out["outstanding"] = float(self.outstanding or 0)
        return out


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
            "opportunity_id": self.opportunity_id,
            "account": self.account,
            "title": self.title,
            "owner": self.owner,
            "signed_at": self.signed_at,
            "days_since_signing": self.days_since_signing,
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
    check_months(months)
    today = today or utcnow().date()
    due_before = due_before or today + dt.timedelta(days=DEFAULT_WINDOW_DAYS)
    connection = as_connection(source)
    if months == DEFAULT_MONTHS:
        items = open_items(connection, process, due_before, owner, today)  # ordered by the query
    else:
        items = computed_items(connection, process, due_before, owner, months, today)
        items.sort(key=lambda i: (i.due, i.opportunity_id, KIND_ORDER[i.kind]))
    owed = payment_items(connection, process, due_before, owner, today)
    if owed:  # few beside the follow-ups: merged in order (a payment after the follow-ups of its day and deal)
        items = sorted(items + owed, key=lambda i: (i.due, i.opportunity_id, KIND_ORDER.get(i.kind, len(KIND_ORDER))))
    return Schedule(today, due_before, items, missing_plans(connection, process, owner=owner, today=today))


def open_items(
    connection: Connection, process: Process, due_before: dt.date, owner: str | None, today: dt.date
) -> list[DueItem]:
    """The default horizon: the stored open follow-ups (`planned_followups`) due by `due_before`, read by date."""
    P = tables.planned_followups.c
    query = (
        select(
            P.opportunity_id,
            Account.name,
            Opportunity.title,
            Opportunity.owner,
            P.kind,
            cast(P.due_date, String),
            P.detail,
        )
        .join(tables.opportunities, Opportunity.id == P.opportunity_id)
        .join(tables.accounts, Account.id == Opportunity.account_id)
        .where(P.done == false(), P.due_date <= due_before, Opportunity.stage.in_(process.signed_stages))
        .order_by(P.due_date, P.opportunity_id, case(KIND_ORDER, value=P.kind))  # the schedule's order
    )
    if owner:
        query = query.where(Opportunity.owner == owner)
    fromiso = dt.date.fromisoformat
    items = []
    for opp_id, account, title, opp_owner, kind, due_text, detail in followup_rows.driver_rows(connection, query):
        due = fromiso(due_text[:10])
        items.append(
            DueItem(
                followup_id(opp_id, kind, due),
                opp_id,
                account,
                title,
                opp_owner,
                kind,
                due,
                max(0, (today - due).days),
                detail or "",
            )
        )
    return items


def computed_items(
    connection: Connection, process: Process, due_before: dt.date, owner: str | None, months: int, today: dt.date
) -> list[DueItem]:
    """Any other horizon: every signed opportunity's latest service plan computed afresh, less what is done."""
    signed = select(Opportunity.id).where(Opportunity.stage.in_(process.signed_stages))
    if owner:
        signed = signed.where(Opportunity.owner == owner)
    rows = followup_rows.driver_rows(
        connection,
        followup_rows.latest_plans(
            connection,
            SERVICE_PLAN,
            PLAN_FIELDS,
            Opportunity.id,
            Account.name,
            Opportunity.title,
            Opportunity.owner,
            among=signed,
        )
        .join(tables.opportunities, Opportunity.id == Document.opportunity_id)
        .join(tables.accounts, Account.id == Opportunity.account_id),
    )
    done = followup_rows.done_followups(connection, FollowUp.due_date <= due_before)
    items = []
    for opp_id, account, title, opp_owner, fields in rows:
        for planned in readable_items(fields, months).values():
            due = planned.due
            if due > due_before or (opp_id, planned.kind, due) in done:
                continue
            items.append(
                DueItem(
                    followup_id(opp_id, planned.kind, due),
                    opp_id,
                    account,
                    title,
                    opp_owner,
                    planned.kind,
                    due,
                    max(0, (today - due).days),
                    planned.detail,
                )
            )
    return items


def payment_items(
    connection: Connection, process: Process, due_before: dt.date, owner: str | None, today: dt.date
) -> list[DueItem]:
    """Receivables (回款) of signed deals due by `due_before` and not yet received in full (`receivables`, by due)."""
    R = tables.receivables.c
    query = (
        select(
            R.opportunity_id,
            Account.name,
            Opportunity.title,
            Opportunity.owner,
            R.seq,
            R.milestone,
            R.due,
            R.amount,
            R.received,
        )
        .join(tables.opportunities, Opportunity.id == R.opportunity_id)
        .join(tables.accounts, Account.id == Opportunity.account_id)
        .where(R.due <= due_before, R.received < R.amount, Opportunity.stage.in_(process.signed_stages))
        .order_by(R.due, R.opportunity_id, R.seq)
    )
    if owner:
        query = query.where(Opportunity.owner == owner)
    return [
        DueItem(
            f"{opp_id}-PAY-{seq}",
            opp_id,
            account,
            title,
            opp_owner,
            PAYMENT,
            due,
            max(0, (today - due).days),
            milestone,
            Decimal(amount),
            Decimal(amount) - Decimal(received),
        )
        for opp_id, account, title, opp_owner, seq, milestone, due, amount, received in connection.execute(query)
    ]


def missing_plans(
    source: Connection | Session,
    process: Process,
    *,
    owner: str | None = None,
    owners: Sequence[str] | None = None,
    today: dt.date | None = None,
    due_by: dt.date | None = None,
) -> list[MissingPlan]:
    """Signed opportunities still without a service plan whose plan is due by `due_by`.

    The plan is due `within_days` after signing; by default `due_by` is yesterday, so the list holds the plans
    already overdue (the schedule), while the agenda asks for those due within its horizon. `owner` or `owners`
    restrict it to some owners.
    """
    today = today or utcnow().date()
    days = plan_within_days(process)
    last_due = due_by if due_by is not None else today - dt.timedelta(days=1)
    cutoff = dt.datetime.combine(last_due - dt.timedelta(days=days - 1), dt.time.min)  # signed before: due by last_due
    has_plan = select(Document.opportunity_id).where(Document.kind == SERVICE_PLAN)
    query = (
        select(Opportunity.id, Account.name, Opportunity.title, Opportunity.owner, Opportunity.signed_at)
        .join(tables.accounts, Account.id == Opportunity.account_id)
        .where(
            Opportunity.stage.in_(process.signed_stages),
            Opportunity.signed_at < cutoff,
            Opportunity.id.not_in(has_plan),
        )
        .order_by(Opportunity.signed_at, Opportunity.id)
    )
    if owner:
        query = query.where(Opportunity.owner == owner)
    if owners is not None:
        query = query.where(Opportunity.owner.in_(owners))
    return [
        MissingPlan(i, a, ti, o, s, (today - s.date()).days) for i, a, ti, o, s in as_connection(source).execute(query)
    ]


def recorded(record: Any) -> dict[str, Any]:
    """What `kam followup done` prints: the follow-up recorded as done."""
    return {
        "id": followup_id(record.opportunity_id, record.kind, record.due_date),
        "opportunity_id": record.opportunity_id,
        "kind": record.kind,
        "due": record.due_date,
        "done_on": record.done_on,
        "note": record.note,
        "found": record.found,
        "actor": record.actor,
    }

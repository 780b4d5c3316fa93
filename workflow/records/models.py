"""The persisted records as ORM classes, mapped onto the Core tables of `records.tables`.

The schema (columns, types, indexes, defaults) is declared once, in
`workflow.records.tables`; here each class names its table, its attributes'
Python types (for readers and type checkers) and relationships. The
opportunity's version is checked and bumped by its one writer
(`records.queries.write`), not by the ORM. Commands that only read reports use the tables directly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped, relationship

from workflow.records import tables
from workflow.records.tables import utcnow

__all__ = [
    "Account",
    "Base",
    "Contact",
    "Document",
    "Event",
    "FollowUp",
    "Opportunity",
    "PlannedFollowUp",
    "Render",
    "SignOff",
    "utcnow",
]


class Base(DeclarativeBase):
    metadata = tables.metadata


class Account(Base):
    __table__ = tables.accounts

    id: Mapped[int]
    name: Mapped[str]
    type: Mapped[str | None]
    size: Mapped[str | None]
    account_class: Mapped[str | None] = tables.accounts.c["class"]  # type: ignore[assignment]  # the column is named "class", a keyword
    market: Mapped[str | None]
    industry: Mapped[str | None]
    fleet_size: Mapped[int | None]
    main_brands: Mapped[str | None]
    region: Mapped[str | None]
    address: Mapped[str | None]
    reviewed_at: Mapped[dt.datetime | None]
    created_by: Mapped[str]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    contacts: Mapped[list[Contact]] = relationship(back_populates="account", order_by="Contact.id")
    opportunities: Mapped[list[Opportunity]] = relationship(back_populates="account", order_by="Opportunity.id")


class Contact(Base):
    __table__ = tables.contacts

    id: Mapped[int]
    account_id: Mapped[int]
    name: Mapped[str]
    department: Mapped[str | None]
    title: Mapped[str | None]
    role: Mapped[str | None]
    influence: Mapped[str | None]
    stance: Mapped[str | None]
    phone: Mapped[str | None]
    created_by: Mapped[str]
    created_at: Mapped[dt.datetime]
    removed_at: Mapped[dt.datetime | None]

    account: Mapped[Account] = relationship(back_populates="contacts")


class Opportunity(Base):
    __table__ = tables.opportunities  # written only through `records.queries.write` (one versioned UPDATE)

    id: Mapped[int]
    account_id: Mapped[int]
    title: Mapped[str]
    owner: Mapped[str]
    stage: Mapped[str]
    stage_entered_at: Mapped[dt.datetime]
    lost_from: Mapped[str | None]
    lost_reason: Mapped[str | None]
    lost_note: Mapped[str | None]
    on_hold: Mapped[bool]
    hold_reason: Mapped[str | None]
    quantity: Mapped[int | None]
    budget: Mapped[Decimal | None]
    amount: Mapped[Decimal | None]  # derived (operations.payments)
    expected_close: Mapped[dt.date | None]
    relationship_level: Mapped[int | None]
    relationship_assessed_at: Mapped[dt.datetime | None]
    heat: Mapped[int | None]
    heat_assessed_at: Mapped[dt.datetime | None]
    signed_at: Mapped[dt.datetime | None]
    created_by: Mapped[str]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    last_activity_at: Mapped[dt.datetime]
    version: Mapped[int]
    contract_no: Mapped[str | None]
    amending_since: Mapped[dt.datetime | None]

    account: Mapped[Account] = relationship(back_populates="opportunities")


class Document(Base):
    __table__ = tables.documents

    id: Mapped[int]
    opportunity_id: Mapped[int]
    kind: Mapped[str]
    version: Mapped[int]
    data: Mapped[dict[str, Any]]
    author: Mapped[str]
    created_at: Mapped[dt.datetime]
    sha256: Mapped[str]


class Render(Base):
    __table__ = tables.renders

    id: Mapped[int]
    document_id: Mapped[int]
    lang: Mapped[str]
    sha256: Mapped[str]
    path: Mapped[str | None]
    actor: Mapped[str]
    created_at: Mapped[dt.datetime]


class Event(Base):
    """One row of an opportunity's append-only history."""

    __table__ = tables.events

    id: Mapped[int]
    opportunity_id: Mapped[int]
    seq: Mapped[int]
    at: Mapped[dt.datetime]
    actor: Mapped[str]
    action: Mapped[str]
    trigger: Mapped[str | None]
    from_stage: Mapped[str | None]
    to_stage: Mapped[str | None]
    reason: Mapped[str | None]
    documents: Mapped[dict[str, Any] | None]
    detail: Mapped[dict[str, Any] | None]
    prev_hash: Mapped[str]
    hash: Mapped[str]


class SignOff(Base):
    """A department's decision on one version of the contract review."""

    __table__ = tables.signoffs

    id: Mapped[int]
    opportunity_id: Mapped[int]
    department: Mapped[str]
    reviewer: Mapped[str]
    decision: Mapped[str]
    comment: Mapped[str | None]
    review_version: Mapped[int]
    at: Mapped[dt.datetime]
    signature: Mapped[str | None]
    statement_version: Mapped[str | None]
    key_fingerprint: Mapped[str | None]
    review_sha256: Mapped[str | None]
    contract_no: Mapped[str | None]


class FollowUp(Base):
    """A follow-up (return visit, training...) recorded as done."""

    __table__ = tables.followups

    id: Mapped[int]
    opportunity_id: Mapped[int]
    kind: Mapped[str]
    due_date: Mapped[dt.date]
    done_on: Mapped[dt.date]
    note: Mapped[str | None]
    found: Mapped[str | None]
    actor: Mapped[str]
    created_at: Mapped[dt.datetime]


class PlannedFollowUp(Base):
    """A follow-up the latest service plan sets (default horizon), and whether it is done (derived)."""

    __table__ = tables.planned_followups

    id: Mapped[int]
    opportunity_id: Mapped[int]
    kind: Mapped[str]
    due_date: Mapped[dt.date]
    detail: Mapped[str]
    done: Mapped[bool]

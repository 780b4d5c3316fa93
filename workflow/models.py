"""The persisted records (SQLAlchemy 2 typed ORM).

accounts ─< contacts
accounts ─< opportunities ─< documents (versions never change) ─< renders
                           ─< events   (append-only history, hash-chained per opportunity)
                           ─< signoffs (departmental reviews of a contract-review version)
                           ─< followups (return visits and other follow-ups recorded as done)

Times are stored as naive UTC so the same instant hashes the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        dt.datetime: DateTime(),
        dt.date: Date(),
        Decimal: Numeric(14, 2),
    }


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str | None] = mapped_column(String(20))  # government | enterprise | individual
    size: Mapped[str | None] = mapped_column(String(10))  # large | medium | small (enterprises)
    account_class: Mapped[str | None] = mapped_column("class", String(1))  # A | B | C
    market: Mapped[str | None] = mapped_column(String(20))  # local | domestic | international
    industry: Mapped[str | None] = mapped_column(String(100))
    fleet_size: Mapped[int | None] = mapped_column(Integer)
    main_brands: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))
    reviewed_at: Mapped[dt.datetime | None]  # stable data last confirmed (seed 000: quarterly)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contacts: Mapped[list[Contact]] = relationship(back_populates="account", order_by="Contact.id")
    opportunities: Mapped[list[Opportunity]] = relationship(back_populates="account", order_by="Opportunity.id")


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(200))  # free text: 最终拍板人, 技术选型决策人...
    influence: Mapped[str | None] = mapped_column(String(10))  # high | medium | low
    stance: Mapped[str | None] = mapped_column(String(10))  # supporter | neutral | opponent | unknown
    phone: Mapped[str | None] = mapped_column(String(50))
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship(back_populates="contacts")


class Opportunity(Base):
    __tablename__ = "opportunities"
    __table_args__ = (
        Index("ix_opportunities_stage_owner", "stage", "owner"),
        # covers every column the pipeline report aggregates (migration 0002)
        Index("ix_opportunities_pipeline", "stage", "lost_from", "owner", "quantity", "heat", "on_hold", "stage_entered_at"),
        # the stalled list of the pipeline report (migration 0003)
        Index("ix_opportunities_activity", "stage", "last_activity_at", "owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(100))
    stage: Mapped[str] = mapped_column(String(40))
    stage_entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lost_from: Mapped[str | None] = mapped_column(String(40))
    lost_reason: Mapped[str | None] = mapped_column(String(20))
    lost_note: Mapped[str | None] = mapped_column(Text)
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[int | None] = mapped_column(Integer)
    budget: Mapped[Decimal | None]
    expected_close: Mapped[dt.date | None]
    relationship_level: Mapped[int | None] = mapped_column(Integer)  # 客情关系等级 1-4
    relationship_assessed_at: Mapped[dt.datetime | None]
    heat: Mapped[int | None] = mapped_column(Integer)  # 成交热度 30/50/70/90 (%)
    heat_assessed_at: Mapped[dt.datetime | None]
    signed_at: Mapped[dt.datetime | None]
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The time of the newest history row, kept by `history.append` (derived: not exported, checked by the audit).
    last_activity_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Optimistic locking: every UPDATE checks and bumps it, so a stale writer fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    account: Mapped[Account] = relationship(back_populates="opportunities")


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("opportunity_id", "kind", "version", name="uq_documents_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sha256: Mapped[str] = mapped_column(String(64))  # of the canonical JSON of data


class Render(Base):
    __tablename__ = "renders"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Event(Base):
    """One row of an opportunity's append-only history."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("opportunity_id", "seq", name="uq_events_seq"),
        Index("ix_events_opportunity_at", "opportunity_id", "at"),  # last activity per opportunity (migration 0002)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... within the opportunity
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))  # create | transition | document | signoff | rating | followup
    trigger: Mapped[str | None] = mapped_column(String(40))
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    documents: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {kind: version} that satisfied the guard
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class SignOff(Base):
    """A department's decision on one version of the contract review."""

    __tablename__ = "signoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    department: Mapped[str] = mapped_column(String(40))
    reviewer: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(10))  # approve | reject
    comment: Mapped[str | None] = mapped_column(Text)
    review_version: Mapped[int] = mapped_column(Integer)  # the contract-review version it applies to
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FollowUp(Base):
    """A follow-up (return visit, training...) recorded as done."""

    __tablename__ = "followups"
    __table_args__ = (Index("ix_followups_opp_due", "opportunity_id", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"))
    kind: Mapped[str] = mapped_column(String(30))  # return-visit | training | business-meeting | ...
    due_date: Mapped[dt.date]
    done_on: Mapped[dt.date]
    note: Mapped[str | None] = mapped_column(Text)
    found: Mapped[str | None] = mapped_column(Text)  # what the visit found
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


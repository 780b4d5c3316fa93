"""One query function each for what several places read, and the one versioned write of an opportunity.

An opportunity is read as a frozen state value (`state`, a Core row of
`opportunities`); a writer reads it with `lock` (FOR UPDATE on PostgreSQL, the
write transaction itself on SQLite) and changes it only through `write`, one
UPDATE checked against the version it read. `changed_by_someone_else` is the
one refusal a writer who lost a race sees.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

import forms
from workflow.errors import ConcurrentChange, NotFound
from workflow.i18n import t
from workflow.records import tables
from workflow.records.models import Account, Contact, Document, Event, Opportunity, SignOff
from workflow.values.names import name_key, stored_key

if TYPE_CHECKING:
    from forms.base import Form

# -- accounts -------------------------------------------------------------------------------------


def get_account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(
            t(
                f"找不到客户 {account_id}：用 kam account list 查看编号",
                f"account {account_id} not found: see kam account list",
            )
        )
    return account


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.id)))


def account_names(session: Session) -> dict[int, str]:
    return {i: name for i, name in session.execute(select(Account.id, Account.name))}


def get_contact(session: Session, contact_id: int) -> Contact:
    found = session.get(Contact, contact_id)
    if found is None:
        raise NotFound(
            t(
                f"找不到联系人 {contact_id}：用 kam contact list 客户编号 查看",
                f"contact {contact_id} not found: see kam contact list ACCOUNT_ID",
            )
        )
    return found


def list_contacts(session: Session, account_id: int, *, removed: bool = False) -> list[Contact]:
    """The account's contacts, oldest first; those removed only when `removed`."""
    get_account(session, account_id)
    query = select(Contact).where(Contact.account_id == account_id).order_by(Contact.id)
    if not removed:
        query = query.where(Contact.removed_at.is_(None))
    return list(session.scalars(query))


def ledger_history(session: Session, subject: str, subject_id: int) -> list[Row[Any]]:
    """A subject's ledger rows (an account with its contacts...), oldest first."""
    L = tables.ledger.c
    return list(
        session.connection().execute(
            select(L.seq, L.at, L.actor, L.action, L.detail)
            .where(L.subject == subject, L.subject_id == subject_id)
            .order_by(L.seq)
        )
    )


def contact_count(session: Session, account_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(tables.contacts)
            .where(tables.contacts.c.account_id == account_id, tables.contacts.c.removed_at.is_(None))
        )
        or 0
    )


# -- opportunities: the frozen state and the one versioned write ---------------------------------

State = Row[Any]  # a row of `opportunities`: every column by name, immutable

_STATE = select(tables.opportunities).where(tables.opportunities.c.id == bindparam("id"))
_LOCKED = _STATE.with_for_update()


def no_opportunity(opportunity_id: int) -> NotFound:
    return NotFound(
        t(
            f"找不到商机 {opportunity_id}：用 kam opp list 查看编号",
            f"opportunity {opportunity_id} not found: see kam opp list",
        )
    )


def changed_by_someone_else(opportunity_id: int) -> ConcurrentChange:
    """The refusal of a writer who lost a race: the only place it is worded."""
    return ConcurrentChange(
        t(
            f"商机 {opportunity_id} 刚被其他人修改：请用 kam opp show {opportunity_id} 重新查看后再操作",
            f"opportunity {opportunity_id} was just changed by someone else: look again with kam opp show "
            f"{opportunity_id}",
        )
    )


def state(session: Session, opportunity_id: int) -> State:
    """The opportunity as it stands, for reading."""
    return _read(session, _STATE, opportunity_id)


def lock(session: Session, opportunity_id: int, expected_version: int | None = None) -> State:
    """The opportunity, row-locked until the transaction ends, for a writer.

    Every writer of an opportunity (its moves, ratings, documents, sign-offs,
    follow-ups) reads it here first, so two writers of the same opportunity
    queue: no duplicate history row or document version can happen.
    `expected_version` is the version the user acted on; a newer one is refused.
    """
    row = _read(session, _LOCKED, opportunity_id)
    if expected_version is not None and row.version != expected_version:
        raise changed_by_someone_else(opportunity_id)
    return row


def _read(session: Session, statement: Any, opportunity_id: int) -> State:
    if session.dirty or session.new:  # pending ORM changes must be in the database before it is read around the ORM
        session.flush()
    row = session.connection().execute(statement, {"id": opportunity_id}).first()
    if row is None:
        raise no_opportunity(opportunity_id)
    return row


def write(session: Session, opp: State, values: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """Write `values` to the opportunity read as `opp`, if it is still at the version read; returns what was written.

    One Core UPDATE (the guarded advance is the engine's hot path); it bumps the
    version and sets updated_at and last_activity_at. An ORM object of the
    opportunity this session holds is given the written values as its committed
    state, so it reads back what the database holds.
    """
    written = {**values, "updated_at": now, "last_activity_at": now, "version": opp.version + 1}
    params = {"opp_id": opp.id, "read_version": opp.version, **{f"new_{key}": value for key, value in written.items()}}
    if session.connection().execute(_update_statement(tuple(written)), params).rowcount != 1:
        raise changed_by_someone_else(opp.id)
    held = session.identity_map.get(identity_key(Opportunity, opp.id))
    if held is not None:
        for key, value in written.items():
            set_committed_value(held, key, value)
    return written


@functools.cache
def _update_statement(columns: tuple[str, ...]) -> Any:
    """UPDATE of `columns` (bound by name) where the id and the version read still hold: built once per shape."""
    table = tables.opportunities
    return (
        update(table)
        .where(table.c.id == bindparam("opp_id"), table.c.version == bindparam("read_version"))
        .values({name: bindparam(f"new_{name}") for name in columns})
    )


def get_opportunity(session: Session, opportunity_id: int) -> Opportunity:
    """The opportunity as an ORM object (its account, contacts... a view walks)."""
    opp = session.get(Opportunity, opportunity_id)
    if opp is None:
        raise no_opportunity(opportunity_id)
    return opp


def list_opportunities(session: Session, *, stage: str | None = None, owner: str | None = None) -> list[Opportunity]:
    query = select(Opportunity).order_by(Opportunity.id)
    if stage:
        query = query.where(Opportunity.stage == stage)
    found = list(session.scalars(query))
    if owner:
        key = name_key(owner, "--owner")  # the owner as people read the name: `ZHANG` finds Zhang's
        found = [opp for opp in found if stored_key(opp.owner) == key]
    return found


def opportunity_rows(session: Session, *, stage: str | None = None, owner: str | None = None) -> list[State]:
    """`list_opportunities` as Core rows (every column by name): `kam opp list` of 100,000 loads no ORM object."""
    o = tables.opportunities.c
    query = select(tables.opportunities).order_by(o.id)
    if stage:
        query = query.where(o.stage == stage)
    found = list(session.connection().execute(query))
    if owner:
        key = name_key(owner, "--owner")  # as `list_opportunities` reads the owner
        found = [opp for opp in found if stored_key(opp.owner) == key]
    return found


def opportunity_history(session: Session, opportunity_id: int) -> list[Event]:
    state(session, opportunity_id)
    return list(session.scalars(select(Event).where(Event.opportunity_id == opportunity_id).order_by(Event.seq)))


def contract_holder(session: Session, contract_no: str, except_id: int) -> Any:
    """The opportunity other than `except_id` holding `contract_no` (id, title), if one does."""
    o = tables.opportunities.c
    return (
        session.connection()
        .execute(select(o.id, o.title).where(o.contract_no == contract_no, o.id != except_id))
        .first()
    )


def claim_contract_no(session: Session, opportunity_id: int, contract_no: str) -> Row[Any] | None:
    """Make `contract_no` the opportunity's number; returns the opportunity holding it instead, if another does.

    The unique index on `opportunities.contract_no` is what decides: two managers
    filling contracts of the same number at once on PostgreSQL both pass the
    first look, and the second UPDATE waits for the first to commit and then
    fails; inside a savepoint, so the holder can still be read and named.
    """
    holder = contract_holder(session, contract_no, opportunity_id)
    if holder is not None:
        return holder
    table = tables.opportunities
    statement = (
        update(table)
        .where(table.c.id == opportunity_id)
        .values(contract_no=contract_no, updated_at=table.c.updated_at)  # derived: not an edit of the opportunity
    )
    try:
        with session.begin_nested():
            session.connection().execute(statement)
    except IntegrityError:
        return contract_holder(session, contract_no, opportunity_id)
    held = session.identity_map.get(identity_key(Opportunity, opportunity_id))
    if held is not None:
        set_committed_value(held, "contract_no", contract_no)
    return None


def history_rows(session: Session, opportunity_id: int) -> list[Row[Any]]:
    """The opportunity's history rows as plain rows, oldest first."""
    e = tables.events.c
    return list(
        session.connection().execute(
            select(e.seq, e.at, e.actor, e.action, e.trigger, e.documents, e.detail)
            .where(e.opportunity_id == opportunity_id)
            .order_by(e.seq)
        )
    )


def rating_details(session: Session, opportunity_id: int) -> list[dict[str, Any]]:
    """The detail of every rating history row of the opportunity, newest first."""
    query = (
        select(Event.detail)
        .where(Event.opportunity_id == opportunity_id, Event.action == "rating")
        .order_by(Event.seq.desc())
    )
    return [detail or {} for (detail,) in session.execute(query)]


# -- documents ------------------------------------------------------------------------------------


def get_document(session: Session, opportunity_id: int, kind: str, version: int | None = None) -> Document:
    forms.check_kind(kind)
    state(session, opportunity_id)
    query = select(Document).where(Document.opportunity_id == opportunity_id, Document.kind == kind)
    query = (
        query.where(Document.version == version)
        if version is not None
        else query.order_by(Document.version.desc()).limit(1)
    )
    doc = session.scalar(query)
    if doc is None:
        which = f" v{version}" if version is not None else ""
        raise NotFound(
            t(
                f"商机 {opportunity_id} 没有 {kind}{which}：用 kam doc list {opportunity_id} 查看已有文档",
                f"opportunity {opportunity_id} has no {kind}{which}: see kam doc list {opportunity_id}",
            )
        )
    return doc


def list_documents(session: Session, opportunity_id: int) -> list[Document]:
    state(session, opportunity_id)
    return list(
        session.scalars(
            select(Document).where(Document.opportunity_id == opportunity_id).order_by(Document.kind, Document.version)
        )
    )


def latest_documents(session: Session, opportunity_id: int) -> dict[str, Document]:
    """The newest version of each kind the opportunity has."""
    return {d.kind: d for d in list_documents(session, opportunity_id)}


def newest_document(session: Session, opportunity_id: int, kind: str) -> Document | None:
    """The newest stored version of `kind`, valid or not (None when there is none)."""
    return session.scalar(
        select(Document)
        .where(Document.opportunity_id == opportunity_id, Document.kind == kind)
        .order_by(Document.version.desc())
        .limit(1)
    )


def newest_version(session: Session, opportunity_id: int, kind: str) -> int:
    """The newest stored version of `kind` (0 when there is none)."""
    return (
        session.scalar(
            select(func.max(Document.version)).where(Document.opportunity_id == opportunity_id, Document.kind == kind)
        )
        or 0
    )


@dataclass(frozen=True)
class LatestValid:
    """The newest version of a kind that validates against today's schema."""

    document: Row[Any] | None  # the `documents` row: .id, .kind, .version, .data, .author, .created_at, .sha256
    form: Form | None
    newest_version: int | None  # the newest stored version, valid or not
    problem: str | None  # why the newest version does not validate, if it does not


# Built once (the guard runs it on every advance): newest version first, as plain rows.
_VERSIONS = (
    select(tables.documents)
    .where(
        tables.documents.c.opportunity_id == bindparam("opportunity_id"), tables.documents.c.kind == bindparam("kind")
    )
    .order_by(tables.documents.c.version.desc())
)


def latest_valid(session: Session, opportunity_id: int, kind: str) -> LatestValid:
    """Read as Core rows, not ORM objects: the guard needs the values, and loading objects was a third of its time."""
    if session.new:  # a document added in this session but not yet written must count
        session.flush()
    rows = session.connection().execute(_VERSIONS, {"opportunity_id": opportunity_id, "kind": kind}).all()
    return latest_valid_of(kind, rows)


def latest_valid_of(
    kind: str, rows: Sequence[Row[Any]], validated: dict[str, Form | str] | None = None
) -> LatestValid:
    """The newest of `rows` (one kind's versions of one opportunity, newest first) that validates.

    The one reading of "latest valid": `latest_valid` reads one opportunity's rows, the agenda many at once.
    `validated` (a reader of many rows passes one) remembers each content's outcome by its sha256, which
    is the hash of the data: the same content of a kind validates once (a form, or the problem as text).
    """
    problem = None
    for doc in rows:
        key = f"{kind} {doc.sha256}"
        outcome = validated.get(key) if validated is not None else None
        if outcome is None:
            try:
                outcome = forms.validate(kind, doc.data)
            except forms.FormInvalid as exc:
                outcome = "; ".join(e.render("en") for e in exc.errors[:3])
            if validated is not None:
                validated[key] = outcome
        if not isinstance(outcome, str):
            return LatestValid(doc, outcome, rows[0].version, problem)
        if problem is None:
            problem = outcome
    return LatestValid(None, None, rows[0].version if rows else None, problem)


def valid_version(session: Session, opportunity_id: int, kind: str, version: int) -> LatestValid:
    """One stored version of a kind, read as `latest_valid` reads the newest (document None when it is gone)."""
    query = _VERSIONS.where(tables.documents.c.version == version)
    doc = session.connection().execute(query, {"opportunity_id": opportunity_id, "kind": kind}).first()
    if doc is None:
        return LatestValid(None, None, None, None)
    try:
        return LatestValid(doc, forms.validate(kind, doc.data), version, None)
    except forms.FormInvalid as exc:
        return LatestValid(None, None, version, "; ".join(e.render("en") for e in exc.errors[:3]))


# -- sign-offs ------------------------------------------------------------------------------------


def signoffs_on(session: Session, opportunity_id: int, review_version: int) -> list[SignOff]:
    """Every decision on one version of the contract review, oldest first."""
    return list(
        session.scalars(
            select(SignOff)
            .where(SignOff.opportunity_id == opportunity_id, SignOff.review_version == review_version)
            .order_by(SignOff.at, SignOff.id)
        )
    )


def signoffs(session: Session, opportunity_id: int) -> list[SignOff]:
    """Every sign-off of the opportunity, oldest first."""
    return list(
        session.scalars(
            select(SignOff).where(SignOff.opportunity_id == opportunity_id).order_by(SignOff.at, SignOff.id)
        )
    )


# -- the audit ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditGroup:
    """One opportunity's rows as the audit replays them (`opportunity` None: the row is gone, its history is not)."""

    id: int
    opportunity: Row[Any] | None
    events: list[Row[Any]]
    documents: list[Row[Any]]
    signoffs: list[Row[Any]]
    attachments: list[Row[Any]]


AUDIT_CHUNK = 2_000  # rows a server-side cursor fetches at a time (PostgreSQL); SQLite steps its cursor anyway


def audit_stream(connection: Connection) -> Iterator[AuditGroup]:
    """Every opportunity with its history, documents, sign-offs and attachments, in id order, one at a time.

    Five ordered queries are read side by side and merged by opportunity id, so memory holds one
    opportunity's rows, not the database's (100,000 opportunities: the audit stays in tens of MB).
    """
    T = tables
    streams = {
        "opportunity": select(T.opportunities).order_by(T.opportunities.c.id),
        "events": select(T.events).order_by(T.events.c.opportunity_id, T.events.c.seq),
        "documents": select(T.documents).order_by(T.documents.c.opportunity_id, T.documents.c.id),
        "signoffs": select(T.signoffs).order_by(T.signoffs.c.opportunity_id, T.signoffs.c.id),
        "attachments": select(T.attachments).order_by(T.attachments.c.opportunity_id, T.attachments.c.id),
    }
    # per statement: Connection.execution_options would change the caller's connection for good
    groups = {
        name: _grouped(
            connection.execute(query.execution_options(stream_results=True, yield_per=AUDIT_CHUNK)),
            "id" if name == "opportunity" else "opportunity_id",
        )
        for name, query in streams.items()
    }
    heads: dict[str, tuple[int, list[Row[Any]]] | None] = {name: next(it, None) for name, it in groups.items()}
    while True:
        present = [head[0] for head in heads.values() if head is not None]
        if not present:
            return
        current = min(present)
        taken: dict[str, list[Row[Any]]] = {}
        for name, head in heads.items():
            if head is not None and head[0] == current:
                taken[name] = head[1]
                heads[name] = next(groups[name], None)
        opp = taken.get("opportunity")
        yield AuditGroup(
            current,
            opp[0] if opp else None,
            taken.get("events", []),
            taken.get("documents", []),
            taken.get("signoffs", []),
            taken.get("attachments", []),
        )


def _grouped(rows: Any, key: str) -> Iterator[tuple[int, list[Row[Any]]]]:
    """Consecutive rows of one key value, as (value, rows): the rows come ordered by it."""
    index = list(rows.keys()).index(key)  # by position: the audit reads every row of the database through here
    current: int | None = None
    group: list[Row[Any]] = []
    for row in rows:
        value = row[index]
        if value != current:
            if group:
                yield current, group  # type: ignore[misc]
            current, group = value, [row]
        else:
            group.append(row)
    if group:
        yield current, group  # type: ignore[misc]


def contract_numbers(connection: Connection) -> set[str]:
    """Every contract number an opportunity holds (the audit: a number another deal holds may be missing)."""
    o = tables.opportunities.c
    return {number for (number,) in connection.execute(select(o.contract_no).where(o.contract_no.is_not(None)))}

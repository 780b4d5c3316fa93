"""The operations kam performs: accounts, contacts, opportunities, documents and their moves.

Each function takes an open `Session` (the caller owns the transaction: see
`Database.write()`), does one thing, and raises a `KamError` subclass with a
message naming the object and the fix. State changes write their history row
in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from workflow import history, tables
from workflow.errors import ConcurrentChange, InvalidInput, Missing, NotFound, Refused
from workflow.i18n import Text, t, value_label
from workflow.models import Account, Contact, Document, Event, Opportunity, utcnow
from workflow.process import LOST, Process

ACCOUNT_TYPES = ("government", "enterprise", "individual")
ACCOUNT_SIZES = ("large", "medium", "small")
ACCOUNT_CLASSES = ("A", "B", "C")
MARKETS = ("local", "domestic", "international")
INFLUENCE = ("high", "medium", "low")
STANCES = ("supporter", "neutral", "opponent", "unknown")
MAX_TEXT = 10_000


# -- small validators ------------------------------------------------------------


def _choice(name: str, value: str | None, choices: tuple[str, ...]) -> str | None:
    if value is not None and value not in choices:
        raise InvalidInput(t(f"{name} 取值 {value!r} 无效；可选：{', '.join(choices)}", f"{name} {value!r} is not valid; choose one of: {', '.join(choices)}"))
    return value


def _text(name: str, value: str | None, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    if value is not None:
        value = value.strip()
    if required and not value:
        raise InvalidInput(t(f"{name} 不能为空", f"{name} must not be empty"))
    if value and len(value) > limit:
        raise InvalidInput(t(f"{name} 过长（最多 {limit} 字）", f"{name} is too long (at most {limit} characters)"))
    return value or None


def _positive(name: str, value: int | None, *, zero_ok: bool = True) -> int | None:
    if value is not None and (value < 0 or (value == 0 and not zero_ok)):
        raise InvalidInput(t(f"{name} 须为{'非负' if zero_ok else '正'}整数，收到 {value}", f"{name} must be a {'non-negative' if zero_ok else 'positive'} whole number, got {value}"))
    return value


# -- accounts and contacts -------------------------------------------------------


def create_account(
    session: Session,
    *,
    name: str,
    type: str | None,
    account_class: str | None,
    industry: str | None,
    fleet_size: int | None,
    actor: str,
    size: str | None = None,
    market: str | None = None,
    region: str | None = None,
    main_brands: str | None = None,
    address: str | None = None,
) -> Account:
    """Register a customer (account). Names are unique."""
    name = _text("name (名称)", name, required=True, limit=200)  # type: ignore[assignment]
    if session.scalar(select(Account.id).where(Account.name == name)) is not None:
        raise InvalidInput(t(f"客户 {name!r} 已存在：用 kam account list 查看其编号", f"account {name!r} already exists: see kam account list for its id"))
    account = Account(
        name=name,
        type=_choice("type", type, ACCOUNT_TYPES),
        account_class=_choice("class", account_class, ACCOUNT_CLASSES),
        industry=_text("industry", industry, limit=100),
        fleet_size=_positive("fleet-size", fleet_size),
        size=_choice("size", size, ACCOUNT_SIZES),
        market=_choice("market", market, MARKETS),
        region=_text("region", region, limit=100),
        main_brands=_text("main-brands", main_brands, limit=200),
        address=_text("address", address, limit=300),
        reviewed_at=utcnow(),
        created_by=actor,
    )
    session.add(account)
    session.flush()
    return account


EDITABLE_ACCOUNT_FIELDS = ("type", "account_class", "industry", "fleet_size", "size", "market", "region", "main_brands", "address")


def edit_account(session: Session, account_id: int, *, actor: str, reviewed: bool = False, **changes: Any) -> Account:
    """Change account fields given as keyword arguments; `reviewed` marks the data confirmed today."""
    account = get_account(session, account_id)
    checks = {
        "type": lambda v: _choice("type", v, ACCOUNT_TYPES),
        "account_class": lambda v: _choice("class", v, ACCOUNT_CLASSES),
        "size": lambda v: _choice("size", v, ACCOUNT_SIZES),
        "market": lambda v: _choice("market", v, MARKETS),
        "fleet_size": lambda v: _positive("fleet-size", v),
    }
    for key, value in changes.items():
        if key not in EDITABLE_ACCOUNT_FIELDS:
            raise InvalidInput(t(f"客户没有字段 {key}", f"accounts have no field {key}"))
        if value is None:
            continue
        setattr(account, key, checks.get(key, lambda v, k=key: _text(k, v, limit=300))(value))
    if reviewed or any(v is not None for v in changes.values()):
        account.reviewed_at = utcnow()
    session.flush()
    return account


def get_account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(t(f"找不到客户 {account_id}：用 kam account list 查看编号", f"account {account_id} not found: see kam account list"))
    return account


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.id)))


def add_contact(
    session: Session,
    account_id: int,
    name: str,
    *,
    actor: str,
    department: str | None = None,
    title: str | None = None,
    role: str | None = None,
    influence: str | None = None,
    stance: str | None = None,
    phone: str | None = None,
) -> Contact:
    get_account(session, account_id)
    contact = Contact(
        account_id=account_id,
        name=_text("name (姓名)", name, required=True, limit=100),
        department=_text("department", department, limit=100),
        title=_text("title", title, limit=100),
        role=_text("role", role, limit=200),
        influence=_choice("influence", influence, INFLUENCE),
        stance=_choice("stance", stance, STANCES),
        phone=_text("phone", phone, limit=50),
        created_by=actor,
    )
    session.add(contact)
    session.flush()
    return contact


# -- opportunities ------------------------------------------------------------------


def new_opportunity(
    session: Session,
    process: Process,
    account_id: int,
    title: str,
    *,
    owner: str,
    actor: str,
    quantity: int | None = None,
    budget: Decimal | None = None,
    expected_close: dt.date | None = None,
) -> Opportunity:
    """Open a deal at the first stage, with its first history row."""
    get_account(session, account_id)
    now = utcnow()
    opp = Opportunity(
        account_id=account_id,
        title=_text("title (标题)", title, required=True, limit=200),
        owner=_text("owner", owner, required=True, limit=100),
        stage=process.first.id,
        stage_entered_at=now,
        quantity=_positive("quantity", quantity, zero_ok=False),
        budget=budget,
        expected_close=expected_close,
        created_by=actor,
        created_at=now,
        last_activity_at=now,
    )
    session.add(opp)
    session.flush()
    history.append(session, opp.id, actor=actor, action="create", to_stage=opp.stage, at=now, detail={"title": opp.title, "owner": opp.owner}, touch=False)
    return opp


# Built once: session.get(..., with_for_update=True) would build and key a new statement on every call.
_FOR_UPDATE = select(Opportunity).where(Opportunity.id == bindparam("id")).with_for_update()


def get_opportunity(session: Session, opportunity_id: int, *, for_update: bool = False) -> Opportunity:
    """The opportunity, row-locked until the transaction ends when `for_update` (PostgreSQL)."""
    if for_update:
        opp = session.scalars(_FOR_UPDATE, {"id": opportunity_id}).one_or_none()
    else:
        opp = session.get(Opportunity, opportunity_id)
    if opp is None:
        raise _no_opportunity(opportunity_id)
    return opp


def _no_opportunity(opportunity_id: int) -> NotFound:
    return NotFound(t(f"找不到商机 {opportunity_id}：用 kam opp list 查看编号", f"opportunity {opportunity_id} not found: see kam opp list"))


# The guarded advance reads the opportunity as a row (locked on PostgreSQL): it only needs its
# values, and loading an ORM object was a fifth of the advance. `_move` writes either kind.
_ROW_FOR_UPDATE = select(tables.opportunities).where(tables.opportunities.c.id == bindparam("id")).with_for_update()


def _load_row(session: Session, process: Process, opportunity_id: int, expected_version: int | None) -> Any:
    if session.dirty or session.new:  # pending ORM changes must be in the database before it is read around the ORM
        session.flush()
    opp = session.connection().execute(_ROW_FOR_UPDATE, {"id": opportunity_id}).first()
    if opp is None:
        raise _no_opportunity(opportunity_id)
    _check_version(process, opp, expected_version)
    return opp


def list_opportunities(session: Session, *, stage: str | None = None, owner: str | None = None) -> list[Opportunity]:
    query = select(Opportunity).order_by(Opportunity.id)
    if stage:
        query = query.where(Opportunity.stage == stage)
    if owner:
        query = query.where(Opportunity.owner == owner)
    return list(session.scalars(query))


@dataclass
class Check:
    """What the next step of an opportunity still needs (the dry run of `advance`)."""

    opportunity: Opportunity
    trigger: str | None
    next_stage: str | None
    missing: list[Missing] = field(default_factory=list)
    documents: dict[str, int] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return not self.missing


def check(session: Session, process: Process, opportunity_id: int) -> Check:
    """Every unmet requirement of the opportunity's next forward step."""
    from workflow.requirements import evaluate

    opp = get_opportunity(session, opportunity_id)
    status = _status_blockers(process, opp)
    stage = process.by_id.get(opp.stage)
    following = process.next_stage(opp.stage) if stage else None
    result = Check(opp, stage.trigger if stage else None, following.id if following else None, status)
    if stage is not None and stage.trigger:
        evaluation = evaluate(session, process, opp)
        result.missing.extend(evaluation.missing)
        result.documents = evaluation.documents
    return result


def _status_blockers(process: Process, opp: Opportunity) -> list[Missing]:
    if opp.stage == LOST:
        return [Missing("lost", t(f"商机已丢单（原因：{value_label(opp.lost_reason)}）", f"the opportunity is lost (reason: {opp.lost_reason})"), f"kam opp reopen {opp.id}")]
    stage = process.by_id.get(opp.stage)
    if stage is None:
        return [Missing("unknown-stage", t(f"阶段 {opp.stage} 不在当前流程中", f"stage {opp.stage} is not in the active process"), "kam workflow show")]
    if not stage.trigger:
        return [Missing("final-stage", t("已是最后阶段（合同已签订）", "already at the last stage (contract signed)"), f"kam opp show {opp.id}")]
    if opp.on_hold:
        return [Missing("on-hold", t(f"商机已暂停：{opp.hold_reason}", f"the opportunity is on hold: {opp.hold_reason}"), f"kam opp resume {opp.id}")]
    return []


def _load(session: Session, process: Process, opportunity_id: int, expected_version: int | None) -> Opportunity:
    opp = get_opportunity(session, opportunity_id, for_update=True)
    _check_version(process, opp, expected_version)
    return opp


def _check_version(process: Process, opp: Any, expected_version: int | None) -> None:
    opportunity_id = opp.id
    if expected_version is not None and opp.version != expected_version:
        raise ConcurrentChange(
            t(
                f"商机 {opportunity_id} 刚被其他人修改（现处于「{process.stage_label(opp.stage)}」）：请用 kam opp show {opportunity_id} 重新查看后再操作",
                f"opportunity {opportunity_id} was just changed by someone else (now at {process.stage_label(opp.stage, 'en')}): look again with kam opp show {opportunity_id}",
            )
        )


def _move(
    session: Session,
    opp: Any,  # an Opportunity, or a row of opportunities (the guarded advance)
    *,
    to_stage: str | None,
    trigger: str,
    actor: str,
    reason: str | None = None,
    documents: dict[str, int] | None = None,
    detail: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> history.Recorded:
    """Write one move: the opportunity's row (with `changes`) and its history row.

    One Core UPDATE, checked against the version the opportunity was read at (a
    writer who lost a race changes nothing), instead of the ORM's unit of work:
    the guarded advance is the engine's hot path. The loaded object is then given
    the written values as its committed state, so it reads back what the
    database holds and has nothing left to flush.
    """
    now = now or utcnow()
    from_stage = opp.stage
    values: dict[str, Any] = dict(changes or {})
    if to_stage is not None and to_stage != from_stage:
        values.update(stage=to_stage, stage_entered_at=now)
    values.update(updated_at=now, last_activity_at=now, version=opp.version + 1)  # in-stage changes (hold) bump it too
    params = {"opp_id": opp.id, "read_version": opp.version, **{f"new_{key}": value for key, value in values.items()}}
    written = session.connection().execute(_move_statement(tuple(values)), params)
    if written.rowcount != 1:  # changed since it was read: nothing is written
        raise ConcurrentChange(
            t(
                f"商机 {opp.id} 刚被其他人修改：请用 kam opp show {opp.id} 重新查看后再操作",
                f"opportunity {opp.id} was just changed by someone else: look again with kam opp show {opp.id}",
            )
        )
    # the loaded object (or, for a row, the object this session may hold) reads back what was written
    loaded = opp if isinstance(opp, Opportunity) else session.identity_map.get(identity_key(Opportunity, opp.id))
    if loaded is not None:
        for key, value in values.items():
            set_committed_value(loaded, key, value)
    return history.append(
        session,
        opp.id,
        actor=actor,
        action="transition",
        trigger=trigger,
        from_stage=from_stage,
        to_stage=values.get("stage", from_stage),
        reason=reason,
        documents=documents or None,
        detail=detail,
        at=now,
        touch=False,  # last_activity_at is in the UPDATE above
    )


@functools.cache
def _move_statement(columns: tuple[str, ...]) -> Any:
    """UPDATE of `columns` (bound by name) where the id and the version read still hold: built once per shape."""
    table = tables.opportunities
    return (
        update(table)
        .where(table.c.id == bindparam("opp_id"), table.c.version == bindparam("read_version"))
        .values({name: bindparam(f"new_{name}") for name in columns})
    )


def _refuse(process: Process, opp: Opportunity, trigger: str, missing: list[Missing]) -> Refused:
    stage = process.stage_label(opp.stage)
    stage_en = process.stage_label(opp.stage, "en")
    return Refused(
        t(
            f"商机 {opp.id}「{opp.title}」不能执行 {trigger}（当前阶段：{stage}），还缺 {len(missing)} 项：",
            f"opportunity {opp.id} ({opp.title}) cannot {trigger} from {stage_en}; {len(missing)} requirement(s) unmet:",
        ),
        missing,
    )


def advance(session: Session, process: Process, opportunity_id: int, *, actor: str, expected_version: int | None = None) -> history.Recorded:
    """Fire the current stage's forward trigger if every requirement holds."""
    opp = _load_row(session, process, opportunity_id, expected_version)
    blockers = _status_blockers(process, opp)
    stage = process.by_id.get(opp.stage)
    if blockers and blockers[0].code != "on-hold" or stage is None or not stage.trigger:
        raise _refuse(process, opp, "advance", blockers)
    from workflow.machine import fire  # transitions loads only for commands that move an opportunity

    ok, subject = fire(session, process, opp, stage.trigger)
    evaluation = subject.evaluation
    if not ok or evaluation is None:
        missing = blockers + (evaluation.missing if evaluation else [])
        raise _refuse(process, opp, stage.trigger, missing)
    following = process.next_stage(opp.stage)
    assert following is not None
    now = utcnow()
    signed = {"signed_at": now} if following.id == process.last.id else None  # the moment of the move
    return _move(session, opp, to_stage=following.id, trigger=stage.trigger, actor=actor, documents=evaluation.documents, changes=signed, now=now)


def _fire_lifecycle(session: Session, process: Process, opp: Opportunity, trigger: str, refusal: Text) -> str:
    from workflow.machine import fire

    ok, subject = fire(session, process, opp, trigger)
    if not ok:
        raise Refused(refusal, [])
    return subject.state


def lose(session: Session, process: Process, opportunity_id: int, *, reason: str, note: str | None, actor: str, expected_version: int | None = None) -> history.Recorded:
    if reason not in process.lost_reasons:
        raise InvalidInput(t(f"丢单原因 {reason!r} 无效；可选：{', '.join(process.lost_reasons)}", f"lost reason {reason!r} is not valid; choose one of: {', '.join(process.lost_reasons)}"))
    note = _text("note", note)
    opp = _load(session, process, opportunity_id, expected_version)
    from_stage = opp.stage
    _fire_lifecycle(
        session, process, opp, "lose",
        t(f"商机 {opp.id} 处于「{process.stage_label(opp.stage)}」，不能标记丢单（只有未签约的商机可以）", f"opportunity {opp.id} is at {process.stage_label(opp.stage, 'en')} and cannot be lost (only open opportunities can)"),
    )
    changes = {"lost_from": from_stage, "lost_reason": reason, "lost_note": note, "on_hold": False, "hold_reason": None}
    return _move(session, opp, to_stage=LOST, trigger="lose", actor=actor, reason=reason, detail={"note": note} if note else None, changes=changes)


def reopen(session: Session, process: Process, opportunity_id: int, *, actor: str, reason: str | None = None, expected_version: int | None = None) -> history.Recorded:
    opp = _load(session, process, opportunity_id, expected_version)
    back_to = _fire_lifecycle(
        session, process, opp, "reopen",
        t(f"商机 {opp.id} 没有丢单，无需重新打开", f"opportunity {opp.id} is not lost; nothing to reopen"),
    )
    changes = {"lost_from": None, "lost_reason": None, "lost_note": None}
    return _move(session, opp, to_stage=back_to, trigger="reopen", actor=actor, reason=_text("reason", reason), changes=changes)


def revert(session: Session, process: Process, opportunity_id: int, *, reason: str, actor: str, expected_version: int | None = None) -> history.Recorded:
    reason = _text("reason (原因)", reason, required=True)  # type: ignore[assignment]
    opp = _load(session, process, opportunity_id, expected_version)
    back_to = _fire_lifecycle(
        session, process, opp, "revert",
        t(
            f"商机 {opp.id} 处于「{process.stage_label(opp.stage)}」，不能退回（第一阶段、已签约、已丢单或暂停中的商机不能退回）",
            f"opportunity {opp.id} at {process.stage_label(opp.stage, 'en')} cannot go back (not from the first stage, a signed, lost or held opportunity)",
        ),
    )
    return _move(session, opp, to_stage=back_to, trigger="revert", actor=actor, reason=reason)


def hold(session: Session, process: Process, opportunity_id: int, *, reason: str, actor: str, expected_version: int | None = None) -> history.Recorded:
    reason = _text("reason (原因)", reason, required=True)  # type: ignore[assignment]
    opp = _load(session, process, opportunity_id, expected_version)
    _fire_lifecycle(
        session, process, opp, "hold",
        t(f"商机 {opp.id} 已暂停或已结束，不能再暂停", f"opportunity {opp.id} is already on hold or closed"),
    )
    return _move(session, opp, to_stage=None, trigger="hold", actor=actor, reason=reason, changes={"on_hold": True, "hold_reason": reason})


def resume(session: Session, process: Process, opportunity_id: int, *, actor: str, expected_version: int | None = None) -> history.Recorded:
    opp = _load(session, process, opportunity_id, expected_version)
    _fire_lifecycle(
        session, process, opp, "resume",
        t(f"商机 {opp.id} 没有暂停，无需恢复", f"opportunity {opp.id} is not on hold; nothing to resume"),
    )
    return _move(session, opp, to_stage=None, trigger="resume", actor=actor, changes={"on_hold": False, "hold_reason": None})


def opportunity_history(session: Session, opportunity_id: int) -> list[Event]:
    get_opportunity(session, opportunity_id)
    return list(session.scalars(select(Event).where(Event.opportunity_id == opportunity_id).order_by(Event.seq)))


# -- documents ------------------------------------------------------------------------


def fill_document(session: Session, opportunity_id: int, kind: str, data: Any, *, actor: str) -> Document:
    """Validate `data` against `kind`'s schema and store it as the next version."""
    import forms

    try:
        form_cls = forms.get(kind)
    except forms.UnknownKind:
        raise _unknown_kind(kind) from None
    opp = get_opportunity(session, opportunity_id, for_update=True)
    try:
        form = forms.validate(kind, data)
    except forms.FormInvalid as exc:
        raise InvalidInput(
            t(
                f"《{form_cls.title_zh}》有 {len(exc.errors)} 处问题，未保存：",
                f"the {form_cls.title_en} has {len(exc.errors)} problem(s); nothing was stored:",
            ),
            [Text(e.render("zh"), e.render("en")) for e in exc.errors],
        ) from None
    stored = forms.dump(form)
    last = session.scalar(
        select(Document.version).where(Document.opportunity_id == opp.id, Document.kind == kind).order_by(Document.version.desc()).limit(1)
    )
    now = utcnow()
    doc = Document(
        opportunity_id=opp.id, kind=kind, version=(last or 0) + 1, data=stored, author=actor, created_at=now, sha256=history.sha256(stored)
    )
    session.add(doc)
    history.append(
        session, opp.id, actor=actor, action="document", at=now, detail={"kind": kind, "version": doc.version, "sha256": doc.sha256}
    )
    if kind == "service-plan":  # the schedule's stored plan follows the newest version
        from workflow.schedule import store_plan

        store_plan(session.connection(), opp.id, stored)
    session.flush()
    return doc


def check_kind(kind: str) -> None:
    """Refuse an unknown document kind with the list of known ones."""
    import forms

    if kind not in forms.KINDS:
        raise _unknown_kind(kind)


def _unknown_kind(kind: str) -> InvalidInput:
    import forms

    return InvalidInput(t(f"未知文档类型 {kind!r}；可选：{', '.join(forms.KINDS)}", f"unknown document kind {kind!r}; choose one of: {', '.join(forms.KINDS)}"))


def get_document(session: Session, opportunity_id: int, kind: str, version: int | None = None) -> Document:
    check_kind(kind)
    get_opportunity(session, opportunity_id)
    query = select(Document).where(Document.opportunity_id == opportunity_id, Document.kind == kind)
    query = query.where(Document.version == version) if version is not None else query.order_by(Document.version.desc()).limit(1)
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
    get_opportunity(session, opportunity_id)
    return list(session.scalars(select(Document).where(Document.opportunity_id == opportunity_id).order_by(Document.kind, Document.version)))

"""The append-only history: every change to an opportunity, hash-chained per opportunity.

Each row's `hash` is the SHA-256 of its own content and the previous row's hash,
so altering or deleting a row outside kam breaks the chain from that row on;
`audit()` recomputes every chain, replays it against the opportunity, its
documents and sign-offs, and names the first broken row of each.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from workflow.i18n import Text, t
from workflow.models import Event, Opportunity, utcnow

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """Stable JSON text: sorted keys, no whitespace, dates as ISO strings."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def sha256(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


class Recorded(NamedTuple):
    """A history row as written by `append` (the columns of `events`; id unknown)."""

    id: int | None
    opportunity_id: int
    seq: int
    at: dt.datetime
    actor: str
    action: str
    trigger: str | None
    from_stage: str | None
    to_stage: str | None
    reason: str | None
    documents: dict[str, int] | None
    detail: dict[str, Any] | None
    prev_hash: str
    hash: str


def event_hash(prev_hash: str, event: Event | Recorded) -> str:
    return sha256(
        [
            prev_hash,
            event.opportunity_id,
            event.seq,
            event.at.isoformat(timespec="microseconds"),
            event.actor,
            event.action,
            event.trigger,
            event.from_stage,
            event.to_stage,
            event.reason,
            event.documents,
            event.detail,
        ]
    )


def append(
    session: Session,
    opportunity_id: int,
    *,
    actor: str,
    action: str,
    trigger: str | None = None,
    from_stage: str | None = None,
    to_stage: str | None = None,
    reason: str | None = None,
    documents: dict[str, int] | None = None,
    detail: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
    touch: bool = True,
) -> Recorded:
    """Add the next history row of an opportunity in the caller's transaction.

    The row is written with one Core INSERT (no unit-of-work flush): the history is
    append-only, so the session never needs to track it. The returned `Recorded`
    has the row's values (no id): no ORM object is built for a row nobody edits.

    The opportunity's `last_activity_at` follows the newest row, with one Core
    UPDATE, unless the caller writes it itself (`touch=False`: a new opportunity
    is created with it, a move sets it in the same UPDATE as the stage).
    """
    connection = session.connection()
    last = connection.execute(_LAST, {"opportunity_id": opportunity_id}).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    fields = {
        "opportunity_id": opportunity_id, "seq": seq, "at": at or utcnow(), "actor": actor, "action": action, "trigger": trigger,
        "from_stage": from_stage, "to_stage": to_stage, "reason": reason, "documents": documents, "detail": detail, "prev_hash": prev,
    }
    fields["hash"] = event_hash(prev, Recorded(id=None, hash="", **fields))
    event = Recorded(id=None, **fields)
    connection.execute(_INSERT, fields)
    if touch:
        connection.execute(_TOUCH, {"opp_id": opportunity_id, "event_at": event.at})
    return event


# Built once: the hot path neither rebuilds nor re-keys these statements.
_INSERT = insert(Event.__table__)
_OPPS = Opportunity.__table__
# An older row written later (a backdated note) leaves the newest time in place. Derived values
# are not an edit of the opportunity: updated_at keeps its value (the column's onupdate would not).
_TOUCH = (
    update(_OPPS)
    .where(_OPPS.c.id == bindparam("opp_id"), _OPPS.c.last_activity_at < bindparam("event_at"))
    .values(last_activity_at=bindparam("event_at"), updated_at=_OPPS.c.updated_at)
)
_LAST = select(Event.seq, Event.hash).where(Event.opportunity_id == bindparam("opportunity_id")).order_by(Event.seq.desc()).limit(1)


@dataclass(frozen=True)
class Break:
    """The first row of an opportunity's record that does not hold up.

    `problem` is one of:
      gap, link, hash      the chain itself: a row missing in the middle, a row
                           pointing at the wrong predecessor, a row altered
      no-history           an opportunity without any history row
      orphan               history rows of an opportunity that no longer exists
      stage, hold          the opportunity's stage / hold flag differs from the
                           replay of its history (rows deleted at the end, or
                           the opportunity changed outside kam)
      activity             the opportunity's last_activity_at is not the time of
                           its newest history row (the stalled list would be wrong)
      plan                 the stored follow-up plan (planned_followups) is not what
                           the latest service plan and the recorded follow-ups give
      document-changed     a document's data no longer matches the hash its
                           history row recorded
      document-deleted     a history row records a document that is gone
      document-unrecorded  a document with no history row (added outside kam)
      signoff-changed, signoff-deleted, signoff-unrecorded   the same for sign-offs
    `seq` is the history row concerned (0 when there is none); `detail` names the
    document, sign-off or values involved.
    """

    opportunity_id: int
    seq: int
    problem: str
    detail: str = ""

    def message(self) -> Text:
        """One line naming the opportunity, the row and what is wrong."""
        o, n, d = self.opportunity_id, self.seq, self.detail
        texts = {
            "gap": t(f"商机 {o} 的历史缺少第 {n} 行之前的记录（{d}）", f"opportunity {o}: history row(s) before seq {n} are missing ({d})"),
            "link": t(f"商机 {o} 第 {n} 行历史与前一行不衔接（前一行被改动或删除）", f"opportunity {o} seq {n}: does not link to the row before it (that row was altered or deleted)"),
            "hash": t(f"商机 {o} 第 {n} 行历史的内容被改动", f"opportunity {o} seq {n}: the row was altered"),
            "no-history": t(f"商机 {o} 没有任何历史记录（被整体删除）", f"opportunity {o}: has no history at all (deleted)"),
            "orphan": t(f"商机 {o} 不存在，却有历史记录（商机被删除）", f"opportunity {o}: does not exist but has history rows (the opportunity was deleted)"),
            "stage": t(f"商机 {o} 的阶段与历史不符：{d}（最后一行是第 {n} 行，其后的记录被删除，或阶段在 kam 之外被修改）", f"opportunity {o}: stage does not match its history: {d} (the last row is seq {n}: later rows were deleted or the stage was changed outside kam)"),
            "hold": t(f"商机 {o} 的暂停状态与历史不符：{d}（最后一行是第 {n} 行）", f"opportunity {o}: hold status does not match its history: {d} (the last row is seq {n})"),
            "activity": t(f"商机 {o} 的最近活动时间与历史不符：{d}（最后一行是第 {n} 行）；kam init --rebuild 可重建", f"opportunity {o}: last activity does not match its history: {d} (the last row is seq {n}); kam init --rebuild rebuilds it"),
            "plan": t(f"商机 {o} 存储的回访计划与其服务计划及已登记回访不符（在 kam 之外被改动）；kam init --rebuild 可重建", f"opportunity {o}: the stored follow-up plan does not match its service plan and recorded follow-ups (changed outside kam); kam init --rebuild rebuilds it"),
            "document-changed": t(f"商机 {o} 第 {n} 行记录的文档 {d} 内容被改动", f"opportunity {o} seq {n}: document {d} was altered"),
            "document-deleted": t(f"商机 {o} 第 {n} 行记录的文档 {d} 已不存在", f"opportunity {o} seq {n}: document {d} was deleted"),
            "document-unrecorded": t(f"商机 {o} 的文档 {d} 没有历史记录（在 kam 之外添加）", f"opportunity {o}: document {d} has no history row (added outside kam)"),
            "signoff-changed": t(f"商机 {o} 第 {n} 行记录的会签 {d} 被改动", f"opportunity {o} seq {n}: sign-off {d} was altered"),
            "signoff-deleted": t(f"商机 {o} 第 {n} 行记录的会签 {d} 已不存在", f"opportunity {o} seq {n}: sign-off {d} was deleted"),
            "signoff-unrecorded": t(f"商机 {o} 的会签 {d} 没有历史记录（在 kam 之外添加）", f"opportunity {o}: sign-off {d} has no history row (added outside kam)"),
        }
        return texts[self.problem]


@dataclass
class Audit:
    """What `audit()` found: rows and opportunities checked, and the first break of each broken one."""

    checked: int
    opportunities: int
    breaks: list[Break]

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify(session: Session) -> tuple[int, list[Break]]:
    """(rows checked, first break of each broken opportunity): see `audit()`."""
    result = audit(session)
    return result.checked, result.breaks


def audit(session: Session) -> Audit:
    """Recompute every opportunity's chain and check it against what it describes.

    The chain alone catches a row altered or deleted in the middle. Deleting the
    last rows (or all of them) leaves a valid shorter chain, so each opportunity
    is also replayed: its stage and hold flag must be where its history leaves
    them, and its documents and sign-offs must be exactly the ones its history
    recorded, with the recorded hashes. No schema support is needed: the
    history rows already carry every value compared here.
    """
    from workflow.models import Document, Opportunity, SignOff

    events: dict[int, list[Event]] = {}
    checked = 0
    for event in session.execute(select(Event).order_by(Event.opportunity_id, Event.seq)).scalars():
        events.setdefault(event.opportunity_id, []).append(event)
        checked += 1
    documents: dict[int, list[Document]] = {}
    for doc in session.execute(select(Document).order_by(Document.opportunity_id, Document.id)).scalars():
        documents.setdefault(doc.opportunity_id, []).append(doc)
    signoffs: dict[int, list[SignOff]] = {}
    for signoff in session.execute(select(SignOff).order_by(SignOff.opportunity_id, SignOff.id)).scalars():
        signoffs.setdefault(signoff.opportunity_id, []).append(signoff)
    opportunities = {
        row.id: row for row in session.execute(select(Opportunity.id, Opportunity.stage, Opportunity.on_hold, Opportunity.last_activity_at))
    }

    breaks: list[Break] = []
    for opp_id in sorted(set(events) | set(opportunities)):
        opp = opportunities.get(opp_id)
        rows = events.get(opp_id, [])
        if opp is None:
            breaks.append(Break(opp_id, rows[0].seq, "orphan"))
            continue
        found = _chain_break(opp_id, rows) or _replay_break(opp, rows, documents.get(opp_id, []), signoffs.get(opp_id, []))
        if found:
            breaks.append(found)
    # Derived data: the schedule's stored plans must be what the service plans and follow-ups give.
    from workflow.schedule import plan_mismatches

    broken = {b.opportunity_id for b in breaks}
    breaks += [Break(opp_id, 0, "plan") for opp_id in plan_mismatches(session.connection()) if opp_id not in broken]
    breaks.sort(key=lambda b: b.opportunity_id)
    return Audit(checked, len(opportunities), breaks)


def rebuild_derived(connection: Connection) -> dict[str, int]:
    """Recompute what is derived from the history and the documents (`kam init --rebuild`, `kam import`).

    Every opportunity's last_activity_at, and the stored follow-up plans; returns how
    many opportunities and planned follow-ups were written.
    """
    from workflow.schedule import rebuild_plans

    events = Event.__table__
    newest = select(func.max(events.c.at)).where(events.c.opportunity_id == _OPPS.c.id).scalar_subquery()
    activity = update(_OPPS).values(last_activity_at=func.coalesce(newest, _OPPS.c.created_at), updated_at=_OPPS.c.updated_at)
    opportunities = connection.execute(activity).rowcount
    return {"opportunities": opportunities, "planned_followups": rebuild_plans(connection)}


def _chain_break(opp_id: int, rows: list[Event]) -> Break | None:
    if not rows:
        return Break(opp_id, 0, "no-history")
    prev, expected_seq = GENESIS, 1
    for event in rows:
        if event.seq != expected_seq:
            return Break(opp_id, event.seq, "gap", f"expected seq {expected_seq}")
        if event.prev_hash != prev:
            return Break(opp_id, event.seq, "link")
        if event_hash(prev, event) != event.hash:
            return Break(opp_id, event.seq, "hash")
        prev, expected_seq = event.hash, event.seq + 1
    return None


def _replay_break(opp: Any, rows: list[Event], documents: list[Any], signoffs: list[Any]) -> Break | None:
    """Replay an intact chain and compare it with the opportunity, its documents and its sign-offs."""
    stage: str | None = None
    on_hold = False
    by_version = {(d.kind, d.version): d for d in documents}
    recorded_docs: set[tuple[str, int]] = set()
    pending_signoffs = list(signoffs)  # in insertion order, as their history rows
    for event in rows:
        if event.action == "create":
            stage = event.to_stage
        elif event.action == "transition":
            stage = event.to_stage or stage
            if event.trigger == "hold":
                on_hold = True
            elif event.trigger in ("resume", "lose"):
                on_hold = False
        elif event.action == "document":
            detail = event.detail or {}
            key = (detail.get("kind"), detail.get("version"))
            name = f"{key[0]} v{key[1]}"
            doc = by_version.get(key)  # type: ignore[arg-type]
            if doc is None:
                return Break(opp.id, event.seq, "document-deleted", name)
            if doc.sha256 != detail.get("sha256") or sha256(doc.data) != doc.sha256:
                return Break(opp.id, event.seq, "document-changed", name)
            recorded_docs.add(key)  # type: ignore[arg-type]
        elif event.action == "signoff":
            department = (event.detail or {}).get("department")
            name = f"{department} by {event.actor}"
            if not pending_signoffs:
                return Break(opp.id, event.seq, "signoff-deleted", name)
            match = next((s for s in pending_signoffs if _signoff_fields(s) == _signoff_fields_of(event)), None)
            if match is None:
                deleted = len(signoffs) < sum(1 for e in rows if e.action == "signoff")
                return Break(opp.id, event.seq, "signoff-deleted" if deleted else "signoff-changed", name)
            pending_signoffs.remove(match)
    last = rows[-1].seq
    if stage != opp.stage:
        return Break(opp.id, last, "stage", f"{opp.stage} in the opportunity, {stage} in the history")
    if bool(opp.on_hold) != on_hold:
        return Break(opp.id, last, "hold", f"{'on hold' if opp.on_hold else 'active'} in the opportunity, {'on hold' if on_hold else 'active'} in the history")
    newest = max(_instant(event.at) for event in rows)
    if _instant(opp.last_activity_at) != newest:
        return Break(opp.id, last, "activity", f"{_instant(opp.last_activity_at)} in the opportunity, {newest} in the history")
    for doc in documents:
        if (doc.kind, doc.version) not in recorded_docs:
            return Break(opp.id, last, "document-unrecorded", f"{doc.kind} v{doc.version}")
    if pending_signoffs:
        s = pending_signoffs[0]
        return Break(opp.id, last, "signoff-unrecorded", f"{s.department} by {s.reviewer}")
    return None


def _signoff_fields(signoff: Any) -> tuple:
    return (signoff.reviewer, signoff.department, signoff.decision, signoff.comment, signoff.review_version, _instant(signoff.at))


def _signoff_fields_of(event: Event) -> tuple:
    detail = event.detail or {}
    return (
        event.actor,
        detail.get("department"),
        detail.get("decision"),
        event.reason,
        (event.documents or {}).get("contract-review"),
        _instant(event.at),
    )


def _instant(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="microseconds") if value else None

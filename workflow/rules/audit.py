"""The audit's checks over plain rows: is each opportunity's record what kam wrote?

Pure: `operations.verify` streams the rows (history, opportunities, documents,
sign-offs) one opportunity at a time and these functions name the first row of
each opportunity that does not hold up. The chain alone catches a row altered or
deleted in the middle; deleting the last rows (or all of them) leaves a valid
shorter chain, so each opportunity is also replayed:

- its stage and hold flag must be where its history leaves them (`rules.lifecycle`);
- every other fact of the opportunity a user or the gate relies on (`FACTS`: owner,
  title, quantity, budget, signature, loss, ratings...) must be what its history
  rows set (`replay_facts`): every write of an opportunity appends the row that says
  what it set, so the opportunity is derived from its chain and checked against it;
- its documents (their data, author and time) and sign-offs must be exactly the
  ones its history recorded;
- its last activity must not be later than its newest row: the row that moved it
  was deleted (`truncated`: the evidence, which `kam init --rebuild` would erase).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from workflow.i18n import Text, t
from workflow.records.acting import acted_for
from workflow.records.hashing import GENESIS, event_hash, ledger_hash, sha256
from workflow.rules import contract, lifecycle


@dataclass(frozen=True)
class Break:
    """The first row of an opportunity's record that does not hold up.

    `problem` is one of:
      gap, link, hash      the chain itself: a row missing in the middle, a row
                           pointing at the wrong predecessor, a row altered
      no-history           an opportunity without any history row
      orphan               history rows of an opportunity that no longer exists
      truncated            the opportunity's last activity is later than its newest
                           history row: the rows after it were deleted (a rating, a
                           hold and its resume...); not rebuildable: it is the evidence
      stage, hold          the opportunity's stage / hold flag differs from the
                           replay of its history (rows deleted at the end, or
                           the opportunity changed outside kam)
      changed              a fact of the opportunity (`FACTS`: owner, quantity, budget,
                           title, signed_at, lost_reason, relationship_level, heat...)
                           differs from what its history rows set (changed outside kam)
      amending             the opportunity's open amendment (amending_since) differs from
                           the replay of its history (`amend` opens one, `amended` closes it)
      contract             the opportunity's contract number (contract_no, unique across
                           opportunities) is not its newest contract review's
      activity             the opportunity's last_activity_at is not the time of
                           its newest history row (the stalled list would be wrong)
      plan                 the stored follow-up plan (planned_followups) is not what
                           the latest service plan and the recorded follow-ups give
      document-changed     a document's data no longer matches the hash its
                           history row recorded, or its author or time is not its row's
      document-deleted     a history row records a document that is gone
      document-unrecorded  a document with no history row (added outside kam)
      signoff-changed, signoff-deleted, signoff-unrecorded   the same for sign-offs
      attachment-changed, attachment-deleted, attachment-unrecorded   the same for
                           attachments; -changed also when the file's stored bytes no
                           longer hash to the sha256 recorded (or are gone)
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
            "gap": t(
                f"商机 {o} 的历史缺少第 {n} 行之前的记录（{d}）",
                f"opportunity {o}: history row(s) before seq {n} are missing ({d})",
            ),
            "link": t(
                f"商机 {o} 第 {n} 行历史与前一行不衔接（前一行被改动或删除）",
                f"opportunity {o} seq {n}: does not link to the row before it (that row was altered or deleted)",
            ),
            "hash": t(f"商机 {o} 第 {n} 行历史的内容被改动", f"opportunity {o} seq {n}: the row was altered"),
            "no-history": t(
                f"商机 {o} 没有任何历史记录（被整体删除）", f"opportunity {o}: has no history at all (deleted)"
            ),
            "orphan": t(
                f"商机 {o} 不存在，却有历史记录（商机被删除）",
                f"opportunity {o}: does not exist but has history rows (the opportunity was deleted)",
            ),
            "stage": t(
                f"商机 {o} 的阶段与历史不符：{d}（最后一行是第 {n} 行，其后的记录被删除，或阶段在 kam 之外被修改）",
                f"opportunity {o}: stage does not match its history: {d} (the last row is seq {n}: later rows were "
                "deleted or the stage was changed outside kam)",
            ),
            "truncated": t(
                f"商机 {o} 的历史被截断：第 {n} 行之后的记录被删除（{d}）；请从备份或导出文件恢复"
                "（kam init --rebuild 会抹去这一证据，因此拒绝运行）",
                f"opportunity {o}: its history was truncated: the rows after seq {n} were deleted ({d}); restore them "
                "from a backup or an export (kam init --rebuild would erase this evidence, so it refuses)",
            ),
            "changed": t(
                f"商机 {o} 在 kam 之外被改动：{d}（历史记录 → 商机现值；最后一行是第 {n} 行）",
                f"opportunity {o} was changed outside kam: {d} (its history → the opportunity; the last row is seq "
                f"{n})",
            ),
            "hold": t(
                f"商机 {o} 的暂停状态与历史不符：{d}（最后一行是第 {n} 行）",
                f"opportunity {o}: hold status does not match its history: {d} (the last row is seq {n})",
            ),
            "amending": t(
                f"商机 {o} 的合同变更状态与历史不符：{d}（最后一行是第 {n} 行）",
                f"opportunity {o}: its amendment status does not match its history: {d} (the last row is seq {n})",
            ),
            "contract": t(
                f"商机 {o} 的合同编号与其最新合同审核表不符：{d}（在 kam 之外被改动）",
                f"opportunity {o}: its contract number does not match its newest contract review: {d} (changed "
                "outside kam)",
            ),
            "activity": t(
                f"商机 {o} 的最近活动时间与历史不符：{d}（最后一行是第 {n} 行）；kam init --rebuild 可重建",
                f"opportunity {o}: last activity does not match its history: {d} (the last row is seq {n}); kam init "
                "--rebuild rebuilds it",
            ),
            "plan": t(
                f"商机 {o} 存储的回访计划与其服务计划及已登记回访不符（在 kam 之外被改动）；kam init --rebuild 可重建",
                f"opportunity {o}: the stored follow-up plan does not match its service plan and recorded follow-ups "
                "(changed outside kam); kam init --rebuild rebuilds it",
            ),
            "document-changed": t(
                f"商机 {o} 第 {n} 行记录的文档 {d} 内容被改动", f"opportunity {o} seq {n}: document {d} was altered"
            ),
            "document-deleted": t(
                f"商机 {o} 第 {n} 行记录的文档 {d} 已不存在", f"opportunity {o} seq {n}: document {d} was deleted"
            ),
            "document-unrecorded": t(
                f"商机 {o} 的文档 {d} 没有历史记录（在 kam 之外添加）",
                f"opportunity {o}: document {d} has no history row (added outside kam)",
            ),
            "signoff-changed": t(
                f"商机 {o} 第 {n} 行记录的会签 {d} 被改动", f"opportunity {o} seq {n}: sign-off {d} was altered"
            ),
            "signoff-deleted": t(
                f"商机 {o} 第 {n} 行记录的会签 {d} 已不存在", f"opportunity {o} seq {n}: sign-off {d} was deleted"
            ),
            "signoff-unrecorded": t(
                f"商机 {o} 的会签 {d} 没有历史记录（在 kam 之外添加）",
                f"opportunity {o}: sign-off {d} has no history row (added outside kam)",
            ),
            "attachment-changed": t(
                f"商机 {o} 第 {n} 行记录的附件 {d} 被改动", f"opportunity {o} seq {n}: attachment {d} was altered"
            ),
            "attachment-deleted": t(
                f"商机 {o} 第 {n} 行记录的附件 {d} 已不存在", f"opportunity {o} seq {n}: attachment {d} was deleted"
            ),
            "attachment-unrecorded": t(
                f"商机 {o} 的附件 {d} 没有历史记录（在 kam 之外添加）",
                f"opportunity {o}: attachment {d} has no history row (added outside kam)",
            ),
        }
        return texts[self.problem]


# What `kam init --rebuild` recomputes: data derived from the record, not the record. A break of any other kind is
# evidence of a change outside kam, which a rebuild would erase or cannot repair (`Audit.evidence`).
REBUILT = frozenset({"activity", "plan", "contract", "amending"})


@dataclass
class Audit:
    """What the audit found: rows and opportunities checked, and the first break of each broken one.

    `checked` counts history rows of both chains (`events` and `ledger`); `subjects` the ledger's
    subjects (accounts...), `ledger_breaks` the first break of each broken one.
    """

    checked: int
    opportunities: int
    breaks: list[Break]
    subjects: int = 0
    ledger_breaks: list[LedgerBreak] = field(default_factory=list)
    signed: int = 0  # signed sign-offs checked against their reviewers' keys (issue 13)
    signature_issues: list[Any] = field(default_factory=list)  # views.audit.SignatureIssue

    @property
    def ok(self) -> bool:
        return not self.breaks and not self.ledger_breaks and not self.signature_issues

    @property
    def evidence(self) -> list[Text]:
        """Every problem but derived data out of step (`REBUILT`): what `kam init --rebuild` must not run over."""
        return [
            *(b.message() for b in self.breaks if b.problem not in REBUILT),
            *(b.message() for b in self.ledger_breaks),
            *(i.message for i in self.signature_issues),
        ]


def opportunity_break(
    opp_id: int,
    opp: Any,
    rows: list[Any],
    documents: list[Any],
    signoffs: list[Any],
    attachments: list[Any],
    damaged: frozenset[str],
    held: set[str],
) -> Break | None:
    """The first break of one opportunity's record (`opp` None: it is gone; `rows` its history, oldest first).

    `held`: the contract numbers some opportunity holds (`contract_break`).
    """
    if opp is None:
        return Break(opp_id, rows[0].seq, "orphan")
    return (
        chain_break(opp_id, rows)
        or truncation_break(opp, rows)
        or replay_break(opp, rows, documents, signoffs)
        or facts_break(opp, rows)
        or contract_break(opp, rows, documents, held)
        or attachment_break(opp_id, rows, attachments, damaged)
    )


def chain_break(opp_id: int, rows: list[Any]) -> Break | None:
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


def truncation_break(opp: Any, rows: list[Any]) -> Break | None:
    """The last activity is later than the newest row: whatever moved it was in rows deleted since.

    Every write of an opportunity sets its last activity to the time of the row it appends
    (`records.chain`), so on a record kam wrote the newest row's time is the last activity exactly.
    """
    newest = max(event.at for event in rows)
    activity = getattr(opp, "last_activity_at", None)
    if activity is not None and activity > newest:
        return Break(
            opp.id,
            rows[-1].seq,
            "truncated",
            f"last activity {_instant(activity)}, newest row {_instant(newest)}",
        )
    return None


def replay_break(opp: Any, rows: list[Any], documents: list[Any], signoffs: list[Any]) -> Break | None:
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
            on_hold = lifecycle.replay(event.trigger, on_hold)
        elif event.action == "document":
            detail = event.detail or {}
            key = (detail.get("kind"), detail.get("version"))
            name = f"{key[0]} v{key[1]}"
            doc = by_version.get(key)
            if doc is None:
                return Break(opp.id, event.seq, "document-deleted", name)
            if doc.sha256 != detail.get("sha256") or sha256(doc.data) != doc.sha256:
                return Break(opp.id, event.seq, "document-changed", name)
            written = {"author": acted_for(event.actor), "created_at": _instant(event.at)}
            stored = {"author": doc.author, "created_at": _instant(doc.created_at)}
            if written != stored:
                changed = ", ".join(
                    f"{k}: {_shown(written[k])} → {_shown(stored[k])}" for k in written if written[k] != stored[k]
                )
                return Break(opp.id, event.seq, "document-changed", f"{name}; {changed}")
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
        return Break(
            opp.id,
            last,
            "hold",
            f"{'on hold' if opp.on_hold else 'active'} in the opportunity, {'on hold' if on_hold else 'active'} in the "
            "history",
        )
    newest = max(event.at for event in rows).isoformat(timespec="microseconds")
    if _instant(opp.last_activity_at) != newest:
        return Break(
            opp.id, last, "activity", f"{_instant(opp.last_activity_at)} in the opportunity, {newest} in the history"
        )
    for doc in documents:
        if (doc.kind, doc.version) not in recorded_docs:
            return Break(opp.id, last, "document-unrecorded", f"{doc.kind} v{doc.version}")
    if pending_signoffs:
        s = pending_signoffs[0]
        return Break(opp.id, last, "signoff-unrecorded", f"{s.department} by {s.reviewer}")
    return None


# The opportunity's facts that its history rows set, and how (`replay_facts`). Not here: the stage and hold flag
# (`replay_break`), the contract number and open amendment (`contract_break`), the last activity (`replay_break`,
# `truncation_break`), and bookkeeping (version, updated_at). A new fact column of `opportunities` is set by an
# operation that says so in its history row, and is replayed here.
CREATED = ("account_id", "title", "owner", "quantity", "budget", "expected_close")  # the `create` row's detail
FACTS = (
    *CREATED,
    "relationship_level", "relationship_assessed_at", "heat", "heat_assessed_at",  # `rating` rows
    "signed_at",  # the transition whose detail says "signed"
    "lost_from", "lost_reason", "lost_note",  # `lose` and `reopen` transitions
    "hold_reason",  # `hold`, `resume` (and `lose`)
    "stage_entered_at",  # every row that changed the stage
    "created_by", "created_at",  # the `create` row
)  # fmt: skip
BASELINE = "baseline"  # a row recording the facts as they stood (migration 0010, an import of an older export)
NUMERIC = frozenset({"budget"})


def replay_facts(rows: list[Any]) -> dict[str, Any]:
    """The opportunity's facts (`FACTS`) as its history rows, oldest first, leave them (times as the rows hold them;
    a baseline's as ISO text: compare through `fact_value`)."""
    facts: dict[str, Any] = dict.fromkeys(FACTS)
    for event in rows:
        action = event.action
        if action not in _SETTING:  # most rows (documents, sign-offs, follow-ups, payments) set no fact
            continue
        detail = event.detail or {}
        at = event.at  # a time as the row holds it: equal to the opportunity's as is (`fact_value` when not)
        if action == "create":
            facts.update({key: detail.get(key) for key in CREATED})
            facts.update(created_by=acted_for(event.actor), created_at=at, stage_entered_at=at)
        elif action == BASELINE:
            facts.update({key: value for key, value in (detail.get("fields") or {}).items() if key in facts})
        elif action == "edit":
            for key, change in (detail.get("changes") or {}).items():
                if key in facts and isinstance(change, list) and len(change) == 2:
                    facts[key] = change[1]
        elif action == "rating":
            for scale, column in (("relationship", "relationship_level"), ("heat", "heat")):
                if isinstance(detail.get(scale), dict):
                    facts[column], facts[f"{scale}_assessed_at"] = detail[scale].get("level"), at
        elif action == "transition":
            if event.to_stage is not None and event.to_stage != event.from_stage:
                facts["stage_entered_at"] = at
            if event.trigger == "lose":
                facts.update(lost_from=event.from_stage, lost_reason=event.reason, lost_note=detail.get("note"))
                facts["hold_reason"] = None
            elif event.trigger == "reopen":
                facts.update(lost_from=None, lost_reason=None, lost_note=None)
            elif event.trigger == "hold":
                facts["hold_reason"] = event.reason
            elif event.trigger == "resume":
                facts["hold_reason"] = None
            if detail.get("signed"):
                facts["signed_at"] = at
            _contract_quantity(facts, detail)
        elif action == contract.AMENDED:
            _contract_quantity(facts, detail)
    return facts


_SETTING = frozenset({"create", BASELINE, "edit", "rating", "transition", contract.AMENDED})


def _contract_quantity(facts: dict[str, Any], detail: dict[str, Any]) -> None:
    """A signature or an amendment taking effect sets the contract's quantity (`contract.signing_detail`)."""
    change = detail.get("quantity")
    if isinstance(change, list) and len(change) == 2 and change[1] is not None:
        facts["quantity"] = change[1]


def fact_value(column: str, value: Any) -> Any:
    """A fact as the replay compares it: times ISO with microseconds, dates ISO, amounts by value."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if column in NUMERIC:
        try:
            return format(Decimal(str(value)).normalize(), "f")
        except InvalidOperation:
            return str(value)
    return value


def facts_break(opp: Any, rows: list[Any]) -> Break | None:
    """Every fact of the opportunity is what its history sets (`replay_facts`): else `changed`, naming each column."""
    mapping = opp._mapping if hasattr(opp, "_mapping") else vars(opp)
    if "created_by" not in mapping:
        return None  # rows read without the facts (an older caller): nothing to compare
    expected = replay_facts(rows)
    differ = []
    for column in FACTS:  # the audit's inner loop: the plain comparison first, the normalized one when it fails
        want, have = expected[column], mapping[column]
        if want != have and fact_value(column, want) != fact_value(column, have):
            differ.append(column)
    if not differ:
        return None
    shown = ", ".join(
        f"{c}: {_shown(fact_value(c, expected[c]))} → {_shown(fact_value(c, mapping[c]))}" for c in differ[:4]
    )
    return Break(opp.id, rows[-1].seq, "changed", shown)


def contract_break(opp: Any, rows: list[Any], documents: list[Any], held: set[str]) -> Break | None:
    """The open amendment is where the history leaves it; the contract number is the newest review's.

    A number the newest review gives may be missing only when another opportunity holds it (two deals
    that shared a number before numbers were unique: the first keeps it).
    """
    last = rows[-1].seq
    amending = getattr(opp, "amending_since", None) is not None
    if amending != contract.amending(rows):
        says = "open" if amending else "none"
        history = "open" if not amending else "none"
        return Break(opp.id, last, "amending", f"{says} in the opportunity, {history} in the history")
    reviews = [d for d in documents if d.kind == contract.REVIEW]
    newest = max(reviews, key=lambda d: d.version) if reviews else None
    number = (newest.data or {}).get("contract_no") if newest is not None else None
    expected = contract.number_key(str(number)) if number else None
    actual = getattr(opp, "contract_no", None)
    if actual != expected and not (actual is None and expected in held):
        return Break(opp.id, last, "contract", f"{_shown(actual)} in the opportunity, {_shown(expected)} in the review")
    return None


ATTACHMENT_FIELDS = ("id", "kind", "name", "media_type", "size", "sha256", "note")


def attachment_break(opp_id: int, rows: list[Any], attachments: list[Any], damaged: frozenset[str]) -> Break | None:
    """Every attachment is the one its history row recorded, its file still hashes to it, and none is unrecorded."""
    current = {a.id: a for a in attachments}
    recorded: set[int] = set()
    for event in rows:
        if event.action != "attachment":
            continue
        detail = event.detail or {}
        found = current.get(detail.get("id"))
        name = f"{detail.get('id')} ({detail.get('name')})"
        if found is None:
            return Break(opp_id, event.seq, "attachment-deleted", name)
        if any(getattr(found, key) != detail.get(key) for key in ATTACHMENT_FIELDS) or found.sha256 in damaged:
            return Break(opp_id, event.seq, "attachment-changed", name)
        recorded.add(found.id)
    for attachment in attachments:
        if attachment.id not in recorded:
            last = rows[-1].seq if rows else 0
            return Break(opp_id, last, "attachment-unrecorded", f"{attachment.id} ({attachment.name})")
    return None


def _signoff_fields(signoff: Any) -> tuple:
    return (
        signoff.reviewer,
        signoff.department,
        signoff.decision,
        signoff.comment,
        signoff.review_version,
        _instant(signoff.at),
    )


def _signoff_fields_of(event: Any) -> tuple:
    detail = event.detail or {}
    return (
        detail.get("reviewer", event.actor),  # named apart when an admin recorded the sign-off for the reviewer
        detail.get("department"),
        detail.get("decision"),
        event.reason,
        (event.documents or {}).get("contract-review"),
        _instant(event.at),
    )


def _instant(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="microseconds") if value else None


# -- the ledger: accounts, contacts and whatever else is kept outside an opportunity's chain -------------

# What a person calls each subject and entity of the ledger (`records.ledger.ENTITIES`).
SUBJECT_LABELS: dict[str, Text] = {
    "account": t("客户", "account"),
    "user": t("用户", "user"),
    "company": t("公司信息", "company settings"),
    "document": t("文档", "document"),  # its renders (the PDFs written from it)
    "database": t("数据库", "database"),  # what was done to the database as a whole (kam init --rebuild --force)
}
ENTITY_LABELS: dict[str, Text] = {
    "account": t("客户", "account"),
    "contact": t("联系人", "contact"),
    "user": t("用户", "user"),
    "user_key": t("公钥", "public key"),
    "company": t("公司信息", "company settings"),
    "render": t("PDF 记录", "render"),
}


@dataclass(frozen=True)
class LedgerBreak:
    """The first thing in one subject's ledger chain (an account with its contacts...) that does not hold up.

    `problem` is gap, link or hash (the chain itself, as for opportunities), or
    `changed` (a row's fields differ from what its last ledger row recorded:
    edited outside kam), `unrecorded` (a row with no ledger row: added outside
    kam) or `deleted` (a row the ledger recorded is gone); `entity` and
    `entity_id` name the row, `detail` the columns that differ.
    """

    subject: str
    subject_id: int
    seq: int
    problem: str
    entity: str = ""
    entity_id: int = 0
    detail: str = ""

    def message(self) -> Text:
        who = SUBJECT_LABELS.get(self.subject, t(self.subject, self.subject))
        what = ENTITY_LABELS.get(self.entity, t(self.entity, self.entity))
        s, n, e, d = self.subject_id, self.seq, self.entity_id, self.detail
        texts = {
            "gap": t(
                f"{who.zh} {s} 的历史缺少第 {n} 行之前的记录（{d}）",
                f"{who.en} {s}: history row(s) before seq {n} are missing ({d})",
            ),
            "link": t(
                f"{who.zh} {s} 第 {n} 行历史与前一行不衔接（前一行被改动或删除）",
                f"{who.en} {s} seq {n}: does not link to the row before it (that row was altered or deleted)",
            ),
            "hash": t(f"{who.zh} {s} 第 {n} 行历史的内容被改动", f"{who.en} {s} seq {n}: the row was altered"),
            "changed": t(
                f"{who.zh} {s} 的{what.zh} {e} 在 kam 之外被改动（{d}；最后记录是第 {n} 行）",
                f"{who.en} {s}: {what.en} {e} was changed outside kam ({d}; last recorded at seq {n})",
            ),
            "unrecorded": t(
                f"{who.zh} {s} 的{what.zh} {e} 没有历史记录（在 kam 之外添加）",
                f"{who.en} {s}: {what.en} {e} has no history row (added outside kam)",
            ),
            "deleted": t(
                f"{who.zh} {s} 第 {n} 行记录的{what.zh} {e} 已不存在（在 kam 之外删除）",
                f"{who.en} {s} seq {n}: {what.en} {e} was deleted outside kam",
            ),
        }
        return texts[self.problem]


def ledger_breaks(
    chains: dict[tuple[str, int], list[Any]],
    current: dict[tuple[str, int], dict[tuple[str, int], dict[str, Any]]],
) -> list[LedgerBreak]:
    """The first break of each subject: its chain, then its replay against the rows as they are."""
    breaks: list[LedgerBreak] = []
    for key in sorted(set(chains) | set(current)):
        rows = chains.get(key, [])
        found = ledger_chain_break(key, rows) or ledger_replay_break(key, rows, current.get(key, {}))
        if found:
            breaks.append(found)
    return breaks


def ledger_chain_break(key: tuple[str, int], rows: list[Any]) -> LedgerBreak | None:
    prev, expected_seq = GENESIS, 1
    for row in rows:
        if row.seq != expected_seq:
            return LedgerBreak(*key, row.seq, "gap", detail=f"expected seq {expected_seq}")
        if row.prev_hash != prev:
            return LedgerBreak(*key, row.seq, "link")
        if ledger_hash(prev, row) != row.hash:
            return LedgerBreak(*key, row.seq, "hash")
        prev, expected_seq = row.hash, row.seq + 1
    return None


def ledger_replay_break(
    key: tuple[str, int], rows: list[Any], current: dict[tuple[str, int], dict[str, Any]]
) -> LedgerBreak | None:
    """Every entity row must be what the chain last recorded for it, and every recorded one must still exist."""
    recorded: dict[tuple[str, int], tuple[int, dict[str, Any]]] = {}
    for row in rows:
        detail = row.detail or {}
        if "entity" not in detail:  # a row about the subject as a whole (a forced rebuild of the database)
            continue
        recorded[(str(detail.get("entity")), int(detail.get("id") or 0))] = (row.seq, detail.get("fields") or {})
    last = rows[-1].seq if rows else 0
    for (entity, entity_id), fields in sorted(current.items()):
        if (entity, entity_id) not in recorded:
            return LedgerBreak(*key, last, "unrecorded", entity, entity_id)
        seq, expected = recorded[(entity, entity_id)]
        # a column the chain never recorded (added to the table later) reads as None, its value until written
        columns = sorted(c for c in set(expected) | set(fields) if expected.get(c) != fields.get(c))
        if columns:
            shown = ", ".join(f"{c}: {_shown(expected.get(c))} → {_shown(fields.get(c))}" for c in columns[:3])
            return LedgerBreak(*key, seq, "changed", entity, entity_id, shown)
    for (entity, entity_id), (seq, _) in sorted(recorded.items()):
        if (entity, entity_id) not in current:
            return LedgerBreak(*key, seq, "deleted", entity, entity_id)
    return None


def _shown(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)

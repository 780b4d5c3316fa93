"""Rebuilding what is derived from the history and the documents (`kam init --rebuild`, `kam import`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select, update

from workflow.errors import Refused
from workflow.i18n import t
from workflow.operations import payments, verify
from workflow.operations.followups import rebuild_plans
from workflow.records import ledger
from workflow.records.tables import documents, events, opportunities
from workflow.rules import contract

REBUILD = "rebuild"  # ledger action (subject "database"): a rebuild forced over a failing audit
RECORDED_PROBLEMS = 100  # the first problems the audit named, kept in that row (and how many there were)


def rebuild_checked(connection: Connection, *, actor: str, force: bool = False) -> dict[str, Any]:
    """`kam init --rebuild`: refused over a database whose audit finds more than derived data out of step.

    Rebuilding recomputes the last activity, contract numbers and plans from the record: run over a record
    changed outside kam it would erase the evidence (a truncated history shows as a later last activity).
    With `force` it runs anyway, and a ledger row (subject "database") records who, when and what the audit
    said. Returns what `rebuild_derived` returns, plus "forced": the problems it ran over.
    """
    found = verify.audit(connection).evidence
    if found and not force:
        more_zh = f"（另有 {len(found) - 1} 处，见 kam audit verify）" if len(found) > 1 else ""
        more_en = f" (and {len(found) - 1} more: see kam audit verify)" if len(found) > 1 else ""
        raise Refused(
            t(
                f"审计未通过，不重建：{found[0].zh}{more_zh}。重建会抹去这些证据：请先从备份或导出文件恢复；"
                "确需重建，运行 kam init --rebuild --force（会记入历史）",
                f"the audit fails, so nothing was rebuilt: {found[0].en}{more_en}. A rebuild would erase this "
                "evidence: restore from a backup or an export first; to rebuild anyway, run kam init --rebuild "
                "--force (recorded in the history)",
            ),
            [],
        )
    if found:
        detail = {
            "forced": True,
            "problems": len(found),
            "audit": [{"zh": m.zh, "en": m.en} for m in found[:RECORDED_PROBLEMS]],
        }
        ledger.append(connection, "database", 1, actor=actor, action=REBUILD, detail=detail)
    return {**rebuild_derived(connection), "forced": len(found)}


def rebuild_derived(connection: Connection) -> dict[str, int]:
    """Every opportunity's last_activity_at, contract number and open amendment, the stored follow-up plans, and
    the money (amounts and receivables).

    Returns how many opportunities, plans and money rows were written.
    """
    newest = select(func.max(events.c.at)).where(events.c.opportunity_id == opportunities.c.id).scalar_subquery()
    activity = update(opportunities).values(
        last_activity_at=func.coalesce(newest, opportunities.c.created_at), updated_at=opportunities.c.updated_at
    )
    count = connection.execute(activity).rowcount
    rebuild_contracts(connection)
    plans = rebuild_plans(connection)
    return {"opportunities": count, "planned_followups": plans, "money": payments.rebuild(connection)}


def rebuild_contracts(connection: Connection) -> None:
    """Each opportunity's contract_no (its newest contract review's; the first holder keeps a shared one) and
    amending_since (the time of an `amend` row not yet followed by `amended`)."""
    keep = {"updated_at": opportunities.c.updated_at}  # derived: not an edit of the opportunity
    connection.execute(update(opportunities).values(contract_no=None, amending_since=None, **keep))
    newest: dict[int, tuple[int, str]] = {}
    query = select(documents.c.opportunity_id, documents.c.version, documents.c.data).where(
        documents.c.kind == contract.REVIEW
    )
    for opp_id, version, data in connection.execute(query):
        number = data.get("contract_no") if isinstance(data, dict) else None
        if number and (opp_id not in newest or newest[opp_id][0] < version):
            newest[opp_id] = (version, contract.number_key(str(number)))
    taken: set[str] = set()
    for opp_id in sorted(newest):
        number = newest[opp_id][1]
        if number not in taken:
            taken.add(number)
            connection.execute(
                update(opportunities).where(opportunities.c.id == opp_id).values(contract_no=number, **keep)
            )
    opened: dict[int, object] = {}
    for opp_id, action, at in connection.execute(
        select(events.c.opportunity_id, events.c.action, events.c.at)
        .where(events.c.action.in_((contract.AMEND, contract.AMENDED)))
        .order_by(events.c.opportunity_id, events.c.seq)
    ):
        if action == contract.AMEND:
            opened[opp_id] = at
        else:
            opened.pop(opp_id, None)
    for opp_id, at in opened.items():
        connection.execute(update(opportunities).where(opportunities.c.id == opp_id).values(amending_since=at, **keep))

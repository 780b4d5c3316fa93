"""The money of a deal: its amount in 元, the receivables of a signed contract, and money received (回款).

- `opportunities.amount` is derived: the contract total once signed (the contract in force),
  else the latest negotiation minutes' total, else the latest proposal's, else the budget. It
  follows every fill of those documents, the signature and an amendment taking effect
  (`refresh`), and `kam import` / `kam init --rebuild` recompute it (`rebuild`).
- `receivables` is derived too: one row per payment milestone of the contract in force
  (`rules.receivables.milestones`), with what has been received on it, replayed from the
  `payment` history rows. Both let the pipeline and the schedule read money with one query.
- `record` appends money received to the history chain (append-only, hashed: `kam audit verify`
  sees a payment changed or deleted outside kam) and updates the receivables in the same
  transaction, under the opportunity's lock, so two managers recording at once never
  receive more than is outstanding.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.orm import Session

from workflow.records import chain, queries, tables
from workflow.records.tables import utcnow
from workflow.rules import contract, values
from workflow.rules import receivables as rules
from workflow.rules.compliance import MINUTES, REVIEW, deal_total

PROPOSAL = "product-proposal"
R = tables.receivables.c
E = tables.events.c
OPP = tables.opportunities.c


def contract_version(session: Session, opportunity_id: int) -> int | None:
    """The contract review version of the contract in force (`rules.contract.in_force`: the signature or amendment)."""
    return contract.in_force(queries.history_rows(session, opportunity_id)).get(REVIEW)


def contract_document(session: Session, opportunity_id: int) -> dict[str, Any] | None:
    """The contract in force as validated data (`model_dump()`), or None when there is none valid."""
    version = contract_version(session, opportunity_id)
    latest = queries.latest_valid(session, opportunity_id, REVIEW)
    if version is not None and latest.document is not None and latest.document.version != version:
        import forms

        doc = queries.get_document(session, opportunity_id, REVIEW, version)
        try:
            return forms.validate(REVIEW, doc.data).model_dump()
        except forms.FormInvalid:
            return None
    return latest.form.model_dump() if latest.form is not None else None


def deal_amount(session: Session, opp: Any) -> Decimal | None:
    """The opportunity's amount in 元 (see the module docstring), None when nothing gives one."""
    if opp.signed_at is not None:
        contract = contract_document(session, opp.id)
        if contract is not None:
            return deal_total(contract)[1]
    minutes = queries.latest_valid(session, opp.id, MINUTES).form
    if minutes is not None:
        return deal_total(minutes.model_dump())[1]
    proposal = queries.latest_valid(session, opp.id, PROPOSAL).form
    if proposal is not None:
        return Decimal(repr(proposal.total_amount)).quantize(rules.CENT)  # type: ignore[attr-defined]
    return Decimal(opp.budget) if opp.budget is not None else None


def refresh(session: Session, opportunity_id: int, *_: Any) -> None:
    """Recompute the opportunity's amount and receivables (a fill, a signature, an amendment taking effect)."""
    opp = queries.state(session, opportunity_id)
    amount = deal_amount(session, opp)
    connection = session.connection()
    # derived, not an edit of the opportunity: its updated_at stays
    connection.execute(
        update(tables.opportunities).where(OPP.id == opportunity_id).values(amount=amount, updated_at=OPP.updated_at)
    )
    connection.execute(delete(tables.receivables).where(R.opportunity_id == opportunity_id))
    if opp.signed_at is None:
        return
    contract = contract_document(session, opportunity_id)
    if contract is None:
        return
    terms = rules.milestones(contract.get("payments"), deal_total(contract)[1])
    received = rules.received_by_milestone(_payment_details(connection, opportunity_id))
    _store(connection, opportunity_id, rules.statuses(terms, received))


def _store(connection: Connection, opportunity_id: int, rows: list[rules.Status]) -> None:
    if rows:
        connection.execute(
            insert(tables.receivables),
            [
                {
                    "opportunity_id": opportunity_id,
                    "seq": s.seq,
                    "milestone": s.milestone,
                    "percent": s.percent,
                    "due": s.due,
                    "amount": s.amount,
                    "received": s.received,
                }
                for s in rows
            ],
        )


def _payment_details(connection: Connection, opportunity_id: int) -> list[dict[str, Any]]:
    query = select(E.detail).where(E.opportunity_id == opportunity_id, E.action == rules.PAYMENT).order_by(E.seq)
    return [detail or {} for (detail,) in connection.execute(query)]


def owed(connection: Connection, opportunity_id: int) -> list[rules.Status]:
    """The receivables of a signed opportunity as stored, in milestone order."""
    query = (
        select(R.seq, R.milestone, R.percent, R.due, R.amount, R.received)
        .where(R.opportunity_id == opportunity_id)
        .order_by(R.seq)
    )
    cent = rules.CENT
    return [
        rules.Status(seq, name, Decimal(percent), due, Decimal(amount).quantize(cent), Decimal(got).quantize(cent))
        for seq, name, percent, due, amount, got in connection.execute(query)
    ]


def record(
    session: Session,
    opportunity_id: int,
    *,
    amount: Decimal,
    on: dt.date,
    actor: str,
    milestone: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Record money received on a signed opportunity: one history row, the receivables updated (see the docstring)."""
    note = values.text("--note", note)
    opp = queries.lock(session, opportunity_id)  # two managers recording at once queue here
    if opp.signed_at is None:
        raise rules.not_signed(opportunity_id)
    connection = session.connection()
    current = owed(connection, opportunity_id)
    allocation = rules.allocate(opportunity_id, current, amount, milestone)
    event = chain.append(
        session,
        opportunity_id,
        actor=actor,
        action=rules.PAYMENT,
        reason=note,
        detail={
            "amount": str(amount),
            "date": on.isoformat(),
            "milestone": milestone,
            "note": note,
            "allocation": [[name, str(share)] for name, share in allocation],
        },
    )
    for name, share in allocation:
        row = next(s for s in current if s.milestone == name)
        connection.execute(
            update(tables.receivables)
            .where(R.opportunity_id == opportunity_id, R.seq == row.seq)
            .values(received=R.received + share)
        )
    return {
        "id": opportunity_id,
        "seq": event.seq,
        "amount": float(amount),
        "date": on,
        "milestone": milestone,
        "note": note,
        "allocation": [{"milestone": name, "amount": float(share)} for name, share in allocation],
        "outstanding": float(sum((s.outstanding for s in current), Decimal(0)) - amount),
    }


def rebuild(connection: Connection, session: Session | None = None) -> int:
    """Every opportunity's amount and receivables recomputed (after an import); returns how many opportunities."""
    own = session or Session(bind=connection)
    ids = [i for (i,) in connection.execute(select(OPP.id))]
    for opportunity_id in ids:
        refresh(own, opportunity_id)
    return len(ids)


def received_rows(connection: Connection, opportunity_id: int) -> list[dict[str, Any]]:
    """The money received on an opportunity, oldest first: what `kam payment list` prints below the milestones."""
    query = (
        select(E.seq, E.at, E.actor, E.detail)
        .where(E.opportunity_id == opportunity_id, E.action == rules.PAYMENT)
        .order_by(E.seq)
    )
    out = []
    for seq, at, actor, detail in connection.execute(query):
        d = detail or {}
        out.append(
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "date": dt.date.fromisoformat(d["date"]) if d.get("date") else None,
                "amount": float(Decimal(d.get("amount", "0"))),
                "milestone": d.get("milestone"),
                "note": d.get("note"),
                "allocation": [{"milestone": n, "amount": float(Decimal(a))} for n, a in d.get("allocation") or []],
            }
        )
    return out


def today() -> dt.date:
    return utcnow().date()

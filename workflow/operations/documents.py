"""Filling a document: validated whole, stored as the next version, its derived data kept in step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

import forms
from workflow.operations import followups, payments
from workflow.records import chain, queries
from workflow.records.hashing import sha256
from workflow.records.models import Document, utcnow
from workflow.rules import contract
from workflow.rules.plans import SERVICE_PLAN
from workflow.values.glyphs import missing_in
from workflow.values.writing import code_point

# Derived data that follows the newest version of a kind, kept in the same transaction as the fill.
REFRESHERS: dict[str, Callable[[Session, int, dict[str, Any]], Any]] = {
    SERVICE_PLAN: followups.store_plan,  # the schedule's stored plan (planned_followups)
    # the deal's amount (and a signed deal's receivables): `operations.payments`
    **dict.fromkeys((payments.PROPOSAL, payments.MINUTES, payments.REVIEW), payments.refresh),
}


def fill_document(session: Session, opportunity_id: int, kind: str, data: Any, *, actor: str) -> Document:
    """Validate `data` against `kind`'s schema and store it as the next version (`FormInvalid` lists every problem)."""
    return _fill(session, opportunity_id, kind, data, actor=actor, if_changed=False)[0]


def fill_if_changed(
    session: Session, opportunity_id: int, kind: str, data: Any, *, actor: str
) -> tuple[Document, bool]:
    """`fill_document`, except that a document identical to the newest version stores nothing: (that version, False).

    What `kam doc fill` does: filling the same form twice must not make a version that
    differs from the last one only in its number (and its time in the history).
    """
    return _fill(session, opportunity_id, kind, data, actor=actor, if_changed=True)


def _fill(
    session: Session, opportunity_id: int, kind: str, data: Any, *, actor: str, if_changed: bool
) -> tuple[Document, bool]:
    forms.check_kind(kind)
    opp = queries.lock(session, opportunity_id)  # one writer per opportunity: the next version is ours alone
    locked = contract.locked_after_signing(
        opp.id, kind, signed=opp.signed_at is not None, amending=opp.amending_since is not None
    )
    if locked is not None:
        raise locked
    stored = forms.dump(forms.validate(kind, data))
    unprintable = [
        forms.FieldError(
            where,
            "",
            "",
            f"第 {position} 个字符 {code_point(char)} 在已安装的字体中都没有，PDF 里会印成空框："
            "请改用常用写法（或拼音），或安装含有该字符的字体（见 kam doctor）",
            f"character {position}, {code_point(char)}, is in no installed font, so the PDF would print an empty "
            "box: write it another way, or install a font that has it (see kam doctor)",
        )
        for where, position, char in missing_in(stored)
    ]
    if unprintable:  # refused at fill time, never an empty box (or a wrong character) in the PDF (issue 12)
        raise forms.FormInvalid(kind, unprintable)
    if if_changed:
        newest = queries.newest_document(session, opp.id, kind)
        if newest is not None and newest.sha256 == sha256(stored):
            return newest, False
    if kind == contract.REVIEW:
        number = str(stored["contract_no"])
        holder = queries.claim_contract_no(session, opp.id, contract.number_key(number))
        if holder is not None:
            raise contract.number_taken(number, holder.id, holder.title)
    now = utcnow()
    doc = Document(
        opportunity_id=opp.id,
        kind=kind,
        version=queries.newest_version(session, opp.id, kind) + 1,
        data=stored,
        author=actor,
        created_at=now,
        sha256=sha256(stored),
    )
    session.add(doc)
    chain.append(
        session,
        opp.id,
        actor=actor,
        action="document",
        at=now,
        detail={"kind": kind, "version": doc.version, "sha256": doc.sha256},
    )
    refresh = REFRESHERS.get(kind)
    if refresh is not None:
        refresh(session, opp.id, stored)
    session.flush()
    return doc, True

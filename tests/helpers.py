"""Helpers the tests share: fill documents and walk an opportunity to a stage."""

from __future__ import annotations

from typing import Any

from forms_fixtures import load as load_fixture

from workflow.operations import documents, moves, signoffs
from workflow.records import queries
from workflow.records.db import Database
from workflow.rules.process import Process, load_process
from workflow.rules.requirements import documents_needed

# The documents that satisfy each stage's exit (from the process), filled from the realistic samples.
STAGE_DOCUMENTS: dict[str, list[str]] = {stage.id: documents_needed(stage) for stage in load_process().stages if stage.trigger}

DEPARTMENT_REVIEWERS = {"sales": "赵敏", "finance": "钱进", "legal": "孙律", "production": "李工"}


def sample(kind: str, opportunity_id: int = 1) -> dict[str, Any]:
    """The realistic sample of `kind` for an opportunity: a contract review numbered for it (one contract, one number)."""
    data = load_fixture(kind)
    if kind == "contract-review" and opportunity_id != 1:
        data["contract_no"] = f"{data['contract_no']}-{opportunity_id}"
    return data


def fill(db: Database, opportunity_id: int, kind: str, data: dict[str, Any] | None = None, actor: str = "王磊") -> int:
    with db.write() as s:
        return documents.fill_document(s, opportunity_id, kind, data if data is not None else sample(kind, opportunity_id), actor=actor).version


def approve_all(db: Database, opportunity_id: int) -> None:
    """Every default department approves the latest contract review."""

    for department, reviewer in DEPARTMENT_REVIEWERS.items():
        with db.write() as s:
            signoffs.decide(s, load_process(), opportunity_id, department=department, decision="approve", comment="同意", actor=reviewer)


def walk_to(db: Database, process: Process, opportunity_id: int, stage: str) -> None:
    """Fill what each stage needs and advance until the opportunity is at `stage`."""
    while True:
        with db.read() as s:
            current = queries.get_opportunity(s, opportunity_id).stage
        if current == stage:
            return
        for kind in STAGE_DOCUMENTS[current]:
            fill(db, opportunity_id, kind)
        if current == "evaluation_negotiation":
            approve_all(db, opportunity_id)
        with db.write() as s:
            moves.advance(s, process, opportunity_id, actor="王磊")

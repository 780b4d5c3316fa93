"""Helpers the tests share: fill documents and walk an opportunity to a stage."""

from __future__ import annotations

from typing import Any

from forms_fixtures import load as load_fixture

from workflow import engine
from workflow.db import Database
from workflow.process import Process, load_process

# The documents that satisfy each stage's exit, from the realistic fixtures.
STAGE_DOCUMENTS: dict[str, list[str]] = {
    "target": [],
    "phone_invite": ["phone-invite-feedback"],
    "visit_pitch": ["visit-feedback"],
    "initial_solution": ["product-proposal"],
    "technical_exchange": ["exchange-minutes"],
    "evaluation_negotiation": ["evaluation-scorecard", "negotiation-minutes", "contract-review"],
}

DEPARTMENT_REVIEWERS = {"sales": "赵敏", "finance": "钱进", "legal": "孙律", "production": "李工"}


def fill(db: Database, opportunity_id: int, kind: str, data: dict[str, Any] | None = None, actor: str = "王磊") -> int:
    with db.write() as s:
        return engine.fill_document(s, opportunity_id, kind, data if data is not None else load_fixture(kind), actor=actor).version


def approve_all(db: Database, opportunity_id: int) -> None:
    """Every default department approves the latest contract review."""
    from workflow import review

    for department, reviewer in DEPARTMENT_REVIEWERS.items():
        with db.write() as s:
            review.decide(s, load_process(), opportunity_id, department=department, decision="approve", comment="同意", actor=reviewer)


def walk_to(db: Database, process: Process, opportunity_id: int, stage: str) -> None:
    """Fill what each stage needs and advance until the opportunity is at `stage`."""
    while True:
        with db.read() as s:
            current = engine.get_opportunity(s, opportunity_id).stage
        if current == stage:
            return
        for kind in STAGE_DOCUMENTS[current]:
            fill(db, opportunity_id, kind)
        if current == "evaluation_negotiation":
            approve_all(db, opportunity_id)
        with db.write() as s:
            engine.advance(s, process, opportunity_id, actor="王磊")

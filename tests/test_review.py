"""Departmental sign-offs (会签): who may sign, what voids a sign-off, and `sign` only with everything."""

from __future__ import annotations

import json
import threading
import time

import pytest
from forms_fixtures import edit, load
from helpers import DEPARTMENT_REVIEWERS, approve_all, fill, walk_to

from workflow.errors import InvalidInput, Refused
from workflow.operations import accounts, documents, moves, opportunities, signoffs
from workflow.records import queries
from workflow.records.db import Database
from workflow.records.models import Event
from workflow.rules import compliance
from workflow.rules.process import Process
from workflow.views import compliance as compliance_view


@pytest.fixture
def reviewed(db: Database, process: Process, deal: int) -> int:
    """An opportunity at step 5 whose documents are faithful: only the sign-offs are missing."""
    walk_to(db, process, deal, "evaluation_negotiation")
    for kind in ("evaluation-scorecard", "negotiation-minutes", "contract-review"):
        fill(db, deal, kind)
    return deal


def decide(db: Database, process: Process, opp_id: int, department: str, actor: str, decision: str = "approve", comment: str | None = "同意", **kw) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        signoffs.decide(s, process, opp_id, department=department, decision=decision, actor=actor, comment=comment, **kw)


def signoff_reasons(db: Database, process: Process, opp_id: int) -> list[str]:
    with db.read() as s:
        rule = moves.compliance_report(s, process, opp_id).rule("compliance.signoffs")
    return [r.en for r in rule.reasons]


def test_the_owner_cannot_approve(db: Database, process: Process, reviewed: int) -> None:
    with pytest.raises(Refused) as info:
        decide(db, process, reviewed, "sales", "王磊")
    assert info.value.message.en == f"王磊 owns opportunity {reviewed} and cannot review its contract: ask someone else in sales"


def test_one_reviewer_signs_for_one_department(db: Database, process: Process, reviewed: int) -> None:
    decide(db, process, reviewed, "sales", "赵敏")
    with pytest.raises(Refused) as info:
        decide(db, process, reviewed, "finance", "赵敏")
    assert info.value.message.en == f"赵敏 already reviewed opportunity {reviewed} for sales; one reviewer signs for one department only"
    assert signoff_reasons(db, process, reviewed) == [
        "finance has not approved contract review v1",
        "legal has not approved contract review v1",
        "production has not approved contract review v1",
    ]


def test_a_changed_review_voids_every_earlier_signoff(db: Database, process: Process, reviewed: int) -> None:
    approve_all(db, reviewed)
    assert signoff_reasons(db, process, reviewed) == []
    fill(db, reviewed, "contract-review", edit(load("contract-review"), "special_service_requests", "冬季驻点改为电话支持"))
    assert signoff_reasons(db, process, reviewed) == [f"{d} has not approved contract review v2" for d in DEPARTMENT_REVIEWERS]
    with db.read() as s:
        history = compliance_view.signoff_history(s, reviewed)
    # the voided sign-offs stay in the history
    assert [(r.department, r.review_version, r.void) for r in history] == [(d, 1, True) for d in DEPARTMENT_REVIEWERS]
    approve_all(db, reviewed)  # the same reviewers may approve the new version
    assert signoff_reasons(db, process, reviewed) == []


def test_a_rejection_blocks_until_a_new_approval(db: Database, process: Process, reviewed: int) -> None:
    approve_all(db, reviewed)
    decide(db, process, reviewed, "legal", "孙律", "reject", "违约赔偿比例需改为 10%")
    assert signoff_reasons(db, process, reviewed) == ["legal (孙律) rejected: 违约赔偿比例需改为 10%"]
    with pytest.raises(Refused):
        with db.write() as s:
            moves.advance(s, process, reviewed, actor="王磊")
    decide(db, process, reviewed, "legal", "孙律", comment="已确认可接受")
    assert signoff_reasons(db, process, reviewed) == []


@pytest.mark.parametrize(
    ("department", "decision", "comment", "message"),
    [
        ("purchasing", "approve", None, 'sign-off department: "purchasing" is not one of the choices: sales (销售部), finance (财务部), legal (法务部), production (生产部)'),
        ("legal", "reject", None, "a rejection needs a reason (--comment)"),
        ("legal", "reject", "   ", "a rejection needs a reason (--comment)"),
        ("legal", "maybe", None, "decision must be approve or reject, got “maybe”"),
    ],
)
def test_bad_decisions_are_refused(db: Database, process: Process, reviewed: int, department: str, decision: str, comment: str | None, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        decide(db, process, reviewed, department, "孙律", decision, comment)
    assert info.value.message.en == message


def test_nothing_to_review_without_a_contract_review(db: Database, process: Process, deal: int) -> None:
    with pytest.raises(Refused) as info:
        decide(db, process, deal, "sales", "赵敏")
    assert "has no valid contract review yet" in info.value.message.en


def test_no_signoffs_once_signed_or_lost(db: Database, process: Process, reviewed: int) -> None:
    approve_all(db, reviewed)
    with db.write() as s:
        moves.advance(s, process, reviewed, actor="王磊")
    with pytest.raises(Refused) as info:
        decide(db, process, reviewed, "legal", "孙律", "reject", "太晚了")
    assert info.value.message.en == (
        f"opportunity {reviewed} is already signed; sign-offs are closed: to amend the contract, run kam opp amend {reviewed} --reason R first"
    )


def test_no_signoffs_on_a_lost_opportunity(db: Database, process: Process, reviewed: int) -> None:
    with db.write() as s:
        moves.lose(s, process, reviewed, reason="price", note=None, actor="王磊")
    with pytest.raises(Refused) as info:
        decide(db, process, reviewed, "sales", "赵敏")
    assert info.value.message.en == f"opportunity {reviewed} is lost; there is nothing to sign off: kam opp reopen {reviewed} first"


def test_a_decision_on_a_version_no_longer_current_is_refused(db: Database, process: Process, reviewed: int) -> None:
    fill(db, reviewed, "contract-review", edit(load("contract-review"), "penalty_percent", 1))
    with pytest.raises(Refused) as info:
        decide(db, process, reviewed, "finance", "钱进", review_version=1)
    assert info.value.message.en == "the contract review is now v2 (you reviewed v1): review it again before deciding"


def test_sign_passes_only_with_everything(db: Database, process: Process, reviewed: int) -> None:
    for department, reviewer in list(DEPARTMENT_REVIEWERS.items())[:3]:
        decide(db, process, reviewed, department, reviewer)
    with pytest.raises(Refused) as info, db.write() as s:
        moves.advance(s, process, reviewed, actor="王磊")
    assert [m.code for m in info.value.missing] == ["compliance.signoffs"]
    decide(db, process, reviewed, "production", "李工")
    with db.write() as s:
        event = moves.advance(s, process, reviewed, actor="王磊")
    assert (event.trigger, event.to_stage) == ("sign", "contract_maintenance")
    assert event.documents == {"evaluation-scorecard": 1, "negotiation-minutes": 1, "contract-review": 1}


def test_signoffs_are_in_the_history_with_actor_time_and_comment(db: Database, process: Process, reviewed: int) -> None:
    decide(db, process, reviewed, "finance", "钱进", comment="付款条件符合规定")
    decide(db, process, reviewed, "legal", "孙律", "reject", "违约条款需修改")
    with db.read() as s:
        events = [e for e in queries.opportunity_history(s, reviewed) if e.action == "signoff"]
    assert [(e.actor, e.reason, e.detail, e.documents) for e in events] == [
        ("钱进", "付款条件符合规定", {"department": "finance", "decision": "approve"}, {"contract-review": 1}),
        ("孙律", "违约条款需修改", {"department": "legal", "decision": "reject"}, {"contract-review": 1}),
    ]
    assert all(e.at is not None for e in events)


# -- the command line -------------------------------------------------------------------


def test_review_approve_and_reject_from_the_command_line(kam, reviewed: int) -> None:  # type: ignore[no-untyped-def]
    result = kam("--actor", "钱进", "review", "approve", reviewed, "--department", "finance", "--comment", "付款条件符合规定")
    assert result.exit_code == 0
    assert result.stdout == f"钱进 approved contract review v1 of opportunity {reviewed} for finance; still waiting for: sales, legal, production\n"
    data = kam.json("--actor", "孙律", "review", "reject", reviewed, "--department", "legal", "--comment", "违约条款需修改")
    assert {k: data[k] for k in ("id", "department", "reviewer", "decision", "comment", "review_version")} == {
        "id": reviewed, "department": "legal", "reviewer": "孙律", "decision": "reject", "comment": "违约条款需修改", "review_version": 1,
    }
    assert data["pending"] == ["sales", "legal", "production"]  # a rejection is no approval
    out = kam("compliance", reviewed).stdout
    assert "      - legal (孙律) rejected: 违约条款需修改" in out
    assert "rejected" in out and "钱进" in out


def test_the_last_approval_says_so(kam, db: Database, process: Process, reviewed: int) -> None:  # type: ignore[no-untyped-def]
    for department, reviewer in list(DEPARTMENT_REVIEWERS.items())[:3]:
        decide(db, process, reviewed, department, reviewer)
    result = kam("--actor", "李工", "review", "approve", reviewed, "--department", "production", lang="zh")
    assert result.stdout == f"李工 代表生产部同意商机 {reviewed} 的合同审核表 v1；各部门均已同意，合规结论见 kam compliance {reviewed}\n"


def test_review_by_the_owner_from_the_command_line(kam, reviewed: int) -> None:  # type: ignore[no-untyped-def]
    result = kam("--actor", "王磊", "review", "approve", reviewed, "--department", "sales")
    assert result.exit_code == 1
    assert result.stderr == f"Error: 王磊 owns opportunity {reviewed} and cannot review its contract: ask someone else in sales\n"
    result = kam("--json", "--actor", "王磊", "review", "approve", reviewed, "--department", "sales")
    assert json.loads(result.stdout)["error"]["code"] == "refused"


def test_reject_needs_a_comment_on_the_command_line(kam, reviewed: int) -> None:  # type: ignore[no-untyped-def]
    result = kam("--actor", "孙律", "review", "reject", reviewed, "--department", "legal")
    assert result.exit_code == 2
    assert "Missing option '--comment'" in result.stderr


# -- PostgreSQL: an approval racing a new contract-review version ------------------------------


def _pg_deal(url: str, process: Process) -> int:
    db = Database(url)
    try:
        with db.write() as s:
            acc = accounts.create_account(s, name="包头市环境卫生服务中心", type="government", account_class="A", industry="环卫", fleet_size=200, actor="t")
            accounts.add_contact(s, acc.id, "周海涛", actor="t")
            opp_id = opportunities.new_opportunity(s, process, acc.id, "30 台压缩式垃圾车", owner="王磊", actor="王磊").id
        walk_to(db, process, opp_id, "evaluation_negotiation")
        for kind in ("evaluation-scorecard", "negotiation-minutes", "contract-review"):
            fill(db, opp_id, kind)
        return opp_id
    finally:
        db.dispose()


def _race(url: str, process: Process, opp_id: int, *, writer_first: bool, review_version: int | None) -> BaseException | None:
    """Store contract review v2 in one connection while another approves; who takes the row lock first is fixed."""
    writer_db, reviewer_db = Database(url), Database(url)
    locked, release = threading.Event(), threading.Event()
    outcome: dict[str, BaseException | None] = {}

    def store() -> None:
        with writer_db.write() as s:
            documents.fill_document(s, opp_id, "contract-review", edit(load("contract-review"), "penalty_percent", 2), actor="王磊")
            locked.set()
            release.wait(10)

    def approve() -> None:
        try:
            with reviewer_db.write() as s:
                signoffs.decide(s, process, opp_id, department="finance", decision="approve", actor="钱进", review_version=review_version)
                if not writer_first:
                    locked.set()
                    release.wait(10)
            outcome["error"] = None
        except BaseException as exc:  # the refusal is part of the outcome
            outcome["error"] = exc

    first, second = (store, approve) if writer_first else (approve, store)
    threads = [threading.Thread(target=first)]
    threads[0].start()
    assert locked.wait(10)
    threads.append(threading.Thread(target=second))
    threads[1].start()
    time.sleep(0.3)  # the second is now waiting on the opportunity's row lock
    assert threads[1].is_alive()
    release.set()
    for thread in threads:
        thread.join(20)
    writer_db.dispose()
    reviewer_db.dispose()
    return outcome["error"]


def _no_signoff_applies_silently_to_an_old_version(db: Database, opp_id: int) -> None:
    """In history order, every sign-off names the contract review that was the newest when it was made."""
    with db.read() as s:
        events = list(s.query(Event).filter(Event.opportunity_id == opp_id).order_by(Event.seq))
    newest = 0
    for e in events:
        if e.action == "document" and e.detail["kind"] == "contract-review":
            newest = e.detail["version"]
        if e.action == "signoff":
            assert e.documents == {"contract-review": newest}


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("writer_first", "review_version", "expected"),
    [
        (False, None, "void"),  # approved v1, then v2 stored: the approval is void
        (True, None, "applies to v2"),  # v2 stored first: the waiting approval reads v2 and applies to it
        (True, 1, "refused"),  # v2 stored first, the reviewer had read v1: refused, nothing recorded
    ],
)
def test_approval_racing_a_contract_change_on_postgresql(pg_url: str, process: Process, writer_first: bool, review_version: int | None, expected: str) -> None:
    opp_id = _pg_deal(pg_url, process)
    error = _race(pg_url, process, opp_id, writer_first=writer_first, review_version=review_version)
    db = Database(pg_url)
    try:
        with db.read() as s:
            history = [(r.department, r.review_version, r.void) for r in compliance_view.signoff_history(s, opp_id)]
            reasons = [r.en for r in moves.compliance_report(s, process, opp_id).rule("compliance.signoffs").reasons]
        if expected == "void":
            assert error is None and history == [("finance", 1, True)]
            assert "finance has not approved contract review v2" in reasons
        elif expected == "applies to v2":
            assert error is None and history == [("finance", 2, False)]
            assert "finance has not approved contract review v2" not in reasons
        else:
            assert isinstance(error, Refused) and "you reviewed v1" in error.message.en
            assert history == []
        _no_signoff_applies_silently_to_an_old_version(db, opp_id)
    finally:
        db.dispose()


@pytest.mark.postgres
def test_approvals_and_contract_changes_in_parallel_stay_consistent_on_postgresql(pg_url: str, process: Process) -> None:
    opp_id = _pg_deal(pg_url, process)
    databases = [Database(pg_url) for _ in range(5)]
    errors: list[BaseException] = []
    start = threading.Barrier(5)

    def approve(db: Database, department: str, reviewer: str) -> None:
        start.wait(10)
        for _ in range(3):
            try:
                with db.write() as s:
                    signoffs.decide(s, process, opp_id, department=department, decision="approve", actor=reviewer)
            except BaseException as exc:  # noqa: BLE001 - collected and checked below
                errors.append(exc)

    def change(db: Database) -> None:
        start.wait(10)
        for penalty in (1, 2, 3):
            with db.write() as s:
                documents.fill_document(s, opp_id, "contract-review", edit(load("contract-review"), "penalty_percent", penalty), actor="王磊")

    threads = [threading.Thread(target=approve, args=(databases[i], d, r)) for i, (d, r) in enumerate(DEPARTMENT_REVIEWERS.items())]
    threads.append(threading.Thread(target=change, args=(databases[4],)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for db in databases:
        db.dispose()
    assert errors == []  # row locks queue the writers: nobody is refused or fails
    db = Database(pg_url)
    try:
        _no_signoff_applies_silently_to_an_old_version(db, opp_id)
        with db.read() as s:
            history = compliance_view.signoff_history(s, opp_id)
            standing = compliance.current(queries.signoffs_on(s, opp_id, 4))
        # a department signs a version once: a repeated approval of the same version stored nothing
        assert len(history) == len({(r.department, r.review_version) for r in history}) <= 12
        assert all(r.void == (r.review_version != 4) for r in history)
        assert set(standing) <= set(DEPARTMENT_REVIEWERS)
    finally:
        db.dispose()

"""The engine through its core API: every move, every refusal, the history."""

from __future__ import annotations

import pytest
from forms_fixtures import edit, load
from helpers import STAGE_DOCUMENTS, approve_all, fill, walk_to

from workflow.errors import ConcurrentChange, InvalidInput, NotFound, Refused
from workflow.operations import accounts, moves, opportunities
from workflow.records import hashing, queries
from workflow.records.db import Database
from workflow.rules.process import LOST, Process
from workflow.views import audit as audit_view

STAGES = ["target", "phone_invite", "visit_pitch", "initial_solution", "technical_exchange", "evaluation_negotiation", "contract_maintenance"]


def stage_of(db: Database, opp_id: int) -> str:
    with db.read() as s:
        return queries.get_opportunity(s, opp_id).stage


def advance(db: Database, process: Process, opp_id: int, actor: str = "王磊") -> None:
    with db.write() as s:
        moves.advance(s, process, opp_id, actor=actor)


def refusal_codes(db: Database, process: Process, opp_id: int) -> list[str]:
    with pytest.raises(Refused) as info:
        advance(db, process, opp_id)
    return [m.code for m in info.value.missing]


def test_the_process_declares_the_six_steps(process: Process) -> None:
    assert [s.id for s in process.stages] == STAGES
    assert [s.trigger for s in process.stages] == ["invite", "visit", "propose", "exchange", "negotiate", "sign", None]
    assert process.departments == ("sales", "finance", "legal", "production")


def test_walk_every_forward_transition(db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "contract_maintenance")
    with db.read() as s:
        events = queries.opportunity_history(s, deal)
        opp = queries.get_opportunity(s, deal)
    moves = [(e.trigger, e.from_stage, e.to_stage) for e in events if e.action == "transition"]
    assert moves == [(t, a, b) for t, a, b in zip(["invite", "visit", "propose", "exchange", "negotiate", "sign"], STAGES[:-1], STAGES[1:], strict=True)]
    assert opp.signed_at is not None
    # the history names the document versions that satisfied each guard
    sign = [e for e in events if e.trigger == "sign"][0]
    assert sign.documents == {"evaluation-scorecard": 1, "negotiation-minutes": 1, "contract-review": 1}


@pytest.mark.parametrize(
    ("stage", "codes"),
    [
        ("phone_invite", ["phone-invite-feedback.missing"]),
        ("visit_pitch", ["visit-feedback.missing"]),
        ("initial_solution", ["product-proposal.missing"]),
        ("technical_exchange", ["exchange-minutes.missing"]),
        ("evaluation_negotiation", ["evaluation-scorecard.missing", "negotiation-minutes.missing", "compliance.contract-review"]),
    ],
)
def test_each_stage_refuses_without_its_documents(db: Database, process: Process, deal: int, stage: str, codes: list[str]) -> None:
    walk_to(db, process, deal, stage)
    assert refusal_codes(db, process, deal) == codes
    assert stage_of(db, deal) == stage


def test_target_needs_a_complete_profile_and_a_contact(db: Database, process: Process) -> None:
    with db.write() as s:
        acc = accounts.create_account(s, name="沈阳华信商贸", type="enterprise", account_class=None, industry=None, fleet_size=45, actor="t")
        opp_id = opportunities.new_opportunity(s, process, acc.id, "8 台自卸车", owner="王磊", actor="王磊").id
    with pytest.raises(Refused) as info:
        advance(db, process, opp_id)
    missing = info.value.missing
    assert [m.code for m in missing] == ["account-profile", "account-contact"]
    assert "class" in missing[0].message.en and "industry" in missing[0].message.en
    assert missing[0].command == f"kam account edit {acc.id} --class ... --industry ..."
    assert missing[1].command.startswith(f"kam contact add {acc.id} ")


@pytest.mark.parametrize(
    ("stage", "kind", "field", "code"),
    [
        ("visit_pitch", "visit-feedback", "handler_found", "visit-feedback.handler_found"),
        ("technical_exchange", "exchange-minutes", "solution_confirmed", "exchange-minutes.solution_confirmed"),
    ],
)
def test_field_conditions_block_until_true(db: Database, process: Process, deal: int, stage: str, kind: str, field: str, code: str) -> None:
    walk_to(db, process, deal, stage)
    data = edit(load(kind), field, False)
    if field == "handler_found":
        data.pop("handler", None)
    fill(db, deal, kind, data)
    assert refusal_codes(db, process, deal) == [code]
    fill(db, deal, kind)  # version 2 says yes
    advance(db, process, deal)
    with db.read() as s:
        last = queries.opportunity_history(s, deal)[-1]
    assert last.documents == {kind: 2}


def test_the_guard_and_the_dry_run_agree(db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "evaluation_negotiation")
    fill(db, deal, "negotiation-minutes")
    with db.read() as s:
        dry = [m.code for m in moves.check(s, process, deal).missing]
    assert dry == refusal_codes(db, process, deal)


def test_no_stage_can_be_skipped(db: Database, process: Process, deal: int) -> None:
    # documents of every later stage are present: advance still moves one stage at a time
    for kinds in STAGE_DOCUMENTS.values():
        for kind in kinds:
            fill(db, deal, kind)
    approve_all(db, deal)
    for expected in STAGES[1:]:
        advance(db, process, deal)
        assert stage_of(db, deal) == expected
    assert refusal_codes(db, process, deal) == ["final-stage"]


def test_lose_and_reopen_return_to_the_stage_lost_from(db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "initial_solution")
    with db.write() as s:
        moves.lose(s, process, deal, reason="competitor", note="对手报价低 3%", actor="王磊")
    with db.read() as s:
        opp = queries.get_opportunity(s, deal)
        assert (opp.stage, opp.lost_from, opp.lost_reason, opp.lost_note) == (LOST, "initial_solution", "competitor", "对手报价低 3%")
    assert refusal_codes(db, process, deal) == ["lost"]
    with db.write() as s:
        moves.reopen(s, process, deal, actor="王磊")
    assert stage_of(db, deal) == "initial_solution"


def test_lose_needs_a_known_reason_and_an_open_stage(db: Database, process: Process, deal: int) -> None:
    with db.write() as s, pytest.raises(InvalidInput, match=r"not one of the choices: price \(价格\), product \(产品\)"):
        moves.lose(s, process, deal, reason="weather", note=None, actor="王磊")
    walk_to(db, process, deal, "contract_maintenance")
    with db.write() as s, pytest.raises(Refused, match="cannot be lost"):
        moves.lose(s, process, deal, reason="price", note=None, actor="王磊")


def test_hold_blocks_advance_until_resumed(db: Database, process: Process, deal: int) -> None:
    with db.write() as s:
        moves.hold(s, process, deal, reason="客户预算冻结", actor="王磊")
    assert refusal_codes(db, process, deal) == ["on-hold"]
    with db.write() as s, pytest.raises(Refused):
        moves.hold(s, process, deal, reason="again", actor="王磊")
    with db.write() as s:
        moves.resume(s, process, deal, actor="王磊")
    advance(db, process, deal)
    assert stage_of(db, deal) == "phone_invite"


def test_hold_lists_everything_else_that_is_missing_too(db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "phone_invite")
    with db.write() as s:
        moves.hold(s, process, deal, reason="客户出差", actor="王磊")
    assert refusal_codes(db, process, deal) == ["on-hold", "phone-invite-feedback.missing"]


def test_revert_goes_one_stage_back_with_a_reason(db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "initial_solution")
    with db.write() as s:
        moves.revert(s, process, deal, reason="经手人调岗，需重新拜访", actor="王磊")
    assert stage_of(db, deal) == "visit_pitch"
    with db.write() as s, pytest.raises(InvalidInput, match="reason"):
        moves.revert(s, process, deal, reason="  ", actor="王磊")


@pytest.mark.parametrize("stage", ["target", "contract_maintenance"])
def test_revert_is_refused_at_the_ends(db: Database, process: Process, deal: int, stage: str) -> None:
    walk_to(db, process, deal, stage)
    with db.write() as s, pytest.raises(Refused, match="cannot go back"):
        moves.revert(s, process, deal, reason="x", actor="王磊")


def test_history_is_complete_ordered_and_chained(db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "visit_pitch")
    with db.write() as s:
        moves.hold(s, process, deal, reason="春节", actor="李娜")
    with db.write() as s:
        moves.resume(s, process, deal, actor="李娜")
    with db.read() as s:
        events = queries.opportunity_history(s, deal)
        result = audit_view.audit(s)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert [(e.action, e.trigger) for e in events] == [
        ("create", None),
        ("transition", "invite"),
        ("document", None),
        ("transition", "visit"),
        ("transition", "hold"),
        ("transition", "resume"),
    ]
    assert events[4].actor == "李娜" and events[4].reason == "春节"
    assert events[3].documents == {"phone-invite-feedback": 1}
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert (result.checked, result.breaks, result.ledger_breaks) == (len(events) + 2, [], [])  # + the account and its contact (ledger)


def test_a_stale_writer_is_told_to_look_again(db: Database, process: Process, deal: int) -> None:
    with db.read() as s:
        seen = queries.get_opportunity(s, deal).version
    advance(db, process, deal, actor="李娜")
    with db.write() as s, pytest.raises(ConcurrentChange, match="changed by someone else"):
        moves.advance(s, process, deal, actor="王磊", expected_version=seen)
    assert stage_of(db, deal) == "phone_invite"


def test_refusal_writes_nothing(db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "phone_invite")
    with db.read() as s:
        before = len(queries.opportunity_history(s, deal))
    refusal_codes(db, process, deal)
    with db.read() as s:
        assert len(queries.opportunity_history(s, deal)) == before


def test_documents_are_versioned_and_never_change(db: Database, deal: int) -> None:
    assert fill(db, deal, "phone-invite-feedback") == 1
    assert fill(db, deal, "phone-invite-feedback", edit(load("phone-invite-feedback"), "interest", "medium")) == 2
    with db.read() as s:
        v1 = queries.get_document(s, deal, "phone-invite-feedback", 1)
        v2 = queries.get_document(s, deal, "phone-invite-feedback")
    assert (v1.data["interest"], v2.data["interest"], v2.version) == ("high", "medium", 2)
    assert v1.sha256 == hashing.sha256(v1.data)


def test_an_invalid_document_is_refused_whole(db: Database, deal: int) -> None:
    bad = edit(edit(load("phone-invite-feedback"), "interest", "hot"), "our_visitors", [])
    with pytest.raises(InvalidInput) as info:
        fill(db, deal, "phone-invite-feedback", bad)
    assert len(info.value.details) == 2
    with db.read() as s:
        assert queries.list_documents(s, deal) == []


def test_a_stored_document_that_no_longer_validates_does_not_satisfy_the_guard(db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "phone_invite")
    fill(db, deal, "phone-invite-feedback")
    # a schema change made the stored version invalid: simulate by corrupting the stored data
    from workflow.records.models import Document

    with db.write() as s:
        doc = s.query(Document).filter_by(opportunity_id=deal).one()
        doc.data = {**doc.data, "interest": "lukewarm"}
    with db.read() as s:
        missing = moves.check(s, process, deal).missing
    assert [m.code for m in missing] == ["phone-invite-feedback.invalid"]
    assert "v1 no longer validates" in missing[0].message.en


@pytest.mark.parametrize(
    "call",
    [
        lambda s, p: queries.get_opportunity(s, 999),
        lambda s, p: queries.get_account(s, 999),
        lambda s, p: accounts.add_contact(s, 999, "x", actor="t"),
        lambda s, p: opportunities.new_opportunity(s, p, 999, "x", owner="t", actor="t"),
        lambda s, p: moves.advance(s, p, 999, actor="t"),
        lambda s, p: queries.opportunity_history(s, 999),
    ],
)
def test_unknown_ids_are_not_found(db: Database, process: Process, call) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s, pytest.raises(NotFound, match="999 not found"):
        call(s, process)


def test_an_opportunity_loaded_in_the_session_reads_the_move_back(db: Database, process: Process, deal: int) -> None:
    """The advance writes around the ORM; an object the session already holds must still show the new stage."""
    with db.write() as s:
        held = queries.get_opportunity(s, deal)
        version = held.version
        held.quantity = 25  # a pending change is written first, not lost or clobbered
        event = moves.advance(s, process, deal, actor="王磊")
        assert (held.stage, held.version, held.last_activity_at) == ("phone_invite", version + 1, event.at)
        assert held.stage_entered_at == event.at
    with db.read() as s:
        fresh = queries.get_opportunity(s, deal)
        assert (fresh.stage, fresh.quantity, fresh.version) == ("phone_invite", 25, version + 1)


def test_a_move_checks_the_version_it_read(db: Database, process: Process, deal: int) -> None:
    """The move's UPDATE holds only for the version read; otherwise nothing is written and the manager is told where to look."""
    from workflow.records.models import Opportunity

    with pytest.raises(ConcurrentChange) as info, db.write() as s:
        row = queries.lock(s, deal)
        s.execute(Opportunity.__table__.update().where(Opportunity.id == deal).values(version=row.version + 5))
        queries.write(s, row, {"stage": "phone_invite"}, row.created_at)
    assert info.value.message.en == f"opportunity {deal} was just changed by someone else: look again with kam opp show {deal}"
    with db.read() as s:
        assert (queries.get_opportunity(s, deal).stage, len(queries.opportunity_history(s, deal))) == ("target", 1)

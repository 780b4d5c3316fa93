"""A contract that stays signed, one contract one number, and amendments (合同变更) — issue 14."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from forms_fixtures import edit, load
from helpers import DEPARTMENT_REVIEWERS, approve_all, fill, walk_to
from sqlalchemy import text

from workflow.errors import ConcurrentChange, KamError, Refused
from workflow.operations import accounts, amendments, documents, opportunities, signoffs
from workflow.records import queries
from workflow.records.db import Database
from workflow.rules import contract
from workflow.rules.process import Process
from workflow.views import audit as audit_view


@pytest.fixture
def signed(db: Database, process: Process, deal: int) -> int:
    """The deal signed on the sample documents (30 vehicles at 362,000, contract BTHW-2026-118)."""
    walk_to(db, process, deal, "contract_maintenance")
    return deal


def _second_deal(db: Database, process: Process, title: str = "12 台载货车") -> int:
    with db.write() as s:
        acc = accounts.create_account(s, name=f"{title} 客户", type="enterprise", account_class="B", industry="物流", fleet_size=40, actor="t")
        return opportunities.new_opportunity(s, process, acc.id, title, owner="李娜", actor="李娜", quantity=12).id


def _history(db: Database, opp_id: int) -> list[Any]:
    with db.read() as s:
        return queries.opportunity_history(s, opp_id)


def _opp(db: Database, opp_id: int) -> Any:
    with db.read() as s:
        return queries.state(s, opp_id)


LOCKED = [
    ("evaluation-scorecard", "Project evaluation scorecard"),
    ("negotiation-minutes", "Negotiation minutes"),
    ("contract-review", "Contract review"),
]


# -- a contract that stays signed ------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "title"), LOCKED)
def test_a_signed_contracts_terms_take_no_new_version(db: Database, signed: int, kind: str, title: str) -> None:
    with db.read() as s:
        before = queries.newest_version(s, signed, kind)
    with pytest.raises(Refused) as info:
        fill(db, signed, kind)
    assert info.value.message.en == (
        f"opportunity {signed} is signed; its {title} ({kind}) can no longer change: to amend the contract, run kam opp amend {signed} --reason R first"
    )
    assert info.value.message.zh == (
        f"商机 {signed} 的合同已签订，{forms_title(kind)}（{kind}）不能再改：如需变更合同，先 kam opp amend {signed} --reason 原因"
    )
    with db.read() as s:
        assert queries.newest_version(s, signed, kind) == before


def forms_title(kind: str) -> str:
    import forms

    return forms.title(kind, "zh")


def test_other_documents_still_fill_after_signing(db: Database, signed: int) -> None:
    assert fill(db, signed, "service-plan") == 1


def test_the_cli_refusal_names_the_amend_command(kam, signed: int) -> None:  # type: ignore[no-untyped-def]
    result = kam("doc", "fill", str(signed), "negotiation-minutes", "--file", "-", input=json.dumps(load("negotiation-minutes"), default=str))
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: opportunity {signed} is signed; its Negotiation minutes (negotiation-minutes) can no longer change: "
        f"to amend the contract, run kam opp amend {signed} --reason R first"
    )


def test_signing_gives_the_opportunity_the_contracts_quantity(db: Database, signed: int) -> None:
    assert _opp(db, signed).quantity == 30  # opened with 20, signed on 30
    sign = next(e for e in _history(db, signed) if e.trigger == "sign")
    assert sign.detail == {"signed": True, "contract_no": "BTHW-2026-118", "quantity": [20, 30], "amount": "10860000.00"}
    assert sign.documents["contract-review"] == 1


def test_compliance_on_a_signed_deal_reports_the_signed_state(kam, signed: int) -> None:  # type: ignore[no-untyped-def]
    result = kam("compliance", str(signed))
    assert result.exit_code == 0, result.output
    last = result.output.splitlines()[-1]
    assert last.startswith("Result: the contract is signed (")
    assert last.endswith(f", contract review v1); to change it, run kam opp amend {signed} --reason R")
    assert "cannot be signed" not in result.output
    zh = kam("compliance", str(signed), lang="zh")
    assert zh.exit_code == 0
    assert zh.output.splitlines()[-1].startswith("结论：合同已签订（")
    assert "不能签约" not in zh.output
    data = kam.json("compliance", str(signed))
    assert (data["state"], data["amending"], data["review_version"]) == ("signed", False, 1)
    assert data["in_force"] == {"contract-review": 1, "evaluation-scorecard": 1, "negotiation-minutes": 1}


def test_compliance_before_signing_still_says_what_blocks(kam, db: Database, process: Process, deal: int) -> None:  # type: ignore[no-untyped-def]
    walk_to(db, process, deal, "evaluation_negotiation")
    fill(db, deal, "contract-review")
    result = kam("compliance", str(deal))
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "Result: 2 rule(s) fail; the contract cannot be signed"
    assert json.loads(kam("--json", "compliance", str(deal)).stdout)["state"] == "open"


# -- one contract, one number ----------------------------------------------------------------------


def test_a_contract_number_is_held_by_one_opportunity(db: Database, process: Process, signed: int) -> None:
    other = _second_deal(db, process)
    with pytest.raises(Refused) as info:
        fill(db, other, "contract-review", load("contract-review"))
    assert info.value.message.en == (
        f"contract number BTHW-2026-118 is already used by opportunity {signed} (20 台牵引车): one contract, one number; give contract_no a new number"
    )
    assert info.value.message.zh == (
        f"合同编号 BTHW-2026-118 已用于商机 {signed}「20 台牵引车」：每份合同一个编号，请在 contract_no 填写新的编号"
    )
    with db.read() as s:
        assert queries.newest_version(s, other, "contract-review") == 0  # nothing stored
        assert [e.action for e in queries.opportunity_history(s, other)] == ["create"]
    assert fill(db, other, "contract-review", edit(load("contract-review"), "contract_no", "BTHW-2026-119")) == 1
    assert _opp(db, other).contract_no == "BTHW-2026-119"


def test_a_number_is_freed_when_the_review_takes_another(db: Database, process: Process, deal: int) -> None:
    other = _second_deal(db, process)
    fill(db, deal, "contract-review")
    fill(db, deal, "contract-review")  # the same number again on the same deal: fine
    fill(db, deal, "contract-review", edit(load("contract-review"), "contract_no", "BTHW-2027-001"))
    assert fill(db, other, "contract-review", load("contract-review")) == 1  # BTHW-2026-118 is free again
    assert (_opp(db, deal).contract_no, _opp(db, other).contract_no) == ("BTHW-2027-001", "BTHW-2026-118")


def test_the_cli_refuses_a_duplicate_number(kam, db: Database, process: Process, deal: int) -> None:  # type: ignore[no-untyped-def]
    other = _second_deal(db, process)
    fill(db, deal, "contract-review")
    result = kam("doc", "fill", str(other), "contract-review", "--file", "-", input=json.dumps(load("contract-review"), default=str))
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: contract number BTHW-2026-118 is already used by opportunity {deal} (20 台牵引车): one contract, one number; "
        "give contract_no a new number"
    )


def test_a_very_long_number_is_held_by_its_hash(db: Database, process: Process, deal: int) -> None:
    long_no = "FT-" + "X" * 300
    other = _second_deal(db, process)
    fill(db, deal, "contract-review", edit(load("contract-review"), "contract_no", long_no))
    assert _opp(db, deal).contract_no == contract.number_key(long_no)
    assert _opp(db, deal).contract_no.startswith("sha256:")
    with pytest.raises(Refused):
        fill(db, other, "contract-review", edit(load("contract-review"), "contract_no", long_no))


def _held_fill(url: str, opp_id: int, data: dict[str, Any], filled: threading.Event, release: threading.Event, out: list[Any]) -> None:
    db = Database(url)
    try:
        with db.write() as s:
            documents.fill_document(s, opp_id, "contract-review", data, actor="王磊")
            filled.set()
            release.wait(10)
        out.append("ok")
    except KamError as exc:
        out.append(exc)
    finally:
        filled.set()
        db.dispose()


def test_two_managers_filling_the_same_number_at_once_on_postgresql(pg_url: str, process: Process) -> None:
    """The second fill passes the first look (the first is not committed), waits on the unique index, then is refused."""
    db = Database(pg_url)
    first, second = _second_deal(db, process, "甲 20 台"), _second_deal(db, process, "乙 12 台")
    filled, release, out_a, out_b = threading.Event(), threading.Event(), [], []
    a = threading.Thread(target=_held_fill, args=(pg_url, first, load("contract-review"), filled, release, out_a))
    a.start()
    assert filled.wait(10)
    never, go = threading.Event(), threading.Event()
    go.set()
    b = threading.Thread(target=_held_fill, args=(pg_url, second, load("contract-review"), never, go, out_b))
    b.start()
    time.sleep(0.5)  # b now waits on the unique index behind a's open transaction
    assert out_b == []
    release.set()
    a.join(10)
    b.join(10)
    assert out_a == ["ok"]
    assert len(out_b) == 1 and isinstance(out_b[0], Refused)
    assert out_b[0].message.en.startswith(f"contract number BTHW-2026-118 is already used by opportunity {first} (甲 20 台)")
    with db.read() as s:
        assert queries.newest_version(s, second, "contract-review") == 0
        assert queries.state(s, second).contract_no is None
    db.dispose()


# -- amendments (合同变更) ----------------------------------------------------------------------------


def amend(db: Database, process: Process, opp_id: int, reason: str = "客户追加 4 台") -> dict[str, Any]:
    with db.write() as s:
        return amendments.amend(s, process, opp_id, reason=reason, actor="王磊")


def test_an_unsigned_deal_has_nothing_to_amend(db: Database, process: Process, deal: int) -> None:
    with pytest.raises(Refused) as info:
        amend(db, process, deal)
    assert info.value.message.en == (
        f"opportunity {deal} is not signed; there is no contract to amend: before signing, change the contract review with "
        f"kam doc fill {deal} contract-review --file FILE"
    )


def test_an_amendment_opens_a_new_review_with_empty_signoffs(db: Database, process: Process, signed: int) -> None:
    opened = amend(db, process, signed)
    assert opened == {"id": signed, "seq": opened["seq"], "amending": True, "from_version": 1, "review_version": 2}
    history = _history(db, signed)
    row = next(e for e in history if e.action == "amend")
    assert (row.reason, row.documents, row.detail) == ("客户追加 4 台", {"contract-review": 1}, {"contract_no": "BTHW-2026-118"})
    assert history[-1].action == "document" and history[-1].detail["version"] == 2
    with db.read() as s:
        assert queries.signoffs_on(s, signed, 2) == []
        assert queries.get_document(s, signed, "contract-review", 2).data == queries.get_document(s, signed, "contract-review", 1).data
    state = _opp(db, signed)
    assert state.stage == "contract_maintenance" and state.signed_at is not None and state.amending_since is not None
    with pytest.raises(Refused) as info:
        amend(db, process, signed)
    assert info.value.message.en == (
        f"opportunity {signed} already has an amendment under review: see what it still needs with kam compliance {signed}"
    )


def test_the_amendment_takes_effect_with_the_fourth_signoff(db: Database, process: Process, signed: int) -> None:
    amend(db, process, signed)
    minutes = edit(load("negotiation-minutes"), "quantity", 34)
    review = edit(load("contract-review"), "quantity", 34)
    review["quality_deposit"] = 34 * 362000 * 0.05
    assert fill(db, signed, "negotiation-minutes", minutes) == 2
    assert fill(db, signed, "contract-review", review) == 3
    for department, reviewer in DEPARTMENT_REVIEWERS.items():
        assert _opp(db, signed).amending_since is not None
        assert _opp(db, signed).quantity == 30  # the signed contract stands until the amendment passes
        with db.write() as s:
            signoffs.decide(s, process, signed, department=department, decision="approve", comment="同意", actor=reviewer)
    state = _opp(db, signed)
    assert (state.amending_since, state.quantity) == (None, 34)
    last = _history(db, signed)[-1]
    assert (last.action, last.actor) == ("amended", "李工")
    assert last.documents == {"contract-review": 3, "negotiation-minutes": 2}
    assert last.detail == {"contract_no": "BTHW-2026-118", "quantity": [30, 34], "amount": "12308000.00"}
    with db.read() as s:
        assert contract.in_force(queries.history_rows(s, signed)) == {"contract-review": 3, "negotiation-minutes": 2}
        assert audit_view.audit(s).ok
    with pytest.raises(Refused):  # signed again: the terms are locked again
        fill(db, signed, "contract-review", review)


def test_while_amending_the_deal_shows_the_amendment(kam, db: Database, process: Process, signed: int) -> None:  # type: ignore[no-untyped-def]
    result = kam("opp", "amend", str(signed), "--reason", "客户追加 4 台")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        f"opportunity {signed}: amendment opened, contract review v1 → v2, awaiting sign-offs (kam compliance {signed})"
    )
    show = kam.json("opp", "show", str(signed))
    assert (show["amending"], show["stage"], show["contract_no"]) == (True, "contract_maintenance", "BTHW-2026-118")
    text_show = kam("opp", "show", str(signed)).output
    assert "[amendment under review]" in text_show
    assert text_show.splitlines()[-1] == f"Contract signed, amendment under review: see what it still needs with kam compliance {signed}"
    assert "[变更审核中]" in kam("opp", "show", str(signed), lang="zh").output
    listing = kam("opp", "list").output
    assert "amendment under review" in listing
    assert "变更审核中" in kam("opp", "list", lang="zh").output
    assert [o["amending"] for o in kam.json("opp", "list")] == [True]
    compliance = kam("compliance", str(signed))
    assert compliance.exit_code == 1
    assert compliance.output.splitlines()[-1] == (
        "Result: amendment under review, 1 rule(s) fail; the amendment is not in force yet (the signed contract stands)"
    )
    data = json.loads(kam("--json", "compliance", str(signed)).stdout)
    assert (data["state"], data["amending"], data["review_version"]) == ("amending", True, 2)
    history = kam("opp", "history", str(signed)).output
    assert "contract amendment of contract review v1" in history and "客户追加 4 台" in history
    assert "合同变更：合同审核表 v1 起" in kam("opp", "history", str(signed), lang="zh").output


def test_signoffs_reopen_only_for_an_amendment(db: Database, process: Process, signed: int) -> None:
    with pytest.raises(Refused):
        with db.write() as s:
            signoffs.decide(s, process, signed, department="sales", decision="approve", comment="同意", actor="赵敏")
    amend(db, process, signed)
    approve_all(db, signed)  # the copy of the signed review passes again: the amendment (no change) takes effect
    assert _opp(db, signed).amending_since is None
    assert [e.action for e in _history(db, signed)][-2:] == ["signoff", "amended"]


def _held_amend(url: str, opp_id: int, barrier: threading.Barrier, out: list[Any]) -> None:
    from workflow.rules.process import load_process

    db = Database(url)
    with db.read() as s:
        seen = queries.state(s, opp_id).version
    barrier.wait()
    try:
        with db.write() as s:
            amendments.amend(s, load_process(), opp_id, reason="两位经理同时变更", actor="王磊", expected_version=seen)
        out.append("ok")
    except ConcurrentChange:
        out.append("conflict")
    except KamError as exc:
        out.append(exc.render("en"))
    finally:
        db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_managers_amending_at_once_open_one_amendment(request: pytest.FixtureRequest, db_url: str, process: Process, backend: str) -> None:
    url = db_url if backend == "sqlite" else request.getfixturevalue("pg_url")
    db = Database(url)
    with db.write() as s:
        acc = accounts.create_account(s, name="包头市环境卫生服务中心", type="government", account_class="A", industry="环卫", fleet_size=300, actor="t")
        accounts.add_contact(s, acc.id, "周海涛", actor="t", title="主任", influence="high", stance="supporter")
        opp_id = opportunities.new_opportunity(s, process, acc.id, "30 台压缩式垃圾车", owner="王磊", actor="王磊", quantity=30).id
    walk_to(db, process, opp_id, "contract_maintenance")
    barrier, out = threading.Barrier(2), []
    threads = [threading.Thread(target=_held_amend, args=(url, opp_id, barrier, out)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(out) == ["conflict", "ok"]
    with db.read() as s:
        assert [e.action for e in queries.opportunity_history(s, opp_id)].count("amend") == 1
        assert queries.newest_version(s, opp_id, "contract-review") == 2
        assert audit_view.audit(s).ok
    db.dispose()


# -- the audit and the derived columns -------------------------------------------------------------


def _problems(db: Database) -> list[tuple[int, str]]:
    with db.read() as s:
        return [(b.opportunity_id, b.problem) for b in audit_view.audit(s).breaks]


def test_the_audit_names_an_amendment_changed_outside_kam(db: Database, process: Process, signed: int) -> None:
    amend(db, process, signed)
    assert _problems(db) == []
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE opportunities SET amending_since = NULL WHERE id = :id"), {"id": signed})
    assert _problems(db) == [(signed, "amending")]


def test_the_audit_names_a_contract_number_changed_outside_kam(db: Database, process: Process, signed: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE opportunities SET contract_no = 'X-1' WHERE id = :id"), {"id": signed})
    assert _problems(db) == [(signed, "contract")]
    with db.read() as s:
        found = audit_view.audit(s).breaks[0].message()
    assert found.en == f"opportunity {signed}: its contract number does not match its newest contract review: X-1 in the opportunity, BTHW-2026-118 in the review (changed outside kam)"


def test_export_import_rebuilds_the_number_and_the_amendment(kam, db: Database, process: Process, signed: int, tmp_path) -> None:  # type: ignore[no-untyped-def]
    amend(db, process, signed)
    path = tmp_path / "out.json"
    assert kam("export", str(path)).exit_code == 0
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert "contract_no" not in exported["tables"]["opportunities"][0]  # derived: rebuilt on import
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    result = kam.runner.invoke(__import__("cli").cli, ["--db", other, "import", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    copy = Database(other)
    with copy.read() as s:
        state = queries.state(s, signed)
        assert (state.contract_no, state.amending_since is not None) == ("BTHW-2026-118", True)
        assert audit_view.audit(s).ok
    copy.dispose()


def test_the_pipeline_lists_the_deals_under_amendment(kam, db: Database, process: Process, signed: int) -> None:  # type: ignore[no-untyped-def]
    before = kam.json("report", "pipeline")
    assert (before["totals"]["amending"], before["amending"]) == (0, [])
    amend(db, process, signed)
    data = kam.json("report", "pipeline", "--by", "owner")
    assert data["totals"]["amending"] == 1
    assert [(a["id"], a["title"], a["owner"], a["stage"]) for a in data["amending"]] == [(signed, "20 台牵引车", "王磊", "contract_maintenance")]
    assert [a["id"] for a in data["owners"]["王磊"]["amending"]] == [signed]
    assert kam.json("report", "pipeline", "--owner", "李娜")["amending"] == []
    assert f"变更审核中：1 个已签约商机 {signed}「20 台牵引车」（王磊）" in kam("report", "pipeline", lang="zh").output
    assert f"amendment under review: 1 signed opportunity {signed} (20 台牵引车, 王磊)" in kam("report", "pipeline").output


def test_the_last_approval_says_the_amendment_is_in_force(kam, db: Database, process: Process, signed: int) -> None:  # type: ignore[no-untyped-def]
    amend(db, process, signed)
    reviewers = list(DEPARTMENT_REVIEWERS.items())
    for department, reviewer in reviewers[:-1]:
        assert kam("--actor", reviewer, "review", "approve", str(signed), "--department", department).exit_code == 0
    department, reviewer = reviewers[-1]
    result = kam("--actor", reviewer, "review", "approve", str(signed), "--department", department)
    assert result.output.strip() == (
        f"{reviewer} approved contract review v2 of opportunity {signed} for production; every department has approved: "
        "the amendment is in force (contract review v2)"
    )
    assert kam.json("opp", "show", str(signed))["amending"] is False


def _two_models(data: dict[str, Any]) -> dict[str, Any]:
    """20 洗扫车 at 386,000 and 4 压缩式垃圾车 at 368,000, as lines (no top-level quantity or price)."""
    out = {k: v for k, v in data.items() if k not in ("quantity", "unit_price")}
    out["lines"] = [
        {"model": "洗扫车", "quantity": 20, "unit_price": 386000},
        {"model": "压缩式垃圾车", "quantity": 4, "unit_price": 368000},
    ]
    return out


def test_signing_a_contract_of_several_models_takes_the_sum_of_its_lines(db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "evaluation_negotiation")
    fill(db, deal, "evaluation-scorecard")
    fill(db, deal, "negotiation-minutes", _two_models(load("negotiation-minutes")))
    review = _two_models(load("contract-review"))
    review["quality_deposit"] = 459600  # 5 % of 9,192,000
    fill(db, deal, "contract-review", review)
    approve_all(db, deal)
    from workflow.operations import moves

    with db.write() as s:
        moves.advance(s, process, deal, actor="王磊")
    sign = next(e for e in _history(db, deal) if e.trigger == "sign")
    assert sign.detail == {"signed": True, "contract_no": "BTHW-2026-118", "quantity": [20, 24], "amount": "9192000.00"}
    assert _opp(db, deal).quantity == 24

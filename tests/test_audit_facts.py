"""The audit has no blind spot (issue 12): every fact of an opportunity is replayed from its history, documents'
authors and times and every render are checked, a deleted tail is named truncated, `kam init --rebuild` will not
erase the evidence, an import is verified as a database is, and an older database upgraded stays intact."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import walk_to
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from workflow.operations import accounts, moves, opportunities, ratings, renders
from workflow.records import tables
from workflow.records.db import Database
from workflow.records.models import Document, Event
from workflow.rules.process import Process
from workflow.views import audit as audit_view

OPP = tables.opportunities.c


def rated_signed_deal(db: Database, process: Process, deal: int) -> int:
    """The deal signed and rated, its budget edited, its PDF rendered once; plus a second deal, lost. Returns its id."""
    with db.write() as s:
        opportunities.edit_opportunity(s, process, deal, actor="王磊", budget="520万", expected_close=dt.date(2027, 3, 31))
        ratings.rate(s, deal, actor="王磊", relationship=["1.1", "1.2", "1.3"], heat=["30.1", "30.2"])
    walk_to(db, process, deal, "contract_maintenance")
    with db.write() as s:
        doc = s.scalar(select(Document.id).where(Document.opportunity_id == deal, Document.kind == "contract-review"))
        assert doc is not None
        renders.record(s, doc, "zh", "a" * 64, "/srv/pdf/contract.pdf", "王磊")
        lost = opportunities.new_opportunity(s, process, 1, "5 台环卫车", owner="李娜", actor="李娜", quantity=5).id
    with db.write() as s:
        moves.lose(s, process, lost, reason="price", note="对手报价低 8%", actor="李娜")
    return lost


def audit(db: Database) -> Any:
    with db.read() as s:
        return audit_view.audit(s)


def test_a_record_kam_wrote_verifies(db: Database, process: Process, deal: int) -> None:
    rated_signed_deal(db, process, deal)
    result = audit(db)
    assert result.ok, [b.message().en for b in [*result.breaks, *result.ledger_breaks]]


# Each direct edit of an opportunity, and the column the audit must name.
EDITS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "owner": ("owner", lambda v: "李四"),
    "quantity": ("quantity", lambda v: v + 1),
    "budget": ("budget", lambda v: 1),
    "title": ("title", lambda v: "改过的标题"),
    "signed_at": ("signed_at", lambda v: v - dt.timedelta(days=30)),
    "relationship_level": ("relationship_level", lambda v: 4 if v != 4 else 1),
    "heat": ("heat", lambda v: 90 if v != 90 else 30),
    "heat_assessed_at": ("heat_assessed_at", lambda v: v - dt.timedelta(days=1)),
    "expected_close": ("expected_close", lambda v: dt.date(2030, 1, 1)),
    "account_id": ("account_id", lambda v: 2),
    "created_by": ("created_by", lambda v: "别人"),
    "stage_entered_at": ("stage_entered_at", lambda v: v - dt.timedelta(days=3)),
}


@pytest.mark.parametrize("column", list(EDITS))
def test_a_direct_edit_of_an_opportunity_fact_is_named(kam: Any, db: Database, process: Process, deal: int, column: str) -> None:
    rated_signed_deal(db, process, deal)
    with db.write() as s:
        if column == "account_id":
            accounts.create_account(s, name="另一家客户", type="enterprise", account_class="B", industry="物流", fleet_size=10, actor="t")
        before = s.scalar(select(OPP[column]).where(OPP.id == deal))
        s.execute(update(tables.opportunities).where(OPP.id == deal).values({column: EDITS[column][1](before)}))
    result = kam("--json", "audit", "verify")
    assert result.exit_code == 1
    [found] = json.loads(result.stdout)["breaks"]
    assert (found["opportunity"], found["problem"]) == (deal, "changed")
    assert found["detail"].startswith(f"{column}: ")
    assert found["message"].startswith(f"opportunity {deal} was changed outside kam: {column}: ")
    zh = kam("audit", "verify", lang="zh")
    assert zh.exit_code == 1 and f"商机 {deal} 在 kam 之外被改动：{column}: " in zh.stderr


def test_the_lost_reason_and_note_are_the_history_s(kam: Any, db: Database, process: Process, deal: int) -> None:
    lost = rated_signed_deal(db, process, deal)
    with db.write() as s:
        s.execute(update(tables.opportunities).where(OPP.id == lost).values(lost_reason="competitor", lost_note=None))
    [found] = json.loads(kam("--json", "audit", "verify").stdout)["breaks"]
    assert found["problem"] == "changed"
    assert found["detail"] == "lost_reason: price → competitor, lost_note: 对手报价低 8% → —"


def test_a_document_s_author_or_time_changed_is_named(kam: Any, db: Database, process: Process, deal: int) -> None:
    rated_signed_deal(db, process, deal)
    with db.write() as s:
        s.execute(update(Document).where(Document.opportunity_id == deal, Document.kind == "visit-feedback").values(author="冒名"))
    [found] = json.loads(kam("--json", "audit", "verify").stdout)["breaks"]
    assert (found["problem"], found["detail"]) == ("document-changed", "visit-feedback v1; author: 王磊 → 冒名")
    with db.write() as s:
        s.execute(update(Document).where(Document.opportunity_id == deal, Document.kind == "visit-feedback").values(author="王磊"))
        where = (Document.opportunity_id == deal, Document.kind == "product-proposal")
        created = s.scalar(select(Document.created_at).where(*where))
        assert created is not None
        s.execute(update(Document).where(*where).values(created_at=created - dt.timedelta(days=7)))
    [found] = json.loads(kam("--json", "audit", "verify").stdout)["breaks"]
    assert found["problem"] == "document-changed" and found["detail"].startswith("product-proposal v1; created_at: ")


def _render(s: Session) -> Any:
    return s.execute(select(tables.renders)).one()


R = tables.renders
# Each change of the render row outside kam, and the problem the ledger names.
RENDER_EDITS: dict[str, tuple[Callable[[Session], Any], str]] = {
    "hash": (lambda s: s.execute(update(R).values(sha256="b" * 64)), "changed"),
    "path": (lambda s: s.execute(update(R).values(path="/tmp/other.pdf")), "changed"),
    "who": (lambda s: s.execute(update(R).values(actor="别人")), "changed"),
    "when": (lambda s: s.execute(update(R).values(created_at=dt.datetime(2020, 1, 1))), "changed"),
    "deleted": (lambda s: s.execute(delete(R)), "deleted"),
    "added": (lambda s: s.execute(insert(R).values({**_render(s)._asdict(), "id": 99, "sha256": "c" * 64})), "unrecorded"),
}


@pytest.mark.parametrize("how", list(RENDER_EDITS))
def test_a_render_changed_added_or_deleted_outside_kam_is_named(kam: Any, db: Database, process: Process, deal: int, how: str) -> None:
    rated_signed_deal(db, process, deal)
    with db.write() as s:
        document_id = _render(s).document_id
        change, problem = RENDER_EDITS[how]
        change(s)
    result = kam("--json", "audit", "verify")
    assert result.exit_code == 1
    [found] = json.loads(result.stdout)["ledger_breaks"]
    assert (found["subject"], found["id"], found["problem"], found["entity"]) == ("document", document_id, problem, "render")
    zh = kam("audit", "verify", lang="zh")
    assert f"文档 {document_id}" in zh.stderr and "PDF 记录" in zh.stderr


def test_a_render_through_the_cli_is_in_the_ledger(kam: Any, db: Database, process: Process, deal: int, tmp_path: Path) -> None:
    walk_to(db, process, deal, "visit_pitch")
    assert kam("doc", "render", str(deal), "phone-invite-feedback", "-o", str(tmp_path / "p.pdf")).exit_code == 0
    assert kam("audit", "verify").exit_code == 0
    with db.write() as s:
        s.execute(update(tables.renders).values(path=str(tmp_path / "elsewhere.pdf")))
    [found] = json.loads(kam("--json", "audit", "verify").stdout)["ledger_breaks"]
    assert (found["entity"], found["problem"]) == ("render", "changed") and "path: " in found["detail"]


# -- a deleted tail -------------------------------------------------------------------------------


def _delete_from(s: Session, opp: int, first: int) -> int:
    s.execute(delete(Event).where(Event.opportunity_id == opp, Event.seq >= first))
    return first - 1


def test_deleting_the_last_rating_is_a_truncated_history(kam: Any, db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "visit_pitch")
    with db.write() as s:
        ratings.rate(s, deal, actor="王磊", heat=["30.1", "30.2"])
        rating = s.scalar(select(func.max(Event.seq)).where(Event.opportunity_id == deal))
        assert rating is not None
        kept = _delete_from(s, deal, rating)
    result = kam("--json", "audit", "verify")
    [found] = json.loads(result.stdout)["breaks"]
    assert (found["problem"], found["seq"]) == ("truncated", kept)
    assert f"the rows after seq {kept} were deleted" in found["message"]
    zh = kam("audit", "verify", lang="zh")
    assert f"商机 {deal} 的历史被截断：第 {kept} 行之后的记录被删除" in zh.stderr
    assert "kam init --rebuild 会抹去这一证据" in zh.stderr


def test_deleting_a_hold_and_its_resume_is_a_truncated_history(kam: Any, db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "visit_pitch")
    with db.write() as s:
        moves.hold(s, process, deal, reason="等预算", actor="王磊")
    with db.write() as s:
        moves.resume(s, process, deal, actor="王磊")
        last = s.scalar(select(func.max(Event.seq)).where(Event.opportunity_id == deal))
        assert last is not None
        kept = _delete_from(s, deal, last - 1)  # the pair leaves stage and hold flag as they were
    [found] = json.loads(kam("--json", "audit", "verify").stdout)["breaks"]
    assert (found["problem"], found["seq"]) == ("truncated", kept)
    en = kam("audit", "verify")
    assert f"opportunity {deal}: its history was truncated: the rows after seq {kept} were deleted" in en.stderr


# -- kam init --rebuild over a failing audit -----------------------------------------------------


def _truncate_hold(db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "visit_pitch")
    with db.write() as s:
        moves.hold(s, process, deal, reason="等预算", actor="王磊")
    with db.write() as s:
        last = s.scalar(select(func.max(Event.seq)).where(Event.opportunity_id == deal))
        assert last is not None
        _delete_from(s, deal, last)


def test_rebuild_refuses_over_a_failing_audit_naming_it_and_force(kam: Any, db: Database, process: Process, deal: int) -> None:
    _truncate_hold(db, process, deal)
    with db.read() as s:
        activity = s.scalar(select(OPP.last_activity_at).where(OPP.id == deal))
    result = kam("init", "--rebuild")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: the audit fails, so nothing was rebuilt: opportunity {deal}: its history was truncated")
    assert "kam init --rebuild --force (recorded in the history)" in result.stderr
    zh = kam("init", "--rebuild", lang="zh")
    assert zh.exit_code == 1 and "审计未通过，不重建" in zh.stderr and "kam init --rebuild --force" in zh.stderr
    with db.read() as s:
        assert s.scalar(select(OPP.last_activity_at).where(OPP.id == deal)) == activity  # the evidence is untouched
        assert s.scalar(select(func.count()).select_from(tables.ledger).where(tables.ledger.c.subject == "database")) == 0


def test_rebuild_with_force_runs_and_is_recorded(kam: Any, db: Database, process: Process, deal: int) -> None:
    _truncate_hold(db, process, deal)
    data = kam.json("--actor", "刘总", "init", "--rebuild", "--force")
    assert data["rebuilt"]["forced"] == 1
    with db.read() as s:
        [row] = s.execute(select(tables.ledger).where(tables.ledger.c.subject == "database")).all()
    assert (row.actor, row.action, row.detail["forced"], row.detail["problems"]) == ("刘总", "rebuild", True, 1)
    assert row.detail["audit"][0]["en"].startswith(f"opportunity {deal}: its history was truncated")
    assert "的历史被截断" in row.detail["audit"][0]["zh"]
    verified = json.loads(kam("--json", "audit", "verify").stdout)
    assert verified["forced_rebuilds"] == [{"at": row.at.isoformat(timespec="seconds"), "actor": "刘总", "problems": 1}]
    # the rebuild recomputed the last activity; what it cannot repair is still named, and the ledger keeps the rest
    assert [b["problem"] for b in verified["breaks"]] == ["hold"]
    human = kam("audit", "verify")
    assert human.exit_code == 1 and "note: 刘总 forced a rebuild of the derived data over a failing audit (1 problem)" in human.stdout


def test_rebuild_still_repairs_derived_data_without_force(kam: Any, db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "visit_pitch")
    with db.write() as s:
        activity = s.scalar(select(OPP.last_activity_at).where(OPP.id == deal))
        assert activity is not None
        s.execute(update(tables.opportunities).values(last_activity_at=activity - dt.timedelta(days=40)))
    assert json.loads(kam("--json", "audit", "verify").stdout)["breaks"][0]["problem"] == "activity"
    assert kam.json("init", "--rebuild")["rebuilt"]["forced"] == 0
    assert kam("audit", "verify").exit_code == 0


def test_force_goes_with_rebuild(kam: Any) -> None:
    """`kam init --force` alone would do nothing it says: a usage error, not a silent success."""
    result = kam("init", "--force")
    assert result.exit_code == 2 and "Error: --force goes with --rebuild" in result.stderr
    assert "错误：--force 只能与 --rebuild 一起使用" in kam("init", "--force", lang="zh").stderr


# -- an older database, upgraded ----------------------------------------------------------------


def test_an_upgraded_0009_database_verifies_and_then_catches_edits(kam: Any, db: Database, process: Process) -> None:
    """What kam before 0010 wrote (a create row naming only title and owner, a rating set without its row, a
    render in no chain) is taken as it stands by the upgrade; every change after it is named."""
    with db.write() as s:
        acc = accounts.create_account(s, name="包头鑫达物流", type="enterprise", account_class="A", industry="物流", fleet_size=120, actor="t")
        accounts.add_contact(s, acc.id, "张华", actor="t", title="科长", role="技术选型决策人")
        opp = opportunities.new_opportunity(s, process, acc.id, "20 台牵引车", owner="王磊", actor="王磊", quantity=20).id
    walk_to(db, process, opp, "visit_pitch")
    _back_to_0009(db)
    with db.engine.begin() as c:
        # as kam before 0010 could leave it: a fact set without its history row, a render in no chain
        c.execute(update(tables.opportunities).values(heat=70))
        doc = c.scalar(select(Document.id))
        c.execute(insert(tables.renders).values(document_id=doc, lang="zh", sha256="d" * 64, path="/p.pdf", actor="王磊", created_at=dt.datetime(2026, 1, 1)))
    assert db.current_revision() == "0009"
    assert kam.json("init")["to"] == "0010"
    data = kam.json("audit", "verify")
    assert data["ok"] is True
    with db.read() as s:
        baseline = s.execute(select(Event).where(Event.action == "baseline")).scalar_one()
        newest = s.scalar(select(func.max(Event.at)).where(Event.action != "baseline"))
    assert baseline.detail["fields"]["heat"] == 70 and baseline.at == newest  # its last activity did not move
    assert "the opportunity's facts at the upgrade (0010, " in kam("opp", "history", str(opp)).stdout
    with db.write() as s:
        s.execute(update(tables.opportunities).values(owner="李四"))
        s.execute(update(tables.renders).values(sha256="e" * 64))
    data = json.loads(kam("--json", "audit", "verify").stdout)
    assert [(b["problem"], b["detail"]) for b in data["breaks"]] == [("changed", "owner: 王磊 → 李四")]
    assert [(b["entity"], b["problem"]) for b in data["ledger_breaks"]] == [("render", "changed")]


def _back_to_0009(db: Database) -> None:
    from alembic import command

    from migrations import config

    command.downgrade(config(db.engine), "0009")


def test_an_upgraded_database_verifies_on_postgresql(pg_url: str, process: Process) -> None:
    pg = Database(pg_url)
    try:
        with pg.write() as s:
            acc = accounts.create_account(s, name="包头鑫达物流", type="enterprise", account_class="A", industry="物流", fleet_size=120, actor="t")
            accounts.add_contact(s, acc.id, "张华", actor="t", title="科长", role="技术选型决策人")
            opp = opportunities.new_opportunity(s, process, acc.id, "20 台牵引车", owner="王磊", actor="王磊", quantity=20).id
        walk_to(pg, process, opp, "visit_pitch")
        _back_to_0009(pg)
        with pg.engine.begin() as c:
            c.execute(update(tables.opportunities).values(heat=70))
        pg.upgrade()
        assert audit(pg).ok
        with pg.write() as s:
            ratings.rate(s, opp, actor="王磊", heat=["30.1", "30.2"])
        assert audit(pg).ok
        with pg.write() as s:
            s.execute(update(tables.opportunities).values(quantity=21))
        assert [(b.problem, b.detail) for b in audit(pg).breaks] == [("changed", "quantity: 20 → 21")]
        with pg.write() as s:
            s.execute(update(tables.opportunities).values(quantity=20))
            last = s.scalar(select(func.max(Event.seq)))
            s.execute(delete(Event).where(Event.seq == last))
        assert [b.problem for b in audit(pg).breaks] == ["truncated"]
    finally:
        pg.dispose()


def test_facts_are_checked_on_postgresql(pg_url: str, process: Process) -> None:
    pg = Database(pg_url)
    try:
        with pg.write() as s:
            acc = accounts.create_account(s, name="包头鑫达物流", type="enterprise", account_class="A", industry="物流", fleet_size=120, actor="t")
            accounts.add_contact(s, acc.id, "张华", actor="t", title="科长", role="技术选型决策人")
            opp = opportunities.new_opportunity(s, process, acc.id, "20 台牵引车", owner="王磊", actor="王磊", quantity=20).id
        rated_signed_deal(pg, process, opp)
        assert audit(pg).ok
        with pg.write() as s:
            s.execute(update(tables.opportunities).where(OPP.id == opp).values(budget=1, owner="李四"))
        [found] = audit(pg).breaks
        assert (found.problem, found.detail) == ("changed", "owner: 王磊 → 李四, budget: 5200000 → 1")
    finally:
        pg.dispose()


# -- kam import verifies what it loads ----------------------------------------------------------


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What `kam demo` writes: a real database's export."""
    from cli import cli

    out = tmp_path_factory.mktemp("demo") / "out"
    env = {"KAM_USER": "tester", "XDG_DATA_HOME": str(out.parent / "xdg"), "XDG_CACHE_HOME": str(out.parent / "cache")}
    result = CliRunner().invoke(cli, ["--lang", "en", "demo", "--out", str(out)], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads((out / "kam-export.json").read_text(encoding="utf-8"))
    return data


def _row(data: dict[str, Any], table: str, **where: Any) -> dict[str, Any]:
    return next(r for r in data["tables"][table] if all(r[k] == v for k, v in where.items()))


TAMPERED_EXPORTS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "owner": (lambda d: _row(d, "opportunities", id=1).update(owner="冒名顶替"), "opportunity 1 was changed outside kam: owner: "),
    "quantity": (lambda d: _row(d, "opportunities", id=1).update(quantity=999), "opportunity 1 was changed outside kam: quantity: "),
    "title": (lambda d: _row(d, "opportunities", id=1).update(title="改过的标题"), "opportunity 1 was changed outside kam: title: "),
    "budget": (lambda d: _row(d, "opportunities", id=1).update(budget="1.00"), "opportunity 1 was changed outside kam: budget: "),
    "account name": (lambda d: _row(d, "accounts", id=1).update(name="另一家公司"), "account 1: account 1 was changed outside kam (name: "),
    "render hash": (lambda d: d["tables"]["renders"][0].update(sha256="f" * 64), "render "),
}


def test_an_untampered_demo_export_imports_and_verifies(demo_export: dict[str, Any], kam: Any, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(demo_export, ensure_ascii=False), encoding="utf-8")
    assert demo_export["tables"]["renders"] and demo_export["schema"] == "0010"
    assert kam("init").exit_code == 0
    assert kam("import", str(path)).exit_code == 0
    assert kam.json("audit", "verify")["ok"] is True


@pytest.mark.parametrize("how", list(TAMPERED_EXPORTS))
def test_a_tampered_export_is_refused_naming_the_change(demo_export: dict[str, Any], kam: Any, db: Database, tmp_path: Path, how: str) -> None:
    data = json.loads(json.dumps(demo_export))
    tamper, expected = TAMPERED_EXPORTS[how]
    tamper(data)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert kam("init").exit_code == 0
    result = kam("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the import file does not hold up against its own history: ")
    assert expected in result.stderr and result.stderr.rstrip().endswith("nothing was imported")
    zh = kam("import", str(path), lang="zh")
    assert zh.exit_code == 1 and "导入文件与其历史记录不符：" in zh.stderr and "未导入任何数据" in zh.stderr
    with db.read() as s:  # one transaction: nothing was written
        for table in ("accounts", "opportunities", "events", "renders", "ledger"):
            assert s.scalar(select(func.count()).select_from(text(table))) == 0, table


def test_the_audit_reads_one_opportunity_at_a_time(db: Database, process: Process, deal: int) -> None:
    """The stream gives each opportunity its own rows, in id order, also an opportunity whose row is gone."""
    import sqlite3

    from workflow.records import queries

    rated_signed_deal(db, process, deal)
    path = db.engine.url.database
    assert path is not None
    with sqlite3.connect(path) as raw:  # foreign keys off: history rows of an opportunity that is gone
        raw.execute(
            "INSERT INTO events (opportunity_id, seq, at, actor, action, prev_hash, hash) VALUES (77, 1, '2026-01-01 00:00:00.000000', 'x', 'create', ?, ?)",
            ("0" * 64, "1" * 64),
        )
    with db.read() as s:
        groups = list(queries.audit_stream(s.connection()))
        counts = {
            opp: s.scalar(select(func.count()).select_from(tables.events).where(tables.events.c.opportunity_id == opp)) for opp in (1, 2, 77)
        }
        result = audit_view.audit(s)
    assert [g.id for g in groups] == [1, 2, 77]
    assert [len(g.events) for g in groups] == [counts[1], counts[2], counts[77]]
    assert groups[2].opportunity is None and groups[0].opportunity.id == 1
    assert all(e.opportunity_id == g.id for g in groups for e in g.events + g.documents + g.signoffs)
    assert [(b.opportunity_id, b.problem) for b in result.breaks] == [(77, "orphan")]

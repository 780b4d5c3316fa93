"""kam audit verify and kam backup: tampering is visible, backups are consistent copies."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from helpers import approve_all, fill, walk_to
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from workflow.operations import accounts, moves, opportunities
from workflow.records import hashing, tables
from workflow.records.db import Database
from workflow.records.models import Document, Event, Opportunity, SignOff, utcnow
from workflow.rules.process import Process
from workflow.views import audit as audit_view


def signed_deal(db: Database, process: Process, deal: int) -> None:
    """The deal walked to the last stage (documents, sign-offs, every kind of row), plus an untouched second deal."""
    walk_to(db, process, deal, "contract_maintenance")
    with db.write() as s:
        opportunities.new_opportunity(s, process, 1, "10 台自卸车", owner="王磊", actor="王磊")


def seq_of(s: Session, opp: int, action: str, last: bool = True) -> int:
    query = select(Event.seq).where(Event.opportunity_id == opp, Event.action == action)
    return s.scalar(query.order_by(Event.seq.desc() if last else Event.seq).limit(1))  # type: ignore[return-value]


def _alter_row(s: Session, opp: int) -> str:
    seq = seq_of(s, opp, "transition", last=False)
    s.execute(update(Event).where(Event.opportunity_id == opp, Event.seq == seq).values(actor="someone else"))
    return f"opportunity {opp} seq {seq}: the row was altered"


def _delete_middle_row(s: Session, opp: int) -> str:
    s.execute(delete(Event).where(Event.opportunity_id == opp, Event.seq == 3))
    return f"opportunity {opp}: history row(s) before seq 4 are missing (expected seq 3)"


def _relink_row(s: Session, opp: int) -> str:
    s.execute(update(Event).where(Event.opportunity_id == opp, Event.seq == 2).values(prev_hash="f" * 64))
    return f"opportunity {opp} seq 2: does not link to the row before it (that row was altered or deleted)"


def _delete_last_row(s: Session, opp: int) -> str:
    last = seq_of(s, opp, "transition")
    activity, newest = _activity_and_newest_after_deleting(s, opp, last)
    return (
        f"opportunity {opp}: its history was truncated: the rows after seq {last - 1} were deleted (last activity {activity}, newest row {newest}); "
        "restore them from a backup or an export (kam init --rebuild would erase this evidence, so it refuses)"
    )


def _activity_and_newest_after_deleting(s: Session, opp: int, first: int) -> tuple[str, str]:
    """Delete the opportunity's history rows from seq `first` on; (its last activity, the newest row left), ISO."""
    s.execute(delete(Event).where(Event.opportunity_id == opp, Event.seq >= first))
    activity = s.scalar(select(Opportunity.last_activity_at).where(Opportunity.id == opp))
    newest = s.scalar(select(func.max(Event.at)).where(Event.opportunity_id == opp))
    assert activity is not None and newest is not None
    return activity.isoformat(timespec="microseconds"), newest.isoformat(timespec="microseconds")


def _delete_all_history(s: Session, opp: int) -> str:
    s.execute(delete(Event).where(Event.opportunity_id == opp))
    return f"opportunity {opp}: has no history at all (deleted)"


def _change_stage(s: Session, opp: int) -> str:
    last = s.scalar(select(Event.seq).where(Event.opportunity_id == opp).order_by(Event.seq.desc()).limit(1))
    s.execute(update(Opportunity).where(Opportunity.id == opp).values(stage="technical_exchange", version=Opportunity.version + 1))
    return (
        f"opportunity {opp}: stage does not match its history: technical_exchange in the opportunity, contract_maintenance in the history "
        f"(the last row is seq {last}: later rows were deleted or the stage was changed outside kam)"
    )


def _put_on_hold(s: Session, opp: int) -> str:
    last = s.scalar(select(Event.seq).where(Event.opportunity_id == opp).order_by(Event.seq.desc()).limit(1))
    s.execute(update(Opportunity).where(Opportunity.id == opp).values(on_hold=True, version=Opportunity.version + 1))
    return f"opportunity {opp}: hold status does not match its history: on hold in the opportunity, active in the history (the last row is seq {last})"


def _alter_document(s: Session, opp: int) -> str:
    doc = s.scalar(select(Document).where(Document.opportunity_id == opp, Document.kind == "negotiation-minutes"))
    assert doc is not None
    s.execute(update(Document).where(Document.id == doc.id).values(data={**doc.data, "next_steps": "价格再降 5 万"}))
    seq = s.scalar(select(Event.seq).where(Event.opportunity_id == opp, Event.action == "document").order_by(Event.seq))
    for event in s.scalars(select(Event).where(Event.opportunity_id == opp, Event.action == "document").order_by(Event.seq)):
        if event.detail["kind"] == "negotiation-minutes":
            seq = event.seq
    return f"opportunity {opp} seq {seq}: document negotiation-minutes v1 was altered"


def _delete_document(s: Session, opp: int) -> str:
    s.execute(delete(Document).where(Document.opportunity_id == opp, Document.kind == "visit-feedback"))
    seq = next(
        e.seq for e in s.scalars(select(Event).where(Event.opportunity_id == opp, Event.action == "document")) if e.detail["kind"] == "visit-feedback"
    )
    return f"opportunity {opp} seq {seq}: document visit-feedback v1 was deleted"


def _add_document(s: Session, opp: int) -> str:
    data = {"customer": "伪造"}
    s.add(Document(opportunity_id=opp, kind="service-plan", version=1, data=data, author="x", sha256=hashing.sha256(data)))
    return f"opportunity {opp}: document service-plan v1 has no history row (added outside kam)"


def _alter_signoff(s: Session, opp: int) -> str:
    s.execute(update(SignOff).where(SignOff.opportunity_id == opp, SignOff.department == "legal").values(decision="reject"))
    seq = next(
        e.seq for e in s.scalars(select(Event).where(Event.opportunity_id == opp, Event.action == "signoff")) if e.detail["department"] == "legal"
    )
    return f"opportunity {opp} seq {seq}: sign-off legal by 孙律 was altered"


def _delete_signoff(s: Session, opp: int) -> str:
    s.execute(delete(SignOff).where(SignOff.opportunity_id == opp, SignOff.department == "finance"))
    seq = next(
        e.seq for e in s.scalars(select(Event).where(Event.opportunity_id == opp, Event.action == "signoff")) if e.detail["department"] == "finance"
    )
    return f"opportunity {opp} seq {seq}: sign-off finance by 钱进 was deleted"


def _add_signoff(s: Session, opp: int) -> str:
    s.add(SignOff(opportunity_id=opp, department="production", reviewer="冒名", decision="approve", review_version=1, at=utcnow()))
    return f"opportunity {opp}: sign-off production by 冒名 has no history row (added outside kam)"


def _move_activity(s: Session, opp: int) -> str:
    last, newest = s.execute(select(Event.seq, Event.at).where(Event.opportunity_id == opp).order_by(Event.seq.desc()).limit(1)).one()
    moved = newest - dt.timedelta(days=40)  # would make a busy deal look stalled
    s.execute(update(Opportunity).where(Opportunity.id == opp).values(last_activity_at=moved))
    return (
        f"opportunity {opp}: last activity does not match its history: {moved.isoformat(timespec='microseconds')} in the opportunity, "
        f"{newest.isoformat(timespec='microseconds')} in the history (the last row is seq {last}); kam init --rebuild rebuilds it"
    )


TAMPERING: dict[str, Callable[[Session, int], str]] = {
    "a row altered": _alter_row,
    "a row deleted in the middle": _delete_middle_row,
    "a row relinked": _relink_row,
    "the last row deleted": _delete_last_row,
    "the whole history deleted": _delete_all_history,
    "the stage changed directly": _change_stage,
    "put on hold directly": _put_on_hold,
    "the last activity moved": _move_activity,
    "a document altered": _alter_document,
    "a document deleted": _delete_document,
    "a document added": _add_document,
    "a sign-off altered": _alter_signoff,
    "a sign-off deleted": _delete_signoff,
    "a sign-off added": _add_signoff,
}


def test_an_untouched_record_verifies(kam: Any, db: Database, process: Process, deal: int) -> None:
    signed_deal(db, process, deal)
    with db.read() as s:
        events = s.scalar(select(Event.id).order_by(Event.id.desc()).limit(1))
        ledger_rows = s.scalar(select(func.count()).select_from(tables.ledger))
    rows = events + ledger_rows  # the opportunities' history and the accounts' (the ledger)
    assert ledger_rows == 2  # the account and its contact, each as created
    result = kam("audit", "verify")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"history intact: 2 opportunities, {rows} history rows verified\nintegrity check passed (PRAGMA integrity_check)\n"
    assert kam.json("audit", "verify") == {
        "ok": True, "checked": rows, "opportunities": 2, "breaks": [], "subjects": 1, "ledger_breaks": [],
        "signatures": 0, "signature_problems": [], "anchors": [],
        "integrity": {"check": "integrity_check", "ok": True, "problems": [], "message": "integrity check passed (PRAGMA integrity_check)"},
        "forced_rebuilds": [],
    }


@pytest.mark.parametrize("how", list(TAMPERING))
def test_tampering_outside_kam_names_the_first_broken_row(kam: Any, db: Database, process: Process, deal: int, how: str) -> None:
    signed_deal(db, process, deal)
    with db.write() as s:
        expected = TAMPERING[how](s, deal)
    result = kam("audit", "verify")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: the record of 1 opportunity was altered outside kam (")
    assert lines[1:] == [f"  - {expected}"]


def test_audit_json_lists_each_break(kam: Any, db: Database, process: Process, deal: int) -> None:
    signed_deal(db, process, deal)
    with db.write() as s:
        _alter_row(s, deal)
        _delete_all_history(s, 2)
    result = kam("--json", "audit", "verify")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert [(b["opportunity"], b["problem"]) for b in data["breaks"]] == [(deal, "hash"), (2, "no-history")]
    assert data["breaks"][1] == {"opportunity": 2, "seq": 0, "problem": "no-history", "detail": "", "message": "opportunity 2: has no history at all (deleted)"}


def test_audit_speaks_chinese(kam: Any, db: Database, process: Process, deal: int) -> None:
    with db.write() as s:
        _delete_all_history(s, deal)
    result = kam("audit", "verify", lang="zh")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == f"  - 商机 {deal} 没有任何历史记录（被整体删除）"


def test_new_versions_and_voided_signoffs_still_verify(db: Database, process: Process, deal: int) -> None:
    """A refilled contract review voids the sign-offs; the old ones stay recorded and still match."""
    walk_to(db, process, deal, "evaluation_negotiation")
    for kind in ("evaluation-scorecard", "negotiation-minutes", "contract-review"):
        fill(db, deal, kind)
    approve_all(db, deal)
    fill(db, deal, "contract-review")
    approve_all(db, deal)
    with db.write() as s:
        moves.hold(s, process, deal, reason="等预算", actor="王磊")
    with db.read() as s:
        result = audit_view.audit(s)
    assert result.ok, [b.message().en for b in result.breaks]


def test_a_full_record_verifies_on_postgresql(pg_url: str, process: Process) -> None:
    pg = Database(pg_url)
    try:
        with pg.write() as s:
            acc = accounts.create_account(s, name="包头鑫达物流", type="enterprise", account_class="A", industry="物流", fleet_size=120, actor="t")
            accounts.add_contact(s, acc.id, "张华", actor="t", title="科长", role="技术选型决策人")
            opp = opportunities.new_opportunity(s, process, acc.id, "20 台牵引车", owner="王磊", actor="王磊").id
        walk_to(pg, process, opp, "contract_maintenance")
        with pg.read() as s:
            assert audit_view.audit(s).ok
        with pg.write() as s:
            _alter_signoff(s, opp)
        with pg.read() as s:
            assert [(b.problem, b.detail) for b in audit_view.audit(s).breaks] == [("signoff-changed", "legal by 孙律")]
    finally:
        pg.dispose()


# -- backups -------------------------------------------------------------------------------


def test_backup_copies_a_live_database_and_the_copy_verifies(kam: Any, db: Database, process: Process, deal: int, tmp_path: Any) -> None:
    walk_to(db, process, deal, "initial_solution")
    stop = threading.Event()
    writes = 0

    def keep_writing() -> None:
        nonlocal writes
        while not stop.is_set():
            fill(db, deal, "visit-feedback")
            writes += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while writes < 3:
            time.sleep(0.01)
        data = kam.json("backup", str(tmp_path / "copy.sqlite3"))
    finally:
        stop.set()
        writer.join()
    assert data["ok"] is True and data["opportunities"] == 1 and data["checked"] > 3
    copy = Database(str(tmp_path / "copy.sqlite3"))
    try:
        with copy.read() as s:
            assert audit_view.audit(s).ok
            assert s.scalar(select(Opportunity.stage)) == "initial_solution"
    finally:
        copy.dispose()
    # one self-contained file: no WAL or partial file beside it
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy") or p.name.startswith(".copy")) == ["copy.sqlite3"]
    restored = kam("--db", str(tmp_path / "copy.sqlite3"), "audit", "verify")
    assert restored.exit_code == 0 and restored.stdout.startswith("history intact: 1 opportunity,")


def test_backup_refuses_to_overwrite_without_force(kam: Any, deal: int, tmp_path: Any) -> None:
    target = tmp_path / "copy.sqlite3"
    target.write_text("keep me")
    result = kam("backup", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {target} exists: use --force to overwrite it, or choose another name\n"
    assert target.read_text() == "keep me"
    assert kam("backup", str(target), "--force").exit_code == 0
    assert sqlite3.connect(target).execute("SELECT count(*) FROM opportunities").fetchone() == (1,)


def test_backup_refuses_postgresql_and_points_at_export(kam: Any, pg_url: str, tmp_path: Any) -> None:
    result = kam("--db", pg_url, "backup", str(tmp_path / "x.sqlite3"))
    assert result.exit_code == 1
    assert "kam backup copies SQLite databases only;" in result.stderr and "use kam export FILE.json" in result.stderr
    assert not (tmp_path / "x.sqlite3").exists()


def test_backup_into_a_missing_folder_is_a_clear_error(kam: Any, deal: int, tmp_path: Any) -> None:
    result = kam("backup", str(tmp_path / "nope" / "x.sqlite3"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: folder {tmp_path / 'nope'} does not exist\n"

"""kam export / kam import: everything, losslessly, into an empty database only."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from forms_fixtures import edit, load
from helpers import fill, walk_to

from workflow.errors import InvalidInput
from workflow.operations import (
    accounts,
    attachments,
    company,
    exchange,
    moves,
    opportunities,
    ratings,
    renders,
    roster,
    signoffs,
)
from workflow.operations import followups as followup_ops
from workflow.records import queries
from workflow.records.db import Database
from workflow.rules import signatures
from workflow.rules.process import Process
from workflow.views import audit as audit_view


def populate(db: Database, process: Process) -> None:
    """A database with every kind of record."""
    with db.write() as s:
        acc = accounts.create_account(
            s,
            name="包头鑫达物流有限公司",
            type="enterprise",
            account_class="A",
            industry="物流",
            fleet_size=120,
            actor="王磊",
            size="large",
            market="domestic",
            region="内蒙古包头",
            main_brands="欧曼",
            address="钢铁大街 88 号",
        )
        accounts.add_contact(
            s,
            acc.id,
            "张华",
            actor="王磊",
            department="车管科",
            title="科长",
            role="技术选型决策人",
            influence="high",
            stance="supporter",
            phone="13904721234",
        )
        signed = opportunities.new_opportunity(
            s,
            process,
            acc.id,
            "20 台牵引车",
            owner="王磊",
            actor="王磊",
            quantity=20,
            budget=Decimal("5200000.50"),
            expected_close=dt.date(2027, 3, 31),
        )
        lost = opportunities.new_opportunity(s, process, acc.id, "5 台环卫车", owner="李娜", actor="李娜", quantity=5)
        held = opportunities.new_opportunity(s, process, acc.id, "2 台冷藏车", owner="李娜", actor="李娜")
        ids = signed.id, lost.id, held.id
    walk_to(db, process, ids[0], "evaluation_negotiation")
    fill(db, ids[0], "negotiation-minutes")
    fill(db, ids[0], "evaluation-scorecard")
    fill(db, ids[0], "contract-review")
    with db.write() as s:  # a rejection, then a new contract-review version and approvals
        signoffs.decide(
            s, process, ids[0], department="legal", decision="reject", comment="违约金比例需明确", actor="孙律"
        )
    fill(db, ids[0], "contract-review", edit(load("contract-review"), "penalty_percent", 5))
    walk_to(db, process, ids[0], "contract_maintenance")
    fill(db, ids[0], "service-plan")
    with db.write() as s:
        ratings.rate(
            s,
            ids[0],
            actor="李经理",
            relationship=["1.1", "1.2", "1.3", "2.1", "2.2", "2.3"],
            heat=["30.1", "50.1", "50.2", "70.1", "70.2"],
        )
        followup_ops.record_followup(
            s,
            process,
            f"{ids[0]}-TR-20270202",
            dt.date(2027, 2, 2),
            actor="王磊",
            note="驾驶员培训",
            found="DPF 再生操作不熟",
            today=dt.date(2027, 2, 3),
        )
        moves.lose(s, process, ids[1], reason="price", note="对手低 3%", actor="李娜")
        moves.hold(s, process, ids[2], reason="预算冻结", actor="李娜")
        doc = queries.get_document(s, ids[0], "service-plan")
        renders.record(s, doc.id, "zh", "a" * 64, "out/service-plan.pdf", "王磊")  # as kam doc render records it
        attachments.add(
            s,
            ids[0],
            [attachments.Upload("合同扫描件.pdf", b"%PDF-1.4 signed scan", "scan.pdf")],
            actor="王磊",
            kind="contract-review",
        )
        company.set_company(s, {"name": "北汽福田汽车股份有限公司", "phone": "010-80708888"}, actor="王磊")
        # the roster and a reviewer's key (issue 13)
        for name, kw in (("刘总", {}), ("王磊", {"departments": ["sales"]}), ("李娜", {}), ("钱进", {"role": "reviewer", "departments": ["finance"], "login": "qianjin"})):
            roster.add_user(s.connection(), process, name, actor="刘总", **kw)  # type: ignore[arg-type]
        key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()
        line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
        roster.register_key(s.connection(), "钱进", signatures.load_public_key(line, "钱进.pub"), actor="钱进")


def export_text(db: Database) -> str:
    with db.read() as s:
        return exchange.dumps(exchange.export_data(s))


def import_text(db: Database, text: str) -> dict[str, int]:
    with db.write() as s:
        return exchange.import_data(s, json.loads(text))


def test_every_kind_of_record_is_exported(db: Database, process: Process) -> None:
    populate(db, process)
    data = json.loads(export_text(db))
    assert (data["format"], data["version"]) == ("kam-export", 1)
    counts = {name: len(rows) for name, rows in data["tables"].items()}
    assert all(counts.values()), counts
    assert counts["signoffs"] == 5 and counts["followups"] == 1 and counts["renders"] == 1
    assert {d["kind"] for d in data["tables"]["documents"] if d["kind"] == "contract-review" and d["version"] == 2}
    opp = data["tables"]["opportunities"][0]
    assert (opp["budget"], opp["expected_close"], opp["heat"], opp["relationship_level"]) == (
        "5200000.50",
        "2027-03-31",
        70,
        2,
    )


def test_round_trip_is_identical_and_the_history_verifies(db: Database, process: Process, tmp_path: Path) -> None:
    populate(db, process)
    first = export_text(db)
    copy = Database(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    try:
        counts = import_text(copy, first)
        assert counts == {name: len(rows) for name, rows in json.loads(first)["tables"].items()}
        assert export_text(copy) == first
        with copy.read() as s:
            result = audit_view.audit(s)
        assert result.checked > 20 and result.breaks == []
        # the copy keeps working: new rows get fresh ids, the optimistic lock still counts
        with copy.write() as s:
            new = opportunities.new_opportunity(s, process, 1, "追加 10 台", owner="王磊", actor="王磊")
            assert new.id == 4
            moves.resume(s, process, 3, actor="李娜")
    finally:
        copy.dispose()


def test_round_trip_through_postgresql(db: Database, process: Process, pg_url: str) -> None:
    populate(db, process)
    first = export_text(db)
    pg = Database(pg_url)
    try:
        import_text(pg, first)
        assert export_text(pg) == first
        with pg.read() as s:
            assert audit_view.audit(s).breaks == []
        with pg.write() as s:  # the id sequences were moved past the imported rows
            assert opportunities.new_opportunity(s, process, 1, "追加 10 台", owner="王磊", actor="王磊").id == 4
    finally:
        pg.dispose()


def test_import_refuses_a_database_with_data(db: Database, process: Process) -> None:
    populate(db, process)
    text = export_text(db)
    with pytest.raises(InvalidInput) as info:
        import_text(db, text)
    assert info.value.message.en.startswith(
        "import only goes into an empty database, and this one has data (accounts, contacts"
    )
    assert info.value.message.en.endswith("point --db at a new database file")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="other"), 'this is not a file written by kam export (no "format": "kam-export")'),
        (lambda d: d.update(version=9), "export format version “9” is not supported (this kam reads version 1)"),
        (lambda d: d["tables"].pop("followups"), "the export's tables must be exactly: accounts, contacts"),
        (
            lambda d: d["tables"]["accounts"][0].update(colour="red"),
            "(accounts[1]): unknown columns colour; nothing was imported",
        ),
        (
            lambda d: d["tables"]["opportunities"][0].update(quantity="twenty"),
            "(opportunities[1].quantity): value “\"twenty\"” is not an integer",
        ),
        (
            lambda d: d["tables"]["events"][0].update(at="yesterday"),
            "(events[1].at): value “\"yesterday\"” is not a time like 2026-12-01T10:00:00",
        ),
        (
            lambda d: d["tables"]["documents"][0]["data"].update(caller="改过"),
            "(documents[1]): the document's data does not match its sha256",
        ),
        (
            lambda d: d["tables"]["events"][2].update(actor="冒名"),
            "the import file does not hold up against its own history: opportunity 3 seq 1: the row was altered",
        ),
    ],
)
def test_a_damaged_file_imports_nothing(db: Database, process: Process, tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    populate(db, process)
    data = json.loads(export_text(db))
    change(data)
    copy = Database(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    try:
        with pytest.raises(InvalidInput) as info:
            import_text(copy, json.dumps(data))
        assert message in info.value.message.en
        with copy.read() as s:
            assert exchange.export_data(s)["tables"]["accounts"] == []
    finally:
        copy.dispose()


def test_export_and_import_commands(kam, db: Database, process: Process, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    populate(db, process)
    out = tmp_path / "backup.json"
    done = kam.json("export", str(out))
    assert done["counts"]["opportunities"] == 3
    again = tmp_path / "again.json"
    target = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    loaded = kam.runner.invoke(kam_cli(), ["--db", target, "--lang", "en", "import", str(out)])
    assert loaded.exit_code == 0, loaded.output
    assert "imported from" in loaded.stdout
    assert kam.runner.invoke(kam_cli(), ["--db", target, "export", str(again)]).exit_code == 0
    assert again.read_bytes() == out.read_bytes()
    refused = kam("import", str(out))
    assert refused.exit_code == 1 and "Error: import only goes into an empty database" in refused.stderr


def kam_cli():  # type: ignore[no-untyped-def]
    from cli import cli

    return cli

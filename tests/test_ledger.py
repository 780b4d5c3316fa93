"""The ledger: accounts and contacts have a hash-chained history too, and the audit holds their rows to it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text, update

from migrations import upgrade
from workflow.operations import account_import, accounts, exchange
from workflow.records import ledger, tables
from workflow.records.db import Database
from workflow.views import audit as audit_view

L = tables.ledger.c


def customer(db: Database) -> tuple[int, int]:
    """An account with one contact, then an edit of the account: three ledger rows."""
    with db.write() as s:
        acc = accounts.create_account(
            s, name="呼和浩特市环卫局", type="government", account_class="A", industry="环卫", fleet_size=300, actor="王磊"
        )
        contact = accounts.add_contact(s, acc.id, "赵强", actor="王磊", title="车管科科长", phone="0471-6912345")
        accounts.edit_account(s, acc.id, actor="李娜", region="内蒙古呼和浩特")
        return acc.id, contact.id


def chain(db: Database, account_id: int) -> list[Any]:
    with db.read() as s:
        return list(s.execute(select(tables.ledger).where(L.subject == "account", L.subject_id == account_id).order_by(L.seq)))


def test_every_write_of_an_account_or_contact_is_a_ledger_row(db: Database) -> None:
    account_id, contact_id = customer(db)
    rows = chain(db, account_id)
    assert [(r.seq, r.actor, r.action, r.detail["entity"], r.detail["id"]) for r in rows] == [
        (1, "王磊", "create", "account", account_id),
        (2, "王磊", "contact-add", "contact", contact_id),
        (3, "李娜", "edit", "account", account_id),
    ]
    assert rows[0].detail["fields"]["name"] == "呼和浩特市环卫局"
    assert "changes" not in rows[0].detail  # a first record has nothing to compare with
    assert rows[2].detail["changes"]["region"] == [None, "内蒙古呼和浩特"]
    assert rows[1].detail["fields"]["phone"] == "0471-6912345"
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]


def test_an_edit_that_changes_nothing_writes_no_row(db: Database) -> None:
    account_id, _ = customer(db)
    with db.write() as s:
        accounts.edit_account(s, account_id, actor="李娜", region="内蒙古呼和浩特", reviewed=False)
    # the edit confirms the data (reviewed_at moves), so it is a row; the same edit twice in one instant is not
    assert len(chain(db, account_id)) == 4
    with db.read() as s:
        assert audit_view.audit(s).ok


def _edit_name(s: Any, account_id: int, contact_id: int) -> None:
    s.execute(update(tables.accounts).where(tables.accounts.c.id == account_id).values(name="呼市环卫局"))


def _edit_phone(s: Any, account_id: int, contact_id: int) -> None:
    s.execute(update(tables.contacts).where(tables.contacts.c.id == contact_id).values(phone="13800000000"))


def _add_contact(s: Any, account_id: int, contact_id: int) -> None:
    s.execute(
        insert(tables.contacts).values(account_id=account_id, name="假联系人", created_by="x", created_at=tables.utcnow())
    )


def _delete_contact(s: Any, account_id: int, contact_id: int) -> None:
    s.execute(delete(tables.contacts).where(tables.contacts.c.id == contact_id))


def _alter_ledger_row(s: Any, account_id: int, contact_id: int) -> None:
    s.execute(update(tables.ledger).where(L.subject_id == account_id, L.seq == 2).values(actor="别人"))


def _delete_middle_row(s: Any, account_id: int, contact_id: int) -> None:
    s.execute(delete(tables.ledger).where(L.subject_id == account_id, L.seq == 2))


def _delete_last_row(s: Any, account_id: int, contact_id: int) -> None:
    s.execute(delete(tables.ledger).where(L.subject_id == account_id, L.seq == 3))


TAMPERING: dict[str, tuple[Callable[..., None], str, str]] = {
    "an account renamed": (_edit_name, "changed", "account 1: account 1 was changed outside kam (name: 呼和浩特市环卫局 → 呼市环卫局; last recorded at seq 3)"),
    "a contact's phone": (_edit_phone, "changed", "account 1: contact 1 was changed outside kam (phone: 0471-6912345 → 13800000000; last recorded at seq 2)"),
    "a contact added": (_add_contact, "unrecorded", "account 1: contact 2 has no history row (added outside kam)"),
    "a contact deleted": (_delete_contact, "deleted", "account 1 seq 2: contact 1 was deleted outside kam"),
    "a ledger row altered": (_alter_ledger_row, "hash", "account 1 seq 2: the row was altered"),
    "a ledger row deleted": (_delete_middle_row, "gap", "account 1: history row(s) before seq 3 are missing (expected seq 2)"),
    # the account now holds what the remaining chain never recorded: the region, and the edit's review time
    "the last ledger row deleted": (_delete_last_row, "changed", "account 1: account 1 was changed outside kam (region: — → 内蒙古呼和浩特, reviewed_at: "),
}


@pytest.mark.parametrize("name", TAMPERING)
def test_the_audit_names_what_was_changed_outside_kam(kam: Any, db: Database, name: str) -> None:
    account_id, contact_id = customer(db)
    tamper, problem, message = TAMPERING[name]
    with db.write() as s:
        tamper(s, account_id, contact_id)
    data = json.loads(kam("--json", "audit", "verify").stdout)
    assert data["ok"] is False and data["breaks"] == []
    [found] = data["ledger_breaks"]
    assert (found["subject"], found["id"], found["problem"]) == ("account", account_id, problem)
    assert found["message"].startswith(message), found["message"]
    result = kam("audit", "verify")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 2 and result.stderr.splitlines()[1].startswith(f"  - {message}")


def test_the_audit_speaks_chinese(kam: Any, db: Database) -> None:
    account_id, contact_id = customer(db)
    with db.write() as s:
        _edit_phone(s, account_id, contact_id)
    result = kam("audit", "verify", lang="zh")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "错误：1 项记录在 kam 之外被改动（共检查 3 行）：",
        "  - 客户 1 的联系人 1 在 kam 之外被改动（phone: 0471-6912345 → 13800000000；最后记录是第 2 行）",
    ]


def test_an_account_import_starts_every_chain(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("名称,性质,分类,行业,保有量\n包头鑫达物流,enterprise,A,物流,120\n鄂尔多斯环卫,government,B,环卫,80\n", encoding="utf-8")
    with db.write() as s:
        account_import.import_accounts(s, str(path), actor="王磊")
    with db.read() as s:
        rows = s.execute(select(L.subject_id, L.seq, L.action).order_by(L.subject_id)).all()
        assert [(r.seq, r.action) for r in rows] == [(1, "import"), (1, "import")]
        assert audit_view.audit(s).ok


def test_export_and_import_keep_the_ledger_and_the_database_id(db: Database, tmp_path: Path) -> None:
    customer(db)
    with db.read() as s:
        data = exchange.export_data(s)
        source_id = ledger.database_id(s.connection())
    assert len(data["tables"]["ledger"]) == 3 and data["database_id"] == source_id and len(source_id) == 32
    target = Database(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    with target.write() as s:
        exchange.import_data(s, json.loads(exchange.dumps(data)))
    with target.read() as s:
        assert ledger.database_id(s.connection()) == source_id
        assert exchange.dumps(exchange.export_data(s)) == exchange.dumps(data)
        assert audit_view.audit(s).ok
    target.dispose()


def test_an_import_with_a_tampered_ledger_imports_nothing(db: Database, tmp_path: Path) -> None:
    customer(db)
    with db.read() as s:
        data = exchange.export_data(s)
    data["tables"]["accounts"][0]["name"] = "别的客户"
    target = Database(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    from workflow.errors import InvalidInput

    with pytest.raises(
        InvalidInput,
        match=r"the import file does not hold up against its own history: account 1: account 1 was changed outside kam \(name: 呼和浩特市环卫局 → 别的客户; last recorded at seq 3\); nothing was imported",
    ):
        with target.write() as s:
            exchange.import_data(s, data)
    with target.read() as s:
        assert s.execute(select(tables.accounts)).all() == []
    target.dispose()


def test_an_export_of_an_earlier_schema_imports_and_starts_the_ledger(db: Database, tmp_path: Path) -> None:
    customer(db)
    with db.read() as s:
        data = exchange.export_data(s)
    data["schema"] = "0004"
    for later in ("ledger", "blobs", "attachments", "company", "users", "user_keys"):  # tables of revisions after 0004
        del data["tables"][later]
    del data["database_id"]
    target = Database(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    with target.write() as s:
        exchange.import_data(s, data)
    with target.read() as s:
        assert [r.action for r in s.execute(select(tables.ledger).order_by(L.id))] == ["baseline", "baseline"]
        assert audit_view.audit(s).ok
    target.dispose()


def test_migration_0005_gives_existing_accounts_and_contacts_a_baseline(db_url: str) -> None:
    db = Database(db_url)
    upgrade(db.engine, "0004")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO accounts (id, name, type, fleet_size, created_by, created_at, updated_at)"
            " VALUES (1, '包头鑫达物流', 'enterprise', 120, 't', '2026-01-01 08:00:00.000000', '2026-01-01')"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO contacts (id, account_id, name, phone, created_by, created_at)"
            " VALUES (1, 1, '张华', '0472', 't', '2026-01-02 08:00:00.000000')"
        ))  # fmt: skip
    upgrade(db.engine)
    with db.read() as s:
        rows = s.execute(select(tables.ledger).order_by(L.seq)).all()
        assert [(r.seq, r.actor, r.action, r.detail["entity"]) for r in rows] == [
            (1, "kam", "baseline", "account"),
            (2, "kam", "baseline", "contact"),
        ]
        assert rows[1].detail["fields"]["phone"] == "0472"
        assert len(ledger.database_id(s.connection())) == 32
        assert audit_view.audit(s).ok
    db.dispose()


@pytest.mark.postgres
def test_the_ledger_verifies_on_postgresql(pg_url: str) -> None:
    db = Database(pg_url)
    db.upgrade()
    account_id, _ = customer(db)
    with db.read() as s:
        assert audit_view.audit(s).ok
    with db.write() as s:
        _edit_phone(s, account_id, 1)
    with db.read() as s:
        assert [b.problem for b in audit_view.audit(s).ledger_breaks] == ["changed"]
    db.dispose()

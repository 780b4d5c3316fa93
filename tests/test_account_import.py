"""Customers from CSV and XLSX, all or nothing; and which customers are due for review."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workflow.errors import InvalidInput
from workflow.operations import accounts
from workflow.operations.account_import import import_accounts
from workflow.records import queries
from workflow.records.db import Database
from workflow.records.models import Account, utcnow
from workflow.views.accounts import stale_accounts

FIXTURES = Path(__file__).parent / "fixtures" / "import"
BAD_ROWS = [
    "row 3: fleet_size must be a whole number >= 0, got “二百”",
    "row 4: name is required",
    'row 5: type: "company" is not one of the choices: government (政府客户), enterprise (企业客户), individual (个人客户)',
    'row 5: class: "D" is not one of the choices: A (A 类（战略客户）), B (B 类（重点客户）), C (C 类（一般客户）)',
    "row 6: account “呼和浩特城投集团” repeats row 2 (to give it another contact, fill in the contact columns)",
]


def names(db: Database) -> list[str]:
    with db.read() as s:
        return [a.name for a in queries.list_accounts(s)]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_good_rows_are_imported(db: Database, suffix: str) -> None:
    with db.write() as s:
        result = import_accounts(s, str(FIXTURES / f"good.{suffix}"), actor="王磊")
    assert (result.rows, result.imported, result.errors) == (4, 4, [])
    with db.read() as s:
        first = s.query(Account).filter_by(name="包头鑫达物流有限公司").one()
        individual = s.query(Account).filter_by(name="赵师傅个体运输").one()
    assert (first.type, first.account_class, first.fleet_size, first.size, first.market, first.main_brands) == ("enterprise", "A", 120, "large", "domestic", "欧曼 / 解放")
    assert (individual.type, individual.size, individual.market, individual.created_by) == ("individual", None, None, "王磊")
    assert first.reviewed_at is not None


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_any_bad_row_writes_nothing(db: Database, suffix: str) -> None:
    with pytest.raises(InvalidInput) as info, db.write() as s:
        import_accounts(s, str(FIXTURES / f"bad.{suffix}"), actor="王磊")
    assert info.value.message.en.endswith("5 problem(s); no account was imported (fix them, or use --skip-invalid to import the good rows):")
    assert [d.en for d in info.value.details] == BAD_ROWS
    assert names(db) == []


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_skip_invalid_imports_the_good_rows(db: Database, suffix: str) -> None:
    with db.write() as s:
        result = import_accounts(s, str(FIXTURES / f"bad.{suffix}"), actor="王磊", skip_invalid=True)
    assert (result.rows, result.imported) == (5, 1)
    assert [e.message.en for e in result.errors] == BAD_ROWS
    with db.read() as s:
        account = s.query(Account).one()
    # Chinese labels are read as the codes
    assert (account.name, account.type, account.market) == ("呼和浩特城投集团", "government", "local")


def test_dry_run_writes_nothing(db: Database) -> None:
    with db.write() as s:
        result = import_accounts(s, str(FIXTURES / "good.csv"), actor="王磊", dry_run=True)
    assert (result.imported, result.dry_run) == (4, True)
    assert names(db) == []


def test_existing_accounts_are_reported(db: Database) -> None:
    with db.write() as s:
        existing = accounts.create_account(s, name="沈阳华信商贸有限公司", type="enterprise", account_class="B", industry="建材", fleet_size=40, actor="t")
    with pytest.raises(InvalidInput) as info, db.write() as s:
        import_accounts(s, str(FIXTURES / "good.csv"), actor="王磊")
    assert [d.en for d in info.value.details] == [f"row 4: account “沈阳华信商贸有限公司” already exists (id {existing.id})"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("名称,性质,颜色\n", "the header (row 1) of {path} is wrong; columns are: name, type, class"),
        ("", "file {path} is empty: row 1 must be the header"),
    ],
)
def test_a_bad_header_or_empty_file(db: Database, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput) as info, db.write() as s:
        import_accounts(s, str(path), actor="王磊")
    assert info.value.message.en.startswith(message.format(path=path))


def test_gbk_csv_and_semicolons(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("名称;性质;分类;行业;保有量\n包头鑫达物流;企业;A;物流;120\n".encode("gbk"))
    with db.write() as s:
        assert import_accounts(s, str(path), actor="王磊").imported == 1
    assert names(db) == ["包头鑫达物流"]


def test_not_a_workbook(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("hello")
    with pytest.raises(InvalidInput) as info, db.write() as s:
        import_accounts(s, str(path), actor="王磊")
    assert "is not a valid xlsx workbook" in info.value.message.en


def test_import_commands(kam) -> None:  # type: ignore[no-untyped-def]
    bad = kam("account", "import", str(FIXTURES / "bad.xlsx"))
    assert bad.exit_code == 1
    assert "Error: " in bad.stderr and "  - row 4: name is required" in bad.stderr
    dry = kam.json("account", "import", str(FIXTURES / "good.xlsx"), "--dry-run")
    assert dry == {"rows": 4, "imported": 4, "skipped": 0, "dry_run": True, "errors": [], "contacts": []}
    skipped = kam("account", "import", str(FIXTURES / "bad.csv"), "--skip-invalid")
    assert skipped.exit_code == 0 and "imported 1 account(s), skipped 5 row(s)" in skipped.stdout
    assert "row 6: account “呼和浩特城投集团” repeats row 2 (to give it another contact" in skipped.stderr


# -- freshness -------------------------------------------------------------------------


def test_stale_lists_accounts_not_reviewed_in_90_days(db: Database) -> None:
    now = utcnow()
    with db.write() as s:
        for name, age in (("近期", 10), ("刚好", 90), ("过期", 91), ("很久", 400), ("从未", None)):
            acc = accounts.create_account(s, name=name, type="enterprise", account_class="B", industry="物流", fleet_size=5, actor="t")
            acc.reviewed_at = now - dt.timedelta(days=age, minutes=-1) if age is not None else None
    with db.read() as s:
        stale = stale_accounts(s, now=now)
    assert [(a.name, a.days) for a in stale] == [("从未", None), ("很久", 399), ("过期", 90)]
    with db.read() as s:
        assert [a.name for a in stale_accounts(s, days=30, now=now)] == ["从未", "很久", "过期", "刚好"]


def test_reviewing_an_account_takes_it_off_the_list(kam, db: Database) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        acc = accounts.create_account(s, name="包头鑫达物流", type="enterprise", account_class="A", industry="物流", fleet_size=120, actor="t")
        acc.reviewed_at = utcnow() - dt.timedelta(days=120)
    listed = kam.json("account", "stale")
    assert [(a["id"], a["days_since_review"]) for a in listed] == [(acc.id, 120)]
    assert "kam account edit ID --reviewed" in kam("account", "stale").stdout
    assert kam("account", "edit", acc.id, "--reviewed").exit_code == 0
    assert kam.json("account", "stale") == []
    assert "every account was reviewed within 90 days" in kam("account", "stale").stdout

"""The roster (issue 13): how a company starts, who changes the roster, who may own a deal and who may sign.

On SQLite and on PostgreSQL. The names are those of the README's walk-through.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import Kam
from helpers import fill, walk_to
from sqlalchemy import text

from workflow.operations import accounts, opportunities
from workflow.records import roster
from workflow.records.db import Database
from workflow.rules.process import Process


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, db_url: str) -> str:
    return db_url if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))


@pytest.fixture
def run(url: str) -> Kam:
    return Kam(url, CliRunner())


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.stdout)


@pytest.fixture
def company(run: Kam) -> Kam:
    """刘总 starts the roster; 王磊 sells; 钱进 and 李芳 sign for finance, 孙律 for legal, 赵敏 for sales, 李工 for production."""
    ok(run("--actor", "刘总", "user", "add", "刘总", "--login", "postgres"))  # the admin's role on the test server
    for args in (
        ("王磊", "--department", "sales"),
        ("钱进", "--role", "reviewer", "--department", "finance", "--login", "qianjin"),
        ("李芳", "--role", "reviewer", "--department", "finance"),
        ("孙律", "--role", "reviewer", "--department", "legal"),
        ("赵敏", "--role", "reviewer", "--department", "sales"),
        ("李工", "--role", "reviewer", "--department", "production"),
    ):
        ok(run("--actor", "刘总", "user", "add", *args))
    return run


def _deal(url: str, process: Process, owner: str = "王磊") -> int:
    db = Database(url)
    try:
        with db.write() as s:
            acc = accounts.create_account(s, name="包头鑫达物流有限公司", type="enterprise", account_class="A", industry="物流", fleet_size=120, actor="t", region="内蒙古包头")
            accounts.add_contact(s, acc.id, "张华", actor="t", department="车管科", title="科长", role="技术选型决策人", influence="high", stance="supporter")
            opp_id = opportunities.new_opportunity(s, process, acc.id, "20 台牵引车", owner=owner, actor=owner, quantity=20).id
        walk_to(db, process, opp_id, "evaluation_negotiation")
        for kind in ("evaluation-scorecard", "negotiation-minutes", "contract-review"):
            fill(db, opp_id, kind)
        return opp_id
    finally:
        db.dispose()


@pytest.fixture
def deal(company: Kam, url: str, process: Process) -> int:
    return _deal(url, process)


# -- how a company starts ---------------------------------------------------------------------------


def test_the_first_person_added_to_an_empty_roster_is_its_admin(run: Kam) -> None:
    assert ok(run("user", "list", lang="zh")) == "用户名单为空：任何名字都可以操作；第一个 kam user add 的人成为管理员\n"
    assert ok(run("--actor", "刘总", "user", "add", "刘总", "--role", "manager", "--login", "postgres", lang="zh")) == (
        "已添加 刘总（管理员，登录名 postgres）：用户名单的第一个人即为管理员，此后只有管理员能修改名单\n"
    )
    assert ok(run("--actor", "刘总", "user", "add", "钱进", "--role", "reviewer", "--department", "finance", "--login", "qianjin", "--email", "qianjin@example.com")) == (
        "added 钱进 (reviewer, finance, login qianjin, qianjin@example.com)\n"
    )
    data = run.json("user", "list")
    assert [(u["name"], u["role"], u["departments"], u["login"], u["email"], u["enabled"], u["keys"]) for u in data] == [
        ("刘总", "admin", [], "postgres", None, True, []),
        ("钱进", "reviewer", ["finance"], "qianjin", "qianjin@example.com", True, []),
    ]
    out = ok(run("user", "list", lang="zh"))
    assert out.splitlines()[0].split() == ["姓名", "角色", "部门", "登录名", "邮箱", "状态", "公钥"]
    assert out.splitlines()[3].split() == ["钱进", "审批人", "财务部", "qianjin", "qianjin@example.com", "启用"]


def test_first_admin_in_json(run: Kam) -> None:
    data = run.json("--actor", "刘总", "user", "add", "刘总", "--login", "postgres")
    assert (data["name"], data["role"], data["first_admin"]) == ("刘总", "admin", True)
    assert run.json("--actor", "刘总", "user", "add", "王磊")["first_admin"] is False


def test_only_an_admin_changes_the_roster(company: Kam, url: str) -> None:
    for args in (("user", "add", "孙红"), ("user", "edit", "王磊", "--role", "admin"), ("user", "disable", "钱进")):
        result = company("--actor", "王磊", *args)
        assert result.exit_code == 1, result.output
        assert result.stderr == "Error: only an admin changes the roster and 王磊 is not one: ask an admin (刘总)\n"
    result = company("--actor", "王磊", "user", "add", "孙红", lang="zh")
    assert result.stderr == "错误：只有管理员能修改用户名单，王磊 不是管理员：请管理员（刘总）操作\n"
    # someone not on the roster at all is no admin either
    assert company("--actor", "陌生人", "user", "add", "孙红").exit_code == 1
    assert [u["name"] for u in company.json("user", "list")] == ["刘总", "王磊", "钱进", "李芳", "孙律", "赵敏", "李工"]


def test_an_admin_names_another_admin_and_the_last_admin_stays(company: Kam) -> None:
    result = company("--actor", "刘总", "user", "edit", "刘总", "--role", "manager")
    assert result.stderr == "Error: 刘总 is the only admin: make someone else admin first (kam user edit NAME --role admin), then change 刘总\n"
    assert company("--actor", "刘总", "user", "disable", "刘总").exit_code == 1
    ok(company("--actor", "刘总", "user", "edit", "王磊", "--role", "admin"))
    ok(company("--actor", "王磊", "user", "edit", "刘总", "--role", "manager"))
    assert [u["name"] for u in company.json("user", "list") if u["role"] == "admin"] == ["王磊"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("钱 进",), "钱进 is already on the roster: change the entry with kam user edit 钱进"),
        (("钱\u200b进",), 'name (NAME): "钱<U+200B>进" has an invisible format character (U+200B ZERO WIDTH SPACE) at position 2'),
        (("孙红", "--department", "purchasing"), 'sign-off department: "purchasing" is not one of the choices: sales (销售部), finance (财务部), legal (法务部), production (生产部)'),
        (("孙红", "--role", "reviewer"), "a reviewer signs for at least one department: add --department, e.g. kam user add 孙红 --role reviewer --department finance"),
        (("孙红", "--login", "qianjin"), "login qianjin already belongs to 钱进: one database role is one person"),
        (("孙红", "--login", "sun hong"), "login (--login) “sun hong” is not a PostgreSQL role name"),
        (("孙红", "--email", "sunhong"), "e-mail (--email) “sunhong” is not an address: e.g. qianjin@example.com"),
    ],
)
def test_bad_roster_entries_are_refused_and_nothing_is_stored(company: Kam, args: tuple[str, ...], message: str) -> None:
    result = company("--actor", "刘总", "user", "add", *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: {message}")
    assert len(company.json("user", "list")) == 7


def test_a_name_on_the_roster_is_found_however_it_is_typed(company: Kam, url: str) -> None:
    ok(company("--actor", "刘总", "user", "add", "Zhang Wei", "--role", "reviewer", "--department", "legal"))
    result = company("--actor", "刘总", "user", "add", "ＺＨＡＮＧ  wei")
    assert result.stderr == "Error: Zhang Wei is already on the roster: change the entry with kam user edit Zhang Wei\n"
    ok(company("--actor", "刘总", "user", "edit", "zhang wei", "--email", "zw@example.com"))
    db = Database(url)
    try:
        with db.read() as s:
            assert roster.departments_of(s.connection(), "ZHANG WEI") == ("legal",)
            assert roster.departments_of(s.connection(), "钱进") == ("finance",)
            assert roster.departments_of(s.connection(), "陌生人") == ()
    finally:
        db.dispose()


# -- who may own a deal ---------------------------------------------------------------------------------


def test_the_owner_must_be_on_the_roster_once_it_is_in_use(company: Kam, url: str, process: Process) -> None:
    ok(company("account", "add", "包头鑫达物流", "--type", "enterprise", "--class", "A", "--industry", "物流", "--fleet-size", "120"))
    result = company("opp", "new", "1", "10 台自卸车", "--owner", "孙红")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: the owner 孙红 is not on the roster: an admin adds them with kam user add 孙红, or choose an owner from kam user list\n",
    )
    result = company("opp", "new", "1", "10 台自卸车", "--owner", "孙红", lang="zh")
    assert result.stderr == "错误：负责人 孙红 不在用户名单上：请管理员先 kam user add 孙红，或换一位名单上的负责人（kam user list）\n"
    created = company.json("opp", "new", "1", "10 台自卸车", "--owner", "王 磊")
    assert company.json("opp", "show", created["id"])["owner"] == "王磊"
    ok(company("--actor", "刘总", "user", "disable", "王磊"))
    result = company("opp", "new", "1", "10 台自卸车", "--owner", "王磊")
    assert result.stderr == "Error: the owner 王磊 is disabled: choose another owner (kam user list)\n"
    assert [o["id"] for o in company.json("opp", "list")] == [created["id"]]


# -- who may sign ------------------------------------------------------------------------------------------


def test_a_signoff_is_accepted_only_from_a_reviewer_of_that_department(company: Kam, deal: int) -> None:
    result = company("--actor", "孙律", "review", "approve", deal, "--department", "finance", lang="zh")
    assert (result.exit_code, result.stderr) == (1, "错误：孙律 不是财务部的审批人：财务部可审批：钱进、李芳\n")
    result = company("--actor", "孙律", "review", "approve", deal, "--department", "finance")
    assert result.stderr == "Error: 孙律 is not a reviewer of finance: who may sign for finance: 钱进, 李芳\n"
    # the owner's refusal stays the owner's
    result = company("--actor", "王磊", "review", "approve", deal, "--department", "sales")
    assert result.stderr == f"Error: 王磊 owns opportunity {deal} and cannot review its contract: ask someone else in sales\n"
    # a manager is no reviewer, even of their own department
    ok(company("--actor", "刘总", "user", "add", "周强", "--department", "sales"))
    result = company("--actor", "周强", "review", "approve", deal, "--department", "sales")
    assert result.stderr == "Error: 周强 is not a reviewer of sales: who may sign for sales: 赵敏\n"
    data = company.json("--actor", "钱　进", "review", "approve", deal, "--department", "finance")
    assert data["reviewer"] == "钱进"  # as the roster spells the name


def test_someone_not_on_the_roster_or_disabled_may_not_sign(company: Kam, url: str, deal: int) -> None:
    result = company("--actor", "孙红", "review", "approve", deal, "--department", "finance", lang="zh")
    assert result.stderr == "错误：孙红 不在用户名单上，不能审批：财务部可审批：钱进、李芳\n"
    ok(company("--actor", "刘总", "user", "disable", "李芳", lang="zh"))
    result = company("--actor", "李芳", "review", "approve", deal, "--department", "finance")
    assert result.stderr == "Error: 李芳 is disabled and may not sign: who may sign for finance: 钱进\n"
    ok(company("--actor", "刘总", "user", "disable", "李工"))
    result = company("--actor", "李工", "review", "approve", deal, "--department", "production", lang="zh")
    assert result.stderr == (
        "错误：李工 已停用，不能审批：生产部还没有审批人：请管理员用 kam user add 姓名 --role reviewer --department production 添加\n"
    )
    db = Database(url)
    try:
        with db.read() as s:
            assert s.execute(text("SELECT count(*) FROM signoffs")).scalar() == 0
    finally:
        db.dispose()
    ok(company("--actor", "刘总", "user", "edit", "李工", "--enable"))
    ok(company("--actor", "李工", "review", "approve", deal, "--department", "production"))


def test_disable_keeps_the_person_and_their_history(company: Kam) -> None:
    assert ok(company("--actor", "刘总", "user", "disable", "孙律", lang="zh")) == (
        "已停用 孙律：保留其记录，不能再负责商机或审批（恢复：kam user edit 孙律 --enable）\n"
    )
    assert [(u["name"], u["enabled"]) for u in company.json("user", "list") if u["name"] == "孙律"] == [("孙律", False)]
    assert company("--actor", "刘总", "user", "disable", "孙律").stderr == "Error: 孙律 is already disabled\n"
    assert company("--actor", "刘总", "user", "disable", "孙红").stderr == "Error: 孙红 is not on the roster: see kam user list, or kam user add\n"


# -- the roster in the ledger -------------------------------------------------------------------------------


def test_a_roster_row_changed_in_the_database_is_caught_by_audit_verify(company: Kam, url: str) -> None:
    assert json.loads(company("--json", "audit", "verify").stdout)["ok"] is True
    db = Database(url)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE users SET role = 'admin' WHERE name = '王磊'"))
    finally:
        db.dispose()
    result = company("--json", "audit", "verify")
    assert result.exit_code == 1
    breaks = json.loads(result.stdout)["ledger_breaks"]
    assert [(b["subject"], b["problem"], b["entity"], b["detail"]) for b in breaks] == [("user", "changed", "user", "role: manager → admin")]


def test_a_roster_row_added_in_the_database_is_caught(company: Kam, url: str) -> None:
    db = Database(url)
    try:
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (name, name_key, departments, role, enabled, created_by, created_at, updated_at) "
                    "VALUES ('孙红', '孙红', '[\"finance\"]', 'reviewer', true, 'x', '2026-12-01', '2026-12-01')"
                )
            )
    finally:
        db.dispose()
    breaks = json.loads(company("--json", "audit", "verify").stdout)["ledger_breaks"]
    assert [(b["subject"], b["problem"]) for b in breaks] == [("user", "unrecorded")]


def test_export_and_import_carry_the_roster(company: Kam, tmp_path: Any) -> None:
    ok(company("export", str(tmp_path / "all.json")))
    copy = Kam(f"sqlite:///{tmp_path / 'copy.sqlite3'}", CliRunner())
    ok(copy("import", str(tmp_path / "all.json")))
    assert copy.json("user", "list") == company.json("user", "list")
    assert json.loads(copy("--json", "audit", "verify").stdout)["ok"] is True


def test_an_export_of_schema_0006_imports_with_an_empty_roster_and_unsigned_signoffs(db_url: str, process: Process, tmp_path: Any) -> None:
    from helpers import approve_all

    from workflow.operations import exchange

    opp_id = _deal(db_url, process)
    db = Database(db_url)
    approve_all(db, opp_id)
    with db.read() as s:
        data = exchange.export_data(s)
    db.dispose()
    data["schema"] = "0006"
    del data["tables"]["users"], data["tables"]["user_keys"]
    for row in data["tables"]["signoffs"]:
        for column in ("signature", "statement_version", "key_fingerprint", "review_sha256", "contract_no"):
            del row[column]
    copy = Database(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    try:
        with copy.write() as s:
            counts = exchange.import_data(s, data)
        assert counts["signoffs"] == 4 and "users" not in counts
        with copy.read() as s:
            assert not roster.in_use(s.connection())
            assert s.execute(text("SELECT count(*) FROM signoffs WHERE signature IS NULL")).scalar() == 4
    finally:
        copy.dispose()

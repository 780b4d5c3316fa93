"""The server decides who you are (issue 13): on PostgreSQL, once the roster is in use, the actor is the person
whose --login is the connected role; --actor / KAM_USER naming anyone else is refused unless that person is an
admin, and then the history names both ("钱进 (由 刘总 代录)").

Real roles in the test database, granted as the README's team set-up does: a manager (王磊), a finance
reviewer (钱进), an admin (刘总) and a read-only role that is on nobody's roster entry.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from conftest import Kam
from helpers import fill, walk_to

from workflow.operations import accounts, opportunities
from workflow.operations import roster as roster_ops
from workflow.records.db import Database
from workflow.rules.process import Process

pytestmark = pytest.mark.postgres

WRITABLE = ("accounts", "contacts", "opportunities", "followups", "company")
APPEND_ONLY = ("events", "ledger", "documents", "signoffs", "renders", "attachments", "blobs", "user_keys")


def grants(schema: str, everyone: str, writers: str, admin: str) -> list[str]:
    """The README's team set-up, for one schema: everyone reads; writers append the history; the admin edits the roster."""

    def tables(names: tuple[str, ...]) -> str:
        return ", ".join(f'"{schema}".{name}' for name in names)

    return [
        f'GRANT USAGE ON SCHEMA "{schema}" TO {everyone}',
        f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {everyone}',
        f"GRANT INSERT, UPDATE ON {tables(WRITABLE)} TO {writers}",
        f"GRANT INSERT ON {tables(APPEND_ONLY)} TO {writers}",
        f'GRANT INSERT, UPDATE, DELETE ON "{schema}".planned_followups TO {writers}',
        f'GRANT INSERT, UPDATE ON "{schema}".users TO {admin}',
        f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO {writers}',
    ]


@pytest.fixture
def team(pg_url: str, process: Process) -> Iterator[dict[str, Any]]:
    """A team server: the roster (刘总 admin, 王磊 manager, 钱进 finance, 孙律 legal...), a deal of 王磊's awaiting sign-offs."""
    import psycopg
    from conftest import PG_URL

    schema = unquote(pg_url.rsplit("search_path%3D", 1)[1])
    suffix = uuid.uuid4().hex[:8]
    logins = {who: f"{who}_{suffix}" for who in ("liuzong", "wanglei", "qianjin", "reader")}
    owner = Database(pg_url)
    try:
        with owner.write() as s:
            connection = s.connection()
            roster_ops.add_user(connection, process, "刘总", actor="刘总", login=logins["liuzong"])
            roster_ops.add_user(connection, process, "王磊", actor="刘总", departments=["sales"], login=logins["wanglei"])
            roster_ops.add_user(connection, process, "钱进", actor="刘总", role="reviewer", departments=["finance"], login=logins["qianjin"])
            for name, department in (("赵敏", "sales"), ("孙律", "legal"), ("李工", "production")):
                roster_ops.add_user(connection, process, name, actor="刘总", role="reviewer", departments=[department])
            acc = accounts.create_account(s, name="包头鑫达物流有限公司", type="enterprise", account_class="A", industry="物流", fleet_size=120, actor="王磊", region="内蒙古包头")
            accounts.add_contact(s, acc.id, "张华", actor="王磊", department="车管科", title="科长", role="技术选型决策人", influence="high", stance="supporter")
            opp_id = opportunities.new_opportunity(s, process, acc.id, "20 台牵引车", owner="王磊", actor="王磊", quantity=20).id
        walk_to(owner, process, opp_id, "evaluation_negotiation")
        for kind in ("evaluation-scorecard", "negotiation-minutes", "contract-review"):
            fill(owner, opp_id, kind)
    finally:
        owner.dispose()
    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        for login in logins.values():
            conn.execute(f"CREATE ROLE {login} LOGIN")
        everyone = ", ".join(logins.values())
        writers = ", ".join(logins[w] for w in ("liuzong", "wanglei", "qianjin"))
        for statement in grants(schema, everyone, writers, logins["liuzong"]):
            conn.execute(statement)
    runner = CliRunner()
    yield {
        "deal": opp_id,
        "logins": logins,
        "as": {who: Kam(pg_url.replace("://postgres@", f"://{login}@", 1), runner) for who, login in logins.items()},
        "owner": Kam(pg_url, runner),
    }
    with psycopg.connect(plain, autocommit=True) as conn:
        for login in logins.values():
            conn.execute(f"DROP OWNED BY {login}")
            conn.execute(f"DROP ROLE {login}")


@pytest.fixture(autouse=True)
def no_kam_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAM_USER")


def history(team: dict[str, Any]) -> list[dict[str, Any]]:
    return team["as"]["reader"].json("opp", "history", team["deal"])  # type: ignore[no-any-return]


def signoffs(team: dict[str, Any]) -> list[tuple[str, str]]:
    data = json.loads(team["as"]["reader"]("--json", "compliance", team["deal"]).stdout)
    return [(s["department"], s["reviewer"]) for s in data["signoffs"]]


def test_the_actor_is_the_person_whose_login_is_the_connected_role(team: dict[str, Any]) -> None:
    manager = team["as"]["wanglei"]
    result = manager("opp", "hold", team["deal"], "--reason", "等预算")
    assert result.exit_code == 0, result.output
    assert history(team)[-1]["actor"] == "王磊"
    created = manager.json("opp", "new", "1", "10 台自卸车")
    assert manager.json("opp", "show", created["id"])["owner"] == "王磊"


@pytest.mark.parametrize("how", ["--actor", "KAM_USER"])
def test_naming_someone_else_is_refused_unless_an_admin(team: dict[str, Any], how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    manager, login = team["as"]["wanglei"], team["logins"]["wanglei"]
    args: tuple[str, ...] = ("review", "approve", str(team["deal"]), "--department", "finance")
    if how == "--actor":
        args = ("--actor", "钱进", *args)
    else:
        monkeypatch.setenv("KAM_USER", "钱进")
    result = manager(*args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: you are connected as the database role {login} (王磊) and may not act as 钱进: only an admin records "
        "for someone else; drop --actor and KAM_USER\n"
    )
    result = manager(*args, lang="zh")
    assert result.stderr == f"错误：你以数据库角色 {login}（王磊）连接，不能以 钱进 的名义操作：只有管理员能代录；去掉 --actor 和 KAM_USER\n"
    assert signoffs(team) == []


def test_a_manager_cannot_sign_its_own_deal_under_invented_names(team: dict[str, Any]) -> None:
    manager = team["as"]["wanglei"]
    for department, invented in (("sales", "孙红"), ("finance", "钱进"), ("legal", "张\u200b伟"), ("production", "wanglei")):
        result = manager("--actor", invented, "review", "approve", team["deal"], "--department", department)
        assert result.exit_code == 1, result.output
        result = manager("review", "approve", team["deal"], "--department", department)
        assert result.stderr == f"Error: 王磊 owns opportunity {team['deal']} and cannot review its contract: ask someone else in {department}\n"
    # its own name, in another spelling, is still itself
    assert manager("--actor", "王 磊", "opp", "resume", team["deal"]).exit_code == 1  # not on hold: refused as a move, not as a name
    assert signoffs(team) == []


def test_a_finance_reviewer_signs_for_finance_only(team: dict[str, Any]) -> None:
    reviewer = team["as"]["qianjin"]
    data = reviewer.json("review", "approve", team["deal"], "--department", "finance", "--comment", "付款条件符合规定")
    assert data["reviewer"] == "钱进"
    result = reviewer("review", "approve", team["deal"], "--department", "legal")
    assert result.stderr == "Error: 钱进 is not a reviewer of legal: who may sign for legal: 孙律\n"
    assert signoffs(team) == [("finance", "钱进")]
    assert history(team)[-1]["actor"] == "钱进"


def test_an_admin_records_for_someone_and_the_history_names_both(team: dict[str, Any]) -> None:
    admin = team["as"]["liuzong"]
    result = admin("--actor", "孙律", "review", "approve", team["deal"], "--department", "legal", "--comment", "电话确认同意")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"孙律 approved contract review v1 of opportunity {team['deal']} for legal")
    last = history(team)[-1]
    assert (last["actor"], last["detail"]["reviewer"]) == ("孙律 (由 刘总 代录)", "孙律")
    assert signoffs(team) == [("legal", "孙律")]
    # the admin's own writes are the admin's, and the audit holds
    assert admin("opp", "hold", team["deal"], "--reason", "等预算").exit_code == 0
    assert history(team)[-1]["actor"] == "刘总"
    assert json.loads(team["as"]["reader"]("--json", "audit", "verify").stdout)["ok"] is True


def test_an_admin_changes_the_roster_from_its_own_role(team: dict[str, Any]) -> None:
    admin, manager = team["as"]["liuzong"], team["as"]["wanglei"]
    assert admin.json("user", "add", "李芳", "--role", "reviewer", "--department", "finance")["name"] == "李芳"
    result = manager("user", "add", "孙红")
    assert result.stderr == "Error: only an admin changes the roster and 王磊 is not one: ask an admin (刘总)\n"
    ledger = [r for r in admin.json("user", "list") if r["name"] == "李芳"]
    assert ledger and ledger[0]["enabled"] is True


def test_a_reviewer_registers_their_own_key_and_signs_from_their_own_role(team: dict[str, Any], tmp_path: Any) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    private = ed25519.Ed25519PrivateKey.generate()
    key = tmp_path / "qianjin"
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()))
    key.chmod(0o600)
    pub = tmp_path / "qianjin.pub"
    pub.write_bytes(private.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH))
    reviewer = team["as"]["qianjin"]
    result = reviewer("user", "key", "钱进", "--public-key", str(pub))
    assert result.exit_code == 0, result.output
    result = reviewer("review", "approve", team["deal"], "--department", "finance", "--sign-with", str(key))
    assert result.exit_code == 0, result.output
    data = json.loads(team["as"]["reader"]("--json", "audit", "verify").stdout)
    assert (data["ok"], data["signatures"]) == (True, 1)


def test_a_role_on_nobodys_entry_reads_but_may_not_write(team: dict[str, Any]) -> None:
    reader, login = team["as"]["reader"], team["logins"]["reader"]
    assert [o["id"] for o in reader.json("opp", "list")] == [team["deal"]]
    for args in (("opp", "hold", str(team["deal"]), "--reason", "x"), ("--actor", "刘总", "user", "add", "孙红")):
        result = reader(*args)
        assert result.exit_code == 1, result.output
        assert result.stderr == (
            f"Error: the database role {login} is nobody's login on the roster and may not write: an admin registers it "
            f"with kam user edit NAME --login {login}\n"
        )


def test_a_disabled_persons_role_may_not_write(team: dict[str, Any]) -> None:
    admin, reviewer, login = team["as"]["liuzong"], team["as"]["qianjin"], team["logins"]["qianjin"]
    assert admin("user", "disable", "钱进").exit_code == 0
    result = reviewer("review", "approve", team["deal"], "--department", "finance", lang="zh")
    assert result.stderr == (
        f"错误：数据库角色 {login} 是已停用的 钱进 的登录名，不能写入：请管理员用 kam user edit 姓名 --login {login} 登记\n"
    )

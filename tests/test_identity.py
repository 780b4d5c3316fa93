"""Who wrote what: every write records the actor; on PostgreSQL the default actor is the database role.

The roles set up here are the ones the README recommends: a read-only role
(SELECT only) and a manager role whose history is append-only (INSERT and
SELECT on the history, documents and sign-offs; no UPDATE or DELETE).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from helpers import fill, walk_to

from workflow.operations import accounts, opportunities
from workflow.records.db import Database
from workflow.rules.process import Process

# What kam writes to, and how: history-like tables are never updated or deleted by kam.
APPEND_ONLY = ("events", "documents", "signoffs", "renders")
UPDATABLE = ("accounts", "contacts", "opportunities", "followups")
DERIVED = ("planned_followups", "receivables")  # rewritten whenever a service plan (a contract) is stored


def grants(schema: str, reader: str, manager: str) -> list[str]:
    """The README's role set-up, for one schema."""
    return [
        f'GRANT USAGE ON SCHEMA "{schema}" TO {reader}, {manager}',
        f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {reader}, {manager}',
        f'GRANT INSERT, UPDATE ON {", ".join(f"{schema}.{t}" for t in UPDATABLE)} TO {manager}',
        f'GRANT INSERT ON {", ".join(f"{schema}.{t}" for t in APPEND_ONLY)} TO {manager}',
        f'GRANT INSERT, UPDATE, DELETE ON {", ".join(f"{schema}.{t}" for t in DERIVED)} TO {manager}',
        f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO {manager}',
    ]


def as_role(pg_url: str, role: str) -> str:
    return pg_url.replace("://postgres@", f"://{role}@", 1)


@pytest.fixture
def roles(pg_url: str, process: Process) -> Iterator[dict[str, str]]:
    """A kam database on the server with one opportunity, a read-only role and a manager role."""
    import psycopg
    from conftest import PG_URL

    schema = unquote(pg_url.rsplit("search_path%3D", 1)[1])
    admin = Database(pg_url)
    with admin.write() as s:
        acc = accounts.create_account(s, name="包头鑫达物流", type="enterprise", account_class="A", industry="物流", fleet_size=120, actor="admin")
        accounts.add_contact(s, acc.id, "张华", actor="admin", title="科长", role="技术选型决策人")
        opportunities.new_opportunity(s, process, acc.id, "20 台牵引车", owner="王磊", actor="admin")
    admin.dispose()
    suffix = uuid.uuid4().hex[:8]
    reader, manager = f"kam_reader_{suffix}", f"kam_manager_{suffix}"
    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {reader} LOGIN")
        conn.execute(f"CREATE ROLE {manager} LOGIN")
        for statement in grants(schema, reader, manager):
            conn.execute(statement)
    yield {"reader": as_role(pg_url, reader), "manager": as_role(pg_url, manager), "reader_role": reader, "manager_role": manager, "admin": pg_url}
    with psycopg.connect(plain, autocommit=True) as conn:
        for role in (reader, manager):
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


@pytest.fixture
def no_kam_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAM_USER")


def test_the_actor_defaults_to_the_database_role_on_postgresql(kam: Any, roles: dict[str, str], no_kam_user: None) -> None:
    result = kam("--db", roles["manager"], "--json", "opp", "new", "1", "10 台自卸车")
    assert result.exit_code == 0, result.output
    history = kam.json("--db", roles["manager"], "opp", "history", "2")
    assert [e["actor"] for e in history] == [roles["manager_role"]]
    assert kam.json("--db", roles["manager"], "opp", "show", "2")["owner"] == roles["manager_role"]


def test_an_explicit_actor_still_wins_on_postgresql(kam: Any, roles: dict[str, str], no_kam_user: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert kam("--db", roles["manager"], "--actor", "王磊", "opp", "hold", "1", "--reason", "等预算").exit_code == 0
    monkeypatch.setenv("KAM_USER", "李娜")
    assert kam("--db", roles["manager"], "opp", "resume", "1").exit_code == 0
    assert [e["actor"] for e in kam.json("--db", roles["manager"], "opp", "history", "1")][-2:] == ["王磊", "李娜"]


def test_on_sqlite_the_actor_defaults_to_the_login_name(kam: Any, deal: int, no_kam_user: None) -> None:
    import getpass

    assert kam("opp", "hold", deal, "--reason", "春节").exit_code == 0
    assert kam.json("opp", "history", deal)[-1]["actor"] == getpass.getuser()


def test_a_read_only_role_reads_but_cannot_write(kam: Any, roles: dict[str, str], no_kam_user: None) -> None:
    listed = kam.json("--db", roles["reader"], "opp", "list")
    assert [o["title"] for o in listed] == ["20 台牵引车"]
    for args in (("opp", "new", "1", "偷偷加的"), ("opp", "hold", "1", "--reason", "x"), ("account", "edit", "1", "--region", "x")):
        result = kam("--db", roles["reader"], *args)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("Error: the database refused this change (permission denied for table ")
        assert result.stderr.rstrip().endswith("the role kam connects as may not write; connect as a manager role or ask the database administrator")
        assert "Traceback" not in result.output and "internal error" not in result.output
    assert kam.json("--db", roles["admin"], "opp", "history", "1")[-1]["action"] == "create"


def test_a_read_only_role_error_in_json(kam: Any, roles: dict[str, str], no_kam_user: None) -> None:
    import json

    result = kam("--db", roles["reader"], "--json", "opp", "new", "1", "x")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "permission-denied"


def test_a_manager_walks_a_deal_but_cannot_rewrite_history(roles: dict[str, str], process: Process) -> None:
    import psycopg

    manager = Database(roles["manager"])
    try:
        walk_to(manager, process, 1, "contract_maintenance")
        fill(manager, 1, "service-plan")
    finally:
        manager.dispose()
    plain = roles["manager"].replace("postgresql+psycopg://", "postgresql://")
    for statement in ("UPDATE events SET actor = 'x'", "DELETE FROM events", "UPDATE documents SET data = '{}'", "DELETE FROM signoffs"):
        with psycopg.connect(plain) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)

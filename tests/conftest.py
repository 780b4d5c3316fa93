"""Shared fixtures: a temporary database per test, the CLI runner, a PostgreSQL schema per test.

Tests never touch the user's real database: every test gets its own SQLite file
(or its own PostgreSQL schema) and KAM_DATABASE_URL points at it.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import refusals
from click.testing import CliRunner, Result
from hypothesis import settings

from workflow.operations import accounts, opportunities
from workflow.records.db import Database
from workflow.rules.process import Process, load_process

PG_URL = os.environ.get("KAM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# CI replays the same property-test examples on every run, so a submission never fails on a
# bug hypothesis happened to find that day; developers' runs and `make soak` keep exploring.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") and os.environ.get("KAM_SOAK_SCALE") != "large":
    settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    refusals.watch()  # every refusal the suite provokes is checked for Python reprs at the end (issue 16)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    leaks = refusals.leaks()
    if leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_sep("=", f"{len(leaks)} refusal(s) show a Python repr to the user (tests/refusals.py)")
            for line in leaks[:50]:
                reporter.write_line(line)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("KAM_DATABASE_URL", "KAM_LANG", "KAM_PROCESS", "KAM_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KAM_USER", "tester")
    # platformdirs' default location moves into the test's folder, so nothing escapes
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def db_url(tmp_path: Any) -> str:
    return f"sqlite:///{tmp_path / 'kam.sqlite3'}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def process() -> Process:
    return load_process()


@dataclass
class Kam:
    """Runs `kam` in-process against the test database."""

    db_url: str
    runner: CliRunner

    def __call__(self, *args: str, input: str | None = None, lang: str = "en") -> Result:
        return self.runner.invoke(_cli(), ["--db", self.db_url, "--lang", lang, *map(str, args)], input=input, catch_exceptions=False)

    def json(self, *args: str, input: str | None = None) -> Any:
        result = self("--json", *args, input=input)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


def _cli() -> Any:
    from cli import cli

    return cli


@pytest.fixture
def kam(db_url: str) -> Kam:
    return Kam(db_url, CliRunner())


@pytest.fixture
def deal(db: Database, process: Process) -> int:
    """An opportunity at `target` whose account has a complete profile and one contact."""
    with db.write() as s:
        acc = accounts.create_account(
            s, name="包头鑫达物流有限公司", type="enterprise", account_class="A", industry="物流", fleet_size=120, actor="tester", region="内蒙古包头"
        )
        accounts.add_contact(s, acc.id, "张华", actor="tester", department="车管科", title="科长", role="技术选型决策人", influence="high", stance="supporter")
        opp = opportunities.new_opportunity(s, process, acc.id, "20 台牵引车", owner="王磊", actor="王磊", quantity=20)
        return opp.id


def _pg_reachable() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
            return None
    except Exception as exc:  # the reason goes into the skip message
        return f"PostgreSQL not reachable at {PG_URL}: {exc}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema on the PostgreSQL server, dropped afterwards."""
    reason = _pg_reachable()
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = f"kam_test_{uuid.uuid4().hex[:10]}"
    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

"""Shell completion: the scripts for bash and zsh, and the values a Tab completes (kinds, stages, departments, ids)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from click.shell_completion import BashComplete, ZshComplete
from conftest import Kam
from test_documents_cli import setup_deal

from cli import cli


def complete(args: list[str], incomplete: str, shell: Any = BashComplete) -> list[tuple[str, str | None]]:
    items = shell(cli, {}, "kam", "_KAM_COMPLETE").get_completions(args, incomplete)
    return [(item.value, item.help) for item in items]


def values(args: list[str], incomplete: str) -> list[str]:
    return [value for value, _ in complete(args, incomplete)]


def test_document_kinds_with_their_titles() -> None:
    assert values(["doc", "fill", "1"], "") == [
        "phone-invite-feedback",
        "visit-feedback",
        "product-proposal",
        "exchange-minutes",
        "evaluation-scorecard",
        "negotiation-minutes",
        "contract-review",
        "service-plan",
    ]
    assert complete(["doc", "template"], "v") == [("visit-feedback", "拜访反馈报告")]
    assert complete(["--lang", "en", "doc", "show", "1"], "negot") == [("negotiation-minutes", "Negotiation minutes")]
    assert values(["attach", "add", "1", "photo.jpg", "--kind"], "c") == ["contract-review"]


def test_stages_and_sign_off_departments() -> None:
    assert values(["opp", "list", "--stage"], "") == [
        "target", "phone_invite", "visit_pitch", "initial_solution", "technical_exchange",
        "evaluation_negotiation", "contract_maintenance", "lost",
    ]  # fmt: skip
    assert complete(["opp", "list", "--stage"], "v") == [("visit_pitch", "上门拜访及产品推荐")]
    assert complete(["review", "approve", "1", "--department"], "") == [
        ("sales", "销售部"), ("finance", "财务部"), ("legal", "法务部"), ("production", "生产部"),
    ]  # fmt: skip
    # a contact's department is the customer's own (车管科): free text, nothing to offer
    assert values(["contact", "add", "1", "张华", "--department"], "") == []


def test_opportunity_ids_from_the_database_open_ones_first(kam: Kam) -> None:
    first = setup_deal(kam)
    second = kam.json("opp", "new", "1", "5 台洗扫车", "--owner", "王磊")["id"]
    third = kam.json("opp", "new", "1", "10 台垃圾车", "--owner", "王磊")["id"]
    kam("opp", "lose", second, "--reason", "price")
    where = ["--db", kam.db_url]
    assert complete([*where, "opp", "show"], "") == [
        (str(third), "10 台垃圾车"), (str(first), "20 台牵引车"), (str(second), "5 台洗扫车"),
    ]  # fmt: skip
    assert complete([*where, "doc", "fill"], "3") == [(str(third), "10 台垃圾车")]
    assert values([*where, "review", "approve"], "9") == []


def test_ids_from_the_database_named_by_the_environment_or_on_postgresql(
    kam: Kam, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    main = cli
    runner = CliRunner()
    for args in (
        ["account", "add", "包头市环卫中心", "--type", "government", "--class", "A", "--industry", "环卫", "--fleet-size", "300"],
        ["opp", "new", "1", "30 台压缩式垃圾车", "--owner", "王磊"],
    ):
        assert runner.invoke(main, ["--db", pg_url, *args]).exit_code == 0
    monkeypatch.setenv("KAM_DATABASE_URL", pg_url)
    assert complete(["doc", "list"], "") == [("1", "30 台压缩式垃圾车")]


def test_no_database_yet_completes_nothing_and_never_fails(tmp_path: Any) -> None:
    assert values(["--db", str(tmp_path / "none.sqlite3"), "opp", "show"], "") == []
    assert values(["--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "opp", "show"], "") == []
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database")
    assert values(["--db", str(tmp_path / "junk.sqlite3"), "opp", "show"], "") == []


def test_commands_with_their_summaries_without_importing_them() -> None:
    env = {**os.environ, "_KAM_COMPLETE": "zsh_complete", "COMP_WORDS": "kam o", "COMP_CWORD": "1"}
    code = (
        "import sys, cli\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('commands.') and not m.startswith('commands._')), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    import commands

    assert done.stdout.splitlines()[:3] == ["plain", "opp", commands.summary("opp")]
    assert done.stderr.strip() == "[]"


@pytest.mark.parametrize(
    ("source", "expected"),
    [("bash_source", "complete -o nosort -F _kam_completion kam"), ("zsh_source", "#compdef kam")],
)
def test_the_scripts_the_readme_installs(source: str, expected: str) -> None:
    env = {**os.environ, "_KAM_COMPLETE": source}
    kam = os.path.join(os.path.dirname(sys.executable), "kam")
    out = subprocess.run([kam], env=env, capture_output=True, text=True, check=True).stdout
    assert expected in out


def test_zsh_gets_the_labels() -> None:
    assert complete(["opp", "list", "--stage"], "ta", ZshComplete) == [("target", "客户确定")]

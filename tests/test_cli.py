"""The command line as a user meets it: outputs, --json shapes, exit codes, errors."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
import yaml
from conftest import Kam
from forms_fixtures import load

from cli import cli


def setup_deal(kam: Kam) -> int:
    acc = kam.json("account", "add", "包头鑫达物流有限公司", "--type", "enterprise", "--class", "A", "--industry", "物流", "--fleet-size", "120")
    kam.json("contact", "add", acc["id"], "张华", "--title", "车管科长", "--role", "技术选型决策人", "--influence", "high", "--stance", "supporter")
    return kam.json("opp", "new", acc["id"], "20 台牵引车", "--owner", "王磊", "--quantity", "20")["id"]


def write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, default=str) if name.endswith(".json") else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = (*prefix, name)
        if isinstance(command, click.Group):
            found.extend(all_commands(command, path))
        found.append((path, command))
    return found


@pytest.mark.parametrize(("path", "command"), all_commands(), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help_with_an_example(path: tuple[str, ...], command: click.Command) -> None:
    assert command.help, f"kam {' '.join(path)} has no help text"
    assert "Example:" in command.help and "kam " in command.help.split("Example:")[1], f"kam {' '.join(path)} help has no example"


def test_each_command_is_the_module_named_after_it() -> None:
    """`kam NAME` is `commands/NAME.py` (`import_.py` for a keyword), whose COMMAND is named NAME."""
    import commands

    assert commands.names() == sorted(
        ["account", "agenda", "attach", "audit", "backup", "company", "compliance", "contact", "demo", "doc", "doctor", "export", "followup", "import", "init",
         "opp", "payment", "report", "review", "schedule", "user", "workflow"]
    )
    for name in commands.names():
        command = commands.load(name)
        assert command is not None and command.name == name
    assert commands.load("nosuch") is None


def test_help_is_fast_to_reach_and_lists_the_groups(kam: Kam) -> None:
    result = kam("--help")
    assert result.exit_code == 0
    for group in ("account", "contact", "opp", "doc", "workflow", "init", "demo"):
        assert f"  {group} " in result.stdout


def test_init_creates_then_reports_up_to_date(kam: Kam) -> None:
    first = kam.json("init")
    assert first["from"] is None and first["to"]
    again = kam("init")
    assert again.exit_code == 0 and "up to date" in again.stdout


def test_account_add_list_show(kam: Kam) -> None:
    acc = kam.json("account", "add", "沈阳华信商贸有限公司", "--type", "enterprise", "--size", "medium", "--class", "B", "--industry", "建材", "--fleet-size", "45", "--region", "辽宁沈阳")
    assert acc == {"id": 1}
    listed = kam.json("account", "list")
    assert [(a["id"], a["name"], a["class"], a["fleet_size"]) for a in listed] == [(1, "沈阳华信商贸有限公司", "B", 45)]
    text = kam("account", "list", lang="zh").stdout
    assert "沈阳华信商贸有限公司" in text and "企业客户" in text
    shown = kam.json("account", "show", 1)
    assert shown["contacts"] == [] and shown["opportunities"] == [] and shown["region"] == "辽宁沈阳"


def test_global_options_work_before_and_after_the_command(kam: Kam) -> None:
    kam("account", "add", "A 公司", "--type", "government", "--class", "C", "--industry", "环卫", "--fleet-size", "3")
    before = kam.runner.invoke(cli, ["--db", kam.db_url, "--json", "account", "list"])
    after = kam.runner.invoke(cli, ["account", "list", "--db", kam.db_url, "--json"])
    assert json.loads(before.stdout) == json.loads(after.stdout)


def test_opp_show_json_shape(kam: Kam) -> None:
    opp = setup_deal(kam)
    shown = kam.json("opp", "show", opp)
    assert {"id", "stage", "missing", "documents", "next_trigger", "next_stage", "owner", "version"} <= set(shown)
    assert (shown["id"], shown["stage"], shown["next_trigger"], shown["missing"]) == (opp, "target", "invite", [])


def test_check_and_advance_refuse_with_the_same_list(kam: Kam) -> None:
    opp = setup_deal(kam)
    kam("opp", "advance", opp)
    check = kam("--json", "opp", "check", opp)
    assert check.exit_code == 1
    body = json.loads(check.stdout)
    assert (body["id"], body["stage"], body["ready"]) == (opp, "phone_invite", False)
    assert body["missing"] == [
        {
            "code": "phone-invite-feedback.missing",
            "message": "missing the Phone invitation feedback (phone-invite-feedback)",
            "command": f"kam doc fill {opp} phone-invite-feedback --file FILE",
        }
    ]
    refused = kam("--json", "opp", "advance", opp)
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["missing"] == body["missing"]
    human = kam("opp", "advance", opp)
    assert human.stderr.splitlines() == [
        f"Error: opportunity {opp} (20 台牵引车) cannot visit from Phone invitation; 1 requirement(s) unmet:",
        f"  - [phone-invite-feedback.missing] missing the Phone invitation feedback (phone-invite-feedback)  → kam doc fill {opp} phone-invite-feedback --file FILE",
    ]


def test_fill_then_advance_through_the_cli(kam: Kam, tmp_path: Path) -> None:
    opp = setup_deal(kam)
    kam("opp", "advance", opp)
    stored = kam.json("doc", "fill", opp, "phone-invite-feedback", "--file", write(tmp_path, "invite.yaml", load("phone-invite-feedback")))
    assert (stored["kind"], stored["version"]) == ("phone-invite-feedback", 1)
    moved = kam.json("opp", "advance", opp)
    assert (moved["from"], moved["stage"], moved["trigger"], moved["documents"]) == ("phone_invite", "visit_pitch", "visit", {"phone-invite-feedback": 1})
    listed = kam.json("doc", "list", opp)
    assert [(d["kind"], d["version"]) for d in listed] == [("phone-invite-feedback", 1)]
    shown = kam.json("doc", "show", opp, "phone-invite-feedback", "--version", 1)
    assert shown["data"]["interest"] == load("phone-invite-feedback")["interest"]


def test_json_and_yaml_files_are_both_accepted(kam: Kam, tmp_path: Path) -> None:
    opp = setup_deal(kam)
    data = load("phone-invite-feedback")
    assert kam.json("doc", "fill", opp, "phone-invite-feedback", "--file", write(tmp_path, "a.json", data))["version"] == 1
    # the same document written as YAML is the same document: nothing new is stored
    again = kam.json("doc", "fill", opp, "phone-invite-feedback", "--file", write(tmp_path, "a.yaml", data))
    assert (again["version"], again["stored"]) == (1, False)


def test_history_lists_every_change_in_order(kam: Kam) -> None:
    opp = setup_deal(kam)
    kam("opp", "advance", opp)
    kam("opp", "hold", opp, "--reason", "客户出差")
    kam("opp", "resume", opp)
    kam("opp", "lose", opp, "--reason", "price", "--note", "报价高")
    kam("opp", "reopen", opp)
    events = kam.json("opp", "history", opp)
    assert [(e["seq"], e["action"], e["trigger"], e["from"], e["to"]) for e in events] == [
        (1, "create", None, None, "target"),
        (2, "transition", "invite", "target", "phone_invite"),
        (3, "transition", "hold", "phone_invite", "phone_invite"),
        (4, "transition", "resume", "phone_invite", "phone_invite"),
        (5, "transition", "lose", "phone_invite", "lost"),
        (6, "transition", "reopen", "lost", "phone_invite"),
    ]
    assert all(e["actor"] == "tester" for e in events)
    assert "invite: Target customer → Phone invitation" in kam("opp", "history", opp).stdout


def test_opp_list_filters(kam: Kam) -> None:
    opp = setup_deal(kam)
    kam.json("opp", "new", 1, "8 台自卸车", "--owner", "李娜")
    kam("opp", "advance", opp)
    assert [o["id"] for o in kam.json("opp", "list", "--stage", "phone_invite")] == [opp]
    assert [o["title"] for o in kam.json("opp", "list", "--owner", "李娜")] == ["8 台自卸车"]
    bad = kam("opp", "list", "--stage", "nowhere")
    assert bad.exit_code == 1 and "unknown stage “nowhere”; choose one of: target, phone_invite" in bad.stderr


def test_workflow_show_reads_the_process(kam: Kam) -> None:
    data = kam.json("workflow", "show")
    assert [s["id"] for s in data["stages"]][:3] == ["target", "phone_invite", "visit_pitch"]
    assert data["stages"][2]["requires"][0]["field"] == "handler_found"
    text = kam("workflow", "show", lang="zh").stdout
    assert "上门拜访及产品推荐" in text and "propose → initial_solution" in text


def test_lang_zh_is_the_default(kam: Kam) -> None:
    result = kam.runner.invoke(cli, ["--db", kam.db_url, "opp", "show", "7"])
    assert result.stderr.strip() == "错误：找不到商机 7：用 kam opp list 查看编号"


# -- bad input: exit 1, one clear line, no traceback, nothing written ----------------------------


def count_rows(kam: Kam) -> tuple[int, int]:
    events = sum(len(kam.json("opp", "history", o["id"])) for o in kam.json("opp", "list"))
    docs = sum(len(kam.json("doc", "list", o["id"])) for o in kam.json("opp", "list"))
    return events, docs


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("opp", "show", "99"), "Error: opportunity 99 not found: see kam opp list"),
        (("opp", "advance", "99"), "Error: opportunity 99 not found: see kam opp list"),
        (("account", "show", "42"), "Error: account 42 not found: see kam account list"),
        (("contact", "add", "42", "王五"), "Error: account 42 not found: see kam account list"),
        (("doc", "show", "1", "memo"), "Error: unknown document kind “memo”; choose one of: phone-invite-feedback, visit-feedback"),
        (("doc", "fill", "1", "memo", "--file", "x.yaml"), "Error: unknown document kind “memo”; choose one of: phone-invite-feedback"),
        (("doc", "show", "1", "visit-feedback"), "Error: opportunity 1 has no visit-feedback: see kam doc list 1"),
        (("doc", "show", "1", "phone-invite-feedback", "--version", "9"), "Error: opportunity 1 has no phone-invite-feedback v9"),
        (("doc", "fill", "1", "phone-invite-feedback", "--file", "/nonexistent/x.yaml"), "Error: file /nonexistent/x.yaml does not exist: check the path and the name"),
        (("opp", "lose", "1", "--reason", "weather"), 'Error: lost reason: "weather" is not one of the choices: price (价格), product (产品), service (服务), competitor (竞争对手), no-budget (无预算), other (其他)'),
        (("opp", "resume", "1"), "Error: opportunity 1 is not on hold; nothing to resume"),
        (("opp", "reopen", "1"), "Error: opportunity 1 is not lost; nothing to reopen"),
        (("opp", "revert", "1", "--reason", "x"), "Error: opportunity 1 at Target customer cannot go back"),
        (("account", "add", "包头鑫达物流有限公司", "--type", "enterprise", "--class", "A", "--industry", "x", "--fleet-size", "1"), "Error: account “包头鑫达物流有限公司” already exists"),
        (("account", "add", "新客户", "--type", "enterprise", "--class", "A", "--industry", "x", "--fleet-size", "-5"), "Error: fleet-size must be a non-negative whole number, got -5"),
        (("opp", "new", "1", "  ", "--quantity", "3"), "Error: title (标题) must not be empty"),
        (("opp", "new", "1", "x", "--quantity", "0"), "Error: quantity must be a positive whole number, got 0"),
    ],
)
def test_bad_input_is_one_clear_line_and_changes_nothing(kam: Kam, args: tuple[str, ...], message: str) -> None:
    setup_deal(kam)
    before = count_rows(kam)
    result = kam(*args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.output
    assert count_rows(kam) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("call_date: [unclosed\n", "invalid YAML"),
        ("- just\n- a list\n", "the document must be a mapping"),
        ("call_date: tomorrow\ncaller: 王磊\n", "call_date (Call date): \"tomorrow\" is not a date kam can read; write it as 2027-03-31, 2027/3/31, 2027.3.31 or 2027年3月31日"),
        ('{"call_date": ', "invalid JSON"),
    ],
    ids=["malformed-yaml", "not-a-mapping", "wrong-type", "malformed-json"],
)
def test_malformed_files_are_reported_and_nothing_is_stored(kam: Kam, tmp_path: Path, content: str, message: str) -> None:
    opp = setup_deal(kam)
    path = tmp_path / ("doc.json" if content.startswith("{") else "doc.yaml")
    path.write_text(content, encoding="utf-8")
    result = kam("doc", "fill", opp, "phone-invite-feedback", "--file", str(path))
    assert result.exit_code == 1
    assert message in result.stderr
    assert kam.json("doc", "list", opp) == []


def test_every_problem_of_a_document_is_listed_at_once(kam: Kam, tmp_path: Path) -> None:
    opp = setup_deal(kam)
    data = load("phone-invite-feedback")
    data["interest"] = "hot"
    data["contact"]["name"] = ""
    del data["purpose"]
    result = kam("doc", "fill", opp, "phone-invite-feedback", "--file", write(tmp_path, "bad.yaml", data))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: the Phone invitation feedback has 3 problem(s); nothing was stored:"
    assert {line.split(":")[0].strip(" -") for line in lines[1:]} == {"contact.name (Name)", "purpose (Purpose)", "interest (Customer interest)"}


@pytest.mark.parametrize(
    "args",
    [("opp", "show", "abc"), ("opp", "frobnicate", "1"), ("account", "add", "x", "--type", "alien", "--class", "A", "--industry", "i", "--fleet-size", "1"), ("--lang", "fr", "opp", "list")],
)
def test_usage_errors_exit_2(kam: Kam, args: tuple[str, ...]) -> None:
    result = kam.runner.invoke(cli, ["--db", kam.db_url, *args])
    assert result.exit_code == 2


def test_terminal_escape_sequences_never_reach_the_screen(kam: Kam, db_url: str) -> None:
    from sqlalchemy import create_engine, text

    typed = kam("account", "add", "恶意\x1b[31m公司\x07", "--type", "enterprise", "--class", "A", "--industry", "x", "--fleet-size", "1")
    assert typed.exit_code == 1 and "<U+001B>" in typed.stderr and "\x1b" not in typed.stderr  # refused as typed (issue 12)
    assert kam("account", "add", "恶意公司", "--type", "enterprise", "--class", "A", "--industry", "x", "--fleet-size", "1").exit_code == 0
    with create_engine(db_url).begin() as conn:  # a row that holds them anyway (written before the rule)
        conn.execute(text("UPDATE accounts SET name = :n"), {"n": "恶意\x1b[31m公司\x07"})
    out = kam("account", "list").stdout
    assert "\x1b" not in out and "\x07" not in out and "恶意[31m公司" not in out and "恶意公司" in out


def test_an_outdated_database_asks_for_kam_init(kam: Kam, db_url: str) -> None:
    from sqlalchemy import create_engine, text

    kam("init")
    with create_engine(db_url).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    result = kam("account", "list")
    assert result.exit_code == 1
    assert "is at schema 0000" in result.stderr and "run kam init to upgrade" in result.stderr


def test_a_reader_that_goes_away_stops_kam_quietly(db_url: str) -> None:
    """`kam workflow show | head -1`: no traceback and no "internal error" when the pipe closes."""
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before kam writes a line
    env = {**os.environ, "KAM_DATABASE_URL": db_url}
    try:
        result = subprocess.run(
            [sys.executable, "-c", "import cli; cli.main()", "workflow", "show"],
            stdout=write_end, stderr=subprocess.PIPE, text=True, env=env, cwd=Path(__file__).parent.parent, check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert result.stderr == ""


def test_json_output_is_byte_for_byte_the_standard_encoders(kam: Kam, db_url: str) -> None:
    """--json goes through orjson for speed; the text must stay what json.dumps(indent=2, ensure_ascii=False) wrote."""
    import datetime as dt
    from decimal import Decimal

    from helpers import fill, walk_to

    from commands._common import _json_default, dumps
    from workflow.records.db import Database
    from workflow.rules.process import load_process

    def standard(data: object) -> str:
        return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)

    awkward = {
        "when": dt.datetime(2027, 2, 15, 9, 30, 5, 123456), "aware": dt.datetime(2027, 2, 15, tzinfo=dt.UTC), "day": dt.date(2027, 2, 29 - 1),
        "amount": Decimal("1234567.50"), "ratio": 0.1 + 0.2, "big": 2**53 + 1, "neg": -0.0, "text": "引号\"、反斜杠\\、换行\n、制表\t、\u2028",
        "empty": {}, "none": [], "nested": [[], {}, [1, [2, {"a": None, "b": True}]]], "tuple": (1, "二"), 3: "int key",
    }
    assert dumps(awkward) == standard(awkward)

    opp = setup_deal(kam)
    db, process = Database(db_url), load_process()
    try:
        walk_to(db, process, opp, "contract_maintenance")
        fill(db, opp, "service-plan")
    finally:
        db.dispose()
    for args in (("opp", "show", opp), ("opp", "list"), ("opp", "history", opp), ("doc", "list", opp), ("compliance", opp), ("report", "pipeline", "--by", "owner"), ("workflow", "show"), ("schedule", "--due-before", "2028-12-31"), ("audit", "verify")):
        out = kam("--json", *args)
        assert out.exit_code == 0, out.output
        assert out.stdout == standard(json.loads(out.stdout)) + "\n", args


@pytest.mark.parametrize("limit", [30, 45, 80, 300])
def test_the_help_summaries_are_the_commands_own(limit: int) -> None:
    """`kam --help` lists commands from their modules' docstrings without importing them: it must say what each command says."""
    import commands

    ctx = click.Context(cli)
    for name in commands.names():
        command = cli.get_command(ctx, name)
        assert command is not None
        assert click.Command(name, help=commands.summary(name)).get_short_help_str(limit) == command.get_short_help_str(limit), name


def test_help_imports_no_command_module() -> None:
    import subprocess
    import sys

    code = "import sys, cli\ntry:\n    cli.cli.main(['--help'], prog_name='kam')\nexcept SystemExit:\n    pass\nprint(sorted(m for m in sys.modules if m.startswith('commands.')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent)
    assert result.stdout.splitlines()[-1] == "['commands._common', 'commands._usage']"  # shared helpers only
    assert "schedule    Due and overdue follow-ups across all accounts" in result.stdout


def test_the_garbage_collector_is_back_on_once_a_command_opens_the_database(db_url: str) -> None:
    """`kam` starts with the cyclic collector off (start-up speed) and turns it on before the work itself."""
    import os
    import subprocess
    import sys

    code = "import atexit, gc, sys, cli\natexit.register(lambda: print('collector', gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr))\ncli.main()"
    env = {**os.environ, "KAM_DATABASE_URL": db_url}
    result = subprocess.run([sys.executable, "-c", code, "opp", "list"], capture_output=True, text=True, env=env, cwd=Path(__file__).parent.parent, check=False)
    assert result.returncode == 0, result.stderr
    assert "collector True True" in result.stderr

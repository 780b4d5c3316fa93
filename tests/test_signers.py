"""Who may sign (issue 13): names compared as people read them, one sign-off per department per version.

Each bypass the issue reports is a test here, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import Kam
from helpers import fill, walk_to

from workflow.operations import accounts, opportunities
from workflow.records import queries
from workflow.records.db import Database
from workflow.rules.process import Process

DEPARTMENTS = ("sales", "finance", "legal", "production")
RETYPE = "delete it and type the name again (names copied from web pages, chat apps or spreadsheets often carry such characters)"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, db_url: str) -> str:
    return db_url if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))


@pytest.fixture
def run(url: str) -> Kam:
    return Kam(url, CliRunner())


def _deal(url: str, process: Process, owner: str) -> int:
    """An opportunity owned by `owner` at step 5 with faithful documents: only the sign-offs are missing."""
    db = Database(url)
    try:
        with db.write() as s:
            acc = accounts.create_account(
                s,
                name="包头鑫达物流有限公司",
                type="enterprise",
                account_class="A",
                industry="物流",
                fleet_size=120,
                actor="t",
                region="内蒙古包头",
            )
            accounts.add_contact(
                s,
                acc.id,
                "张华",
                actor="t",
                department="车管科",
                title="科长",
                role="技术选型决策人",
                influence="high",
                stance="supporter",
            )
            opp_id = opportunities.new_opportunity(
                s, process, acc.id, "20 台牵引车", owner=owner, actor=owner, quantity=20
            ).id
        walk_to(db, process, opp_id, "evaluation_negotiation")
        for kind in ("evaluation-scorecard", "negotiation-minutes", "contract-review"):
            fill(db, opp_id, kind)
        return opp_id
    finally:
        db.dispose()


@pytest.fixture
def zhang_wei(url: str, process: Process) -> int:
    return _deal(url, process, "张伟")


def signoff_rows(url: str, opp_id: int) -> list[tuple[str, str, str]]:
    db = Database(url)
    try:
        with db.read() as s:
            return [(r.department, r.reviewer, r.decision) for r in queries.signoffs(s, opp_id)]
    finally:
        db.dispose()


def compliance(run: Kam, opp_id: int) -> Any:
    """`kam compliance ID --json` (exit 1 while a rule fails)."""
    return json.loads(run("--json", "compliance", opp_id).stdout)


# -- the owner signing under another spelling of their own name ---------------------------------


@pytest.mark.parametrize(
    ("spelled", "position", "code"),
    [
        ("张\u200b伟", 2, "U+200B ZERO WIDTH SPACE"),
        ("\ufeff张伟", 1, "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("张伟\u2060", 3, "U+2060 WORD JOINER"),
    ],
)
def test_the_owner_cannot_sign_as_their_name_with_an_invisible_character(
    run: Kam, url: str, zhang_wei: int, spelled: str, position: int, code: str
) -> None:
    shown = spelled.replace("\u200b", "<U+200B>").replace("\ufeff", "<U+FEFF>").replace("\u2060", "<U+2060>")
    for department in DEPARTMENTS:
        result = run("--actor", spelled, "review", "approve", zhang_wei, "--department", department)
        assert result.exit_code == 1, result.output
        assert result.stderr == (
            f'Error: actor (--actor / KAM_USER): "{shown}" has an invisible format character ({code}) at position {position}, '
            f"which a name cannot hold; {RETYPE}\n"
        )
    assert signoff_rows(url, zhang_wei) == []


def test_the_refusal_of_an_invisible_character_in_chinese(run: Kam, zhang_wei: int) -> None:
    result = run("--actor", "张\u200b伟", "review", "approve", zhang_wei, "--department", "finance", lang="zh")
    assert result.stderr == (
        "错误：操作人 (--actor / KAM_USER)：「张<U+200B>伟」的第 2 个字符（U+200B ZERO WIDTH SPACE）是看不见的格式字符，名字里不能有；"
        "请删除它后重新输入名字（从网页、聊天软件或表格复制的名字常带这类字符）\n"
    )


def test_kam_user_is_checked_as_the_actor_is(
    run: Kam, url: str, zhang_wei: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAM_USER", "张伟\u2060")
    result = run("review", "approve", zhang_wei, "--department", "sales")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        'Error: actor (--actor / KAM_USER): "张伟<U+2060>" has an invisible format character'
    )
    assert signoff_rows(url, zhang_wei) == []


@pytest.mark.parametrize("spelled", ["zhang", "ZHANG", "Ｚｈａｎｇ", " Zhang "])
def test_an_owner_zhang_cannot_sign_as_another_case_or_width(
    run: Kam, url: str, process: Process, spelled: str
) -> None:
    opp_id = _deal(url, process, "Zhang")
    for department in DEPARTMENTS:
        result = run("--actor", spelled, "review", "approve", opp_id, "--department", department)
        assert result.exit_code == 1, result.output
        shown = spelled.strip().replace("Ｚｈａｎｇ", "Zhang")
        assert (
            result.stderr
            == f"Error: {shown} owns opportunity {opp_id} and cannot review its contract: ask someone else in {department}\n"
        )
    assert signoff_rows(url, opp_id) == []


@pytest.mark.parametrize(
    ("actor", "what"),
    [
        ("\u200b", "an invisible format character (U+200B ZERO WIDTH SPACE) at position 1"),
        ("\u3164", "an invisible filler or variation character (U+3164 HANGUL FILLER) at position 1"),
    ],
)
def test_an_invisible_actor_is_no_reviewer(run: Kam, url: str, zhang_wei: int, actor: str, what: str) -> None:
    result = run("--actor", actor, "review", "approve", zhang_wei, "--department", "finance")
    assert result.exit_code == 1
    assert f"has {what}, which a name cannot hold" in result.stderr
    assert signoff_rows(url, zhang_wei) == []


@pytest.mark.parametrize("actor", ["   ", "\u3000"])
def test_a_blank_actor_is_refused(run: Kam, zhang_wei: int, actor: str) -> None:
    result = run("--actor", actor, "review", "approve", zhang_wei, "--department", "finance")
    assert result.exit_code == 1
    assert result.stderr == "Error: actor (--actor / KAM_USER): the name is empty (only spaces); write the name\n"


def test_an_owner_with_an_invisible_character_is_refused(run: Kam, url: str, zhang_wei: int) -> None:
    result = run("opp", "new", "1", "10 台自卸车", "--owner", "张\u200b伟")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        'Error: owner (--owner): "张<U+200B>伟" has an invisible format character (U+200B ZERO WIDTH SPACE) at position 2'
    )
    assert [o["id"] for o in run.json("opp", "list")] == [zhang_wei]


def test_names_are_stored_as_people_read_them(run: Kam, url: str, zhang_wei: int) -> None:
    created = run.json("--actor", " Ｑｉａｎ  Jin ", "opp", "new", "1", "10 台自卸车", "--owner", "张　伟")
    assert run.json("opp", "show", created["id"])["owner"] == "张伟"
    history = run.json("opp", "history", created["id"])
    assert [e["actor"] for e in history] == ["Qian Jin"]
    # the owner as people read the name: any case or width finds the deals
    assert [o["id"] for o in run.json("opp", "list", "--owner", "张 伟")] == [zhang_wei, created["id"]]
    data = run.json("--actor", "ｑｉａｎ ｊｉｎ", "review", "approve", zhang_wei, "--department", "finance")
    assert data["reviewer"] == "qian jin"
    # one person however the name is typed: the same reviewer cannot sign a second department
    result = run("--actor", "QIAN JIN", "review", "approve", zhang_wei, "--department", "legal")
    assert (
        result.stderr
        == f"Error: QIAN JIN already reviewed opportunity {zhang_wei} for finance; one reviewer signs for one department only\n"
    )


# -- one sign-off per department per version --------------------------------------------------------


def test_a_second_approval_by_the_same_reviewer_is_a_no_op_that_says_so(run: Kam, url: str, zhang_wei: int) -> None:
    assert run("--actor", "冯工", "review", "approve", zhang_wei, "--department", "production").exit_code == 0
    for spelled, lang, expected in (
        (
            "冯工",
            "zh",
            f"冯工 已代表生产部同意过商机 {zhang_wei} 的合同审核表 v1，无需重复：未作更改；尚待审批：销售部、财务部、法务部\n",
        ),
        (
            "冯 工",
            "en",
            f"冯工 already approved contract review v1 of opportunity {zhang_wei} for production; nothing changed; still waiting for: sales, finance, legal\n",
        ),
    ):
        result = run(
            "--actor",
            spelled,
            "review",
            "approve",
            zhang_wei,
            "--department",
            "production",
            "--comment",
            "再次确认",
            lang=lang,
        )
        assert (result.exit_code, result.stdout) == (0, expected)
    data = run.json("--actor", "冯工", "review", "approve", zhang_wei, "--department", "production")
    assert (data["repeated"], data["replaces"], data["comment"]) == (True, None, None)
    assert signoff_rows(url, zhang_wei) == [("production", "冯工", "approve")]
    assert [e["action"] for e in run.json("opp", "history", zhang_wei)].count("signoff") == 1
    # the compliance review lists 生产部 冯工 once
    assert [(s["department"], s["reviewer"]) for s in compliance(run, zhang_wei)["signoffs"]] == [
        ("production", "冯工")
    ]


def test_a_second_reviewer_for_an_approved_department_is_refused_naming_who_approved(
    run: Kam, url: str, zhang_wei: int
) -> None:
    assert run("--actor", "赵敏", "review", "approve", zhang_wei, "--department", "sales").exit_code == 0
    result = run("--actor", "孙红", "review", "approve", zhang_wei, "--department", "sales")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: sales already approved contract review v1 of opportunity {zhang_wei} (赵敏); a department signs a version once: "
        f"to change its decision, kam review reject {zhang_wei} --department sales --comment REASON\n"
    )
    result = run("--actor", "孙红", "review", "approve", zhang_wei, "--department", "sales", lang="zh")
    assert result.stderr == (
        f"错误：销售部已由赵敏同意商机 {zhang_wei} 的合同审核表 v1，每个部门每个版本只签一次："
        f"如需改变结论，用 kam review reject {zhang_wei} --department sales --comment 原因\n"
    )
    assert signoff_rows(url, zhang_wei) == [("sales", "赵敏", "approve")]


def test_a_reject_after_an_approve_replaces_it_and_is_recorded(run: Kam, url: str, zhang_wei: int) -> None:
    assert run("--actor", "钱进", "review", "approve", zhang_wei, "--department", "finance").exit_code == 0
    result = run(
        "--actor", "李芳", "review", "reject", zhang_wei, "--department", "finance", "--comment", "付款方式需改为分期"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"李芳 rejected contract review v1 of opportunity {zhang_wei} for finance: signing is blocked until a new approval "
        "(replacing 钱进's approval); still waiting for: sales, finance, legal, production\n"
    )
    assert signoff_rows(url, zhang_wei) == [("finance", "钱进", "approve"), ("finance", "李芳", "reject")]
    last = run.json("opp", "history", zhang_wei)[-1]
    assert (last["actor"], last["action"], last["reason"]) == ("李芳", "signoff", "付款方式需改为分期")
    assert last["detail"]["replaces"]["reviewer"] == "钱进" and last["detail"]["replaces"]["decision"] == "approve"
    rule = next(r for r in compliance(run, zhang_wei)["rules"] if r["code"] == "compliance.signoffs")
    assert "finance (李芳) rejected: 付款方式需改为分期" in rule["reasons"]
    # and a new approval replaces the rejection
    data = run.json("--actor", "钱进", "review", "approve", zhang_wei, "--department", "finance")
    assert data["replaces"]["reviewer"] == "李芳" and data["replaces"]["decision"] == "reject"
    assert "finance" not in data["pending"]


def test_the_same_rejection_twice_is_a_no_op(run: Kam, url: str, zhang_wei: int) -> None:
    for _ in range(2):
        assert (
            run(
                "--actor", "孙律", "review", "reject", zhang_wei, "--department", "legal", "--comment", "违约条款需修改"
            ).exit_code
            == 0
        )
    result = run(
        "--actor", "孙律", "review", "reject", zhang_wei, "--department", "legal", "--comment", "违约条款需修改"
    )
    assert result.stdout.startswith(
        f"孙律 already rejected contract review v1 of opportunity {zhang_wei} for legal; nothing changed"
    )
    assert signoff_rows(url, zhang_wei) == [("legal", "孙律", "reject")]


def test_a_new_version_is_signed_afresh(run: Kam, url: str, zhang_wei: int) -> None:
    from forms_fixtures import edit, load

    assert run("--actor", "钱进", "review", "approve", zhang_wei, "--department", "finance").exit_code == 0
    db = Database(url)
    try:
        fill(
            db,
            zhang_wei,
            "contract-review",
            edit(load("contract-review"), "special_service_requests", "冬季驻点改为电话支持"),
        )
    finally:
        db.dispose()
    data = run.json("--actor", "钱进", "review", "approve", zhang_wei, "--department", "finance")
    assert (data["review_version"], data["repeated"], data["replaces"]) == (2, False, None)

"""Issue 12, ways around the gate and foreseeable faults: each case the attack found is a test here.

Path traversal through stored identifiers, the `.part` file that followed a planted
symlink, the process cache that decided a guard, and the faults that ended in
"internal error" (a damaged, read-only, full or future-schema database, a process
file lacking the database's stages, `-o FILE/x.pdf`, NaN budgets, bad imports, a NUL
byte in a path option). Every refusal is one line naming the object and what to do.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from helpers import fill

from migrations import HEAD
from workflow.errors import DatabaseNotReady, InvalidInput
from workflow.operations import accounts, opportunities
from workflow.records import files
from workflow.records.db import Database
from workflow.records.hashing import sha256
from workflow.rules.process import Process, parse_process
from workflow.values.writing import shown

PROFILE: dict[str, Any] = {"type": "enterprise", "account_class": "A", "industry": "物流", "fleet_size": 120, "actor": "tester"}


def export(kam: Any, tmp_path: Path, name: str = "export.json") -> dict[str, Any]:
    path = tmp_path / name
    assert kam("export", str(path)).exit_code == 0
    return json.loads(path.read_text(encoding="utf-8"))


def import_into(kam: Any, tmp_path: Path, data: dict[str, Any], lang: str = "en") -> Any:
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    fresh = type(kam)(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", kam.runner)
    return fresh("import", str(path), lang=lang), fresh


# -- path traversal ------------------------------------------------------------------------------------------------


def test_an_import_whose_document_kind_is_a_path_is_refused(kam: Any, db: Database, deal: int, tmp_path: Path) -> None:
    fill(db, deal, "phone-invite-feedback")
    data = export(kam, tmp_path)
    data["tables"]["documents"][0]["kind"] = "../../../../tmp/x"
    result, _ = import_into(kam, tmp_path, data)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: the import file is not valid (documents[1].kind): unknown document kind “../../../../tmp/x”"
    )
    assert result.stderr.rstrip().endswith("; nothing was imported")


@pytest.mark.parametrize(
    "table, column, value",
    [
        ("opportunities", "stage", "../../etc"),
        ("events", "to_stage", "a/b"),
        ("opportunities", "lost_from", "x/../y"),
        ("opportunities", "stage", "阶段"),
    ],
)
def test_an_import_whose_stage_or_department_is_not_an_identifier_is_refused(
    kam: Any, db: Database, deal: int, tmp_path: Path, table: str, column: str, value: str
) -> None:
    data = export(kam, tmp_path)
    rows = data["tables"][table] or [{}]
    if not data["tables"][table]:
        pytest.skip(f"no {table} row to alter")
    row = next(r for r in rows if r.get(column) is not None) if table == "events" else rows[0]
    row[column] = value
    result, _ = import_into(kam, tmp_path, data)
    assert result.exit_code == 1
    assert f".{column}): " in result.stderr and "nothing was imported" in result.stderr


def test_render_all_never_writes_outside_its_folder_whatever_the_database_holds(
    kam: Any, db: Database, deal: int, tmp_path: Path
) -> None:
    fill(db, deal, "phone-invite-feedback")
    with sqlite3.connect(db.url.split("///", 1)[1]) as raw:
        raw.execute("UPDATE documents SET kind = '../../../../escaped'")
    (tmp_path / "rdir" / "a").mkdir(parents=True)
    result = kam("doc", "render-all", deal, "-o", str(tmp_path / "rdir" / "a"))
    assert result.exit_code == 1
    assert "unknown document kind “../../../../escaped”" in result.stderr
    assert not list(tmp_path.glob("**/*escaped*")) and not list(Path("/").glob("escaped*"))


@pytest.mark.parametrize("name", ["../x.pdf", "/etc/x.pdf", "a/../../x.pdf", "", ".", "a\\..\\x", "a\x00b"])
def test_a_name_that_would_leave_the_folder_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        files.inside(tmp_path / "out", name)
    assert caught.value.message.en.startswith(f"refused to write “{shown(name)}”: the name would leave the folder")
    assert files.inside(tmp_path / "out", "attachments/0001-3-photo.jpg") == tmp_path / "out" / "attachments" / "0001-3-photo.jpg"


@pytest.mark.parametrize("stage_id", ["../x", "a b", "x/y", "阶段一", "a" * 41])
def test_a_process_file_stage_id_must_be_an_identifier(stage_id: str) -> None:
    text = f"stages:\n  - id: {json.dumps(stage_id)}\n    leave: {{trigger: go}}\n  - id: b\n"
    with pytest.raises(InvalidInput) as caught:
        parse_process(text, "p.yaml")
    assert caught.value.message.en == (
        f"process file p.yaml:2: stage id “{shown(stage_id)}” is not an identifier: a letter, then letters, digits, - and _, 40 at most"
    )


def test_a_process_requirement_naming_a_field_the_kind_lacks_is_refused_at_load() -> None:
    text = (
        "stages:\n  - id: a\n    leave:\n      trigger: go\n      requires:\n"
        "        - {document: visit-feedback, field: no_such_field, equals: true}\n  - id: b\n"
    )
    with pytest.raises(InvalidInput) as caught:
        parse_process(text, "p.yaml")
    assert caught.value.message.en.startswith("process file p.yaml:6: the document kind visit-feedback has no field “no_such_field”")
    assert caught.value.message.zh.startswith("流程文件 p.yaml:6：文档类型 visit-feedback 没有字段「no_such_field」")


# -- the temporary file ---------------------------------------------------------------------------------------------


def test_a_planted_part_symlink_is_never_followed(kam: Any, db: Database, deal: int, tmp_path: Path) -> None:
    fill(db, deal, "phone-invite-feedback")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "p.pdf.part").symlink_to(victim)
    result = kam("doc", "render", deal, "phone-invite-feedback", "-o", str(out / "p.pdf"))
    assert result.exit_code == 0, result.output
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (out / "p.pdf").is_symlink() and (out / "p.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in out.iterdir()) == ["p.pdf"]


def test_the_part_file_is_created_exclusively_without_following_links(tmp_path: Path, monkeypatch: Any) -> None:
    seen: list[int] = []
    real_open = os.open

    def spy(path: Any, flags: int, *args: Any) -> int:
        if str(path).endswith(".part"):
            seen.append(flags)
        return real_open(path, flags, *args)

    monkeypatch.setattr(files.os, "open", spy)
    files.write_atomic(tmp_path / "x.pdf", b"%PDF")
    assert seen and all(f & os.O_CREAT and f & os.O_EXCL and f & os.O_NOFOLLOW for f in seen)
    assert (tmp_path / "x.pdf").read_bytes() == b"%PDF" and not (tmp_path / "x.pdf.part").exists()


def test_a_failed_write_leaves_no_part_file_and_a_full_disk_says_so(tmp_path: Path) -> None:
    target = tmp_path / "x.pdf"
    with pytest.raises(InvalidInput) as caught, files.writing(target) as out:
        out.write(b"half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert caught.value.message.en == (
        f"cannot write {target}: the disk is full (No space left on device); free some space or choose another "
        "place and retry (nothing was written)"
    )
    assert caught.value.message.zh.startswith(f"无法写入 {target}：磁盘已满")
    assert list(tmp_path.iterdir()) == []


def test_an_output_under_a_file_is_refused_before_rendering(kam: Any, db: Database, deal: int, tmp_path: Path) -> None:
    fill(db, deal, "phone-invite-feedback")
    (tmp_path / "exist.pdf").write_bytes(b"x")
    result = kam("doc", "render", deal, "phone-invite-feedback", "-o", str(tmp_path / "exist.pdf" / "x.pdf"))
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: cannot write {tmp_path / 'exist.pdf' / 'x.pdf'}: {tmp_path / 'exist.pdf'} is a file, not a folder\n",
    )


@pytest.mark.parametrize(
    "args",
    [
        ("import", "a\x00b.json"),
        ("doc", "render", "1", "phone-invite-feedback", "-o", "a\x00b.pdf"),
        ("doc", "render", "1", "phone-invite-feedback", "--output=a\x00b.pdf"),
    ],
)
def test_a_nul_byte_in_a_path_option_is_a_usage_error(kam: Any, args: tuple[str, ...]) -> None:
    result = kam(*args)
    assert result.exit_code == 2, result.output
    assert "is not valid UTF-8 text (or contains a NUL byte): retype it" in result.stderr
    assert "internal error" not in result.output


# -- the process cache ----------------------------------------------------------------------------------------------


def test_nothing_in_the_cache_folder_changes_what_a_guard_requires(
    kam: Any, db: Database, process: Process, deal: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process cache is gone: a planted `process-*.json` (sign requirements removed) changes nothing."""
    from helpers import STAGE_DOCUMENTS, walk_to

    walk_to(db, process, deal, "evaluation_negotiation")
    for kind in STAGE_DOCUMENTS["evaluation_negotiation"]:
        fill(db, deal, kind)  # everything but the sign-offs
    before = kam("opp", "check", deal, "--json")
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    permissive = {"stages": [{"id": "target", "leave": {"trigger": "invite", "requires": []}}], "requires": []}
    for folder in (tmp_path / "xdg-cache" / "kam", home / ".cache" / "kam"):
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("process-builtin.json", "process-six-step.json", f"process-{'0' * 64}.json"):
            (folder / name).write_text(json.dumps(permissive), encoding="utf-8")
    after = kam("opp", "check", deal, "--json")
    assert json.loads(after.stdout)["missing"] == json.loads(before.stdout)["missing"]
    assert {m["code"] for m in json.loads(after.stdout)["missing"]} == {"compliance.signoffs"}
    refused = kam("opp", "advance", deal)
    assert refused.exit_code == 1 and "cannot sign from" in refused.stderr
    assert not list((tmp_path / "xdg-cache").glob("**/*.json")) or all(
        json.loads(p.read_text(encoding="utf-8")) == permissive for p in (tmp_path / "xdg-cache").glob("**/*.json")
    )


# -- the database's faults ------------------------------------------------------------------------------------------


def test_a_damaged_database_file_is_a_refusal_in_every_command(kam: Any, tmp_path: Path) -> None:
    path = tmp_path / "random.sqlite3"
    path.write_bytes(bytes(range(256)) * 8)
    damaged = type(kam)(f"sqlite:///{path}", kam.runner)
    for args in (("opp", "list"), ("audit", "verify"), ("backup", str(tmp_path / "b.sqlite3")), ("init",)):
        result = damaged(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr == (
            f"Error: the database sqlite:///{path} is damaged (file is not a database): restore it from a backup "
            "(check the backup first with kam --db BACKUP audit verify); kam doctor runs the integrity check\n"
        ), args
    assert not (tmp_path / "b.sqlite3").exists() and not (tmp_path / "b.sqlite3.part").exists()
    assert "损坏（file is not a database）：请从备份恢复" in damaged("opp", "list", lang="zh").stderr


def test_a_read_only_database_is_a_refusal(kam: Any, deal: int, db: Database, tmp_path: Path) -> None:
    path = db.url.split("///", 1)[1]
    read_only = type(kam)(f"sqlite:///file:{path}?mode=ro&uri=true", kam.runner)
    assert read_only("opp", "show", deal).exit_code == 0
    result = read_only("opp", "new", "1", "再来一单")
    assert result.exit_code == 1, result.output
    assert "is read-only (attempt to write a readonly database): check the write permission" in result.stderr


def test_a_full_database_disk_is_a_refusal_with_nothing_written(db: Database, deal: int) -> None:
    from sqlalchemy import event

    @event.listens_for(db.engine, "connect")
    def _tiny(dbapi_conn: Any, _record: Any) -> None:
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    db.engine.dispose()
    with pytest.raises(DatabaseNotReady) as caught, db.write() as s:
        for i in range(200):
            accounts.create_account(s, name=f"客户{i}" + "长" * 150, **PROFILE)
    assert "is on a full disk (database or disk is full): free some space and retry; nothing was written" in (
        caught.value.message.en
    )


def test_a_database_of_a_future_schema_names_both_versions_and_not_kam_init(kam: Any, deal: int, db: Database) -> None:
    with sqlite3.connect(db.url.split("///", 1)[1]) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    for args in (("opp", "list"), ("init",), ("audit", "verify")):
        result = kam(*args)
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: database {db.url} is at schema 9999, newer than {HEAD}, the newest this kam knows: a newer kam "
            "wrote it; upgrade kam (do not run kam init on it)\n"
        ), args


def test_an_export_of_another_schema_is_refused_naming_the_versions(kam: Any, deal: int, tmp_path: Path) -> None:
    data = export(kam, tmp_path)
    data["schema"] = "9999"
    result, _ = import_into(kam, tmp_path, data)
    assert result.stderr == (
        f"Error: the export is of schema “9999”, and this kam knows 0001 to {HEAD}: a newer kam wrote it (or it was "
        "altered); import it with that kam or a newer one\n"
    )


def test_a_mistyped_db_folder_is_not_created(kam: Any, tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir" / "x.sqlite3"
    typo = type(kam)(str(missing), kam.runner)
    result = typo("opp", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: no folder {missing.parent} for the database {missing}: check the --db path; to create a new "
        f"database there, run kam --db {missing} init\n"
    )
    assert not (tmp_path / "nonexistent").exists()
    assert typo("init").exit_code == 0 and missing.exists()


def test_a_process_file_lacking_a_stage_the_database_uses_is_a_refusal(
    kam: Any, db: Database, deal: int, process: Process, tmp_path: Path
) -> None:
    from helpers import walk_to

    walk_to(db, process, deal, "phone_invite")
    short = tmp_path / "short.yaml"
    short.write_text("stages:\n  - id: target\n    leave: {trigger: go}\n  - id: done\n", encoding="utf-8")
    expected = (
        f"Error: the stage “phone_invite” in the database is not in the process file {short} (its stages: target, "
        "done): use the process file the database was built with (--process or KAM_PROCESS)\n"
    )
    for args in (("opp", "show", deal), ("opp", "hold", deal, "--reason", "x"), ("opp", "advance", deal)):
        result = kam("--process", str(short), *args)
        assert "internal error" not in result.output, args
        assert result.exit_code == 1, args
        if args[1] != "advance":  # advance lists it as its unmet requirement
            assert result.stderr == expected, args


# -- amounts --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("budget", ["NaN", "Infinity", "-Infinity", "1e20", "sNaN", "10000000000000"])
def test_a_budget_that_is_not_an_amount_is_refused(kam: Any, deal: int, budget: str) -> None:
    result = kam("opp", "new", "1", "再来一单", "--budget", budget)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: budget (--budget): ")
    assert "internal error" not in result.output


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_sqlite_and_postgresql_accept_the_same_budgets(engine: str, request: pytest.FixtureRequest, process: Process) -> None:
    url = request.getfixturevalue("db_url" if engine == "sqlite" else "pg_url")
    database = Database(url)
    try:
        with database.write() as s:
            acc = accounts.create_account(s, name="包头鑫达物流", **PROFILE)
            opp = opportunities.new_opportunity(s, process, acc.id, "x", owner="王磊", actor="王磊", budget="38.6万")
            assert opp.budget == Decimal("386000.00")
            top = opportunities.new_opportunity(s, process, acc.id, "y", owner="王磊", actor="王磊", budget="999999999999.99")
            assert top.budget == Decimal("999999999999.99")
        for bad in ("1e20", "NaN", "Infinity", Decimal("1e13"), "1000000000000.01"):
            with pytest.raises(InvalidInput), database.write() as s:
                opportunities.new_opportunity(s, process, acc.id, "z", owner="王磊", actor="王磊", budget=bad)
    finally:
        database.dispose()


# -- imports --------------------------------------------------------------------------------------------------------


def _opportunity(data: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = data["tables"]["opportunities"][0]
    return row


@pytest.mark.parametrize(
    "alter, where, problem",
    [
        (lambda d: d["tables"]["events"].append(dict(d["tables"]["events"][0])), "events[2]", "the id “1” appears twice"),
        (lambda d: _opportunity(d).update(account_id=77), "opportunities[1].account_id", "refers to accounts “77”, which the file does not hold"),
        # found by the large fuzz: a second history row with the same position was an IntegrityError
        (lambda d: d["tables"]["events"].append(dict(d["tables"]["events"][0], id=99)), "events[2]", "a second row with opportunity_id, seq “[1, 1]” (the database keeps them unique)"),
        (lambda d: d["tables"]["accounts"].append(dict(d["tables"]["accounts"][0], id=98)), "accounts[2]", "a second row with name “包头鑫达物流有限公司” (the database keeps them unique)"),
        (lambda d: _opportunity(d).update(budget="NaN"), "opportunities[1].budget", "the amount “NaN” is not finite or out of range"),
        (lambda d: _opportunity(d).update(budget="1e20"), "opportunities[1].budget", "the amount “1e20” is not finite or out of range"),
        (lambda d: _opportunity(d).update(budget="1.005"), "opportunities[1].budget", "the amount “1.005” has more than 2 decimals"),
        (lambda d: _opportunity(d).update(quantity=2**40), "opportunities[1].quantity", f"the integer {2**40} is out of range"),
        (lambda d: _opportunity(d).update(title="长" * 201), "opportunities[1].title", "the text is longer than 200 characters"),
    ],
)
def test_an_import_that_no_database_could_hold_is_refused(
    kam: Any, deal: int, tmp_path: Path, alter: Any, where: str, problem: str
) -> None:
    data = export(kam, tmp_path)
    alter(data)
    result, fresh = import_into(kam, tmp_path, data)
    assert result.stderr == f"Error: the import file is not valid ({where}): {problem}; nothing was imported\n"
    assert fresh("opp", "list", "--json").stdout.strip() == "[]"


def test_a_deeply_nested_or_duplicate_keyed_import_is_refused_by_the_reader(kam: Any, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": "kam-export", "tables": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    result = kam("import", str(deep))
    assert result.stderr == f"Error: file {deep}: nested deeper than 32 levels, the limit\n"
    twice = tmp_path / "twice.json"
    twice.write_text('{"format": "kam-export",\n "format": "x"}', encoding="utf-8")
    result = kam("import", str(twice))
    assert result.stderr == f"Error: file {twice} line 2: the key 'format' appears twice (first on line 1): remove one of them\n"


def test_a_rehashed_document_of_a_path_kind_still_fails(kam: Any, db: Database, deal: int, tmp_path: Path) -> None:
    """Re-hashing the document does not help: the kind is checked as an identifier before any hash."""
    fill(db, deal, "phone-invite-feedback")
    data = export(kam, tmp_path)
    doc = data["tables"]["documents"][0]
    doc["kind"] = "../x"
    doc["sha256"] = sha256(doc["data"])
    result, _ = import_into(kam, tmp_path, data)
    assert "(documents[1].kind): unknown document kind “../x”" in result.stderr


# -- inputs that exhaust the machine ---------------------------------------------------------------------------------


def test_a_process_file_of_10000_stages_is_refused_before_anything_draws_it(kam: Any, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(
        "stages:\n" + "".join(f"  - id: s{i}\n    leave: {{trigger: t{i}}}\n" for i in range(10_000)) + "  - id: end\n",
        encoding="utf-8",
    )
    result = kam("--process", str(big), "workflow", "diagram", "--svg", str(tmp_path / "d.svg"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: process file {big}:1: stages has 10,001 stages, over the limit of 100\n"
    assert not (tmp_path / "d.svg").exists()


def test_a_csv_over_the_size_limit_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workflow.operations import account_import

    monkeypatch.setattr(account_import, "MAX_CSV_BYTES", 1000)
    big = tmp_path / "accounts.csv"
    big.write_text("name,type\n" + "包头鑫达物流,enterprise\n" * 100, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        account_import.read_rows(str(big))
    assert caught.value.message.en == f"file {big} is larger than the 1 KB limit: shorten it and retry"


def test_a_csv_is_read_only_up_to_the_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workflow.operations import account_import

    monkeypatch.setattr(account_import, "MAX_ROWS", 10)
    many = tmp_path / "accounts.csv"
    many.write_text("name,type\n" + "".join(f"客户{i},enterprise\n" for i in range(1000)), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        account_import.read_rows(str(many))
    assert caught.value.message.en == f"file {many} has more than 10 rows"

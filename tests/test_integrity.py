"""The database file's own pages (issue 12): kam doctor, kam audit verify and kam backup run SQLite's check.

A file with 2 KB of random bytes written over its middle used to pass all three, and its backup was
as damaged as it. Now each refuses (exit 1) naming the check and what it found, and no backup is kept.
A killed `kam backup` leaves no partial file: SIGTERM and Ctrl-C remove it, and the `.part` a SIGKILL
leaves is replaced by the next backup.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import fill

from workflow.records import db as records_db
from workflow.records.db import Database


def _settle(path: Path) -> None:
    """Everything in the main file (no WAL beside it), as a file copied or damaged at rest would be."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.execute("VACUUM")  # no free pages (the migrations leave some): the damage lands on live ones
    connection.close()


def _damage_the_middle(path: Path, seed: int = 12) -> None:
    """2 KB of random bytes over the middle page boundary: the cells at the end of one page, the next one's header.

    (Not at the file's exact middle: in a small file that is often a page's unused space, which no check can
    miss, as no byte of it is read.)
    """
    pages = path.stat().st_size // 4096
    with open(path, "r+b") as handle:
        handle.seek(pages // 2 * 4096 - 1024)
        handle.write(random.Random(seed).randbytes(2048))


@pytest.fixture
def damaged_db(db: Database, deal: int, tmp_path: Path) -> Path:
    for _ in range(6):  # some pages of history, documents and indexes
        fill(db, deal, "visit-feedback")
    db.dispose()
    path = Path(db.url.split("///", 1)[1])
    _settle(path)
    _damage_the_middle(path)
    return path


def test_a_file_damaged_in_its_middle_fails_audit_verify(kam: Any, damaged_db: Path) -> None:
    result = kam("audit", "verify")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: the database sqlite:///{damaged_db} is damaged"), result.stderr
    assert "the integrity check failed (PRAGMA integrity_check)" in result.stderr
    assert "restore it from a backup" in result.stderr
    zh = kam("audit", "verify", lang="zh")
    assert zh.exit_code == 1 and "已损坏：完整性检查未通过（PRAGMA integrity_check）" in zh.stderr


def test_a_file_damaged_in_its_middle_is_never_backed_up(kam: Any, damaged_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    result = kam("backup", str(target))
    assert result.exit_code == 1, result.output
    assert "is damaged: the integrity check failed (PRAGMA integrity_check)" in result.stderr
    assert not target.exists() and not (tmp_path / "copy.sqlite3.part").exists()
    data = json.loads(kam("--json", "backup", str(target)).stdout)
    assert data["error"]["code"] == "database-not-ready"


def test_a_file_damaged_in_its_middle_fails_the_doctor(kam: Any, damaged_db: Path) -> None:
    result = kam("doctor")
    assert result.exit_code == 1
    line = next(line for line in result.stdout.splitlines() if "integrity" in line)
    assert line.startswith("✗ integrity") and "the integrity check failed (PRAGMA integrity_check)" in line
    assert "fix: restore the database from a backup" in result.stdout
    found = next(r for r in json.loads(kam("--json", "doctor").stdout) if r["name"] == "integrity")
    assert found["ok"] is False and found["check"] == "integrity_check"


def test_the_damage_was_invisible_to_ordinary_reads(db: Database, damaged_db: Path) -> None:
    """Why the check is needed: the rows kam reads still read (the damage is in pages no query visits)."""
    reopened = Database(db.url)
    try:
        assert not records_db.integrity(reopened.engine.connect()).ok
        with reopened.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM accounts").scalar() == 1
    finally:
        reopened.dispose()


def test_a_sound_file_says_which_check_ran(kam: Any, deal: int, tmp_path: Path) -> None:
    verified = kam.json("audit", "verify")
    assert verified["integrity"] == {
        "check": "integrity_check",
        "ok": True,
        "problems": [],
        "message": "integrity check passed (PRAGMA integrity_check)",
    }
    assert kam("audit", "verify").stdout.endswith("verified\nintegrity check passed (PRAGMA integrity_check)\n")
    backed = kam.json("backup", str(tmp_path / "copy.sqlite3"))
    assert backed["integrity"]["check"] == "integrity_check" and backed["integrity"]["ok"] is True
    doctor = next(r for r in kam.json("doctor") if r["name"] == "integrity")
    assert doctor["ok"] is True and doctor["detail"] == "integrity check passed (PRAGMA integrity_check)"


def test_a_large_file_gets_the_quick_check_and_says_so(
    kam: Any, deal: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records_db, "FULL_CHECK_BYTES", 4096)
    verified = kam.json("audit", "verify")
    assert verified["integrity"]["check"] == "quick_check"
    assert verified["integrity"]["message"] == "integrity check passed (PRAGMA quick_check, as the file is over 0 MB)"
    assert "完整性检查通过（PRAGMA quick_check：文件超过 0 MB，做快速检查）" in kam("audit", "verify", lang="zh").stdout


def test_every_problem_the_check_names_is_kept(tmp_path: Path) -> None:
    """An index that no longer matches its table: only the full check compares them, and it names each one."""
    path = tmp_path / "x.sqlite3"
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT); CREATE INDEX tb ON t (b);"
        "INSERT INTO t (b) VALUES ('x'), ('y'), ('z');"
    )
    root = connection.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'tb'").fetchone()[0]
    connection.close()
    page_size = 4096
    with open(path, "r+b") as handle:  # the index's page emptied: its three entries are gone
        handle.seek((root - 1) * page_size)
        page = bytearray(handle.read(page_size))
        page[3:5] = (0).to_bytes(2, "big")  # number of cells
        handle.seek((root - 1) * page_size)
        handle.write(page)
    raw = sqlite3.connect(path)
    full = records_db.integrity(raw, full=True)
    quick = records_db.integrity(raw, full=False)
    raw.close()
    assert not full.ok and full.check == "integrity_check" and len(full.problems) >= 1
    assert any("tb" in problem for problem in full.problems), full.problems
    assert quick.check == "quick_check"


def test_postgresql_checks_its_own_pages(kam: Any, pg_url: str) -> None:
    assert kam("--db", pg_url, "init").exit_code == 0
    verified = kam.json("--db", pg_url, "audit", "verify")
    assert verified["integrity"] == {
        "check": "server",
        "ok": True,
        "problems": [],
        "message": "PostgreSQL checks its own pages (kam has no check to add)",
    }
    doctor = next(r for r in kam.json("--db", pg_url, "doctor") if r["name"] == "integrity")
    assert doctor == {
        "name": "integrity",
        "ok": True,
        "detail": "PostgreSQL checks its own pages (kam has no check to add)",
        "fix": "",
        "check": "server",
    }


# -- a killed backup ----------------------------------------------------------------------------------------------

BALLAST_MB = 160  # large enough that the backup step lasts a while (SQLite copies it in one call)


@pytest.fixture
def large_db(db: Database, deal: int, tmp_path: Path) -> Path:
    db.dispose()
    path = Path(db.url.split("///", 1)[1])
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE ballast (b BLOB)")
    chunk = random.Random(1).randbytes(1 << 20)
    connection.executemany("INSERT INTO ballast VALUES (?)", ((chunk,) for _ in range(BALLAST_MB)))
    connection.commit()
    connection.close()
    _settle(path)
    return path


def _backup_then(signum: int, source: Path, target: Path) -> subprocess.CompletedProcess[str]:
    """Start `kam backup`, send `signum` once its `.part` exists, and wait for it to end."""
    partial = target.with_name(target.name + ".part")
    env = {**os.environ, "KAM_LANG": "en", "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", "import cli; cli.main()", "--db", str(source), "backup", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).parent.parent,
    )
    while not partial.exists() and process.poll() is None:
        time.sleep(0.002)
    assert process.poll() is None, process.communicate()
    time.sleep(0.05)  # inside the copy, not at its first byte
    process.send_signal(signum)
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_backup_stopped_mid_copy_leaves_no_file(large_db: Path, tmp_path: Path, signum: int) -> None:
    target = tmp_path / "copy.sqlite3"
    ended = _backup_then(signum, large_db, target)
    assert ended.returncode != 0, ended
    assert "Traceback" not in ended.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == []


def test_the_part_a_sigkill_leaves_is_replaced_by_the_next_backup(large_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    ended = _backup_then(signal.SIGKILL, large_db, target)
    assert ended.returncode == -signal.SIGKILL
    partial = tmp_path / "copy.sqlite3.part"
    assert partial.exists() and not target.exists()  # a SIGKILL cannot be cleaned up after: visible, by its name
    again = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", "--db", str(large_db), "--json", "backup", str(target)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["integrity"]["ok"] is True
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.sqlite3"]
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT count(*) FROM ballast").fetchone() == (BALLAST_MB,)
    copy.close()

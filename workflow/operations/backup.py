"""A consistent copy of a live SQLite database.

`backup()` uses SQLite's online backup API through the DBAPI connection
(`sqlite3.Connection.backup`), never a file copy: a copy of the file taken
while another process writes can catch the database file and its WAL at
different moments, while the backup API reads one consistent snapshot.
The copy is written next to its destination (FILE.part, created exclusively,
never through a link) and renamed into place, so a failed, interrupted or
terminated backup never leaves half a file under the final name, nor a hidden
one beside it (a .part a killed run left is replaced by the next run).
The copy is checked page by page (`records.db.integrity`) before it is renamed
into place: a damaged database is copied damage and all, so a backup that fails
the check is removed and refused, never kept as if it were one.

SIGTERM and Ctrl-C are noticed when SQLite's backup step returns (Python runs
signal handlers between calls, and the copy is one call, so as to read one
snapshot): the `.part` is then removed. Only SIGKILL leaves it, and the next
backup to that file removes it first (`create_partial`, never following a link).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.records.db import Database, Integrity, damaged, display_url, integrity
from workflow.records.files import create_partial
from workflow.values.writing import as_written


@dataclass(frozen=True)
class Backup:
    path: str
    bytes: int
    integrity: Integrity  # the check over the copy: passed (a failed one is refused, and no copy is kept)


def backup(db: Database, destination: str | os.PathLike[str]) -> Backup:
    """Copy the SQLite database behind `db` to `destination` (replacing it if it exists)."""
    if not db.is_sqlite:
        raise InvalidInput(
            t(
                f"kam backup 只能复制 SQLite 数据库；{display_url(db.url)} 请用 kam export FILE.json（或服务器自己的 "
                "pg_dump）",
                f"kam backup copies SQLite databases only; for {display_url(db.url)} use kam export FILE.json (or the "
                "server's pg_dump)",
            )
        )
    db.ensure_schema()
    target = Path(destination)
    if not str(destination).strip() or target.is_dir():
        raise InvalidInput(
            t(
                f"备份需要一个文件名，「{as_written(str(destination))}」不是文件",
                f"a backup needs a file name; “{as_written(str(destination))}” is not one",
            )
        )
    if not target.parent.is_dir():
        raise InvalidInput(t(f"目录 {target.parent} 不存在", f"folder {target.parent} does not exist"))
    descriptor, partial = create_partial(target)  # FILE.part, beside it, created exclusively (never a link)
    os.close(descriptor)  # SQLite opens it by name: an empty file is an empty database
    raw = db.engine.raw_connection()
    try:
        source: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # one step: the whole database from one read snapshot
            # The copy stands alone: no WAL beside it, so it is one file to keep or mail.
            copy.execute("PRAGMA journal_mode=DELETE")
            checked = integrity(copy)
            if not checked.ok:
                raise damaged(checked, db.url)  # the source is damaged: its copy is too, and is removed below
        finally:
            copy.close()
        os.replace(partial, target)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        if not isinstance(exc, OSError | sqlite3.Error):
            raise  # SIGTERM, Ctrl-C: the partial copy is gone all the same
        raise InvalidInput(t(f"无法写入备份 {target}：{exc}", f"cannot write the backup {target}: {exc}")) from None
    finally:
        raw.close()
    return Backup(str(target), target.stat().st_size, checked)

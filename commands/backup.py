"""Copy the SQLite database while it is in use, then check the copy's history.

Uses SQLite's online backup API, so other kam processes may keep working.
On PostgreSQL, use kam export (or pg_dump) instead. To restore, point
kam at the copy (--db FILE) or put it in place of the database file.
The copy is checked page by page first (PRAGMA integrity_check; quick_check
over 200 MB): a damaged database is refused (exit 1) and no copy is kept.
--json prints {"path", "bytes", "checked", "opportunities", "ok", "integrity": {"check", "ok", "problems",
"message"}}.

\b
Example:
  kam backup ~/backups/kam-2026-11-22.sqlite3
  kam --db ~/backups/kam-2026-11-22.sqlite3 opp list
"""

from __future__ import annotations

import click

from commands._common import Kam, KamCommand, output_path, pass_kam
from workflow.operations.backup import backup as copy_database
from workflow.records.db import Database
from workflow.views import audit as views
from workflow.views import integrity


@click.command("backup", cls=KamCommand, help=__doc__)
@click.argument("path", metavar="FILE")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@pass_kam
def backup(kam: Kam, path: str, force: bool) -> None:
    result = copy_database(kam.db, output_path(path, force))
    copy = Database(result.path)
    try:
        with copy.read() as session:
            audit = views.audit(session)
    finally:
        copy.dispose()
    data = {
        "path": result.path,
        "bytes": result.bytes,
        "checked": audit.checked,
        "opportunities": audit.opportunities,
        "ok": audit.ok,
        "integrity": integrity.as_json(result.integrity, kam.lang),
    }
    kam.emit(
        data,
        lambda: kam.say(
            f"已备份到 {result.path}（{result.bytes:,} 字节）；副本含 {audit.opportunities} 个商机、{audit.checked} "
            "行历史，"
            + (
                "校验通过"
                if audit.ok
                else f"{len(audit.breaks)} 个商机的历史有问题：运行 kam --db {result.path} audit verify 查看"
            )
            + f"；{result.integrity.describe().zh}",
            f"backed up to {result.path} ({result.bytes:,} bytes); the copy holds {audit.opportunities} "
            f"opportunit{'y' if audit.opportunities == 1 else 'ies'} and {audit.checked} history rows, "
            + (
                "all verified"
                if audit.ok
                else f"{len(audit.breaks)} with broken history: see kam --db {result.path} audit verify"
            )
            + f"; {result.integrity.describe().en}",
        ),
    )


COMMAND = backup

"""Check fonts, the PDF subsetter and the database; say what is missing and how to fix it.

The database's file is checked page by page (SQLite's PRAGMA integrity_check, or
quick_check over 200 MB, named in the output); on PostgreSQL the server checks its
own pages. Any ✗ exits 1.

\b
Example:
  kam doctor
"""

from __future__ import annotations

from typing import Any

import click

from commands._common import Kam, KamCommand, clean, pass_kam
from migrations import HEAD
from reports.fonts import checks
from workflow.records.db import display_url
from workflow.views import integrity
from workflow.views.company import SOURCES, letterhead, letterhead_source


@click.command("doctor", cls=KamCommand, help=__doc__)
@pass_kam
def doctor(kam: Kam) -> None:
    results = [{"name": c.name, "ok": c.ok, "detail": c.detail, "fix": c.fix} for c in checks()]
    try:
        revision = kam.db.current_revision()
        # an empty database is fine: kam creates the schema on first use
        ok = revision in (None, HEAD)
        state = (
            f"schema {revision}" if revision else kam.t("尚未创建，首次使用时自动创建", "empty; created on first use")
        )
        detail = f"{display_url(kam.db.url)} ({state})"
        fix = "" if ok else "kam init"
    except Exception as exc:  # doctor reports problems, it does not stop at them
        ok, detail, fix = (
            False,
            f"{display_url(kam.db.url)}: {getattr(exc, 'message', exc)}",
            "check --db / KAM_DATABASE_URL",
        )
    results.append({"name": "database", "ok": ok, "detail": detail, "fix": fix})
    results.append(_integrity(kam))
    results.append(_company(kam) if ok else {"name": "company", "ok": True, "detail": "—", "fix": "", "note": ""})

    def human() -> None:
        for r in results:
            mark = click.style("✓", fg="green") if r["ok"] else click.style("✗", fg="red")
            click.echo(f"{mark} {r['name']:<14} {clean(r['detail'])}")
            if not r["ok"] and r["fix"]:
                click.echo(f"  {kam.t('修复', 'fix')}: {r['fix']}")
            elif r.get("note"):
                click.echo(f"  {clean(r['note'])}")

    kam.emit(results, human)
    if not all(r["ok"] for r in results):
        raise SystemExit(1)


def _integrity(kam: Kam) -> dict[str, Any]:
    """The file's pages, whatever its schema: a damaged file is the first thing to know about (issue 12)."""
    found = integrity.of(kam.db)
    fix = kam.t(
        "从备份恢复数据库（先用 kam --db 备份文件 audit verify 检查备份），不要继续写入",
        "restore the database from a backup (check it first with kam --db BACKUP audit verify); do not write to it",
    )
    detail = found.describe().render(kam.lang)
    return {"name": "integrity", "ok": found.ok, "detail": detail, "fix": "" if found.ok else fix, "check": found.check}


def _company(kam: Kam) -> dict[str, Any]:
    """The letterhead PDFs print: fine either way, but a company still on the built-in default is told so."""
    try:
        with kam.db.connect() as connection:
            source, head = letterhead_source(connection), letterhead(connection)
    except Exception as exc:  # an empty database has no company table yet: the default
        return {"name": "company", "ok": True, "detail": f"— ({getattr(exc, 'message', exc)})", "fix": "", "note": ""}
    note = "" if source == "database" else SOURCES[source].render(kam.lang)
    detail = head.header + (kam.t("（内置默认值）", " (the built-in default)") if source == "default" else "")
    return {"name": "company", "ok": True, "detail": detail, "fix": "", "source": source, "note": note}


COMMAND = doctor

"""Is the database file sound? SQLite's own page check (`records.db.integrity`), for the doctor and audit verify.

`kam audit verify` proves that the rows say what kam wrote; this proves that the file still holds
rows at all: bytes overwritten in the middle of a file read fine until the damaged page is visited,
so both commands (and `kam backup`, over its copy) run the check before trusting anything else.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DatabaseError

from workflow.records.db import Database, Integrity, damaged, integrity


def of(db: Database) -> Integrity:
    """The check over `db`'s file, on a connection of its own: the doctor runs it whatever the schema says."""
    try:
        with db.engine.connect() as connection:
            return integrity(connection)
    except DatabaseError as exc:  # the file's header is damaged: SQLite cannot even open it as a database
        return Integrity("integrity_check", False, (str(getattr(exc, "orig", exc)).strip(),), 0)


def require_intact(connection: Connection, url: str) -> Integrity:
    """The check over the database `connection` reads; a refusal (exit 1) naming what it found if it fails."""
    found = integrity(connection)
    if not found.ok:
        raise damaged(found, url)
    return found


def as_json(found: Integrity, lang: str) -> dict[str, Any]:
    """The `integrity` object of `--json`: {"check", "ok", "problems", "message"}."""
    message = found.describe().render(lang)
    return {"check": found.check, "ok": found.ok, "problems": list(found.problems), "message": message}

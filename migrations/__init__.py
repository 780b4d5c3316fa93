"""Schema migrations (Alembic). `kam init` runs `upgrade()`; HEAD is the newest revision.

Developers add a revision with:
    .venv/bin/python -m migrations revision -m "what changes"
and set HEAD below to its id (a test checks that HEAD is Alembic's head).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

HEAD = "0010"
HERE = Path(__file__).parent


def newer_schema(revision: str) -> bool:
    """Is `revision` a schema this kam does not know, written by a newer one? ("0007" when HEAD is "0006")."""
    return not (revision.isdigit() and revision <= HEAD) if len(revision) == len(HEAD) else True


def config(engine: Engine | None = None) -> Config:
    from alembic.config import Config  # Alembic loads only to migrate, not with HEAD

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the schema at `engine` to `revision`; returns the revision reached."""
    from alembic import command  # only to migrate

    command.upgrade(config(engine), revision)
    return HEAD


def heads() -> list[str]:
    from alembic.script import ScriptDirectory  # only to migrate

    return list(ScriptDirectory.from_config(config()).get_heads())

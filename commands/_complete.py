"""Shell completion of values: document kinds, stages, sign-off departments, opportunity ids.

click completes command and option names itself (`_KAM_COMPLETE=bash_source kam`, see the
README); this module completes the values of the parameters named below, wherever a
command declares them (`KamCommand` attaches them by name, so a new command gets them
without a word). A completer runs on every Tab: it imports nothing heavy (no SQLAlchemy on
SQLite, no pydantic), never raises, and reads ids and titles with one query.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click
from click.shell_completion import CompletionItem

Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def _lang(ctx: click.Context) -> str:
    lang = ctx.find_root().params.get("lang") or os.environ.get("KAM_LANG") or "zh"
    return "en" if lang == "en" else "zh"


def _items(pairs: list[tuple[str, str]], incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(value, help=label) for value, label in pairs if value.startswith(incomplete)]


def _guarded(complete: Completer) -> Completer:
    def run(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        try:
            return complete(ctx, param, incomplete)
        except Exception:  # a Tab never prints a traceback: no database yet, a broken process file...
            return []

    return run


@_guarded
def kinds(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    import forms

    return _items([(kind, forms.title(kind, _lang(ctx))) for kind in forms.KINDS], incomplete)


def _process(ctx: click.Context) -> Any:
    from workflow.rules.process import load_process

    return load_process(ctx.find_root().params.get("process_path"))


@_guarded
def stages(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    process, lang = _process(ctx), _lang(ctx)
    pairs = [(stage.id, process.stage_label(stage.id, lang)) for stage in process.stages]
    return _items([*pairs, ("lost", "已丢单" if lang == "zh" else "lost")], incomplete)


@_guarded
def departments(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    if ctx.parent is None or ctx.parent.info_name != "review":
        return []  # a contact's or the company's department is free text
    process, lang = _process(ctx), _lang(ctx)
    return _items([(d, process.department_label(d, lang)) for d in process.departments], incomplete)


LIMIT = 200  # ids offered at once: a Tab that lists thousands helps nobody


@_guarded
def opportunities(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Open opportunities first, newest first, each with its title (zsh and fish show it)."""
    url = ctx.find_root().params.get("db_url") or os.environ.get("KAM_DATABASE_URL")
    if not url:
        from platformdirs import user_data_dir  # where workflow.records.db keeps the default database

        url = os.path.join(user_data_dir("kam", appauthor=False), "kam.sqlite3")
    query = (
        "SELECT id, title FROM opportunities WHERE CAST(id AS TEXT) LIKE :prefix "
        "ORDER BY CASE WHEN stage = 'lost' THEN 1 ELSE 0 END, id DESC LIMIT :limit"
    )
    args = {"prefix": f"{incomplete}%", "limit": LIMIT}
    if "://" not in url or url.startswith("sqlite:///"):
        import sqlite3  # the standard library's: a Tab must not wait for SQLAlchemy to import

        path = os.path.expanduser(url.removeprefix("sqlite:///"))
        if not os.path.exists(path):
            return []
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            rows = conn.execute(query, args).fetchall()
    else:
        from sqlalchemy import create_engine, text

        engine = create_engine(url, connect_args={"connect_timeout": 2} if url.startswith("postgresql") else {})
        try:
            with engine.connect() as conn:
                rows = list(conn.execute(text(query), args))
        finally:
            engine.dispose()
    return [CompletionItem(str(row[0]), help=str(row[1])) for row in rows]


# Parameter name → its completer, for every command (one declaration).
BY_NAME: dict[str, Completer] = {
    "opportunity_id": opportunities,
    "kind": kinds,
    "stage": stages,
    "department": departments,
}


def attach(command: click.Command) -> None:
    """Give the parameters of `command` named in `BY_NAME` their completer (unless they declare their own)."""
    for param in command.params:
        complete = BY_NAME.get(param.name or "")
        if complete is not None and param._custom_shell_complete is None:
            # click's own hook for `shell_complete=`: set once here instead of on each decorator
            param._custom_shell_complete = complete

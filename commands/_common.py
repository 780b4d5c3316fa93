"""What every command shares: the context object, output in two languages, tables, errors.

Heavy modules (SQLAlchemy, pydantic, rich, WeasyPrint) are imported inside the
functions that use them so `kam --help` stays fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from pathlib import Path

    from workflow.db import Database
    from workflow.process import Process

# C0 controls except tab/newline, DEL, C1 controls and ESC sequences: never echo them to a terminal.
@functools.cache
def _control() -> re.Pattern[str]:
    # compiled on first use: `kam --help` never needs it
    return re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(value: Any) -> str:
    """User text made safe for a terminal (no escape sequences or control characters)."""
    if value is None:
        return ""
    return _control().sub("", str(value))


def end_of_start_up() -> None:
    """Turn the cyclic garbage collector back on, past everything loaded so far.

    `kam` starts with the collector off (`cli.main`): building the schema and the
    ORM mapping allocates tens of thousands of long-lived objects, and the
    collections they set off cost about 0.1 s of every command here. A command
    asks for the database after its imports, so that is where this runs: the
    objects so far are frozen (never scanned again) and collection resumes for
    the work itself, however long it runs.
    """
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


class Kam:
    """The per-invocation context: global options and lazily opened resources."""

    def __init__(self, db_url: str | None, actor: str | None, as_json: bool, lang: str, process_path: str | None) -> None:
        self.db_url = db_url
        self._actor = actor
        self.json = as_json
        self.lang = lang
        self.process_path = process_path

    @cached_property
    def db(self) -> Database:
        from workflow.db import Database

        end_of_start_up()
        return Database(self.db_url)

    @property
    def actor(self) -> str:
        """Who is acting: --actor / KAM_USER; else the database role on PostgreSQL; else the login name.

        On a team server the role is what the server authenticated, so its own
        access control is the boundary and the history records who really wrote.
        """
        if self._actor is None:
            self._actor = login_name() if self.db.is_sqlite else database_role(self.db)
        return self._actor

    @actor.setter
    def actor(self, value: str | None) -> None:
        self._actor = value

    @cached_property
    def process(self) -> Process:
        from workflow.process import load_process

        return load_process(self.process_path)

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def emit(self, data: Any, human: Callable[[], None] | None = None) -> None:
        """Print `data` as JSON with --json, otherwise call `human()`."""
        if self.json:
            click.echo(dumps(data))
        elif human is not None:
            human()

    def say(self, zh: str, en: str) -> None:
        if not self.json:
            click.echo(clean(self.t(zh, en)))


def login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def database_role(db: Database) -> str:
    """The role the database server authenticated this connection as (PostgreSQL's current_user)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from workflow.db import display_url
    from workflow.errors import DatabaseNotReady
    from workflow.i18n import t

    try:
        with db.engine.connect() as conn:
            return str(conn.execute(text("SELECT current_user")).scalar())
    except DBAPIError as exc:
        raise DatabaseNotReady(
            t(f"无法连接数据库 {display_url(db.url)}：{exc.orig}", f"cannot open database {display_url(db.url)}: {exc.orig}")
        ) from None


def dumps(data: Any) -> str:
    """The --json text: two-space indent, UTF-8, times as ISO 8601 (stored UTC with Z), amounts as strings.

    Byte for byte what json.dumps(indent=2, ensure_ascii=False) writes (a test holds it
    to that), but orjson's: the standard encoder's indented mode is pure Python.
    """
    import orjson

    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    return orjson.dumps(data, default=_json_default, option=options).decode()


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds") + ("Z" if value.tzinfo is None else "")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


pass_kam = click.make_pass_decorator(Kam)

_GLOBAL = ("db_url", "actor", "as_json", "lang")


class KamCommand(click.Command):
    """A command that also accepts the global options after its name (`kam opp show 1 --json`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(
            [
                click.Option(["--db", "db_url"], metavar="URL", hidden=True),
                click.Option(["--actor"], hidden=True),
                click.Option(["--json", "as_json"], is_flag=True, default=None, hidden=True),
                click.Option(["--lang"], type=click.Choice(["zh", "en"]), hidden=True),
            ]
        )

    def invoke(self, ctx: click.Context) -> Any:
        check_arguments(self, ctx)
        kam = ctx.find_object(Kam)
        for name in _GLOBAL:
            value = ctx.params.pop(name, None)
            if kam is not None and value is not None:
                setattr(kam, "json" if name == "as_json" else name, value)
        return super().invoke(ctx)


# Ids and counts are INTEGER columns (32-bit on PostgreSQL): a larger number is a typo, not a lookup.
MAX_INT = 2_147_483_647


# Bytes that are not UTF-8 arrive in argv as lone surrogates (surrogateescape); NUL cannot be stored or opened.
@functools.cache
def _unusable() -> re.Pattern[str]:
    return re.compile("[\x00\ud800-\udfff]")


def check_arguments(command: click.Command, ctx: click.Context) -> None:
    """Arguments the database cannot hold are usage errors here, not internal errors later."""
    for param in command.params:
        value = ctx.params.get(param.name or "")
        if isinstance(param.type, click.types.IntParamType) and isinstance(value, int) and abs(value) > MAX_INT:
            raise click.BadParameter(f"{value} is out of range (at most {MAX_INT})", ctx=ctx, param=param)
        for text in value if isinstance(value, tuple | list) else [value]:
            if isinstance(text, str) and _unusable().search(text):
                raise click.BadParameter("is not valid UTF-8 text (or contains a NUL byte): retype it", ctx=ctx, param=param)


class KamGroupBase(click.Group):
    """Command groups whose commands accept the global options anywhere."""

    command_class = KamCommand


def local_time(value: dt.datetime | None) -> str:
    """A stored naive-UTC time shown in the machine's local time zone."""
    if value is None:
        return ""
    return value.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> None:
    """A CJK-width-aware table on stdout: columns three spaces apart, a rule under the header.

    A table that fits the terminal as it is (no wrapping needed) is laid out here, in one
    pass: rich's general layout costs about 1.5 ms a row (0.3 s for the schedule's 200).
    Anything else (too wide, a long title, a line break) goes to rich, which wraps. A test
    holds the two to the same output wherever the fast way is taken.
    """
    import shutil

    from rich.cells import cell_len

    width = shutil.get_terminal_size((140, 24)).columns if sys.stdout.isatty() else 160
    cells = [[clean(cell) for cell in row] for row in rows]
    heads = [clean(h) for h in headers]
    widths = [max([cell_len(h)] + [cell_len(row[i]) for row in cells]) for i, h in enumerate(heads)]
    total = sum(widths) + 3 * (len(widths) - 1)
    fits = total <= width and min(widths) > 0 and (not title or cell_len(clean(title)) <= total)
    if not fits or any(_unruly(text) for text in (title or "", *heads, *(cell for row in cells for cell in row))):
        _rich_table(heads, cells, title, width)
        return

    def line(values: Sequence[str]) -> str:
        return "   ".join(v + " " * (w - cell_len(v)) for v, w in zip(values, widths, strict=True))

    out = []
    if title:
        out.append(clean(title) + " " * (total - cell_len(clean(title))))
    out.append(line(heads))
    out.append("─" * total)
    out.extend(line(row) for row in cells)
    click.echo("\n".join(out))


def _unruly(text: str) -> bool:
    """Text rich lays out specially (line breaks, tabs)."""
    return "\n" in text or "\t" in text


def _rich_table(headers: list[str], rows: list[list[str]], title: str | None, width: int) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    out = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", pad_edge=False, show_edge=False)
    for header in headers:
        out.add_column(Text(header))  # literal text, as the cells
    for row in rows:
        # Text() keeps user text literal: no rich markup, no escape sequences.
        out.add_row(*(Text(cell) for cell in row))
    Console(width=width, highlight=False, soft_wrap=False).print(out)


class KamCommandError(click.ClickException):
    """A domain error at the edge: one `Error:` line, optional detail lines, exit 1."""

    exit_code = 1

    def __init__(self, message: str, details: list[str], payload: dict[str, Any] | None) -> None:
        super().__init__(message)
        self.details = details
        self.payload = payload

    def show(self, file: Any = None) -> None:
        if self.payload is not None:
            click.echo(dumps(self.payload))
        click.echo(f"Error: {clean(self.message)}", err=True)
        for line in self.details:
            click.echo(f"  - {clean(line)}", err=True)


def convert(exc: Exception, kam: Kam | None) -> KamCommandError:
    """Turn a `KamError` into the message a user reads (and a JSON error with --json)."""
    from workflow.errors import KamError, Refused

    lang = kam.lang if kam else "zh"
    assert isinstance(exc, KamError)
    details = [d.render(lang) for d in exc.details]
    payload = None
    if isinstance(exc, Refused):
        details += [f"[{m.code}] {m.message.render(lang)}" + (f"  → {m.command}" if m.command else "") for m in exc.missing]
    if kam and kam.json:
        payload = {"error": {"code": exc.code, "message": exc.render(lang), "details": details}}
        if isinstance(exc, Refused):
            payload["missing"] = [m.to_dict(lang) for m in exc.missing]
    return KamCommandError(exc.render(lang), details, payload)


def read_data_file(path: str) -> Any:
    """Parse a YAML or JSON document file; problems become `InvalidInput` naming the file."""
    from workflow.errors import InvalidInput
    from workflow.i18n import t

    try:
        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(t(f"无法读取文件 {path}：{exc.strerror}", f"cannot read file {path}: {exc.strerror}")) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InvalidInput(t(f"文件 {path} 超过 {MAX_FILE_BYTES // 1_000_000} MB 上限", f"file {path} is larger than the {MAX_FILE_BYTES // 1_000_000} MB limit"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(t(f"文件 {path} 不是 UTF-8 文本（第 {exc.start} 字节）", f"file {path} is not UTF-8 text (byte {exc.start})")) from None
    if path.endswith(".json"):
        import json

        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(t(f"文件 {path} 第 {exc.lineno} 行 JSON 格式错误：{exc.msg}", f"file {path} line {exc.lineno}: invalid JSON: {exc.msg}")) from None
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        where_en = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput(t(f"文件 {path} {where} YAML 格式错误：{problem}", f"file {path}{where_en}: invalid YAML: {problem}")) from None


MAX_FILE_BYTES = 5_000_000


def output_path(path: str, force: bool) -> Path:
    """Where a command may write a file: an existing file is overwritten only with --force."""
    from pathlib import Path

    from workflow.errors import InvalidInput
    from workflow.i18n import t

    target = Path(path)
    try:
        exists, is_dir = target.exists(), target.is_dir()
    except OSError as exc:  # a name too long for the file system, a path through a file...
        raise InvalidInput(t(f"无法使用文件名 {path}：{exc.strerror}", f"cannot use {path} as a file name: {exc.strerror}")) from None
    if is_dir:
        raise InvalidInput(t(f"{path} 是文件夹，请给出文件名", f"{path} is a folder; give a file name"))
    if exists and not force:
        raise InvalidInput(t(f"文件 {path} 已存在：加 --force 覆盖，或换一个文件名", f"{path} exists: use --force to overwrite it, or choose another name"))
    return target


def write_output(path: str, content: bytes, force: bool) -> Path:
    """Write a file a command produces: refuses to overwrite without --force; never leaves half a file."""
    from workflow.files import write_atomic

    return write_atomic(output_path(path, force), content)

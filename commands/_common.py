"""What every command shares: the context object, the global options, output, and the one error conversion.

`kam --help` imports this module and click, nothing else of ours: the database,
the process and the core load when a command asks for them.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from commands._usage import language, prefix
from workflow.errors import InvalidInput, KamError, Refused
from workflow.i18n import t
from workflow.records import acting
from workflow.records.files import write_atomic
from workflow.values.writing import path_text

if TYPE_CHECKING:
    from workflow.records.db import Database
    from workflow.rules.process import Process


# C0 controls except tab/newline, DEL, C1 controls, ESC sequences and the bidirectional overrides and isolates:
# never echo them to a terminal (typed text refuses them, `writing.safe_text`; this covers rows written before).
@functools.cache
def _control() -> re.Pattern[str]:
    # compiled on first use: `kam --help` never needs it
    return re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(value: Any) -> str:
    """User text made safe for a terminal (no escape sequences or control characters)."""
    if value is None:
        return ""
    return _control().sub("", str(value))


def change(label: str, old: Any, new: Any) -> str:
    """One field of an edit as the commands print it: `label: old → new`, with — for a value not set."""

    def shown(value: Any) -> str:
        return "—" if value is None or value == "" else str(value)

    return clean(f"{label}: {shown(old)} → {shown(new)}")


# How a refusal of the acting person's name names the field.
ACTOR = t("操作人 (--actor / KAM_USER)", "actor (--actor / KAM_USER)")


class Kam:
    """The per-invocation context: global options and lazily opened resources."""

    def __init__(
        self, db_url: str | None, actor: str | None, as_json: bool, lang: str, process_path: str | None
    ) -> None:
        self.db_url = db_url
        self._actor = actor  # as asked for (--actor / KAM_USER); `actor` is who acts
        self._resolved: str | None = None
        acting.recording_for(None)
        self.json = as_json
        self.lang = lang
        self.process_path = process_path

    @cached_property
    def db(self) -> Database:
        from workflow.records.db import Database  # SQLAlchemy: only for a command that opens the database

        return Database(self.db_url)

    @property
    def actor(self) -> str:
        """Who is acting: on SQLite (one user's file) --actor / KAM_USER, else the login name.

        On PostgreSQL the server decides (`operations.roster.server_actor`): with an empty
        roster, --actor / KAM_USER or else the database role; once the roster is in use, the
        person whose --login is the connected role, and naming anyone else is refused unless
        that person is an admin, whose rows then say they recorded on the other's behalf.
        Normalized once, here, so every write records the name as people read it (issue 13).
        """
        if self._resolved is None:
            from workflow.values.names import normalize_name  # unicodedata tables: only for a command that acts

            if self.db.is_sqlite:
                actor = self._actor if self._actor is not None else login_name()
            else:
                actor = self._server_actor()
            self._resolved = normalize_name(actor, ACTOR)
        return self._resolved

    @actor.setter
    def actor(self, value: str | None) -> None:
        self._actor = value
        self._resolved = None

    def _server_actor(self) -> str:
        from workflow.operations.roster import server_actor  # the core: only for a command that acts

        role = self.db.role()
        with self.db.connect() as connection:
            actor, recorder = server_actor(connection, role, self._actor)
        acting.recording_for(recorder)
        return actor

    @cached_property
    def process(self) -> Process:
        from workflow.rules.process import load_process  # PyYAML and the forms registry: not for `kam --help`

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
    import getpass  # 1 ms that `kam --help` need not pay

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def dumps(data: Any) -> str:
    """The --json text: two-space indent, UTF-8, times as ISO 8601 (stored UTC with Z), amounts as strings.

    Byte for byte what json.dumps(indent=2, ensure_ascii=False) writes (a test holds it
    to that), but orjson's: the standard encoder's indented mode is pure Python.
    """
    import orjson  # 3-4 ms of start-up: only output with --json (and an error under --json) pays it

    options = (
        orjson.OPT_INDENT_2
        | orjson.OPT_NON_STR_KEYS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_DATACLASS
    )
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
        from commands._complete import attach  # values a Tab completes: kinds, stages, departments, ids

        attach(self)
        self.params.extend(
            [
                click.Option(["--db", "db_url"], metavar="URL", hidden=True),
                click.Option(["--actor"], hidden=True),
                click.Option(["--json", "as_json"], is_flag=True, default=None, hidden=True),
                click.Option(["--lang"], type=click.Choice(["zh", "en"]), hidden=True),
            ]
        )

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # before click converts them: a NUL byte makes click.Path's stat() raise ValueError (an internal error)
        for i, arg in enumerate(args):
            if "\x00" in arg:
                before = args[i - 1] if i and args[i - 1].startswith("-") and "=" not in args[i - 1] else ""
                hint = before or (arg.split("=", 1)[0] if arg.startswith("-") else clean(repr(arg[:80])))
                raise click.BadParameter(
                    "is not valid UTF-8 text (or contains a NUL byte): retype it", ctx=ctx, param_hint=f"'{hint}'"
                )
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        check_arguments(self, ctx)
        kam = ctx.find_object(Kam)
        for name in _GLOBAL:
            value = ctx.params.pop(name, None)
            if kam is not None and value is not None:
                setattr(kam, "json" if name == "as_json" else name, value)
        return super().invoke(ctx)


class KamGroupBase(click.Group):
    """Command groups whose commands accept the global options anywhere."""

    command_class = KamCommand


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
        lang = language()
        if isinstance(param.type, click.types.IntParamType) and isinstance(value, int) and abs(value) > MAX_INT:
            too_big = t(f"{value} 超出范围（最大 {MAX_INT}）", f"{value} is out of range (at most {MAX_INT})")
            raise click.BadParameter(too_big.render(lang), ctx=ctx, param=param)
        for text in value if isinstance(value, tuple | list) else [value]:
            if isinstance(text, str) and _unusable().search(text):
                unusable = t(
                    "不是有效的 UTF-8 文本（或含 NUL 字节）：请重新输入",
                    "is not valid UTF-8 text (or contains a NUL byte): retype it",
                )
                raise click.BadParameter(unusable.render(lang), ctx=ctx, param=param)


def local_time(value: dt.datetime | None) -> str:
    """A stored naive-UTC time shown in the machine's local time zone."""
    if value is None:
        return ""
    return value.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


class KamCommandError(click.ClickException):
    """A domain error at the edge: one `错误：` / `Error:` line, optional detail lines, exit 1."""

    exit_code = 1

    def __init__(self, message: str, details: list[str], payload: dict[str, Any] | None, lang: str = "zh") -> None:
        super().__init__(message)
        self.details = details
        self.payload = payload
        self.lang = lang

    def show(self, file: Any = None) -> None:
        if self.payload is not None:
            click.echo(dumps(self.payload))
        click.echo(f"{prefix(self.lang)}{clean(self.message)}", err=True)
        for line in self.details:
            click.echo(f"  - {clean(line)}", err=True)


def convert(exc: KamError, kam: Kam | None) -> KamCommandError:
    """Turn a `KamError` into the message a user reads (and a JSON error with --json): the one conversion."""
    lang = kam.lang if kam else "zh"
    details = [d.render(lang) for d in exc.details]
    payload: dict[str, Any] | None = None
    if isinstance(exc, Refused):
        details += [
            f"[{m.code}] {m.message.render(lang)}" + (f"  → {m.command}" if m.command else "") for m in exc.missing
        ]
    if kam and kam.json:
        payload = {"error": {"code": exc.code, "message": exc.render(lang), "details": details}}
        if isinstance(exc, Refused):
            payload["missing"] = [m.to_dict(lang) for m in exc.missing]
    return KamCommandError(exc.render(lang), details, payload, lang)


def output_path(path: str, force: bool) -> Path:
    """Where a command may write a file: an existing file is overwritten only with --force."""
    named = path_text(path)  # as a message names it
    target = Path(path)
    try:
        exists, is_dir = target.exists(), target.is_dir()
    except OSError as exc:  # a name too long for the file system, a path through a file...
        raise InvalidInput(
            t(f"无法使用文件名 {named}：{exc.strerror}", f"cannot use {named} as a file name: {exc.strerror}")
        ) from None
    if is_dir:
        raise InvalidInput(t(f"{named} 是文件夹，请给出文件名", f"{named} is a folder; give a file name"))
    folder = next((p for p in target.absolute().parents if os.path.lexists(p)), None)
    if folder is not None and not folder.is_dir():  # `-o exist.pdf/x.pdf`: refused before any work is done
        raise InvalidInput(
            t(
                f"无法写入 {named}：{folder} 是文件，不是文件夹",
                f"cannot write {named}: {folder} is a file, not a folder",
            )
        )
    if exists and not force:
        raise InvalidInput(
            t(
                f"文件 {named} 已存在：加 --force 覆盖，或换一个文件名",
                f"{named} exists: use --force to overwrite it, or choose another name",
            )
        )
    return target


def write_output(path: str, content: bytes, force: bool) -> Path:
    """Write a file a command produces: refuses to overwrite without --force; never leaves half a file."""
    return write_atomic(output_path(path, force), content)

"""The database: where it is, how it is tuned, and transactions that never say "locked".

Configuration is layered (STYLE 7): an explicit URL (`--db`) beats
`KAM_DATABASE_URL`, which beats the default SQLite file in the per-user data
directory. SQLite runs in WAL mode with a busy timeout, and every write
transaction starts with `BEGIN IMMEDIATE` so two writers queue instead of
failing half-way. PostgreSQL works through psycopg 3 (`postgresql+psycopg://`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, NoSuchModuleError

from migrations import HEAD, newer_schema, upgrade
from workflow.errors import DatabaseBusy, DatabaseNotReady, InvalidInput, PermissionDenied
from workflow.i18n import Text, t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

ENV_URL = "KAM_DATABASE_URL"
BUSY_TIMEOUT_MS = 30_000
MMAP_BYTES = 256 * 1024 * 1024


def default_path() -> Path:
    from platformdirs import user_data_dir  # 10 ms: only when neither --db nor KAM_DATABASE_URL names the database

    return Path(user_data_dir("kam", appauthor=False)) / "kam.sqlite3"


def resolve_url(url: str | None = None) -> str:
    """`url`, else KAM_DATABASE_URL, else the per-user SQLite file."""
    chosen = url or os.environ.get(ENV_URL)
    if chosen:
        if "://" not in chosen:  # a plain path means a SQLite file
            return f"sqlite:///{Path(chosen).expanduser().resolve()}"
        return chosen
    return f"sqlite:///{default_path()}"


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def _is_busy(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return (
        "database is locked" in text
        or "database is busy" in text
        or "deadlock detected" in text
        or "could not serialize" in text
    )


def _json_loads(text: str) -> Any:
    """A JSON column read back: orjson (5x faster than the standard parser: the audit reads every history row's
    and document's JSON), else the standard parser for what orjson refuses (NaN) or misreads (an integer past 64 bits).
    The same Python values either way; nothing hashed changes (the hashes are of `hashing.canonical`)."""
    import orjson  # 3-4 ms: only when a JSON column is read

    if _LONG_DIGITS.search(text):  # orjson reads an integer past 64 bits as a float: the standard parser does not
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


_LONG_DIGITS = re.compile(r"\d{19}")


class Database:
    """One database: an engine plus read and write transactions."""

    def __init__(self, url: str | None = None, *, echo: bool = False) -> None:
        self.url = resolve_url(url)
        # Only the per-user default location, or `kam init`, creates missing folders: a mistyped --db path is
        # refused instead of silently becoming a new empty database somewhere (issue 12).
        self.create_folders = not (url or os.environ.get(ENV_URL))
        self._echo = echo
        self._engine: Engine | None = None
        self._checked = False

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._create_engine()
        return self._engine

    @functools.cached_property
    def _write_bind(self) -> Engine:
        """The engine for write transactions: on SQLite its connections begin IMMEDIATE (made once)."""
        return self.engine.execution_options(kam_write=True) if self.is_sqlite else self.engine

    def _create_engine(self) -> Engine:
        try:
            if self.is_sqlite:
                path = self.url.split("///", 1)[1] if "///" in self.url else ""
                if path and path != ":memory:" and not path.startswith("file:"):
                    folder = Path(path).parent
                    if self.create_folders:
                        folder.mkdir(parents=True, exist_ok=True)
                    elif not folder.is_dir():
                        raise DatabaseNotReady(
                            t(
                                f"文件夹 {folder} 不存在，无法打开数据库 {path}：请检查 --db 的路径；"
                                f"要新建数据库，先创建该文件夹，或运行 kam --db {path} init",
                                f"no folder {folder} for the database {path}: check the --db path; to create a new "
                                f"database there, run kam --db {path} init",
                            )
                        )
                engine = create_engine(
                    self.url,
                    echo=self._echo,
                    connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
                    json_deserializer=_json_loads,
                )

                @event.listens_for(engine, "connect")
                def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
                    # Let us issue BEGIN ourselves (pysqlite's implicit BEGIN is DEFERRED).
                    dbapi_conn.isolation_level = None
                    cur = dbapi_conn.cursor()
                    cur.execute("PRAGMA journal_mode=WAL")
                    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                    # NORMAL is durable across application crashes in WAL mode; only an OS crash may lose
                    # the last commit.
                    cur.execute("PRAGMA synchronous=NORMAL")
                    cur.execute("PRAGMA foreign_keys=ON")
                    # Reads through a memory map instead of a read() call per page: reports that visit
                    # thousands of rows of a large file spend far less time in the kernel.
                    cur.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
                    cur.close()

                @event.listens_for(engine, "begin")
                def _on_begin(conn):  # type: ignore[no-untyped-def]
                    conn.exec_driver_sql(
                        "BEGIN IMMEDIATE" if conn.get_execution_options().get("kam_write") else "BEGIN"
                    )
            else:
                engine = create_engine(self.url, echo=self._echo, pool_pre_ping=True)
        except (ArgumentError, NoSuchModuleError) as exc:
            raise InvalidInput(t(f"数据库地址无效：{exc}", f"invalid database URL: {exc}")) from None
        return engine

    # -- schema -----------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Create the schema on first use of an empty database; refuse an outdated one."""
        if self._checked:
            return
        current = self.current_revision()
        if current is None:
            self.upgrade()
        elif newer_schema(current):
            raise DatabaseNotReady(
                t(
                    f"数据库 {display_url(self.url)} 的结构版本为 {current}，比本版 kam 所知的最新版本 {HEAD} 更新："
                    "它由更新版本的 kam 写入；请升级 kam，不要对它运行 kam init",
                    f"database {display_url(self.url)} is at schema {current}, newer than {HEAD}, the newest this kam "
                    "knows: a newer kam wrote it; upgrade kam (do not run kam init on it)",
                )
            )
        elif current != HEAD:
            raise DatabaseNotReady(
                t(
                    f"数据库 {display_url(self.url)} 的结构版本为 {current}，需要 {HEAD}：请运行 kam init 升级",
                    f"database {display_url(self.url)} is at schema {current}, kam needs {HEAD}: run kam init to "
                    "upgrade",
                )
            )
        self._checked = True

    def current_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DatabaseError as exc:
            if _is_busy(exc):
                raise DatabaseBusy(t("数据库正忙，请稍后再试", "the database is busy, try again")) from None
            if "alembic_version" in str(exc) or "no such table" in str(exc):
                return None
            _translate(exc, self.url)
            raise DatabaseNotReady(
                t(
                    f"无法连接数据库 {display_url(self.url)}：{getattr(exc, 'orig', exc)}",
                    f"cannot open database {display_url(self.url)}: {getattr(exc, 'orig', exc)}",
                )
            ) from None

    def upgrade(self) -> tuple[str | None, str]:
        """Create or upgrade the schema to the newest migration; returns (before, after)."""
        before = self.current_revision()
        if before is not None and newer_schema(before):
            self.ensure_schema()  # refuses, naming both versions
        after = upgrade(self.engine)
        self._checked = True
        return before, after

    # -- transactions -------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (a deferred transaction, rolled back at the end)."""
        from sqlalchemy.orm import Session  # the ORM (0.15 s) loads only for a session: the reports read Core

        self.ensure_schema()
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            except Exception as exc:
                self._translate(exc)
                raise

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A read-only Core connection (no ORM: reports over many rows load faster), rolled back at the end."""
        self.ensure_schema()
        with self.engine.connect() as connection:
            try:
                yield connection
            except Exception as exc:
                self._translate(exc)
                raise

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: BEGIN IMMEDIATE on SQLite; all or nothing."""
        from sqlalchemy.orm import Session  # the ORM loads only for a session

        self.ensure_schema()
        with Session(self._write_bind, expire_on_commit=False) as session:
            try:
                with session.begin():
                    yield session
            except Exception as exc:
                self._translate(exc)
                raise

    def _translate(self, exc: Exception) -> None:
        """Map a driver exception, or a value the database holds in the wrong type, into the KamError tree."""
        if isinstance(exc, READ_BACK_ERRORS) and self.is_sqlite:
            with self.engine.connect() as connection:
                found = mistyped(connection)
            if found is not None:
                raise found.refusal(self.url) from None
        _translate(exc, self.url)

    def role(self) -> str:
        """The role the database server authenticated this connection as (PostgreSQL's current_user)."""
        try:
            with self.engine.connect() as conn:
                return str(conn.execute(text("SELECT current_user")).scalar())
        except DBAPIError as exc:
            raise DatabaseNotReady(
                t(
                    f"无法连接数据库 {display_url(self.url)}：{exc.orig}",
                    f"cannot open database {display_url(self.url)}: {exc.orig}",
                )
            ) from None

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


# -- integrity (issue 12) ----------------------------------------------------------------------

#: Over this many bytes `integrity()` runs PRAGMA quick_check instead of integrity_check: the full check also
#: compares every index with its table, which on a large file takes minutes (it reads the whole file several
#: times); quick_check reads each page once and still finds damaged pages, bad records and broken b-trees.
FULL_CHECK_BYTES = 200 * 1024 * 1024
#: At most this many problems are reported (SQLite stops there too): a damaged file can name thousands.
MAX_PROBLEMS = 20


class Integrity(NamedTuple):
    """What the database's own consistency check said: which check ran, and every problem it named.

    `check` is "integrity_check", "quick_check" (SQLite) or "server" (PostgreSQL, whose server checks its own
    pages: kam has nothing to add there, and says so).
    """

    check: str
    ok: bool
    problems: tuple[str, ...]
    bytes: int

    def describe(self) -> Text:
        """One line for the doctor, audit verify and backup: which check ran and what it found."""
        if self.check == "server":
            return t(
                "PostgreSQL 服务器自行校验数据页（kam 不另行检查）",
                "PostgreSQL checks its own pages (kam has no check to add)",
            )
        ran = f"PRAGMA {self.check}"
        quick = self.check == "quick_check"
        why_zh = f"：文件超过 {FULL_CHECK_BYTES >> 20} MB，做快速检查" if quick else ""
        why_en = f", as the file is over {FULL_CHECK_BYTES >> 20} MB" if quick else ""
        if self.ok:
            return t(f"完整性检查通过（{ran}{why_zh}）", f"integrity check passed ({ran}{why_en})")
        first = self.problems[0] if self.problems else "?"
        more_zh = f"等 {len(self.problems)} 处问题" if len(self.problems) > 1 else ""
        more_en = f" and {len(self.problems) - 1} more" if len(self.problems) > 1 else ""
        return t(
            f"完整性检查未通过（{ran}{why_zh}）：{first}{more_zh}",
            f"the integrity check failed ({ran}{why_en}): {first}{more_en}",
        )


def integrity(connection: Connection | sqlite3.Connection, *, full: bool | None = None) -> Integrity:
    """Run SQLite's own consistency check over the whole file (`full`: None chooses by size, see FULL_CHECK_BYTES).

    The one place kam checks a database file's pages: `kam doctor`, `kam audit verify` and `kam backup`
    (over the copy, before it is put in place) all call this. A file with bytes overwritten in its middle
    reads fine until the damaged page is visited; only this check visits every page. A check that cannot even
    read the file (SQLite raises "database disk image is malformed") is a failed check, not an error.
    `connection` is a SQLAlchemy connection, or a DBAPI one to a file kam has not opened as a database (the
    backup's copy, which must stay a single file: no WAL beside it).
    """
    if isinstance(connection, Connection) and connection.dialect.name != "sqlite":
        return Integrity("server", True, (), 0)

    def rows(sql: str) -> list[Any]:
        if isinstance(connection, Connection):
            return list(connection.exec_driver_sql(sql).all())
        return connection.execute(sql).fetchall()

    try:
        size = int(rows("PRAGMA page_count")[0][0] or 0) * int(rows("PRAGMA page_size")[0][0] or 0)
        check = "integrity_check" if (full if full is not None else size <= FULL_CHECK_BYTES) else "quick_check"
        found = rows(f"PRAGMA {check}({MAX_PROBLEMS})")
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        if _is_busy(exc):
            raise DatabaseBusy(t("数据库正忙，请稍后再试", "the database is busy, try again")) from None
        return Integrity("integrity_check", False, (str(getattr(exc, "orig", exc)).strip(),), 0)
    problems = tuple(str(row[0]) for row in found if str(row[0]) != "ok")
    return Integrity(check, not problems, problems, size)


def damaged(found: Integrity, url: str) -> DatabaseNotReady:
    """The refusal for a database whose integrity check failed: what the check said, and what to do."""
    where = display_url(url)
    return DatabaseNotReady(
        t(
            f"数据库 {where} 已损坏：{found.describe().zh}；请从备份恢复"
            "（先用 kam --db 备份文件 audit verify 检查备份），不要继续写入",
            f"the database {where} is damaged: {found.describe().en}; restore it from a backup (check the backup "
            "first with kam --db BACKUP audit verify) and do not write to it",
        ),
        [t(problem, problem) for problem in found.problems] if len(found.problems) > 1 else [],
    )


def as_connection(source: Connection | Session) -> Connection:
    """The Core connection of `source`: the reports take a connection or an ORM session."""
    return source if isinstance(source, Connection) else source.connection()


# -- values of the wrong type (issue 12) --------------------------------------------------------------------

#: What reading back a value of the wrong type raises (SQLAlchemy's result processors, or our code given a text
#: where a number belongs): only on this path does `Database` look for such a value.
READ_BACK_ERRORS = (TypeError, ValueError, ArithmeticError)


class Mistyped(NamedTuple):
    """A stored value that is not of its column's type: SQLite keeps whatever a direct write puts in a column."""

    table: str
    column: str
    row: Any
    value: Any
    expected: Text

    def refusal(self, url: str) -> DatabaseNotReady:
        shown = f"x'{self.value[:30].hex()}'" if isinstance(self.value, bytes) else str(self.value)  # SQL's spelling
        if len(shown) > 60:
            shown = shown[:60] + "…"
        kind = {int: "integer", float: "real", str: "text", bytes: "blob"}.get(type(self.value), "?")  # SQLite's typeof
        where = display_url(url)
        return DatabaseNotReady(
            t(
                f"数据库 {where} 中 {self.table}.{self.column}（第 {self.row} 行）的值 “{shown}”（{kind}）不是"
                f"{self.expected.zh}：它是在 kam 之外写入的；请从备份恢复"
                "（先用 kam --db 备份文件 audit verify 检查备份），不要继续写入",
                f"the database {where} holds “{shown}” ({kind}) in {self.table}.{self.column} (row {self.row}), not "
                f"{self.expected.en}: it was written outside kam; restore it from a backup (check the backup first "
                "with kam --db BACKUP audit verify) and do not write to it",
            )
        )


def _reads_as(column_type: Any) -> tuple[Text, Any] | None:
    """What a column's values must be on SQLite, and a check that raises when one is not (SQLAlchemy's reading)."""
    from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, LargeBinary, Numeric, String

    def is_type(*types: type) -> Any:
        def check(value: Any) -> None:
            if not isinstance(value, types) or isinstance(value, bool):
                raise TypeError(value)

        return check

    def iso(parse: Any) -> Any:
        def check(value: Any) -> None:
            if not isinstance(value, str):
                raise TypeError(value)
            parse(value)

        return check

    if isinstance(column_type, DateTime):
        return t("日期时间", "a date and time"), iso(dt.datetime.fromisoformat)
    if isinstance(column_type, Date):
        return t("日期", "a date"), iso(dt.date.fromisoformat)
    if isinstance(column_type, Boolean):
        return t("布尔值（0 或 1）", "a boolean (0 or 1)"), _boolean
    if isinstance(column_type, Numeric):
        return t("数值", "a number"), is_type(int, float)
    if isinstance(column_type, Integer):
        return t("整数", "an integer"), is_type(int)
    if isinstance(column_type, JSON):
        return t("JSON 文本", "JSON text"), iso(json.loads)
    if isinstance(column_type, LargeBinary):
        return t("二进制内容", "binary content"), is_type(bytes)
    if isinstance(column_type, String):
        return t("文本", "text"), is_type(str)
    return None


def _boolean(value: Any) -> None:
    if value not in (0, 1) or isinstance(value, float):
        raise ValueError(value)


def mistyped(connection: Connection) -> Mistyped | None:
    """The first value in the database that is not of its column's type, or None (SQLite only; a server enforces
    types). It reads every typed column once, so it runs only after reading something back has failed."""
    from workflow.records.tables import metadata

    for table in metadata.sorted_tables:
        names = {row[1] for row in connection.exec_driver_sql(f'PRAGMA table_info("{table.name}")')}
        for column in table.columns:
            reads = _reads_as(column.type)
            if reads is None or column.name not in names:
                continue
            expected, check = reads
            sql = f'SELECT rowid, "{column.name}" FROM "{table.name}" WHERE "{column.name}" IS NOT NULL'
            for row, value in connection.exec_driver_sql(sql):
                try:
                    check(value)
                except (TypeError, ValueError, ArithmeticError):
                    return Mistyped(table.name, column.name, row, value, expected)
    return None


# What SQLite says when the file is not a database it can use, and what to do (issue 12: never "internal error").
_SQLITE_FAULTS = (
    (
        ("file is not a database", "database disk image is malformed", "malformed database schema"),
        "损坏（{orig}）：请从备份恢复（kam --db 备份文件 audit verify 先检查备份）；kam doctor 会做完整性检查",
        "is damaged ({orig}): restore it from a backup (check the backup first with kam --db BACKUP audit verify); "
        "kam doctor runs the integrity check",
    ),
    (
        ("attempt to write a readonly database", "readonly database"),
        "是只读的（{orig}）：请检查文件及其所在文件夹的写权限，或用 --db 指定一个可写的数据库",
        "is read-only ({orig}): check the write permission of the file and its folder, or point --db at a writable "
        "database",
    ),
    (
        ("database or disk is full", "no space left", "could not extend file", "disk full"),
        "所在的磁盘已满（{orig}）：请腾出空间后重试；未写入任何内容",
        "is on a full disk ({orig}): free some space and retry; nothing was written",
    ),
    (
        ("unable to open database file", "disk i/o error"),
        "无法打开或读写（{orig}）：请检查路径、文件夹是否存在及其权限",
        "cannot be opened or read ({orig}): check the path, that its folder exists, and the permissions",
    ),
)


def _translate(exc: Exception, url: str = "") -> None:
    """The one map of driver exceptions into the KamError tree (STYLE 14).

    Lost races are not here: every writer of an opportunity's history locks the
    opportunity first (`queries.lock`) and checks its version, so two writers never
    append the same history row or document version.
    """
    if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) == "42501":  # insufficient_privilege
        raise PermissionDenied(
            t(
                f"数据库拒绝了此操作（{exc.orig}）：当前数据库角色无权修改，请用有写权限的角色连接，或联系数据库管理员",
                f"the database refused this change ({exc.orig}): the role kam connects as may not write; "
                "connect as a manager role or ask the database administrator",
            )
        ) from None
    if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in ("53100", "53200"):  # disk / memory
        raise DatabaseNotReady(
            t(
                f"数据库服务器资源不足（{exc.orig}）：请联系数据库管理员腾出空间后重试；未写入任何内容",
                f"the database server ran out of space ({exc.orig}): ask the database administrator to free some and "
                "retry; nothing was written",
            )
        ) from None
    if isinstance(exc, DatabaseError) and not _is_busy(exc):
        text_ = str(getattr(exc, "orig", exc)).strip()
        lowered = text_.lower()
        where = display_url(url) if url else ""
        for needles, zh, en in _SQLITE_FAULTS:
            if any(needle in lowered for needle in needles):
                raise DatabaseNotReady(
                    t(f"数据库 {where} " + zh.format(orig=text_), f"the database {where} " + en.format(orig=text_))
                ) from None
    if isinstance(exc, DBAPIError) and _is_busy(exc):
        raise DatabaseBusy(
            t(
                "数据库被其他操作长时间占用，请稍后重试",
                "the database stayed busy with other work; try again in a moment",
            )
        ) from None

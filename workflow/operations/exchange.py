"""Everything in one JSON file, and back: `kam export` / `kam import`.

The file is one JSON object:

    {"format": "kam-export", "version": 1, "schema": "<migration revision>", "database_id": "<hex>",
     "tables": {"accounts": [...], "contacts": [...], "opportunities": [...],
                "documents": [...], "renders": [...], "events": [...],
                "signoffs": [...], "followups": [...], "blobs": [...], "attachments": [...],
                "company": [...], "ledger": [...]}}

Each row is every column of the table by its column name, in id order; times
are ISO 8601 with microseconds (naive UTC, as stored), dates ISO, amounts as
decimal strings, file contents (blobs.data) base64. Ids, history sequence numbers, timestamps and hashes are kept,
so the history chain still verifies after an import, and export → import into
an empty database → export gives the same bytes (keys sorted, no export time).

Import goes into an empty database only, in one transaction: every row is
checked (types, document hashes), then the whole database is verified as `kam
audit verify` verifies one (`operations.verify`: the chains, every opportunity's
facts replayed from its history, the ledger of accounts, roster and renders), and
any problem rolls the whole import back, naming it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    Numeric,
    Table,
    UniqueConstraint,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

import forms
from migrations import HEAD, newer_schema
from migrations.facts import baseline
from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.operations import verify
from workflow.operations.derived import rebuild_derived
from workflow.records import blobs, ledger, tables
from workflow.records.files import write_atomic
from workflow.records.hashing import sha256
from workflow.rules import files
from workflow.values.writing import as_written, shown

FORMAT = "kam-export"
VERSION = 1
# In dependency order: a row only refers to rows of tables before it.
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        tables.accounts,
        tables.contacts,
        tables.opportunities,
        tables.documents,
        tables.renders,
        tables.events,
        tables.signoffs,
        tables.followups,
        tables.blobs,
        tables.attachments,
        tables.company,
        tables.users,
        tables.user_keys,
        tables.ledger,
    )
}
# Tables an export of an earlier schema may lack, and the first schema that has them: `ledger` (0005) is
# then started from the imported accounts and contacts as they stand ("baseline"), as the migration does.
SINCE: dict[str, str] = {
    "ledger": "0005", "blobs": "0006", "attachments": "0006", "company": "0006", "users": "0008", "user_keys": "0008",
}  # fmt: skip
# The order rows are read in: by id, or by the key of a table without one.
ORDER: dict[str, str] = {"blobs": "sha256"}
# Columns computed from other rows: left out of the file (so exports of earlier schemas still
# import) and recomputed on import (`operations.derived.rebuild_derived`).
DERIVED: dict[str, set[str]] = {"opportunities": {"last_activity_at", "contract_no", "amending_since", "amount"}}
# Columns an export of an earlier schema may lack, and the first schema that has them (imported as NULL).
COLUMNS_SINCE: dict[str, dict[str, str]] = {
    "contacts": {"removed_at": "0007"},
    "signoffs": dict.fromkeys(
        ("signature", "statement_version", "key_fingerprint", "review_sha256", "contract_no"), "0008"
    ),  # signed sign-offs (issue 13)
}
CHUNK = 1000


# -- export ---------------------------------------------------------------------------------


def _out(value: Any, column_type: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        return value.isoformat(timespec="microseconds")
    if isinstance(column_type, Date):
        return value.isoformat()
    if isinstance(column_type, Numeric):
        return str(value)
    if isinstance(column_type, LargeBinary):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def export_data(session: Session) -> dict[str, Any]:
    """Every row of every table, as plain JSON values."""
    rows_by_table: dict[str, list[dict[str, Any]]] = {}
    for name, table in TABLES.items():
        columns = [c for c in table.columns if c.name not in DERIVED.get(name, ())]
        types = {c.name: c.type for c in columns}
        rows = session.execute(select(*columns).order_by(table.c[ORDER.get(name, "id")])).mappings()
        rows_by_table[name] = [{key: _out(value, types[key]) for key, value in row.items()} for row in rows]
    database_id = ledger.database_id(session.connection())
    return {"format": FORMAT, "version": VERSION, "schema": HEAD, "database_id": database_id, "tables": rows_by_table}


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def export_file(session: Session, path: str) -> dict[str, int]:
    """Write the export to `path` (atomically: a half-written file never replaces a good one); returns row counts."""
    data = export_data(session)
    write_atomic(path, dumps(data).encode("utf-8"))
    return {name: len(rows) for name, rows in data["tables"].items()}


# -- import ---------------------------------------------------------------------------------


def _bad(where: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(
        t(
            f"导入文件有误（{where}）：{zh}；未导入任何数据",
            f"the import file is not valid ({where}): {en}; nothing was imported",
        )
    )


def _in(value: Any, column: Any, where: str) -> Any:
    if value is None:
        if not column.nullable:
            raise _bad(where, "不能为空", "must not be null")
        return None
    kind = column.type
    try:
        if isinstance(kind, DateTime):
            return dt.datetime.fromisoformat(value)
        if isinstance(kind, Date):
            return dt.date.fromisoformat(value)
        if isinstance(kind, Numeric):
            return _amount(value, kind, where)
        if isinstance(kind, Boolean):
            if not isinstance(value, bool):
                raise TypeError
            return value
        if isinstance(kind, Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError
            if abs(value) > MAX_INT:  # PostgreSQL's INTEGER: SQLite would store it, PostgreSQL refuse it
                raise _bad(where, f"整数 {value} 超出范围（至多 {MAX_INT}）", f"the integer {value} is out of range")
            return value
        if isinstance(kind, JSON):
            return value
        if isinstance(kind, LargeBinary):
            if not isinstance(value, str):
                raise TypeError
            return base64.b64decode(value, validate=True)
        if not isinstance(value, str):
            raise TypeError
        return _text(value, kind, where)
    except (TypeError, ValueError, InvalidOperation, binascii.Error):
        written = shown(json.dumps(value, ensure_ascii=False, default=str))  # as the file writes it, never a repr
        zh, en = _expected(kind)
        raise _bad(where, f"取值「{written}」类型不符（应为{zh}）", f"value “{written}” is not {en}") from None


def _expected(kind: Any) -> tuple[str, str]:
    """What a column holds, in words (`Integer` → 整数, an integer)."""
    for sql, words in (
        (DateTime, ("时间，如 2026-12-01T10:00:00", "a time like 2026-12-01T10:00:00")),
        (Date, ("日期，如 2026-12-01", "a date like 2026-12-01")),
        (Numeric, ("金额", "an amount")),
        (Boolean, (" true 或 false", "true or false")),
        (Integer, ("整数", "an integer")),
        (LargeBinary, (" base64 文本", "base64 text")),
    ):
        if isinstance(kind, sql):
            return words
    return "文本", "text"


MAX_INT = 2_147_483_647


def _amount(value: Any, kind: Numeric, where: str) -> Decimal:
    """A decimal column's value as PostgreSQL's NUMERIC(p, s) would hold it: finite, at most s decimals, < 10^(p-s)."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise TypeError
    amount = Decimal(value)
    scale = kind.scale or 0
    if not amount.is_finite() or (kind.precision and abs(amount) >= Decimal(10) ** (kind.precision - scale)):
        raise _bad(
            where,
            f"金额「{as_written(value)}」不是有限的数或超出范围",
            f"the amount “{as_written(value)}” is not finite or out of range",
        )
    if amount != amount.quantize(Decimal(1).scaleb(-scale)):
        raise _bad(
            where,
            f"金额「{as_written(value)}」超过 {scale} 位小数",
            f"the amount “{as_written(value)}” has more than {scale} decimals",
        )
    return amount


def _text(value: str, kind: Any, where: str) -> str:
    """A text column's value as both databases hold it: no NUL (PostgreSQL refuses it), within the column's length."""
    if "\x00" in value:
        raise _bad(where, "文本含 NUL 字符", "the text holds a NUL character")
    length = getattr(kind, "length", None)
    if length and len(value) > length:
        raise _bad(where, f"文本超过 {length} 个字符", f"the text is longer than {length} characters")
    return value


# Columns that hold an identifier kam builds names or looks things up with: checked at this way in (issue 12).
IDENTIFIERS: dict[str, tuple[str, ...]] = {
    "opportunities": ("stage", "lost_from"),
    "events": ("trigger", "from_stage", "to_stage"),
    "signoffs": ("department",),
    "followups": ("kind",),
}
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")


def _check_identifiers(parsed: dict[str, list[dict[str, Any]]]) -> None:
    """Document kinds are known kinds; stage, trigger and department ids have the shape of an id, never a path."""
    for i, row in enumerate(parsed["documents"], 1):
        try:
            forms.check_kind(row["kind"])
        except InvalidInput as exc:
            raise _bad(f"documents[{i}].kind", exc.message.zh, exc.message.en) from None
    for name, columns in IDENTIFIERS.items():
        for i, row in enumerate(parsed.get(name, []), 1):
            for column in columns:
                value = row[column]
                if value is not None and not _IDENTIFIER.fullmatch(value):
                    raise _bad(
                        f"{name}[{i}].{column}",
                        f"「{as_written(value[:60])}」不是有效的标识（字母开头，仅含字母、数字、- 和 _）",
                        f"“{as_written(value[:60])}” is not an identifier (a letter, then letters, digits, - and _)",
                    )


def _key(name: str, row: dict[str, Any]) -> Any:
    return row[ORDER[name]] if name in ORDER else row["id"]


def _unique_columns(table: Table) -> list[tuple[str, ...]]:
    """The column sets `table` keeps unique (constraints and unique indexes), its primary key left to the ids' check."""
    found = [tuple(c.name for c in u.columns) for u in table.constraints if isinstance(u, UniqueConstraint)]
    found += [tuple(c.name for c in index.columns) for index in table.indexes if index.unique]
    found += [(c.name,) for c in table.columns if c.unique]
    return list(dict.fromkeys(columns for columns in found if columns))


def _check_references(parsed: dict[str, list[dict[str, Any]]]) -> None:
    """No two rows of a table share a key, and every reference names a row of the file: refused before inserting."""
    keys: dict[str, set[Any]] = {}
    for name, rows in parsed.items():
        seen: set[Any] = set()
        for i, row in enumerate(rows, 1):
            key = _key(name, row)
            if key in seen:
                raise _bad(
                    f"{name}[{i}]", f"编号「{as_written(key)}」重复", f"the id “{as_written(key)}” appears twice"
                )
            seen.add(key)
        keys[name] = seen
    for name, rows in parsed.items():  # and every other set of columns the database keeps unique
        for columns in _unique_columns(TABLES[name]):
            together: set[tuple[Any, ...]] = set()
            for i, row in enumerate(rows, 1):
                values = tuple(row.get(column) for column in columns)
                if None in values:
                    continue  # NULLs are distinct to SQLite and PostgreSQL alike
                if values in together:
                    shown_columns = ", ".join(columns)
                    written = as_written(list(values) if len(values) > 1 else values[0])
                    raise _bad(
                        f"{name}[{i}]",
                        f"{shown_columns} 为「{written}」的行重复（数据库中须唯一）",
                        f"a second row with {shown_columns} “{written}” (the database keeps them unique)",
                    )
                together.add(values)
    for name, rows in parsed.items():
        for fk in TABLES[name].foreign_keys:
            target, column = fk.column.table.name, fk.parent.name
            if target not in keys:
                continue
            for i, row in enumerate(rows, 1):
                value = row[column]
                if value is not None and value not in keys[target]:
                    raise _bad(
                        f"{name}[{i}].{column}",
                        f"引用的 {target}「{as_written(value)}」在文件中不存在",
                        f"refers to {target} “{as_written(value)}”, which the file does not hold",
                    )


def _rows(name: str, table: Table, raw: Any, schema: str = "") -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise _bad(name, "应为列表", "must be a list")
    later = {column for column, since in COLUMNS_SINCE.get(name, {}).items() if schema < since}  # may be missing
    columns = {c.name: c for c in table.columns if c.name not in DERIVED.get(name, ())}
    out = []
    for i, row in enumerate(raw, 1):
        where = f"{name}[{i}]"
        if not isinstance(row, dict):
            raise _bad(where, "应为对象", "must be an object")
        unknown = sorted(set(row) - set(columns))
        missing = sorted(set(columns) - set(row) - later)
        if unknown or missing:
            zh = "，".join(
                [f"未知列 {', '.join(unknown)}"] * bool(unknown) + [f"缺少列 {', '.join(missing)}"] * bool(missing)
            )
            en = "; ".join(
                [f"unknown columns {', '.join(unknown)}"] * bool(unknown)
                + [f"missing columns {', '.join(missing)}"] * bool(missing)
            )
            raise _bad(where, zh, en)
        out.append({key: _in(row.get(key), column, f"{where}.{key}") for key, column in columns.items()})
    return out


def load_file(path: str) -> dict[str, Any]:
    """The export at `path`, read through the bounded reader: its size, nesting, node count and duplicate keys."""
    from forms.reading import IMPORT, load_json, read_text

    data: dict[str, Any] = load_json(read_text(path, IMPORT.max_bytes), path, limits=IMPORT)
    return data


def _check_files(parsed: dict[str, list[dict[str, Any]]]) -> None:
    """Stored files hash to their keys; attachments name a known kind and carry a plain file name."""
    for i, blob in enumerate(parsed.get("blobs", []), 1):
        if blobs.digest(blob["data"]) != blob["sha256"] or blob["size"] != len(blob["data"]):
            raise _bad(f"blobs[{i}]", "文件内容与其 sha256 不符", "the file's content does not match its sha256")
    for i, row in enumerate(parsed.get("attachments", []), 1):
        where = f"attachments[{i}]"
        try:
            files.check_name(row["name"], f"{where}.name")
            if row["kind"] is not None:
                forms.check_kind(row["kind"])
        except InvalidInput as exc:
            raise _bad(where, exc.message.zh, exc.message.en) from None


def _verify(connection: Connection) -> None:
    """The import holds up as `kam audit verify` would check it in a database, or it is refused naming what does not.

    The same verification (`operations.verify.audit`): an export whose owner, quantity, title or budget,
    account name or render hash was changed is refused, with the audit's own line for the first problem.
    """
    result = verify.audit(connection)
    problems = [
        *(b.message() for b in result.breaks),
        *(b.message() for b in result.ledger_breaks),
        *(i.message for i in result.signature_issues),
    ]
    if problems:
        more_zh = f"（另有 {len(problems) - 1} 处）" if len(problems) > 1 else ""
        more_en = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InvalidInput(
            t(
                f"导入文件与其历史记录不符：{problems[0].zh}{more_zh}；未导入任何数据",
                f"the import file does not hold up against its own history: {problems[0].en}{more_en}; nothing was "
                "imported",
            )
        )


def import_data(session: Session, data: Any) -> dict[str, int]:
    """Load an export into this (empty) database in the caller's transaction; returns row counts."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput(
            t(
                '这不是 kam export 导出的文件（缺少 "format": "kam-export"）',
                'this is not a file written by kam export (no "format": "kam-export")',
            )
        )
    if data.get("version") != VERSION:
        written = as_written(data.get("version"))
        raise InvalidInput(
            t(
                f"导出格式版本「{written}」不受支持（本版 kam 读取版本 {VERSION}）",
                f"export format version “{written}” is not supported (this kam reads version {VERSION})",
            )
        )
    given = data.get("tables")
    schema = str(data.get("schema") or "")
    if newer_schema(schema):
        raise InvalidInput(
            t(
                f"导出文件的结构版本为「{as_written(schema)}」，本版 kam 只认识 0001 到 {HEAD}："
                "它由更新版本的 kam 导出（或被改动过），请用同一版本或更新版本的 kam 导入",
                f"the export is of schema “{as_written(schema)}”, and this kam knows 0001 to {HEAD}: a newer kam "
                "wrote it (or it "
                "was altered); import it with that kam or a newer one",
            )
        )
    expected = [name for name in TABLES if name not in SINCE or schema >= SINCE[name]]
    if not isinstance(given, dict) or sorted(given) != sorted(expected):
        raise InvalidInput(
            t(
                f"导出文件的 tables 应包含：{', '.join(expected)}",
                f"the export's tables must be exactly: {', '.join(expected)}",
            )
        )
    occupied = [
        name for name, table in TABLES.items() if session.execute(select(func.count()).select_from(table)).scalar()
    ]
    if occupied:
        raise InvalidInput(
            t(
                f"只能导入到空数据库，而当前数据库已有数据（{', '.join(occupied)}）：请用 --db 指定一个新的数据库文件",
                f"import only goes into an empty database, and this one has data ({', '.join(occupied)}): "
                "point --db at a new database file",
            )
        )
    parsed = {name: _rows(name, TABLES[name], given[name], schema) for name in expected}
    for i, doc in enumerate(parsed["documents"], 1):
        if sha256(doc["data"]) != doc["sha256"]:
            raise _bad(f"documents[{i}]", "文档内容与其 sha256 不符", "the document's data does not match its sha256")
    _check_files(parsed)
    _check_identifiers(parsed)
    _check_references(parsed)
    for name, rows in parsed.items():
        table = TABLES[name]
        for start in range(0, len(rows), CHUNK):
            session.execute(table.insert(), rows[start : start + CHUNK])
    session.flush()
    connection = session.connection()
    if "ledger" not in parsed:  # an export of an earlier schema: the accounts' chains start here
        for entity, table in (("account", tables.accounts), ("contact", tables.contacts)):
            ledger.record_new(connection, entity, connection.execute(select(table).order_by(table.c.id)).all(),
                              actor="kam", action="baseline")  # fmt: skip
    if isinstance(data.get("database_id"), str) and data["database_id"]:  # the same database, moved
        connection.execute(
            update(tables.meta).where(tables.meta.c.key == "database_id").values(value=data["database_id"][:64])
        )
    if schema < "0010":  # an export of an earlier schema: its baseline rows, as migration 0010 writes them
        baseline(connection, why="import")
    rebuild_derived(connection)  # last activity and follow-up plans, from the rows just loaded
    _verify(connection)
    if session.get_bind().dialect.name == "postgresql":
        # Rows came with their ids: move each id sequence past them so new rows do not collide.
        for name in TABLES:
            if name in ORDER:  # no id column, no sequence
                continue
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
                    f"FROM {name}"
                )
            )
    return {name: len(rows) for name, rows in parsed.items()}

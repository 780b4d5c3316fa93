"""Accounts in bulk from a spreadsheet (CSV or XLSX).

The first row names the columns, in English keys or Chinese labels (see
`COLUMNS`); values may be the English codes, their Chinese or English labels,
or the short forms people write (政府, 企业, A类: `forms.choices`). Every row is
checked before anything is written; a file with any
bad row writes nothing unless `skip_invalid` is set, in which case the good rows
are imported and the bad ones listed. Row numbers are the spreadsheet's (the
header is row 1).

Freshness (seed 000, `views.accounts.stale_accounts`) is the other half of `kam account`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from forms.choices import ACCOUNT_CLASS, ACCOUNT_SIZE, ACCOUNT_TYPE, MARKET, Choice
from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.records import ledger, tables
from workflow.records.models import Account, utcnow

MAX_ROWS = 200_000

# key -> accepted headers (case-insensitive), required?, max length
COLUMNS: dict[str, tuple[tuple[str, ...], bool, int]] = {
    "name": (("name", "名称", "客户名称", "客户"), True, 200),
    "type": (("type", "性质", "客户性质", "客户类型"), True, 20),
    "class": (("class", "分类", "客户分类", "客户等级"), True, 1),
    "industry": (("industry", "行业"), True, 100),
    "fleet_size": (("fleet_size", "fleet size", "fleet-size", "保有量", "车辆保有量"), True, 0),
    "size": (("size", "规模", "企业规模"), False, 10),
    "market": (("market", "市场"), False, 20),
    "region": (("region", "区域", "地区"), False, 100),
    "main_brands": (("main_brands", "main brands", "主要品牌"), False, 200),
    "address": (("address", "地址"), False, 300),
}
CHOICES: dict[str, Choice] = {"type": ACCOUNT_TYPE, "class": ACCOUNT_CLASS, "size": ACCOUNT_SIZE, "market": MARKET}


@dataclass(frozen=True)
class RowError:
    row: int
    message: Text

    def render(self, lang: str = "zh") -> str:
        return self.message.render(lang)


@dataclass
class ImportResult:
    rows: int
    imported: int
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "skipped": len(self.errors),
            "dry_run": self.dry_run,
            "errors": [{"row": e.row, "message": e.render(lang)} for e in self.errors],
        }


# -- reading ----------------------------------------------------------------------------


def read_rows(path: str) -> list[tuple[int, list[Any]]]:
    """The spreadsheet's rows as (row number, cells), header first; blank rows dropped."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput(
            t(f"不支持的文件类型 {path}：请用 .csv 或 .xlsx", f"unsupported file {path}: use a .csv or .xlsx file")
        )
    try:
        rows = _read_xlsx(path) if suffix == ".xlsx" else _read_csv(path)
    except OSError as exc:
        raise InvalidInput(
            t(f"无法读取文件 {path}：{exc.strerror}", f"cannot read file {path}: {exc.strerror}")
        ) from None
    numbered = [(i, row) for i, row in enumerate(rows, 1) if any(c not in (None, "") and str(c).strip() for c in row)]
    if len(numbered) > MAX_ROWS + 1:
        raise InvalidInput(t(f"文件 {path} 超过 {MAX_ROWS} 行上限", f"file {path} has more than {MAX_ROWS} rows"))
    return numbered


def _read_csv(path: str) -> list[list[Any]]:
    raw = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GB18030/GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise InvalidInput(t(f"文件 {path} 不是 UTF-8 或 GBK 文本", f"file {path} is neither UTF-8 nor GBK text"))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _read_xlsx(path: str) -> list[list[Any]]:
    import openpyxl  # 0.2 s: only an .xlsx file pays it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError) as exc:
        raise InvalidInput(
            t(f"文件 {path} 不是有效的 xlsx 工作簿：{exc}", f"file {path} is not a valid xlsx workbook: {exc}")
        ) from None
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


# -- checking ------------------------------------------------------------------------------


def _header(cells: list[Any], path: str) -> dict[str, int]:
    lookup = {alias.lower(): key for key, (aliases, _, _) in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    unknown = []
    for i, cell in enumerate(cells):
        name = str(cell or "").strip()
        if not name:
            continue
        key = lookup.get(name.lower())
        if key is None:
            unknown.append(name)
        elif key not in positions:
            positions[key] = i
    missing = [k for k, (_, required, _) in COLUMNS.items() if required and k not in positions]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(t(f"缺少列：{', '.join(missing)}", f"missing columns: {', '.join(missing)}"))
        if unknown:
            problems.append(t(f"无法识别的列：{', '.join(unknown)}", f"unknown columns: {', '.join(unknown)}"))
        raise InvalidInput(
            t(
                f"文件 {path} 的表头（第 1 行）有误；可用列：{', '.join(COLUMNS)}",
                f"the header (row 1) of {path} is wrong; columns are: {', '.join(COLUMNS)}",
            ),
            problems,
        )
    return positions


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _check_row(number: int, values: dict[str, str | None]) -> tuple[dict[str, Any] | None, list[RowError]]:
    errors: list[RowError] = []
    out: dict[str, Any] = {}
    for key, (_, required, limit) in COLUMNS.items():
        value = values.get(key)
        if value is None:
            if required:
                errors.append(
                    RowError(number, t(f"第 {number} 行：{key} 不能为空", f"row {number}: {key} is required"))
                )
            out[key] = None
            continue
        if key == "fleet_size":
            try:
                size = int(value)
                if size < 0:
                    raise ValueError
                out[key] = size
            except ValueError:
                errors.append(
                    RowError(
                        number,
                        t(
                            f"第 {number} 行：fleet_size 须为非负整数，收到 {value!r}",
                            f"row {number}: fleet_size must be a whole number >= 0, got {value!r}",
                        ),
                    )
                )
            continue
        if key in CHOICES:
            code = CHOICES[key].key(value)  # the key, its Chinese or English label, or a short form (政府, A类)
            if code is None:
                refusal = CHOICES[key].refusal(value, key).message
                errors.append(RowError(number, t(f"第 {number} 行：{refusal.zh}", f"row {number}: {refusal.en}")))
            out[key] = code
            continue
        if len(value) > limit:
            errors.append(
                RowError(
                    number,
                    t(
                        f"第 {number} 行：{key} 过长（最多 {limit} 字）",
                        f"row {number}: {key} is too long (at most {limit} characters)",
                    ),
                )
            )
        out[key] = value
    return (None if errors else out), errors


def import_accounts(
    session: Session, path: str, *, actor: str, dry_run: bool = False, skip_invalid: bool = False
) -> ImportResult:
    """Check every row of `path`, then add the accounts in one bulk insert (or nothing; see the module docstring)."""
    rows = read_rows(path)
    if not rows:
        raise InvalidInput(t(f"文件 {path} 是空的：第 1 行应为表头", f"file {path} is empty: row 1 must be the header"))
    positions = _header(rows[0][1], path)
    good: list[dict[str, Any]] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, cells in rows[1:]:
        values = {key: _cell(cells[i]) if i < len(cells) else None for key, i in positions.items()}
        checked, row_errors = _check_row(number, values)
        name = values.get("name")
        if name and name in seen:
            row_errors.append(
                RowError(
                    number,
                    t(
                        f"第 {number} 行：客户 {name!r} 与第 {seen[name]} 行重复",
                        f"row {number}: account {name!r} repeats row {seen[name]}",
                    ),
                )
            )
            checked = None
        elif name:
            seen[name] = number
        errors += row_errors
        if checked is not None:
            checked["_row"] = number
            good.append(checked)
    existing = _existing_names(session, [g["name"] for g in good])
    for g in list(good):
        if g["name"] in existing:
            errors.append(
                RowError(
                    g["_row"],
                    t(
                        f"第 {g['_row']} 行：客户 {g['name']!r} 已存在（编号 {existing[g['name']]}）",
                        f"row {g['_row']}: account {g['name']!r} already exists (id {existing[g['name']]})",
                    ),
                )
            )
            good.remove(g)
    errors.sort(key=lambda e: e.row)
    result = ImportResult(rows=len(rows) - 1, imported=0, errors=errors, dry_run=dry_run)
    if errors and not skip_invalid:
        raise InvalidInput(
            t(
                f"{path}：{len(errors)} 处问题，未导入任何客户（修正后重试，或用 --skip-invalid 只导入正确的行）：",
                f"{path}: {len(errors)} problem(s); no account was imported (fix them, or use --skip-invalid to import "
                "the good rows):",
            ),
            [e.message for e in errors],
        )
    if dry_run:
        result.imported = len(good)  # what would be imported
        return result
    if not good:
        return result
    now = utcnow()
    records = [
        {
            "name": g["name"],
            "type": g["type"],
            "account_class": g["class"],
            "industry": g["industry"],
            "fleet_size": g["fleet_size"],
            "size": g["size"],
            "market": g["market"],
            "region": g["region"],
            "main_brands": g["main_brands"],
            "address": g["address"],
            "reviewed_at": now,
            "created_by": actor,
            "created_at": now,
            "updated_at": now,
        }
        for g in good
    ]
    session.execute(insert(Account), records)
    # each new account starts its ledger chain with the row as imported (one INSERT for all of them)
    connection, table = session.connection(), tables.accounts
    names = [g["name"] for g in good]
    created = [
        row
        for start in range(0, len(names), 500)
        for row in connection.execute(select(table).where(table.c.name.in_(names[start : start + 500])))
    ]
    ledger.record_new(connection, "account", created, actor=actor, action="import")
    result.imported = len(records)
    return result


def _existing_names(session: Session, names: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(names), 500):  # stays under every driver's parameter limit
        chunk = names[start : start + 500]
        found.update(
            {name: i for i, name in session.execute(select(Account.id, Account.name).where(Account.name.in_(chunk)))}
        )
    return found

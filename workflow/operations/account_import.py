"""Accounts in bulk from a spreadsheet (CSV or XLSX), with their contacts.

The first row names the columns, in English keys or Chinese labels (see
`COLUMNS`); values may be the English codes, their Chinese or English labels,
or the short forms people write (政府, 企业, A类: `forms.choices`). Every row is
checked before anything is written; a file with any bad row writes nothing unless
`skip_invalid` is set, in which case the good rows are imported and the bad ones
listed. Row numbers are the spreadsheet's (the header is row 1).

Contacts (issue 16): the columns 联系人, 部门, 职务, 电话, 角色, 影响力, 态度
(`CONTACT_COLUMNS`) give a row's account a contact. Several rows for one account
add several contacts: the first row names the account in full, the later ones
repeat its name (their other account cells left blank, or written the same).
Contacts are checked with the rows and written with their accounts, each in the
account's ledger chain (`kam audit verify` sees an edit).

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

from forms.choices import ACCOUNT_CLASS, ACCOUNT_SIZE, ACCOUNT_TYPE, LEVEL, MARKET, STANCE, Choice
from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.records import ledger, tables
from workflow.records.models import Account, Contact, utcnow
from workflow.values.writing import as_written, path_text

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
# key -> accepted headers (case-insensitive), max length (0: one of the enum's values); as `kam contact add` takes them
CONTACT_COLUMNS: dict[str, tuple[tuple[str, ...], int]] = {
    "contact": (("contact", "contact_name", "contact name", "联系人", "联系人姓名"), 100),
    "department": (("department", "部门"), 100),
    "title": (("title", "职务", "职位"), 100),
    "phone": (("phone", "电话", "联系电话", "手机"), 50),
    "role": (("role", "角色"), 200),
    "influence": (("influence", "影响力"), 0),
    "stance": (("stance", "态度"), 0),
}
CONTACT_CHOICES: dict[str, Choice] = {"influence": LEVEL, "stance": STANCE}


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
    # the contacts imported (or, with dry_run, that would be): row, account and the contact's fields
    contacts: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "skipped": len(self.errors),
            "dry_run": self.dry_run,
            "errors": [{"row": e.row, "message": e.render(lang)} for e in self.errors],
            "contacts": self.contacts,
        }


# -- reading ----------------------------------------------------------------------------


def read_rows(path: str) -> list[tuple[int, list[Any]]]:
    """The spreadsheet's rows as (row number, cells), header first; blank rows dropped."""
    named = path_text(path)  # as a message names it
    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput(
            t(f"不支持的文件类型 {named}：请用 .csv 或 .xlsx", f"unsupported file {named}: use a .csv or .xlsx file")
        )
    try:
        rows = _read_xlsx(path) if suffix == ".xlsx" else _read_csv(path)
    except OSError as exc:
        raise InvalidInput(
            t(f"无法读取文件 {named}：{exc.strerror}", f"cannot read file {named}: {exc.strerror}")
        ) from None
    numbered = [(i, row) for i, row in enumerate(rows, 1) if any(c not in (None, "") and str(c).strip() for c in row)]
    if len(numbered) > MAX_ROWS + 1:
        raise InvalidInput(t(f"文件 {named} 超过 {MAX_ROWS} 行上限", f"file {named} has more than {MAX_ROWS} rows"))
    return numbered


# A CSV of MAX_ROWS accounts of a few hundred characters each: a larger file is refused from its size, unread.
MAX_CSV_BYTES = 64 * 1024 * 1024


def _read_csv(path: str) -> list[list[Any]]:
    named = path_text(path)  # as a message names it
    from forms.reading import read_bytes  # bounded: refused past the limit without reading further (issue 12)

    raw = read_bytes(path, MAX_CSV_BYTES)
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GB18030/GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise InvalidInput(t(f"文件 {named} 不是 UTF-8 或 GBK 文本", f"file {named} is neither UTF-8 nor GBK text"))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Any]] = []
    for row in csv.reader(io.StringIO(text), dialect):  # stops at the row limit, not at the end of the file
        rows.append(row)
        if len(rows) > MAX_ROWS + 1:
            break
    return rows


def _read_xlsx(path: str) -> list[list[Any]]:
    named = path_text(path)  # as a message names it
    import openpyxl  # 0.2 s: only an .xlsx file pays it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError) as exc:
        raise InvalidInput(
            t(f"文件 {named} 不是有效的 xlsx 工作簿：{exc}", f"file {named} is not a valid xlsx workbook: {exc}")
        ) from None
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


# -- checking ------------------------------------------------------------------------------


def _header(cells: list[Any], path: str) -> dict[str, int]:
    named = path_text(path)  # as a message names it
    lookup = {alias.lower(): key for key, (aliases, _, _) in COLUMNS.items() for alias in aliases}
    lookup |= {alias.lower(): key for key, (aliases, _) in CONTACT_COLUMNS.items() for alias in aliases}
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
        everything = ", ".join([*COLUMNS, *CONTACT_COLUMNS])
        raise InvalidInput(
            t(
                f"文件 {named} 的表头（第 1 行）有误；可用列：{everything}",
                f"the header (row 1) of {named} is wrong; columns are: {everything}",
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
                            f"第 {number} 行：fleet_size 须为非负整数，收到「{as_written(value)}」",
                            f"row {number}: fleet_size must be a whole number >= 0, got “{as_written(value)}”",
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


def _check_contact(number: int, values: dict[str, str | None]) -> tuple[dict[str, Any] | None, list[RowError]]:
    """The row's contact (None if its contact cells are all blank), and what is wrong with it."""
    given = {key: values.get(key) for key in CONTACT_COLUMNS if values.get(key) is not None}
    if not given:
        return None, []
    errors: list[RowError] = []
    if "contact" not in given:
        named = ", ".join(given)
        errors.append(
            RowError(
                number,
                t(
                    f"第 {number} 行：填了联系人信息（{named}）却没有联系人姓名：请填写 contact（联系人）列",
                    f"row {number}: contact details ({named}) without a contact name: "
                    "fill in the contact (联系人) column",
                ),
            )
        )
    out: dict[str, Any] = {}
    for key, (_, limit) in CONTACT_COLUMNS.items():
        value = given.get(key)
        if value is None:
            out[key] = None
        elif key in CONTACT_CHOICES:
            out[key] = CONTACT_CHOICES[key].key(value)  # 高, 支持者 or the key
            if out[key] is None:
                refusal = CONTACT_CHOICES[key].refusal(value, key).message
                errors.append(RowError(number, t(f"第 {number} 行：{refusal.zh}", f"row {number}: {refusal.en}")))
        elif len(value) > limit:
            errors.append(
                RowError(
                    number,
                    t(
                        f"第 {number} 行：{key} 过长（最多 {limit} 字）",
                        f"row {number}: {key} is too long (at most {limit} characters)",
                    ),
                )
            )
        else:
            out[key] = value
    return (None if errors else out), errors


def _repeat(
    number: int, name: str, first: int, values: dict[str, str | None], earlier: dict[str, str | None]
) -> list[RowError]:
    """Why a further row of an account cannot add its contact: no contact, or account cells that disagree."""
    if not any(values.get(key) is not None for key in CONTACT_COLUMNS):
        return [
            RowError(
                number,
                t(
                    f"第 {number} 行：客户「{as_written(name)}」与第 {first} 行重复"
                    "（要为它再加联系人，请填写联系人列）",
                    f"row {number}: account “{as_written(name)}” repeats row {first} (to give it another contact, "
                    "fill in the contact columns)",
                ),
            )
        ]
    return [
        RowError(
            number,
            t(
                f"第 {number} 行：客户「{as_written(name)}」的 {key}「{values[key]}」"
                f"与第 {first} 行的「{earlier.get(key) or ''}」"
                "不同：后续行只加联系人，客户信息请留空或与第一行相同",
                f'row {number}: the {key} of account “{as_written(name)}” ("{values[key]}") differs from row {first} '
                f'("{earlier.get(key) or ""}"): a further row only adds a contact; leave the account cells blank '
                "or write them as on the first row",
            ),
        )
        for key in COLUMNS
        if key != "name" and values.get(key) is not None and values.get(key) != earlier.get(key)
    ]


def import_accounts(
    session: Session, path: str, *, actor: str, dry_run: bool = False, skip_invalid: bool = False
) -> ImportResult:
    """Check every row of `path`, then add the accounts in one bulk insert (or nothing; see the module docstring)."""
    named = path_text(path)  # as a message names it
    rows = read_rows(path)
    if not rows:
        raise InvalidInput(
            t(
                f"文件 {named} 是空的：第 1 行应为表头",
                f"file {named} is empty: row 1 must be the header",
            )
        )
    positions = _header(rows[0][1], path)
    good: list[dict[str, Any]] = []
    errors: list[RowError] = []
    seen: dict[str, tuple[int, dict[str, str | None]]] = {}  # account name -> its first row and cells
    contacts: list[dict[str, Any]] = []  # each with its row and its account's name
    for number, cells in rows[1:]:
        values = {key: _cell(cells[i]) if i < len(cells) else None for key, i in positions.items()}
        name = values.get("name")
        contact, contact_errors = _check_contact(number, values)
        if name and name in seen:  # a further row of an account: it adds a contact
            first, earlier = seen[name]
            row_errors = _repeat(number, name, first, values, earlier) + contact_errors
            errors += row_errors
            if contact is not None and not row_errors:
                contacts.append({"row": number, "account": name, **contact})
            continue
        checked, row_errors = _check_row(number, values)
        if name:
            seen[name] = (number, values)
        errors += row_errors + contact_errors
        if checked is not None and not contact_errors:
            checked["_row"] = number
            good.append(checked)
            if contact is not None:
                contacts.append({"row": number, "account": name, **contact})
    existing = _existing_names(session, [g["name"] for g in good])
    for g in list(good):
        if g["name"] in existing:
            errors.append(
                RowError(
                    g["_row"],
                    t(
                        f"第 {g['_row']} 行：客户「{as_written(g['name'])}」已存在（编号 {existing[g['name']]}）",
                        f"row {g['_row']}: account “{as_written(g['name'])}” already exists (id {existing[g['name']]})",
                    ),
                )
            )
            good.remove(g)
    imported = {g["name"]: g["_row"] for g in good}
    for c in list(contacts):
        if c["account"] not in imported:  # its account's row has a problem: the contact goes with it
            first = seen[c["account"]][0]
            if c["row"] != first:
                errors.append(
                    RowError(
                        c["row"],
                        t(
                            f"第 {c['row']} 行：联系人「{as_written(c['contact'])}」未导入："
                            f"其客户（第 {first} 行）有问题",
                            f"row {c['row']}: contact “{as_written(c['contact'])}” not imported: its account (row "
                            f"{first}) has a problem",
                        ),
                    )
                )
            contacts.remove(c)
    errors.sort(key=lambda e: e.row)
    result = ImportResult(rows=len(rows) - 1, imported=0, errors=errors, dry_run=dry_run, contacts=contacts)
    if errors and not skip_invalid:
        raise InvalidInput(
            t(
                f"{named}：{len(errors)} 处问题，未导入任何客户（修正后重试，或用 --skip-invalid 只导入正确的行）：",
                f"{named}: {len(errors)} problem(s); no account was imported (fix them, or use --skip-invalid to "
                "import the good rows):",
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
    if contacts:
        _add_contacts(session, contacts, {int(row._mapping["id"]): row._mapping["name"] for row in created}, actor, now)
    return result


def _add_contacts(
    session: Session, contacts: list[dict[str, Any]], names: dict[int, str], actor: str, now: Any
) -> None:
    """The imported accounts' contacts in one INSERT, each the next row of its account's ledger chain."""
    ids = {name: account_id for account_id, name in names.items()}
    session.execute(
        insert(Contact),
        [
            {
                "account_id": ids[c["account"]],
                "name": c["contact"],
                **{key: c[key] for key in CONTACT_COLUMNS if key != "contact"},
                "created_by": actor,
                "created_at": now,
            }
            for c in contacts
        ],
    )
    connection, table = session.connection(), tables.contacts
    account_ids = sorted(ids.values())
    created = [
        row
        for start in range(0, len(account_ids), 500)
        for row in connection.execute(
            select(table).where(table.c.account_id.in_(account_ids[start : start + 500])).order_by(table.c.id)
        )
    ]
    ledger.record_new(connection, "contact", created, actor=actor, action="import")


def _existing_names(session: Session, names: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(names), 500):  # stays under every driver's parameter limit
        chunk = names[start : start + 500]
        found.update(
            {name: i for i, name in session.execute(select(Account.id, Account.name).where(Account.name.in_(chunk)))}
        )
    return found

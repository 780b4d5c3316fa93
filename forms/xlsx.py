"""Excel forms: a document kind as a workbook a project manager fills in Excel or WPS, and read back.

Most managers live in Excel and WPS, not in YAML (issue 16). `write_template(kind)` lays a
document out as a form; `read_form(kind, source)` turns the filled workbook back into the
plain document dict that `forms.validate` accepts, with a map from every key path to its
cell, so that a problem is reported where the manager typed it (`B12 电话: 应为文本`).

Layout of the form sheet (one sheet; a second one holds the instructions and the choice lists):

    row 1   A: the kind's title               C: the kind id (how the reader knows the form)
    row 2   A: how to fill, in one line
    row 3   A: 项目   B: 填写内容   C: 键 (key)   D: English   E: 说明   (column headings)
    row 4…  one row per field, in declaration order:
              A: label (" *" when required)  B: the value cell (yellow)  C: the key path
              D: the label in the other language  E: what to type (type, help, choices)
            an object (`contact`) is a title row (key in C, B grey) followed by its fields'
            rows, keys `contact.name`, `contact.phone`…
            a list of text (`our_visitors`) is a title row followed by numbered rows, one
            item each in column B
            a list of objects (`configurations`) is a title row, a header row of the item's
            labels, a key row of the item's keys (grey), then numbered item rows; inside an
            item a list of text is one cell with one item per line (Alt+Enter), an object's
            fields are columns (`contact.name`), and a mapping of numbers
            (`competitor_scores`) is several columns whose header cells the manager renames
            to the names (东风, 重汽) with the numbers below

The reader never trusts positions: it finds each field by the key in column C (or in a
table's key row), so a manager may insert rows inside a table, merge cells or add a sheet in
front. It refuses, in one bilingual line naming the cell, what it cannot read without
guessing: two rows with the same key, content in a column or row that belongs to no field,
a formula without a computed value, a renamed-but-not-named score column.

Reading any workbook goes through `open_workbook`, which the account import can use too:
at most `MAX_BYTES`, a real xlsx (not `.xls`, `.xlsm`, an encrypted OLE package, an
OpenDocument or any other file), a bounded zip, openpyxl's read-only streaming mode, rows
and columns bounded whatever the sheet declares (a 1.6 KB file declaring A1:XFD100000 costs
milliseconds), formulas read from their cached values.

openpyxl is imported inside the functions that need it: it takes about 75 ms to import and
`kam --help` must not pay for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Union

from forms.introspect import FieldSpec, describe
from workflow.errors import InvalidInput
from workflow.i18n import Text, t

if TYPE_CHECKING:
    from forms import FieldError
    from forms.base import Form

Source = Union[str, "os.PathLike[str]", bytes, IO[bytes]]

# -- limits -----------------------------------------------------------------------------------

MAX_BYTES = 5_000_000  # the same limit as a YAML or JSON document file (commands._common.MAX_FILE_BYTES)
# What the zip may expand to (declared sizes; zipfile refuses to read past them): a filled form
# is well under 1 MB unpacked, a 200,000-row account list about 60 MB.
MAX_UNZIPPED = 100_000_000
MAX_ENTRIES = 1_000
# A form's sheet: the template is about 150 rows and 12 columns; 200 items in all lists (forms.MAX_DOCUMENT_ITEMS)
# inserted into a few tables still fit. Nothing of a form lives beyond these, whatever the sheet declares.
FORM_MAX_ROWS = 10_000
FORM_MAX_COLS = 64
MAX_SHEETS = 50

# -- layout -----------------------------------------------------------------------------------

COL_LABEL, COL_VALUE, COL_KEY, COL_OTHER, COL_HINT = 1, 2, 3, 4, 5
FIRST_ROW = 4
TEXT_ROWS = 5  # blank rows under a list of text
TABLE_ROWS = 6  # blank item rows in a table
SPARE_ROWS = 2  # blank rows after prefilled items
MAP_COLUMNS = 3  # columns for a mapping of numbers (competitor scores) when none is prefilled

SHEET_NAMES = {"zh": ("表单", "说明"), "en": ("Form", "Instructions")}
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TEXT_FORMAT = "@"  # Excel's "Text" format: 0472 stays 0472, 2027-01 stays text

_BOOL_WORDS: dict[str, bool] = {"是": True, "否": False}
BOOL_LABELS = {"zh": ("是", "否"), "en": ("yes", "no")}

_HINTS: dict[str, Text] = {
    "str": t("文本", "text"),
    "int": t("整数", "whole number"),
    "number": t("数字，不带单位", "number, without a unit"),
    "bool": t("从下拉框选 是/否", "choose yes or no from the list"),
    "date": t("日期，如 2026-11-20", "date, e.g. 2026-11-20"),
    "datetime": t("日期时间，如 2026-11-20 14:00", "date and time, e.g. 2026-11-20 14:00"),
    "choice": t("从下拉框选择", "choose from the list"),
    "object": t("分组：填写下面各行", "a group: fill the rows below"),
    "list-of-str": t(
        "每行一项，行不够时在表格中插入整行", "one item per row; insert whole rows inside the table for more"
    ),
    "list-of-date": t(
        "每行一个日期，行不够时在表格中插入整行", "one date per row; insert whole rows inside the table for more"
    ),
    "list-of-object": t(
        "每行一项，行不够时在表格中插入整行；空行会被忽略",
        "one item per row; insert whole rows inside the table for more; blank rows are ignored",
    ),
    "cell-list": t("一格多项：每项一行（Alt+Enter 换行）", "several items in one cell: one per line (Alt+Enter)"),
    "dict-of-number": t(
        "把表头改为名称（如 东风），下面填数字", "rename the header to a name (e.g. Dongfeng) and put the numbers below"
    ),
}

_HEADINGS = {
    "zh": ("项目", "填写内容", "键 (key)", "English", "说明"),
    "en": ("Field", "Value", "Key", "中文", "Notes"),
}


@dataclass(frozen=True)
class Cell:
    """Where a key path was read: the cell reference and the label of its field."""

    ref: str
    label_zh: str
    label_en: str

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en


# -- opening any workbook safely ------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# A password-protected xlsx is an OLE compound file holding these streams (MS-OFFCRYPTO); their
# directory entries are UTF-16 names, so finding them needs no OLE parser.
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
_ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"})


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f}".rstrip("0").rstrip(".")


def _read_source(source: Source, name: str, max_bytes: int) -> bytes:
    """The file's bytes, never more than `max_bytes` + 1 read (a stream is read with a limit)."""
    too_big = InvalidInput(
        t(
            f"文件 {name} 超过 {_mb(max_bytes)} MB 上限：表单通常只有几十 KB，请删除图片和多余的工作表后另存",
            f"file {name} is larger than the {_mb(max_bytes)} MB limit: a form is usually a few dozen KB; "
            "remove pictures and extra sheets and save it again",
        )
    )
    if isinstance(source, bytes | bytearray):
        if len(source) > max_bytes:
            raise too_big
        return bytes(source)
    try:
        if isinstance(source, str | os.PathLike):
            if os.path.isdir(source):
                raise InvalidInput(t(f"{name} 是文件夹，请给出 .xlsx 文件", f"{name} is a folder; give an .xlsx file"))
            if os.path.getsize(source) > max_bytes:
                raise too_big
            with open(source, "rb") as fh:
                raw = fh.read(max_bytes + 1)
        else:
            raw = source.read(max_bytes + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InvalidInput(t(f"无法读取文件 {name}：{reason}", f"cannot read file {name}: {reason}")) from None
    if len(raw) > max_bytes:
        raise too_big
    return raw


def _source_name(source: Source, name: str | None) -> str:
    if name:
        return name
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", "") or "<xlsx>")


def _check_container(raw: bytes, name: str) -> None:
    """Refuse, naming the file and what to do, anything that is not a plain xlsx package."""
    save_as = t(
        "请在 Excel 或 WPS 中打开，另存为“Excel 工作簿 (*.xlsx)”",
        "open it in Excel or WPS and save it as “Excel Workbook (*.xlsx)”",
    )
    if raw.startswith(_OLE_MAGIC):
        if any(stream in raw for stream in _ENCRYPTED_STREAMS):
            raise InvalidInput(
                t(
                    f"文件 {name} 设有打开密码（已加密），kam 无法读取：请在 Excel 或 "
                    "WPS 中去掉密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后保存",
                    f"file {name} is password-protected (encrypted) and kam "
                    "cannot read it: remove the password in Excel or WPS "
                    "(File → Info → Protect Workbook → Encrypt with Password, clear it) and save it",
                )
            )
        raise InvalidInput(
            t(
                f"文件 {name} 是旧版 Excel 格式 (.xls/.et)：{save_as.zh}",
                f"file {name} is in the old Excel format (.xls/.et): {save_as.en}",
            )
        )
    if not raw.startswith(_ZIP_MAGIC):
        raise InvalidInput(
            t(
                f"文件 {name} 不是 Excel 工作簿 (.xlsx)：{save_as.zh}",
                f"file {name} is not an Excel workbook (.xlsx): {save_as.en}",
            )
        )
    try:
        _check_package(zipfile.ZipFile(io.BytesIO(raw)), name, save_as)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        ValueError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        OSError,
        zlib.error,
    ):
        # a truncated download, a zip-level password (RuntimeError), an unknown compression method
        raise InvalidInput(
            t(
                f"文件 {name} 已损坏，不是完整的 .xlsx 工作簿：{save_as.zh}",
                f"file {name} is damaged, not a complete .xlsx workbook: {save_as.en}",
            )
        ) from None


def _check_package(archive: zipfile.ZipFile, name: str, save_as: Text) -> None:
    entries = archive.infolist()
    names = {entry.filename for entry in entries}
    if len(entries) > MAX_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNZIPPED:
        raise InvalidInput(
            t(
                f"文件 {name} 解压后超过 {_mb(MAX_UNZIPPED)} MB 或 {MAX_ENTRIES} 个部件上限：不是一份普通的工作簿",
                f"file {name} unpacks to more than the {_mb(MAX_UNZIPPED)} MB "
                f"or {MAX_ENTRIES} parts limit: it is not an ordinary workbook",
            )
        )
    if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
        raise InvalidInput(
            t(
                f"文件 {name} 是 OpenDocument 表格 (.ods)：{save_as.zh}",
                f"file {name} is an OpenDocument spreadsheet (.ods): {save_as.en}",
            )
        )
    types = archive.read("[Content_Types].xml")[:200_000] if "[Content_Types].xml" in names else b""
    if "xl/vbaProject.bin" in names or b"macroEnabled" in types:
        if b"sheet.binary" in types:
            raise InvalidInput(
                t(
                    f"文件 {name} 是二进制工作簿 (.xlsb)：{save_as.zh}",
                    f"file {name} is a binary workbook (.xlsb): {save_as.en}",
                )
            )
        raise InvalidInput(
            t(
                f"文件 {name} 是启用宏的工作簿 (.xlsm)，kam 不读取含宏的文件：请另存为不含宏的“Excel 工作簿 (*.xlsx)”",
                f"file {name} is a macro-enabled workbook (.xlsm) and "
                "kam does not read files with macros: save it as an "
                "“Excel Workbook (*.xlsx)” without macros",
            )
        )
    for entry in entries:
        # no spreadsheet program writes a DTD; one in a part is an entity-expansion bomb (expat would stop it,
        # but only after expanding some 100 MB), refused before openpyxl parses anything
        if entry.filename.endswith((".xml", ".rels")):
            with archive.open(entry) as part:
                head = part.read(4096)
            if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                raise InvalidInput(
                    t(
                        f"文件 {name} 的部件 {entry.filename} 含有 DTD（<!DOCTYPE>）"
                        "，Excel 和 WPS 从不写入它：请在 Excel 或 WPS 中打开后另存",
                        f"part {entry.filename} of file {name} holds a DTD "
                        "(<!DOCTYPE>), which Excel and WPS never write: "
                        "open the file in Excel or WPS and save it again",
                    )
                )
    if "xl/workbook.xml" not in names:
        raise InvalidInput(
            t(
                f"文件 {name} 不是 Excel 工作簿 (.xlsx)：{save_as.zh}",
                f"file {name} is not an Excel workbook (.xlsx): {save_as.en}",
            )
        )
    if _STRICT_NS in archive.read("xl/workbook.xml")[:4096]:
        raise InvalidInput(
            t(
                f"文件 {name} 是“Strict Open XML 电子表格”格式：{save_as.zh}",
                f"file {name} is a “Strict Open XML Spreadsheet”: {save_as.en}",
            )
        )


class Workbook:
    """A workbook opened by `open_workbook`: bounded, read-only, formulas read as their cached values."""

    def __init__(self, raw: bytes, name: str) -> None:
        self.name = name
        self._raw = raw
        self._book = _load(raw, name, data_only=False)
        self._cached: Any = None  # the data_only twin, loaded only when a sheet has formulas

    @property
    def sheet_names(self) -> list[str]:
        return [sheet.title for sheet in self._book.worksheets]

    def rows(self, sheet: int = 0, *, max_rows: int, max_cols: int) -> list[tuple[int, list[Any]]]:
        """The non-empty rows among the first `max_rows` of sheet number `sheet`: (row number, `max_cols` values).

        Values are those openpyxl gives (str, int, float, bool, datetime, time; None when empty).
        A sheet with content in row `max_rows` + 1 is refused naming the limit; what lies further
        down or right is not read at all, whatever dimension the sheet declares. A formula gives
        its cached value; one without (a file no spreadsheet program has saved) or with an error
        value is refused naming the cell.
        """
        worksheet = self._book.worksheets[sheet]
        numbered: list[tuple[int, list[Any]]] = []
        formulas: list[tuple[int, int]] = []
        gap: Any = None
        with _foreign(self.name):
            for r, row in enumerate(worksheet.iter_rows(min_row=1, max_row=max_rows + 1, max_col=max_cols), 1):
                if row is gap:
                    continue  # openpyxl pads a run of missing rows with one shared empty row
                line, empty = [], True
                for c, cell in enumerate(row, 1):
                    value = cell.value
                    if cell.data_type == "f":
                        formulas.append((r, c))
                        value, empty = None, False
                    elif cell.data_type == "e":
                        self._error_value(worksheet.title, r, c, value)
                    elif value is not None and value != "":
                        empty = False
                    line.append(value)
                if empty:
                    if not any(getattr(cell, "row", None) for cell in row):
                        gap = row
                    continue
                if r > max_rows:
                    raise InvalidInput(
                        t(
                            f"文件 {self.name} 的工作表“{worksheet.title}”超过 {max_rows:,} 行上限：请删除多余的行",
                            f"sheet “{worksheet.title}” of {self.name} has more than "
                            f"the {max_rows:,} rows limit: delete the extra rows",
                        )
                    )
                numbered.append((r, line))
        if formulas:
            self._fill_cached(sheet, dict(numbered), formulas, max_cols)
        return numbered

    def first_row(self, sheet: int, max_cols: int) -> list[Any]:
        """The first row's values (for telling which sheet is which), padded to `max_cols`."""
        worksheet = self._book.worksheets[sheet]
        with _foreign(self.name):
            for row in worksheet.iter_rows(min_row=1, max_row=1, max_col=max_cols, values_only=True):
                return list(row)
        return [None] * max_cols

    def _fill_cached(
        self, sheet: int, lines: dict[int, list[Any]], formulas: list[tuple[int, int]], max_cols: int
    ) -> None:
        from openpyxl.utils import get_column_letter

        if self._cached is None:
            self._cached = _load(self._raw, self.name, data_only=True)
        worksheet = self._cached.worksheets[sheet]
        wanted = {r for r, _ in formulas}
        cached: dict[int, tuple[Any, ...]] = {}
        with _foreign(self.name):
            for r, row in enumerate(
                worksheet.iter_rows(min_row=1, max_row=max(wanted), max_col=max_cols, values_only=True), 1
            ):
                if r in wanted:
                    cached[r] = row
        missing = []
        for r, c in formulas:
            value = cached.get(r, ())[c - 1] if c - 1 < len(cached.get(r, ())) else None
            if isinstance(value, str) and value in _ERROR_VALUES:
                self._error_value(worksheet.title, r, c, value)
            if value is None:
                missing.append(f"{get_column_letter(c)}{r}")
            lines[r][c - 1] = value
        if missing:
            cells = ", ".join(missing[:5]) + ("…" if len(missing) > 5 else "")
            raise InvalidInput(
                t(
                    f"文件 {self.name} 的工作表“{worksheet.title}”单元格 "
                    f"{cells} 是公式，但没有计算结果（文件不是由 Excel/WPS 保存的）："
                    "请在 Excel 或 WPS 中打开并保存，或把公式换成数值",
                    f"cell {cells} of sheet “{worksheet.title}” in {self.name} holds a formula with no computed value "
                    "(the file was not saved by Excel or WPS): open and save "
                    "it in Excel or WPS, or replace the formula by its value",
                )
            )

    def _error_value(self, sheet: str, r: int, c: int, value: Any) -> None:
        from openpyxl.utils import get_column_letter

        ref = f"{get_column_letter(c)}{r}"
        raise InvalidInput(
            t(
                f"文件 {self.name} 的工作表“{sheet}”单元格 {ref} 是错误值 {value}：请改正该单元格的公式或内容",
                f"cell {ref} of sheet “{sheet}” in {self.name} is the error "
                f"value {value}: correct that cell's formula or content",
            )
        )

    def close(self) -> None:
        for book in (self._book, self._cached):
            if book is not None:
                book.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def _foreign(name: str) -> Iterator[None]:
    """openpyxl's own exceptions and warnings on a malformed part, as one refusal naming the file.

    openpyxl raises a wide zoo on bad XML (KeyError, ValueError, TypeError, SyntaxError from the
    XML parser, IndexError for a bad shared string…); the container checks above catch the
    common cases with a precise message, and this is the net for the rest (STYLE 14). Only
    openpyxl calls run inside it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "unknown extension", "no default style": noise to a manager
        try:
            yield
        except (InvalidInput, MemoryError, RecursionError):
            raise
        except Exception:
            raise InvalidInput(
                t(
                    f"文件 {name} 无法作为 .xlsx 工作簿读取（内容已损坏）：请在 "
                    "Excel 或 WPS 中打开，另存为“Excel 工作簿 (*.xlsx)”",
                    f"file {name} cannot be read as an .xlsx workbook "
                    "(its content is damaged): open it in Excel or WPS "
                    "and save it as “Excel Workbook (*.xlsx)”",
                )
            ) from None


def _load(raw: bytes, name: str, *, data_only: bool) -> Any:
    import openpyxl  # heavy (about 75 ms): only when a workbook is read

    with _foreign(name):
        return openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=data_only, keep_links=False)


def open_workbook(source: Source, *, name: str | None = None, max_bytes: int = MAX_BYTES) -> Workbook:
    """Open an xlsx file, path, bytes or binary stream for bounded reading; refuse anything else.

    Use as a context manager (`with open_workbook(path) as book: rows = book.rows(...)`).
    Every refusal is an `InvalidInput` naming the file (`name`, else the path) and what to do.
    """
    name = _source_name(source, name)
    if isinstance(source, str | os.PathLike) and os.fspath(source).lower().endswith((".xlsm", ".xltm")):
        raise InvalidInput(
            t(
                f"文件 {name} 是启用宏的工作簿 (.xlsm)，kam 不读取含宏的文件：请另存为不含宏的“Excel 工作簿 (*.xlsx)”",
                f"file {name} is a macro-enabled workbook (.xlsm) and "
                "kam does not read files with macros: save it as an "
                "“Excel Workbook (*.xlsx)” without macros",
            )
        )
    raw = _read_source(source, name, max_bytes)
    _check_container(raw, name)
    return Workbook(raw, name)


def read_rows(
    source: Source, *, max_rows: int, max_cols: int, sheet: int = 0, name: str | None = None
) -> list[tuple[int, list[Any]]]:
    """A sheet's non-empty rows as (row number, values) of any workbook, opened and bounded as `open_workbook` does."""
    with open_workbook(source, name=name) as book:
        return book.rows(sheet, max_rows=max_rows, max_cols=max_cols)


# -- the template -----------------------------------------------------------------------------------


def _other(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


def _marked(spec: FieldSpec, lang: str) -> str:
    return spec.label(lang) + (" *" if spec.required else "")


def _choice_labels(spec: FieldSpec, lang: str) -> list[str]:
    return [spec.choice_label(value, lang) for value in spec.choices]


def _hint(spec: FieldSpec, lang: str, *, in_cell_list: bool = False) -> str:
    kind = "cell-list" if in_cell_list else spec.type
    # a text field's help says more than "text"; the instructions say text is kept as typed
    parts = [] if kind == "str" and spec.help(lang) else [_HINTS[kind].render(lang)]
    if spec.min_items:
        parts.append(t(f"至少 {spec.min_items} 项", f"at least {spec.min_items}").render(lang))
    if spec.choices:
        parts.append(" / ".join(_choice_labels(spec, lang)))
    if spec.help(lang):
        parts.append(spec.help(lang))
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


@dataclass(frozen=True)
class _Column:
    """One column of a table: the item field it holds (`rel` is its path inside the item)."""

    rel: str
    spec: FieldSpec
    header: str = ""  # a mapping column's header: the name the numbers below belong to


def _table_columns(spec: FieldSpec, names: dict[str, list[str]] | None = None) -> list[_Column]:
    """The columns of a list-of-object table; `names` gives a mapping field's prefilled names."""
    columns: list[_Column] = []

    def add(children: tuple[FieldSpec, ...], prefix: str) -> None:
        for child in children:
            rel = f"{prefix}{child.key}"
            if child.type == "object":
                add(child.children, rel + ".")
            elif child.type == "list-of-object":
                raise TypeError(f"forms.xlsx cannot lay out a list inside a list item: {child.path}")
            elif child.type == "dict-of-number":
                given = (names or {}).get(rel, [])
                headers = given + [""] * max(MAP_COLUMNS - len(given), 1 if given else 0)
                columns.extend(_Column(rel, child, header) for header in headers)
            else:
                columns.append(_Column(rel, child))

    add(spec.children, "")
    return columns


def _placeholder(spec: FieldSpec, n: int, lang: str) -> str:
    return f"{spec.label(lang)} {n}"


_PLACEHOLDER = re.compile(r"^(?P<label>.+) (?P<n>\d+)$")


class _TemplateWriter:
    """Lays the fields out row by row on the form sheet; data validations are added at the end."""

    def __init__(self, kind: str, lang: str) -> None:
        import openpyxl  # heavy: only when a template is written
        from openpyxl.comments import Comment
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.kind, self.lang, self.other = kind, lang, _other(lang)
        self.book = openpyxl.Workbook()
        self.sheet = self.book.active
        form_title, notes_title = SHEET_NAMES["zh" if lang == "zh" else "en"]
        self.sheet.title = form_title
        self.notes = self.book.create_sheet(notes_title)
        self.Comment = Comment
        thin = Side(style="thin", color="BFBFBF")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.input_fill = PatternFill("solid", fgColor="FFF2CC")
        self.title_fill = PatternFill("solid", fgColor="DDEBF7")
        self.header_fill = PatternFill("solid", fgColor="F2F2F2")
        self.bold = Font(bold=True)
        self.key_font = Font(color="808080", size=9)
        self.hint_font = Font(color="595959", size=9)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.Alignment = Alignment
        self.row = FIRST_ROW
        # choices (or "bool") -> a field offering them (for their labels) and the cells that get that drop-down
        self.dropdowns: dict[Any, tuple[FieldSpec, list[str]]] = {}
        self.cell_lists = False
        self.mappings: list[FieldSpec] = []

    # cells ------------------------------------------------------------------------------------

    def _put(self, row: int, col: int, value: Any, *, font: Any = None, fill: Any = None, wrap: bool = False) -> Any:
        cell = self.sheet.cell(row=row, column=col, value=value)
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if wrap:
            cell.alignment = self.wrap
        return cell

    def _input(self, row: int, col: int, spec: FieldSpec, value: Any, *, cell_list: bool = False) -> None:
        from openpyxl.utils import get_column_letter

        cell = self._put(row, col, _display(spec, value, self.lang, cell_list=cell_list), fill=self.input_fill)
        cell.border = self.border
        if cell_list:
            cell.alignment = self.wrap
            cell.number_format = TEXT_FORMAT
            return
        if spec.type == "str":
            cell.number_format = TEXT_FORMAT
            cell.alignment = self.wrap
        elif spec.type == "date":
            cell.number_format = DATE_FORMAT
        elif spec.type == "datetime":
            cell.number_format = DATETIME_FORMAT
        elif spec.type == "int":
            cell.number_format = "0"
        if spec.type in ("choice", "bool"):
            key = spec.choices if spec.type == "choice" else "bool"
            self.dropdowns.setdefault(key, (spec, []))[1].append(f"{get_column_letter(col)}{row}")

    def _label_row(self, spec: FieldSpec, depth: int, *, title: bool, hint: str) -> int:
        row = self.row
        label = self._put(
            row, COL_LABEL, _marked(spec, self.lang), font=self.bold if (title or spec.required) else None
        )
        label.alignment = self.Alignment(indent=depth, vertical="top", wrap_text=True)
        self._put(row, COL_KEY, spec.path, font=self.key_font)
        self._put(row, COL_OTHER, spec.label(self.other), font=self.hint_font)
        self._put(row, COL_HINT, hint, font=self.hint_font, wrap=True)
        if _height(hint, 52 * 1.2) > 15:  # the hint's font is smaller
            self.sheet.row_dimensions[row].height = _height(hint, 52 * 1.2, line=12)
        if title:
            for col in range(COL_LABEL, COL_HINT + 1):
                self.sheet.cell(row=row, column=col).fill = self.title_fill
        self.row += 1
        return row

    # fields -----------------------------------------------------------------------------------

    def fields(self, specs: tuple[FieldSpec, ...] | list[FieldSpec], values: dict[str, Any], depth: int = 0) -> None:
        for spec in specs:
            value = values.get(spec.key) if isinstance(values, dict) else None
            if spec.type == "object":
                self._label_row(spec, depth, title=True, hint=_hint(spec, self.lang))
                self.fields(spec.children, value if isinstance(value, dict) else {}, depth + 1)
            elif spec.type in ("list-of-str", "list-of-date"):
                self._text_list(spec, value if isinstance(value, list) else [], depth)
            elif spec.type == "list-of-object":
                self._table(spec, value if isinstance(value, list) else [], depth)
            elif spec.type == "dict-of-number":
                raise TypeError(f"forms.xlsx lays out a mapping of numbers only inside a table: {spec.path}")
            else:
                row = self._label_row(spec, depth, title=False, hint=_hint(spec, self.lang))
                self._input(row, COL_VALUE, spec, value)

    def _text_list(self, spec: FieldSpec, items: list[Any], depth: int) -> None:
        self._label_row(spec, depth, title=True, hint=_hint(spec, self.lang))
        count = max(TEXT_ROWS, len(items) + SPARE_ROWS) if items else TEXT_ROWS
        for n in range(count):
            self._put(self.row, COL_LABEL, n + 1, font=self.key_font).alignment = self.Alignment(horizontal="right")
            item_spec = _item_spec(spec)
            self._input(self.row, COL_VALUE, item_spec, items[n] if n < len(items) else None)
            self.row += 1

    def _table(self, spec: FieldSpec, items: list[Any], depth: int) -> None:
        from openpyxl.utils import get_column_letter

        names = _mapping_names(spec, items)
        columns = _table_columns(spec, names)
        self._label_row(spec, depth, title=True, hint=_hint(spec, self.lang))
        header, keys = self.row, self.row + 1
        self._put(header, COL_LABEL, t("序号", "#").render(self.lang), font=self.bold, fill=self.header_fill)
        self._put(keys, COL_LABEL, t("键 (key)", "key").render(self.lang), font=self.key_font)
        counts: dict[str, int] = {}
        for i, column in enumerate(columns):
            col = COL_VALUE + i
            child = column.spec
            if child.type == "dict-of-number":
                counts[column.rel] = counts.get(column.rel, 0) + 1
                text = column.header or _placeholder(child, counts[column.rel], self.lang)
                if child not in self.mappings:
                    self.mappings.append(child)
            else:
                prefix = _prefix_label(spec, column.rel, self.lang)
                text = prefix + _marked(child, self.lang)
            cell = self._put(header, col, text, font=self.bold, fill=self.header_fill, wrap=True)
            cell.border = self.border
            note = _hint(child, self.lang, in_cell_list=child.type in ("list-of-str", "list-of-date"))
            note = f"{child.label(self.other)} — {note}"
            cell.comment = self.Comment(note, "kam", width=260, height=110)
            self._put(keys, col, column.rel, font=self.key_font)
            if child.type in ("list-of-str", "list-of-date"):
                self.cell_lists = True
            width = self.sheet.column_dimensions[get_column_letter(col)]
            if col > COL_HINT and (width.width or 0) < 18:
                width.width = 18
        self.row += 2
        count = max(TABLE_ROWS, len(items) + SPARE_ROWS) if items else TABLE_ROWS
        for n in range(count):
            item = items[n] if n < len(items) and isinstance(items[n], dict) else {}
            self._put(self.row, COL_LABEL, n + 1, font=self.key_font).alignment = self.Alignment(horizontal="right")
            for i, column in enumerate(columns):
                value = _get(item, column.rel)
                if column.spec.type == "dict-of-number":
                    value = value.get(column.header) if isinstance(value, dict) and column.header else None
                    self._input(self.row, COL_VALUE + i, _number_spec(column.spec), value)
                else:
                    self._input(
                        self.row,
                        COL_VALUE + i,
                        column.spec,
                        value,
                        cell_list=column.spec.type in ("list-of-str", "list-of-date"),
                    )
            self.row += 1

    # the sheets -------------------------------------------------------------------------------

    def head(self, title_zh: str, title_en: str) -> None:
        lang = self.lang
        title = f"{title_zh}  {title_en}" if lang == "zh" else f"{title_en}  {title_zh}"
        self._put(1, COL_LABEL, title, font=self._font(bold=True, size=14))
        self._put(1, COL_KEY, self.kind, font=self.key_font)
        self._put(
            2,
            COL_LABEL,
            t(
                "在黄色格填写；带 * 为必填；C 列的键请勿修改；详见“说明”工作表。",
                "Fill in the yellow cells; * marks a required field; do not "
                "change the keys in column C; see the Instructions sheet.",
            ).render(lang),
            font=self.hint_font,
        )
        for col, heading in enumerate(_HEADINGS["zh" if lang == "zh" else "en"], 1):
            self._put(3, col, heading, font=self.bold, fill=self.header_fill)
        self.sheet.freeze_panes = "A4"
        for letter, width in zip("ABCDE", (30, 44, 26, 30, 52), strict=True):
            self.sheet.column_dimensions[letter].width = width
        # printed, the form fits the page width (managers print forms to sign them)
        self.sheet.page_setup.orientation = "landscape"
        self.sheet.page_setup.fitToWidth = 1
        self.sheet.page_setup.fitToHeight = 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        self.sheet.print_title_rows = "3:3"

    def _font(self, **kwargs: Any) -> Any:
        from openpyxl.styles import Font

        return Font(**kwargs)

    def instructions(self, title_zh: str, title_en: str, computed: list[FieldSpec], mapping: list[FieldSpec]) -> None:
        lang, kind, notes = self.lang, self.kind, self.notes
        lines: list[Text] = [
            t(
                "在“表单”工作表的黄色格（B 列或表格中）填写。A 列是项目名称，C 列是键（kam 用它找到每一行，请勿修改），"
                "D 列是英文名称，E 列是填写提示。",
                "Fill in the yellow cells of the Form sheet (column B, or "
                "the tables). Column A names the field, column C holds "
                "its key (kam finds each row by it: do not change it), "
                "column D the Chinese label, column E what to type.",
            ),
            t(
                "带 * 的项目为必填，其余可以留空；留空表示未填写。",
                "A field marked * is required; the others may stay empty, which means not given.",
            ),
            t(
                "下拉框：点单元格右侧的箭头选择；是/否 也在下拉框中。",
                "Drop-downs: click the arrow at the right of the cell; yes/no is a drop-down too.",
            ),
            t(
                "日期：输入 2026-11-20 或 2026/11/20（日期格已设好格式）；日期时间如 2026-11-20 14:00。",
                "Dates: type 2026-11-20 or 2026/11/20 (the date cells "
                "are formatted); date and time as 2026-11-20 14:00.",
            ),
            t(
                "文本（电话、编号、型号）照原样保存，开头的 0 会保留；数字不要带单位（元、台）。",
                "Text (phone, numbers of contracts, models) is kept exactly as typed, leading zeros included; "
                "numbers go without a unit (yuan, vehicles).",
            ),
            t(
                "列表和表格：每行一项，从第一个空行开始；行不够时在表格中间插入整行；空行会被忽略。不要改动表格的表头和键行。",
                "Lists and tables: one item per row, from the first "
                "empty row; insert whole rows inside the table for more; "
                "empty rows are ignored. Do not change a table's header and key rows.",
            ),
        ]
        if self.cell_lists:
            lines.append(
                t(
                    "一格多项（如培训内容）：每项一行，单元格内换行按 Alt+Enter。",
                    "Several items in one cell (e.g. training topics): one "
                    "per line; Alt+Enter starts a new line in the cell.",
                )
            )
        for spec in mapping:
            zh_1, en_1 = _placeholder(spec, 1, "zh"), _placeholder(spec, 1, "en")
            lines.append(
                t(
                    f"{spec.label_zh}：把表头“{zh_1}”等改成名称（如 东风），在下面各行填数字；用不到的列留空。",
                    f"{spec.label_en}: rename the headers “{en_1}” and so "
                    "on to the names (e.g. Dongfeng) and put the numbers "
                    "in the rows below; leave unused columns empty.",
                )
            )
        if computed:
            names_zh = "、".join(s.label_zh for s in computed)
            names_en = ", ".join(s.label_en for s in computed)
            lines.append(
                t(f"以下由 kam 自动计算，不用填写：{names_zh}。", f"kam computes these; do not type them: {names_en}.")
            )
        lines += [
            t(
                "不要使用宏；公式可以用，但请在 Excel 或 WPS 中保存后再提交。"
                "保存为“Excel 工作簿 (*.xlsx)”，不要存为 .xls 或 .xlsm。",
                "No macros; formulas are fine once the file is saved "
                "in Excel or WPS. Save as “Excel Workbook (*.xlsx)”, "
                "not .xls or .xlsm.",
            ),
            t(
                f"填好后提交：kam doc fill 商机编号 {kind} --file 文件名.xlsx；"
                "有问题时 kam 会指出单元格，如 “B12 电话: 必填项缺失”，什么都不会保存。",
                f"When done: kam doc fill OPPORTUNITY_ID {kind} --file FILE.xlsx; a problem is reported with its cell, "
                "e.g. “B12 Phone: field required”, and nothing is stored.",
            ),
            t(
                f"每一项的详细说明：kam doc template {kind}（YAML 版，附说明）；命令帮助：kam doc fill --help。",
                f"Every field explained: kam doc template {kind} (the "
                "YAML version, with notes); help: kam doc fill --help.",
            ),
        ]
        notes.column_dimensions["A"].width = 90
        notes.page_setup.fitToWidth = 1
        notes.page_setup.fitToHeight = 0
        notes.sheet_properties.pageSetUpPr.fitToPage = True
        heading = t(f"填写说明：{title_zh}（{kind}）", f"How to fill in: {title_en} ({kind})")
        notes.cell(row=1, column=1, value=heading.render(lang)).font = self._font(bold=True, size=14)
        for n, line in enumerate(lines, 1):
            text = f"{n}. {line.render(lang)}"
            notes.cell(row=n + 1, column=1, value=text).alignment = self.wrap
            notes.row_dimensions[n + 1].height = _height(text, 90)
        self._choice_lists(len(lines) + 3)

    def _choice_lists(self, row: int) -> None:
        """The drop-downs' sources, on the instructions sheet where a manager can also read them."""
        from openpyxl.worksheet.datavalidation import DataValidation

        notes, lang = self.notes, self.lang
        if not self.dropdowns:
            return
        notes.cell(
            row=row,
            column=1,
            value=t("可选值（下拉框的来源，请勿修改）", "Choices (the drop-downs' source: do not change)").render(lang),
        ).font = self.bold
        row += 1
        users = _choice_users(self.kind)
        for key, (spec, refs) in self.dropdowns.items():
            if key == "bool":
                labels, raw = list(BOOL_LABELS["zh" if lang == "zh" else "en"]), ["true", "false"]
                caption = t("是/否", "yes/no").render(lang)
            else:
                labels, raw = _choice_labels(spec, lang), [str(v) for v in key]
                caption = "、".join(users.get(key, [])) if lang == "zh" else ", ".join(users.get(key, []))
            notes.cell(row=row, column=1, value=caption).font = self.bold
            notes.cell(
                row=row, column=2, value=t("键（也可填写）", "key (also accepted)").render(lang)
            ).font = self.key_font
            first = row + 1
            for i, (label, value) in enumerate(zip(labels, raw, strict=True)):
                notes.cell(row=first + i, column=1, value=label)
                notes.cell(row=first + i, column=2, value=value).font = self.key_font
            # one column per list: Excel, WPS and LibreOffice all take a range on another sheet
            source = f"'{notes.title}'!$A${first}:$A${first + len(labels) - 1}"
            listed = " / ".join(labels)
            validation = DataValidation(
                type="list",
                formula1=source,
                allow_blank=True,
                showDropDown=False,
                showErrorMessage=True,
                errorTitle=t("请从下拉框选择", "Choose from the list").render(lang),
                error=t(f"可选：{listed}", f"Choose one of: {listed}").render(lang),
            )
            for ref in refs:
                validation.add(ref)
            self.sheet.add_data_validation(validation)
            row = first + len(labels) + 1
        notes.column_dimensions["B"].width = 24

    def save(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def _height(text: str, width: float, line: float = 15) -> float:
    """A row height (points) that shows all of a wrapped text in a column `width` characters wide.

    openpyxl cannot measure text and LibreOffice does not grow such rows by itself; a CJK
    character takes two widths.
    """
    wide = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    lines = max(1, -(-wide // int(width)))
    return line * lines


def _choice_users(kind: str) -> dict[tuple[Any, ...], list[str]]:
    """choices -> the labels (in both languages) of the fields that offer them, for the choice list captions."""
    users: dict[tuple[Any, ...], list[str]] = {}

    def walk(specs: tuple[FieldSpec, ...] | list[FieldSpec]) -> None:
        for spec in specs:
            if spec.type == "choice":
                names = users.setdefault(spec.choices, [])
                name = f"{spec.label_zh} {spec.label_en}"
                if name not in names:
                    names.append(name)
            walk(spec.children)

    walk(describe(kind))
    return users


def _item_spec(spec: FieldSpec) -> FieldSpec:
    """The spec of one item of a list of text or dates (for its cell's format)."""
    from dataclasses import replace

    return replace(spec, type="date" if spec.type == "list-of-date" else "str", required=False, min_items=0)


def _number_spec(spec: FieldSpec) -> FieldSpec:
    from dataclasses import replace

    return replace(spec, type="number", required=False)


def _prefix_label(table: FieldSpec, rel: str, lang: str) -> str:
    """`contact.name` inside an item: the object's label before the field's (`联系人 · 姓名`)."""
    if "." not in rel:
        return ""
    parts, specs, labels = rel.split(".")[:-1], table.children, []
    for part in parts:
        spec = next(s for s in specs if s.key == part)
        labels.append(spec.label(lang))
        specs = spec.children
    return " · ".join(labels) + " · "


def _mapping_names(table: FieldSpec, items: list[Any]) -> dict[str, list[str]]:
    """A mapping column's names across the prefilled items, in first-seen order."""
    names: dict[str, list[str]] = {}
    for column in _table_columns(table):
        if column.spec.type != "dict-of-number" or column.rel in names:
            continue
        seen: dict[str, None] = {}
        for item in items:
            value = _get(item, column.rel) if isinstance(item, dict) else None
            if isinstance(value, dict):
                seen.update(dict.fromkeys(str(k) for k in value))
        names[column.rel] = list(seen)
    return names


def _get(item: dict[str, Any], rel: str) -> Any:
    value: Any = item
    for part in rel.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _display(spec: FieldSpec, value: Any, lang: str, *, cell_list: bool = False) -> Any:
    """A document value as the cell shows it: choice and yes/no labels, real dates, lines for a cell list."""
    if value is None:
        return None
    if cell_list:
        items = value if isinstance(value, list) else [value]
        return "\n".join(_iso(v) if isinstance(v, dt.date) else str(v) for v in items) or None
    if spec.type == "choice":
        return spec.choice_label(value, lang)
    if spec.type == "bool" and isinstance(value, bool):
        yes, no = BOOL_LABELS["zh" if lang == "zh" else "en"]
        return yes if value else no
    if spec.type == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if spec.type == "datetime" and isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if spec.type == "str" and not isinstance(value, str):
        return _as_text(value)
    return value


def _iso(value: dt.date) -> str:
    return value.isoformat()


def write_template(kind: str, lang: str = "zh", data: dict[str, Any] | None = None) -> bytes:
    """The `.xlsx` form of `kind`: labels in `lang` first, drop-downs, date cells, tables, instructions.

    Values are those of `data` (a document, e.g. the latest version to edit) or else the kind's
    `prefill` (the scorecard's seed criteria). `UnknownKind` for a kind that does not exist.
    """
    import forms

    form = forms.get(kind)
    writer = _TemplateWriter(kind, "zh" if lang == "zh" else "en")
    title_zh, title_en = forms.title(kind, "zh"), forms.title(kind, "en")
    writer.head(title_zh, title_en)
    writer.fields(describe(kind), dict(form.prefill) if data is None else dict(data))
    every = describe(kind, computed=True)
    computed = [s for s in every if s.computed] + [c for s in every for c in s.children if c.computed]
    writer.instructions(title_zh, title_en, computed, writer.mappings)
    return writer.save()


# -- reading a filled form ----------------------------------------------------------------------------


@dataclass
class _Table:
    spec: FieldSpec
    title_row: int
    items: list[Any]
    columns: dict[int, str] | None = None  # column number -> rel key; None until the key row is found
    names: dict[int, str] | None = None  # mapping columns -> the name in their header cell
    header_row: int = 0


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(col))


class _FormReader:
    def __init__(self, kind: str, name: str, rows: list[tuple[int, list[Any]]]) -> None:
        self.kind, self.name, self.rows = kind, name, dict(rows)
        self.markers: dict[str, FieldSpec] = {}
        for spec in describe(kind):
            self._index(spec)
        self.data: dict[str, Any] = {}
        self.cells: dict[str, Cell] = {}
        self.seen: dict[str, int] = {}
        self._columns: dict[str, list[_Column]] = {}

    def columns(self, spec: FieldSpec) -> list[_Column]:
        if spec.path not in self._columns:
            self._columns[spec.path] = _table_columns(spec)
        return self._columns[spec.path]

    def _index(self, spec: FieldSpec) -> None:
        self.markers[spec.path] = spec
        if spec.type == "object":
            for child in spec.children:
                self._index(child)
        elif spec.type == "list-of-object":
            _table_columns(spec)  # a shape the layout does not have fails here, before any row is read

    # refusals ---------------------------------------------------------------------------------

    def _refuse(self, zh: str, en: str) -> InvalidInput:
        return InvalidInput(t(f"文件 {self.name}：{zh}", f"file {self.name}: {en}"))

    def _stray(self, ref: str, where: Text) -> InvalidInput:
        return self._refuse(
            f"单元格 {ref} 有内容，但{where.zh}：请把内容移到黄色格，或删除",
            f"cell {ref} has content but {where.en}: move it into a yellow cell, or delete it",
        )

    # walking the sheet ------------------------------------------------------------------------

    def read(self) -> tuple[dict[str, Any], dict[str, Cell]]:
        table: _Table | None = None
        started = False
        for r, row in self.rows.items():
            if r < FIRST_ROW:
                continue
            if table is not None and table.spec.type == "list-of-object" and table.columns is None:
                self._table_row(table, r, row)  # the header and key rows, whatever column C holds
                continue
            key = _cell_text(_at(row, COL_KEY)) or self._by_label(_at(row, COL_LABEL))
            # inside a table, column C is an item's field; a field row also has its label in column A
            is_marker = key in self.markers and (table is None or _is_label(_at(row, COL_LABEL)))
            if is_marker:
                if table is not None:
                    self._finish(table)
                    table = None
                started = True
                table = self._marker(r, row, key)
                continue
            if table is not None:
                self._table_row(table, r, row)
            elif started and not _blank(_at(row, COL_VALUE)):
                raise self._stray(
                    f"{_letter(COL_VALUE)}{r}",
                    t(f"第 {r} 行不属于任何项目（C{r} 没有键）", f"row {r} belongs to no field (C{r} holds no key)"),
                )
        if table is not None:
            self._finish(table)
        self._complete(describe(self.kind), self.data)
        return self.data, self.cells

    def _by_label(self, label: Any) -> str:
        """The key of a row whose key cell is empty, from its label when exactly one field not yet read has it.

        Merging a long text's cell over B:E (Excel keeps only B) empties the key beside it.
        """
        if not _is_label(label):
            return ""
        text = label.strip().removesuffix("*").strip()
        found = [
            path
            for path, spec in self.markers.items()
            if path not in self.seen and text in (spec.label_zh, spec.label_en)
        ]
        return found[0] if len(found) == 1 else ""

    def _marker(self, r: int, row: list[Any], key: str) -> _Table | None:
        spec = self.markers[key]
        if key in self.seen:
            raise self._refuse(
                f"第 {self.seen[key]} 行和第 {r} 行的键相同（{key}）：每个项目只能有一行，请删除其中一行",
                f"rows {self.seen[key]} and {r} have the same key ({key}): each field has one row; delete one of them",
            )
        self.seen[key] = r
        value = _at(row, COL_VALUE)
        if spec.type in ("object", "list-of-str", "list-of-date", "list-of-object"):
            self.cells[key] = Cell(f"{_letter(COL_LABEL)}{r}", spec.label_zh, spec.label_en)
            if not _blank(value):
                raise self._stray(
                    f"{_letter(COL_VALUE)}{r}",
                    t(
                        f"第 {r} 行是“{spec.label_zh}”的标题行，不填内容（请填在下面的行）",
                        f"row {r} is the title row of “{spec.label_en}” and takes no value (fill the rows below)",
                    ),
                )
            if spec.type == "object":
                return None
            return _Table(spec, r, [])
        self.cells[key] = Cell(f"{_letter(COL_VALUE)}{r}", spec.label_zh, spec.label_en)
        converted = _convert(spec, value)
        if converted is not None:
            _put_path(self.data, key, converted)
        return None

    def _table_row(self, table: _Table, r: int, row: list[Any]) -> None:
        spec = table.spec
        if spec.type in ("list-of-str", "list-of-date"):
            self._no_stray(row, r, {COL_VALUE}, spec)
            value = _convert(_item_spec(spec), _at(row, COL_VALUE))
            if value is not None:
                self.cells[f"{spec.path}[{len(table.items)}]"] = Cell(
                    f"{_letter(COL_VALUE)}{r}", spec.label_zh, spec.label_en
                )
                table.items.append(value)
            return
        if table.columns is None:
            columns = self._key_row(spec, row)
            if columns:
                table.columns = columns
                previous = self.rows.get(r - 1, [])
                table.names = {
                    c: _cell_text(_at(previous, c)) for c, rel in columns.items() if self._is_mapping(spec, rel)
                }
                table.header_row = r - 1
            elif r - table.title_row > 3:
                raise self._refuse(
                    f"表格“{spec.label_zh}”（第 {table.title_row} 行）缺少键行：请从 "
                    f"kam doc template {self.kind} --xlsx 生成的模板中复制表头和键行",
                    f"the table “{spec.label_en}” (row {table.title_row}) "
                    "has lost its key row: copy the header and key rows "
                    f"from a template made by kam doc template {self.kind} --xlsx",
                )
            return
        self._item(table, r, row)

    def _key_row(self, spec: FieldSpec, row: list[Any]) -> dict[int, str]:
        allowed = {column.rel for column in self.columns(spec)}
        found = {c: _cell_text(v) for c, v in enumerate(row, 1) if c >= COL_VALUE and not _blank(v)}
        if found and all(rel in allowed for rel in found.values()):
            return found
        return {}

    def _is_mapping(self, spec: FieldSpec, rel: str) -> bool:
        return any(c.rel == rel and c.spec.type == "dict-of-number" for c in self.columns(spec))

    def _no_stray(self, row: list[Any], r: int, allowed: set[int], spec: FieldSpec) -> None:
        for c, value in enumerate(row, 1):
            if c > COL_LABEL and c not in allowed and not _blank(value):
                raise self._stray(
                    f"{_letter(c)}{r}",
                    t(
                        f"它所在的列不属于表格“{spec.label_zh}”（该列没有键）",
                        f"its column belongs to no field of the table “{spec.label_en}” (the column has no key)",
                    ),
                )

    def _item(self, table: _Table, r: int, row: list[Any]) -> None:
        spec, columns = table.spec, table.columns or {}
        self._no_stray(row, r, set(columns), spec)
        if all(_blank(_at(row, c)) for c in columns):
            return
        by_rel = {column.rel: column.spec for column in self.columns(spec)}
        index = len(table.items)
        base = f"{spec.path}[{index}]"
        item: dict[str, Any] = {}
        self.cells[base] = Cell(f"{_letter(COL_LABEL)}{r}", spec.label_zh, spec.label_en)
        for c, rel in columns.items():
            child, ref, value = by_rel[rel], f"{_letter(c)}{r}", _at(row, c)
            path = f"{base}.{rel}"
            if child.type == "dict-of-number":
                name = (table.names or {}).get(c, "")
                header_ref = f"{_letter(c)}{table.header_row}"
                self.cells.setdefault(path, Cell(ref, child.label_zh, child.label_en))
                if _blank(value):
                    continue
                placeholder = _PLACEHOLDER.match(name)
                if not name or (placeholder and placeholder["label"] in (child.label_zh, child.label_en)):
                    raise self._refuse(
                        f"{ref} 有{child.label_zh}，但表头 {header_ref} "
                        f"还没有改成名称：请在 {header_ref} 填写名称（如 东风）",
                        f"{ref} holds a {child.label_en.lower()} value but its header {header_ref} is not renamed: "
                        f"type the name (e.g. Dongfeng) in {header_ref}",
                    )
                number = _convert(_number_spec(child), value)
                scores = _get_or_make(item, rel)
                scores[name] = number
                self.cells[f"{path}.{name}"] = Cell(ref, f"{child.label_zh}（{name}）", f"{child.label_en} ({name})")
                continue
            self.cells[path] = Cell(ref, child.label_zh, child.label_en)
            if child.type in ("list-of-str", "list-of-date"):
                converted: Any = _cell_list(child, value)
            else:
                converted = _convert(child, value)
            if converted is not None:
                _put_path(item, rel, converted)
        table.items.append(item)

    def _finish(self, table: _Table) -> None:
        if table.items or table.spec.required:
            _put_path(self.data, table.spec.path, table.items)

    def _complete(self, specs: tuple[FieldSpec, ...] | list[FieldSpec], data: dict[str, Any]) -> None:
        """Required objects present (so a missing field inside is reported at its own cell)."""
        for spec in specs:
            if spec.type == "object":
                inner = data.get(spec.key)
                if inner is None and spec.required and spec.path in self.seen:
                    inner = data[spec.key] = {}
                if isinstance(inner, dict):
                    self._complete(spec.children, inner)


def _at(row: list[Any], col: int) -> Any:
    return row[col - 1] if col - 1 < len(row) else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell_text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _is_label(value: Any) -> bool:
    """A field's label in column A (a title or field row), not an item number or an empty cell."""
    return isinstance(value, str) and bool(value.strip()) and not value.strip().isdigit()


def _put_path(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def _get_or_make(item: dict[str, Any], rel: str) -> dict[str, Any]:
    target = item
    for part in rel.split("."):
        target = target.setdefault(part, {})
    return target


# -- values ------------------------------------------------------------------------------------------

_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_DATETIME = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[T\s]\s*"
    r"(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*分?\s*(?:[:：]?\s*(\d{1,2})\s*秒?)?\s*$"
)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_EXCEL_DAYS = 2_958_465  # 9999-12-31 as an Excel serial


def _as_text(value: Any) -> str:
    """A cell's value as the text it shows: 13904721234 not 13904721234.0, a date as 2027-01-31."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        text = repr(value)
        if "e" in text:
            from decimal import Decimal

            text = format(Decimal(text), "f")
        return text
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M" + (":%S" if value.second else ""))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M" + (":%S" if value.second else ""))
    return str(value)


def _choice(spec: FieldSpec, value: Any) -> Any:
    """A choice's key from its key, Chinese or English label, or the short form of a label (`一级`)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", _as_text(value)).strip()
    wanted = text.casefold()
    for choice in spec.choices:
        names = {str(choice), spec.choice_label(choice, "zh"), spec.choice_label(choice, "en")}
        for label in list(names):
            short = re.split(r"[:：]", label, maxsplit=1)[0]
            names.add(short)
        if wanted in {unicodedata.normalize("NFKC", n).strip().casefold() for n in names}:
            return choice
    return text  # validation reports it with the allowed values


def _to_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    if isinstance(value, dt.date):
        return value
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and 0 < value < _EXCEL_DAYS
        and float(value).is_integer()
    ):
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date()  # a date cell whose format was lost keeps Excel's day number
    text = unicodedata.normalize("NFKC", _as_text(value)).strip()
    match = _DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:  # 2027-02-30: validation says the day is out of range
            return f"{year:04d}-{month:02d}-{day:02d}"
    return text


def _to_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0))
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < _EXCEL_DAYS:
        from openpyxl.utils.datetime import from_excel

        found = from_excel(value)
        return found if isinstance(found, dt.datetime) else value
    text = unicodedata.normalize("NFKC", _as_text(value)).strip()
    match = _DATETIME.match(text)
    if match:
        y, mo, d, h, mi, sec = (int(g) if g else 0 for g in match.groups())
        try:
            return dt.datetime(y, mo, d, h, mi, sec)
        except ValueError:  # as for dates: the ISO form, so validation names what is out of range
            return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{sec:02d}"
    return text


def _to_number(spec: FieldSpec, value: Any) -> Any:
    if isinstance(value, bool):
        return _as_text(value)  # TRUE in a number cell is a mistake, not 1
    if isinstance(value, int | float):
        if spec.type == "int" and isinstance(value, float) and value.is_integer():
            return int(value)
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return _as_text(value)
    text = unicodedata.normalize("NFKC", _as_text(value)).strip()
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    return text


def _convert(spec: FieldSpec, value: Any) -> Any:
    """One cell's value for `spec`, as `forms.validate` expects it; None for an empty cell."""
    if _blank(value):
        return None
    kind = spec.type
    if kind == "str":
        return _as_text(value)
    if kind in ("int", "number"):
        return _to_number(spec, value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = _as_text(value).strip()
        return _BOOL_WORDS.get(text, text)  # yes/no/true/false: pydantic reads them
    if kind == "choice":
        return _choice(spec, value)
    if kind == "date":
        return _to_date(value)
    if kind == "datetime":
        return _to_datetime(value)
    return value


def _cell_list(spec: FieldSpec, value: Any) -> list[Any] | None:
    """A list of text or dates kept in one cell, one item per line."""
    if _blank(value):
        return None
    if isinstance(value, dt.date):
        return [_to_date(value)]
    lines = [line for line in _as_text(value).splitlines() if line.strip()]
    if spec.type == "list-of-date":
        return [_to_date(line) for line in lines]
    return lines


def _find_sheet(book: Workbook, kind: str) -> int:
    import forms

    for index, _ in enumerate(book.sheet_names[:MAX_SHEETS]):
        found = _cell_text(book.first_row(index, COL_KEY)[COL_KEY - 1])
        if found in forms.KINDS:
            if found != kind:
                raise InvalidInput(
                    t(
                        f"文件 {book.name} 是《{forms.title(found, 'zh')}》({found}) 的表单，"
                        f"不是 {kind}：请用 kam doc fill … {found} --file {book.name}，"
                        f"或用 kam doc template {kind} --xlsx 生成 {kind} 的表单",
                        f"file {book.name} is a form for the {forms.title(found, 'en')} ({found}), not {kind}: use "
                        f"kam doc fill … {found} --file {book.name}, or make "
                        f"a {kind} form with kam doc template {kind} --xlsx",
                    )
                )
            return index
    raise InvalidInput(
        t(
            f"文件 {book.name} 不是 kam 的表单（第一行 C1 没有文档类型）："
            f"请用 kam doc template {kind} --xlsx 生成表单后填写",
            f"file {book.name} is not a kam form (cell C1 holds no document "
            f"kind): make one with kam doc template {kind} --xlsx "
            "and fill that in",
        )
    )


def read_form(kind: str, source: Source, *, name: str | None = None) -> tuple[dict[str, Any], dict[str, Cell]]:
    """A filled form as the plain document `forms.validate(kind, data)` takes, and where each key path was read.

    `cells` maps key paths (`contact.phone`, `configurations[1].quantity`, `criteria[0].competitor_scores.东风`,
    a table's own path for its title row) to their `Cell`. Refuses (`InvalidInput`) what `open_workbook`
    refuses, a form of another kind, and content it could only guess at (see the module docstring).
    """
    import forms

    forms.get(kind)  # UnknownKind before any file is read
    name = _source_name(source, name)
    with open_workbook(source, name=name) as book:
        index = _find_sheet(book, kind)
        rows = book.rows(index, max_rows=FORM_MAX_ROWS, max_cols=FORM_MAX_COLS)
    return _FormReader(kind, name, rows).read()


def locate(error: FieldError, cells: dict[str, Cell]) -> Cell | None:
    """The cell of a validation problem: its own path, else the nearest enclosing one that was read."""
    path = error.path
    while path:
        if path in cells:
            return cells[path]
        path = _parent(path)
    return None


def _parent(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path.rsplit(".", 1)[0] if "." in path else ""


def problem(error: FieldError, cells: dict[str, Cell]) -> Text:
    """A validation problem as the manager reads it: `B12 电话: 应为文本` (`B12 Phone: …`)."""
    cell = locate(error, cells)
    if cell is None:
        return Text(error.render("zh"), error.render("en"))
    return Text(f"{cell.ref} {cell.label_zh}: {error.message_zh}", f"{cell.ref} {cell.label_en}: {error.message_en}")


def check(kind: str, data: dict[str, Any], cells: dict[str, Cell], *, name: str = "") -> Form:
    """`forms.validate`, with every problem named by its cell; `InvalidInput` listing them all, nothing stored."""
    import forms

    try:
        return forms.validate(kind, data)
    except forms.FormInvalid as exc:
        title_zh, title_en = forms.title(kind, "zh"), forms.title(kind, "en")
        where_zh, where_en = (f"（{name}）", f" ({name})") if name else ("", "")
        raise InvalidInput(
            t(
                f"《{title_zh}》表单{where_zh}有 {len(exc.errors)} 处问题，未保存：",
                f"the {title_en} form{where_en} has {len(exc.errors)} problem(s); nothing was stored:",
            ),
            [problem(error, cells) for error in exc.errors],
        ) from None


def load_form(kind: str, source: Source, *, name: str | None = None) -> dict[str, Any]:
    """Read and check a filled form: the document dict to store, or `InvalidInput` naming every cell at fault."""
    name = _source_name(source, name)
    data, cells = read_form(kind, source, name=name)
    check(kind, data, cells, name=name)
    return data

"""Excel workbooks (XLSX) of tables: what `--xlsx FILE` writes on `opp list`, `report pipeline`, `schedule`,
`agenda` and `review pending`.

The writer knows no database: a command turns each table of its report into a
`Sheet` (named columns of a kind, plain rows) and writes the bytes where the user
asked. What a workbook holds, and why:

- **Typed cells.** Numbers are numbers, dates are dates, so a manager can sum,
  sort and filter: `int` (plain, no separator: ids are ints), `number`
  (`#,##0.00`), `money` (`#,##0.00"元"`, in English `"CNY "#,##0.00`: 元 says the
  currency without the ¥ sign the yen shares), `percent` (a fraction, 0.35 shown
  as 35.0 %: pass the heat of 0-100 divided by 100), `date` (`yyyy-mm-dd`),
  `datetime` (`yyyy-mm-dd hh:mm`; a time with a zone is shown in `tz`, by default
  the machine's zone as the terminal tables show it; a naive one as it is),
  `bool` (是/否, yes/no: words a filter lists), `text` (anything else, as text;
  a bilingual `Text` in the workbook's language). `None`, NaN and infinities are
  empty cells.
- **Text is never a formula.** Every text cell is written as a string, whatever it
  starts with; one starting with `=`, `+`, `-` or `@` also gets Excel's quote
  prefix, so that editing the cell does not turn it into a formula either
  (CSV/formula injection: a customer named `=HYPERLINK(...)` stays a name).
- **A frozen bold header, an autofilter over the table**, and column widths that
  fit the longest value, counting an East Asian wide character as two (a Chinese
  character is about two digits wide in Excel's default fonts), between 6 and 60.
- **Valid, unique sheet names** (`sheet_names`): at most 31 characters, none of
  `[]:*?/\\`, no apostrophe at either end, not Excel's reserved "History", unique
  without regard to case.
- **Deterministic bytes.** The document properties carry `generated_at` (a fixed
  2000-01-01 without it), every part of the package the zip epoch 1980-01-01, so
  the same sheets give the same file.
- **Fast.** openpyxl (imported when a workbook is written: it takes 0.2 s to
  import) builds the package: the workbook, the styles, each sheet's view, column
  widths, autofilter and header row. Its per-cell writer costs about 10 µs a cell
  (100,000 rows × 10 columns: 12 s, even in write-only mode), so the body rows are
  streamed into each worksheet part here, as the same SpreadsheetML openpyxl
  writes (inline strings, numbers with the style ids openpyxl assigned), and the
  tests hold the two to the same cells read back. 100,000 × 10 takes about 1.5 s.

Errors: `InvalidInput` when a table cannot fit a worksheet (1,048,575 rows and
16,384 columns at most; kam's commands say which option narrows it) or when no
sheet is given; `TypeError`/`ValueError` for a value that does not fit its column's
kind or a row of the wrong length (a bug in the caller, not the user's input).
A text longer than the 32,767 characters a cell holds is cut, with "…" at the end;
control characters XML cannot carry are dropped.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from workflow.errors import InvalidInput
from workflow.i18n import Text, t

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Kind = Literal["text", "int", "number", "money", "percent", "date", "datetime", "bool"]
KINDS: tuple[str, ...] = ("text", "int", "number", "money", "percent", "date", "datetime", "bool")

NUMBER_FORMATS: dict[str, Text] = {
    "int": t("0", "0"),
    "number": t("#,##0.00", "#,##0.00"),
    "money": t('#,##0.00"元"', '"CNY "#,##0.00'),
    "percent": t("0.0%", "0.0%"),
    "date": t("yyyy-mm-dd", "yyyy-mm-dd"),
    "datetime": t("yyyy-mm-dd hh:mm", "yyyy-mm-dd hh:mm"),
}
BOOL_LABELS = {True: t("是", "yes"), False: t("否", "no")}

MAX_ROWS = 1_048_576  # a worksheet's rows, the header's included
MAX_COLUMNS = 16_384
MAX_CELL_TEXT = 32_767
MAX_SHEET_NAME = 31
MIN_WIDTH, MAX_WIDTH = 6, 60
PADDING = 2  # the cell's margins, in character widths
FILTER_BUTTON = 2  # the header's autofilter arrow covers about two characters
DEFAULT_TIME = dt.datetime(2000, 1, 1)  # the document properties' time without `generated_at`
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry: the reproducible-build convention
ROWS_PER_CHUNK = 2_000

# What XML 1.0 cannot carry (openpyxl refuses it too), and what UTF-8 cannot (unpaired surrogates).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_EXCEL_DAY0 = dt.date(1899, 12, 30).toordinal()  # serial 0 of the 1900 date system, right from 1900-03-01 on
_FIRST_SERIAL_DATE = dt.date(1900, 3, 1)


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header (a `Text` is rendered in the workbook's language), its kind, its width if fixed."""

    header: str | Text
    kind: Kind = "text"
    width: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.header!r}: kind {self.kind!r} is not one of {', '.join(KINDS)}")


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table: a worksheet named `name` with `columns` and `rows` (each a sequence of one value per column)."""

    name: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]


def write_xlsx(
    sheets: Sequence[Sheet],
    *,
    lang: str = "zh",
    generated_at: dt.datetime | None = None,
    tz: dt.tzinfo | None = None,
) -> bytes:
    """The XLSX workbook of `sheets`, one worksheet each, in the order given.

    `lang` picks the money format, the yes/no words and how `Text` values read;
    `generated_at` (naive values are UTC) is the workbook's created and modified
    time; `tz` the zone times with a zone are shown in (default: the machine's).
    """
    if not sheets:
        raise InvalidInput(t("工作簿至少要有一张表", "a workbook needs at least one sheet"))
    plans = [_Plan(sheet, lang, tz) for sheet in sheets]  # every value checked before anything is written

    stamp = generated_at or DEFAULT_TIME
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    try:
        return _workbook(plans, sheet_names([s.name for s in sheets]), lang, stamp)
    except OSError as exc:  # openpyxl streams each worksheet through a temporary file
        raise InvalidInput(
            t(
                f"无法写出工作簿：临时文件写入失败（{exc.strerror}）："
                f"检查临时目录 {tempfile.gettempdir()} 的空间与权限",
                f"cannot write the workbook: its temporary file failed ({exc.strerror}): "
                f"check the space and permissions of {tempfile.gettempdir()}",
            )
        ) from None


def _workbook(plans: list[_Plan], names: list[str], lang: str, stamp: dt.datetime) -> bytes:
    """The package, built by openpyxl in write-only mode, with the body rows streamed in by `_Package`."""
    # openpyxl is imported here, not at the top: it costs 0.2 s, which only --xlsx should pay
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook(write_only=True)
    properties = workbook.properties
    properties.creator, properties.created, properties.modified = "kam", stamp, stamp
    properties.language = "zh-CN" if lang == "zh" else "en"
    bold = Font(bold=True)
    for plan, title in zip(plans, names, strict=True):
        worksheet = workbook.create_sheet(title)
        plan.styles = _styles(worksheet, plan.kinds, lang, WriteOnlyCell, Alignment)
        worksheet.freeze_panes = "A2"
        for index, width in enumerate(plan.widths, 1):
            worksheet.column_dimensions[get_column_letter(index)].width = width
        worksheet.auto_filter.ref = plan.ref
        header = []
        for text in plan.headers:
            cell = WriteOnlyCell(worksheet, text)
            cell.data_type = "s"  # a header is text even when it starts with "="
            cell.font = bold
            header.append(cell)
        worksheet.append(header)

    out = io.BytesIO()
    package = _Package(out, plans)
    try:
        ExcelWriter(workbook, package).save()
    finally:
        package.close()
    return out.getvalue()


def sheet_names(names: Iterable[str]) -> list[str]:
    """Names Excel accepts for these sheets: invalid characters become `_`, cut to 31, made unique (` (2)`)."""
    out: list[str] = []
    taken: set[str] = set()
    for number, name in enumerate(names, 1):
        base = _BAD_SHEET_CHARS.sub("_", name).strip().strip("'")
        base = _cut_utf16(base, MAX_SHEET_NAME).strip().strip("'") or f"Sheet{number}"
        if base.casefold() == "history":  # Excel keeps this name for its change tracking
            base += "_"
        candidate, copy = base, 2
        while candidate.casefold() in taken:
            suffix = f" ({copy})"
            candidate = _cut_utf16(base, MAX_SHEET_NAME - len(suffix)).rstrip().rstrip("'") + suffix
            copy += 1
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


def display_width(text: str) -> int:
    """How many character widths `text` takes on its longest line: East Asian wide and full-width count two."""
    if text.isascii():
        return max(map(len, text.split("\n"))) if "\n" in text else len(text)
    if "\n" in text:
        return max(display_width(line) for line in text.split("\n"))
    wide = unicodedata.east_asian_width
    return sum(2 if wide(c) in "WF" else 1 for c in text)


# -- checking and measuring a sheet before it is written -------------------------------------------


class _Plan:
    """One sheet, checked and measured: the headers, the widths, the autofilter range; later its style ids."""

    def __init__(self, sheet: Sheet, lang: str, tz: dt.tzinfo | None) -> None:
        self.sheet, self.lang, self.tz = sheet, lang, tz
        columns = list(sheet.columns)
        if not columns or len(columns) > MAX_COLUMNS:
            raise InvalidInput(
                t(
                    f"表 {sheet.name!r} 有 {len(columns)} 列：一张工作表须有 1 到 {MAX_COLUMNS} 列",
                    f"sheet {sheet.name!r} has {len(columns)} columns: a worksheet holds 1 to {MAX_COLUMNS}",
                )
            )
        if len(sheet.rows) >= MAX_ROWS:
            raise InvalidInput(
                t(
                    f"表 {sheet.name!r} 有 {len(sheet.rows)} 行，超过 Excel 一张工作表的上限 {MAX_ROWS - 1} 行："
                    "用筛选条件（如 --owner）缩小范围",
                    f"sheet {sheet.name!r} has {len(sheet.rows)} rows, past the {MAX_ROWS - 1} an Excel worksheet "
                    "holds: narrow it with a filter such as --owner",
                )
            )
        for number, row in enumerate(sheet.rows, 1):
            if len(row) != len(columns):
                raise ValueError(f"sheet {sheet.name!r}, row {number}: {len(row)} values for {len(columns)} columns")
        self.kinds = [c.kind for c in columns]
        self.headers = [_clean(c.header.render(lang) if isinstance(c.header, Text) else c.header) for c in columns]
        self.widths = [
            column.width if column.width is not None else self._width(index, column, header)
            for index, (column, header) in enumerate(zip(columns, self.headers, strict=True))
        ]
        last = _column_letter(len(columns))
        self.ref = f"A1:{last}{len(sheet.rows) + 1}"
        self.styles: dict[str, int] = {}

    def _width(self, index: int, column: Column, header: str) -> float:
        """The header's or the widest value's width (every value's kind checked on the way), within bounds."""
        name, kind = self.sheet.name, column.kind
        widest = display_width(header) + FILTER_BUTTON
        values = (row[index] for row in self.sheet.rows)
        if kind == "text":
            for value in values:
                if value is None:
                    continue
                # Cleaning only takes characters out: the text as given is measured (a bound, and exact for
                # kam's text). It is measured only when its bound says it could widen the column: n characters
                # in u octets of UTF-8 are at most n + (u - n) // 2 wide (a wide character takes 3 or 4 octets).
                text = value if isinstance(value, str) else _text(value, self.lang)
                if 2 * len(text) > widest:
                    octets = len(text) if text.isascii() else len(text.encode(errors="surrogatepass"))
                    bound = len(text) + (octets - len(text)) // 2
                    if bound > widest:
                        widest = max(widest, display_width(text))
                        if widest >= MAX_WIDTH:
                            break
        elif kind in ("int", "number", "money", "percent"):
            low = high = None
            for value in values:
                if value is not None:
                    number = _number(value, name, column)
                    if number is not None and math.isfinite(number):
                        low = number if low is None or number < low else low
                        high = number if high is None or number > high else high
            shown = [_shown_number(kind, v, self.lang) for v in (low, high) if v is not None]
            widest = max([widest, *map(display_width, shown)])
        elif kind in ("date", "datetime"):
            convert = _as_date if kind == "date" else _as_datetime
            for value in values:
                if value is not None:
                    convert(value, name, column, self.tz)
            widest = max(widest, 10 if kind == "date" else 16)
        else:  # bool
            for value in values:
                if value is not None and not isinstance(value, bool):
                    raise TypeError(f"sheet {name!r}, column {column.header!r}: {value!r} is not a bool")
            widest = max(widest, max(display_width(label.render(self.lang)) for label in BOOL_LABELS.values()))
        return float(min(MAX_WIDTH, max(MIN_WIDTH, widest + PADDING)))


def _styles(
    worksheet: WriteOnlyWorksheet, kinds: Sequence[str], lang: str, cell: Any, alignment: Any
) -> dict[str, int]:
    """The style ids openpyxl assigns to each number format, to quote-prefixed text and to wrapped text."""
    out: dict[str, int] = {}
    for kind in dict.fromkeys(kinds):
        if kind in NUMBER_FORMATS:
            styled = cell(worksheet)
            styled.number_format = NUMBER_FORMATS[kind].render(lang)
            out[kind] = styled.style_id
    for key, quoted, wrapped in (("quoted", True, False), ("wrapped", False, True), ("quoted-wrapped", True, True)):
        styled = cell(worksheet)
        styled.quotePrefix = quoted
        if wrapped:
            styled.alignment = alignment(wrap_text=True, vertical="top")
        out[key] = styled.style_id
    return out


# -- the values ------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text an XML cell can hold: line breaks as `\\n`, no illegal characters, at most 32,767 characters."""
    if not text.isprintable():  # false for line breaks, tabs, control characters, surrogates, U+FFFE/FFFF
        text = _ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - 1] + "…"
    return text


def _text(value: Any, lang: str) -> str:
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, Text):
        return _clean(value.render(lang))
    if isinstance(value, bool):
        return BOOL_LABELS[value].render(lang)
    if isinstance(value, dt.date):
        return value.isoformat(" ", "minutes") if isinstance(value, dt.datetime) else value.isoformat()
    return _clean(str(value))


def _number(value: Any, sheet: str, column: Column) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"sheet {sheet!r}, column {column.header!r}: {value!r} is not a number ({column.kind})")
    if isinstance(value, int):
        return value
    number = float(value)
    return number if math.isfinite(number) else None


def _shown_number(kind: str, value: float, lang: str) -> str:
    """The number as its format shows it, to measure the column."""
    if kind == "int":
        return f"{value:.0f}"
    if kind == "percent":
        return f"{value * 100:.1f}%"
    shown = f"{value:,.2f}"
    if kind == "money":
        return shown + "元" if lang == "zh" else "CNY " + shown
    return shown


def _as_datetime(value: Any, sheet: str, column: Column, tz: dt.tzinfo | None) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is None else value.astimezone(tz).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    raise TypeError(f"sheet {sheet!r}, column {column.header!r}: {value!r} is not a date or time")


def _as_date(value: Any, sheet: str, column: Column, tz: dt.tzinfo | None) -> dt.date:
    if isinstance(value, dt.datetime):
        return _as_datetime(value, sheet, column, tz).date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"sheet {sheet!r}, column {column.header!r}: {value!r} is not a date")


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cut_utf16(text: str, units: int) -> str:
    """At most `units` UTF-16 code units (Excel counts a character outside the BMP as two)."""
    while len(text.encode("utf-16-le")) // 2 > units:
        text = text[:-1]
    return text


# -- the rows, as SpreadsheetML --------------------------------------------------------------------------

CellWriter = Callable[[Any, str], str]  # (value, row number as text) -> the <c> element, "" for an empty cell


def _cell_writers(plan: _Plan) -> list[CellWriter]:
    """One function per column turning a value into its `<c>` element (values were checked by `_Plan`)."""
    lang, tz, styles = plan.lang, plan.tz, plan.styles
    writers: list[CellWriter] = []
    for index, kind in enumerate(plan.kinds):
        ref = f'<c r="{_column_letter(index + 1)}'
        if kind == "text":
            writers.append(_text_writer(ref, lang, styles))
        elif kind == "bool":
            writers.append(_bool_writer(ref, lang))
        elif kind in ("date", "datetime"):
            writers.append(_date_writer(ref, kind, styles[kind], tz, plan.sheet.name))
        else:
            writers.append(_number_writer(ref, styles[kind]))
    return writers


def _bool_writer(ref: str, lang: str) -> CellWriter:
    ends = {flag: f'" t="inlineStr"><is><t>{label.render(lang)}</t></is></c>' for flag, label in BOOL_LABELS.items()}

    def write(value: Any, row: str) -> str:
        return f"{ref}{row}{ends[value]}"

    return write


def _text_writer(ref: str, lang: str, styles: dict[str, int]) -> CellWriter:
    quoted, wrapped, both = (f' s="{styles[k]}"' for k in ("quoted", "wrapped", "quoted-wrapped"))

    def write(value: Any, row: str) -> str:
        text = (
            value if type(value) is str and value.isprintable() and len(value) <= MAX_CELL_TEXT else _text(value, lang)
        )
        if not text:
            return ""
        style = ""
        if text.startswith(_FORMULA_START):
            style = both if "\n" in text else quoted
        elif "\n" in text:
            style = wrapped
        space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
        if "&" in text or "<" in text or ">" in text:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'{ref}{row}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'

    return write


def _number_writer(ref: str, style_id: int) -> CellWriter:
    style = f' s="{style_id}"><v>'

    def write(value: Any, row: str) -> str:
        if isinstance(value, int):
            return f'{ref}{row}"{style}{value}</v></c>'
        number = float(value)
        return f'{ref}{row}"{style}{number!r}</v></c>' if math.isfinite(number) else ""

    return write


def _date_writer(ref: str, kind: str, style_id: int, tz: dt.tzinfo | None, sheet: str) -> CellWriter:
    style = f' s="{style_id}"><v>'
    column = Column("", "date")

    def write(value: Any, row: str) -> str:
        if kind == "date":
            day = _as_date(value, sheet, column, tz)
            serial: int | float = day.toordinal() - _EXCEL_DAY0
        else:
            moment = _as_datetime(value, sheet, column, tz)
            day = moment.date()
            seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
            serial = day.toordinal() - _EXCEL_DAY0 + seconds / 86400
        if day < _FIRST_SERIAL_DATE:  # Excel's 1900 system miscounts (or cannot show) earlier days: as text
            return f'{ref}{row}" t="inlineStr"><is><t>{value.isoformat()}</t></is></c>'
        return f'{ref}{row}"{style}{serial!r}</v></c>'

    return write


def _rows_xml(plan: _Plan) -> Iterator[bytes]:
    """The sheet's body rows (from row 2), in chunks of encoded SpreadsheetML."""
    writers = _cell_writers(plan)
    chunk: list[str] = []
    for number, values in enumerate(plan.sheet.rows, 2):
        row = str(number)
        cells = "".join([write(value, row) for write, value in zip(writers, values, strict=True) if value is not None])
        chunk.append(f'<row r="{row}">{cells}</row>')
        if len(chunk) == ROWS_PER_CHUNK:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()


class _Package(zipfile.ZipFile):
    """The zip openpyxl writes the workbook into: fixed entry times, and each worksheet's rows streamed in.

    openpyxl hands over each write-only worksheet as a temporary file holding the
    sheet's view, columns and header row (`write`); the body rows go in before its
    `</sheetData>`, which user text cannot contain (it is escaped in cells), and a
    `<dimension>` says the table's extent.
    """

    def __init__(self, file: io.BytesIO, plans: list[_Plan]) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self._plans = iter(plans)

    @staticmethod
    def _entry(name: str) -> zipfile.ZipInfo:
        entry = zipfile.ZipInfo(name, ZIP_TIME)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.create_system = 3  # as written on Unix, wherever kam runs
        entry.external_attr = 0o600 << 16
        return entry

    def writestr(self, zinfo_or_arcname: str | zipfile.ZipInfo, data: Any, *args: Any, **kwargs: Any) -> None:
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        super().writestr(self._entry(name), data)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        if not str(arcname).startswith("xl/worksheets/"):
            raise AssertionError(f"openpyxl wrote {arcname} from a file: only worksheets are expected")
        plan = next(self._plans)
        with open(filename, encoding="utf-8") as part:
            head, tail = part.read().split("</sheetData>")
        head = head.replace("<sheetViews>", f'<dimension ref="{plan.ref}"/><sheetViews>', 1)
        large = len(plan.sheet.rows) * len(plan.kinds) > 5_000_000  # past 2 GiB is possible: zip64 sizes
        with self.open(self._entry(str(arcname)), "w", force_zip64=large) as out:
            out.write(head.encode())
            for chunk in _rows_xml(plan):
                out.write(chunk)
            out.write(("</sheetData>" + tail).encode())

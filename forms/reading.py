"""Reading a file a person wrote: bounded, decoded, parsed, and read as written.

The one way kam reads a YAML or JSON file: documents for `kam doc fill --file`,
process files for `--process`, exports for `kam import`. Each step refuses what
would cost the machine more than the file is worth, with an `InvalidInput` that
names the file, the line and the limit:

    read_bytes(path, limit)        the bytes of a path, or of stdin for "-", read in chunks up to a limit
    decode_text(raw, source)       UTF-8 (with or without a BOM), or GBK/GB18030 when that is plausible text
    parse_document(text, source)   a document: YAML scalars as written, JSON numbers keeping their text
    resolve(model, tree)           what each field of a pydantic model needs, from such a tree
    load_yaml(text, source)        typed YAML (process files), optionally with the line of every mapping
    load_json(text, source)        typed JSON (imports)
    read_document(path)            all of it for `kam doc fill --file`

Why our own builder over PyYAML's events instead of `yaml.load`: libyaml's
parser (the C half of `CSafeLoader`) is fast and safe, but composing and
constructing are where a file does harm. An alias is a reference, so a 352-byte
"billion laughs" loads in no time and then costs every reader of the tree (the
size checks, pydantic, json.dumps) a billion items. Building the tree from the
event stream ourselves lets every bound be checked as the file is read: the
expanded size of every alias, nesting depth, node count, scalar length,
duplicate keys (PyYAML keeps the last one silently), and the line of each
mapping and key, without a second pass and without recursion.

Why scalars "as written" in documents: YAML 1.1 reads `phone: 13904001234` as a
number, `postcode: 0472` as the octal 314, `contract_no: 2027-001` as text but
`2027-01-01` as a date. A person means the characters they typed. So a
document's plain scalars stay text (only the YAML nulls mean "not given"), and
`resolve` gives each field of the schema what its type needs, from that text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import os
import re
import stat
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Literal, Union, get_args, get_origin

from forms import MAX_DEPTH, MAX_KEY_CHARS
from forms.choices import for_values
from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.values.dates import parse_date, parse_datetime
from workflow.values.writing import path_text

if TYPE_CHECKING:
    from pydantic import BaseModel


# -- limits ------------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one file may hold. Every bound is checked while reading, before anything else sees the data.

    `max_nodes` counts every scalar and collection *after* aliases are expanded (an alias to a
    list of 1,000 items counts 1,000), so it bounds what any later reader of the tree walks.
    `max_depth` counts nested collections (the top-level mapping is depth 1).
    """

    max_bytes: int
    max_depth: int
    max_nodes: int
    max_aliases: int
    max_scalar_chars: int
    max_key_chars: int


# A document: 5 MB, the depth and key length of `forms` (one declaration each), and far more values and text
# than `forms.validate` accepts (MAX_DOCUMENT_ITEMS entries, MAX_DOCUMENT_CHARS characters): the schema reports a
# document merely too long, or a text holding a NUL or a surrogate, with its field's label and every other
# problem at once; the reader stops only the absurd. A document needs no aliases at all, a few are harmless.
DOCUMENT = Limits(
    max_bytes=5_000_000,
    max_depth=MAX_DEPTH,
    max_nodes=100_000,
    max_aliases=100,
    max_scalar_chars=1_000_000,
    max_key_chars=MAX_KEY_CHARS,
)
# A process file is a few kilobytes of stages and rules.
PROCESS = Limits(
    max_bytes=1_000_000, max_depth=20, max_nodes=100_000, max_aliases=100, max_scalar_chars=10_000, max_key_chars=200
)
# An export of a whole database (accounts, opportunities, documents, history): large, but not without end.
IMPORT = Limits(
    max_bytes=100_000_000,
    max_depth=MAX_DEPTH + 12,
    max_nodes=5_000_000,
    max_aliases=0,
    max_scalar_chars=1_000_000,
    max_key_chars=MAX_KEY_CHARS,
)

FILE = t("文件", "file")
PROCESS_FILE = t("流程文件", "process file")

_CHUNK = 1 << 16


def _name(kind: Text, source: str) -> Text:
    """How a message names the input: "文件 visit.yaml" / "file visit.yaml", or standard input for "-"."""
    if source == "-":
        return t("标准输入", "standard input")
    return t(f"{kind.zh} {path_text(source)}", f"{kind.en} {path_text(source)}")


def _size(limit: int) -> Text:
    if limit >= 1_000_000 and limit % 1_000_000 == 0:
        return t(f"{limit // 1_000_000} MB", f"{limit // 1_000_000} MB")
    if limit >= 1_000 and limit % 1_000 == 0:
        return t(f"{limit // 1_000} KB", f"{limit // 1_000} KB")
    return t(f"{limit:,} 字节", f"{limit:,} bytes")


def _at(name: Text, line: int | None, zh: str, en: str) -> InvalidInput:
    if line is None:
        return InvalidInput(t(f"{name.zh}：{zh}", f"{name.en}: {en}"))
    return InvalidInput(t(f"{name.zh} 第 {line} 行：{zh}", f"{name.en} line {line}: {en}"))


# -- bytes -------------------------------------------------------------------------------------------------------


def read_bytes(path: str, limit: int, *, stdin: IO[bytes] | None = None, kind: Text = FILE) -> bytes:
    """The bytes of `path` ("-": standard input), refused past `limit` bytes without reading further.

    A stream is read in 64 KiB chunks and never more than `limit + 1` bytes in all, so a
    `--file -` fed from an endless pipe costs at most the limit; a regular file larger than
    the limit is refused from its size alone.
    """
    name = _name(kind, path)
    if path == "-":
        stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
        if stream is None:  # no standard input at all (a closed descriptor): nothing to read
            return b""
        try:
            return _read_stream(stream, limit, name)
        except OSError as exc:
            raise _unreadable(name, exc) from None
    try:
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > limit:
                raise _too_big(name, limit)
            return _read_stream(fh, limit, name)
    except OSError as exc:
        raise _unreadable(name, exc) from None


def _read_stream(stream: IO[bytes], limit: int, name: Text) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise _too_big(name, limit)
        chunks.append(chunk)


def _too_big(name: Text, limit: int) -> InvalidInput:
    size = _size(limit)
    return InvalidInput(
        t(
            f"{name.zh} 超过 {size.zh} 上限：请删减内容后重试",
            f"{name.en} is larger than the {size.en} limit: shorten it and retry",
        )
    )


def _unreadable(name: Text, exc: OSError) -> InvalidInput:
    if exc.errno == errno.ENOENT:
        return InvalidInput(
            t(f"{name.zh} 不存在：请检查路径和文件名", f"{name.en} does not exist: check the path and the name")
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return InvalidInput(t(f"没有权限读取{name.zh}", f"no permission to read {name.en}"))
    if exc.errno == errno.EISDIR:
        return InvalidInput(t(f"{name.zh} 是文件夹：请给出一个文件", f"{name.en} is a folder: give a file"))
    return InvalidInput(t(f"无法读取{name.zh}：{exc.strerror}", f"cannot read {name.en}: {exc.strerror}"))


# -- text --------------------------------------------------------------------------------------------------------

_SAVE_AS_UTF8 = t(
    "请另存为 UTF-8 编码：WPS/记事本：另存为 → 编码选 UTF-8；Excel：另存为 → CSV UTF-8（逗号分隔）",
    "save it as UTF-8: in WPS or Notepad (记事本): Save As → Encoding: UTF-8; "
    "in Excel: Save As → CSV UTF-8 (Comma delimited)",
)
# Characters no reader of ours accepts in a file: C0 controls except tab/LF/CR, DEL, C1 controls (NEL too: libyaml
# would take it as a line break), lone surrogates, and the two noncharacters YAML refuses.
_UNUSABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# In a legacy-decoded text: private use (GBK's user-defined area, where Big5 and Shift-JIS bytes land) or C1.
_IMPLAUSIBLE = re.compile("[\x80-\x9f\ue000-\uf8ff\U000f0000-\U0010ffff]")


def decode_text(raw: bytes, source: str, *, kind: Text = FILE) -> str:
    """The text of a file: UTF-8 with or without a BOM, else GBK/GB18030 when that reads as Chinese text.

    Notepad and WPS on a Chinese Windows save GBK unless told otherwise. It is decoded
    strictly, and only when most of its characters are common Chinese ones (GB2312): a
    Latin-1, Big5 or Shift-JIS file also decodes as GB18030 byte for byte, into nonsense.
    Anything else is refused with how to save the file as UTF-8.
    """
    name = _name(kind, source)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidInput(
            t(
                f"{name.zh} 是 UTF-16 编码（记事本里叫“Unicode”）：{_SAVE_AS_UTF8.zh}",
                f'{name.en} is UTF-16 text (Notepad calls it "Unicode"): {_SAVE_AS_UTF8.en}',
            )
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        hint = (
            t("（看起来是 Excel 或压缩文件）", " (it looks like an Excel or ZIP file)")
            if raw.startswith(b"PK\x03\x04")
            else t("", "")
        )
        raise InvalidInput(
            t(
                f"{name.zh} 不是文本文件{hint.zh}：第 {nul + 1} 个字节是 NUL；请给出 YAML 或 JSON 文本",
                f"{name.en} is not a text file{hint.en}: byte {nul + 1} is NUL; give a YAML or JSON text file",
            )
        )
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start + len(raw) - len(body)
    legacy = _chinese_legacy(raw)
    if legacy is not None:
        return legacy
    line = raw.count(b"\n", 0, bad) + 1
    raise InvalidInput(
        t(
            f"{name.zh} 不是 UTF-8 编码（第 {line} 行，第 {bad + 1} 个字节）：{_SAVE_AS_UTF8.zh}",
            f"{name.en} is not UTF-8 text (line {line}, byte {bad + 1}): {_SAVE_AS_UTF8.en}",
        )
    )


def _chinese_legacy(raw: bytes) -> str | None:
    """`raw` as GB18030 if it decodes strictly and at least half its non-ASCII characters are GB2312's."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return None
    if _IMPLAUSIBLE.search(text):
        return None
    ascii_chars = len(text.encode("ascii", "ignore"))
    wide = len(text) - ascii_chars
    common = (len(text.encode("gb2312", "ignore")) - ascii_chars) // 2  # GB2312 characters take two bytes each
    return text if wide and common * 2 >= wide else None


def _check_text(text: str, name: Text) -> None:
    """Refuse the characters that cannot be stored or that a parser would refuse in its own words."""
    found = _UNUSABLE.search(text)
    if found is None:
        return
    position = found.start()
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    code = f"U+{ord(found.group()):04X}"
    if 0xD800 <= ord(found.group()) <= 0xDFFF:
        what = t(f"无效字符 {code}（不成对的代理码位）", f"the invalid character {code} (an unpaired surrogate)")
    else:
        what = t(f"控制字符 {code}", f"the control character {code}")
    raise InvalidInput(
        t(
            f"{name.zh} 第 {line} 行第 {column} 列有{what.zh}：请删除",
            f"{name.en} line {line} column {column}: contains {what.en}: remove it",
        )
    )


def read_text(path: str, limit: int, *, stdin: IO[bytes] | None = None, kind: Text = FILE) -> str:
    """`read_bytes` then `decode_text`: the checked text of a file, for any parser."""
    text = decode_text(read_bytes(path, limit, stdin=stdin, kind=kind), path, kind=kind)
    _check_text(text, _name(kind, path))
    return text


# -- lines -------------------------------------------------------------------------------------------------------


class LineDict(dict[Any, Any]):
    """A mapping from `load_yaml(..., lines=True)`: `.line` is where it starts, `.lines[key]` where each key is."""

    __slots__ = ("line", "lines")

    line: int
    lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence from `load_yaml(..., lines=True)`: `.line` is where it starts, `.lines[i]` where item i is."""

    __slots__ = ("line", "lines")

    line: int
    lines: list[int]


def line_of(value: Any, default: int | None = None) -> int | None:
    """The line a mapping or sequence read with `lines=True` starts on; `default` for anything else."""
    return value.line if isinstance(value, LineDict | LineList) else default


def key_line(mapping: Any, key: Any, default: int | None = None) -> int | None:
    """The line of `key` in a mapping read with `lines=True`; `default` when unknown."""
    if isinstance(mapping, LineDict):
        return mapping.lines.get(key, default)
    return default


# -- YAML --------------------------------------------------------------------------------------------------------

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_STD + name for name in ("str", "int", "float", "bool", "null", "timestamp", "value"))
_NO_KEY: Any = object()
_ESCAPED_NUL = (
    "含 NUL 或无效的 Unicode 字符（来自转义 \\0 或 \\uD800 这类写法）：请删除",
    "contains a NUL or an invalid Unicode character (from an escape such as \\0 or \\uD800): remove it",
)
_MERGE: Any = object()


class _Frame:
    """An open mapping or sequence while its events arrive."""

    __slots__ = (
        "container",
        "is_map",
        "anchor",
        "start",
        "line",
        "key",
        "key_text",
        "key_lines",
        "item_lines",
        "merges",
    )

    def __init__(self, container: Any, is_map: bool, anchor: str | None, start: int, line: int) -> None:
        self.container = container
        self.is_map = is_map
        self.anchor = anchor
        self.start = start
        self.line = line
        self.key: Any = _NO_KEY
        self.key_text = ""
        self.key_lines: dict[Any, int] = {}
        self.item_lines: list[int] = []
        self.merges: list[dict[Any, Any]] = []


class _Builder:
    """Builds the tree from libyaml's events, checking every bound of `limits` as it goes.

    `written`: plain scalars stay text (the YAML nulls become None); otherwise they are
    resolved as YAML 1.1 does (SafeLoader's ints, floats, booleans, dates). `lines`:
    mappings and sequences come back as `LineDict` / `LineList`.
    """

    def __init__(self, name: Text, limits: Limits, *, lines: bool, written: bool) -> None:
        import yaml

        self.yaml = yaml
        self.name = name
        self.limits = limits
        self.lines = lines
        self.written = written
        self.nodes = 0
        self.aliases = 0
        self.documents = 0
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, text: str) -> Any:
        yaml = self.yaml
        ev = yaml.events
        # libyaml's parser when PyYAML was built with it (the usual wheels), else the same parser in Python
        parser = yaml.CBaseLoader(text) if getattr(yaml, "__with_libyaml__", False) else yaml.BaseLoader(text)
        try:
            while True:
                event = parser.get_event()
                kind = type(event)
                if kind is ev.ScalarEvent:
                    self._scalar(event)
                elif kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
                    self._open(event, kind is ev.MappingStartEvent)
                elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                    self._close()
                elif kind is ev.AliasEvent:
                    self._alias(event)
                elif kind is ev.DocumentStartEvent:
                    self.documents += 1
                    if self.documents > 1:
                        raise _at(
                            self.name,
                            event.start_mark.line + 1,
                            "一个文件只能有一个文档：删除“---”之后的内容，或分成多个文件",
                            "a file holds one document: remove what follows the '---', or split the file",
                        )
                elif kind is ev.StreamEndEvent:
                    return self.root
        finally:
            parser.dispose()

    # each event ---------------------------------------------------------------------------------------------

    def _count(self, nodes: int, line: int) -> None:
        self.nodes += nodes
        if self.nodes > self.limits.max_nodes:
            n = self.limits.max_nodes
            raise _at(
                self.name,
                line,
                f"值的个数（别名展开后）超过 {n:,} 个上限：请拆分文件，或不用锚点和别名",
                f"more than {n:,} values (aliases expanded), the limit: "
                "split the file, or write it without anchors and aliases",
            )

    def _scalar(self, event: Any) -> None:
        line = event.start_mark.line + 1
        value: str = event.value
        if len(value) > self.limits.max_scalar_chars:
            n = self.limits.max_scalar_chars
            raise _at(
                self.name,
                line,
                f"文本过长：{len(value):,} 字，上限 {n:,} 字",
                f"a text of {len(value):,} characters, the limit is {n:,}",
            )
        if not self.written and ("\x00" in value or _has_surrogate(value)):  # a document's: forms says which field
            raise _at(self.name, line, *_ESCAPED_NUL)
        self._count(1, line)
        plain = event.tag is None and event.implicit[0]
        merge = plain and value == "<<"
        obj = None if merge else self._construct(event, line, plain)
        if event.anchor is not None:
            self.anchors[event.anchor] = (obj, 1)
        self._add(_MERGE if merge else obj, line, value)

    def _construct(self, event: Any, line: int, plain: bool) -> Any:
        value: str = event.value
        tag = event.tag
        if tag is None or tag == "!":
            if self.written:
                return None if plain and value in _NULLS else value
            tag = self.resolver.resolve(self.yaml.nodes.ScalarNode, value, event.implicit)
        if tag not in _SCALAR_TAGS:
            raise self._bad_tag(tag, line)
        if tag in (_STD + "str", _STD + "value"):
            return value
        node = self.yaml.nodes.ScalarNode(tag, value, event.start_mark, event.end_mark)
        try:
            return self.constructor.yaml_constructors[tag](self.constructor, node)
        # SafeConstructor's own errors; `!!int` of an empty text raises IndexError
        except (ValueError, TypeError, OverflowError, IndexError, KeyError, self.yaml.YAMLError):
            short = tag[len(_STD) :]
            raise _at(
                self.name,
                line,
                f"“{_clip(value)}” 不是有效的 !!{short} 值：改正它，或删除标签 !!{short}",
                f"'{_clip(value)}' is not a valid !!{short} value: correct it, or remove the !!{short} tag",
            ) from None

    def _bad_tag(self, tag: str, line: int) -> InvalidInput:
        shown = "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag
        return _at(
            self.name,
            line,
            f"不支持的 YAML 标签 {shown}：请删除它",
            f"the YAML tag {shown} is not supported: remove it",
        )

    def _open(self, event: Any, is_map: bool) -> None:
        line = event.start_mark.line + 1
        if len(self.stack) >= self.limits.max_depth:
            n = self.limits.max_depth
            raise _at(self.name, line, f"嵌套超过 {n} 层上限", f"nested deeper than {n} levels, the limit")
        tag = event.tag
        if tag is not None and tag != "!" and tag != _STD + ("map" if is_map else "seq"):
            raise self._bad_tag(tag, line)
        self._count(1, line)
        container: Any
        if is_map:
            container = LineDict() if self.lines else {}
        else:
            container = LineList() if self.lines else []
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(_Frame(container, is_map, event.anchor, self.nodes, line))

    def _close(self) -> None:
        frame = self.stack.pop()
        obj = frame.container
        if frame.merges:
            obj = self._merged(frame)
        if self.lines:
            obj.line = frame.line
            obj.lines = frame.key_lines if frame.is_map else frame.item_lines
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (obj, self.nodes - frame.start + 1)
            self.open_anchors.discard(frame.anchor)
        self._add(obj, frame.line, None)

    def _merged(self, frame: _Frame) -> Any:
        """`<<: *base` (or a list of them): the merged mappings' keys first, the earlier one winning, own keys last."""
        merged: Any = LineDict() if self.lines else {}
        lines: dict[Any, int] = {}
        for source in reversed(frame.merges):
            merged.update(source)
            if isinstance(source, LineDict):
                lines.update(source.lines)
        merged.update(frame.container)
        lines.update(frame.key_lines)
        frame.key_lines = lines
        return merged

    def _alias(self, event: Any) -> None:
        line = event.start_mark.line + 1
        anchor = event.anchor
        self.aliases += 1
        if self.aliases > self.limits.max_aliases:
            n = self.limits.max_aliases
            raise _at(
                self.name,
                line,
                f"别名（*引用）超过 {n} 个上限：请直接写出内容，不用锚点和别名",
                f"more than {n} aliases (*references), the limit: "
                "write the content out instead of using anchors and aliases",
            )
        if anchor in self.open_anchors:
            raise _at(
                self.name,
                line,
                f"别名 *{anchor} 引用了包含它自己的内容",
                f"the alias *{anchor} refers to what contains it",
            )
        if anchor not in self.anchors:
            raise _at(
                self.name,
                line,
                f"别名 *{anchor} 没有对应的锚点 &{anchor}",
                f"the alias *{anchor} has no anchor &{anchor}",
            )
        obj, size = self.anchors[anchor]
        self._count(size, line)
        self._add(obj, line, f"*{anchor}")

    def _add(self, obj: Any, line: int, text: str | None) -> None:
        """Put a finished value where it belongs: the root, the next item, a key, or a key's value."""
        if not self.stack:
            self.root = obj
            return
        frame = self.stack[-1]
        if not frame.is_map:
            frame.container.append(obj)
            frame.item_lines.append(line)
            return
        if frame.key is _NO_KEY:
            self._key(frame, obj, line, text)
            return
        if frame.key is _MERGE:
            sources = obj if isinstance(obj, list) else [obj]
            if not sources or not all(isinstance(s, dict) for s in sources):
                raise _at(
                    self.name,
                    line,
                    "“<<” 后面须是映射或映射的列表",
                    "'<<' must be followed by a mapping or a list of mappings",
                )
            frame.merges.extend(sources)
        else:
            frame.container[frame.key] = obj
        frame.key = _NO_KEY

    def _key(self, frame: _Frame, key: Any, line: int, text: str | None) -> None:
        if text is None or isinstance(key, list | dict):
            raise _at(self.name, line, "键须是文本，不能是列表或映射", "a key must be a text, not a list or a mapping")
        if isinstance(key, str) and ("\x00" in key or _has_surrogate(key)):  # a key is never a field's value
            raise _at(self.name, line, *_ESCAPED_NUL)
        if isinstance(key, str) and len(key) > self.limits.max_key_chars:
            n = self.limits.max_key_chars
            raise _at(
                self.name,
                line,
                f"键名过长：{len(key):,} 字，上限 {n:,} 字",
                f"a key of {len(key):,} characters, the limit is {n:,}",
            )
        seen = "<<" if key is _MERGE else key
        if seen in frame.key_lines:
            first = frame.key_lines[seen]
            raise _at(
                self.name,
                line,
                f"键“{_clip(text)}”重复（第 {first} 行已有）：删除其中一个",
                f"the key '{_clip(text)}' appears twice (first on line {first}): remove one of them",
            )
        frame.key_lines[seen] = line
        frame.key = key
        frame.key_text = text


def _has_surrogate(value: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in value) if not value.isascii() else False


def _clip(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[:size] + "…"


def load_yaml(text: str, source: str, *, lines: bool = False, limits: Limits = PROCESS, kind: Text = FILE) -> Any:
    """Typed YAML (as PyYAML's SafeLoader resolves it), within `limits`.

    With `lines=True` every mapping is a `LineDict` and every sequence a `LineList`
    (`.line`, and `.lines` per key or item), for messages that point at a line. The
    process loader reads its file this way.
    """
    name = _name(kind, source)
    _check_text(text, name)
    return _parse_yaml(text, name, limits, lines=lines, written=False)


def _parse_yaml(text: str, name: Text, limits: Limits, *, lines: bool, written: bool) -> Any:
    import yaml

    try:
        return _Builder(name, limits, lines=lines, written=written).build(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if getattr(exc, "problem", None) == "exceeded maximum nesting depth":
            # libyaml's scanner looks ahead in flow style and stops at its own 1,000 levels before ours
            n = limits.max_depth
            raise _at(
                name,
                mark.line + 1 if mark else None,
                f"嵌套超过 {n} 层上限",
                f"nested deeper than {n} levels, the limit",
            ) from None
        raise _syntax(exc, text, name) from None


# Common problems libyaml reports, and what a person should do about them.
_YAML_PROBLEMS: dict[str, tuple[str, str]] = {
    "mapping values are not allowed in this context": (
        "这里不能出现“: ”（冒号加空格）：值里有冒号时请给整个值加引号，或检查这一行的缩进",
        "': ' is not allowed here: put the whole value in quotes if it contains a colon, or check the indentation",
    ),
    "could not find expected ':'": (
        "缺少冒号：键和值之间要写“: ”（英文冒号加空格）",
        "a ':' is missing: a key and its value are separated by ': ' (a colon and a space)",
    ),
    "did not find expected key": (
        "缩进没有对齐，或这一行多了内容：同一层的键要从同一列开始",
        "the indentation does not line up, or the line holds something extra: "
        "keys at one level start in the same column",
    ),
    "did not find expected '-' indicator": (
        "列表项没有对齐：同一列表的“- ”要从同一列开始",
        "the list items do not line up: the '- ' of one list start in the same column",
    ),
    "did not find expected ',' or ']'": (
        "方括号“[”没有闭合，或项之间缺少逗号",
        "a '[' is not closed, or a ',' is missing between items",
    ),
    "did not find expected ',' or '}'": (
        "花括号“{”没有闭合，或项之间缺少逗号",
        "a '{' is not closed, or a ',' is missing between items",
    ),
    "found unexpected end of stream": (
        "引号没有闭合：请补上结尾的引号",
        "a quote is not closed: add the closing quote",
    ),
    "found unknown escape character": (
        "双引号里反斜杠“\\”后面的转义无效：请写成“\\\\”，或改用单引号",
        "an invalid escape after a backslash in double quotes: write '\\\\', or use single quotes",
    ),
    "found invalid Unicode character escape code": (
        "双引号里的 \\u 转义不是有效的字符：请直接写出这个字符",
        "a \\u escape in double quotes is not a valid character: type the character itself",
    ),
    "found unknown directive name": (
        "以“%”开头的行不是有效的 YAML 指令：请删除它，或给值加引号",
        "a line starting with '%' is not a valid YAML directive: remove it, or put the value in quotes",
    ),
    "expected a comment or a line break": (
        "引号或块标记之后这一行不能再有内容",
        "nothing may follow a quoted value or a block indicator on this line",
    ),
    "expected <block end>": (
        "缩进没有对齐：同一层的内容要从同一列开始",
        "the indentation does not line up: what is at one level starts in the same column",
    ),
    "found undefined tag handle": (
        "未定义的标签前缀：请删除这个标签",
        "an undefined tag handle: remove the tag",
    ),
}


def _syntax(exc: Any, text: str, name: Text) -> InvalidInput:
    """A parser error as a person can act on it: the line and column, and the likely mistake in their language."""
    mark = getattr(exc, "problem_mark", None)
    problem = str(getattr(exc, "problem", None) or exc)
    if mark is None:
        return InvalidInput(t(f"{name.zh}：YAML 格式错误（{problem}）", f"{name.en}: invalid YAML: {problem}"))
    lines = re.split("\r\n|\r|\n|\u2028|\u2029", text)
    line, column = mark.line + 1, mark.column + 1
    context = getattr(exc, "context_mark", None)
    first = context.line + 1 if context is not None and context.line <= mark.line else line
    here = lines[line - 1] if line <= len(lines) else ""
    char = here[column - 1] if column <= len(here) else ""
    tab = next((n for n in (line, first) if "\t" in _indentation(lines, n)), None)
    if char == "\t" or "tab" in problem or tab is not None:
        n = tab or line
        return InvalidInput(
            t(
                f"{name.zh} 第 {n} 行用了 Tab 缩进：YAML 只能用空格缩进，请把行首的 Tab 换成空格",
                f"{name.en} line {n} is indented with a tab: "
                "YAML indents with spaces only; replace the tab with spaces",
            )
        )
    if problem in (
        "mapping values are not allowed in this context",
        "could not find expected ':'",
        "did not find expected key",
    ):

        def full_width(n: int) -> bool:
            body = lines[n - 1] if 1 <= n <= len(lines) else ""
            return "：" in body and ": " not in body and not body.rstrip().endswith(":")

        for n in range(max(1, min(first, line - 1)), line + 1):
            if full_width(n):
                while full_width(n - 1):  # lines of `键：值` run together into one text: name the first
                    n -= 1
                return _full_width_colon(name, n)
    if problem == "found character that cannot start any token" and char:
        zh, en = (
            f"“{char}”不能作为值的开头：请给这个值加上引号",
            f"a value cannot start with '{char}': put the value in quotes",
        )
    else:
        key = next((k for k in _YAML_PROBLEMS if problem.startswith(k)), None)
        zh, en = _YAML_PROBLEMS[key] if key else (f"无法解析（解析器提示：{problem}）", problem)
        if key == "found unexpected end of stream" and first != line:
            zh, en = f"第 {first} 行开始的{zh}", f"{en} (it opens on line {first})"
        elif key in ("did not find expected ',' or ']'", "did not find expected ',' or '}'") and first != line:
            zh, en = f"第 {first} 行的{zh}", f"{en} (it opens on line {first})"
    return InvalidInput(
        t(
            f"{name.zh} 第 {line} 行第 {column} 列：YAML 格式错误：{zh}",
            f"{name.en} line {line} column {column}: invalid YAML: {en}",
        )
    )


def _full_width_colon(name: Text, line: int) -> InvalidInput:
    return InvalidInput(
        t(
            f"{name.zh} 第 {line} 行用了中文冒号“：”：键和值之间要用英文冒号加空格“: ”",
            f"{name.en} line {line} uses a full-width colon '：': "
            "a key and its value are separated by ': ' (an ASCII colon and a space)",
        )
    )


def _indentation(lines: list[str], number: int) -> str:
    if not 1 <= number <= len(lines):
        return ""
    body = lines[number - 1]
    return body[: len(body) - len(body.lstrip(" \t"))] if body.strip() else ""


# -- JSON --------------------------------------------------------------------------------------------------------


class WrittenFloat(float):
    """A JSON number with a fraction or an exponent that remembers how it was written ("1.50", "2e3").

    A text field given such a number keeps `text`; a number field uses the float.
    """

    __slots__ = ("text",)

    text: str

    def __new__(cls, text: str) -> WrittenFloat:
        value = super().__new__(cls, text)
        value.text = text
        return value


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _TooMany(Exception):
    pass


class _NotFinite(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


_JSON_PROBLEMS: dict[str, tuple[str, str]] = {
    "Expecting value": (
        "这里应有一个值：检查多余的逗号或缺少的引号",
        "a value was expected here: look for an extra comma or a missing quote",
    ),
    "Expecting ',' delimiter": ("缺少逗号“,”", "a ',' is missing"),
    "Expecting ':' delimiter": ("缺少冒号“:”", "a ':' is missing"),
    "Expecting property name enclosed in double quotes": (
        "键名要用双引号括起来（也可能是最后一项后面多了逗号）",
        "a key must be in double quotes (or the last item has a comma after it)",
    ),
    "Unterminated string starting at": (
        "引号没有闭合：请补上结尾的引号",
        "a quoted text is not closed: add the closing quote",
    ),
    "Invalid control character at": (
        "引号里有控制字符：换行请写成 \\n，Tab 写成 \\t",
        "a control character inside quotes: write a line break as \\n, a tab as \\t",
    ),
    "Invalid \\escape": ("反斜杠“\\”后面的转义无效：请写成“\\\\”", "an invalid escape after a backslash: write '\\\\'"),
    "Invalid \\uXXXX escape": ("\\u 转义须是四位十六进制数", "a \\u escape needs four hexadecimal digits"),
    "Extra data": ("JSON 值结束后还有多余的内容", "there is more after the end of the JSON value"),
}


def load_json(text: str, source: str, *, limits: Limits = IMPORT, kind: Text = FILE, written: bool = False) -> Any:
    """Typed JSON within `limits`: duplicate keys refused with their line, no NaN or Infinity.

    `written=True` keeps the source text of numbers with a fraction or an exponent
    (`WrittenFloat`), for documents whose text fields may have been given a number.
    """
    import json

    name = _name(kind, source)
    _check_text(text, name)
    objects = 0

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        # counted as the parser goes, so an object-heavy file stops early; arrays are counted after
        nonlocal objects
        objects += 1 + len(items)
        if objects > limits.max_nodes:
            raise _TooMany
        mapping: dict[str, Any] = {}
        for key, value in items:
            if key in mapping:
                raise _Duplicate(key)
            mapping[key] = value
        return mapping

    def number(written_text: str) -> float:
        value = WrittenFloat(written_text) if written else float(written_text)
        if value in (float("inf"), float("-inf")):
            raise _NotFinite(written_text)
        return value

    def constant(word: str) -> Any:
        raise _NotFinite(word)

    if _json_values_at_most(text, limits.max_nodes) > limits.max_nodes:
        raise _json_too_many(name, limits)
    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_float=number, parse_constant=constant)
    except json.JSONDecodeError as exc:
        zh, en = next(
            (v for k, v in _JSON_PROBLEMS.items() if exc.msg.startswith(k)),
            (f"无法解析（解析器提示：{exc.msg}）", exc.msg),
        )
        raise InvalidInput(
            t(
                f"{name.zh} 第 {exc.lineno} 行第 {exc.colno} 列：JSON 格式错误：{zh}",
                f"{name.en} line {exc.lineno} column {exc.colno}: invalid JSON: {en}",
            )
        ) from None
    except _Duplicate as dup:
        where = _json_duplicate_lines(text, dup.key)
        line, first = where if where else (None, None)
        also = t(f"（第 {first} 行已有）", f" (first on line {first})") if first else t("", "")
        raise _at(
            name,
            line,
            f"键“{_clip(dup.key)}”重复{also.zh}：删除其中一个",
            f"the key '{_clip(dup.key)}' appears twice{also.en}: remove one of them",
        ) from None
    except _TooMany:
        raise _json_too_many(name, limits) from None
    except _NotFinite as bad:
        raise _at(
            name,
            None,
            f"数字 {bad.text} 不是有限的数（JSON 不允许 NaN 或 Infinity）",
            f"the number {bad.text} is not finite (JSON allows no NaN or Infinity)",
        ) from None
    except RecursionError:
        n = limits.max_depth
        raise _at(name, None, f"嵌套超过 {n} 层上限", f"nested deeper than {n} levels, the limit") from None
    except ValueError:  # an integer of more than 4,300 digits (Python's int limit)
        raise _at(name, None, "数字的位数过多", "a number has too many digits") from None
    _check_tree(data, name, limits, values=not written)
    return data


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _json_values_at_most(text: str, enough: int) -> int:
    """An upper bound of the values in a JSON text, counted without parsing it.

    Valid JSON holds exactly one value more than its commas and non-empty arrays and
    objects, outside strings. The parser builds every value before any hook sees an
    array, so `[[],[],...]` of 5 MB would cost some 100 MB; counted first, it costs
    a scan. The strings are taken out only when the plain count passes `enough`.
    """
    count = text.count(",") + text.count("[") + text.count("{") + 1
    if count <= enough:
        return count
    outside = _JSON_STRING.sub("", text)
    return outside.count(",") + outside.count("[") + outside.count("{") + 1


def _json_too_many(name: Text, limits: Limits) -> InvalidInput:
    n = limits.max_nodes
    return _at(
        name, None, f"值的个数超过 {n:,} 个上限：请拆分文件", f"more than {n:,} values, the limit: split the file"
    )


def _check_tree(data: Any, name: Text, limits: Limits, *, values: bool) -> None:
    """The bounds the JSON parser cannot check as it goes: nodes, depth, text and key lengths, NUL, surrogates.

    `values=False` (a document) leaves NUL and surrogates in values to `forms.validate`, which names the field.
    """
    nodes = 0
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        loc, value = stack.pop()
        nodes += 1
        if nodes > limits.max_nodes:
            raise _json_too_many(name, limits)
        if isinstance(value, str):
            if len(value) > limits.max_scalar_chars:
                n = limits.max_scalar_chars
                raise _in(
                    name,
                    loc,
                    f"文本过长：{len(value):,} 字，上限 {n:,} 字",
                    f"a text of {len(value):,} characters, the limit is {n:,}",
                )
            if values and ("\x00" in value or _has_surrogate(value)):
                raise _in(
                    name,
                    loc,
                    "含 NUL 或无效的 Unicode 字符（来自转义 \\u0000 或 \\uD800 这类写法）：请删除",
                    "contains a NUL or an invalid Unicode character "
                    "(from an escape such as \\u0000 or \\uD800): remove it",
                )
        elif isinstance(value, dict | list):
            if len(loc) >= limits.max_depth:
                n = limits.max_depth
                raise _in(name, loc, f"嵌套超过 {n} 层上限", f"nested deeper than {n} levels, the limit")
            if nodes + len(stack) + len(value) > limits.max_nodes:  # each item is a value: no need to stack them
                raise _json_too_many(name, limits)
            if isinstance(value, list):
                stack.extend(((*loc, i), item) for i, item in enumerate(value))
                continue
            for key, item in value.items():
                if len(key) > limits.max_key_chars or "\x00" in key or _has_surrogate(key):
                    n = limits.max_key_chars
                    raise _in(
                        name,
                        loc,
                        f"键名过长或含无效字符（上限 {n:,} 字）：“{_clip(key)}”",
                        "a key that is too long or holds an invalid character "
                        f"(the limit is {n:,} characters): “{_clip(key)}”",
                    )
                stack.append(((*loc, key), item))


def _in(name: Text, loc: tuple[Any, ...], zh: str, en: str) -> InvalidInput:
    if not loc:
        return _at(name, None, zh, en)
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    return InvalidInput(t(f"{name.zh} 中 {path}：{zh}", f"{name.en} at {path}: {en}"))


def _json_duplicate_lines(text: str, key: str) -> tuple[int, int] | None:
    """The lines of a duplicate key and of its first use: the error path only, through the pure-Python scanner.

    The C scanner says nothing about positions; the Python one calls back for every value
    of an object with its index, and a key sits just before its value's ':'.
    """
    import json.decoder
    import json.scanner

    # the scanner's building blocks are public names in the module, though typeshed does not declare them
    decoder: Any = json.decoder
    scanner: Any = json.scanner

    class Found(Exception):
        def __init__(self, lines: tuple[int, int]) -> None:
            super().__init__()
            self.lines = lines

    def line_at(position: int) -> int:
        position -= 1
        while position > 0 and text[position] in " \t\r\n":
            position -= 1  # back over the blanks before the value, to the ':'
        position -= 1
        while position > 0 and text[position] in " \t\r\n":
            position -= 1  # and before the ':', to the key's closing quote
        return text.count("\n", 0, max(position, 0)) + 1

    def parse_object(
        s_and_end: Any, strict: bool, scan_once: Any, object_hook: Any, object_pairs_hook: Any, memo: Any
    ) -> Any:
        starts: list[int] = []

        def recording(string: str, index: int) -> Any:
            starts.append(index)
            return scan_once(string, index)

        def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
            seen: dict[str, int] = {}
            for (name, _), start in zip(items, starts, strict=False):
                if name in seen and name == key:
                    raise Found((line_at(start), line_at(seen[name])))
                seen[name] = start
            return dict(items)

        return decoder.JSONObject(s_and_end, strict, recording, object_hook, pairs, memo)

    context = types.SimpleNamespace(
        parse_object=parse_object,
        parse_array=decoder.JSONArray,
        parse_string=decoder.scanstring,
        strict=True,
        parse_float=float,
        parse_int=int,
        parse_constant=float,
        object_hook=None,
        object_pairs_hook=None,
        memo={},
    )
    scan = scanner.py_make_scanner(context)
    try:
        scan(text, decoder.WHITESPACE.match(text, 0).end())
    except Found as found:
        return found.lines
    except (ValueError, RecursionError, StopIteration):
        return None
    return None


# -- documents ---------------------------------------------------------------------------------------------------


def parse_document(text: str, source: str, *, json: bool = False, limits: Limits = DOCUMENT, kind: Text = FILE) -> Any:
    """A document as written: YAML plain scalars as text (nulls as None), or JSON keeping numbers' text.

    Give the result to `resolve` with the document's schema (`forms.validate` does).
    """
    name = _name(kind, source)
    _check_text(text, name)
    if json:
        return load_json(text, source, limits=limits, kind=kind, written=True)
    data = _parse_yaml(text, name, limits, lines=False, written=True)
    if isinstance(data, str) and "：" in data:
        # `名称：包头…` lines read as one long text: the most common slip on a Chinese keyboard
        n = next(i for i, body in enumerate(text.splitlines(), 1) if "：" in body)
        raise _full_width_colon(name, n)
    return data


def is_json(source: str, text: str) -> bool:
    """Whether to read `source` as JSON: a `.json` name, or standard input that starts with '{' or '['."""
    if source == "-":
        return text.lstrip(" \t\r\n\ufeff")[:1] in ("{", "[")
    return source.lower().endswith(".json")


def read_document(path: str, *, limits: Limits = DOCUMENT, stdin: IO[bytes] | None = None) -> Any:
    """The document file a person gave (`kam doc fill --file PATH`, "-" for stdin), as written."""
    text = read_text(path, limits.max_bytes, stdin=stdin)
    return parse_document(text, path, json=is_json(path, text), limits=limits)


# -- resolving scalars against a schema --------------------------------------------------------------------------

_DECIMAL = re.compile(r"[-+]?[0-9]+", re.ASCII)
_FLOAT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", re.ASCII)
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)"
    r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6})[0-9]*)?)?"
    r"(?:[ \t]*(Z|z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?",
    re.ASCII,
)
_TRUE = frozenset({"true", "yes", "y", "on", "t", "1", "是"})
_FALSE = frozenset({"false", "no", "n", "off", "f", "0", "否"})
_UNIONS: tuple[Any, ...] = (Union, types.UnionType)
_SEQUENCES: tuple[Any, ...] = (list, tuple, set, frozenset, Sequence, typing.Sequence)  # noqa: UP006
_MAPPINGS: tuple[Any, ...] = (dict, Mapping, typing.Mapping)  # noqa: UP006


def resolve(model: type[BaseModel], tree: Any) -> Any:
    """`tree` with each field of `model` given what its type needs, for pydantic to validate.

    Walks the model's fields (nested models, lists, dicts, Optional, Literal): a `str`
    field gets the text as written (a JSON number its source text); `bool` takes
    true/false, yes/no, on/off, 是/否; `int` decimal digits only (`0472` is 472, never
    octal); `float` a decimal number; `date` and `datetime` ISO 8601 as YAML writes them
    or as people write them (`workflow.values.dates`: 2027/3/31, 2027年3月31日 14点);
    a Literal the choice its text names: its key, or its label or alias (`forms.choices`: 高, 支持者).
    Whatever cannot be resolved is left as it is,
    so that pydantic reports it; keys the model does not have pass through unchanged
    (pydantic refuses them). Values already typed (a stored document) come back the
    same, so resolving twice changes nothing.
    """
    from pydantic import BaseModel  # noqa: F401 - heavy: only document readers pay for it

    return _resolve_model(model, tree)


def _resolve_model(model: Any, data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    fields = model.model_fields
    by_alias = {info.alias: name for name, info in fields.items() if info.alias}
    out: dict[Any, Any] = {}
    for key, value in data.items():
        info = fields.get(by_alias.get(key, key)) if isinstance(key, str) else None
        if info is not None and any(isinstance(meta, AsWritten) for meta in info.metadata):
            out[key] = _plain(value)  # pydantic moved the field's own Annotated metadata here
        else:
            out[key] = value if info is None else _resolve(info.annotation, value)
    return out


class AsWritten:
    """`Annotated` metadata of a field that reads its own text (an amount: `386,000`, `38.6万`, `386.000` refused).

    Such a field gets a text as it was written, never a reading of it as a float; a JSON number stays a number.
    """


AS_WRITTEN = AsWritten()


def _resolve(annotation: Any, value: Any) -> Any:
    from pydantic import BaseModel

    if value is None:
        return None
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        if any(isinstance(meta, AsWritten) for meta in annotation.__metadata__):
            return _plain(value)
        return _resolve(get_args(annotation)[0], value)
    if origin in _UNIONS:
        return _union([a for a in get_args(annotation) if a is not type(None)], value)
    if origin is Literal:
        return _literal(get_args(annotation), value)
    if origin in _SEQUENCES:
        args = get_args(annotation)
        if not isinstance(value, list) or not args:
            return _plain(value)
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return [_resolve(args[i], item) if i < len(args) else _plain(item) for i, item in enumerate(value)]
        return [_resolve(args[0], item) for item in value]
    if origin in _MAPPINGS:
        args = get_args(annotation)
        if not isinstance(value, dict) or len(args) != 2:
            return _plain(value)
        return {_resolve(args[0], k): _resolve(args[1], v) for k, v in value.items()}
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return _resolve_model(annotation, value)
        scalar = _SCALARS.get(annotation)
        if scalar is not None:
            return scalar(value)
    return _plain(value)


def _union(choices: list[Any], value: Any) -> Any:
    if len(choices) == 1:
        return _resolve(choices[0], value)
    if isinstance(value, str) and str in choices:
        return value  # text as written wins over any reading of it
    if type(value) in choices:
        return value  # already of one of the types (a stored document, a JSON number)
    for choice in choices:
        resolved = _resolve(choice, value)
        if resolved is not value:
            return resolved
    return _plain(value)


def _literal(choices: tuple[Any, ...], value: Any) -> Any:
    for choice in choices:
        if type(value) is type(choice) and value == choice:
            return choice
    enum = for_values(choices)
    if enum is not None and isinstance(value, str):
        found = enum.key(value)  # a label or an alias (高, 支持者, A类): the stored value is the key
        if found is not None:
            return found
    if isinstance(value, str):
        text = value.strip()
        for choice in choices:
            if isinstance(choice, bool):
                if _bool(text) is choice:
                    return choice
            elif isinstance(choice, int):
                if _int(text) == choice:
                    return choice
            elif isinstance(choice, str) and text == choice:
                return choice
    elif isinstance(value, int | float) and not isinstance(value, bool):
        for choice in choices:
            if isinstance(choice, str) and _text(value) == choice:
                return choice
            if isinstance(choice, int) and not isinstance(choice, bool) and value == choice:
                return choice
    return _plain(value)


def _text(value: Any) -> Any:
    if isinstance(value, WrittenFloat):
        return value.text
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return value


def _bool(value: Any) -> Any:
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return _plain(value)


def _int(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= 50 and _DECIMAL.fullmatch(text):
            return int(text, 10)  # "0472" is 472: decimal, whatever YAML 1.1 says about octal
    return _plain(value)


def _float(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= 100 and _FLOAT.fullmatch(text):
            return float(text)
    return _plain(value)


def _date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return parse_date(value, "")  # 2027-03-31, 2027/3/31, 2027.3.31, 2027年3月31日
        except InvalidInput:
            return value  # 2027-02-30: `forms.validate` says why (没有这一天), with the field's label
    return _plain(value)


def _datetime(value: Any) -> Any:
    if isinstance(value, str):
        found = _DATETIME.fullmatch(value.strip())
        if found:
            year, month, day, hour, minute, second, fraction, zone = found.groups()
            try:
                return dt.datetime(
                    int(year),
                    int(month),
                    int(day),
                    int(hour),
                    int(minute),
                    int(second or 0),
                    int((fraction or "0").ljust(6, "0")),
                    tzinfo=_zone(zone),
                )
            except ValueError:
                return value
        try:
            return parse_datetime(value, "")  # 2027/3/31 9:30, 2027年3月31日 14点30分
        except InvalidInput:
            return value
    return _plain(value)


def _zone(zone: str | None) -> dt.tzinfo | None:
    if zone is None:
        return None
    if zone in ("Z", "z"):
        return dt.UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    return dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))


def _plain(value: Any) -> Any:
    """A value left for pydantic, without our float subclass anywhere inside."""
    if isinstance(value, WrittenFloat):
        return float(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


_SCALARS: dict[Any, Any] = {
    str: _text,
    bool: _bool,
    int: _int,
    float: _float,
    dt.datetime: _datetime,
    dt.date: _date,
}

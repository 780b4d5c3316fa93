"""Document schemas (输出物): one pydantic model per kind, loaded lazily.

Public API (the engine, the CLI and the renderer use only this):

- `KINDS`: the kind ids in process order. Each schema module in `forms/kinds/`
  declares its kind at the top (`KIND`, `TITLE`, `ORDER`, `AUDIENCE`); they are read
  from the files, so naming a kind or its title never imports pydantic, and a new
  kind is its module (plus a sample in `forms/samples/` and a line in the
  process file), nothing else here.
- `title(kind, lang)`, `check_kind(kind)`: naming a kind; `audience(kind)`: who may
  read it, "customer" (a customer edition is its default PDF) or "internal"; `UnknownKind` and
  `FormInvalid` are `InvalidInput`s of the one error tree (`workflow.errors`).
- `get(kind) -> type[Form]`: the schema class; `UnknownKind` if there is none.
- `validate(kind, data) -> Form`: a validated document, or `FormInvalid`
  carrying every problem at once as `FieldError`s.
- `dump(form) -> dict`: the JSON-safe document to store (the fields a user
  supplies, normalized; never the computed values), so that
  `validate(kind, dump(validate(kind, x)))` gives the same document.

Around them: `forms.introspect` (the schema as data), `forms.template` (the
commented YAML skeleton), `forms.interactive` (prompted fill) and `forms.diff`
(changes between two versions).

Conventions every kind follows: a blank value (`key:` in YAML, null in JSON)
means "not given"; computed values (totals, weighted scores, the return-visit
schedule) are properties, never keys a user may type.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.values.writing import as_written, unsafe

if TYPE_CHECKING:
    from forms.base import Form


class Kind(NamedTuple):
    """A document kind as its schema module declares it at the top, read without importing it (no pydantic)."""

    kind: str
    title: Text
    order: int
    module: str
    audience: str  # "customer": handed to the customer (its default PDF is the customer edition); "internal": ours only


AUDIENCES = ("customer", "internal")

_HEADER = re.compile(
    r'^KIND = "(?P<kind>[^"]+)"\nTITLE = \("(?P<zh>[^"]+)", "(?P<en>[^"]+)"\)\nORDER = (?P<order>\d+)\n'
    r'AUDIENCE = "(?P<audience>customer|internal)"$',
    re.M,
)


def _discover() -> dict[str, Kind]:
    """Every `forms/kinds/*.py` that declares KIND, TITLE, ORDER and AUDIENCE, in ORDER (the process order)."""
    found = []
    for path in (Path(__file__).parent / "kinds").glob("*.py"):
        match = _HEADER.search(path.read_text(encoding="utf-8"))
        if match:
            found.append(
                Kind(
                    match["kind"],
                    Text(match["zh"], match["en"]),
                    int(match["order"]),
                    f"forms.kinds.{path.stem}",
                    match["audience"],
                )
            )
    return {k.kind: k for k in sorted(found, key=lambda k: k.order)}


_REGISTRY: dict[str, Kind] = _discover()
KINDS: tuple[str, ...] = tuple(_REGISTRY)


class UnknownKind(InvalidInput):
    """A document kind no schema declares."""

    def __init__(self, kind: str) -> None:
        super().__init__(
            t(
                f"未知文档类型「{as_written(kind)}」；可选：{', '.join(KINDS)}",
                f"unknown document kind “{as_written(kind)}”; choose one of: {', '.join(KINDS)}",
            )
        )
        self.kind = kind


def check_kind(kind: str) -> None:
    """Refuse an unknown document kind with the list of known ones."""
    if kind not in _REGISTRY:
        raise UnknownKind(kind)


def title(kind: str, lang: str = "zh") -> str:
    """A kind's title in `lang`, without loading its schema."""
    try:
        return _REGISTRY[kind].title.render(lang)
    except KeyError:
        raise UnknownKind(kind) from None


def audience(kind: str) -> str:
    """Who a kind is for: "customer" (`kam doc render` prints the customer edition) or "internal"."""
    try:
        return _REGISTRY[kind].audience
    except KeyError:
        raise UnknownKind(kind) from None


@dataclass(frozen=True)
class FieldError:
    """One problem in a document: where, what the field is called, and the rule broken."""

    path: str  # key path: "contact.name", "configurations[1].quantity"; "" for the whole document
    label_zh: str
    label_en: str
    message_zh: str
    message_en: str

    def render(self, lang: str = "zh") -> str:
        label = self.label_zh if lang == "zh" else self.label_en
        message = self.message_zh if lang == "zh" else self.message_en
        where = f"{self.path} ({label})" if self.path and label else (self.path or label)
        return f"{where}: {message}" if where else message


class FormInvalid(InvalidInput):
    """A document that does not validate: every problem at once, nothing stored."""

    def __init__(self, kind: str, errors: list[FieldError]) -> None:
        name = _REGISTRY[kind].title if kind in _REGISTRY else Text(kind, kind)
        super().__init__(
            t(
                f"《{name.zh}》有 {len(errors)} 处问题，未保存：",
                f"the {name.en} has {len(errors)} problem(s); nothing was stored:",
            ),
            [Text(e.render("zh"), e.render("en")) for e in errors],
        )
        self.kind = kind
        self.errors = errors


def get(kind: str) -> type[Form]:
    """The schema class of `kind` (its module's one `Form` subclass for that kind)."""
    from forms.base import Form  # pydantic (0.1 s) loads with the first schema, never to name a kind

    try:
        module = importlib.import_module(_REGISTRY[kind].module)
    except KeyError:
        raise UnknownKind(kind) from None
    return next(
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, Form) and getattr(v, "kind", None) == kind
    )


def validate(kind: str, data: Any) -> Form:
    """Validate `data` (parsed YAML/JSON) against `kind`'s schema."""
    from pydantic import ValidationError  # with the schema (see `get`)

    from forms.errors import to_field_errors
    from forms.reading import resolve

    form = get(kind)
    if not isinstance(data, dict):
        raise FormInvalid(
            kind,
            [
                FieldError(
                    "", "", "", "文档必须是键值映射 (YAML mapping)", "the document must be a mapping of keys to values"
                )
            ],
        )
    too_big = _beyond_limits(form, data)
    if too_big:
        raise FormInvalid(kind, too_big)
    try:
        return form.model_validate(resolve(form, data))
    except ValidationError as exc:
        raise FormInvalid(kind, to_field_errors(form, exc)) from None


# Limits every kind shares, checked before the schema so a huge or hostile file costs little.
# A document is at most MAX_DOCUMENT_CHARS characters of text and MAX_DOCUMENT_ITEMS list entries in all
# (one field or one list may use the whole budget). The longest realistic document (tests/long_documents.py)
# holds 9,000 characters and 97 entries on 9 pages; at the limits a document lays out to about 25 pages in
# 4-6 s (benchmarks/bench_render.py), and whatever would pass 30 pages (a narrow table column holding
# the text) is stopped by the renderer's page limit (`reports.pdf.MAX_PAGES`): under 10 s either way.
# `kam doc fill` lays a large document out before storing it (TRIAL_LAYOUT_WEIGHT), so none past it is stored.
MAX_DOCUMENT_CHARS = 20_000
MAX_DOCUMENT_ITEMS = 200
MAX_FIELD_CHARS = MAX_DOCUMENT_CHARS
MAX_LIST_ITEMS = MAX_DOCUMENT_ITEMS
MAX_DEPTH = 20
MAX_KEY_CHARS = 200


#: Over this layout weight (characters, plus LAYOUT_LINES_PER_ITEM for each list entry) a document could lay out
#: past the page limit: a narrow table cell holds about 330 characters a page, and every entry takes its own row.
#: `kam doc fill` lays such a document out once before storing it (0.5-1 s), so an accepted document always
#: renders; the longest realistic ones (tests/long_documents.py: 4,000-9,000 characters, up to 97 entries) are
#: checked, an ordinary one (a few hundred characters) costs nothing.
TRIAL_LAYOUT_WEIGHT = 6_000
LAYOUT_LINES_PER_ITEM = 30


def layout_weight(data: Any) -> int:
    """How much a (stored, valid) document could fill on paper: its characters plus 30 for each list entry."""
    weight = 0
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            weight += len(value)
        elif isinstance(value, list):
            weight += LAYOUT_LINES_PER_ITEM * len(value)
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return weight


def _beyond_limits(form: type[Form], data: Any) -> list[FieldError]:
    """Every text over MAX_FIELD_CHARS, list over MAX_LIST_ITEMS, nesting past MAX_DEPTH, or holding a character
    no typed text may (`workflow.values.writing.unsafe`: controls C0 and C1, bidirectional overrides, surrogates)."""
    from forms.errors import _walk  # with pydantic, as the schema it walks

    errors: list[FieldError] = []

    def problem(loc: tuple[Any, ...], zh: str, en: str) -> None:
        path, label_zh, label_en, _ = _walk(form, loc)
        errors.append(FieldError(path, label_zh, label_en, zh, en))

    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    chars = items = 0
    longest: tuple[int, tuple[Any, ...]] = (0, ())  # the longest text and the longest list, for the totals' refusals
    widest: tuple[int, tuple[Any, ...]] = (0, ())
    while stack and len(errors) < 20:
        loc, value = stack.pop()
        if isinstance(value, str):
            chars += len(value)
            longest = max(longest, (len(value), loc), key=lambda pair: pair[0])
        elif isinstance(value, list):
            items += len(value)
            widest = max(widest, (len(value), loc), key=lambda pair: pair[0])
        if len(loc) > MAX_DEPTH:
            problem(loc, f"嵌套超过 {MAX_DEPTH} 层", f"nested deeper than {MAX_DEPTH} levels")
        elif isinstance(value, str):
            if len(value) > MAX_FIELD_CHARS:
                problem(
                    loc,
                    f"过长：{len(value):,} 字，上限 {MAX_FIELD_CHARS:,} 字",
                    f"too long: {len(value):,} characters, the limit is {MAX_FIELD_CHARS:,}",
                )
            elif found := unsafe(value):  # the one rule for typed text (workflow.values.writing)
                what = found.what()
                problem(
                    loc,
                    f"含{what.zh}（第 {found.position} 个字符）：请删除",
                    f"contains {what.en} (character {found.position}): remove it",
                )
        elif isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                problem(
                    loc,
                    f"条目过多：{len(value):,} 条，上限 {MAX_LIST_ITEMS:,} 条",
                    f"too many items: {len(value):,}, the limit is {MAX_LIST_ITEMS:,}",
                )
            else:
                stack.extend(((*loc, i), item) for i, item in reversed(list(enumerate(value))))
        elif isinstance(value, dict):
            long_key = next((str(key) for key in value if len(str(key)) > MAX_KEY_CHARS), None)
            odd_keys = [key for key in value if not isinstance(key, str)]  # YAML's `false:`, `~:`, `2026:`
            if len(value) > MAX_LIST_ITEMS:
                problem(loc, f"键过多：{len(value):,} 个", f"too many keys: {len(value):,}")
            elif odd_keys:
                problem(
                    (*loc, odd_keys[0]),
                    "键名不是文本：请给它加引号（如 \"2026\":）或改成字段名",
                    'the key is not text: quote it (like "2026":) or write a field name',
                )
            elif long_key is not None:
                problem(loc, f"键名过长：{long_key[:40]}…", f"key too long: {long_key[:40]}…")
            else:
                stack.extend(((*loc, key), item) for key, item in reversed(list(value.items())))
    if errors:
        return errors
    if chars > MAX_DOCUMENT_CHARS:
        path = _walk(form, longest[1])[0]
        problem(
            (),
            f"文字过多：全文共 {chars:,} 字，上限 {MAX_DOCUMENT_CHARS:,} 字（最长的是 {path}，{longest[0]:,} 字）："
            "请缩短，长篇材料可作为附件（kam attach add）",
            f"too much text: {chars:,} characters in all, the limit is {MAX_DOCUMENT_CHARS:,} (the longest is {path}, "
            f"{longest[0]:,}): shorten it; long material can go in an attachment (kam attach add)",
        )
    if items > MAX_DOCUMENT_ITEMS:
        path = _walk(form, widest[1])[0]
        problem(
            (),
            f"条目过多：各列表合计 {items:,} 条，上限 {MAX_DOCUMENT_ITEMS:,} 条"
            f"（最多的是 {path}，{widest[0]:,} 条）：请精简",
            f"too many items: {items:,} in all lists together, the limit is {MAX_DOCUMENT_ITEMS:,} (the most are in "
            f"{path}, {widest[0]:,}): shorten the lists",
        )
    return errors


def dump(form: Form) -> dict[str, Any]:
    """The stored form of a document: its declared fields, JSON-safe, without computed values or blanks."""
    from pydantic_core import to_jsonable_python  # with pydantic: a form exists, so it is loaded

    def plain(value: Any) -> Any:
        fields = getattr(type(value), "model_fields", None)
        if fields is not None:
            return {name: plain(getattr(value, name)) for name in fields if getattr(value, name) is not None}
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        if isinstance(value, dict):
            return {str(key): plain(item) for key, item in value.items()}
        return to_jsonable_python(value)

    return plain(form)

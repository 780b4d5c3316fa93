"""Documents to HTML: the Jinja environment, the two editions, labels and value formatting.

Everything here is cheap to import (Jinja2 only); `reports.pdf` turns the HTML
into a PDF. Templates are autoescaped without exception: documents carry user
text, and a field holding `<img src=...>` or `{{ 7*7 }}` must print as those
characters (values are data, never template source).

Editions. A customer-facing kind (`forms.audience(kind) == "customer"`) renders
its *customer edition* by default: the fields the schema marks internal are not
in it at all (the template sees them as absent, `View`), with the letterhead,
both sides' signature and seal areas and totals in 大写. The *internal edition*
(every internal kind, and `--internal`) prints everything, marked 内部资料 · 请勿外传
on every page and ending in our own fill/review boxes.

Long unbroken runs (a hash, a URL, a serial number) get a zero-width break
opportunity at least every 12 characters as they are printed (`soften`, applied to
every value a template outputs): WeasyPrint finds a break inside a run that has none
by laying out the rest of the run again on every line, so 99,000 characters in a
table cell took half an hour; with the opportunities it is linear. The stored
document (and its hash) is unchanged.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import typing
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

import forms
from forms import choices
from forms.choices import DECISION, Choice
from reports.context import EDITIONS, DocumentContext
from reports.labels import FALLBACK, UI
from workflow.values.money import format_amount, rmb_upper

TEMPLATES = Path(__file__).parent / "templates"
ASSETS = Path(__file__).parent / "assets"


# -- long runs without a break opportunity ------------------------------------------------------

ZWSP = "\u200b"
# 40 characters or more with neither a space nor a character the line breaker may break at (CJK ideographs,
# kana, hangul, full-width forms break anywhere): what no column can hold on one line.
_LONG_RUN = re.compile(
    r"[^\s\u2e80-\u9fff\ua000-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]{40,}"
)
_SEPARATORS = frozenset("-/_.,;:&?=+#|\\~")  # a break after these reads naturally (a URL, a contract number)
RUN_CHUNK = 12  # the longest stretch left without a break opportunity


def _joins(char: str, previous: str) -> bool:
    """Whether `char` belongs to the grapheme before it (never break there): a mark, a joiner, a selector."""
    code = ord(char)
    return (
        unicodedata.category(char).startswith("M")
        or previous == "\u200d"
        or code == 0x200D
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin-tone modifiers
    )


def _soften_run(match: re.Match[str]) -> str:
    run = match.group()
    out: list[str] = []
    stretch = 0
    previous = ""
    for char in run:
        if previous and not _joins(char, previous) and (stretch >= RUN_CHUNK or previous in _SEPARATORS):
            out.append(ZWSP)
            stretch = 0
        out.append(char)
        stretch += 1
        previous = char
    return "".join(out)


def soften(text: str) -> str:
    """`text` with a zero-width space in every long unbroken run (after separators, else every 12 characters)."""
    if len(text) < 40:
        return text
    return _LONG_RUN.sub(_soften_run, text)


def _finalize(value: Any) -> Any:
    """Every value a template prints passes here before it is escaped: plain text is softened.

    Markup (a macro's output, an image's data: URL, our own page counter) is already HTML and stays as it is.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return soften(value)
    return value


class _Blank(jinja2.ChainableUndefined):
    """A missing optional value renders as nothing (the `show` filter prints a dash).

    Lenient on purpose: a valid document may omit optional keys, and a computed
    field may not exist yet in an older schema; neither may stop a render.
    """

    def __str__(self) -> str:
        return ""


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=_Blank,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters["money"] = _money_filter
    env.filters["upper_amount"] = upper_amount
    env.filters["num"] = number
    env.filters["size"] = file_size
    env.filters["clip"] = clip
    env.filters["tall"] = tall_row
    return env


# A table row holding this many characters may be taller than a page (a 30 mm column takes ~8 characters a line,
# a page ~60 lines): such a row may break inside (`tr.tall`), so it starts right under its heading instead of
# being carried whole to the next page, which left a page with only the heading on it. Other rows keep together.
TALL_ROW_CHARS = 400


def tall_row(item: Any) -> Markup:
    """` class="tall"` for a row (a model, a mapping or a list of values) with TALL_ROW_CHARS characters or more."""
    values: Iterable[Any]
    if isinstance(item, View):  # what this edition shows of it
        values = item.model_dump().values()
    elif isinstance(item, Mapping):
        values = item.values()
    elif hasattr(type(item), "model_fields"):
        values = (getattr(item, name, None) for name in type(item).model_fields)
    elif isinstance(item, (list, tuple)):
        values = item
    else:
        values = (item,)
    length = sum(len(value) for value in values if isinstance(value, str))
    return Markup(' class="tall"') if length >= TALL_ROW_CHARS else Markup("")


# -- reading documents --------------------------------------------------------------


def get(obj: Any, key: str, default: Any = None) -> Any:
    """A field of a model, a mapping or a `View`; `default` when absent."""
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _item_model(annotation: Any) -> type | None:
    """The pydantic model inside `Part`, `Part | None`, `list[Part]`, `dict[str, Part]`."""
    from pydantic import BaseModel  # a schema is rendered, so pydantic is loaded; `import reports` must not load it

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _item_model(arg)
        if found is not None:
            return found
    return None


def _fields_of(model: type | None) -> dict[str, Any]:
    """A model's fields and computed fields by key (FieldInfo / ComputedFieldInfo)."""
    if model is None:
        return {}
    return {**getattr(model, "model_fields", {}), **getattr(model, "model_computed_fields", {})}


def _annotation(info: Any) -> Any:
    return getattr(info, "annotation", None) if hasattr(info, "annotation") else getattr(info, "return_type", None)


def _field_info(model: type | None, path: str) -> tuple[Any, Any]:
    """(FieldInfo or ComputedFieldInfo or None, annotation) of a dotted path in `model`."""
    info, annotation = None, None
    for part in path.split("."):
        fields = _fields_of(model)
        if part not in fields:
            return None, None
        info = fields[part]
        annotation = _annotation(info)
        model = _item_model(annotation)
    return info, annotation


def _extra(info: Any) -> dict[str, Any]:
    extra = getattr(info, "json_schema_extra", None)
    return extra if isinstance(extra, dict) else {}


def hidden_keys(model: type | None) -> frozenset[str]:
    """The keys of `model` (a schema class) a customer edition leaves out: fields marked internal."""
    return frozenset(key for key, info in _fields_of(model).items() if _extra(info).get("internal"))


def is_hidden(model: type | None, path: str) -> bool:
    """Whether the dotted `path` ("competition.competitors.name") is, or lies under, a field marked internal."""
    for part in path.split("."):
        fields = _fields_of(model)
        if part not in fields:
            return False
        if _extra(fields[part]).get("internal"):
            return True
        model = _item_model(_annotation(fields[part]))
    return False


class View:
    """A document as a template of one edition sees it: attribute access to its fields, internal ones absent.

    Wraps a validated model (or plain data with its schema class). In the customer
    edition a field marked internal reads as None (so is its whole subtree), and
    `model_dump()` leaves it out: a template that forgets to skip a section prints a
    dash, never the value. `seen`, when given, collects every field path a template
    reads (dotted, list items transparent): the test that every field is printed.
    """

    __slots__ = ("_kam_value", "_kam_model", "_kam_hide", "_kam_path", "_kam_seen")

    def __init__(
        self, value: Any, model: type | None, *, hide: bool, path: str = "", seen: set[str] | None = None
    ) -> None:
        self._kam_value = value
        self._kam_model = model
        self._kam_hide = hide
        self._kam_path = path
        self._kam_seen = seen

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_kam_") or name.startswith("__"):
            raise AttributeError(name)
        model = self._kam_model
        fields = _fields_of(model)
        path = f"{self._kam_path}.{name}" if self._kam_path else name
        if self._kam_seen is not None:
            self._kam_seen.add(path)
        if self._kam_hide and name in hidden_keys(model):
            return None
        value = self._kam_value.get(name) if isinstance(self._kam_value, Mapping) else getattr(self._kam_value, name)
        child = _item_model(_annotation(fields[name])) if name in fields else None
        return self._wrap(value, child, path)

    def _wrap(self, value: Any, model: type | None, path: str) -> Any:
        if isinstance(value, list | tuple):
            return [self._wrap(item, model, path) for item in value]
        if model is not None and (isinstance(value, Mapping) or hasattr(type(value), "model_fields")):
            return View(value, model, hide=self._kam_hide, path=path, seen=self._kam_seen)
        return value

    def model_dump(self) -> dict[str, Any]:
        """The fields (and computed values) a reader of this edition may see, as plain data."""
        source = self._kam_value
        data = dict(source) if isinstance(source, Mapping) else source.model_dump()
        hidden = hidden_keys(self._kam_model) if self._kam_hide else frozenset()
        return {key: value for key, value in data.items() if key not in hidden}

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"View({self._kam_path or type(self._kam_value).__name__})"


def label_for(model: type | None, path: str, lang: str = "zh") -> str:
    """The label of `path` ("decision_chain.stance") from the schema, else our fallback table."""
    info, _ = _field_info(model, path)
    key = path.rsplit(".", 1)[-1]
    if info is not None:
        text = _extra(info).get(f"label_{lang}")
        if text:
            return str(text)
    pair = FALLBACK.get(path) or FALLBACK.get(key)
    if pair:
        return pair[0] if lang == "zh" else pair[1]
    return key


# -- formatting ----------------------------------------------------------------------


def _amount(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, jinja2.Undefined | bool):
        return None
    try:
        amount = Decimal(str(value))
    except (ArithmeticError, InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def money(value: Any, lang: str = "zh") -> str:
    """¥386,000.00 (English CNY 386,000.00); a dash when there is no amount."""
    amount = _amount(value)
    if amount is None:
        return "—" if value is None or value == "" or isinstance(value, jinja2.Undefined) else str(value)
    return format_amount(amount, lang)


@jinja2.pass_context
def _money_filter(context: Any, value: Any) -> str:
    return money(value, context.get("lang", "zh"))


def upper_amount(value: Any) -> str:
    """The amount in 大写 (人民币叁拾捌万陆仟元整), as contracts print totals; a dash when there is none."""
    amount = _amount(value)
    if amount is None or amount < 0:
        return "—"
    try:
        return rmb_upper(amount.quantize(Decimal("0.01")))
    except ValueError:  # beyond 10^16 元: no schema accepts it
        return "—"


def number(value: Any) -> str:
    if value is None or value == "" or isinstance(value, jinja2.Undefined):
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def clip(value: Any, width: int) -> str:
    """`value` cut to `width` columns (a Chinese character is two) with "…": for the one-line running header."""
    text = str(value or "")
    used, out = 0, list[str]()
    for char in text:
        used += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used > width:
            return "".join(out).rstrip() + "…"
        out.append(char)
    return text


def file_size(value: Any) -> str:
    """Bytes as a reader counts them: 812 B, 3.4 KB, 12.6 MB."""
    if not isinstance(value, int):
        return "—"
    if value < 1024:
        return f"{value} B"
    if value < 1024 * 1024:
        return f"{value / 1024:.1f} KB"
    return f"{value / 1024 / 1024:.1f} MB"


def fmt(value: Any, lang: str = "zh", choice: Choice | None = None) -> str:
    """A value as a reader expects it: dates ISO, booleans 是/否, lists joined, choices labelled, empty as a dash."""
    if value is None or isinstance(value, jinja2.Undefined) or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return UI["yes" if value else "no"][0 if lang == "zh" else 1]
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if choice is not None and not isinstance(value, list | tuple | Mapping) and value in choice.labels:
        return choice.label(value, lang)  # a relationship level 2 is 二级：…, not "2"
    if isinstance(value, int | float | Decimal):
        return number(value)
    if isinstance(value, list | tuple):
        sep = "、" if lang == "zh" else ", "
        return sep.join(fmt(v, lang, choice) for v in value)
    if isinstance(value, str):
        return choice.label(value, lang) if choice else value
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {fmt(v, lang, choice)}" for k, v in value.items())
    if hasattr(value, "model_dump"):
        return fmt(value.model_dump(), lang, choice)
    return str(value)


class Labels:
    """What templates call: `L('decision_chain.stance')`, `show(doc, 'interest')`, `shows('competition')`."""

    def __init__(self, model: type | None, lang: str, edition: str = "internal") -> None:
        self.model = model
        self.lang = lang
        self.edition = edition

    def label(self, path: str) -> str:
        return label_for(self.model, path, self.lang)

    def ui(self, key: str) -> str:
        zh, en = UI[key]
        return zh if self.lang == "zh" else en

    def show(self, obj: Any, key: str, path: str = "") -> str:
        """`obj[key]` formatted; `path` is the key's dotted schema path when `obj` is nested."""
        value = get(obj, key)
        _, annotation = _field_info(self.model, path or key)
        return fmt(value, self.lang, choices.of(annotation))

    def shows(self, path: str) -> bool:
        """Whether this edition prints the field at `path` (the customer edition leaves internal ones out)."""
        return self.edition == "internal" or not is_hidden(self.model, path)

    def keep(self, items: Iterable[Any]) -> list[Any]:
        """Grid items `(label, value, wide)` or `(path, label, value, wide)` this edition prints.

        A 4-tuple names its field's path; the path is checked and dropped, so a template
        writes `keep([('competition', L('competition'), ..., true)])`.
        """
        out: list[Any] = []
        for item in items:
            if len(item) == 4:
                path, *rest = item
                if self.shows(path):
                    out.append(tuple(rest))
            else:
                out.append(item)
        return out


# -- computed values -----------------------------------------------------------------


def derived(kind: str, doc: Any, ctx: DocumentContext | None = None, model: type | None = None) -> dict[str, Any]:
    """Totals the templates print: the schema's computed fields, or computed here for plain data.

    With `ctx`, dates that follow from the document's own date (the proposal's validity).
    """
    d: dict[str, Any] = {}
    if kind == "product-proposal":
        rows = get(doc, "configurations") or []
        amounts = []
        for row in rows:
            amount = get(row, "amount")
            if amount is None:
                amount = (get(row, "quantity") or 0) * (get(row, "unit_price") or 0)
            amounts.append(amount)
        d["amounts"] = amounts
        d["total_quantity"] = _or(get(doc, "total_quantity"), sum(get(r, "quantity") or 0 for r in rows))
        d["total_amount"] = _or(get(doc, "total_amount"), sum(amounts))
        given = get(doc, "valid_until")
        if isinstance(given, str):
            given = dt.date.fromisoformat(given)
        if given is None and ctx is not None:
            given = ctx.created_at.date() + dt.timedelta(days=getattr(model, "validity_days", 30))
        d["valid_until"] = given
    elif kind == "evaluation-scorecard":
        criteria = get(doc, "criteria") or []
        names = get(doc, "competitors")
        if names is None:
            names = []
            for c in criteria:
                for name in get(c, "competitor_scores") or {}:
                    if name not in names:
                        names.append(name)
        d["competitors"] = list(names)
        # at most three competitors side by side: A4 portrait holds 2 × 4 score columns after the criterion
        d["competitor_groups"] = [list(names[i : i + 3]) for i in range(0, len(names), 3)] or [[]]
        ours, theirs = [], []
        for c in criteria:
            weight = get(c, "weight") or 0
            ours.append(_or(get(c, "our_weighted"), weight * (get(c, "our_score") or 0) / 10))
            scores = get(c, "competitor_scores") or {}
            weighted = get(c, "competitor_weighted")
            if weighted is None:
                weighted = {n: weight * s / 10 for n, s in scores.items()}
            theirs.append(dict(weighted))
        d["our_weighted"] = ours
        d["competitor_weighted"] = theirs
        d["weight_total"] = sum(get(c, "weight") or 0 for c in criteria)
        d["our_total"] = _or(get(doc, "our_total"), sum(ours))
        totals = get(doc, "competitor_totals")
        if totals is None:
            totals = {n: sum(w.get(n, 0) for w in theirs) for n in names}
        d["competitor_totals"] = dict(totals)
    elif kind == "negotiation-minutes":
        d["total_price"] = _or(get(doc, "total_price"), (get(doc, "quantity") or 0) * (get(doc, "unit_price") or 0))
    elif kind == "service-plan":
        visits = get(doc, "return_visits")
        if visits is None:
            visits = _return_visits(get(doc, "delivery_date"))
        d["return_visits"] = list(visits)
    return d


def _or(value: Any, fallback: Any) -> Any:
    return fallback if value is None else value


def _return_visits(delivery: Any) -> list[dt.date]:
    """Every 15 days for the first 3 months after delivery, then monthly to a year (plain-data fallback)."""
    if isinstance(delivery, str):
        delivery = dt.date.fromisoformat(delivery)
    if not isinstance(delivery, dt.date):
        return []
    visits = [delivery + dt.timedelta(days=15 * i) for i in range(1, 7)]
    for month in range(4, 13):
        y, m = divmod(delivery.month - 1 + month, 12)
        day = min(delivery.day, 28)
        visits.append(dt.date(delivery.year + y, m + 1, day))
    return visits


def load_document(kind: str, data: Mapping[str, Any]) -> Any:
    """`data` validated by its schema (`forms.FormInvalid` if invalid); plain data if the kind has no schema yet."""
    if kind not in forms.KINDS:
        return dict(data)
    return forms.validate(kind, dict(data))


# -- rendering -----------------------------------------------------------------------


def _model_and_kind(form: Any, kind: str | None) -> tuple[type | None, str]:
    if isinstance(form, Mapping):
        if not kind:
            raise ValueError("a plain-data document needs its kind")
        model = forms.get(kind) if kind in forms.KINDS else None  # no schema: labels come from the fallback table
        return model, kind
    return type(form), kind or type(form).kind


def _title(kind: str, lang: str) -> str:
    return forms.title(kind, lang) if kind in forms.KINDS else kind


def default_edition(kind: str) -> str:
    """The edition `kam doc render` prints unless told `--internal`: customer for a customer-facing kind."""
    return forms.audience(kind) if kind in forms.KINDS else "internal"


# A sign-off block may say the outcome ("approved") or the stored decision ("approve"): one label either way.
_DECIDED = {"approved": "approve", "rejected": "reject"}


def _page_context(ctx: DocumentContext, lang: str, title: str, edition: str) -> dict[str, Any]:
    created = ctx.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    return {
        "ctx": ctx,
        "company": ctx.letterhead,
        "lang": lang,
        "colon": "：" if lang == "zh" else ": ",  # after a label: full width in Chinese only
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "title": title,
        "edition": edition,
        "internal": edition == "internal",
        # dcterms dates become the PDF's CreationDate/ModDate: from the document, never "now".
        "created_iso": created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date_text": ctx.created_at.strftime("%Y-%m-%d"),
        "page_format": UI["page"][0 if lang == "zh" else 1],
        "decision": lambda value: DECISION.label(_DECIDED.get(value, value), lang),
        "photos": [a for a in ctx.attachments if a.thumbnail],
    }


def _check(lang: str, edition: str) -> None:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, not {edition!r}")


def render_html(
    form: Any,
    ctx: DocumentContext,
    lang: str = "zh",
    kind: str | None = None,
    edition: str | None = None,
    seen: set[str] | None = None,
) -> str:
    """A document (validated model, or plain data with `kind`) as a standalone HTML page of one edition.

    `edition`: "customer" or "internal" (default: the kind's audience); `seen` collects the
    field paths the template reads (for the test that every field is printed).
    """
    model, kind = _model_and_kind(form, kind)
    edition = edition or default_edition(kind)
    _check(lang, edition)
    if edition == "customer" and kind in forms.KINDS and forms.audience(kind) != "customer":
        raise ValueError(f"{kind} is an internal document: it has no customer edition")
    env = environment()
    names = [f"kinds/{kind}.html", "kinds/generic.html"]
    template = env.select_template(names)
    labels = Labels(model, lang, edition)
    hide = edition == "customer"
    doc = View(form, model, hide=hide, seen=seen)
    return template.render(
        doc=doc,
        kind=kind,
        d=derived(kind, View(form, model, hide=hide), ctx, model),
        L=labels.label,
        UI=labels.ui,
        show=labels.show,
        shows=labels.shows,
        keep=labels.keep,
        get=get,
        fmt=lambda value: fmt(value, lang),
        generic_rows=lambda: generic_rows(doc, model, lang, edition),
        **_page_context(ctx, lang, _title(kind, lang), edition),
    )


def render_report_html(
    template_name: str, context: Mapping[str, Any], ctx: DocumentContext, lang: str = "zh", edition: str = "internal"
) -> str:
    """Any other report (pipeline, compliance review) in the same base layout; reports are internal by default.

    `template_name` is relative to `reports/templates/` and should extend `base.html`;
    `context` supplies its variables (`title` is required).
    """
    _check(lang, edition)
    labels = Labels(None, lang, edition)
    values = {
        "L": labels.label,
        "UI": labels.ui,
        "get": get,
        "fmt": lambda value: fmt(value, lang),
        **_page_context(ctx, lang, str(context.get("title", "")), edition),
    }
    values.update(context)
    return environment().get_template(template_name).render(**values)


def generic_rows(form: Any, model: type | None, lang: str, edition: str = "internal") -> list[dict[str, Any]]:
    """Every field of a document for the fallback template: scalars, objects and tables."""
    keys: list[str]
    if model is not None and hasattr(model, "model_fields"):
        keys = list(model.model_fields) + list(getattr(model, "model_computed_fields", {}))
    else:
        source = form._kam_value if isinstance(form, View) else form
        keys = list(source) if isinstance(source, Mapping) else []
    if edition == "customer":
        keys = [key for key in keys if key not in hidden_keys(model)]
    rows: list[dict[str, Any]] = []
    for key in keys:
        value = get(form, key)
        _, annotation = _field_info(model, key)
        label = label_for(model, key, lang)
        items = value if isinstance(value, list | tuple) else None
        if items and all(isinstance(i, Mapping) or hasattr(i, "model_dump") for i in items):
            dumped = [i if isinstance(i, Mapping) else i.model_dump() for i in items]
            columns = list(dict.fromkeys(k for i in dumped for k in i))
            rows.append(
                {
                    "kind": "table",
                    "label": label,
                    "columns": [label_for(model, f"{key}.{c}", lang) for c in columns],
                    "rows": [
                        [fmt(i.get(c), lang, choices.of(_field_info(model, f"{key}.{c}")[1])) for c in columns]
                        for i in dumped
                    ],
                }
            )
            continue
        if value is not None and (isinstance(value, Mapping) or hasattr(value, "model_dump")):
            fields = value if isinstance(value, Mapping) else value.model_dump()
            rows.append(
                {
                    "kind": "object",
                    "label": label,
                    "items": [
                        (
                            label_for(model, f"{key}.{k}", lang),
                            fmt(v, lang, choices.of(_field_info(model, f"{key}.{k}")[1])),
                            False,
                        )
                        for k, v in fields.items()
                    ],
                }
            )
            continue
        rows.append(
            {
                "kind": "value",
                "label": label,
                "value": fmt(value, lang, choices.of(annotation)),
                "long": isinstance(value, str) and len(value) > 40,
            }
        )
    return rows

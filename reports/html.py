"""Documents to HTML: the Jinja environment, labels and value formatting.

Everything here is cheap to import (Jinja2 only); `reports.pdf` turns the HTML
into a PDF. Templates are autoescaped without exception: documents carry user
text, and a field holding `<img src=...>` must print as those characters.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2

import forms
from forms import choices
from forms.choices import DECISION, Choice
from reports.context import DocumentContext
from reports.labels import FALLBACK, UI

TEMPLATES = Path(__file__).parent / "templates"
ASSETS = Path(__file__).parent / "assets"


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
    )
    env.filters["money"] = money
    env.filters["num"] = number
    return env


# -- reading documents --------------------------------------------------------------


def get(obj: Any, key: str, default: Any = None) -> Any:
    """A field of a model or a mapping; `default` when absent."""
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


def _field_info(model: type | None, path: str) -> tuple[Any, Any]:
    """(FieldInfo or ComputedFieldInfo or None, annotation) of a dotted path in `model`."""
    info, annotation = None, None
    for part in path.split("."):
        if model is None:
            return None, None
        fields = getattr(model, "model_fields", {})
        computed = getattr(model, "model_computed_fields", {})
        if part in fields:
            info = fields[part]
            annotation = info.annotation
        elif part in computed:
            info = computed[part]
            annotation = info.return_type
        else:
            return None, None
        model = _item_model(annotation)
    return info, annotation


def label_for(model: type | None, path: str, lang: str = "zh") -> str:
    """The label of `path` ("decision_chain.stance") from the schema, else our fallback table."""
    info, _ = _field_info(model, path)
    key = path.rsplit(".", 1)[-1]
    if info is not None:
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        text = extra.get(f"label_{lang}")
        if text:
            return text
    pair = FALLBACK.get(path) or FALLBACK.get(key)
    if pair:
        return pair[0] if lang == "zh" else pair[1]
    return key


# -- formatting ----------------------------------------------------------------------


def money(value: Any, lang: str = "zh") -> str:
    if value is None or value == "" or isinstance(value, jinja2.Undefined):
        return "—"
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    return f"¥{amount:,.2f}"


def number(value: Any) -> str:
    if value is None or value == "" or isinstance(value, jinja2.Undefined):
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


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
    """What templates call: `L('decision_chain.stance')`, `show(doc, 'interest')`."""

    def __init__(self, model: type | None, lang: str) -> None:
        self.model = model
        self.lang = lang

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


# -- computed values -----------------------------------------------------------------


def derived(kind: str, doc: Any) -> dict[str, Any]:
    """Totals the templates print: the schema's computed fields, or computed here for plain data."""
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


# A sign-off block may say the outcome ("approved") or the stored decision ("approve"): one label either way.
_DECIDED = {"approved": "approve", "rejected": "reject"}


def _page_context(ctx: DocumentContext, lang: str, title: str) -> dict[str, Any]:
    created = ctx.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    return {
        "ctx": ctx,
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "title": title,
        # dcterms dates become the PDF's CreationDate/ModDate: from the document, never "now".
        "created_iso": created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date_text": ctx.created_at.strftime("%Y-%m-%d"),
        "page_format": UI["page"][0 if lang == "zh" else 1],
        "decision": lambda value: DECISION.label(_DECIDED.get(value, value), lang),
    }


def render_html(form: Any, ctx: DocumentContext, lang: str = "zh", kind: str | None = None) -> str:
    """A document (validated model, or plain data with `kind`) as a standalone HTML page."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    model, kind = _model_and_kind(form, kind)
    env = environment()
    names = [f"kinds/{kind}.html", "kinds/generic.html"]
    template = env.select_template(names)
    labels = Labels(model, lang)
    return template.render(
        doc=form,
        kind=kind,
        d=derived(kind, form),
        L=labels.label,
        UI=labels.ui,
        show=labels.show,
        get=get,
        fmt=lambda value: fmt(value, lang),
        generic_rows=lambda: generic_rows(form, model, lang),
        **_page_context(ctx, lang, _title(kind, lang)),
    )


def render_report_html(template_name: str, context: Mapping[str, Any], ctx: DocumentContext, lang: str = "zh") -> str:
    """Any other report (pipeline, compliance review) in the same base layout.

    `template_name` is relative to `reports/templates/` and should extend `base.html`;
    `context` supplies its variables (`title` is required).
    """
    labels = Labels(None, lang)
    values = {
        "L": labels.label,
        "UI": labels.ui,
        "get": get,
        "fmt": lambda value: fmt(value, lang),
        **_page_context(ctx, lang, str(context.get("title", ""))),
    }
    values.update(context)
    return environment().get_template(template_name).render(**values)


def generic_rows(form: Any, model: type | None, lang: str) -> list[dict[str, Any]]:
    """Every field of a document for the fallback template: scalars, objects and tables."""
    keys: list[str]
    if model is not None and hasattr(model, "model_fields"):
        keys = list(model.model_fields) + list(getattr(model, "model_computed_fields", {}))
    else:
        keys = list(form) if isinstance(form, Mapping) else []
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

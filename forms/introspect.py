"""A document schema as plain data, for the readers that walk it field by field.

The YAML template, the interactive fill, the diff labels and the PDF renderer all
need the same thing: each field's key, labels, help, type, whether it is required,
its choices and, for objects and lists of objects, its children. `describe()`
derives that once from the pydantic model, so those readers never inspect pydantic
types themselves (one walker, not three).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import types
import typing
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import forms
from forms import choices

TypeName = Literal[
    "str",
    "int",
    "number",
    "bool",
    "date",
    "datetime",
    "choice",
    "object",
    "list-of-str",
    "list-of-date",
    "list-of-object",
    "dict-of-number",
]


_CONTAINERS = ("object", "list-of-str", "list-of-date", "list-of-object", "dict-of-number")


@dataclass(frozen=True)
class FieldSpec:
    """One field of a schema. `path` uses `[]` for "every item": `configurations[].quantity`."""

    key: str
    path: str
    label_zh: str
    label_en: str
    help_zh: str
    help_en: str
    type: str
    required: bool
    choices: tuple[Any, ...] = ()
    children: tuple[FieldSpec, ...] = ()
    computed: bool = False
    min_items: int = 0
    # the pydantic annotation of one value (the item's for lists): lets a reader check one answer
    annotation: Any = field(default=None, compare=False, repr=False)
    metadata: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def help(self, lang: str = "zh") -> str:
        return self.help_zh if lang == "zh" else self.help_en

    def choice_label(self, value: Any, lang: str = "zh") -> str:
        """The label of one of this field's choices (from its enum in `forms.choices`)."""
        enum = choices.of(self.annotation)
        return enum.label(value, lang) if enum else str(value)


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _base(annotation: Any) -> Any:
    """`Annotated[X, ...]` → X."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and hasattr(annotation, "model_fields")


def _scalar(annotation: Any) -> tuple[str, tuple[Any, ...]]:
    annotation = _base(annotation)
    if typing.get_origin(annotation) is Literal:
        return "choice", typing.get_args(annotation)
    if annotation is bool:
        return "bool", ()
    if annotation is int:
        return "int", ()
    if annotation is float:
        return "number", ()
    if annotation is dt.datetime:
        return "datetime", ()
    if annotation is dt.date:
        return "date", ()
    return "str", ()


def _min_items(info: Any) -> int:
    for item in getattr(info, "metadata", ()):
        value = getattr(item, "min_length", None)
        if isinstance(value, int):
            return value
    return 0


def _spec(key: str, info: Any, prefix: str, annotation: Any, required: bool, computed: bool = False) -> FieldSpec:
    from forms.base import help_text, label  # pydantic: a schema is being described, so it is loaded

    path = f"{prefix}.{key}" if prefix else key
    annotation = _base(_strip_optional(annotation))
    origin = typing.get_origin(annotation)
    children: tuple[FieldSpec, ...] = ()
    choices: tuple[Any, ...] = ()
    item = annotation
    if _is_model(annotation):
        kind, children = "object", _children(annotation, path)
    elif origin is list:
        # keep the item's own constraints (Annotated) so one answer can be checked alone
        item = typing.get_args(annotation)[0]
        if _is_model(_base(item)):
            item = _base(item)
            kind, children = "list-of-object", _children(item, path + "[]")
        else:
            scalar, choices = _scalar(item)
            kind = "list-of-date" if scalar == "date" else "list-of-str"
    elif origin is dict:
        kind, item = "dict-of-number", typing.get_args(annotation)[1]
    else:
        kind, choices = _scalar(annotation)
    return FieldSpec(
        key=key,
        path=path,
        label_zh=label(info, "zh", key),
        label_en=label(info, "en", key),
        help_zh=help_text(info, "zh"),
        help_en=help_text(info, "en"),
        type=kind,
        required=required,
        choices=choices,
        children=children,
        computed=computed,
        min_items=_min_items(info) if kind.startswith("list-") else 0,
        annotation=item,
        # constraints of a single value only; a list's or mapping's own (min_length) must not reach its items
        metadata=tuple(getattr(info, "metadata", ())) if kind not in _CONTAINERS else (),
    )


def _children(model: Any, prefix: str, computed: bool = False) -> tuple[FieldSpec, ...]:
    specs = [_spec(key, info, prefix, info.annotation, info.is_required()) for key, info in model.model_fields.items()]
    if computed:
        specs += [
            _spec(key, info, prefix, info.return_type, False, computed=True)
            for key, info in model.model_computed_fields.items()
        ]
    return tuple(specs)


def describe(kind: str, *, computed: bool = False) -> list[FieldSpec]:
    """The fields of `kind` in declaration order; with `computed=True` also its computed values (flagged)."""
    return list(_describe(kind, computed))


@functools.cache
def _describe(kind: str, computed: bool) -> tuple[FieldSpec, ...]:
    # schemas do not change at run time; diff and prompts look fields up repeatedly
    form = forms.get(kind)
    if not computed:
        return _children(form, "")
    # computed values live on nested parts too (a configuration's amount)
    return _with_computed(form, "")


def _with_computed(model: Any, prefix: str) -> tuple[FieldSpec, ...]:
    specs = []
    for spec in _children(model, prefix, computed=True):
        if spec.type in ("object", "list-of-object") and not spec.computed:
            inner = spec.path + ("[]" if spec.type == "list-of-object" else "")
            sub = (
                spec.annotation
                if spec.type == "list-of-object"
                else _base(_strip_optional(model.model_fields[spec.key].annotation))
            )
            spec = _replace_children(spec, _with_computed(sub, inner))
        specs.append(spec)
    return tuple(specs)


def _replace_children(spec: FieldSpec, children: tuple[FieldSpec, ...]) -> FieldSpec:
    return replace(spec, children=children)


def find(kind: str, path: str) -> FieldSpec | None:
    """The spec at a concrete key path such as `configurations[1].quantity` (indices ignored)."""
    # a whole list item (`open_items[1]`) is described by its list
    wanted = re.sub(r"\[\d+\]", "[]", path).removesuffix("[]")
    specs = describe(kind, computed=True)
    while specs:
        for spec in specs:
            if spec.path == wanted:
                return spec
            if spec.type == "dict-of-number" and wanted.startswith(spec.path + "."):
                # a dict entry (competitor_scores.东风) is described by the dict field
                return spec
            if wanted.startswith(spec.path + ".") or wanted.startswith(spec.path + "[]."):
                specs = list(spec.children)
                break
        else:
            return None
    return None

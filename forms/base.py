"""The building blocks every document schema uses.

A document kind is a pydantic model (`Form`) whose fields carry their Chinese
and English labels and a short help text in `json_schema_extra`, declared with
`field()`. Nested objects are `Part` models declared the same way. Choices are
`Literal[...]` types of `forms.choices`, which holds their display labels.

Readers of this metadata: validation errors (`forms.validate`), the YAML
template (`kam doc template`), interactive prompts and the PDF renderer. They
all call `label()`, `help_text()` and `forms.choices` so a label is written
once; `forms.introspect.describe()` gives the same as plain data.

Computed values (totals, weighted scores, the return-visit schedule) are
`@computed(zh, en)` properties: labelled like fields, present in
`model_dump()`, never accepted as input.

Who may read a field: `field(..., internal=True)` marks our own intelligence
(competition, stances, concessions...): the customer edition of a
customer-facing kind (`AUDIENCE = "customer"` in the kind's header) leaves it
out, the internal edition prints it. `field(..., not_printed="why")` is a field
no PDF prints, with the reason (a test holds every other field to its template). Rules that span fields run in a
field validator of the later field (so `info.data` holds the earlier ones);
`fail_at()` lets a list's validator point at `criteria[2].name`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, computed_field, model_validator
from pydantic.json_schema import JsonDict
from pydantic_core import InitErrorDetails, PydanticCustomError

from forms.reading import AS_WRITTEN
from workflow.errors import InvalidInput
from workflow.values.money import parse_amount


def field(
    zh: str,
    en: str,
    *,
    help_zh: str = "",
    help_en: str = "",
    default: Any = ...,
    internal: bool = False,
    not_printed: str = "",
    **kwargs: Any,
) -> Any:
    """A schema field with its labels. No `default` means required; `internal`: never in a customer edition."""
    extra: JsonDict = {"label_zh": zh, "label_en": en, "help_zh": help_zh, "help_en": help_en}
    if internal:
        extra["internal"] = True
    if not_printed:
        extra["not_printed"] = not_printed
    if "default_factory" in kwargs:
        return Field(json_schema_extra=extra, **kwargs)
    return Field(default, json_schema_extra=extra, **kwargs)


def computed(zh: str, en: str, *, help_zh: str = "", help_en: str = "", internal: bool = False) -> Any:
    """A computed (never typed in) value with its labels; stack on a `@property`."""
    extra: JsonDict = {"label_zh": zh, "label_en": en, "help_zh": help_zh, "help_en": help_en}
    if internal:
        extra["internal"] = True
    return computed_field(json_schema_extra=extra)


def _is_blank(value: Any) -> bool:
    """None, or a mapping/list holding nothing but blanks: an unfilled template placeholder."""
    if value is None:
        return True
    if isinstance(value, dict):
        return all(_is_blank(v) for v in value.values())
    return False


def fail_at(problems: Iterable[tuple[tuple[str | int, ...], str]], title: str = "Form") -> None:
    """Raise one error per `(location, "中文 | English")`, located *inside* the field being validated.

    Used from a list field's validator so a cross-field rule reports `criteria[2].our_score`,
    not just `criteria`, and all such problems at once; pydantic prefixes the field's own path.
    """
    details = [
        InitErrorDetails(type=PydanticCustomError("value_error", "{error}", {"error": text}), loc=loc, input=None)
        for loc, text in problems
    ]
    if details:
        raise ValidationError.from_exception_data(title, details)


class Part(BaseModel):
    """A nested object inside a document (a contact, a configuration row...)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    # An empty value in YAML (`key:`) means "not given": a required field then reports
    # "missing" instead of a type error, and a list item left entirely blank (the
    # template's example row) is ignored.
    @model_validator(mode="before")
    @classmethod
    def _drop_blanks(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {
            key: [item for item in value if not _is_blank(item)] if isinstance(value, list) else value
            for key, value in data.items()
            if value is not None
        }


class Form(Part):
    """A document kind. Subclasses set the class variables below."""

    kind: ClassVar[str]  # the module's KIND; its title is the module's TITLE (`forms.title(kind)`)
    # Values the YAML template and interactive fill start from (e.g. the seed's default criteria).
    prefill: ClassVar[dict[str, Any]] = {}


def _written_amount(value: Any) -> Any:
    """An amount typed as text (`386,000`, `38.6万`, `¥386,000.00`) read by `parse_amount`; numbers pass as they are.

    Numbers are left to the field's bounds so every document stored before amounts were read as text
    stays valid; text that is not an amount is refused with the forms kam accepts.
    """
    if not isinstance(value, str):
        return value
    try:
        return float(parse_amount(value, ""))
    except InvalidInput as exc:
        # parse_amount names the field first (`：…`); the FieldError already does, with its label
        zh, en = exc.message.zh.removeprefix("："), exc.message.en.removeprefix(": ")
        raise ValueError(f"{zh} | {en}") from None


# Amounts in 元 are floats, rounded to 0.01 where computed: they serialise as JSON numbers (§8 says
# `number`), where Decimal would become strings. Bounded so computed totals stay finite and exact to
# the fen: no truck costs a billion 元, no order is a million trucks. Written as people write them
# (`386,000`, `38.6万`, `¥386,000.00`: `workflow.values.money`); `Amount` may be 0 (a deposit).
Money = Annotated[
    float, AS_WRITTEN, BeforeValidator(_written_amount), Field(gt=0, le=1_000_000_000, allow_inf_nan=False)
]
Amount = Annotated[
    float, AS_WRITTEN, BeforeValidator(_written_amount), Field(ge=0, le=1_000_000_000_000, allow_inf_nan=False)
]
Count = Annotated[int, Field(gt=0, le=1_000_000)]
Text = Annotated[str, Field(min_length=1)]


def _extra(info: Any) -> dict[str, Any]:
    extra = getattr(info, "json_schema_extra", None)
    return extra if isinstance(extra, dict) else {}


def label(info: Any, lang: str = "zh", key: str = "") -> str:
    """The label in `lang` of a field or computed field (FieldInfo / ComputedFieldInfo); falls back to the key."""
    return _extra(info).get(f"label_{lang}") or key


def help_text(info: Any, lang: str = "zh") -> str:
    return _extra(info).get(f"help_{lang}", "")


def is_internal(info: Any) -> bool:
    """Whether a field (FieldInfo / ComputedFieldInfo) is our own intelligence, left out of a customer edition."""
    return bool(_extra(info).get("internal"))


def not_printed(info: Any) -> str:
    """Why no PDF prints this field ("" when one does)."""
    return str(_extra(info).get("not_printed", ""))


def internal_fields(model: type[BaseModel]) -> frozenset[str]:
    """The keys of `model`'s fields and computed fields marked internal."""
    fields = {**model.model_fields, **model.model_computed_fields}
    return frozenset(key for key, info in fields.items() if is_internal(info))

"""The building blocks every document schema uses.

A document kind is a pydantic model (`Form`) whose fields carry their Chinese
and English labels and a short help text in `json_schema_extra`, declared with
`field()`. Nested objects are `Part` models declared the same way. Choices are
`Literal[...]` types; their display labels live in `CHOICES`.

Readers of this metadata: validation errors (`forms.validate`), the YAML
template (`kam doc template`), interactive prompts and the PDF renderer. They
all call `label()`, `help_text()` and `choice_label()` so a label is written
once.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo

# Display labels for every choice value used by any schema: value -> (zh, en).
CHOICES: dict[str, tuple[str, str]] = {
    "high": ("高", "high"),
    "medium": ("中", "medium"),
    "low": ("低", "low"),
    "supporter": ("支持者", "supporter"),
    "neutral": ("中立者", "neutral"),
    "opponent": ("反对者", "opponent"),
    "unknown": ("不清楚", "unknown"),
    "decider": ("决策者", "decider"),
    "manager": ("管理者", "manager"),
    "executor": ("执行者", "executor"),
    "full": ("全款", "full payment"),
    "loan": ("贷款", "loan"),
    "before_dispatch": ("发车前到账", "before dispatch"),
    "after_registration": ("上完牌到账", "after registration"),
}


def field(
    zh: str,
    en: str,
    *,
    help_zh: str = "",
    help_en: str = "",
    default: Any = ...,
    **kwargs: Any,
) -> Any:
    """A schema field with its labels. No `default` means required."""
    extra = {"label_zh": zh, "label_en": en, "help_zh": help_zh, "help_en": help_en}
    if "default_factory" in kwargs:
        return Field(json_schema_extra=extra, **kwargs)
    return Field(default, json_schema_extra=extra, **kwargs)


class Part(BaseModel):
    """A nested object inside a document (a contact, a configuration row...)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Form(Part):
    """A document kind. Subclasses set the class variables below."""

    kind: ClassVar[str]
    title_zh: ClassVar[str]
    title_en: ClassVar[str]
    # The stage whose exit this document serves (a stage id from the process).
    stage: ClassVar[str]


def _extra(info: FieldInfo) -> dict[str, Any]:
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def label(info: FieldInfo, lang: str = "zh", key: str = "") -> str:
    """The field's label in `lang`; falls back to the key."""
    return _extra(info).get(f"label_{lang}") or key


def help_text(info: FieldInfo, lang: str = "zh") -> str:
    return _extra(info).get(f"help_{lang}", "")


def choice_label(value: str, lang: str = "zh") -> str:
    zh, en = CHOICES.get(value, (value, value))
    return zh if lang == "zh" else en


def title(form: type[Form], lang: str = "zh") -> str:
    return form.title_zh if lang == "zh" else form.title_en

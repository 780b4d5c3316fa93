"""Turn pydantic's ValidationError into our FieldErrors, with labels and Chinese messages."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from forms import FieldError, choices
from forms.base import label
from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.values.dates import parse_date, parse_datetime

# pydantic error type -> Chinese message template (English comes from pydantic).
_ZH: dict[str, str] = {
    "missing": "必填项缺失",
    "extra_forbidden": "未知字段（检查拼写，或删除该字段）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为是/否 (true/false)",
    "bool_type": "应为是/否 (true/false)",
    "string_type": "应为文本",
    "date_parsing": "应为日期，如 2026-11-20",
    "date_from_datetime_parsing": "应为日期，如 2026-11-20",
    "date_type": "应为日期，如 2026-11-20",
    "datetime_parsing": "应为日期时间，如 2026-11-20T14:00",
    "datetime_from_date_parsing": "应为日期时间，如 2026-11-20T14:00",
    "datetime_type": "应为日期时间，如 2026-11-20T14:00",
    "list_type": "应为列表",
    "dict_type": "应为键值映射",
    "model_type": "应为键值映射",
    "model_attributes_type": "应为键值映射",
    "literal_error": "取值不在可选范围内",
    "too_short": "至少需要一项",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "必须大于或等于 {ge}",
    "less_than_equal": "必须小于或等于 {le}",
    "less_than": "必须小于 {lt}",
    "string_too_short": "不能为空",
    "finite_number": "应为有限的数字",
    "int_too_big": "数字过大",
    "date_from_datetime_inexact": "应为日期（不含时间），如 2026-11-20",
    "date_future": "日期应在将来",
    "datetime_object_invalid": "日期时间无效",
    "too_long": "项数过多",
    "string_too_long": "文本过长",
    "dict_attributes_type": "应为键值映射",
    "list_attributes_type": "应为列表",
    "is_instance_of": "类型不正确",
}


# A key the form does not declare is shown as written, quoted when it would not read as a plain name:
# `"a.b"`, `""`, `"False"`; a YAML key that is not text (`false:`, `~:`) in its YAML spelling.
_PLAIN_KEY = re.compile(r"[^\W\d]\w*|\d+")
_CONSTANTS = frozenset({"true", "false", "none", "null", "yes", "no", "on", "off"})


def key_text(key: Any) -> str:
    """A mapping key as a path shows it."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if not isinstance(key, str):
        return str(key)
    if _PLAIN_KEY.fullmatch(key) and key.lower() not in _CONSTANTS:
        return key
    return json.dumps(key, ensure_ascii=False)


def _walk(form: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, str, str, bool]:
    """Key path, the labels of the innermost named field, and whether that is a computed value."""
    path = ""
    model: Any = form
    zh = en = ""
    computed = False
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            path += f"[{part}]"
            continue
        if part == "[key]":
            continue  # a mapping key itself is invalid; the path already names it
        fields = getattr(model, "model_fields", None) or {}
        computed_fields = getattr(model, "model_computed_fields", None) or {}
        shown = part if isinstance(part, str) and (part in fields or part in computed_fields) else key_text(part)
        path += f".{shown}" if path else shown
        if part in fields:
            info = fields[part]
            zh, en = label(info, "zh", str(part)), label(info, "en", str(part))
            model = _inner_model(info.annotation)
        elif part in computed_fields:
            info = computed_fields[part]
            zh, en = label(info, "zh", str(part)), label(info, "en", str(part))
            model, computed = None, True
        else:
            model = None
    return path, zh, en, computed


def _inner_model(annotation: Any) -> Any:
    """The Part model inside `X`, `list[X]`, `X | None`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _annotation_at(form: type[BaseModel], loc: tuple[Any, ...]) -> Any:
    """The annotation of the innermost named field at `loc` (None past a computed value or an unknown key)."""
    model: Any = form
    annotation: Any = None
    for part in loc:
        if isinstance(part, int) or part == "[key]":
            continue
        fields = getattr(model, "model_fields", None) or {}
        if part not in fields:
            return None
        annotation = fields[part].annotation
        model = _inner_model(annotation)
    return annotation


def to_field_errors(form: type[BaseModel], exc: ValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors(include_url=False):
        # pydantic adds the validator name for union/function members; keep only keys and indices
        loc = tuple(p for p in err["loc"] if isinstance(p, int) or not str(p).startswith(("function-", "literal[")))
        path, zh_label, en_label, computed = _walk(form, loc)
        if computed and err["type"] == "extra_forbidden":
            message_zh, message_en = "自动计算的值，请勿填写", "a computed value: do not type it"
        elif err["type"] == "literal_error" and (enum := choices.of(_annotation_at(form, loc))) is not None:
            refusal = enum.refusal(err.get("input"), t("", "")).message
            message_zh, message_en = _unprefixed(refusal)
        elif err["type"] in _DATES and isinstance(err.get("input"), str):
            message_zh, message_en = _date_message(err["type"], err["input"]) or messages(err)
        else:
            message_zh, message_en = messages(err)
        errors.append(FieldError(path, zh_label, en_label, message_zh, message_en))
    return errors


_DATES = frozenset(
    {"date_parsing", "date_from_datetime_parsing", "date_type", "datetime_parsing", "datetime_from_date_parsing"}
    | {"datetime_type", "date_from_datetime_inexact"}
)


def _date_message(kind: str, written: str) -> tuple[str, str] | None:
    """Why `written` is no date (没有这一天, the year first...), as `workflow.values.dates` says it."""
    parse = parse_datetime if kind.startswith("datetime") else parse_date
    try:
        parse(written, "")
    except InvalidInput as exc:
        return _unprefixed(exc.message)
    return None


def _unprefixed(text: Text) -> tuple[str, str]:
    """A refusal made for an unnamed field, without its "：" / ": " (the FieldError names the field)."""
    return text.zh.removeprefix("："), text.en.removeprefix(": ")


def messages(err: Any) -> tuple[str, str]:
    """(中文, English) message of one pydantic error (an item of `ValidationError.errors()`)."""
    ctx = err.get("ctx") or {}
    message_en = err["msg"]
    if err["type"] == "value_error":
        # our own validators raise ValueError("中文 | English")
        text = str(ctx.get("error", message_en))
        zh, _, en = text.partition(" | ")
        return zh, en or zh
    template = _ZH.get(err["type"])
    # bounds on float fields arrive as 10.0; people write 10
    ctx = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in ctx.items()}
    try:
        return (template.format(**ctx) if template else message_en), message_en
    except (KeyError, IndexError):
        return template or message_en, message_en

"""`kam doc template KIND`: a commented YAML skeleton of a document.

Every key of the schema appears once, in declaration order, under a comment giving
its labels in Chinese and English, whether it is required (`*`), its type, its
choices and its help text. Values are left blank (`key:`); a blank value means "not
given" (see `forms.base.Part`), so the untouched skeleton parses as YAML and fails
validation only with "required field missing" errors at the right paths. Lists show
one example item; an item left entirely blank is ignored. Kinds with `prefill` (the
scorecard's seed criteria and weights) start from those values.
"""

from __future__ import annotations

from typing import Any

import forms
from forms.introspect import FieldSpec, describe

# type name -> (中文, English) as shown in the comments
TYPE_WORDS: dict[str, tuple[str, str]] = {
    "str": ("文本", "text"),
    "int": ("整数", "integer"),
    "number": ("数字", "number"),
    "bool": ("是否 true/false", "true/false"),
    "date": ("日期，如 2026-11-20", "date, e.g. 2026-11-20"),
    "datetime": ("日期时间，如 2026-11-20T14:00", "date-time, e.g. 2026-11-20T14:00"),
    "choice": ("选项", "choice"),
    "object": ("对象", "object"),
    "list-of-str": ("文本列表，每行一项 “- ”", "list of text, one “- ” line each"),
    "list-of-date": ("日期列表", "list of dates"),
    "list-of-object": ("列表，每项以 “- ” 开头", "list, each item starts with “- ”"),
    "dict-of-number": ("名称: 数字，如 {东风: 7, 重汽: 6}", "name: number, e.g. {Dongfeng: 7}"),
}


def _pair(zh: str, en: str, lang: str) -> str:
    if not en or zh == en:
        return zh or en
    return f"{zh} / {en}" if lang == "zh" else f"{en} / {zh}"


def comment(spec: FieldSpec, lang: str = "zh") -> str:
    """The one-line description of a field used in the template (without the leading `#`)."""
    parts = [("* " if spec.required else "") + _pair(spec.label_zh, spec.label_en, lang)]
    req = ("必填", "required") if spec.required else ("可选", "optional")
    if spec.min_items:
        req = (f"{req[0]}，至少 {spec.min_items} 项", f"{req[1]}, at least {spec.min_items}")
    parts.append(_pair(*req, lang))
    parts.append(_pair(*TYPE_WORDS[spec.type], lang))
    if spec.choices:
        options = " | ".join(
            f"{value} ({_pair(spec.choice_label(value, 'zh'), spec.choice_label(value, 'en'), lang)})"
            for value in spec.choices
        )
        parts.append(_pair("可选值", "choices", lang) + ": " + options)
    if spec.help_zh or spec.help_en:
        parts.append(_pair(spec.help_zh, spec.help_en, lang))
    return " — ".join(parts)


def _scalar(value: Any) -> str:
    import yaml  # 10-20 ms: only the template prints YAML values

    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _lines(
    specs: tuple[FieldSpec, ...] | list[FieldSpec],
    values: dict[str, Any],
    indent: str,
    lang: str,
    comments: bool = True,
) -> list[str]:
    """YAML lines for `specs` at `indent`; `values` are prefilled ones."""
    out: list[str] = []
    for spec in specs:
        if comments:
            out.append(f"{indent}# {comment(spec, lang)}")
        value = values.get(spec.key)
        if spec.type == "object":
            out.append(f"{indent}{spec.key}:")
            out += _lines(spec.children, value or {}, indent + "  ", lang, comments)
        elif spec.type == "list-of-object":
            out.append(f"{indent}{spec.key}:")
            items = value or [{}]
            for n, item in enumerate(items):
                # only the first item carries comments; later prefilled rows stay compact
                item_lines = _lines(spec.children, item, indent + "    ", lang, comments and n == 0)
                first = next(i for i, line in enumerate(item_lines) if not line.lstrip().startswith("#"))
                item_lines[first] = f"{indent}  - " + item_lines[first].lstrip()
                # the item's leading comments sit at the dash, not under it
                item_lines[:first] = [f"{indent}  " + line.lstrip() for line in item_lines[:first]]
                out += item_lines
        elif spec.type in ("list-of-str", "list-of-date"):
            out.append(f"{indent}{spec.key}:")
            out += [f"{indent}  - {_scalar(v)}" for v in value] if value else [f"{indent}  -"]
        elif spec.type == "dict-of-number":
            out.append(f"{indent}{spec.key}: {_scalar(value) if value else '{}'}")
        else:
            out.append(f"{indent}{spec.key}:" + (f" {_scalar(value)}" if value is not None else ""))
    return out


def template(kind: str, lang: str = "zh") -> str:
    """The commented YAML skeleton of `kind`; `lang` only decides which language comes first."""
    form = forms.get(kind)
    title_zh, title_en = forms.title(kind, "zh"), forms.title(kind, "en")
    specs = describe(kind)
    computed = [s for s in describe(kind, computed=True) if s.computed] + [
        c for s in describe(kind, computed=True) for c in s.children if c.computed
    ]
    head = [
        f"# {_pair(title_zh, title_en, lang)} ({kind})",
        "# "
        + _pair(
            "在冒号后填写；留空表示未填写；带 * 的为必填项。",
            "Fill in after each colon; blank means not given; * marks a required field.",
            lang,
        ),
        "# "
        + _pair(
            "列表可增加 “- ” 项；整项留空的示例行会被忽略。",
            "Add list items with “- ”; an example item left entirely blank is ignored.",
            lang,
        ),
    ]
    if computed:
        names = ", ".join(f"{s.label('zh' if lang == 'zh' else 'en')} ({s.key})" for s in computed)
        head.append("# " + _pair("自动计算，勿填写", "computed, do not type", lang) + ": " + names)
    return "\n".join(head + [""] + _lines(specs, dict(form.prefill), "", lang)) + "\n"

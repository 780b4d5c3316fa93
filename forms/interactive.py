"""`kam doc fill` without `--file`: prompt for a document field by field.

No I/O of its own: the caller injects `ask(prompt, default) -> answer` and
`say(text)`. The CLI passes click.prompt/echo wrappers, tests pass scripted answers,
and piped input works because nothing here looks at a terminal.

Conventions, announced to the user at the start:

- Enter accepts the default shown (a previous version's value, or the kind's prefill);
  on an optional field without default it skips the field; `-` clears a default.
- Choices are listed with numbers; the number, the value or its label are accepted.
- Lists are asked item by item; an empty answer ends the list (for a list of objects:
  an empty answer to the item's first field).
- A value that does not fit its field is re-asked with the reason. Rules across
  fields (weights sum to 100 ...) are checked at the end; the fields they name are
  asked again.
- A summary is shown and must be confirmed; `FillAborted` if it is not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

import forms
from forms.diff import flatten, show
from forms.introspect import _CONTAINERS, FieldSpec, describe, find

Ask = Callable[[str, "str | None"], str]
Say = Callable[[str], None]

_YES = {"y", "yes", "true", "1", "是", "对", "t", "on"}
_NO = {"n", "no", "false", "0", "否", "不", "f", "off"}
CLEAR = "-"
# Piped input that runs dry answers "" forever; give up instead of asking forever.
MAX_TRIES = 20


class FillAborted(Exception):
    """The user did not confirm the summary (or kept answering invalidly); nothing should be stored."""


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _text(value: Any) -> str | None:
    """A stored value as the default shown in a prompt."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "y" if value else "n"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _Filler:
    def __init__(self, ask: Ask, say: Say, lang: str) -> None:
        self.ask, self.say, self.lang = ask, say, lang

    def t(self, zh: str, en: str) -> str:
        return _t(self.lang, zh, en)

    # -- one value -------------------------------------------------------------
    def _check(self, spec: FieldSpec, raw: Any, annotation: Any = None) -> tuple[bool, Any]:
        """Validate one answer against the field alone; (ok, JSON-safe value or error text)."""
        from pydantic import TypeAdapter, ValidationError  # pydantic loads once a field is checked, not on import
        from pydantic_core import to_jsonable_python

        from forms.errors import messages  # with pydantic

        target = annotation if annotation is not None else spec.annotation
        if spec.metadata:
            target = Annotated[(target, *spec.metadata)]
        try:
            value = TypeAdapter(target).validate_python(raw)
        except ValidationError as exc:
            zh, en = messages(exc.errors(include_url=False)[0])
            return False, self.t(zh, en)
        return True, to_jsonable_python(value)

    def _parse(self, spec: FieldSpec, answer: str) -> Any:
        if spec.type == "bool":
            word = answer.lower()
            return True if word in _YES else False if word in _NO else answer
        if spec.type == "choice":
            if answer.isdigit() and 1 <= int(answer) <= len(spec.choices) and answer not in map(str, spec.choices):
                return spec.choices[int(answer) - 1]
            for value in spec.choices:
                labels = {str(value), spec.choice_label(value, "zh"), spec.choice_label(value, "en")}
                if answer in labels or answer.lower() in {x.lower() for x in labels}:
                    return value
        return answer

    def _prompt(self, spec: FieldSpec, suffix: str = "") -> str:
        mark = " *" if spec.required else ""
        hint = {
            "bool": " (y/n)",
            "date": " (YYYY-MM-DD)",
            "datetime": " (YYYY-MM-DDTHH:MM)",
        }.get(spec.type, "")
        return f"{spec.label(self.lang)}{suffix}{mark}{hint}"

    def _show_choices(self, spec: FieldSpec) -> None:
        options = "  ".join(
            f"{n}) {value} {spec.choice_label(value, self.lang)}" for n, value in enumerate(spec.choices, 1)
        )
        self.say(f"  {options}")

    def scalar(
        self, spec: FieldSpec, default: Any, required: bool, suffix: str = "", annotation: Any = None
    ) -> tuple[bool, Any]:
        """Ask until the answer fits; (given, value). `given` is False for a skipped optional field."""
        if spec.type == "choice":
            self._show_choices(spec)
        shown = _text(default)
        for _ in range(MAX_TRIES):
            answer = (self.ask(self._prompt(spec, suffix), shown) or "").strip()
            if answer == CLEAR and shown is not None and not required:
                return False, None
            if answer == "":
                if shown is None:
                    if required:
                        self.say(self.t("  必填项，请输入。", "  required, please answer."))
                        continue
                    return False, None
                answer = shown
            ok, value = self._check(spec, self._parse(spec, answer), annotation)
            if ok:
                return True, value
            self.say(f"  {value}")
        raise FillAborted(self.t(f"{spec.label_zh}：无效回答过多", f"{spec.label_en}: too many invalid answers"))

    # -- structures --------------------------------------------------------------
    def fields(
        self, specs: tuple[FieldSpec, ...] | list[FieldSpec], defaults: dict[str, Any], only: set[str] | None = None
    ) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for spec in specs:
            default = defaults.get(spec.key)
            if only is not None and spec.key not in only:
                if default is not None:
                    data[spec.key] = default
                continue
            value = self.field(spec, default)
            if value is not None:
                data[spec.key] = value
        return data

    def field(self, spec: FieldSpec, default: Any) -> Any:
        if spec.type == "object":
            self.say(f"[{spec.label(self.lang)}]")
            value = self.fields(spec.children, default if isinstance(default, dict) else {})
            return value or None
        if spec.type == "list-of-object":
            return self.object_list(spec, default if isinstance(default, list) else [])
        if spec.type in ("list-of-str", "list-of-date"):
            return self.scalar_list(spec, default if isinstance(default, list) else [])
        if spec.type == "dict-of-number":
            return self.number_map(spec, default if isinstance(default, dict) else {})
        given, value = self.scalar(spec, default, spec.required)
        return value if given else None

    def _list_intro(self, spec: FieldSpec) -> None:
        need = self.t(f"，至少 {spec.min_items} 项", f", at least {spec.min_items}") if spec.min_items else ""
        self.say(
            f"[{spec.label(self.lang)}] "
            + self.t(f"逐项输入，空回车结束{need}", f"one per answer, empty answer ends{need}")
        )

    def scalar_list(self, spec: FieldSpec, defaults: list[Any]) -> list[Any]:
        self._list_intro(spec)
        items: list[Any] = []
        for n in range(1, 10_000):
            default = defaults[n - 1] if n <= len(defaults) else None
            must = len(items) < spec.min_items and default is None
            item_spec = FieldSpec(
                spec.key, spec.path, spec.label_zh, spec.label_en, "", "", "str", must, annotation=spec.annotation
            )
            given, value = self.scalar(item_spec, default, must, suffix=f" #{n}")
            if given:
                items.append(value)
            elif default is None:
                break
        return items

    def object_list(self, spec: FieldSpec, defaults: list[Any]) -> list[Any]:
        self._list_intro(spec)
        items: list[dict[str, Any]] = []
        first, rest = spec.children[0], spec.children[1:]
        for n in range(1, 10_000):
            default = defaults[n - 1] if n <= len(defaults) and isinstance(defaults[n - 1], dict) else {}
            must = len(items) < spec.min_items and not default
            # the item's first field decides whether there is an item at all
            if first.type in _CONTAINERS:
                value = self.field(first, default.get(first.key))
                given = value is not None
            else:
                given, value = self.scalar(first, default.get(first.key), must, suffix=f" #{n}")
            if not given:
                if default:
                    continue  # `-` dropped a prefilled item
                break
            item = {first.key: value, **self.fields(rest, default)}
            items.append(item)
        return items

    def number_map(self, spec: FieldSpec, defaults: dict[str, Any]) -> dict[str, Any]:
        self.say(
            f"[{spec.label(self.lang)}] "
            + self.t("逐项输入“名称=数值”，空回车结束", "answer name=number, empty answer ends")
        )
        result: dict[str, Any] = {}
        pending = list(defaults.items())
        failures = 0
        while failures < MAX_TRIES:
            current = pending[0] if pending else None
            default = f"{current[0]}={_text(current[1])}" if current else None
            answer = (self.ask(spec.label(self.lang), default) or "").strip()
            if current is not None:
                if answer == CLEAR:
                    pending.pop(0)
                    continue
                answer = answer or (default or "")
            if not answer:
                return result
            name, sep, number = answer.replace("：", "=").replace(":", "=").partition("=")
            if not sep or not name.strip():
                self.say(self.t("  格式应为 名称=数值，如 东风=7", "  expected name=number, e.g. Dongfeng=7"))
                failures += 1
                continue  # asked again, with the same default
            ok, value = self._check(spec, number.strip())
            if not ok:
                self.say(f"  {value}")
                failures += 1
                continue
            if current is not None:
                pending.pop(0)
            result[name.strip()] = value
            failures = 0
        raise FillAborted(self.t(f"{spec.label_zh}：无效回答过多", f"{spec.label_en}: too many invalid answers"))


def _summary(kind: str, stored: dict[str, Any], computed: dict[str, Any], lang: str) -> list[str]:
    lines = []
    for path, value in [*flatten(stored), *((key, value) for key, value in computed.items())]:
        spec = find(kind, path)
        label = spec.label(lang) if spec else path
        lines.append(f"  {label} ({path}): {show(value, lang)}")
    return lines


def fill(kind: str, ask: Ask, say: Say, defaults: dict[str, Any] | None = None, lang: str = "zh") -> dict[str, Any]:
    """Prompt for every field of `kind`; return the confirmed document as stored (`forms.dump`)."""
    form = forms.get(kind)
    filler = _Filler(ask, say, lang)
    specs = describe(kind)
    say(f"{forms.title(kind, lang)} ({kind})")
    say(
        _t(
            lang,
            "回车接受默认值或跳过可选项；“-” 清除默认值；列表中空回车结束；带 * 为必填。",
            "Enter accepts the default or skips an optional field; '-' clears a default; "
            "an empty answer ends a list; * marks a required field.",
        )
    )
    # the kind's prefill (e.g. the seed's scorecard criteria) under whatever the caller knows
    data = filler.fields(specs, {**form.prefill, **(defaults or {})})
    for _ in range(MAX_TRIES):
        try:
            document = forms.validate(kind, data)
            break
        except forms.FormInvalid as exc:
            say(_t(lang, "请修改以下问题：", "Please correct:"))
            for error in exc.errors:
                say(f"  {error.render(lang)}")
            keys = {error.path.split(".")[0].split("[")[0] for error in exc.errors}
            keys &= {spec.key for spec in specs}
            data = filler.fields(specs, data, only=keys or None)
    else:
        raise FillAborted(kind)
    stored = forms.dump(document)
    computed = {
        key: value
        for key, value in document.model_dump(mode="json").items()
        if key in type(document).model_computed_fields
    }
    say(_t(lang, "请确认：", "Please confirm:"))
    for line in _summary(kind, stored, computed, lang):
        say(line)
    for _ in range(MAX_TRIES):
        answer = (ask(_t(lang, "保存？(y/n)", "Save? (y/n)"), "y") or "y").strip().lower()
        if answer in _YES:
            return stored
        if answer in _NO:
            break
        say(_t(lang, "  请回答 y 或 n。", "  please answer y or n."))
    raise FillAborted(kind)

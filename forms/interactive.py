"""`kam doc fill` without `--file`: prompt for a document field by field, and never lose what was typed.

No I/O of its own: the caller injects `ask(prompt, default) -> answer` and
`say(text)`. The CLI passes click.prompt/echo wrappers, tests pass scripted answers
or drive the real command through a pseudo-terminal, and piped input works because
nothing here looks at a terminal.

Conventions, announced to the user at the start:

- Enter accepts the default shown (a previous version's value, or the kind's prefill);
  on an optional field without default it skips the field; `-` clears a default.
- `<` goes back to the previous question (any question, inside lists too).
- Choices are listed with numbers; the number, the value or its label are accepted.
- Suggestions (the account's contacts, the opportunity's owner, earlier documents)
  are listed with numbers too and taken only by typing their number (or the same
  text): a suggested contact brings its department, title... as the defaults of the
  rest of the item. A suggestion is never a default, so Enter on a new list item
  always ends the list (for a list of objects: Enter on the item's first field).
- A value that does not fit its field is re-asked with the reason. Rules across
  fields (weights sum to 100 ...) are checked at the end; the fields they name are
  asked again.
- A review lists every field with a number: a number edits that field, `<` goes
  back to the last question, `y` (Enter) saves, `n` cancels.

Cancelling (`n` at the review, end of input, Ctrl-C: the caller's `ask` raises
EOFError or KeyboardInterrupt) or giving up after too many invalid answers raises
`FillAborted` carrying `draft`, everything answered so far as a partial stored
document; the CLI writes it to a draft file, and `fill(..., resume=draft)` goes on
from where it stopped (straight to the review when the draft is complete).

Going back is a replay: the fill is a function of the answers given (the defaults
and suggestions are fixed), so `<` drops the last accepted answer (and the rejected
tries around it) and runs the fill again over the remaining answers, silently,
until it reaches the question to ask again.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import forms
from forms import choices
from forms.diff import flatten, show
from forms.introspect import _CONTAINERS, FieldSpec, describe, find

Ask = Callable[[str, "str | None"], str]
Say = Callable[[str], None]

_YES = {"y", "yes", "true", "1", "是", "对", "t", "on"}
_NO = {"n", "no", "false", "0", "否", "不", "f", "off"}
_SAVE = {"y", "yes", "s", "save", "是", "保存", "对"}
_CANCEL = {"n", "no", "q", "quit", "否", "取消", "不"}
CLEAR = "-"
BACK = "<"
# what a suggested person is listed with, besides the name
_DETAILS = ("department", "title", "phone")
# Piped input that runs dry answers "" forever; give up instead of asking forever.
MAX_TRIES = 20


class FillAborted(Exception):
    """Cancelled, or too many invalid answers: nothing should be stored. `draft` is what was answered so far."""

    def __init__(self, message: str, draft: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.draft: dict[str, Any] = draft or {}


class _Back(Exception):
    """The user typed `<`: ask the previous question again."""


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


def _pruned(value: Any) -> Any:
    """A draft without the item that was started but has no answer yet."""
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v != {}}
    if isinstance(value, list):
        return [_pruned(v) for v in value if v != {}]
    return value


def _previous(log: list[list[Any]]) -> tuple[list[str], str | None]:
    """The answers that lead back to the previous question, and what that question's answer was.

    The last accepted answer goes, with the rejected tries around it; the value it gave
    becomes the question's default when it is asked again (Enter keeps it).
    """
    log = list(log)
    while log and not log[-1][1]:
        log.pop()  # the current question's rejected tries
    hint = None
    if log:
        hint = log.pop()[2]  # the previous question's answer
    while log and not log[-1][1]:
        log.pop()  # and what it rejected before accepting it
    return [answer for answer, _, _ in log], hint


class _Filler:
    def __init__(
        self,
        ask: Ask,
        say: Say,
        lang: str,
        replay: list[str],
        suggestions: dict[str, list[Any]] | None,
        hint: str | None = None,
    ) -> None:
        self._ask, self._say, self.lang = ask, say, lang
        self.replay, self.pos = replay, 0
        self.hint = hint  # after `<`: the default of the question asked again
        self.log: list[list[Any]] = []  # [answer, accepted, the value it gave as text]
        self.root: dict[str, Any] = {}  # the document being built, for a draft at any moment
        self.base: dict[str, Any] = {}  # what the current pass started from
        self.suggestions = suggestions or {}
        self.picked: int | None = None  # the suggestion the last scalar answer took

    def t(self, zh: str, en: str) -> str:
        return _t(self.lang, zh, en)

    # -- the user's side ---------------------------------------------------------
    @property
    def live(self) -> bool:
        return self.pos >= len(self.replay)

    def say(self, text: str) -> None:
        if self.live:  # a replay after `<` is silent
            self._say(text)

    def answer(self, prompt: str, default: str | None) -> str:
        if self.live:
            hint, self.hint = self.hint, None
            text = self._ask(prompt, hint or default) or ""
            if text.strip() == BACK:
                raise _Back
            if hint and text.strip() in ("", hint):
                text = hint  # Enter keeps the answer given before going back
        else:
            text = self.replay[self.pos]
            self.pos += 1
        self.log.append([text, True, text])
        return text

    def gave(self, value: Any) -> None:
        """What the last answer came to (a suggestion's name for its number): the default if it is asked again."""
        if self.log:
            self.log[-1][2] = _text(value)

    def reject(self, reason: str) -> None:
        """The last answer did not fit: going back skips it."""
        if self.log:
            self.log[-1][1] = False
        self.say(reason)

    def draft(self) -> dict[str, Any]:
        """Every answer so far; a field being asked again keeps its earlier value until it has a new one."""
        out = copy.deepcopy(self.base)
        for key, value in _pruned(copy.deepcopy(self.root)).items():
            if value not in ([], {}) or key not in out:
                out[key] = value
        return out

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
            enum = choices.of(spec.annotation)
            key = enum.key(answer) if enum is not None else None
            if key is not None:
                return key  # a key, a label in either language or a short form (支持 for 支持者)
            for value in spec.choices:
                labels = {str(value), spec.choice_label(value, "zh"), spec.choice_label(value, "en")}
                if answer in labels or answer.lower() in {x.lower() for x in labels}:
                    return value
        return answer

    def _prompt(self, spec: FieldSpec, suffix: str, required: bool) -> str:
        mark = " *" if required else ""  # a list's later items are not: an empty answer ends the list
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
        self,
        spec: FieldSpec,
        default: Any,
        required: bool,
        suffix: str = "",
        annotation: Any = None,
        offers: Sequence[tuple[str, str]] = (),
    ) -> tuple[bool, Any]:
        """Ask until the answer fits; (given, value). `given` is False for a skipped optional field.

        `offers` are suggestions (value, label), taken by their number; `self.picked` says which one was.
        """
        self.picked = None
        if spec.type == "choice":
            self._show_choices(spec)
        offers = list(offers) if spec.type == "str" else []
        if offers:
            listed = "  ".join(f"{n}) {label}" for n, (_, label) in enumerate(offers, 1))
            self.say(self.t(f"  建议（输入编号选用）：{listed}", f"  suggestions (type the number): {listed}"))
        shown = _text(default)
        for _ in range(MAX_TRIES):
            answer = self.answer(self._prompt(spec, suffix, required), shown).strip()
            if answer == CLEAR and shown is not None and not required:
                return False, None
            if answer == "":
                if shown is None:
                    if required:
                        self.reject(self.t("  必填项，请输入。", "  required, please answer."))
                        continue
                    return False, None
                answer = shown
            values = [value for value, _ in offers]
            if answer.isdigit() and 1 <= int(answer) <= len(offers):
                self.picked = int(answer) - 1
                answer = values[self.picked]
            elif answer in values:
                self.picked = values.index(answer)
            ok, value = self._check(spec, self._parse(spec, answer), annotation)
            if ok:
                self.gave(value)
                return True, value
            self.picked = None
            self.reject(f"  {value}")
        raise FillAborted(self.t(f"{spec.label_zh}：无效回答过多", f"{spec.label_en}: too many invalid answers"))

    # -- structures: each writes into `out` as it goes, so a draft holds every answer ------------
    def fields(
        self,
        specs: Sequence[FieldSpec],
        defaults: dict[str, Any],
        out: dict[str, Any],
        only: set[str] | None = None,
    ) -> dict[str, Any]:
        for spec in specs:
            if only is not None and spec.key not in only:
                continue
            out.pop(spec.key, None)
            self.field(spec, defaults.get(spec.key), out)
        return out

    def field(self, spec: FieldSpec, default: Any, out: dict[str, Any]) -> None:
        if spec.type == "object":
            self.say(f"[{spec.label(self.lang)}]")
            value: dict[str, Any] = {}
            out[spec.key] = value
            self.item(spec.children, default if isinstance(default, dict) else {}, value, self._offers(spec))
            if not value:
                del out[spec.key]
        elif spec.type == "list-of-object":
            self.object_list(spec, default if isinstance(default, list) else [], out)
        elif spec.type in ("list-of-str", "list-of-date"):
            self.scalar_list(spec, default if isinstance(default, list) else [], out)
        elif spec.type == "dict-of-number":
            self.number_map(spec, default if isinstance(default, dict) else {}, out)
        else:
            given, answer = self.scalar(spec, default, spec.required)
            if given:
                out[spec.key] = answer

    def _offers(self, spec: FieldSpec) -> list[Any]:
        return list(self.suggestions.get(spec.path, ()))

    def _label(self, offer: dict[str, Any], first: str) -> str:
        details = [str(offer[k]) for k in _DETAILS if k != first and offer.get(k)]
        if not details:
            return str(offer.get(first, ""))
        return str(offer.get(first, "")) + self.t(f"（{'，'.join(details)}）", f" ({', '.join(details)})")

    def item(
        self,
        children: Sequence[FieldSpec],
        default: dict[str, Any],
        out: dict[str, Any],
        offers: list[Any],
        suffix: str = "",
        required: bool | None = None,
    ) -> bool:
        """One object: its first field (which takes a suggestion), then the rest. False if the first was not given."""
        first, rest = children[0], children[1:]
        rest_defaults = default
        if first.type in _CONTAINERS:
            self.field(first, default.get(first.key), out)
            if first.key not in out:
                return False
        else:
            offers = [o for o in offers if isinstance(o, dict) and o.get(first.key)]
            labelled = [(str(o[first.key]), self._label(o, first.key)) for o in offers]
            must = first.required if required is None else required
            given, value = self.scalar(first, default.get(first.key), must, suffix=suffix, offers=labelled)
            if not given:
                return False
            out[first.key] = value
            if self.picked is not None:
                rest_defaults = offers[self.picked]  # a suggested contact brings its own department, title...
            elif first.key in default and default[first.key] != value:
                rest_defaults = {}  # another person than the default's: none of the default's details
        self.fields(rest, rest_defaults, out)
        return True

    def _list_intro(self, spec: FieldSpec) -> None:
        need = self.t(f"，至少 {spec.min_items} 项", f", at least {spec.min_items}") if spec.min_items else ""
        self.say(
            f"[{spec.label(self.lang)}] "
            + self.t(f"逐项输入，空回车结束{need}", f"one per answer, empty answer ends{need}")
        )

    def scalar_list(self, spec: FieldSpec, defaults: list[Any], out: dict[str, Any]) -> None:
        self._list_intro(spec)
        items: list[Any] = []
        out[spec.key] = items
        offers = [str(o) for o in self._offers(spec)] if spec.type == "list-of-str" else []
        for n in range(1, 10_000):
            default = defaults[n - 1] if n <= len(defaults) else None
            must = len(items) < spec.min_items and default is None
            item_spec = FieldSpec(
                spec.key, spec.path, spec.label_zh, spec.label_en, "", "", "str", must, annotation=spec.annotation
            )
            unused = [(o, o) for o in offers if o not in items]
            given, value = self.scalar(item_spec, default, must, suffix=f" #{n}", offers=unused)
            if given:
                items.append(value)
            elif default is None:
                break

    def object_list(self, spec: FieldSpec, defaults: list[Any], out: dict[str, Any]) -> None:
        self._list_intro(spec)
        items: list[dict[str, Any]] = []
        out[spec.key] = items
        first = spec.children[0]
        offers = self._offers(spec)
        for n in range(1, 10_000):
            default = defaults[n - 1] if n <= len(defaults) and isinstance(defaults[n - 1], dict) else {}
            taken = {str(i.get(first.key)) for i in items}
            unused = [o for o in offers if isinstance(o, dict) and str(o.get(first.key)) not in taken]
            item: dict[str, Any] = {}
            items.append(item)
            if not self.item(spec.children, default, item, unused, f" #{n}", len(items) <= spec.min_items):
                items.pop()
                if default.get(first.key) is not None:
                    continue  # `-` dropped a prefilled item
                break

    def number_map(self, spec: FieldSpec, defaults: dict[str, Any], out: dict[str, Any]) -> None:
        self.say(
            f"[{spec.label(self.lang)}] "
            + self.t("逐项输入“名称=数值”，空回车结束", "answer name=number, empty answer ends")
        )
        result: dict[str, Any] = {}
        out[spec.key] = result
        pending = list(defaults.items())
        failures = 0
        while failures < MAX_TRIES:
            current = pending[0] if pending else None
            default = f"{current[0]}={_text(current[1])}" if current else None
            answer = self.answer(spec.label(self.lang), default).strip()
            if current is not None:
                if answer == CLEAR:
                    pending.pop(0)
                    continue
                answer = answer or (default or "")
            if not answer:
                return
            name, sep, number = answer.replace("：", "=").replace(":", "=").partition("=")
            if not sep or not name.strip():
                self.reject(self.t("  格式应为 名称=数值，如 东风=7", "  expected name=number, e.g. Dongfeng=7"))
                failures += 1
                continue  # asked again, with the same default
            ok, value = self._check(spec, number.strip())
            if not ok:
                self.reject(f"  {value}")
                failures += 1
                continue
            if current is not None:
                pending.pop(0)
            result[name.strip()] = value
            failures = 0
        raise FillAborted(self.t(f"{spec.label_zh}：无效回答过多", f"{spec.label_en}: too many invalid answers"))

    # -- the whole document --------------------------------------------------------
    def run(self, kind: str, defaults: dict[str, Any], resume: dict[str, Any] | None) -> dict[str, Any]:
        specs = describe(kind)
        if resume is None:
            data = self.fields(specs, defaults, self._start({}))
        else:
            data = dict(resume)
            try:
                forms.validate(kind, data)  # complete: straight to the review
            except forms.FormInvalid:
                # go on from the last field answered (it may have been left half-way)
                answered = [n for n, spec in enumerate(specs) if spec.key in data]
                start = answered[-1] if answered else 0
                self.say(
                    self.t(
                        f"继续草稿：已有 {len(answered)} 项回答，从“{specs[start].label('zh')}”继续。",
                        f"resuming the draft: {len(answered)} fields answered, going on at "
                        f"'{specs[start].label('en')}'.",
                    )
                )
                data = self.fields(
                    specs, {**defaults, **data}, self._start(data), only={spec.key for spec in specs[start:]}
                )
        while True:
            document = self.validated(kind, specs, data)
            stored = forms.dump(document)
            self._start(stored)
            choice = self.review(kind, specs, document, stored)
            if choice == 0:
                return stored
            if choice < 0:
                raise FillAborted(self.t("已取消", "cancelled"), self.draft())
            data = self.fields(specs, stored, self._start(stored), only={specs[choice - 1].key})

    def _start(self, data: dict[str, Any]) -> dict[str, Any]:
        """A pass over the fields, from `data`: what a draft falls back on for the field being asked."""
        self.base = dict(data)
        self.root = dict(data)
        return self.root

    def validated(self, kind: str, specs: list[FieldSpec], data: dict[str, Any]) -> Any:
        """The document once every rule across fields holds; the fields a rule names are asked again."""
        for _ in range(MAX_TRIES):
            try:
                return forms.validate(kind, data)
            except forms.FormInvalid as exc:
                self.say(self.t("请修改以下问题：", "Please correct:"))
                for error in exc.errors:
                    self.say(f"  {error.render(self.lang)}")
                keys = {error.path.split(".")[0].split("[")[0] for error in exc.errors}
                keys &= {spec.key for spec in specs}
                data = self.fields(specs, data, self._start(data), only=keys or None)
        raise FillAborted(self.t(f"{kind}：无效回答过多", f"{kind}: too many invalid answers"))

    def _shown(self, spec: FieldSpec | None, value: Any) -> str:
        """A value in the review: a choice with its label, a list of names joined, nothing as —."""
        if value in (None, [], {}):
            return show(None, self.lang)
        if isinstance(value, list):
            return ("、" if self.lang == "zh" else ", ").join(show(v, self.lang) for v in value)
        if isinstance(value, dict):
            return ("，" if self.lang == "zh" else ", ").join(f"{k}={show(v, self.lang)}" for k, v in value.items())
        if spec is not None and spec.type == "choice":
            return f"{value} {spec.choice_label(value, self.lang)}"
        return show(value, self.lang)

    def review(self, kind: str, specs: list[FieldSpec], document: Any, stored: dict[str, Any]) -> int:
        """Show every field numbered; 0 to save, -1 to cancel, or the number of the field to edit."""
        self.say(self.t("请检查（输入编号修改）：", "Please review (type a number to edit):"))
        for n, spec in enumerate(specs, 1):
            value = stored.get(spec.key)
            head = f"  {n}) {spec.label(self.lang)} ({spec.key})"
            if spec.type in ("list-of-str", "list-of-date") or value in (None, [], {}) or not spec.children:
                self.say(f"{head}: {self._shown(spec, value)}")
                continue
            self.say(head)
            for path, leaf in flatten(value, spec.key):
                found = find(kind, path)
                label = found.label(self.lang) if found else path
                self.say(f"       {label} ({path}): {self._shown(found, leaf)}")
        for key, value in document.model_dump(mode="json").items():
            if key in type(document).model_computed_fields:
                found = find(kind, key)
                label = found.label(self.lang) if found else key
                self.say(f"  = {label} ({key}): {show(value, self.lang)}")
        prompt = self.t(
            f"保存？(y 保存 / n 取消 / 1-{len(specs)} 修改 / < 上一题)",
            f"Save? (y save / n cancel / 1-{len(specs)} edit / < back)",
        )
        for _ in range(MAX_TRIES):
            answer = (self.answer(prompt, "y").strip() or "y").lower()
            self.gave(None)  # back to the review: its default stays "save"
            if answer.isdigit() and 1 <= int(answer) <= len(specs):
                return int(answer)
            if answer in _SAVE:
                return 0
            if answer in _CANCEL:
                return -1
            self.reject(
                self.t(
                    f"  请回答 y、n 或 1 到 {len(specs)} 的编号。", f"  please answer y, n or a number 1-{len(specs)}."
                )
            )
        raise FillAborted(self.t(f"{kind}：无效回答过多", f"{kind}: too many invalid answers"), self.draft())


def fill(
    kind: str,
    ask: Ask,
    say: Say,
    defaults: dict[str, Any] | None = None,
    lang: str = "zh",
    *,
    suggestions: dict[str, list[Any]] | None = None,
    resume: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Prompt for every field of `kind`; return the reviewed document as stored (`forms.dump`).

    `defaults` (a previous version) are what Enter accepts; `suggestions` map a field's
    path (`customer_attendees`, `contact`) to values or objects offered by number;
    `resume` is a draft from an earlier `FillAborted`.
    """
    form = forms.get(kind)
    say(f"{forms.title(kind, lang)} ({kind})")
    say(
        _t(
            lang,
            "回车接受默认值或跳过可选项；“-” 清除默认值；“<” 返回上一题；列表中空回车结束；带 * 为必填。",
            "Enter accepts the default or skips an optional field; '-' clears a default; '<' goes back; "
            "an empty answer ends a list; * marks a required field.",
        )
    )
    # the kind's prefill (e.g. the seed's scorecard criteria) under whatever the caller knows
    start = {**form.prefill, **(defaults or {})}
    replay: list[str] = []
    hint: str | None = None
    while True:
        filler = _Filler(ask, say, lang, replay, suggestions, hint)
        try:
            return filler.run(kind, start, resume)
        except _Back:
            if not any(entry[1] for entry in filler.log):
                say(_t(lang, "  已是第一题。", "  this is the first question."))
            replay, hint = _previous(filler.log)
        except (EOFError, KeyboardInterrupt):
            raise FillAborted(_t(lang, "已取消", "cancelled"), filler.draft()) from None
        except FillAborted as exc:
            exc.draft = exc.draft or filler.draft()
            raise

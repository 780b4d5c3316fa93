"""The process as data: stages, triggers and requirements, loaded from one YAML file.

`load_process()` reads the built-in six-step process (`rules/six-step.yaml`)
or a company's own file. Everything the engine, the guards and `kam workflow
show` know about the process comes from the `Process` returned here.

The stage marked `signed: true` is the one whose entry means the contract is
signed (the built-in file marks `contract_maintenance`); a file that marks none
means its last stage. Stages after it are allowed: they advance with their own
triggers and requirements, and the lifecycle (`rules.lifecycle`) keeps a signed
deal from being lost or reverted back over the signature.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forms import KINDS
from forms.choices import LOST_REASON, Choice
from forms.reading import PROCESS, PROCESS_FILE, line_of, load_yaml, read_text
from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.values.writing import as_written, unsafe

BUILTIN = Path(__file__).with_name("six-step.yaml")
LOST = "lost"
CHECKS = ("account-profile", "account-contact", "compliance")
# The limits a process file may set under `compliance.limits` (SPEC §4 rules 5 and 7), with what they mean.
LIMITS: dict[str, Text] = {
    "min_cycle_margin_days": t(
        "合同交货周期至少比生产周期长的天数", "days the delivery cycle must exceed the production cycle by"
    ),
    "max_penalty_percent": t("违约赔偿比例上限（%）", "the highest penalty percentage accepted"),
    "max_quality_deposit_percent": t(
        "质保金占合同总价的上限（%）", "the highest quality deposit, as a percentage of the contract total"
    ),
}


@dataclass(frozen=True)
class Requirement:
    """What a trigger needs: a built-in check, or a document (optionally with a field value)."""

    check: str | None = None
    document: str | None = None
    field: str | None = None
    equals: Any = None
    message: Text | None = None
    within_days: int | None = None  # due this many days after entering the stage (else the stage's expected_days)

    @property
    def code(self) -> str:
        if self.check:
            return self.check
        return f"{self.document}.{self.field}" if self.field else f"{self.document}"


@dataclass(frozen=True)
class Expectation:
    """A document expected after entering a stage; overdue is reported, never blocking."""

    document: str
    within_days: int


@dataclass(frozen=True)
class Stage:
    id: str
    label: Text
    step: str
    trigger: str | None  # the forward trigger that leaves this stage; None for the last stage
    requires: tuple[Requirement, ...] = ()
    expects: tuple[Expectation, ...] = ()
    signed: bool = False  # entering this stage means the contract is signed
    expected_days: int | None = None  # how long a deal should stay in the stage (超期 past it); None: no deadline
    default_heat: int | None = None  # % the pipeline forecasts a deal not yet rated at (成交热度); None: 0, named

    def name(self, lang: str = "zh") -> str:
        return self.label.render(lang)


# eq=False: a process is identified by the object (it is cached per file), and limits is a dict.
@dataclass(frozen=True, eq=False)
class Process:
    name: str
    label: Text
    stages: tuple[Stage, ...]
    lost_reasons: tuple[str, ...]
    departments: tuple[str, ...]
    limits: dict[str, float] = field(default_factory=dict)
    department_labels: dict[str, Text] = field(default_factory=dict)
    source: str = str(BUILTIN)
    signatures_required: bool = False  # `compliance: {signatures: required}`: an unsigned approval is refused

    @functools.cached_property
    def by_id(self) -> dict[str, Stage]:
        return _Stages(self, {s.id: s for s in self.stages})

    @functools.cached_property
    def order(self) -> dict[str, int]:
        return _Stages(self, {s.id: i for i, s in enumerate(self.stages)})

    def not_in_process(self, stage_id: str) -> InvalidInput:
        """A stored stage this process does not have: the database was built with another process file."""
        where = "内置六步流程" if self.source == str(BUILTIN) else f"流程文件 {self.source}"
        where_en = "the built-in six steps" if self.source == str(BUILTIN) else f"the process file {self.source}"
        ids = ", ".join(s.id for s in self.stages)
        return InvalidInput(
            t(
                f"数据库中的阶段「{as_written(stage_id)}」不在{where}中（其阶段：{ids}）：请使用建立该数据库时的流程文件"
                "（--process 或 KAM_PROCESS）",
                f"the stage “{as_written(stage_id)}” in the database is not in {where_en} (its stages: {ids}): use "
                "the process "
                "file the database was built with (--process or KAM_PROCESS)",
            )
        )

    @property
    def first(self) -> Stage:
        return self.stages[0]

    @property
    def last(self) -> Stage:
        return self.stages[-1]

    @functools.cached_property
    def signed(self) -> Stage:
        """The stage whose entry means the contract is signed (`signed: true`, else the last)."""
        return next((s for s in self.stages if s.signed), self.stages[-1])

    def is_signed(self, stage_id: str) -> bool:
        """At or after the signed stage: the contract is signed (a stage the process lacks is refused)."""
        if stage_id == LOST:
            return False
        return self.order[stage_id] >= self.order[self.signed.id]

    @functools.cached_property
    def signed_stages(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages if self.is_signed(s.id))

    def stage(self, stage_id: str) -> Stage:
        found = self.by_id.get(stage_id)
        if found is None:  # a stage typed by the user: the choices, not the database's wording
            raise InvalidInput(
                t(
                    f"未知阶段「{as_written(stage_id)}」；可选：{', '.join(self.by_id)}",
                    f"unknown stage “{as_written(stage_id)}”; choose one of: {', '.join(self.by_id)}",
                )
            )
        return found

    def next_stage(self, stage_id: str) -> Stage | None:
        i = self.order[stage_id]
        return self.stages[i + 1] if i + 1 < len(self.stages) else None

    def previous_stage(self, stage_id: str) -> Stage | None:
        i = self.order[stage_id]
        return self.stages[i - 1] if i > 0 else None

    def is_open(self, stage_id: str) -> bool:
        """Open stages can be lost: every stage before the signed one."""
        return stage_id != LOST and not self.is_signed(stage_id)

    def stage_label(self, stage_id: str, lang: str = "zh") -> str:
        if stage_id == LOST:
            return "已丢单" if lang == "zh" else "lost"
        stage = self.by_id.get(stage_id)
        return stage.name(lang) if stage else stage_id

    @functools.cached_property
    def department_choice(self) -> Choice:
        """The sign-off departments as typed: the id, or its Chinese or English label (销售部, Sales)."""
        return Choice.listed(
            "department",
            self.departments,
            tuple(t(self.department_label(d, "zh"), self.department_label(d, "en")) for d in self.departments),
        )

    @functools.cached_property
    def lost_reason_choice(self) -> Choice:
        """The lost reasons as typed: the id, or its label (价格, no budget); a reason of a company's own is its id."""
        return Choice.listed(
            "lost_reason",
            self.lost_reasons,
            tuple(LOST_REASON.labels.get(r) or t(r, r) for r in self.lost_reasons),
        )

    def department_label(self, department: str, lang: str = "zh") -> str:
        """The label this process gives a department, else the built-in process's, else its id."""
        text = self.department_labels.get(department)
        if text is None and self.source != str(BUILTIN):
            text = load_process(BUILTIN).department_labels.get(department)
        return text.render(lang) if text else department


class _Stages(dict[str, Any]):
    """A process's stages by id: looking up one it lacks is a refusal naming it, never a KeyError (issue 12)."""

    def __init__(self, process: Process, items: dict[str, Any]) -> None:
        super().__init__(items)
        self._process = process

    def __missing__(self, stage_id: str) -> Any:
        raise self._process.not_in_process(stage_id)


def _keys(keys: Any) -> str:
    """Unknown keys as a message lists them: `complance, stagse`, never Python's `['complance']`."""
    return ", ".join(sorted(map(str, keys)))


def _written(value: Any) -> str:
    """A value of the file as YAML writes it (`true`, `{label: 质量部}`), never as Python's repr (`True`)."""
    if isinstance(value, str):
        return f"'{value}'"
    import yaml  # loaded already: the file was read with it

    return (
        yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1_000)
        .strip()
        .removesuffix("...")
        .strip()
    )


def _fail(source: str, line: int | None, zh: str, en: str) -> InvalidInput:
    where = f"{source}:{line}" if line else source
    return InvalidInput(t(f"流程文件 {where}：{zh}", f"process file {where}: {en}"))


def _text(value: Any, source: str, line: int | None, what: str) -> Text:
    """A label or message of the file (printed on PDFs and in the terminal): text, checked as every typed text is."""
    if isinstance(value, str):
        value = {"zh": value, "en": value}
    if isinstance(value, dict) and isinstance(value.get("zh"), str) and isinstance(value.get("en"), str):
        for lang in ("zh", "en"):
            if (found := unsafe(value[lang])) is not None:
                what_char = found.what()
                raise _fail(
                    source,
                    line,
                    f"{what} 的第 {found.position} 个字符是{what_char.zh}：请删除",
                    f"{what} holds {what_char.en} at position {found.position}: remove it",
                )
        return Text(value["zh"], value["en"])
    raise _fail(
        source, line, f"{what} 须为 {{zh: ..., en: ...}} 或文本", f"{what} must be {{zh: ..., en: ...}} or a string"
    )


# The most stages a process file may have (the built-in one has seven): what `kam workflow diagram` draws.
MAX_STAGES = 100


def parse_process(text: str, source: str = "<string>") -> Process:
    """Build a `Process` from YAML text; a malformed file raises `InvalidInput` naming the line."""
    raw = _parsed_yaml(text, source)
    if not isinstance(raw, dict):
        raise _fail(source, None, "顶层须为映射", "the top level must be a mapping")
    top = line_of(raw)
    unknown_top = set(raw) - {"name", "label", "stages", "lost_reasons", "compliance"}
    if unknown_top:
        # a misspelt section (say `complance:`) must not silently fall back to the defaults
        raise _fail(
            source,
            _key_line(text, sorted(unknown_top)[0], top),
            f"未知的顶层键 {_keys(unknown_top)}；可用：name、label、stages、lost_reasons、compliance",
            f"unknown top-level keys {_keys(unknown_top)}; use name, label, stages, lost_reasons, compliance",
        )
    stages_raw = raw.get("stages")
    if not isinstance(stages_raw, list) or len(stages_raw) < 2:
        raise _fail(source, top, "stages 须为至少两个阶段的列表", "stages must be a list of at least two stages")
    if len(stages_raw) > MAX_STAGES:  # a process is a handful of steps; 10,000 drew for 9.8 GB in Graphviz
        raise _fail(
            source,
            top,
            f"stages 有 {len(stages_raw):,} 个阶段，超过上限 {MAX_STAGES}",
            f"stages has {len(stages_raw):,} stages, over the limit of {MAX_STAGES}",
        )

    stages: list[Stage] = []
    seen: set[str] = set()
    triggers: set[str] = set()
    for i, s in enumerate(stages_raw):
        line = line_of(s) if isinstance(s, dict) else top
        if not isinstance(s, dict) or not isinstance(s.get("id"), str) or not s["id"]:
            raise _fail(source, line, f"第 {i + 1} 个阶段缺少 id", f"stage {i + 1} has no id")
        sid = s["id"]
        _check_identifier(sid, t("阶段 id", "stage id"), source, line)
        if sid in seen or sid == LOST:
            raise _fail(
                source,
                line,
                f"阶段 id「{as_written(sid)}」重复或保留",
                f"stage id “{as_written(sid)}” is repeated or reserved",
            )
        seen.add(sid)
        unknown = set(s) - {"id", "step", "label", "leave", "expects", "signed", "expected_days", "default_heat"}
        if unknown:
            raise _fail(
                source,
                line,
                f"阶段 {sid} 有未知键 {_keys(unknown)}",
                f"stage {sid} has unknown keys {_keys(unknown)}",
            )
        label = _text(s.get("label", sid), source, line, f"{sid}.label")
        is_last = i == len(stages_raw) - 1
        leave = s.get("leave")
        trigger = None
        requires: list[Requirement] = []
        if leave is not None:
            lline = line_of(leave, line) if isinstance(leave, dict) else line
            if is_last:
                raise _fail(
                    source, lline, f"最后一个阶段 {sid} 不能有 leave", f"the last stage {sid} cannot have leave"
                )
            if not isinstance(leave, dict) or not isinstance(leave.get("trigger"), str):
                raise _fail(source, lline, f"阶段 {sid} 的 leave 须有 trigger", f"stage {sid}: leave needs a trigger")
            trigger = leave["trigger"]
            _check_identifier(trigger, t("触发器", "trigger"), source, lline)
            if trigger in triggers or trigger in _RESERVED_TRIGGERS:
                raise _fail(
                    source,
                    lline,
                    f"触发器「{as_written(trigger)}」重复或保留",
                    f"trigger “{as_written(trigger)}” is repeated or reserved",
                )
            triggers.add(trigger)
            for r in leave.get("requires") or []:
                requires.append(_requirement(r, source, lline, KINDS))
        elif not is_last:
            raise _fail(
                source, line, f"阶段 {sid} 缺少 leave（离开的触发器）", f"stage {sid} needs leave (its forward trigger)"
            )
        expects = []
        for e in s.get("expects") or []:
            eline = line_of(e, line) if isinstance(e, dict) else line
            if not isinstance(e, dict) or e.get("document") not in KINDS or not isinstance(e.get("within_days"), int):
                raise _fail(
                    source,
                    eline,
                    "expects 项须为 {document: 文档类型, within_days: 天数}",
                    "an expects item must be {document: KIND, within_days: N}",
                )
            expects.append(Expectation(e["document"], e["within_days"]))
        signed = s.get("signed", False)
        if not isinstance(signed, bool):
            raise _fail(
                source, line, f"阶段 {sid} 的 signed 须为 true 或 false", f"stage {sid}: signed must be true or false"
            )
        if signed and any(other.signed for other in stages):
            raise _fail(
                source,
                line,
                f"只能有一个阶段标记 signed: true（{sid}）",
                f"only one stage may be marked signed: true ({sid})",
            )
        expected_days = _days(s.get("expected_days"), source, line, f"{sid}.expected_days")
        default_heat = s.get("default_heat")
        if default_heat is not None and (
            isinstance(default_heat, bool) or not isinstance(default_heat, int) or not 0 <= default_heat <= 100
        ):
            written = str(default_heat).lower() if isinstance(default_heat, bool) else str(default_heat)
            raise _fail(
                source,
                line,
                f"{sid}.default_heat 须为 0 到 100 的整数（%），收到 {written}",
                f"{sid}.default_heat must be a whole percent from 0 to 100, got {written}",
            )
        stages.append(
            Stage(
                sid,
                label,
                str(s.get("step", i + 1)),
                trigger,
                tuple(requires),
                tuple(expects),
                signed,
                expected_days,
                default_heat,
            )
        )

    reasons = raw.get("lost_reasons", ["price", "product", "service", "competitor", "no-budget", "other"])
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons) or not reasons:
        raise _fail(source, top, "lost_reasons 须为非空文本列表", "lost_reasons must be a non-empty list of strings")
    departments, department_labels, limits = _compliance(raw.get("compliance"), source, top, text)
    signatures_required = _signatures(raw.get("compliance"), source, top, text)
    return Process(
        name=str(raw.get("name", Path(source).stem)),
        label=_text(raw.get("label", raw.get("name", "process")), source, top, "label"),
        stages=tuple(stages),
        lost_reasons=tuple(reasons),
        departments=departments,
        limits=limits,
        department_labels=department_labels,
        source=source,
        signatures_required=signatures_required,
    )


def _parsed_yaml(text: str, source: str) -> Any:
    """The YAML of a process file as plain data, bounded (aliases, nesting, size), with the line of each mapping."""
    return load_yaml(text, source, lines=True, limits=PROCESS, kind=PROCESS_FILE)


# A process file without `compliance.departments` asks the built-in four (their labels are the built-in file's).
_DEFAULT_DEPARTMENTS = ("sales", "finance", "legal", "production")
_RESERVED_TRIGGERS = {"advance", "lose", "reopen", "revert", "hold", "resume"}


def _key_line(text: str, key: str, start: int | None) -> int | None:
    """The line of `key:` at or after line `start` (the line loader only records where mappings begin)."""
    lines = text.splitlines()
    for number in range((start or 1), len(lines) + 1):
        stripped = lines[number - 1].lstrip(" -")
        if stripped.startswith((f"{key}:", f'"{key}":', f"'{key}':")):
            return number
    return start


def _compliance(
    raw: Any, source: str, top: int | None, text: str
) -> tuple[tuple[str, ...], dict[str, Text], dict[str, float]]:
    """The `compliance:` section: sign-off departments (an id, or {id, label}) and numeric limits."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise _fail(
            source,
            top,
            "compliance 须为映射（departments、limits）",
            "compliance must be a mapping (departments, limits)",
        )
    line = line_of(raw, top)
    unknown = set(raw) - {"departments", "limits", "signatures"}
    if unknown:
        raise _fail(
            source,
            _key_line(text, sorted(unknown)[0], line),
            f"compliance 有未知键 {_keys(unknown)}；可用：departments、limits、signatures",
            f"compliance has unknown keys {_keys(unknown)}; use departments, limits, signatures",
        )
    items = raw.get("departments", list(_DEFAULT_DEPARTMENTS))
    if not isinstance(items, list) or not items:
        raise _fail(
            source,
            line,
            "compliance.departments 须为非空部门列表",
            "compliance.departments must be a non-empty list of departments",
        )
    departments: list[str] = []
    labels: dict[str, Text] = {}
    for item in items:
        iline = line_of(item, line) if isinstance(item, dict) else line
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
            dept = item["id"]
            if "label" in item:
                labels[dept] = _text(item["label"], source, iline, f"department {dept} label")
        elif isinstance(item, str) and item:
            dept = item
        else:
            shown = dict(item) if isinstance(item, dict) else item
            raise _fail(
                source,
                iline,
                f"部门须为标识或 {{id: ..., label: {{zh: ..., en: ...}}}}，收到 {_written(shown)}",
                f"a department must be an id or {{id: ..., label: {{zh: ..., en: ...}}}}, got {_written(shown)}",
            )
        if not dept.replace("-", "").replace("_", "").isalnum():
            raise _fail(
                source,
                iline,
                f"部门标识「{as_written(dept)}」只能含字母、数字、- 和 _",
                f"department id “{as_written(dept)}” may hold only letters, digits, - and _",
            )
        if dept in departments:
            raise _fail(source, iline, f"部门 {dept} 重复", f"department {dept} is listed twice")
        departments.append(dept)
    raw_limits = raw.get("limits") or {}
    if not isinstance(raw_limits, dict):
        raise _fail(
            source,
            line,
            "compliance.limits 须为映射（名称: 数值）",
            "compliance.limits must be a mapping (name: number)",
        )
    lline = line_of(raw_limits, line)
    limits: dict[str, float] = {}
    for key, value in raw_limits.items():
        kline = _key_line(text, key, lline)
        if key not in LIMITS:
            raise _fail(
                source,
                kline,
                f"未知限额「{as_written(key)}」；可选：{', '.join(LIMITS)}",
                f"unknown limit “{as_written(key)}”; choose one of: {', '.join(LIMITS)}",
            )
        if not isinstance(value, int | float) or isinstance(value, bool) or value != value or value < 0:
            raise _fail(
                source,
                kline,
                f"限额 {key} 须为非负数，收到 {_written(value)}",
                f"limit {key} must be a non-negative number, got {_written(value)}",
            )
        limits[key] = value
    return tuple(departments), labels, limits


MAX_DAYS = 3650  # a deadline ten years out is a typo, not a plan


def _days(value: Any, source: str, line: int | None, what: str) -> int | None:
    """`expected_days` / `within_days`: absent, or a whole number of days from 1 to MAX_DAYS."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise _fail(
            source,
            line,
            f"{what} 须为 1 到 {MAX_DAYS} 的整数天数，收到 {_written(value)}",
            f"{what} must be a whole number of days from 1 to {MAX_DAYS}, got {_written(value)}",
        )
    return value


def _signatures(raw: Any, source: str, top: int | None, text: str) -> bool:
    """`compliance.signatures`: required (every approval signed with the reviewer's key) or optional (the default)."""
    value = raw.get("signatures", "optional") if isinstance(raw, dict) else "optional"
    if value not in ("required", "optional"):
        raise _fail(
            source,
            _key_line(text, "signatures", line_of(raw, top)),
            f"compliance.signatures 须为 required 或 optional，收到 {_written(value)}",
            f"compliance.signatures must be required or optional, got {_written(value)}",
        )
    return bool(value == "required")


def _requirement(r: Any, source: str, line: int | None, kinds: tuple[str, ...]) -> Requirement:
    if not isinstance(r, dict):
        raise _fail(source, line, "requires 项须为映射", "a requires item must be a mapping")
    rline = line_of(r, line)
    message = _text(r["message"], source, rline, "message") if "message" in r else None
    within = _days(r.get("within_days"), source, rline, "within_days")
    if "check" in r:
        if r["check"] not in CHECKS:
            raise _fail(
                source,
                rline,
                f"未知检查「{as_written(r['check'])}」；可选：{', '.join(CHECKS)}",
                f"unknown check “{as_written(r['check'])}”; choose one of: {', '.join(CHECKS)}",
            )
        return Requirement(check=r["check"], message=message, within_days=within)
    if "document" in r:
        if r["document"] not in kinds:
            raise _fail(
                source,
                rline,
                f"未知文档类型「{as_written(r['document'])}」；可选：{', '.join(kinds)}",
                f"unknown document kind “{as_written(r['document'])}”; choose one of: {', '.join(kinds)}",
            )
        if ("field" in r) != ("equals" in r):
            raise _fail(source, rline, "field 与 equals 须同时给出", "field and equals go together")
        if "field" in r:
            _check_field(r["document"], r["field"], source, rline)
        return Requirement(
            document=r["document"], field=r.get("field"), equals=r.get("equals"), message=message, within_days=within
        )
    raise _fail(source, rline, "requires 项须有 check 或 document", "a requires item needs check or document")


def _check_field(kind: str, name: Any, source: str, line: int | None) -> None:
    """A requirement's field must be one the kind has (else the guard could never be met, or never checked)."""
    import forms  # the kind's schema: only for a requirement that names a field

    model = forms.get(kind)
    known = (
        isinstance(name, str)
        and not name.startswith("_")
        and (
            name in model.model_fields
            or name in model.model_computed_fields
            or isinstance(getattr(model, name, None), property)
        )
    )
    if not known:
        fields = ", ".join([*model.model_fields, *model.model_computed_fields])
        raise _fail(
            source,
            line,
            f"文档类型 {kind} 没有字段「{as_written(name)}」；可用：{fields}",
            f"the document kind {kind} has no field “{as_written(name)}”; its fields: {fields}",
        )


# A stage id or trigger: what the database stores and names are built from; never a path, a space or a control.
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")


def _check_identifier(value: str, what: Text, source: str, line: int | None) -> None:
    if not _IDENTIFIER.fullmatch(value):
        raise _fail(
            source,
            line,
            f"{what.zh}「{as_written(value[:60])}」不是有效的标识：以字母开头，仅含字母、数字、- 和 _，至多 40 个字符",
            f"{what.en} “{as_written(value[:60])}” is not an identifier: a letter, then letters, digits, - and _, 40 "
            "at most",
        )


@functools.cache
def _load(path: str) -> Process:
    text = read_text(path, PROCESS.max_bytes, kind=PROCESS_FILE)
    return parse_process(text, path)


def load_process(path: str | os.PathLike[str] | None = None) -> Process:
    """The active process: `path`, else KAM_PROCESS, else the built-in six steps."""
    chosen = path or os.environ.get("KAM_PROCESS") or BUILTIN
    return _load(str(chosen))

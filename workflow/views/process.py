"""What `kam workflow show` and `diagram` print: the process in words, as Mermaid and as Graphviz."""

from __future__ import annotations

from typing import Any

import forms
from workflow.i18n import Text, t
from workflow.rules.process import LOST, Process, Requirement
from workflow.values.writing import value_text

CHECK_TEXT: dict[str, Text] = {
    "account-profile": t(
        "客户档案完整（性质、分类、行业、保有量）", "account profile complete (type, class, industry, fleet size)"
    ),
    "account-contact": t("至少一位客户联系人", "at least one customer contact"),
    "compliance": t("合规审核通过（合同审核表与部门会签）", "compliance review passed (contract review and sign-offs)"),
}


def requirement_text(req: Requirement) -> Text:
    if req.check:
        return CHECK_TEXT[req.check]
    kind = req.document or ""
    zh, en = forms.title(kind, "zh"), forms.title(kind, "en")
    if req.field:
        value = value_text(req.equals)  # 是/否 (yes/no), never True/False
        return t(f"《{zh}》且 {req.field} 为“{value.zh}”", f"{en} with {req.field} = {value.en}")
    return t(f"《{zh}》", en)


def describe(process: Process, lang: str = "zh") -> dict[str, Any]:
    """The whole process as plain data (the --json of `kam workflow show`)."""
    stages = []
    for stage in process.stages:
        following = process.next_stage(stage.id)
        stages.append(
            {
                "id": stage.id,
                "step": stage.step,
                "label": stage.name(lang),
                "trigger": stage.trigger,
                "to": following.id if following and stage.trigger else None,
                "requires": [
                    {
                        "code": r.code,
                        "check": r.check,
                        "document": r.document,
                        "field": r.field,
                        "equals": r.equals,
                        "text": requirement_text(r).render(lang),
                        "within_days": r.within_days,
                    }
                    for r in stage.requires
                ],
                "expects": [{"document": e.document, "within_days": e.within_days} for e in stage.expects],
                "expected_days": stage.expected_days,
                "default_heat": stage.default_heat,  # the pipeline forecasts an unrated deal at it (%)
                "signed": stage.id == process.signed.id,
            }
        )
    return {
        "name": process.name,
        "label": process.label.render(lang),
        "source": process.source,
        "stages": stages,
        "lost_reasons": list(process.lost_reasons),
        "departments": list(process.departments),
        "limits": dict(process.limits),
    }


def mermaid(process: Process, lang: str = "zh") -> str:
    """A Mermaid state diagram of the process."""
    lines = ["stateDiagram-v2", "    direction LR"]
    for stage in process.stages:
        lines.append(f'    state "{stage.step} {stage.name(lang)}" as {stage.id}')
    lines.append(f'    state "{process.stage_label(LOST, lang)}" as {LOST}')
    lines.append(f"    [*] --> {process.first.id}")
    for stage in process.stages:
        following = process.next_stage(stage.id)
        if stage.trigger and following:
            needs = ", ".join(requirement_text(r).render(lang) for r in stage.requires)
            lines.append(f"    {stage.id} --> {following.id}: {stage.trigger}" + (f" [{needs}]" if needs else ""))
    for stage in process.stages:
        if process.is_open(stage.id):
            lines.append(f"    {stage.id} --> {LOST}: lose")
    lines.append(f"    {LOST} --> {process.first.id}: reopen (to the stage lost from)")
    lines.append(f"    {process.last.id} --> [*]")
    for stage in process.stages:
        if any(r.check == "compliance" for r in stage.requires):
            lines.append(f"    note right of {stage.id}")
            lines.extend(f"        {line}" for line in _gate_lines(process, lang))
            lines.append("    end note")
    return "\n".join(lines) + "\n"


def _gate_lines(process: Process, lang: str) -> list[str]:
    """The compliance gate in a few lines: who signs off and the limits."""
    departments = ", ".join(process.department_label(d, lang) for d in process.departments)
    lines = [t(f"会签：{departments}", f"sign-offs: {departments}").render(lang)]
    lines += [f"{name} = {value:g}" for name, value in process.limits.items()]
    return lines


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def dot(process: Process, lang: str = "zh") -> str:
    """The process as a Graphviz digraph (what `kam workflow diagram --svg` renders)."""
    font = "Noto Sans CJK SC"
    lines = [
        "digraph process {",
        f'    graph [rankdir=LR, label={_quote(process.label.render(lang))}, labelloc=t, fontname="{font}"];',
        f'    node [shape=box, style="rounded", fontname="{font}"];',
        f'    edge [fontname="{font}", fontsize=10];',
        '    start [shape=circle, label="", width=0.2, style=filled, fillcolor=black];',
    ]
    for stage in process.stages:
        lines.append(f"    {_quote(stage.id)} [label={_quote(f'{stage.step} {stage.name(lang)}')}];")
    lines.append(f"    {_quote(LOST)} [label={_quote(process.stage_label(LOST, lang))}, style=dashed];")
    lines.append(f"    start -> {_quote(process.first.id)};")
    for stage in process.stages:
        following = process.next_stage(stage.id)
        if stage.trigger and following:
            needs = "\n".join(requirement_text(r).render(lang) for r in stage.requires)
            label = stage.trigger + ("\n" + needs if needs else "")
            lines.append(f"    {_quote(stage.id)} -> {_quote(following.id)} [label={_quote(label)}];")
    for stage in process.stages:
        if process.is_open(stage.id):
            lines.append(f'    {_quote(stage.id)} -> {_quote(LOST)} [label="lose", style=dotted, color=gray];')
        if any(r.check == "compliance" for r in stage.requires):
            note = "\n".join(_gate_lines(process, lang))
            lines.append(f"    gate [shape=note, label={_quote(note)}];")
            lines.append(f"    gate -> {_quote(stage.id)} [style=dashed, arrowhead=none];")
    lines.append(f'    {_quote(LOST)} -> {_quote(process.first.id)} [label="reopen", style=dotted, color=gray];')
    lines.append("}")
    return "\n".join(lines) + "\n"

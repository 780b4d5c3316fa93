"""A company's own process file: an extra stage and department end to end; malformed files refused with the line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from forms_fixtures import edit, load
from helpers import DEPARTMENT_REVIEWERS, fill

from workflow import engine
from workflow.db import Database
from workflow.errors import InvalidInput
from workflow.process import load_process, parse_process

PROCESSES = Path(__file__).parent / "fixtures" / "processes"
CUSTOM = str(PROCESSES / "with-quality.yaml")

# what each stage of the custom process needs, in order
CUSTOM_WALK = [
    ("target", []),
    ("phone_invite", ["phone-invite-feedback"]),
    ("visit_pitch", ["visit-feedback"]),
    ("initial_solution", ["product-proposal"]),
    ("technical_exchange", ["exchange-minutes"]),
    ("credit_check", ["evaluation-scorecard"]),
]


def test_the_custom_process_loads_with_its_stage_department_and_limits() -> None:
    process = load_process(CUSTOM)
    assert [s.id for s in process.stages] == [
        "target", "phone_invite", "visit_pitch", "initial_solution", "technical_exchange", "credit_check", "evaluation_negotiation", "contract_maintenance",
    ]
    assert process.by_id["technical_exchange"].trigger == "check_credit"
    assert process.departments == ("sales", "finance", "legal", "production", "quality")
    assert (process.department_label("quality"), process.department_label("quality", "en")) == ("质量部", "quality")
    assert process.limits == {"min_cycle_margin_days": 10, "max_penalty_percent": 5}


def test_a_custom_process_works_end_to_end(kam, db: Database, deal: int) -> None:  # type: ignore[no-untyped-def]
    def run(*args: object):  # type: ignore[no-untyped-def]
        return kam("--process", CUSTOM, *args)

    for stage, kinds in CUSTOM_WALK:
        assert kam.json("--process", CUSTOM, "opp", "show", deal)["stage"] == stage
        for kind in kinds:
            fill(db, deal, kind)
        assert run("opp", "advance", deal).exit_code == 0
    result = run("opp", "check", deal)
    assert result.exit_code == 1
    assert "[negotiation-minutes.missing]" in result.stdout and "[compliance.contract-review]" in result.stdout
    fill(db, deal, "negotiation-minutes")
    fill(db, deal, "contract-review", edit(load("contract-review"), "penalty_percent", 6))
    for department, reviewer in DEPARTMENT_REVIEWERS.items():
        assert run("--actor", reviewer, "review", "approve", deal, "--department", department).exit_code == 0
    out = run("compliance", deal).stdout
    assert "      - penalty 6% exceeds the company limit of 5% (max_penalty_percent): renegotiate the breach clause" in out
    assert "      - quality has not approved contract review v1" in out
    # the contract is fixed: v2 voids the four approvals, all five departments sign again
    fill(db, deal, "contract-review")
    for department, reviewer in [*DEPARTMENT_REVIEWERS.items(), ("quality", "周质")]:
        assert run("--actor", reviewer, "review", "approve", deal, "--department", department).exit_code == 0
    assert run("compliance", deal).exit_code == 0
    result = run("opp", "advance", deal)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"opportunity {deal}: sign, Business negotiation → Contract and maintenance\n"
    with db.read() as s:
        moves = [e.trigger for e in engine.opportunity_history(s, deal) if e.action == "transition"]
    assert moves == ["invite", "visit", "propose", "exchange", "check_credit", "negotiate", "sign"]


def test_the_custom_margin_between_cycles_applies(kam, db: Database, deal: int) -> None:  # type: ignore[no-untyped-def]
    fill(db, deal, "negotiation-minutes", edit(load("negotiation-minutes"), "delivery_cycle_days", 50))
    fill(db, deal, "contract-review", edit(load("contract-review"), "delivery_cycle_days", 50))  # production 45 + 10 > 50
    result = kam("--process", CUSTOM, "--json", "compliance", deal)
    rules = {r["code"]: r for r in json.loads(result.stdout)["rules"]}
    assert rules["compliance.delivery-cycle"]["reasons"] == [
        "delivery promised in 50 days, production needs 45 plus a margin of 10 days (min_cycle_margin_days): "
        "lengthen the delivery cycle or confirm earlier production"
    ]


def test_workflow_show_and_diagram_print_the_custom_process(kam) -> None:  # type: ignore[no-untyped-def]
    out = kam("--process", CUSTOM, "workflow", "show").stdout
    assert "Six steps with a credit check (with-quality)" in out
    assert "Credit check" in out and "check_credit → credit_check" in out
    assert "Sign-off departments: sales, finance, legal, production, quality" in out
    assert "  max_penalty_percent = 5  (the highest penalty percentage accepted)" in out
    data = kam.json("--process", CUSTOM, "workflow", "show")
    assert data["departments"] == ["sales", "finance", "legal", "production", "quality"]
    assert data["limits"] == {"min_cycle_margin_days": 10, "max_penalty_percent": 5}
    diagram = kam("--process", CUSTOM, "workflow", "diagram").stdout
    assert "    technical_exchange --> credit_check: check_credit [Project evaluation scorecard]" not in diagram  # the guard is on leaving
    assert "    credit_check --> evaluation_negotiation: negotiate [Project evaluation scorecard]" in diagram
    assert "        sign-offs: sales, finance, legal, production, quality" in diagram


def test_the_builtin_diagram_is_mermaid_with_the_gate(kam) -> None:  # type: ignore[no-untyped-def]
    diagram = kam("workflow", "diagram").stdout
    assert diagram.startswith("stateDiagram-v2\n")
    assert "    note right of evaluation_negotiation\n        sign-offs: sales, finance, legal, production\n" in diagram
    assert "        max_penalty_percent = 30\n        max_quality_deposit_percent = 10\n    end note\n" in diagram


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_workflow_diagram_svg_with_graphviz(kam, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "process.svg"
    result = kam("--process", CUSTOM, "workflow", "diagram", "--svg", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {target}\n"
    svg = target.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "Credit check" in svg and "check_credit" in svg


def test_workflow_diagram_svg_without_graphviz(kam, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    result = kam("workflow", "diagram", "--svg", tmp_path / "p.svg")
    assert result.exit_code == 1
    assert result.stderr == "Error: Graphviz `dot` was not found: install graphviz (e.g. apt-get install graphviz) and retry, or drop --svg for Mermaid text\n"
    assert not (tmp_path / "p.svg").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad-syntax.yaml", "bad-syntax.yaml:5: YAML syntax error: did not find expected ',' or '}'"),
        ("unknown-limit.yaml", "unknown-limit.yaml:9: unknown limit 'max_penalty_pct'; choose one of: min_cycle_margin_days, max_penalty_percent, max_quality_deposit_percent"),
        ("limit-not-a-number.yaml", "limit-not-a-number.yaml:8: limit min_cycle_margin_days must be a non-negative number, got 'two weeks'"),
        ("unknown-check.yaml", "unknown-check.yaml:7: unknown check 'credit-rating'; choose one of: account-profile, account-contact, compliance"),
        ("unknown-document.yaml", "unknown-document.yaml:7: unknown document kind 'credit-report'; choose one of: phone-invite-feedback,"),
        ("missing-leave.yaml", "missing-leave.yaml:3: stage target needs leave (its forward trigger)"),
        ("department-twice.yaml", "department-twice.yaml:7: department sales is listed twice"),
        ("department-shape.yaml", "department-shape.yaml:9: a department must be an id or {id: ..., label: {zh: ..., en: ...}}, got {'label': '质量部'}"),
        ("misspelt-section.yaml", "misspelt-section.yaml:6: unknown top-level keys ['complance']; use name, label, stages, lost_reasons, compliance"),
    ],
)
def test_malformed_process_files_are_refused_with_line_and_reason(kam, name: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = PROCESSES / name
    with pytest.raises(InvalidInput) as info:
        parse_process(path.read_text(encoding="utf-8"), str(path))
    assert info.value.message.en.startswith(f"process file {PROCESSES / message}")
    result = kam("--process", path, "workflow", "show")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: process file {PROCESSES / message}")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("compliance: [sales]", "compliance must be a mapping (departments, limits)"),
        ("compliance:\n  departments: []", "compliance.departments must be a non-empty list of departments"),
        ("compliance:\n  departments: [sales]\n  limits: [10]", "compliance.limits must be a mapping (name: number)"),
        ("compliance:\n  limits: {max_penalty_percent: -1}", "limit max_penalty_percent must be a non-negative number, got -1"),
        ("compliance:\n  limits: {max_penalty_percent: true}", "limit max_penalty_percent must be a non-negative number, got True"),
        ("compliance:\n  departments: ['sales dept']", "department id 'sales dept' may hold only letters, digits, - and _"),
        ("compliance:\n  reviewers: [sales]", "compliance has unknown keys ['reviewers']; use departments, limits"),
    ],
)
def test_malformed_compliance_sections(snippet: str, message: str) -> None:
    text = "stages:\n  - id: a\n    leave: {trigger: go}\n  - id: b\n" + snippet + "\n"
    with pytest.raises(InvalidInput) as info:
        parse_process(text, "p.yaml")
    assert info.value.message.en.startswith("process file p.yaml:")
    assert info.value.message.en.endswith(message)


def test_a_missing_process_file_is_named(kam, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = kam("--process", tmp_path / "nope.yaml", "workflow", "show")
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot read process file {tmp_path / 'nope.yaml'}: No such file or directory\n"


def _describe(text: str) -> list[tuple]:
    process = parse_process(text, "company.yaml")
    return [(s.id, s.name("zh"), s.trigger, s.requires, s.expects) for s in process.stages] + [(process.departments, process.limits)]


def test_the_parsed_yaml_is_cached_by_its_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second parse of the same text reads the JSON cache; an edited text is parsed afresh."""
    import yaml

    from workflow import process as module

    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    text = module.BUILTIN.read_text(encoding="utf-8")
    first = _describe(text)
    assert len(list((tmp_path / "cache").glob("process-*.json"))) == 1
    parsed = []
    real_load = yaml.load
    monkeypatch.setattr(yaml, "load", lambda *a, **k: parsed.append(1) or real_load(*a, **k))
    assert _describe(text) == first
    assert parsed == []  # from the cache
    edited = text.replace("客户确定", "目标客户确定", 1)
    assert _describe(edited)[0][1] == "目标客户确定"
    assert parsed == [1]  # not served from the cache of the other text


def test_a_broken_or_unwritable_cache_never_matters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workflow import process as module

    text = module.BUILTIN.read_text(encoding="utf-8")
    expected = _describe(text)
    cache = tmp_path / "cache"
    monkeypatch.setenv("KAM_CACHE_DIR", str(cache))
    _describe(text)
    (written,) = cache.glob("process-*.json")
    for garbage in ("{not json", "[]", json.dumps({"text": "other", "raw": {}}), json.dumps({"text": text})):
        written.write_text(garbage, encoding="utf-8")
        assert _describe(text) == expected
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("not a folder")
    assert _describe(text) == expected
    # a malformed file is refused the same way on every parse (errors are never cached)
    for _ in range(2):
        with pytest.raises(InvalidInput, match="YAML syntax error"):
            parse_process("stages: [", "bad.yaml")

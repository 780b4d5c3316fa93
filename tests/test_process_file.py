"""A company's own process file: an extra stage and department end to end; malformed files refused with the line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from forms_fixtures import edit, load
from helpers import DEPARTMENT_REVIEWERS, fill

from workflow.errors import InvalidInput
from workflow.records import queries
from workflow.records.db import Database
from workflow.rules.process import BUILTIN, load_process, parse_process

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
        moves = [e.trigger for e in queries.opportunity_history(s, deal) if e.action == "transition"]
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
        ("bad-syntax.yaml", "bad-syntax.yaml line 5 column 7: invalid YAML: a '{' is not closed, or a ',' is missing between items (it opens on line 4)"),
        ("unknown-limit.yaml", "unknown-limit.yaml:9: unknown limit “max_penalty_pct”; choose one of: min_cycle_margin_days, max_penalty_percent, max_quality_deposit_percent"),
        ("limit-not-a-number.yaml", "limit-not-a-number.yaml:8: limit min_cycle_margin_days must be a non-negative number, got 'two weeks'"),
        ("unknown-check.yaml", "unknown-check.yaml:7: unknown check “credit-rating”; choose one of: account-profile, account-contact, compliance"),
        ("unknown-document.yaml", "unknown-document.yaml:7: unknown document kind “credit-report”; choose one of: phone-invite-feedback,"),
        ("missing-leave.yaml", "missing-leave.yaml:3: stage target needs leave (its forward trigger)"),
        ("department-twice.yaml", "department-twice.yaml:7: department sales is listed twice"),
        ("department-shape.yaml", "department-shape.yaml:9: a department must be an id or {id: ..., label: {zh: ..., en: ...}}, got {label: 质量部}"),
        ("misspelt-section.yaml", "misspelt-section.yaml:6: unknown top-level keys complance; use name, label, stages, lost_reasons, compliance"),
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
        ("compliance:\n  limits: {max_penalty_percent: true}", "limit max_penalty_percent must be a non-negative number, got true"),
        ("compliance:\n  departments: ['sales dept']", "department id “sales dept” may hold only letters, digits, - and _"),
        ("compliance:\n  reviewers: [sales]", "compliance has unknown keys reviewers; use departments, limits, signatures"),
        ("compliance:\n  signatures: always", "compliance.signatures must be required or optional, got 'always'"),
        ("compliance:\n  signatures: yes", "compliance.signatures must be required or optional, got true"),
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
    assert result.stderr == f"Error: process file {tmp_path / 'nope.yaml'} does not exist: check the path and the name\n"


def _after_signing(tmp_path: Path) -> Path:
    """The built-in process with a stage after the contract: 验收 (acceptance), left by `accept` once the service plan exists."""
    text = BUILTIN.read_text(encoding="utf-8").replace(
        """    expects:
      - {document: service-plan, within_days: 14}
""",
        """    expects:
      - {document: service-plan, within_days: 14}
    leave:
      trigger: accept
      requires:
        - {document: service-plan}

  - id: acceptance
    step: "7"
    label: {zh: 交车验收, en: Acceptance}
""",
    )
    path = tmp_path / "after-signing.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_signed_stage_is_marked_or_else_the_last(tmp_path: Path) -> None:
    builtin = parse_process(BUILTIN.read_text(encoding="utf-8"), "six-step.yaml")
    assert (builtin.signed.id, builtin.last.id) == ("contract_maintenance", "contract_maintenance")
    unmarked = parse_process(BUILTIN.read_text(encoding="utf-8").replace("    signed: true", ""), "unmarked.yaml")
    assert unmarked.signed.id == "contract_maintenance"
    later = parse_process(_after_signing(tmp_path).read_text(encoding="utf-8"), "later.yaml")
    assert (later.signed.id, later.last.id) == ("contract_maintenance", "acceptance")
    assert [later.is_open(s.id) for s in later.stages][-3:] == [True, False, False]
    twice = BUILTIN.read_text(encoding="utf-8").replace("step: \"5\"", "step: \"5\"\n    signed: true")
    with pytest.raises(InvalidInput, match="only one stage may be marked signed: true"):
        parse_process(twice, "twice.yaml")


def test_a_stage_after_signing_advances_and_never_goes_back_over_the_signature(kam, db: Database, deal: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from helpers import walk_to

    path = _after_signing(tmp_path)
    process = load_process(path)
    walk_to(db, process, deal, "contract_maintenance")
    with db.read() as s:
        signed_at = queries.get_opportunity(s, deal).signed_at
    assert signed_at is not None
    run = lambda *args: kam("--process", str(path), *args)  # noqa: E731
    refused = run("opp", "advance", deal)
    assert refused.exit_code == 1 and "[service-plan.missing]" in refused.stderr
    assert run("opp", "lose", deal, "--reason", "price").stderr.startswith(f"Error: opportunity {deal} is at Contract and maintenance and cannot be lost")
    assert run("opp", "revert", deal, "--reason", "x").exit_code == 1  # not back over the signature
    fill(db, deal, "service-plan")
    moved = run("opp", "advance", deal)
    assert moved.stdout == f"opportunity {deal}: accept, Contract and maintenance → Acceptance\n"
    assert "already at the last stage (contract signed)" in run("opp", "check", deal).stdout
    assert run("opp", "hold", deal, "--reason", "x").exit_code == 1  # the last stage cannot be left: nothing to hold
    back = run("opp", "revert", deal, "--reason", "验收资料不全")
    assert back.stdout == f"opportunity {deal}: revert, Acceptance → Contract and maintenance\n"
    with db.read() as s:
        assert queries.get_opportunity(s, deal).signed_at == signed_at  # signed once, when the contract was
    schedule = kam.json("--process", str(path), "schedule", "--due-before", "2027-02-03")
    assert [i["id"] for i in schedule["items"]][:1] == [f"{deal}-TR-20270202"]  # a signed deal, whatever stage after signing


def test_a_malformed_file_is_refused_on_every_parse() -> None:
    for _ in range(2):
        with pytest.raises(InvalidInput, match="invalid YAML"):
            parse_process("stages: [", "bad.yaml")

"""Stage deadlines: `expected_days` and `within_days` in the process file, 超期 N 天 in opp show, opp list, pipeline."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from workflow.errors import InvalidInput
from workflow.records import tables
from workflow.records.db import Database
from workflow.records.tables import utcnow
from workflow.rules import deadlines
from workflow.rules.process import load_process, parse_process

TWO_STAGES = """
name: two
stages:
  - id: a
    expected_days: {days}
    leave:
      trigger: go
      requires:
        - {{document: visit-feedback, within_days: {within}}}
  - id: b
"""


def backdate(db: Database, opportunity_id: int, days: int, **values: object) -> dt.datetime:
    """Move the opportunity's entry into its stage `days` days back (as if it had sat there)."""
    entered = utcnow() - dt.timedelta(days=days)
    with db.write() as s:
        s.execute(
            update(tables.opportunities)
            .where(tables.opportunities.c.id == opportunity_id)
            .values(stage_entered_at=entered, **values)
        )
    return entered


def test_the_builtin_process_gives_every_open_stage_a_deadline() -> None:
    process = load_process()
    assert {s.id: s.expected_days for s in process.stages} == {
        "target": 14,
        "phone_invite": 7,
        "visit_pitch": 15,
        "initial_solution": 14,
        "technical_exchange": 21,
        "evaluation_negotiation": 30,
        "contract_maintenance": None,  # maintenance has no end
    }
    assert [r.within_days for r in process.by_id["phone_invite"].requires] == [2]


def test_each_builtin_value_says_where_it_comes_from() -> None:
    """Every expected_days / within_days line of the built-in file is preceded by a comment naming its source."""
    from workflow.rules.process import BUILTIN

    lines = BUILTIN.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if "expected_days:" in line.split("#")[0] or "within_days:" in line.split("#")[0]:
            if "service-plan" in line:
                continue  # the expects line: its source is the comment below the stage label
            block = []  # the comment lines right above it
            for previous in reversed(lines[:number]):
                if not previous.strip().startswith("#"):
                    break
                block.append(previous)
            said = " ".join(block)
            assert "seed 0" in said or "kam's default" in said, line


@pytest.mark.parametrize(("days", "within"), [(0, 2), (3651, 2), ("ten", 2), ("true", 2), (7, 0), (7, "2.5")])
def test_a_deadline_must_be_a_whole_number_of_days(days: object, within: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_process(TWO_STAGES.format(days=days, within=within), "p.yaml")
    message = caught.value.render("en")
    assert message.startswith("process file p.yaml:")
    assert "must be a whole number of days from 1 to 3650" in message
    assert "须为 1 到 3650 的整数天数" in caught.value.render("zh")


def test_deadline_and_requirement_due_dates() -> None:
    process = parse_process(TWO_STAGES.format(days=10, within=3), "p.yaml")
    stage = process.by_id["a"]
    entered = dt.datetime(2027, 3, 1, 23, 30)
    assert deadlines.stage_deadline(stage, entered) == dt.date(2027, 3, 11)
    assert deadlines.requirement_due(stage, stage.requires[0], entered) == dt.date(2027, 3, 4)
    assert deadlines.stage_deadline(process.by_id["b"], entered) is None
    assert deadlines.overdue_days(dt.date(2027, 3, 11), dt.date(2027, 3, 11)) == 0
    assert deadlines.overdue_days(dt.date(2027, 3, 11), dt.date(2027, 3, 14)) == 3
    assert deadlines.overdue_days(None, dt.date(2027, 3, 14)) == 0
    # overdue in SQL terms: entered before midnight of today - days
    assert deadlines.overdue_cutoffs(process, dt.date(2027, 3, 12)) == {"a": dt.datetime(2027, 3, 2)}


def test_opp_show_flags_a_deal_past_its_stage_deadline(kam, db: Database, deal: int) -> None:  # type: ignore[no-untyped-def]
    entered = backdate(db, deal, 20)
    deadline = entered.date() + dt.timedelta(days=14)
    shown = kam.json("opp", "show", str(deal))
    assert (shown["stage_deadline"], shown["overdue_days"]) == (deadline.isoformat(), (utcnow().date() - deadline).days)
    assert f"Stage deadline {deadline} (overdue 6 d)\n" in kam("opp", "show", str(deal)).output
    assert f"本阶段期限 {deadline}（超期 6 天）\n" in kam("opp", "show", str(deal), lang="zh").output
    backdate(db, deal, 3)
    assert f"Stage deadline {utcnow().date() + dt.timedelta(days=11)}\n" in kam("opp", "show", str(deal)).output


@pytest.mark.parametrize("values", [{"on_hold": True, "hold_reason": "预算冻结"}, {"stage": "lost", "lost_from": "target", "lost_reason": "price"}])
def test_a_deal_on_hold_or_lost_is_never_overdue(kam, db: Database, deal: int, values: dict) -> None:  # type: ignore[no-untyped-def]
    backdate(db, deal, 40, **values)
    shown = kam.json("opp", "show", str(deal))
    assert (shown["stage_deadline"], shown["overdue_days"]) == (None, 0)
    assert "deadline" not in kam("opp", "show", str(deal)).output


def test_opp_list_says_how_many_days_over(kam, db: Database, deal: int) -> None:  # type: ignore[no-untyped-def]
    backdate(db, deal, 16)
    listed = kam.json("opp", "list")
    assert [(d["id"], d["overdue_days"]) for d in listed] == [(deal, 2)]
    assert "超期 2 天" in kam("opp", "list", lang="zh").output
    row = next(line for line in kam("opp", "list").output.splitlines() if line.startswith(str(deal)))
    assert row.rstrip().endswith("overdue 2 d")


def test_the_pipeline_counts_the_overdue_per_stage(kam, db: Database, deal: int) -> None:  # type: ignore[no-untyped-def]
    backdate(db, deal, 15)
    out = kam.json("report", "pipeline")
    assert {s["stage"]: s["overdue"] for s in out["stages"]}["target"] == 1
    assert out["totals"]["overdue"] == 1
    header = kam("report", "pipeline").output.splitlines()[1]
    assert "Overdue" in header and "超期" in kam("report", "pipeline", lang="zh").output.splitlines()[1]


def test_workflow_show_prints_the_deadlines(kam) -> None:  # type: ignore[no-untyped-def]
    data = kam.json("workflow", "show")
    assert [s["expected_days"] for s in data["stages"]] == [14, 7, 15, 14, 21, 30, None]
    assert data["stages"][1]["requires"][0]["within_days"] == 2
    text = kam("workflow", "show", lang="zh").output
    assert "7 天" in text and "《电话邀约反馈单》（2 天内）" in text


def test_a_company_process_without_deadlines_flags_nothing(kam, db: Database, deal: int, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    text = load_process().source
    plain = "\n".join(line for line in open(text, encoding="utf-8").read().splitlines() if "expected_days:" not in line)
    path = tmp_path / "plain.yaml"
    path.write_text(plain, encoding="utf-8")
    monkeypatch.setenv("KAM_PROCESS", str(path))
    backdate(db, deal, 400)
    shown = kam.json("opp", "show", str(deal))
    assert (shown["stage_deadline"], shown["overdue_days"]) == (None, 0)
    assert kam.json("report", "pipeline")["totals"]["overdue"] == 0


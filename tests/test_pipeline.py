"""The pipeline report against a small pipeline computed by hand."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from workflow.operations import accounts, opportunities
from workflow.records import chain
from workflow.records.db import Database
from workflow.records.models import Opportunity
from workflow.rules.process import Process
from workflow.views import pipeline

NOW = dt.datetime(2027, 1, 31)
DAY = dt.timedelta(days=1)

# name: (owner, stage, lost_from, lost_reason, quantity, heat, days in stage, on hold, days since last history row or None)
PIPELINE = {
    "A": ("王磊", "target", None, None, 10, None, 10, False, None),
    "B": ("王磊", "phone_invite", None, None, 20, 30, 20, False, 26),
    "C": ("李娜", "phone_invite", None, None, 5, 50, 30, True, None),
    "D": ("李娜", "evaluation_negotiation", None, None, 40, 70, 5, False, 5),
    "E": ("王磊", "contract_maintenance", None, None, 30, 90, 1, False, None),
    "F": ("李娜", "lost", "visit_pitch", "price", 8, None, 10, False, None),
    "G": ("王磊", "lost", "target", "competitor", None, None, 10, False, None),
    "H": ("李娜", "lost", "evaluation_negotiation", "price", 12, 50, 10, False, None),
}


def build(db: Database, process: Process) -> dict[str, int]:
    ids = {}
    with db.write() as s:
        acc = accounts.create_account(s, name="包头鑫达物流有限公司", type="enterprise", account_class="A", industry="物流", fleet_size=120, actor="t")
        for name, (owner, stage, lost_from, reason, quantity, heat, days, on_hold, active) in PIPELINE.items():
            opp = opportunities.new_opportunity(s, process, acc.id, f"商机 {name}", owner=owner, actor=owner, quantity=quantity)
            opp.stage, opp.lost_from, opp.lost_reason, opp.heat, opp.on_hold = stage, lost_from, reason, heat, on_hold
            opp.stage_entered_at = NOW - days * DAY
            if active is not None:
                chain.append(s, opp.id, actor=owner, action="note", at=NOW - active * DAY)
            ids[name] = opp.id
    return ids


def report(db: Database, process: Process, **kwargs: object) -> pipeline.PipelineReport:
    with db.read() as s:
        return pipeline.pipeline(s, process, now=NOW, lang="en", **kwargs)  # type: ignore[arg-type]


def test_stage_figures(db: Database, process: Process) -> None:
    build(db, process)
    rows = {s.stage: (s.count, s.vehicles, s.forecast, s.avg_days, s.on_hold) for s in report(db, process).everyone.stages}
    assert rows == {
        "target": (1, 10, 0.0, 10.0, 0),
        "phone_invite": (2, 25, 8.5, 25.0, 1),  # 20 × 30 % + 5 × 50 %
        "visit_pitch": (0, 0, 0.0, None, 0),
        "initial_solution": (0, 0, 0.0, None, 0),
        "technical_exchange": (0, 0, 0.0, None, 0),
        "evaluation_negotiation": (1, 40, 28.0, 5.0, 0),
        "contract_maintenance": (1, 30, None, 1.0, 0),
        "lost": (3, 20, None, 10.0, 0),
    }


def test_totals_conversion_lost_reasons(db: Database, process: Process) -> None:
    build(db, process)
    everyone = report(db, process).everyone
    assert everyone.totals == {"count": 8, "open": 4, "open_vehicles": 75, "forecast": 36.5, "signed": 1, "lost": 3, "stalled": 2, "overdue": 1, "unrated": 1, "open_amount": 0.0, "forecast_amount": 0.0, "signed_amount": 0.0, "received": 0.0, "outstanding": 0.0, "overdue_amount": 0.0, "amending": 0}
    # reached: target 8, phone 6 (B C D E F H), visit 4 (D E F H), then 3, 3, 3, signed 1
    assert [(c.from_stage, c.reached_from, c.reached_to, c.rate) for c in everyone.conversion] == [
        ("target", 8, 6, 0.75),
        ("phone_invite", 6, 4, 0.6667),
        ("visit_pitch", 4, 3, 0.75),
        ("initial_solution", 3, 3, 1.0),
        ("technical_exchange", 3, 3, 1.0),
        ("evaluation_negotiation", 3, 1, 0.3333),
    ]
    assert everyone.lost_reasons == [{"reason": "price", "count": 2, "vehicles": 20}, {"reason": "competitor", "count": 1, "vehicles": 0}]


@pytest.mark.parametrize(("days", "stalled"), [(30, ["A", "C"]), (25, ["A", "B", "C"]), (4, ["A", "B", "C", "D"]), (365, [])])
def test_stalled_means_no_history_for_n_days(db: Database, process: Process, days: int, stalled: list[str]) -> None:
    ids = build(db, process)
    found = report(db, process, stalled_days=days).everyone.stalled
    assert sorted(s.id for s in found) == sorted(ids[n] for n in stalled)
    assert [s.last_activity for s in found] == sorted(s.last_activity for s in found)  # longest idle first
    # signed and lost opportunities are never stalled
    assert not {s.id for s in found} & {ids["E"], ids["F"], ids["G"], ids["H"]}


def test_all_stalled_are_counted_and_the_longest_idle_listed(db: Database, process: Process) -> None:
    ids = build(db, process)
    limited = report(db, process, stalled_days=4, stalled_limit=2).everyone
    assert limited.totals["stalled"] == 4
    assert [s.id for s in limited.stalled] == [ids["A"], ids["C"]]  # created long before B's and D's last rows
    assert len(report(db, process, stalled_days=4, stalled_limit=0).everyone.stalled) == 4


@pytest.mark.parametrize(("limit", "mine", "hers", "everyone"), [(1, "A", "C", "A"), (2, "AB", "CD", "AC"), (0, "AB", "CD", "ACBD")])
def test_each_owner_lists_their_own_longest_idle(db: Database, process: Process, limit: int, mine: str, hers: str, everyone: str) -> None:
    ids = build(db, process)
    result = report(db, process, by_owner=True, stalled_days=4, stalled_limit=limit)
    assert [s.id for s in result.owners["王磊"].stalled] == [ids[n] for n in mine]
    assert [s.id for s in result.owners["李娜"].stalled] == [ids[n] for n in hers]
    assert [s.id for s in result.everyone.stalled] == [ids[n] for n in everyone]
    assert (result.owners["王磊"].totals["stalled"], result.owners["李娜"].totals["stalled"], result.everyone.totals["stalled"]) == (2, 2, 4)


def test_any_new_history_row_ends_a_stall(db: Database, process: Process) -> None:
    """A document, a rating or a move is activity: the report reads the newest history row."""
    ids = build(db, process)
    assert ids["A"] in [s.id for s in report(db, process, stalled_days=30).everyone.stalled]
    with db.write() as s:
        chain.append(s, ids["A"], actor="王磊", action="note", at=NOW - 2 * DAY)  # the Core path: no ORM object
    assert ids["A"] not in [s.id for s in report(db, process, stalled_days=30).everyone.stalled]
    with db.write() as s:  # an older row written later (an import, a backdated note) does not make it idle again
        chain.append(s, ids["A"], actor="王磊", action="note", at=NOW - 50 * DAY)
    assert ids["A"] not in [s.id for s in report(db, process, stalled_days=30).everyone.stalled]
    with db.read() as s:
        assert s.get(Opportunity, ids["A"]).last_activity_at == NOW - 2 * DAY


def test_by_owner(db: Database, process: Process) -> None:
    build(db, process)
    owners = report(db, process, by_owner=True).owners
    assert list(owners) == ["李娜", "王磊"]
    assert owners["王磊"].totals == {"count": 4, "open": 2, "open_vehicles": 30, "forecast": 6.0, "signed": 1, "lost": 1, "stalled": 1, "overdue": 1, "unrated": 1, "open_amount": 0.0, "forecast_amount": 0.0, "signed_amount": 0.0, "received": 0.0, "outstanding": 0.0, "overdue_amount": 0.0, "amending": 0}
    assert owners["李娜"].totals == {"count": 4, "open": 2, "open_vehicles": 45, "forecast": 30.5, "signed": 0, "lost": 2, "stalled": 1, "overdue": 0, "unrated": 0, "open_amount": 0.0, "forecast_amount": 0.0, "signed_amount": 0.0, "received": 0.0, "outstanding": 0.0, "overdue_amount": 0.0, "amending": 0}
    assert owners["李娜"].lost_reasons == [{"reason": "price", "count": 2, "vehicles": 20}]
    only = report(db, process, owner="王磊").everyone.totals
    assert only == owners["王磊"].totals


def test_an_empty_database_reports_zeros(db: Database, process: Process) -> None:
    everyone = report(db, process).everyone
    assert everyone.totals == {"count": 0, "open": 0, "open_vehicles": 0, "forecast": 0, "signed": 0, "lost": 0, "stalled": 0, "overdue": 0, "unrated": 0, "open_amount": 0.0, "forecast_amount": 0.0, "signed_amount": 0.0, "received": 0.0, "outstanding": 0.0, "overdue_amount": 0.0, "amending": 0}
    assert all(c.rate is None for c in everyone.conversion)


def test_report_command(kam, db: Database, process: Process) -> None:  # type: ignore[no-untyped-def]
    build(db, process)
    out = kam.json("report", "pipeline", "--by", "owner")
    assert set(out) == {"as_of", "stalled_days", "stages", "totals", "conversion", "lost_reasons", "stalled", "owners", "amending", "unrated"}
    assert out["totals"]["forecast"] == 36.5 and set(out["owners"]) == {"王磊", "李娜"}
    assert set(out["stages"][0]) == {"stage", "label", "count", "vehicles", "forecast", "avg_days", "on_hold", "overdue", "amount", "forecast_amount", "unrated"}
    assert out["stalled"] == []  # every row was written just now
    human = kam("report", "pipeline", "--by", "owner")
    assert human.exit_code == 0
    assert "weighted forecast 36.5 vehicles" in human.stdout and "Lost reasons" in human.stdout and "By owner" in human.stdout
    bad = kam("report", "pipeline", "--stalled-days", "0")
    assert bad.exit_code == 1 and "--stalled-days must be a positive number" in bad.stderr


def test_report_on_postgresql(pg_url: str, process: Process) -> None:
    db = Database(pg_url)
    try:
        build(db, process)
        everyone = report(db, process).everyone
        assert everyone.totals == {"count": 8, "open": 4, "open_vehicles": 75, "forecast": 36.5, "signed": 1, "lost": 3, "stalled": 2, "overdue": 1, "unrated": 1, "open_amount": 0.0, "forecast_amount": 0.0, "signed_amount": 0.0, "received": 0.0, "outstanding": 0.0, "overdue_amount": 0.0, "amending": 0}
        assert [s.avg_days for s in everyone.stages][:2] == [10.0, 25.0]
        assert len(report(db, process, by_owner=True).owners) == 2
    finally:
        db.dispose()


def test_report_pdf_has_the_funnel_and_the_tables(kam, db: Database, process: Process, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    build(db, process)
    out = tmp_path / "pipeline.pdf"
    result = kam("report", "pipeline", "--by", "owner", "--pdf", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stdout
    text = "\n".join(page.extract_text() for page in PdfReader(str(out)).pages)
    for expected in ("Pipeline report", "Funnel", "By stage", "Conversion between stages", "Lost reasons", "By owner", "36.5", "75%", "67%"):
        assert expected in text, expected
    # the report's own facts in the header, not a document's (no opportunity number, no version)
    for expected in ("As of", "Made by tester", "no history for 30 days", "Pipeline report · As of"):
        assert expected in text, expected
    assert "Opportunity —" not in text and "Version" not in text


def test_funnel_svg_is_drawn_from_the_figures(db: Database, process: Process) -> None:
    build(db, process)
    svg = pipeline.funnel_svg(report(db, process).everyone, "en")
    assert svg.startswith("<svg") and svg.count("<rect") == 7
    # bar widths follow the number that reached each stage: 8, 6, 4, 3, 3, 3, 1
    widths = [float(w) for w in re.findall(r'<rect x="[0-9.]+" y="[0-9]+" width="([0-9.]+)"', svg)]
    assert [round(w / widths[0], 3) for w in widths] == [1.0, 0.75, 0.5, 0.375, 0.375, 0.375, 0.125]
    # the label column fits the longest English stage name (a fixed 190 px cut "Technical exchange and confirmation")
    x_first_bar = min(float(x) for x in re.findall(r'<rect x="([0-9.]+)"', svg))
    assert x_first_bar > 200

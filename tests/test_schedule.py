"""After the signature: the follow-up plan, what is due or overdue, recording one as done."""

from __future__ import annotations

import datetime as dt

import pytest
from forms_fixtures import edit, load
from helpers import fill, walk_to

from forms.visits import add_months
from workflow.errors import InvalidInput, NotFound
from workflow.operations import accounts, exchange, opportunities
from workflow.operations import followups as followup_ops
from workflow.records import hashing, queries
from workflow.records.db import Database
from workflow.records.models import FollowUp, Opportunity, utcnow
from workflow.rules import plans
from workflow.rules.process import Process
from workflow.views import audit as audit_view
from workflow.views import schedule as schedule_view

D = dt.date.fromisoformat


def plan(delivery: str, **fields: object) -> dict:
    data = {"delivery_date": delivery, "training": []}
    data.update(fields)
    return data


def dates(items: list[plans.Planned], kind: str) -> list[str]:
    return [p.due.isoformat() for p in items if p.kind == kind]


@pytest.mark.parametrize(
    ("delivery", "first", "monthly"),
    [
        # month ends clamp, and each monthly date counts from delivery, not from the previous visit
        ("2027-01-31", ["2027-02-15", "2027-03-02", "2027-03-17", "2027-04-01", "2027-04-16"], ["2027-04-30", "2027-05-31", "2027-06-30"]),
        # leap year: Nov 30 + 3 months = Feb 29
        # (2028-02-28, the day before the mark, would be a second visit that week: the mark stands for it, issue 14)
        ("2027-11-30", ["2027-12-15", "2027-12-30", "2028-01-14", "2028-01-29", "2028-02-13"], ["2028-02-29", "2028-03-30", "2028-04-30"]),
        # a fortnightly visit on the 3-month mark is listed once
        ("2027-01-01", ["2027-01-16", "2027-01-31", "2027-02-15", "2027-03-02", "2027-03-17", "2027-04-01"], ["2027-05-01", "2027-06-01"]),
    ],
)
def test_return_visits_around_month_ends_and_leap_years(delivery: str, first: list[str], monthly: list[str]) -> None:
    visits = dates(plans.plan_followups(plan(delivery)), "return-visit")
    assert visits[: len(first)] == first
    assert visits[len(first) : len(first) + len(monthly)] == monthly
    assert visits[-1] == add_months(D(delivery), 12).isoformat()


@pytest.mark.parametrize(("months", "last"), [(3, "2027-04-30"), (6, "2027-07-31"), (24, "2029-01-31")])
def test_the_horizon_is_configurable(months: int, last: str) -> None:
    assert dates(plans.plan_followups(plan("2027-01-31"), months), "return-visit")[-1] == last


def test_the_plan_names_training_meetings_senior_and_holiday_visits() -> None:
    items = plans.plan_followups(load("service-plan"))  # delivery 2027-01-31, 包头 fixture
    assert dates(items, "training") == ["2027-02-02", "2027-02-05"]
    # 每季度召开一次业务沟通会
    assert dates(items, "business-meeting") == ["2027-04-30", "2027-07-31", "2027-10-31", "2028-01-31"]
    # 每半年拜访一次
    assert dates(items, "senior-visit") == ["2027-07-31", "2028-01-31"]
    # 春节 2027-02-06 and 2028-01-26, 中秋 2027-09-15: three days before each, inside the year
    assert dates(items, "holiday-visit") == ["2027-02-03", "2027-09-12", "2028-01-23"]
    assert [p.due for p in items] == sorted(p.due for p in items)


def test_iso_dates_written_in_the_plan_are_taken_as_is() -> None:
    items = plans.plan_followups(plan("2027-03-10", business_meetings="首次沟通会定于 2027-04-08，其后视情况", holiday_visits="2027-12-24 圣诞走访"))
    assert dates(items, "business-meeting") == ["2027-04-08"]
    assert dates(items, "holiday-visit") == ["2027-12-24"]


@pytest.mark.parametrize("text", ["12-RV-2027021", "12-XX-20270215", "RV-20270215", "12-RV-20270230", ""])
def test_a_bad_followup_id_says_how_ids_read(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        plans.parse_followup_id(text)
    assert "e.g. 12-RV-20270215" in info.value.message.en


def test_followup_ids_round_trip() -> None:
    assert plans.followup_id(12, "holiday-visit", D("2027-02-03")) == "12-HV-20270203"
    assert plans.parse_followup_id("12-hv-20270203") == (12, "holiday-visit", D("2027-02-03"))


# -- across accounts ------------------------------------------------------------------


@pytest.fixture
def signed(db: Database, process: Process, deal: int) -> int:
    walk_to(db, process, deal, "contract_maintenance")
    fill(db, deal, "service-plan")
    return deal


def run(db: Database, process: Process, **kwargs: object) -> schedule_view.Schedule:
    with db.read() as s:
        return schedule_view.schedule(s, process, **kwargs)  # type: ignore[arg-type]


def test_overdue_and_due_are_told_apart(db: Database, process: Process, signed: int) -> None:
    result = run(db, process, today=D("2027-02-16"), due_before=D("2027-03-05"))
    assert [(i.id, i.status, i.overdue_days) for i in result.items] == [
        (f"{signed}-TR-20270202", "overdue", 14),
        (f"{signed}-HV-20270203", "overdue", 13),
        (f"{signed}-TR-20270205", "overdue", 11),
        (f"{signed}-RV-20270215", "overdue", 1),
        (f"{signed}-RV-20270302", "due", 0),
    ]
    assert result.items[0].account == "包头鑫达物流有限公司" and result.items[0].owner == "王磊"


def test_the_default_window_is_the_coming_week(db: Database, process: Process, signed: int) -> None:
    result = run(db, process, today=D("2027-02-10"))
    assert result.due_before == D("2027-02-17")
    assert [i.id.split("-", 1)[1] for i in result.items] == ["TR-20270202", "HV-20270203", "TR-20270205", "RV-20270215"]


def test_owner_filter(db: Database, process: Process, signed: int) -> None:
    assert run(db, process, today=D("2027-02-16"), owner="王磊").items
    assert run(db, process, today=D("2027-02-16"), owner="李娜").items == []


def test_recording_a_followup_removes_it_and_writes_history(db: Database, process: Process, signed: int) -> None:
    with db.write() as s:
        followup_ops.record_followup(s, process, f"{signed}-RV-20270215", D("2027-02-16"), actor="王磊", note="走访车管科", found="2 台 DPF 报警", today=D("2027-02-16"))
    result = run(db, process, today=D("2027-02-16"), due_before=D("2027-02-20"))
    assert f"{signed}-RV-20270215" not in [i.id for i in result.items]
    with db.read() as s:
        row = s.query(FollowUp).one()
        events = queries.opportunity_history(s, signed)
        assert audit_view.audit(s).breaks == []
    assert (row.kind, row.due_date, row.done_on, row.found) == ("return-visit", D("2027-02-15"), D("2027-02-16"), "2 台 DPF 报警")
    assert events[-1].action == "followup"
    assert events[-1].detail == {"id": f"{signed}-RV-20270215", "kind": "return-visit", "due": "2027-02-15", "done_on": "2027-02-16", "note": "走访车管科", "found": "2 台 DPF 报警"}


@pytest.mark.parametrize(
    ("followup", "done", "error", "message"),
    [
        ("{id}-RV-20270216", "2027-02-16", NotFound, "has no return visit on 2027-02-16: see kam schedule"),
        ("999-RV-20270215", "2027-02-16", NotFound, "opportunity 999 not found"),
        ("{id}-RV-20270215", "2027-03-01", InvalidInput, "is after today"),
    ],
)
def test_recording_refusals(db: Database, process: Process, signed: int, followup: str, done: str, error: type, message: str) -> None:
    with pytest.raises(error) as info, db.write() as s:
        followup_ops.record_followup(s, process, followup.format(id=signed), D(done), actor="王磊", today=D("2027-02-20"))
    assert message in info.value.message.en


def test_a_followup_is_recorded_once(db: Database, process: Process, signed: int) -> None:
    with db.write() as s:
        followup_ops.record_followup(s, process, f"{signed}-RV-20270215", D("2027-02-16"), actor="王磊", today=D("2027-02-16"))
    with pytest.raises(InvalidInput) as info, db.write() as s:
        followup_ops.record_followup(s, process, f"{signed}-RV-20270215", D("2027-02-17"), actor="李娜", today=D("2027-02-17"))
    assert info.value.message.en == f"{signed}-RV-20270215 was already recorded as done on 2027-02-16 by 王磊"


def test_an_unsigned_opportunity_has_no_plan(db: Database, process: Process, deal: int) -> None:
    fill(db, deal, "service-plan")  # filled ahead: not scheduled until signed
    assert run(db, process, today=D("2027-02-16")).items == []
    with pytest.raises(NotFound) as info, db.write() as s:
        followup_ops.record_followup(s, process, f"{deal}-RV-20270215", D("2027-02-16"), actor="王磊", today=D("2027-02-16"))
    assert f"kam doc fill {deal} service-plan" in info.value.message.en


def test_the_latest_plan_version_counts(db: Database, process: Process, signed: int) -> None:
    later = edit(edit(load("service-plan"), "delivery_date", "2027-03-01"), "training[0].date", "2027-03-02")
    later = edit(later, "training[1].date", "2027-03-03")
    fill(db, signed, "service-plan", later)
    result = run(db, process, today=D("2027-03-16"), due_before=D("2027-03-16"))
    assert [i.id.split("-", 1)[1] for i in result.items] == ["TR-20270302", "TR-20270303", "RV-20270316"]


def test_a_signed_opportunity_without_a_plan_is_flagged_after_14_days(db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "contract_maintenance")
    today = utcnow().date()
    assert run(db, process, today=today + dt.timedelta(days=14)).missing_plans == []
    flagged = run(db, process, today=today + dt.timedelta(days=15)).missing_plans
    assert [(m.opportunity_id, m.days_since_signing) for m in flagged] == [(deal, 15)]
    fill(db, deal, "service-plan")
    assert run(db, process, today=today + dt.timedelta(days=15)).missing_plans == []


# -- the commands -----------------------------------------------------------------------


def test_schedule_and_followup_commands(kam, db: Database, process: Process, signed: int) -> None:  # type: ignore[no-untyped-def]
    out = kam.json("schedule", "--due-before", "2027-02-20")
    assert [i["id"] for i in out["items"]][:2] == [f"{signed}-TR-20270202", f"{signed}-HV-20270203"]
    assert set(out) == {"today", "due_before", "items", "missing_service_plans"}
    assert set(out["items"][0]) == {"id", "opportunity_id", "account", "title", "owner", "kind", "due", "status", "overdue_days", "detail"}
    human = kam("schedule", "--due-before", "2027-02-20")
    assert f"{signed}-RV-20270215" in human.stdout and "return visit" in human.stdout
    # cannot be done before it happens (today is before the 2027 delivery)
    refused = kam("followup", "done", f"{signed}-TR-20270202", "2027-02-02")
    assert refused.exit_code == 1 and "is after today" in refused.stderr
    bad = kam("followup", "done", "nonsense", "2026-01-01")
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: follow-up id “nonsense” is not valid")


def test_schedule_on_postgresql(pg_url: str, process: Process) -> None:
    pg = Database(pg_url)
    try:
        with pg.write() as s:
            acc = accounts.create_account(s, name="包头市环境卫生服务中心", type="government", account_class="A", industry="环卫", fleet_size=86, actor="t")
            accounts.add_contact(s, acc.id, "张华", actor="t")
            deal = opportunities.new_opportunity(s, process, acc.id, "30 台压缩式垃圾车", owner="王磊", actor="王磊", quantity=30).id
        walk_to(pg, process, deal, "contract_maintenance")
        fill(pg, deal, "service-plan")
        with pg.write() as s:
            followup_ops.record_followup(s, process, f"{deal}-TR-20270202", D("2027-02-02"), actor="王磊", today=D("2027-02-16"))
        result = run(pg, process, today=D("2027-02-16"), due_before=D("2027-03-05"))
        assert [i.id.split("-", 1)[1] for i in result.items] == ["HV-20270203", "TR-20270205", "RV-20270215", "RV-20270302"]
    finally:
        pg.dispose()


def test_the_stored_plan_and_the_computed_plan_agree(db: Database, process: Process, signed: int) -> None:
    """`kam schedule` reads planned_followups for the default horizon; recomputing every plan must give the same."""
    with db.write() as s:
        other = opportunities.new_opportunity(s, process, s.get(Opportunity, signed).account_id, "10 台自卸车", owner="李娜", actor="李娜", quantity=10).id
    walk_to(db, process, other, "contract_maintenance")
    fill(db, other, "service-plan", edit(edit(edit(load("service-plan"), "delivery_date", "2027-03-01"), "training[0].date", "2027-03-02"), "training[1].date", "2027-03-03"))
    fill(db, signed, "service-plan", edit(load("service-plan"), "holiday_visits", "春节、中秋、国庆前走访"))  # a new version
    with db.write() as s:
        followup_ops.record_followup(s, process, f"{signed}-RV-20270215", D("2027-02-16"), actor="王磊", today=D("2027-04-01"))
        followup_ops.record_followup(s, process, f"{other}-TR-20270302", D("2027-03-02"), actor="李娜", today=D("2027-04-01"))

    def key(item: schedule_view.DueItem) -> tuple:
        return (item.due, item.opportunity_id, item.kind)

    for today, due_before, owner in [("2027-02-16", "2027-03-05", None), ("2027-04-01", "2027-12-31", None), ("2027-04-01", "2028-06-30", "李娜")]:
        with db.read() as s:
            connection = s.connection()
            stored = schedule_view.open_items(connection, process, D(due_before), owner, D(today))
            computed = schedule_view.computed_items(connection, process, D(due_before), owner, plans.DEFAULT_MONTHS, D(today))
        assert stored, (today, due_before, owner)
        assert sorted(stored, key=key) == sorted(computed, key=key)
    ids = [i.id for i in run(db, process, today=D("2027-04-01"), due_before=D("2027-12-31")).items]
    assert f"{signed}-RV-20270215" not in ids and f"{other}-TR-20270302" not in ids and f"{other}-TR-20270303" in ids


def test_an_import_rebuilds_the_stored_plan(db: Database, process: Process, signed: int, tmp_path) -> None:  # type: ignore[no-untyped-def]

    with db.write() as s:
        followup_ops.record_followup(s, process, f"{signed}-RV-20270215", D("2027-02-16"), actor="王磊", today=D("2027-04-01"))
    with db.read() as s:
        data = exchange.export_data(s)
    copy = Database(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    try:
        with copy.write() as s:
            exchange.import_data(s, data)
        for today, due_before in [("2027-02-16", "2027-03-05"), ("2027-04-01", "2027-12-31")]:
            assert run(copy, process, today=D(today), due_before=D(due_before)) == run(db, process, today=D(today), due_before=D(due_before))
    finally:
        copy.dispose()


def test_audit_names_a_stored_plan_changed_outside_kam_and_init_rebuilds_it(kam, db: Database, process: Process, signed: int) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from workflow.records.models import Opportunity as Opp
    from workflow.records.models import PlannedFollowUp

    assert kam("audit", "verify").exit_code == 0
    with db.write() as s:  # a follow-up marked done without being recorded, and a stall hidden
        s.execute(update(PlannedFollowUp).where(PlannedFollowUp.opportunity_id == signed, PlannedFollowUp.kind == "return-visit").values(done=True))
    result = kam("audit", "verify")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        f"  - opportunity {signed}: the stored follow-up plan does not match its service plan and recorded follow-ups (changed outside kam); kam init --rebuild rebuilds it"
    ]
    with db.write() as s:
        s.execute(update(Opp).where(Opp.id == signed).values(last_activity_at=dt.datetime(2020, 1, 1)))
    rebuilt = kam.json("init", "--rebuild")
    assert rebuilt["rebuilt"]["opportunities"] == 1 and rebuilt["rebuilt"]["planned_followups"] > 10
    assert kam("audit", "verify").exit_code == 0
    assert kam("init", "--rebuild").stdout.splitlines()[1].startswith("rebuilt the last activity of 1 opportunities and ")


def test_a_service_plan_written_outside_kam_does_not_stop_the_schedule(db: Database, process: Process, signed: int) -> None:
    from workflow.records.models import Document

    with db.write() as s:
        other = opportunities.new_opportunity(s, process, s.get(Opportunity, signed).account_id, "伪造", owner="王磊", actor="王磊").id
        s.add(Document(opportunity_id=other, kind="service-plan", version=1, data={"customer": "伪造"}, author="x", sha256=hashing.sha256({})))
        s.flush()
        s.execute(Opportunity.__table__.update().where(Opportunity.id == other).values(stage="contract_maintenance"))
    for months in (6, 12):
        items = run(db, process, today=D("2027-02-16"), due_before=D("2027-03-05"), months=months).items
        assert items and {i.opportunity_id for i in items} == {signed}
    with db.write() as s:
        assert followup_ops.rebuild_plans(s.connection()) > 0  # the readable plans only

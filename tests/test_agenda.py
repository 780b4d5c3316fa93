"""`kam agenda` and `kam review pending`: every kind of item, the order, the command each names, bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from forms_fixtures import edit, load
from helpers import fill, walk_to
from sqlalchemy import update

from workflow.operations import accounts, moves, opportunities, signoffs
from workflow.records import tables
from workflow.records.db import Database
from workflow.records.tables import utcnow
from workflow.rules.process import Process
from workflow.views import agenda as views

D = dt.date.fromisoformat


def backdate(db: Database, opportunity_id: int, days: int, column: str = "stage_entered_at") -> dt.datetime:
    at = utcnow() - dt.timedelta(days=days)
    with db.write() as s:
        s.execute(update(tables.opportunities).where(tables.opportunities.c.id == opportunity_id).values({column: at}))
    return at


def advance(db: Database, process: Process, opportunity_id: int) -> None:
    with db.write() as s:
        moves.advance(s, process, opportunity_id, actor="王磊")


def decide(db: Database, process: Process, opportunity_id: int, department: str, decision: str, reviewer: str, comment: str = "同意") -> None:
    with db.write() as s:
        signoffs.decide(s, process, opportunity_id, department=department, decision=decision, comment=comment, actor=reviewer)


def new_deal(db: Database, process: Process, name: str, owner: str = "王磊", *, complete: bool = True) -> int:
    with db.write() as s:
        profile = {"type": "enterprise", "account_class": "B", "industry": "物流", "fleet_size": 40}
        if not complete:
            profile.update(industry=None, fleet_size=None)
        acc = accounts.create_account(s, name=name, actor="t", **profile)
        if complete:
            accounts.add_contact(s, acc.id, "马建军", actor="t", title="采购部长", phone="13804720000", influence="medium")
        return opportunities.new_opportunity(s, process, acc.id, f"{name} 10 台", owner=owner, actor=owner, quantity=10).id


def test_a_next_requirement_is_due_at_its_within_days(kam, db: Database, process: Process, deal: int) -> None:  # type: ignore[no-untyped-def]
    advance(db, process, deal)  # to phone_invite: the feedback form is due 2 days after entering
    entered = backdate(db, deal, 5)
    out = kam.json("--actor", "王磊", "agenda")
    today = utcnow().date()
    assert out == {
        "actor": "王磊",
        "today": today.isoformat(),
        "until": (today + dt.timedelta(days=7)).isoformat(),
        "items": [
            {
                "kind": "requirement",
                "id": f"{deal}-REQ-phone_invite-phone-invite-feedback.missing",
                "due": (entered.date() + dt.timedelta(days=2)).isoformat(),
                "overdue_days": 3,
                "opportunity_id": deal,
                "title": "20 台牵引车",
                "account": "包头鑫达物流有限公司",
                "owner": "王磊",
                "message": "Phone invitation: missing the Phone invitation feedback (phone-invite-feedback)",
                "command": f"kam doc fill {deal} phone-invite-feedback --file FILE",
            }
        ],
    }
    text = kam("--actor", "王磊", "agenda", lang="zh").output
    assert text.splitlines()[1:4] == [
        f"{entered.date() + dt.timedelta(days=2)}  逾期 3 天  [下一步] {deal} 20 台牵引车（包头鑫达物流有限公司）",
        "    电话邀约：缺少《电话邀约反馈单》(phone-invite-feedback)",
        f"    → kam doc fill {deal} phone-invite-feedback --file FILE",
    ]
    assert text.splitlines()[0] == f"王磊的待办：今天 {today}，截至 {today + dt.timedelta(days=7)}，共 1 项，其中逾期 1 项"


def test_a_requirement_enters_the_window_n_days_before_it_is_due(kam, db: Database, process: Process, deal: int) -> None:  # type: ignore[no-untyped-def]
    bare = new_deal(db, process, "沈阳华信商贸有限公司", complete=False)  # target, 14 days: no profile, no contact
    assert kam.json("--actor", "王磊", "agenda")["items"] == []  # due in 14 days
    listed = kam.json("--actor", "王磊", "agenda", "--days", "14")["items"]
    assert [(i["opportunity_id"], i["id"], i["overdue_days"]) for i in listed] == [
        (bare, f"{bare}-REQ-target-account-profile", 0),
        (bare, f"{bare}-REQ-target-account-contact", 0),
    ]


def test_the_requirements_are_exactly_what_opp_check_lists(kam, db: Database, process: Process) -> None:  # type: ignore[no-untyped-def]
    """One reader: every open deal's agenda requirements are its `opp check` missing list, message and command."""
    bare = new_deal(db, process, "客户甲", complete=False)
    visit = new_deal(db, process, "客户乙")
    walk_to(db, process, visit, "visit_pitch")
    fill(db, visit, "visit-feedback", edit(load("visit-feedback"), "handler_found", False))
    gate = new_deal(db, process, "客户丙")
    walk_to(db, process, gate, "evaluation_negotiation")
    fill(db, gate, "evaluation-scorecard")
    fill(db, gate, "contract-review", edit(load("contract-review"), "penalty_percent", 45))
    decide(db, process, gate, "finance", "reject", "钱进", "付款条件不符")
    decide(db, process, gate, "sales", "approve", "赵敏")
    for opp in (bare, visit, gate):
        backdate(db, opp, 90)
    items = kam.json("--actor", "王磊", "agenda")["items"]
    for opp in (bare, visit, gate):
        result = kam("--json", "opp", "check", str(opp))
        import json

        missing = json.loads(result.output)["missing"]
        mine = [i for i in items if i["opportunity_id"] == opp and i["kind"] == "requirement"]
        assert [(i["message"].split(": ", 1)[1], i["command"]) for i in mine] == [(m["message"], m["command"]) for m in missing]
        assert len({i["id"] for i in mine}) == len(mine)  # each its own calendar UID
    assert any(i["kind"] == "rejected-review" for i in items)


def test_a_deal_on_hold_is_paused(kam, db: Database, process: Process, deal: int) -> None:  # type: ignore[no-untyped-def]
    advance(db, process, deal)
    backdate(db, deal, 30)
    with db.write() as s:
        moves.hold(s, process, deal, reason="预算冻结", actor="王磊")
    assert kam.json("--actor", "王磊", "agenda")["items"] == []


def signed(db: Database, process: Process, deal: int, *, plan: bool = True, delivery: dt.date | None = None) -> None:
    walk_to(db, process, deal, "contract_maintenance")
    if plan:
        data = load("service-plan")
        if delivery is not None:
            data = edit(data, "delivery_date", delivery.isoformat())
            data = edit(data, "training", [dict(load("service-plan")["training"][0], date=(delivery + dt.timedelta(days=2)).isoformat())])
        fill(db, deal, "service-plan", data)


def test_follow_ups_name_the_contact_to_call_and_the_service_station(db: Database, process: Process, deal: int) -> None:
    with db.write() as s:
        accounts.add_contact(s, 1, "李阳", actor="t", title="总经理", influence="high", phone="13947200000")
    signed(db, process, deal)  # the sample plan: delivery 2027-01-31, training 2027-02-02 and 02-05, 春节 visit 02-03
    with db.read() as s:
        result = views.agenda(s, process, actor="王磊", today=D("2027-02-04"))
    assert [(i.kind, i.key, i.due.isoformat(), i.overdue_days) for i in result.items] == [
        ("followup", f"{deal}-TR-20270202", "2027-02-02", 2),
        ("followup", f"{deal}-HV-20270203", "2027-02-03", 1),
        ("followup", f"{deal}-TR-20270205", "2027-02-05", 0),
    ]
    first = result.items[0].to_dict("zh")
    # 李阳 (high influence, with a phone) before 张华 (high, no phone) — a contact with a phone is called first
    assert first["contact"] == {"name": "李阳", "title": "总经理", "phone": "13947200000"}
    assert first["service_station"] == {"name": "包头福田鑫达服务站", "contact": "马师傅", "phone": "13904721234"}
    assert first["followup"] == {"id": f"{deal}-TR-20270202", "kind": "training", "detail": "驾驶员（30 人）"}
    assert first["message"] == "培训（驾驶员（30 人））；服务站：包头福田鑫达服务站 马师傅 13904721234"
    assert first["command"] == f'kam followup done {deal}-TR-20270202 2027-02-04 --note "..."'
    assert result.items[0].to_dict("en")["message"] == "training (驾驶员（30 人）); service station: 包头福田鑫达服务站 马师傅 13904721234"


def test_a_signed_deal_without_a_service_plan(kam, db: Database, process: Process, deal: int) -> None:  # type: ignore[no-untyped-def]
    signed(db, process, deal, plan=False)
    at = backdate(db, deal, 20, "signed_at")
    (item,) = kam.json("--actor", "王磊", "agenda")["items"]
    assert item == {
        "kind": "service-plan",
        "id": f"{deal}-PLAN",
        "due": (at.date() + dt.timedelta(days=14)).isoformat(),
        "overdue_days": 6,
        "opportunity_id": deal,
        "title": "20 台牵引车",
        "account": "包头鑫达物流有限公司",
        "owner": "王磊",
        "message": f"the service plan is due within 14 days of signing ({at.date()})",
        "command": f"kam doc fill {deal} service-plan --file FILE",
    }
    backdate(db, deal, 2, "signed_at")  # due in 12 days: not within the week, within a fortnight
    assert kam.json("--actor", "王磊", "agenda")["items"] == []
    assert len(kam.json("--actor", "王磊", "agenda", "--days", "12")["items"]) == 1


@pytest.fixture
def reviewed(db: Database, process: Process, deal: int) -> int:
    """The deal at the compliance gate with a contract review: finance rejected it, sales approved."""
    walk_to(db, process, deal, "evaluation_negotiation")
    for kind in ("evaluation-scorecard", "negotiation-minutes", "contract-review"):
        fill(db, deal, kind)
    decide(db, process, deal, "finance", "reject", "钱进", "付款条件需改为发车前到账")
    decide(db, process, deal, "sales", "approve", "赵敏")
    return deal


def test_a_rejection_is_on_the_owners_agenda_with_the_comment(kam, reviewed: int) -> None:  # type: ignore[no-untyped-def]
    items = kam.json("--actor", "王磊", "agenda")["items"]
    assert [(i["kind"], i["id"], i["overdue_days"], i["message"], i["command"]) for i in items] == [
        (
            "rejected-review",
            f"{reviewed}-REJ-finance-v1",
            0,
            "finance (钱进) rejected contract review v1: 付款条件需改为发车前到账",
            f"kam doc fill {reviewed} contract-review --file FILE",
        )
    ]


def test_a_reviewer_sees_what_waits_for_the_department(kam, reviewed: int) -> None:  # type: ignore[no-untyped-def]
    legal = kam.json("--actor", "孙律", "agenda", "--department", "legal")
    assert legal["department"] == "legal" and legal["actor"] == "孙律"
    assert [(i["kind"], i["id"], i["message"], i["command"]) for i in legal["items"]] == [
        (
            "review",
            f"{reviewed}-REV-legal-v1",
            "contract BTHW-2026-118 review v1 waits for legal, total 10,860,000.00 yuan",
            f"kam review approve {reviewed} --department legal --version 1",
        )
    ]
    # finance rejected v1: the next move is the owner's, not finance's; sales approved
    assert kam.json("--actor", "钱进", "agenda", "--department", "finance")["items"] == []
    assert kam.json("--actor", "赵敏", "agenda", "--department", "sales")["items"] == []
    zh = kam("--actor", "孙律", "agenda", "--department", "legal", lang="zh").output
    assert f"待审批] {reviewed} 20 台牵引车（包头鑫达物流有限公司）" in zh
    assert "合同 BTHW-2026-118 审核表 v1 待法务部审批，总价 10,860,000.00 元" in zh


def test_review_pending_lists_the_queue(kam, db: Database, process: Process, reviewed: int) -> None:  # type: ignore[no-untyped-def]
    out = kam.json("review", "pending")
    (item,) = out["items"]
    waiting_since = item.pop("waiting_since")
    assert item == {
        "opportunity_id": reviewed,
        "title": "20 台牵引车",
        "account": "包头鑫达物流有限公司",
        "owner": "王磊",
        "contract_no": "BTHW-2026-118",
        "total": "10860000.00",
        "version": 1,
        "departments_missing": ["finance", "legal", "production"],
        "rejected": {"finance": {"reviewer": "钱进", "comment": "付款条件需改为发车前到账", "at": item["rejected"]["finance"]["at"]}},
    }
    assert waiting_since.endswith("Z")
    assert [i["opportunity_id"] for i in kam.json("review", "pending", "--department", "production")["items"]] == [reviewed]
    assert kam.json("review", "pending", "--department", "finance")["items"] == []
    text = kam("review", "pending", lang="zh").output
    assert "财务部（驳回）、法务部、生产部" in text and "10,860,000.00" in text
    fill(db, reviewed, "contract-review", edit(load("contract-review"), "payment_timing", "before_dispatch"))  # v2 voids v1's decisions
    (item,) = kam.json("review", "pending")["items"]
    assert (item["version"], item["departments_missing"], item["rejected"]) == (2, ["sales", "finance", "legal", "production"], {})


def test_review_pending_oldest_first(kam, db: Database, process: Process, reviewed: int) -> None:  # type: ignore[no-untyped-def]
    other = new_deal(db, process, "客户丁")
    walk_to(db, process, other, "evaluation_negotiation")
    fill(db, other, "contract-review")
    with db.write() as s:
        s.execute(update(tables.documents).where(tables.documents.c.opportunity_id == other).values(created_at=utcnow() - dt.timedelta(days=9)))
    assert [i["opportunity_id"] for i in kam.json("review", "pending")["items"]] == [other, reviewed]
    items = kam.json("--actor", "孙律", "agenda", "--department", "legal")["items"]
    assert [(i["opportunity_id"], i["overdue_days"]) for i in items] == [(other, 9), (reviewed, 0)]


def test_most_urgent_first_and_ties_by_kind(db: Database, process: Process, reviewed: int) -> None:
    late = new_deal(db, process, "客户戊", complete=False)
    backdate(db, late, 20)  # target, 14 days: 6 days over
    with db.read() as s:
        result = views.agenda(s, process, actor="王磊", department="legal")
    assert [(i.kind, i.opportunity_id, i.overdue_days) for i in result.items] == [
        ("requirement", late, 6),
        ("requirement", late, 6),
        ("rejected-review", reviewed, 0),  # same day: what blocks a signature first
        ("review", reviewed, 0),
    ]


def test_owner_is_read_as_people_read_names(kam, db: Database, process: Process) -> None:  # type: ignore[no-untyped-def]
    deal = new_deal(db, process, "客户己", owner="Zhang Wei", complete=False)
    backdate(db, deal, 20)
    assert [i["opportunity_id"] for i in kam.json("agenda", "--owner", "ZHANG WEI")["items"]] == [deal, deal]


@pytest.mark.parametrize(
    ("args", "en", "zh"),
    [
        (["--owner", "某人"], "Error: no opportunity is owned by 某人; known owners: 王磊", "错误：没有负责人 某人 的商机；已知负责人：王磊"),
        (
            ["--department", "hr"],
            'Error: sign-off department: "hr" is not one of the choices: sales (销售部), finance (财务部), legal (法务部), '
            "production (生产部)",
            "错误：会签部门：「hr」不是可选值；可选：销售部 (sales)、财务部 (finance)、法务部 (legal)、生产部 (production)",
        ),
        (["--days", "367"], "Error: --days must be between 0 and 366, got 367", "错误：--days 须在 0 到 366 之间，收到 367"),
        (["--days", "-1"], "Error: --days must be between 0 and 366, got -1", "错误：--days 须在 0 到 366 之间，收到 -1"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(kam, deal: int, tmp_path: Path, args: list[str], en: str, zh: str) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "a.ics"
    for lang, expected in (("en", en), ("zh", zh)):
        result = kam("agenda", *args, "--ics", str(target), lang=lang)
        assert (result.exit_code, result.stderr.strip()) == (1, expected)
        assert result.stdout == "" and not target.exists()


def test_review_pending_refuses_an_unknown_department(kam) -> None:  # type: ignore[no-untyped-def]
    result = kam("review", "pending", "--department", "hr")
    assert result.exit_code == 1 and result.stderr.startswith('Error: sign-off department: "hr" is not one of the choices')


@pytest.mark.parametrize(
    "command",
    [
        ["agenda", "--ics"],
        ["agenda", "--xlsx"],
        ["schedule", "--ics"],
        ["schedule", "--xlsx"],
        ["opp", "list", "--xlsx"],
        ["report", "pipeline", "--xlsx"],
        ["review", "pending", "--xlsx"],
    ],
)
def test_an_output_file_is_never_overwritten_without_force(kam, deal: int, tmp_path: Path, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    existing = tmp_path / "out.file"
    existing.write_bytes(b"keep me")
    result = kam(*command, str(existing))
    assert (result.exit_code, result.stderr.strip()) == (1, f"Error: {existing} exists: use --force to overwrite it, or choose another name")
    assert existing.read_bytes() == b"keep me"
    folder = kam(*command, str(tmp_path))
    assert (folder.exit_code, folder.stderr.strip()) == (1, f"Error: {tmp_path} is a folder; give a file name")
    assert kam(*command, str(existing), "--force").exit_code == 0
    assert existing.read_bytes() != b"keep me"


def test_owner_and_department_do_not_go_together(kam) -> None:  # type: ignore[no-untyped-def]
    result = kam("agenda", "--owner", "王磊", "--department", "legal")
    assert result.exit_code == 2 and "give --owner NAME or --department D, not both" in result.stderr
    zh = kam("agenda", "--owner", "王磊", "--department", "legal", lang="zh")
    assert zh.exit_code == 2 and "错误：请只给出 --owner 姓名 或 --department 部门 其中之一" in zh.stderr


def test_an_empty_agenda_says_so(kam, deal: int) -> None:  # type: ignore[no-untyped-def]
    today = utcnow().date()
    assert kam("--actor", "王磊", "agenda").output == f"王磊: nothing due by {today + dt.timedelta(days=7)} (today {today})\n"
    assert kam("review", "pending", lang="zh").output == "没有等待会签的合同审核表\n"


def test_the_agenda_and_the_queue_on_postgresql(pg_url: str, process: Process) -> None:
    db = Database(pg_url)
    try:
        db.upgrade()
        late = new_deal(db, process, "客户甲", complete=False)
        backdate(db, late, 20)
        gate = new_deal(db, process, "客户乙")
        walk_to(db, process, gate, "evaluation_negotiation")
        for kind in ("evaluation-scorecard", "negotiation-minutes", "contract-review"):
            fill(db, gate, kind)
        decide(db, process, gate, "legal", "reject", "孙律", "违约条款需修改")
        signed_deal = new_deal(db, process, "客户丙")
        walk_to(db, process, signed_deal, "contract_maintenance")
        fill(db, signed_deal, "service-plan")
        with db.read() as s:
            mine = views.agenda(s, process, actor="王磊", today=D("2027-02-04"))
            queue = views.pending_reviews(s, process, department="finance")
        # by 2027-02-04 the gate deal is past its 30 days too: its unmet sign-offs are due
        assert [(i.kind, i.opportunity_id) for i in mine.items if i.opportunity_id != gate or i.kind != "requirement"] == [
            ("requirement", late),
            ("requirement", late),
            ("rejected-review", gate),
            ("followup", signed_deal),
            ("followup", signed_deal),
            ("followup", signed_deal),
        ]
        assert {i.command for i in mine.items if i.opportunity_id == gate and i.kind == "requirement"} >= {
            f"kam review approve {gate} --department finance"
        }
        rejected = next(i for i in mine.items if i.kind == "rejected-review")
        assert rejected.message.en == "legal (孙律) rejected contract review v1: 违约条款需修改"
        assert [(r.opportunity_id, r.departments_missing, list(r.rejected)) for r in queue] == [
            (gate, ["sales", "finance", "legal", "production"], ["legal"])
        ]
    finally:
        db.dispose()


def test_the_demo_shows_both_morning_agendas_and_writes_the_calendar(kam, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from icalendar import Calendar

    out = tmp_path / "demo-out"
    result = kam("demo", "--out", str(out), lang="zh")
    assert result.exit_code == 0, result.output[-2000:]
    assert "$ kam agenda --days 90 --ics 王磊的待办.ics --force\n王磊的待办：" in result.output
    assert "$ kam --actor 钱进 agenda --department finance\n钱进（财务部审批）的待办：" in result.output
    assert "合同 BTXD-2026-031 审核表 v1 待财务部审批" in result.output
    calendar = Calendar.from_ical((out / "王磊的待办.ics").read_bytes())
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert summaries[0] == "合同被驳回 4 包头鑫达汽车贸易有限公司" and all(e.walk("VALARM") for e in calendar.walk("VEVENT"))
    for name in ("回访计划.ics", "回访计划.xlsx", "待审批合同.xlsx", "商机.xlsx", "销售漏斗.xlsx"):
        assert (out / name).stat().st_size > 0, name


def test_the_roster_says_which_queue_a_reviewer_sees(kam, db: Database, process: Process, reviewed: int) -> None:  # type: ignore[no-untyped-def]
    from workflow.operations.roster import add_user

    assert kam.json("--actor", "孙律", "agenda")["items"] == []  # not on the roster: no department known
    with db.write() as s:
        add_user(s.connection(), process, "管理员", actor="管理员", role="admin")
        add_user(s.connection(), process, "孙律", actor="管理员", departments=["legal"], role="reviewer")
    out = kam.json("--actor", "孙律", "agenda")
    assert out["department"] == "legal"
    assert [(i["kind"], i["id"]) for i in out["items"]] == [("review", f"{reviewed}-REV-legal-v1")]


def test_review_pending_takes_a_department_as_its_label(kam) -> None:  # type: ignore[no-untyped-def]
    by_id = kam("--json", "review", "pending", "--department", "finance")
    by_label = kam("--json", "review", "pending", "--department", "财务部")
    assert by_label.exit_code == 0 and by_label.stdout == by_id.stdout

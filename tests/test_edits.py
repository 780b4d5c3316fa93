"""Editing what people really edit: an opportunity's title, owner, quantity, budget, expected close (issue 14)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from helpers import walk_to

from workflow.errors import ConcurrentChange, InvalidInput, Refused
from workflow.operations import moves, opportunities
from workflow.records import queries
from workflow.records.db import Database
from workflow.rules.process import Process
from workflow.views import audit as audit_view


def edit(db: Database, process: Process, opp_id: int, **changes):  # type: ignore[no-untyped-def]
    with db.write() as s:
        return opportunities.edit_opportunity(s, process, opp_id, actor="经理", **changes)


def test_an_edit_records_each_field_old_and_new(db: Database, process: Process, deal: int) -> None:
    changes = edit(db, process, deal, title="24 台牵引车", owner="李娜", quantity=24, budget=Decimal("9200000"), expected_close=dt.date(2027, 4, 30))
    assert changes == {
        "title": ["20 台牵引车", "24 台牵引车"],
        "owner": ["王磊", "李娜"],
        "quantity": [20, 24],
        "budget": [None, "9200000.00"],
        "expected_close": [None, "2027-04-30"],
    }
    with db.read() as s:
        opp = queries.state(s, deal)
        row = queries.opportunity_history(s, deal)[-1]
        assert audit_view.audit(s).ok
    assert (opp.title, opp.owner, opp.quantity, opp.budget, opp.expected_close) == ("24 台牵引车", "李娜", 24, Decimal("9200000.00"), dt.date(2027, 4, 30))
    assert (row.action, row.actor, row.detail) == ("edit", "经理", {"changes": changes})


def test_only_what_differs_is_recorded(db: Database, process: Process, deal: int) -> None:
    assert edit(db, process, deal, title="20 台牵引车", quantity=24) == {"quantity": [20, 24]}
    assert edit(db, process, deal, quantity=24) == {}  # the same value again: nothing written
    with db.read() as s:
        assert [e.action for e in queries.opportunity_history(s, deal)] == ["create", "edit"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "nothing to change: give at least one of --title, --owner, --quantity, --budget, --expected-close"),
        ({"title": "  "}, "title (标题) must not be empty"),
        ({"owner": ""}, "owner (--owner): the name is empty; write the name"),
        ({"quantity": 0}, "quantity must be a positive whole number, got 0"),
        ({"budget": Decimal("-1")}, 'budget (--budget): an amount cannot be negative (written "-1"); write it without the minus sign'),
    ],
)
def test_bad_edits_are_refused(db: Database, process: Process, deal: int, changes: dict, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        edit(db, process, deal, **changes)
    assert info.value.message.en == message
    with db.read() as s:
        assert [e.action for e in queries.opportunity_history(s, deal)] == ["create"]


def test_a_lost_deals_owner_does_not_change(db: Database, process: Process, deal: int) -> None:
    with db.write() as s:
        moves.lose(s, process, deal, reason="price", note=None, actor="王磊")
    with pytest.raises(Refused) as info:
        edit(db, process, deal, owner="李娜", title="新标题")
    assert info.value.message.en == f"opportunity {deal} is lost; its owner cannot change: kam opp reopen {deal} first to follow it up"
    assert info.value.message.zh == f"商机 {deal} 已丢单，不能更换负责人：如需继续跟进，先 kam opp reopen {deal}"
    with db.read() as s:
        assert (queries.state(s, deal).owner, queries.state(s, deal).title) == ("王磊", "20 台牵引车")  # nothing stored
    assert edit(db, process, deal, title="新标题") == {"title": ["20 台牵引车", "新标题"]}  # other fields still edit


def test_a_signed_deals_quantity_is_the_contracts(db: Database, process: Process, deal: int) -> None:
    walk_to(db, process, deal, "contract_maintenance")
    with pytest.raises(Refused) as info:
        edit(db, process, deal, quantity=20)
    assert info.value.message.en == f"opportunity {deal} is signed; its quantity is the contract's (30): to change it, run kam opp amend {deal} --reason R first"
    assert edit(db, process, deal, owner="李娜") == {"owner": ["王磊", "李娜"]}


def test_an_edit_on_a_version_someone_changed_is_refused(db: Database, process: Process, deal: int) -> None:
    with db.read() as s:
        seen = queries.state(s, deal).version
    edit(db, process, deal, title="A")
    with pytest.raises(ConcurrentChange):
        with db.write() as s:
            opportunities.edit_opportunity(s, process, deal, actor="b", expected_version=seen, title="B")


def test_the_cli_edits_and_the_history_shows_it(kam, deal: int) -> None:  # type: ignore[no-untyped-def]
    result = kam("opp", "edit", str(deal), "--owner", "李娜", "--budget", "9200000", "--expected-close", "2027-04-30")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"opportunity {deal} changed:",
        "  owner: 王磊 → 李娜",
        "  budget: — → 9200000.00",
        "  expected close: — → 2027-04-30",
    ]
    zh = kam("opp", "edit", str(deal), "--title", "24 台牵引车", lang="zh")
    assert zh.output.splitlines() == [f"商机 {deal} 已修改：", "  项目: 20 台牵引车 → 24 台牵引车"]
    history = kam("opp", "history", str(deal)).output
    assert "owner: 王磊 → 李娜; budget: — → 9200000.00; expected close: — → 2027-04-30" in history
    assert kam.json("opp", "edit", str(deal), "--quantity", "24") == {"id": deal, "changes": {"quantity": [20, 24]}}
    assert kam.json("opp", "show", str(deal))["quantity"] == 24
    bad = kam("opp", "edit", str(deal), "--budget", "lots")
    assert bad.exit_code == 1 and 'budget (--budget): "lots" is not an amount kam can read' in bad.output
    assert kam("opp", "edit", str(deal)).output.splitlines()[-1] == (
        "Error: nothing to change: give at least one of --title, --owner, --quantity, --budget, --expected-close"
    )


# -- contacts: list, edit, remove ------------------------------------------------------------------


def _account_of(db: Database, opp_id: int) -> int:
    with db.read() as s:
        return int(queries.state(s, opp_id).account_id)


def test_a_contact_edit_is_in_the_ledger_with_old_and_new(db: Database, deal: int) -> None:
    from workflow.operations import accounts

    account_id = _account_of(db, deal)
    with db.read() as s:
        contact_id = queries.list_contacts(s, account_id)[0].id
    with db.write() as s:
        changes = accounts.edit_contact(s, contact_id, actor="经理", title="副科长", stance="neutral", phone="")
    assert changes == {"title": ["科长", "副科长"], "stance": ["supporter", "neutral"]}  # phone was empty already
    with db.write() as s:
        assert accounts.edit_contact(s, contact_id, actor="经理", title="副科长") == {}
    with db.read() as s:
        rows = queries.ledger_history(s, "account", account_id)
        assert [r.action for r in rows] == ["create", "contact-add", "contact-edit"]
        assert (rows[-1].actor, rows[-1].detail["changes"]) == ("经理", changes)
        assert audit_view.audit(s).ok


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "nothing to change: give at least one of --name, --department, --title, --role, --influence, --stance, --phone"),
        ({"name": " "}, "name (姓名) must not be empty"),
        ({"stance": "friendly"}, "stance “friendly” is not valid; choose one of: supporter, neutral, opponent, unknown"),
    ],
)
def test_bad_contact_edits_are_refused(db: Database, deal: int, changes: dict, message: str) -> None:
    from workflow.operations import accounts

    with pytest.raises(InvalidInput) as info:
        with db.write() as s:
            accounts.edit_contact(s, 1, actor="经理", **changes)
    assert info.value.message.en == message


def test_a_removed_contact_is_hidden_and_kept(db: Database, process: Process, deal: int) -> None:
    from workflow.operations import accounts

    account_id = _account_of(db, deal)
    with db.write() as s:
        accounts.remove_contact(s, 1, actor="经理")
    with db.read() as s:
        assert queries.list_contacts(s, account_id) == []
        assert [c.name for c in queries.list_contacts(s, account_id, removed=True)] == ["张华"]
        assert queries.contact_count(s, account_id) == 0
        assert audit_view.audit(s).ok
        check = moves.check(s, process, deal)
    assert [m.code for m in check.missing] == ["account-contact"]  # a removed contact does not count
    with pytest.raises(InvalidInput) as info:
        with db.write() as s:
            accounts.remove_contact(s, 1, actor="经理")
    assert info.value.message.en.startswith("contact 1 (张华) was already removed on ")
    with pytest.raises(InvalidInput) as info:
        with db.write() as s:
            accounts.edit_contact(s, 1, actor="经理", title="x")
    assert info.value.message.en == "contact 1 (张华) was removed and cannot be edited"


def test_the_audit_names_a_removal_undone_outside_kam(db: Database, deal: int) -> None:
    from sqlalchemy import text

    from workflow.operations import accounts

    with db.write() as s:
        accounts.remove_contact(s, 1, actor="经理")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE contacts SET removed_at = NULL WHERE id = 1"))
    with db.read() as s:
        found = audit_view.audit(s).ledger_breaks
    assert [(b.entity, b.entity_id, b.problem) for b in found] == [("contact", 1, "changed")]


def test_the_cli_lists_edits_and_removes_contacts(kam, deal: int) -> None:  # type: ignore[no-untyped-def]
    assert kam("contact", "add", "1", "李阳", "--title", "总经理", "--influence", "high").exit_code == 0
    listing = kam("contact", "list", "1").output
    assert "张华" in listing and "李阳" in listing
    assert [c["name"] for c in kam.json("contact", "list", "1")] == ["张华", "李阳"]
    result = kam("contact", "edit", "2", "--title", "董事长", "--stance", "supporter")
    assert result.output.splitlines() == ["contact 2 changed:", "  title: 总经理 → 董事长", "  stance: — → supporter"]
    assert kam.json("contact", "edit", "2", "--phone", "13900000000") == {"id": 2, "changes": {"phone": [None, "13900000000"]}}
    removed = kam("contact", "remove", "2", lang="zh")
    assert removed.output.strip() == "已移除联系人 2：李阳（保留在历史中）"
    assert [c["name"] for c in kam.json("contact", "list", "1")] == ["张华"]
    assert [c["name"] for c in kam.json("contact", "list", "1", "--removed")] == ["张华", "李阳"]
    assert "李阳 (removed " in kam("contact", "list", "1", "--removed").output
    show = kam.json("account", "show", "1")
    assert [c["name"] for c in show["contacts"]] == ["张华"]
    assert [h["action"] for h in show["history"]] == ["create", "contact-add", "contact-add", "contact-edit", "contact-edit", "contact-remove"]
    text_show = kam("account", "show", "1").output
    assert "contact 2 李阳: title: 总经理 → 董事长; stance: — → supporter" in text_show
    assert "contact 2 李阳: removed" in text_show
    assert "联系人 2 李阳：已移除" in kam("account", "show", "1", lang="zh").output
    assert kam("contact", "remove", "9").output.splitlines()[-1] == "Error: contact 9 not found: see kam contact list ACCOUNT_ID"
    assert kam("contact", "list", "9").output.splitlines()[-1] == "Error: account 9 not found: see kam account list"

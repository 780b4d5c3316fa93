"""Relationship level and deal heat from the seed's checklists."""

from __future__ import annotations

import pytest

from workflow.errors import InvalidInput
from workflow.operations import ratings
from workflow.records import queries
from workflow.records.db import Database
from workflow.rules.ratings import HEAT, RELATIONSHIP
from workflow.views import audit as audit_view


def test_the_checklists_are_the_seeds() -> None:
    assert [len(c) for c in RELATIONSHIP.levels.values()] == [5, 5, 5, 4]
    assert [len(c) for c in HEAT.levels.values()] == [2, 4, 4, 2]
    assert RELATIONSHIP.criterion("4.4").text.zh == "标书（合同）中公司产品是唯一品牌（或唯一国产品牌）"
    assert HEAT.criterion("90.2").text.zh == "已与总包单位签订合同"


@pytest.mark.parametrize(
    ("ticked", "level"),
    [
        ([], None),
        (["1.1", "1.2"], None),  # 2 of 5: less than half
        (["1.1", "1.2", "1.3"], 1),  # 3 of 5
        (["1.1", "1.2", "1.3", "2.1", "2.2", "2.3"], 2),
        (["1.1", "1.2", "1.3", "3.1", "3.2", "3.3"], 1),  # level 3 needs level 2 first
        (["2.1", "2.2", "2.3", "2.4", "2.5"], None),  # and level 2 needs level 1
        (["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2"], 4),  # 2 of 4 is half
        (["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1"], 3),
    ],
)
def test_relationship_level_from_ticks(ticked: list[str], level: int | None) -> None:
    assert RELATIONSHIP.level(set(ticked)) == level


@pytest.mark.parametrize(
    ("ticked", "heat"),
    [
        ([], None),
        (["30.2"], 30),  # 1 of 2 is half
        (["30.1", "50.1"], 30),
        (["30.1", "50.1", "50.4"], 50),
        (["30.1", "50.1", "50.2", "70.1", "70.2", "90.1"], 90),
        (["50.1", "50.2", "70.1", "70.2"], None),
    ],
)
def test_heat_from_ticks(ticked: list[str], heat: int | None) -> None:
    assert HEAT.level(set(ticked)) == heat


def test_rating_stores_levels_dates_and_the_ticks_in_history(db: Database, deal: int) -> None:
    with db.write() as s:
        rating = ratings.rate(s, deal, actor="李经理", relationship=["1.1", "1.2", "1.3", "2.1", "2.2", "2.4"], heat=["30.1", "50.2", "50.1"])
    assert (rating.relationship_level, rating.heat) == (2, 50)
    assert rating.relationship_assessed_at is not None and rating.heat_assessed_at == rating.relationship_assessed_at
    with db.read() as s:
        opp = queries.get_opportunity(s, deal)
        last = queries.opportunity_history(s, deal)[-1]
        assert audit_view.audit(s).breaks == []
    assert (opp.relationship_level, opp.heat) == (2, 50)
    assert (last.action, last.actor) == ("rating", "李经理")
    assert last.detail == {
        "relationship": {"level": 2, "ticked": ["1.1", "1.2", "1.3", "2.1", "2.2", "2.4"]},
        "heat": {"level": 50, "ticked": ["30.1", "50.1", "50.2"]},
    }


def test_rating_one_scale_keeps_the_other(db: Database, deal: int) -> None:
    with db.write() as s:
        ratings.rate(s, deal, actor="李经理", relationship=["1.1", "1.2", "1.3"], heat=["30.1"])
    with db.write() as s:
        rating = ratings.rate(s, deal, actor="李经理", heat=["30.1", "50.1", "50.2"])
    assert (rating.relationship_level, rating.heat) == (1, 50)
    assert rating.ticked == {"relationship": ["1.1", "1.2", "1.3"], "heat": ["30.1", "50.1", "50.2"]}
    assert rating.heat_assessed_at > rating.relationship_assessed_at


def test_reassessing_with_nothing_ticked_clears_the_level(db: Database, deal: int) -> None:
    with db.write() as s:
        ratings.rate(s, deal, actor="李经理", heat=["30.1"])
    with db.write() as s:
        rating = ratings.rate(s, deal, actor="李经理", heat=[])
    assert rating.heat is None and rating.heat_assessed_at is not None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"relationship": ["1.6"]}, "the relationship level has no criterion 1.6; choose from: 1.1, 1.2"),
        ({"heat": ["40.1", "50.1"]}, "the deal heat has no criterion 40.1; choose from: 30.1, 30.2"),
        ({}, "tick at least one scale: --relationship or --heat"),
    ],
)
def test_bad_ticks_are_refused(db: Database, deal: int, kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidInput) as info, db.write() as s:
        ratings.rate(s, deal, actor="李经理", **kwargs)
    assert message in info.value.message.en


def test_rate_command(kam, deal: int) -> None:  # type: ignore[no-untyped-def]
    out = kam.json("opp", "rate", deal, "-r", "1.1,1.2", "-r", "1.3", "-H", "30.1")
    assert (out["relationship_level"], out["heat"]) == (1, 30)
    assert set(out) == {"id", "relationship_level", "relationship_assessed_at", "heat", "heat_assessed_at", "ticked"}
    listing = kam("opp", "rate", deal)
    assert "[x] 1.1" in listing.stdout and "[ ] 1.4" in listing.stdout and "[x] 30.1" in listing.stdout
    assert "Relationship level: 1 (assessed " in listing.stdout and "Deal heat: 30% (assessed " in listing.stdout
    show = kam("opp", "show", deal)
    assert "Relationship level: 1 (assessed " in show.stdout
    shown = kam.json("opp", "show", deal)
    assert shown["heat"] == 30 and shown["heat_assessed_at"].endswith("Z")
    bad = kam("opp", "rate", deal, "-H", "95.1")
    assert bad.exit_code == 1 and "Error: the deal heat has no criterion 95.1" in bad.stderr


def test_show_says_not_assessed(kam, deal: int) -> None:  # type: ignore[no-untyped-def]
    assert "Relationship level: not assessed  Deal heat: not assessed" in kam("opp", "show", deal).stdout

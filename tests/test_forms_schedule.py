"""The service plan's return-visit schedule: fortnightly for three months, then monthly."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import forms
from forms.kinds.service_plan import add_months, return_visit_dates

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2023-11-30", 3, "2024-02-29"),
        ("2024-11-30", 3, "2025-02-28"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2026-08-31", 1, "2026-09-30"),
        ("2026-05-10", 0, "2026-05-10"),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(D(start), months) == D(expected)


def test_schedule_from_the_first_of_the_month():
    # day 90 is exactly the 3-month mark (Apr 1), listed once
    assert return_visit_dates(D("2026-01-01")) == [
        D(x)
        for x in (
            "2026-01-16", "2026-01-31", "2026-02-15", "2026-03-02", "2026-03-17", "2026-04-01",
            "2026-05-01", "2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01",
            "2026-10-01", "2026-11-01", "2026-12-01", "2027-01-01",
        )
    ]


def test_schedule_from_a_month_end():
    # Jan 31: the 3-month mark clamps to Apr 30; later visits return to the 31st where it exists
    assert return_visit_dates(D("2027-01-31")) == [
        D(x)
        for x in (
            "2027-02-15", "2027-03-02", "2027-03-17", "2027-04-01", "2027-04-16", "2027-04-30",
            "2027-05-31", "2027-06-30", "2027-07-31", "2027-08-31", "2027-09-30",
            "2027-10-31", "2027-11-30", "2027-12-31", "2028-01-31",
        )
    ]


def test_schedule_across_a_leap_day():
    visits = return_visit_dates(D("2023-11-30"))
    # 2024-02-28 would be the day before the 3-month mark: the mark is the one visit (issue 14)
    assert visits[:7] == [
        D(x) for x in ("2023-12-15", "2023-12-30", "2024-01-14", "2024-01-29", "2024-02-13", "2024-02-29", "2024-03-30")
    ]
    assert visits[-1] == D("2024-11-30")


def test_schedule_from_a_leap_day():
    visits = return_visit_dates(D("2024-02-29"))
    assert visits[4:7] == [D("2024-05-14"), D("2024-05-29"), D("2024-06-29")]
    assert visits[-1] == D("2025-02-28")


def test_short_horizon():
    assert return_visit_dates(D("2026-01-01"), months=2) == [
        D("2026-01-16"), D("2026-01-31"), D("2026-02-15"), D("2026-03-01"),
    ]


def test_horizon_must_be_positive():
    with pytest.raises(ValueError):
        return_visit_dates(D("2026-01-01"), months=0)


@given(st.dates(min_value=D("2000-01-01"), max_value=D("2099-12-31")))
def test_schedule_shape(delivery):
    visits = return_visit_dates(delivery)
    mark = add_months(delivery, 3)
    assert visits[0] == delivery + dt.timedelta(days=15)
    assert visits == sorted(set(visits))
    fortnightly = [v for v in visits if v < mark]
    assert all((b - a).days == 15 for a, b in zip(fortnightly, fortnightly[1:], strict=False))
    assert 5 <= len(fortnightly) <= 6
    assert mark in visits
    assert all(1 <= (b - a).days <= 31 for a, b in zip(visits, visits[1:], strict=False))
    assert all((b - a).days > 7 for a, b in zip(visits, visits[1:], strict=False))  # never two in one week
    assert visits[-1] == add_months(delivery, 12)


def test_plan_exposes_the_schedule():
    from forms_fixtures import load

    plan = forms.validate("service-plan", load("service-plan"))
    assert plan.return_visits == return_visit_dates(D("2027-01-31"))
    assert plan.model_dump(mode="json")["return_visits"][0] == "2027-02-15"

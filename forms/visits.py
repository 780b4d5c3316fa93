"""Return-visit dates after delivery (pure dates: no pydantic, so `kam schedule` stays light).

Return visits (seed 001: 初期每半月一次，三个月后每月一次), precisely:

- the 3-month mark is the delivery date plus 3 calendar months (clamped to the month's end);
- fortnightly phase: delivery + 15, + 30, + 45 ... days, as long as the date is more than
  `MIN_GAP` (7 days) before the 3-month mark (so five or six visits): a fortnightly visit
  closer to the mark than that would be a second visit in the same week (delivery
  2027-04-20: 2027-07-19 beside the mark 2027-07-20), so the mark stands for both;
- monthly phase: delivery + 3, 4, ... `months` calendar months, on the delivery's day of
  the month, clamped to the month's end (Jan 31 → Apr 30, May 31, Jun 30 ...). It starts
  at the 3-month mark itself (a fortnightly visit on the mark, e.g. delivery Jan 1 → Apr 1,
  is that one visit), so no gap is longer than a month and none is 7 days or shorter. Each
  date is counted from the delivery date, never from the previous visit, so a short month
  does not pull later visits earlier.

For a 12-month horizon that is six fortnightly visits and ten (or nine) monthly ones.

A deal delivered in batches (`merged_visits`) gets each batch's visits merged so that the
customer never gets two return visits within 7 days of each other: in date order, a visit
within 7 days of the one kept before it is dropped (that earlier visit covers the batch).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

FORTNIGHT = dt.timedelta(days=15)
MIN_GAP = dt.timedelta(days=7)  # two return visits to one customer are never this close (or closer)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole calendar months, clamped to the end of the target month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def return_visit_dates(delivery_date: dt.date, months: int = 12) -> list[dt.date]:
    """Return-visit dates after delivery: every 15 days up to the 3-month mark, then monthly to `months`."""
    if months < 1:
        raise ValueError("months must be at least 1")
    mark = add_months(delivery_date, min(3, months))
    visits = []
    visit = delivery_date + FORTNIGHT
    while mark - visit > MIN_GAP:
        visits.append(visit)
        visit += FORTNIGHT
    visits.extend(add_months(delivery_date, m) for m in range(min(3, months), months + 1))
    return visits


def merged_visits(deliveries: Iterable[dt.date], months: int = 12) -> list[dt.date]:
    """The return visits of every delivery batch, merged: never two within `MIN_GAP` of each other."""
    every = sorted({visit for delivery in set(deliveries) for visit in return_visit_dates(delivery, months)})
    merged: list[dt.date] = []
    for visit in every:
        if not merged or visit - merged[-1] > MIN_GAP:
            merged.append(visit)
    return merged

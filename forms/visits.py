"""Return-visit dates after delivery (pure dates: no pydantic, so `kam schedule` stays light).

Return visits (seed 001: 初期每半月一次，三个月后每月一次), precisely:

- the 3-month mark is the delivery date plus 3 calendar months (clamped to the month's end);
- fortnightly phase: delivery + 15, + 30, + 45 ... days, as long as the date is on or
  before the 3-month mark (so about six visits);
- monthly phase: delivery + 3, 4, ... `months` calendar months, on the delivery's day of
  the month, clamped to the month's end (Jan 31 → Apr 30, May 31, Jun 30 ...). It starts
  at the 3-month mark itself (listed once if a fortnightly visit falls on it, e.g.
  delivery Jan 1 → Apr 1), so no gap is longer than a month. Each date is counted from
  the delivery date, never from the previous visit, so a short month does not pull
  later visits earlier.

For a 12-month horizon that is six fortnightly visits and ten (or nine) monthly ones.
"""

from __future__ import annotations

import calendar
import datetime as dt

FORTNIGHT = dt.timedelta(days=15)


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
    while visit <= mark:
        visits.append(visit)
        visit += FORTNIGHT
    for m in range(min(3, months), months + 1):
        monthly = add_months(delivery_date, m)
        if monthly not in visits:
            visits.append(monthly)
    return visits

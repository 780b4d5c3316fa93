"""Record follow-ups (return visits, training...) from kam schedule as done.

\b
Example:
  kam schedule
  kam followup done 12-RV-20270215 2027-02-16 --note "车辆运行正常" --found "2 台 DPF 报警"
"""

from __future__ import annotations

import datetime as dt

import click

from commands._common import Kam, KamGroupBase, pass_kam
from commands._values import DATE
from workflow.operations.followups import record_followup
from workflow.rules.plans import DEFAULT_MONTHS, MAX_MONTHS
from workflow.views.schedule import recorded


@click.group("followup", cls=KamGroupBase, help=__doc__)
def followup() -> None:
    pass


@followup.command("done")
@click.argument("followup_id")
@click.argument("done_on", type=DATE)
@click.option("--note", help="What was done (回访记录).")
@click.option("--found", help="What the visit found: problems, requests (发现的问题).")
@click.option(
    "--months",
    type=click.IntRange(1, MAX_MONTHS),
    default=DEFAULT_MONTHS,
    show_default=True,
    help="Horizon of the plan, as for kam schedule.",
)
@pass_kam
def followup_done(
    kam: Kam, followup_id: str, done_on: dt.date, note: str | None, found: str | None, months: int
) -> None:
    """Record a follow-up as done on DONE_ON (YYYY-MM-DD). --json prints the record.

    \b
    Example:
      kam followup done 12-RV-20270215 2027-02-16 --note "走访车管科" --found "驾驶员反映油耗偏高"
    """
    with kam.db.write() as session:
        record = record_followup(
            session, kam.process, followup_id, done_on, actor=kam.actor, note=note, found=found, months=months
        )
        data = recorded(record)
    kam.emit(
        data,
        lambda: kam.say(
            f"已登记 {data['id']} 于 {data['done_on']} 完成", f"recorded {data['id']} as done on {data['done_on']}"
        ),
    )


COMMAND = followup

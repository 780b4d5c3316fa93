"""Check that the record was not altered outside kam.

\b
Example:
  kam audit verify
"""

from __future__ import annotations

from typing import Any

import click

from commands._common import Kam, KamGroupBase, clean, pass_kam
from commands._usage import prefix
from workflow.views import audit as views


@click.group("audit", cls=KamGroupBase, help=__doc__)
def audit() -> None:
    pass


@audit.command("verify")
@pass_kam
def audit_verify(kam: Kam) -> None:
    """Recompute every history chain; exit 1 naming the first broken row of each opportunity.

    Catches history rows altered or deleted (also the last ones, or all of
    them), stages changed directly in the database, documents or sign-offs
    altered, deleted or added outside kam, accounts and contacts changed,
    added or deleted outside kam (their own history, the ledger), and derived data (last activity,
    stored follow-up plans) that no longer matches; `kam init --rebuild`
    recomputes the derived data. --json prints {"ok", "checked",
    "opportunities", "breaks": [{"opportunity", "seq", "problem", "detail", "message"}], "subjects",
    "ledger_breaks": [{"subject", "id", "seq", "problem", "entity", "entity_id", "detail", "message"}]}.

    \b
    Example:
      kam audit verify && echo intact
    """
    with kam.db.read() as session:
        result = views.audit(session)
    data: dict[str, Any] = {
        "ok": result.ok,
        "checked": result.checked,
        "opportunities": result.opportunities,
        "breaks": [
            {
                "opportunity": b.opportunity_id,
                "seq": b.seq,
                "problem": b.problem,
                "detail": b.detail,
                "message": b.message().render(kam.lang),
            }
            for b in result.breaks
        ],
        "subjects": result.subjects,
        "ledger_breaks": [
            {
                "subject": b.subject,
                "id": b.subject_id,
                "seq": b.seq,
                "problem": b.problem,
                "entity": b.entity,
                "entity_id": b.entity_id,
                "detail": b.detail,
                "message": b.message().render(kam.lang),
            }
            for b in result.ledger_breaks
        ],
    }

    def human() -> None:
        if result.ok:
            kam.say(
                f"历史完整：{result.opportunities} 个商机，{result.checked} 行历史，全部校验通过",
                f"history intact: {result.opportunities} opportunit{'y' if result.opportunities == 1 else 'ies'}, "
                f"{result.checked} history rows verified",
            )
            return
        broken = len(result.breaks) + len(result.ledger_breaks)
        click.echo(
            prefix(kam.lang)
            + kam.t(
                f"{broken} 项记录在 kam 之外被改动（共检查 {result.checked} 行）：",
                f"{broken} record{'' if broken == 1 else 's'} altered outside kam ({result.checked} rows checked):",
            )
            if result.ledger_breaks
            else prefix(kam.lang)
            + kam.t(
                f"{len(result.breaks)} 个商机的记录在 kam 之外被改动（共检查 {result.checked} 行）：",
                f"the record of {len(result.breaks)} opportunit{'y' if len(result.breaks) == 1 else 'ies'} was altered "
                f"outside kam ({result.checked} rows checked):",
            ),
            err=True,
        )
        for item in [*data["breaks"], *data["ledger_breaks"]]:
            click.echo(f"  - {clean(item['message'])}", err=True)

    kam.emit(data, human)
    if not result.ok:
        raise SystemExit(1)


COMMAND = audit

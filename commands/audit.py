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
from workflow.views import integrity


@click.group("audit", cls=KamGroupBase, help=__doc__)
def audit() -> None:
    pass


@audit.command("verify")
@click.option("--anchor", "anchors", multiple=True, metavar="LINE", help="A line kam audit anchor printed (repeat).")
@pass_kam
def audit_verify(kam: Kam, anchors: tuple[str, ...]) -> None:
    """Recompute every history chain; exit 1 naming the first broken row of each opportunity.

    Catches history rows altered or deleted (also the last ones, or all of
    them), stages changed directly in the database, documents or sign-offs
    altered, deleted or added outside kam, accounts and contacts changed,
    added or deleted outside kam (their own history, the ledger), and derived data (last activity,
    stored follow-up plans) that no longer matches; `kam init --rebuild`
    recomputes the derived data. --json prints {"ok", "checked",
    "opportunities", "breaks": [{"opportunity", "seq", "problem", "detail", "message"}], "subjects",
    "ledger_breaks": [{"subject", "id", "seq", "problem", "entity", "entity_id", "detail", "message"}],
    "signatures", "signature_problems": [{"opportunity", "department", "reviewer", "review_version", "code",
    "message"}], "anchors": [{"line", "ok", "message"}], "integrity": {"check", "ok", "problems", "message"},
    "forced_rebuilds": [{"at", "actor", "problems"}]}.

    First SQLite's own check of every page (PRAGMA integrity_check; quick_check over
    200 MB, and the output says which): a damaged file is refused (exit 1) before
    its history is read. On PostgreSQL the server checks its own pages.

    An opportunity's facts (owner, title, quantity, budget, signature, loss,
    ratings...) are replayed from its history and must be what it holds
    (problem "changed"); a last activity later than the newest row means the
    rows after it were deleted ("truncated"). Documents' authors and times and
    every render (its hash, path, who and when) are checked too. A forced
    rebuild (kam init --rebuild --force) is listed with who ran it and when.

    Signed sign-offs are checked against the key each reviewer had registered when
    signing, over the contract review as it is now. --anchor LINE (what kam audit anchor
    printed, kept outside the database) proves that no history up to it was rewritten.

    \b
    Example:
      kam audit verify && echo intact
      kam audit verify --anchor "kam-anchor v1 2026-12-01T10:00:00Z rows=553 head=3f0c… db=…"
    """
    with kam.db.read() as session:
        # the file's pages first: a damaged database is refused before its rows are trusted (issue 12)
        sound = integrity.require_intact(session.connection(), kam.db.url)
        result = views.audit(session, kam.process)
        anchored = [(line, views.anchor_problem(session.connection(), line)) for line in anchors]
        rebuilds = views.forced_rebuilds(session.connection())
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
        "signatures": result.signed,
        "signature_problems": [
            {
                "opportunity": i.opportunity_id,
                "department": i.department,
                "reviewer": i.reviewer,
                "review_version": i.review_version,
                "code": i.code,
                "message": i.message.render(kam.lang),
            }
            for i in result.signature_issues
        ],
        "anchors": [
            {"line": line, "ok": problem is None, "message": problem.render(kam.lang) if problem else None}
            for line, problem in anchored
        ],
        "integrity": integrity.as_json(sound, kam.lang),
        "forced_rebuilds": rebuilds,
    }
    ok = result.ok and all(problem is None for _, problem in anchored)

    def human() -> None:
        for r in rebuilds:
            kam.say(
                f"注意：{r['actor']} 于 {r['at']} 在审计未通过（{r['problems']} 处问题）时强制重建了派生数据"
                "（kam init --rebuild --force）",
                f"note: {r['actor']} forced a rebuild of the derived data over a failing audit ({r['problems']} "
                f"problem{'' if r['problems'] == 1 else 's'}) at {r['at']} (kam init --rebuild --force)",
            )
        if ok:
            signed_zh = f"，{result.signed} 个签名审批" if result.signed else ""
            signed_en = f", {result.signed} signed sign-off{'' if result.signed == 1 else 's'}" if result.signed else ""
            kam.say(
                f"历史完整：{result.opportunities} 个商机，{result.checked} 行历史{signed_zh}，全部校验通过",
                f"history intact: {result.opportunities} opportunit{'y' if result.opportunities == 1 else 'ies'}, "
                f"{result.checked} history rows{signed_en} verified",
            )
            kam.say(sound.describe().zh, sound.describe().en)
            for line, _ in anchored:
                kam.say(f"锚点成立：{line.strip()}", f"anchor holds: {line.strip()}")
            return
        if result.ok:  # only an anchor fails
            click.echo(prefix(kam.lang) + kam.t("历史与锚点不符：", "the history does not hold an anchor:"), err=True)
            for _, problem in anchored:
                if problem is not None:
                    click.echo(f"  - {clean(problem.render(kam.lang))}", err=True)
            return
        broken = len(result.breaks) + len(result.ledger_breaks) + len(result.signature_issues)
        click.echo(
            prefix(kam.lang)
            + kam.t(
                f"{broken} 项记录在 kam 之外被改动（共检查 {result.checked} 行）：",
                f"{broken} record{'' if broken == 1 else 's'} altered outside kam ({result.checked} rows checked):",
            )
            if result.ledger_breaks or result.signature_issues
            else prefix(kam.lang)
            + kam.t(
                f"{len(result.breaks)} 个商机的记录在 kam 之外被改动（共检查 {result.checked} 行）：",
                f"the record of {len(result.breaks)} opportunit{'y' if len(result.breaks) == 1 else 'ies'} was altered "
                f"outside kam ({result.checked} rows checked):",
            ),
            err=True,
        )
        for item in [*data["breaks"], *data["ledger_breaks"], *data["signature_problems"]]:
            click.echo(f"  - {clean(item['message'])}", err=True)
        for item in data["anchors"]:
            if not item["ok"]:
                click.echo(f"  - {clean(item['message'])}", err=True)

    kam.emit(data, human)
    if not ok:
        raise SystemExit(1)


@audit.command("anchor")
@pass_kam
def audit_anchor(kam: Kam) -> None:
    """Print the history's head as one line to keep outside the database (an e-mail, a ticket).

    Later, kam audit verify --anchor LINE proves that no history up to that line was
    rewritten, even by someone who holds the database and recomputes the hash chain.
    On PostgreSQL it briefly locks the history (run it as a role that may: the owner).
    --json prints {"anchor"}.

    \b
    Example:
      kam audit anchor | mail -s "kam anchor" audit@example.com
    """
    with kam.db.read() as session:
        line = views.anchor(session.connection())
    kam.emit({"anchor": line}, lambda: click.echo(line))


COMMAND = audit

"""Create or upgrade the database.

--json prints {"url", "from", "to"}, plus "rebuilt": {"opportunities",
"planned_followups", "money", "forced"} with --rebuild.

--rebuild refuses to run over a database whose kam audit verify finds
more than derived data out of step (it would erase the evidence of a change
made outside kam); --force runs it anyway and records in the history who
ran it, when, and what the audit said ("forced": how many problems).

\b
Example:
  kam init
  kam --db postgresql+psycopg://kam@db.example/kam init
  kam init --rebuild
"""

from __future__ import annotations

from typing import Any

import click

from commands._common import Kam, KamCommand, pass_kam
from workflow.operations.derived import rebuild_checked
from workflow.records.db import display_url


@click.command("init", cls=KamCommand, help=__doc__)
@click.option(
    "--rebuild",
    is_flag=True,
    help="Also recompute the derived data (last activity, stored follow-up plans), "
    "e.g. after kam audit verify names a mismatch.",
)
@click.option("--force", is_flag=True, help="With --rebuild: rebuild even over a failing audit (recorded).")
@pass_kam
def init(kam: Kam, rebuild: bool, force: bool) -> None:
    if force and not rebuild:
        raise click.UsageError(kam.t("--force 只能与 --rebuild 一起使用", "--force goes with --rebuild"))
    kam.db.create_folders = True  # the one command that may create a new database where nothing was
    before, after = kam.db.upgrade()
    data: dict[str, Any] = {"url": display_url(kam.db.url), "from": before, "to": after}
    if rebuild:
        with kam.db.write() as session:  # all or nothing
            data["rebuilt"] = rebuild_checked(session.connection(), actor=kam.actor, force=force)
    kam.emit(data, lambda: _say_init(kam, data))


def _say_init(kam: Kam, data: dict[str, Any]) -> None:
    before, after, url = data["from"], data["to"], data["url"]
    if before == after:
        kam.say(f"数据库已是最新（{after}）：{url}", f"database is up to date ({after}): {url}")
    elif before is None:
        kam.say(f"已创建数据库（{after}）：{url}", f"created database ({after}): {url}")
    else:
        kam.say(f"已升级数据库 {before} → {after}：{url}", f"upgraded database {before} → {after}: {url}")
    if "rebuilt" in data:
        n = data["rebuilt"]
        kam.say(
            f"已重建 {n['opportunities']} 个商机的最近活动时间、{n['planned_followups']} 条回访计划",
            f"rebuilt the last activity of {n['opportunities']} opportunities and {n['planned_followups']} planned "
            "follow-ups",
        )
        if n["forced"]:
            kam.say(
                f"已按 --force 在审计未通过（{n['forced']} 处问题）的情况下重建，并记入历史",
                f"rebuilt with --force over a failing audit ({n['forced']} problem{'' if n['forced'] == 1 else 's'}); "
                "recorded in the history",
            )


COMMAND = init

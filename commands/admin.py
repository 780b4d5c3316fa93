"""kam init, kam demo: the database itself and the guided tour."""

from __future__ import annotations

import click

from commands._common import Kam, KamCommand, pass_kam


@click.command("init", cls=KamCommand)
@click.option("--rebuild", is_flag=True, help="Also recompute the derived data (last activity, stored follow-up plans), e.g. after kam audit verify names a mismatch.")
@pass_kam
def init(kam: Kam, rebuild: bool) -> None:
    """Create or upgrade the database.

    --json prints {"url", "from", "to"}, plus "rebuilt": {"opportunities",
    "planned_followups"} with --rebuild.

    \b
    Example:
      kam init
      kam --db postgresql+psycopg://kam@db.example/kam init
      kam init --rebuild
    """
    from workflow.db import display_url

    before, after = kam.db.upgrade()
    data: dict = {"url": display_url(kam.db.url), "from": before, "to": after}
    if rebuild:
        from workflow.history import rebuild_derived

        with kam.db.write() as session:  # all or nothing
            data["rebuilt"] = rebuild_derived(session.connection())
    kam.emit(data, lambda: _say_init(kam, data))


def _say_init(kam: Kam, data: dict) -> None:
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
            f"rebuilt the last activity of {n['opportunities']} opportunities and {n['planned_followups']} planned follow-ups",
        )


@click.command("demo", cls=KamCommand)
@click.option("--out", "out_dir", default="kam-demo", show_default=True, type=click.Path(file_okay=False), help="Folder for the demo database and documents.")
@pass_kam
def demo(kam: Kam, out_dir: str) -> None:
    """A realistic end-to-end run on a fresh embedded database.

    \b
    Example:
      kam demo --out /tmp/kam-demo
    """
    from commands._common import end_of_start_up
    from commands._demo import run_demo

    end_of_start_up()  # the demo opens its own databases, never kam.db
    run_demo(out_dir, lang=kam.lang, actor=kam.actor)


COMMANDS = [init, demo]

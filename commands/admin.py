"""kam init, kam demo: the database itself and the guided tour."""

from __future__ import annotations

import click

from commands._common import Kam, KamCommand, pass_kam


@click.command("init", cls=KamCommand)
@pass_kam
def init(kam: Kam) -> None:
    """Create or upgrade the database.

    \b
    Example:
      kam init
      kam --db postgresql+psycopg://kam@db.example/kam init
    """
    from workflow.db import display_url

    before, after = kam.db.upgrade()
    url = display_url(kam.db.url)
    data = {"url": url, "from": before, "to": after}
    if before == after:
        kam.emit(data, lambda: kam.say(f"数据库已是最新（{after}）：{url}", f"database is up to date ({after}): {url}"))
    elif before is None:
        kam.emit(data, lambda: kam.say(f"已创建数据库（{after}）：{url}", f"created database ({after}): {url}"))
    else:
        kam.emit(data, lambda: kam.say(f"已升级数据库 {before} → {after}：{url}", f"upgraded database {before} → {after}: {url}"))


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

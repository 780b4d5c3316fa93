"""A realistic end-to-end run on a fresh embedded database.

\b
Example:
  kam demo --out /tmp/kam-demo
"""

from __future__ import annotations

import click

from commands._common import Kam, KamCommand, pass_kam
from commands._demo import run_demo


@click.command("demo", cls=KamCommand, help=__doc__)
@click.option(
    "--out",
    "out_dir",
    default="kam-demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the demo database and documents.",
)
@pass_kam
def demo(kam: Kam, out_dir: str) -> None:
    run_demo(click.get_current_context().find_root().command, out_dir, lang=kam.lang, actor=kam.actor)


COMMAND = demo

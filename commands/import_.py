"""Load a kam export into an empty database (ids, history and hashes kept; all or nothing).

\b
Example:
  kam --db /srv/kam/new.sqlite3 import backup.json
  kam --db new.sqlite3 audit verify
"""

from __future__ import annotations

import click

from commands._common import Kam, KamCommand, pass_kam
from workflow.operations.exchange import import_data, load_file


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items())


@click.command("import", cls=KamCommand, help=__doc__)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_kam
def import_(kam: Kam, file: str) -> None:
    data = load_file(file)
    with kam.db.write() as session:
        counts = import_data(session, data)
    kam.emit(
        {"file": file, "counts": counts},
        lambda: kam.say(f"已从 {file} 导入：{_counts(counts)}", f"imported from {file}: {_counts(counts)}"),
    )


COMMAND = import_

"""Write everything (accounts, contacts, opportunities, all document versions,
history, sign-offs, follow-ups) to one JSON file.

\b
Example:
  kam export backup.json
  kam --db new.sqlite3 import backup.json
"""

from __future__ import annotations

import click

from commands._common import Kam, KamCommand, output_path, pass_kam
from workflow.operations.exchange import export_file


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items())


@click.command("export", cls=KamCommand, help=__doc__)
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@pass_kam
def export(kam: Kam, file: str, force: bool) -> None:
    output_path(file, force)
    with kam.db.read() as session:
        counts = export_file(session, file)
    kam.emit(
        {"file": file, "counts": counts},
        lambda: kam.say(f"已导出到 {file}：{_counts(counts)}", f"exported to {file}: {_counts(counts)}"),
    )


COMMAND = export

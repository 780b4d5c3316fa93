"""kam export / kam import : the whole database in one JSON file, and back."""

from __future__ import annotations

import click

from commands._common import Kam, KamCommand, output_path, pass_kam


def _counts(kam: Kam, counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items())


@click.command("export", cls=KamCommand)
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@pass_kam
def export(kam: Kam, file: str, force: bool) -> None:
    """Write everything (accounts, contacts, opportunities, all document versions,
    history, sign-offs, follow-ups) to one JSON file.

    \b
    Example:
      kam export backup.json
      kam --db new.sqlite3 import backup.json
    """
    from workflow.exchange import export_file

    output_path(file, force)
    with kam.db.read() as session:
        counts = export_file(session, file)
    kam.emit({"file": file, "counts": counts}, lambda: kam.say(f"已导出到 {file}：{_counts(kam, counts)}", f"exported to {file}: {_counts(kam, counts)}"))


@click.command("import", cls=KamCommand)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_kam
def import_(kam: Kam, file: str) -> None:
    """Load a kam export into an empty database (ids, history and hashes kept; all or nothing).

    \b
    Example:
      kam --db /srv/kam/new.sqlite3 import backup.json
      kam --db new.sqlite3 audit verify
    """
    from workflow.exchange import import_data, load_file

    data = load_file(file)
    with kam.db.write() as session:
        counts = import_data(session, data)
    kam.emit({"file": file, "counts": counts}, lambda: kam.say(f"已从 {file} 导入：{_counts(kam, counts)}", f"imported from {file}: {_counts(kam, counts)}"))


COMMANDS = [export, import_]

"""The command groups of `kam`: one module per top-level command, named after it.

`kam opp` is `commands/opp.py`; a command named by a Python keyword gets a
trailing underscore (`kam import` is `commands/import_.py`). Each module's
docstring is its command's help (`help=__doc__`), and the module ends with
`COMMAND = <the click command>`. `cli.KamGroup` finds the commands by listing
this folder and imports a module only to run its command (or show its own
help); `kam --help` lists each with the first line of its module's docstring,
read from the file without importing it. Shared helpers live in underscore
modules (`_common`, `_table`, `_demo`); a command module never imports another
one (an import-linter contract holds this).
"""

from __future__ import annotations

import importlib
import keyword
import os
from pathlib import Path

import click

HERE = Path(__file__).parent


def names() -> list[str]:
    """Every top-level command, from the module files (none is imported)."""
    files = (entry.name for entry in os.scandir(HERE) if entry.name.endswith(".py") and not entry.name.startswith("_"))
    return sorted(name[:-3].removesuffix("_") for name in files)


def module_name(command: str) -> str:
    return f"{command}_" if keyword.iskeyword(command) else command


def summary(command: str) -> str:
    """The first paragraph of the command module's docstring: what `kam --help` lists for it."""
    lines = []
    with open(HERE / f"{module_name(command)}.py", encoding="utf-8") as source:
        for number, line in enumerate(source):
            text = line.strip().removeprefix('"""') if number == 0 else line.strip()
            ends = text.endswith('"""')
            text = text.removesuffix('"""').strip()
            if not text:
                break
            lines.append(text)
            if ends:
                break
    return " ".join(lines)


def load(command: str) -> click.Command | None:
    """The top-level command `command`, or None if there is none."""
    if command not in names():
        return None
    found: click.Command = importlib.import_module(f"{__name__}.{module_name(command)}").COMMAND
    return found

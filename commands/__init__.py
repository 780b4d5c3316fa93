"""The command groups of `kam`, one module per group; `cli.py` registers them.

Each module exposes COMMANDS (its top-level commands) and imports the core only
inside its commands. A module may also add subcommands to another module's
group (e.g. `@opp.command("rate")`); importing it is enough.
"""

from __future__ import annotations

import importlib
import pkgutil

import click


def discover() -> list[click.Command]:
    """Import every command module (names not starting with "_") and collect its COMMANDS."""
    found: list[click.Command] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.extend(getattr(module, "COMMANDS", []))
    return found

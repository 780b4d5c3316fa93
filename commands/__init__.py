"""The command groups of `kam`, one module per group; `cli.py` registers them.

Each module exposes COMMANDS (its top-level commands) and imports the core only
inside its commands. A module may also add subcommands to another module's
group (e.g. `@opp.command("rate")`); importing it is enough.

Only the modules of the command being run are imported: `INDEX` says, for
each top-level command, which modules define it (the first) or add to it.
`kam --help` still imports them all, to list them. A test checks the index
against importing every module, so a new module cannot be forgotten silently.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

INDEX: dict[str, tuple[str, ...]] = {
    "account": ("accounts", "account_import"),
    "audit": ("audit",),
    "backup": ("backup",),
    "compliance": ("compliance",),
    "contact": ("accounts",),
    "demo": ("admin",),
    "doc": ("documents", "render"),
    "doctor": ("render",),
    "export": ("exchange",),
    "followup": ("schedule",),
    "import": ("exchange",),
    "init": ("admin",),
    "opp": ("opportunities", "ratings"),
    "report": ("report",),
    "review": ("compliance",),
    "schedule": ("schedule",),
    "workflow": ("process",),
}


def load(name: str) -> click.Command | None:
    """The top-level command `name`, with every subcommand any module adds to it; None if unknown."""
    modules = [importlib.import_module(f"{__name__}.{module}") for module in INDEX.get(name, ())]
    for module in modules:
        for command in getattr(module, "COMMANDS", []):
            if command.name == name:
                return command
    return None


def modules() -> list[str]:
    """Every command module (names not starting with "_")."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))


def discover() -> list[click.Command]:
    """Import every command module and collect its COMMANDS (what `INDEX` must agree with)."""
    found: list[click.Command] = []
    for name in modules():
        found.extend(getattr(importlib.import_module(f"{__name__}.{name}"), "COMMANDS", []))
    return found

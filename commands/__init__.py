"""The command groups of `kam`, one module per group; `cli.py` registers them.

Each module exposes COMMANDS (its top-level commands) and imports the core only
inside its commands. A module may also add subcommands to another module's
group (e.g. `@opp.command("rate")`); importing it is enough.

Only the modules of the command being run are imported: `INDEX` says, for
each top-level command, which modules define it (the first) or add to it.
`kam --help` lists them from `SUMMARY` without importing any. Tests check the
index against importing every module and the summaries against the help
texts, so a new module or an edited docstring cannot be forgotten silently.
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


# The first line of each command's help, so `kam --help` lists them without importing sixteen
# modules (a test holds these to the commands' own help texts).
SUMMARY: dict[str, str] = {
    "account": "Customers (客户): add, list, show, edit.",
    "audit": "Check that the record was not altered outside kam.",
    "backup": "Copy the SQLite database while it is in use, then check the copy's history.",
    "compliance": "The contract review (合同审核) rule by rule, pass or fail with the reason; exit 0 when all pass, else 1.",
    "contact": "People at a customer (联系人) and their part in the decision chain.",
    "demo": "A realistic end-to-end run on a fresh embedded database.",
    "doc": "Stage documents (输出物): template, fill, list, show, diff, render.",
    "doctor": "Check fonts, the PDF subsetter and the database; say what is missing and how to fix it.",
    "export": "Write everything (accounts, contacts, opportunities, all document versions, history, sign-offs, follow-ups) to one JSON file.",
    "followup": "Record follow-ups (return visits, training...) from kam schedule as done.",
    "import": "Load a kam export into an empty database (ids, history and hashes kept; all or nothing).",
    "init": "Create or upgrade the database.",
    "opp": "Opportunities (商机/项目): open, inspect, move through the stages.",
    "report": "Management reports.",
    "review": "Departmental sign-offs (会签) on the latest contract review.",
    "schedule": "Due and overdue follow-ups across all accounts (return visits, training, meetings, holiday visits).",
    "workflow": "The process kam enforces (built-in six steps, or --process FILE).",
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

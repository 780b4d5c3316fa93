"""What `kam user list/add/edit/disable/key` print: each roster entry as plain data (text and --json read it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from forms.choices import USER_ROLE
from workflow.records import roster
from workflow.rules.process import Process


def user_view(connection: Connection, process: Process, user: roster.User, lang: str = "zh") -> dict[str, Any]:
    """One entry: `--json` of every `kam user` command."""
    return {
        "id": user.id,
        "name": user.name,
        "departments": list(user.departments),
        "department_labels": [process.department_label(d, lang) for d in user.departments],
        "role": user.role,
        "role_label": USER_ROLE.label(user.role, lang),
        "login": user.login,
        "email": user.email,
        "enabled": user.enabled,
        "keys": [
            {"fingerprint": k.fingerprint, "registered_at": k.created_at} for k in roster.keys(connection, user.id)
        ],
    }


def roster_view(connection: Connection, process: Process, lang: str = "zh") -> list[dict[str, Any]]:
    """Everyone on the roster, in the order they were added (`kam user list`)."""
    return [user_view(connection, process, user, lang) for user in roster.users(connection)]

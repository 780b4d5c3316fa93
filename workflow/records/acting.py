"""Who writes the history row: the person acted for, and the admin who recorded it on their behalf (issue 13).

On a PostgreSQL team server the actor is the roster person whose `--login` is the
connected role; only a roster admin may act for someone else (`--actor 钱进`), and then
every history and ledger row of that command names both: ``钱进 (由 刘总 代录)``. The
command line sets the recorder once per invocation (`recording_for`); `records.chain` and
`records.ledger` spell the row's actor with `history_actor`, so no operation needs to know.
"""

from __future__ import annotations

from contextvars import ContextVar

_recorded_by: ContextVar[str | None] = ContextVar("kam_recorded_by", default=None)


def recording_for(recorder: str | None) -> None:
    """From now on (in this context) rows are recorded by `recorder` on the actor's behalf; None: by the actor."""
    _recorded_by.set(recorder)


def recorder() -> str | None:
    return _recorded_by.get()


def history_actor(actor: str) -> str:
    """The actor as a history row names them: `钱进`, or `钱进 (由 刘总 代录)` when an admin records for them."""
    by = _recorded_by.get()
    return actor if by is None or by == actor else f"{actor} (由 {by} 代录)"


def acted_for(history: str) -> str:
    """The person a history row's actor names (`history_actor` undone): `钱进` for `钱进 (由 刘总 代录)`.

    The audit compares it with what the row kam wrote beside the history row holds (a document's author).
    """
    head, sep, tail = history.rpartition(" (由 ")
    return head if sep and tail.endswith(" 代录)") else history

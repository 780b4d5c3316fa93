"""Every refusal the test suite provokes, checked for Python talking (issue 16).

A message that shows `True`, `None`, `['a', 'b']` or `{'x': 1}` is Python's repr of a value
leaking to a user who never wrote it. `conftest.py` calls `watch()` when the suite starts: from
then on every `KamError` raised anywhere (its message and details, so every field problem of
a refused document) and every usage error kam shows is recorded; at the end of the session
`leaks()` lists each recorded message holding a repr, and the session fails if there is one.
`tests/test_messages.py` holds the same rule for the message catalogues.

What a person typed is quoted in kam's messages (「…」, “…” or "…") and may hold anything,
`None` included: quoted text is not inspected.
"""

from __future__ import annotations

import re
from typing import Any

# Python's reprs: the constants, empty or quoted-item containers, sets, and objects without a __str__.
REPR = re.compile(
    r"\b(?:True|False|None)\b"
    r"|(?<![\w\])])\[(?:\]|'|\d+, )"  # [] ['a'] [1, 2]; a key path's [0] is no repr
    r"|\{(?:\}|')"
    r"|\b(?:set|frozenset|dict|list|tuple)\(|<[\w.]+ object at 0x|\bdatetime\.(?:date|datetime)\("
)
_QUOTED = re.compile(r"「[^」]*」|“[^”]*”|\"[^\"]*\"|'[^'\s]'")  # and one character quoted: a '[' is not closed

_seen: dict[str, str] = {}  # message -> where it was first seen (the exception's class)


def leak(text: str) -> str | None:
    """The repr in `text`, outside what it quotes, if there is one."""
    found = REPR.search(_QUOTED.sub("「」", text))
    return found.group() if found else None


def _record(text: str, where: str) -> None:
    if text and text not in _seen:
        _seen[text] = where


def watch() -> None:
    """Record every refusal from now on (the suite's whole run)."""
    from commands import _usage
    from workflow.errors import KamError

    original = KamError.__init__

    def recording(self: KamError, message: Any, details: Any = None) -> None:
        original(self, message, details)
        for text in (self.message, *self.details):
            _record(getattr(text, "zh", ""), type(self).__name__)
            _record(getattr(text, "en", ""), type(self).__name__)

    KamError.__init__ = recording  # type: ignore[method-assign]

    shown = _usage.UsageError.__init__

    def recording_usage(self: Any, message: str, ctx: Any, lang: str) -> None:
        shown(self, message, ctx, lang)
        _record(message, "UsageError")

    _usage.UsageError.__init__ = recording_usage  # type: ignore[method-assign]


def leaks() -> list[str]:
    """Every recorded refusal holding a repr, with the repr and the kind of error."""
    return [f"{where}: {leak(text)!s} in {text}" for text, where in _seen.items() if leak(text)]


def recorded() -> int:
    return len(_seen)

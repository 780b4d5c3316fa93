"""Checks of single values a user types (names, texts, counts, choices): pure, each refusal naming the field."""

from __future__ import annotations

from forms.choices import Choice
from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.values.writing import as_written, safe_text

MAX_TEXT = 10_000


def choice(name: str, value: str | None, enum: Choice) -> str | None:
    """`value` if it is one of `enum`'s values (or None)."""
    if value is not None and value not in enum.values:
        options = ", ".join(map(str, enum.values))
        raise InvalidInput(
            t(
                f"{name} 取值「{as_written(value)}」无效；可选：{options}",
                f"{name} “{as_written(value)}” is not valid; choose one of: {options}",
            )
        )
    return value


def text(name: str, value: str | None, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    """`value` stripped; None when blank; refused when required and blank, longer than `limit`, or holding a control
    or bidirectional character (`writing.safe_text`: the one rule every typed text follows)."""
    if value is not None:
        value = safe_text(name, value.strip())
    if required and not value:
        raise InvalidInput(t(f"{name} 不能为空", f"{name} must not be empty"))
    if value and len(value) > limit:
        raise InvalidInput(t(f"{name} 过长（最多 {limit} 字）", f"{name} is too long (at most {limit} characters)"))
    return value or None


def required_text(name: str, value: str | None, *, limit: int = MAX_TEXT) -> str:
    """`value` stripped; refused when blank."""
    checked = text(name, value, required=True, limit=limit)
    assert checked is not None
    return checked


def count(name: str, value: int | None, *, zero_ok: bool = True) -> int | None:
    """A whole number of things: never negative, and positive unless `zero_ok`."""
    if value is not None and (value < 0 or (value == 0 and not zero_ok)):
        kind_zh, kind_en = ("非负", "non-negative") if zero_ok else ("正", "positive")
        raise InvalidInput(
            t(f"{name} 须为{kind_zh}整数，收到 {value}", f"{name} must be a {kind_en} whole number, got {value}")
        )
    return value

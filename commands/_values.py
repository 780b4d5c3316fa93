"""Option and argument types that read values as people type them (issue 16).

    ChoiceType(choice)   an enum of `forms.choices`: its key, its Chinese or English label, or a short
                         form (`--influence 高`, `--type 政府`, `--class A类`); the command gets the key
                         (with `blank=True` an empty value passes as "": an edit that clears it)
    DATE                 a date as people write it (`workflow.values.dates`): 2027-03-31, 2027/3/31,
                         2027.3.31, 2027年3月31日; the command gets a `datetime.date`

A value neither can read is a usage error (exit 2) in the language of the invocation, saying
what was typed and what may be: every allowed value with its label, the date forms, or
没有这一天 for a date that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from commands._usage import language
from forms.choices import Choice
from workflow.errors import InvalidInput
from workflow.values.dates import parse_date


def _reason(exc: InvalidInput) -> str:
    """A refusal made for an unnamed field, without its leading "：" / ": " (click names the option)."""
    return exc.message.render(language()).removeprefix("：").removeprefix(": ")


class ChoiceType(click.ParamType):
    """One enum of `forms.choices`, typed as its key or any of its labels; converts to the key."""

    def __init__(self, choice: Choice, *, blank: bool = False) -> None:
        self.choice = choice
        self.name = choice.name
        self.blank = blank  # "" passes as "" (an edit that clears the value)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(str(v) for v in self.choice.values) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if self.blank and value == "":
            return value
        found = self.choice.key(value)
        if found is None:
            self.fail(_reason(self.choice.refusal(value, "")), param, ctx)
        return found

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [
            CompletionItem(str(v), help=self.choice.label(v, language()))
            for v in self.choice.values
            if str(v).startswith(incomplete)
        ]


class DateType(click.ParamType):
    """A date as people write it; converts to a `datetime.date`."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(value, "")
        except InvalidInput as exc:
            self.fail(_reason(exc), param, ctx)


DATE = DateType()

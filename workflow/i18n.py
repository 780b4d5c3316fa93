"""Bilingual text: every user-facing message is written once in Chinese and English (value labels: `forms.choices`)."""

from __future__ import annotations

from typing import NamedTuple


class Text(NamedTuple):
    zh: str
    en: str

    def render(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def format(self, **values: object) -> Text:
        return Text(self.zh.format(**values), self.en.format(**values))


def t(zh: str, en: str) -> Text:
    return Text(zh, en)

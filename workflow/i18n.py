"""Bilingual text: every user-facing message is written once in Chinese and English."""

from __future__ import annotations

from typing import NamedTuple

LANGS = ("zh", "en")


class Text(NamedTuple):
    zh: str
    en: str

    def render(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def format(self, **values: object) -> Text:  # type: ignore[override]
        return Text(self.zh.format(**values), self.en.format(**values))


def t(zh: str, en: str) -> Text:
    return Text(zh, en)


# Labels for the values that account and opportunity fields take (SPEC §5).
VALUE_LABELS: dict[str, Text] = {
    "government": t("政府客户", "government"),
    "enterprise": t("企业客户", "enterprise"),
    "individual": t("个人/个体", "individual"),
    "large": t("大型", "large"),
    "medium": t("中型", "medium"),
    "small": t("小型", "small"),
    "A": t("A 类（战略客户）", "A (strategic)"),
    "B": t("B 类（重点客户）", "B (key)"),
    "C": t("C 类（一般客户）", "C (general)"),
    "local": t("本地市场", "local"),
    "domestic": t("国内市场", "domestic"),
    "international": t("国际市场", "international"),
    "price": t("价格", "price"),
    "product": t("产品", "product"),
    "service": t("服务", "service"),
    "competitor": t("竞争对手", "competitor"),
    "no-budget": t("无预算", "no budget"),
    "other": t("其他", "other"),
    "lost": t("已丢单", "lost"),
    "high": t("高", "high"),
    "low": t("低", "low"),
    "supporter": t("支持者", "supporter"),
    "neutral": t("中立者", "neutral"),
    "opponent": t("反对者", "opponent"),
    "unknown": t("不清楚", "unknown"),
}


def value_label(value: str | None, lang: str = "zh") -> str:
    if value is None:
        return ""
    text = VALUE_LABELS.get(value)
    return text.render(lang) if text else value

"""Every enum a user reads, once: its values (the `Literal` the schemas use) and their labels.

Labels are keyed by the enum, not by the bare value: an influence "medium" is 中,
an account size "medium" is 中型. The schemas annotate a field with one of the
types below; the template, the prompts, the PDFs, the account commands and the
compliance rules all read the labels from here (`Choice.label`, `of`).
Importing this module loads no pydantic.
"""

from __future__ import annotations

import typing
from typing import Any, Literal

from workflow.i18n import Text, t

Level = Literal["high", "medium", "low"]
Stance = Literal["supporter", "neutral", "opponent", "unknown"]
DecisionRole = Literal["decider", "manager", "executor"]
PaymentMethod = Literal["full", "loan"]
PaymentTiming = Literal["before_dispatch", "after_registration"]
AccountType = Literal["government", "enterprise", "individual"]
AccountSize = Literal["large", "medium", "small"]
AccountClass = Literal["A", "B", "C"]
Market = Literal["local", "domestic", "international"]
LostReason = Literal["price", "product", "service", "competitor", "no-budget", "other"]
RelationshipLevel = Literal[1, 2, 3, 4]
Risk = Literal["safe", "watch", "alarm"]
Decision = Literal["approve", "reject"]


class Choice:
    """One enum: its values in order and the label of each."""

    def __init__(self, name: str, values: Any, labels: tuple[Text, ...]) -> None:
        self.name = name
        self.type = values
        self.values: tuple[Any, ...] = typing.get_args(values)
        assert len(self.values) == len(labels), name
        self.labels: dict[Any, Text] = dict(zip(self.values, labels, strict=True))

    def label(self, value: Any, lang: str = "zh") -> str:
        """The label of `value` in `lang`; a value the enum does not know shows as itself ("" for None)."""
        if value is None:
            return ""
        text = self.labels.get(value)
        return text.render(lang) if text else str(value)

    def __repr__(self) -> str:
        return f"Choice({self.name!r})"


LEVEL = Choice("level", Level, (t("高", "high"), t("中", "medium"), t("低", "low")))
STANCE = Choice(
    "stance",
    Stance,
    (t("支持者", "supporter"), t("中立者", "neutral"), t("反对者", "opponent"), t("不清楚", "unknown")),
)
DECISION_ROLE = Choice(
    "decision_role", DecisionRole, (t("决策者", "decider"), t("管理者", "manager"), t("执行者", "executor"))
)
PAYMENT_METHOD = Choice("payment_method", PaymentMethod, (t("全款", "full payment"), t("贷款", "loan")))
PAYMENT_TIMING = Choice(
    "payment_timing", PaymentTiming, (t("发车前到账", "before dispatch"), t("上完牌到账", "after registration"))
)
ACCOUNT_TYPE = Choice(
    "account_type", AccountType, (t("政府客户", "government"), t("企业客户", "enterprise"), t("个人客户", "individual"))
)
ACCOUNT_SIZE = Choice("account_size", AccountSize, (t("大型", "large"), t("中型", "medium"), t("小型", "small")))
ACCOUNT_CLASS = Choice(
    "account_class",
    AccountClass,
    (t("A 类（战略客户）", "A (strategic)"), t("B 类（重点客户）", "B (key)"), t("C 类（一般客户）", "C (general)")),
)
MARKET = Choice("market", Market, (t("本地市场", "local"), t("国内市场", "domestic"), t("国际市场", "international")))
LOST_REASON = Choice(
    "lost_reason",
    LostReason,
    (
        t("价格", "price"),
        t("产品", "product"),
        t("服务", "service"),
        t("竞争对手", "competitor"),
        t("无预算", "no budget"),
        t("其他", "other"),
    ),
)
RELATIONSHIP_LEVEL = Choice(
    "relationship_level",
    RelationshipLevel,
    (
        t("一级：有联系方式，客户不排斥", "level 1: in contact, not rejected"),
        t("二级：客户了解产品，愿透露重要信息", "level 2: customer shares important information"),
        t("三级：客户主动推荐我方品牌", "level 3: customer recommends our brand"),
        t("四级：客户只愿与我方合作", "level 4: customer works only with us"),
    ),
)
RISK = Choice(
    "risk", Risk, (t("安全", "safe"), t("警惕", "watch"), t("警报", "alarm"))
)  # defection risk 背叛风险 (seed 004)
DECISION = Choice("decision", Decision, (t("同意", "approved"), t("驳回", "rejected")))  # a department's sign-off

ALL: tuple[Choice, ...] = (
    LEVEL,
    STANCE,
    DECISION_ROLE,
    PAYMENT_METHOD,
    PAYMENT_TIMING,
    ACCOUNT_TYPE,
    ACCOUNT_SIZE,
    ACCOUNT_CLASS,
    MARKET,
    LOST_REASON,
    RELATIONSHIP_LEVEL,
    RISK,
    DECISION,
)
_BY_VALUES: dict[tuple[Any, ...], Choice] = {c.values: c for c in ALL}


def of(annotation: Any) -> Choice | None:
    """The enum a schema field is annotated with (`Level`, `Level | None`, `list[Stance]`...), if any."""
    if typing.get_origin(annotation) is Literal:
        return _BY_VALUES.get(typing.get_args(annotation))
    for arg in typing.get_args(annotation):
        found = of(arg)
        if found is not None:
            return found
    return None

"""Every enum a user reads, once: its values (the `Literal` the schemas use) and their labels.

Labels are keyed by the enum, not by the bare value: an influence "medium" is 中,
an account size "medium" is 中型. The schemas annotate a field with one of the
types below; the template, the prompts, the PDFs, the account commands and the
compliance rules all read the labels from here (`Choice.label`, `of`).
Importing this module loads no pydantic.

What a person types for a value is read here too (issue 16): the stored key
(`medium`), its Chinese label (中), its English label, or one of the short forms
people write (A类 for "A 类（战略客户）", 支持 for 支持者); case, spaces, `-`/`_`
and full-width letters do not matter. `to_key(choice, typed, field)` gives the key
or refuses, listing every allowed value with its label; `Choice.key(typed)` is the
same question without the refusal. A process's own lists (its sign-off
departments, its lost reasons) are `Choice.listed(...)` (see `workflow.rules.process`).
"""

from __future__ import annotations

import typing
from typing import Any, Literal

from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.values.writing import Field, as_written, halfwidth, label

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
UserRole = Literal["manager", "reviewer", "admin"]


def _typed(text: str) -> str:
    """How a typed value is compared: half-width, case-folded, without spaces, `-` or `_`."""
    return "".join(ch for ch in halfwidth(text).casefold() if not ch.isspace() and ch not in "-_")


class Choice:
    """One enum: its values in order, the label of each, and what a person may type for each."""

    def __init__(
        self,
        name: str,
        values: Any,
        labels: tuple[Text, ...],
        aliases: dict[Any, tuple[str, ...]] | None = None,
        *,
        strict: bool = True,
    ) -> None:
        self.name = name
        self.type = values
        self.values: tuple[Any, ...] = values if isinstance(values, tuple) else typing.get_args(values)
        assert len(self.values) == len(labels), name
        self.labels: dict[Any, Text] = dict(zip(self.values, labels, strict=True))
        self._typed: dict[str, Any] = {}
        for value in self.values:
            text = self.labels[value]
            for word in (str(value), text.zh, text.en, *(aliases or {}).get(value, ())):
                seen = self._typed.setdefault(_typed(word), value)  # the first value keeps a word two would share
                assert seen == value or not strict, f"{name}: {word!r} names both {seen!r} and {value!r}"

    @classmethod
    def listed(cls, name: str, values: tuple[Any, ...], labels: tuple[Text, ...]) -> Choice:
        """A choice whose values come from data (a process file's departments), not from a `Literal`.

        A label that two values share names the first (the process file is the company's to write).
        """
        return cls(name, tuple(values), labels, strict=False)

    def key(self, typed: object) -> Any | None:
        """The value `typed` names (a key, a Chinese or English label, an alias), or None if it names none."""
        if not isinstance(typed, str | int):  # a mapping or a list names no value (and is not hashable)
            return None
        if typed in self.labels and type(typed) in (type(v) for v in self.values):
            return typed
        if isinstance(typed, bool) or not isinstance(typed, str | int):
            return None
        return self._typed.get(_typed(str(typed)))

    def allowed(self, lang: str = "zh") -> str:
        """Every value as it may be typed: `高 (high)、中 (medium)、低 (low)` / `high (高), medium (中), low (低)`."""

        def both(value: Any) -> str:
            zh = self.labels[value].zh
            if zh == str(value):
                return zh
            return f"{zh} ({value})" if lang == "zh" else f"{value} ({zh})"

        return ("、" if lang == "zh" else ", ").join(both(v) for v in self.values)

    def refusal(self, typed: object, field: Field) -> InvalidInput:
        """The one-line refusal of `typed` for `field`: what was written and every allowed value in both forms."""
        where = label(field)
        # as written: text as typed, anything else (a mapping, a list, true) in its JSON spelling, never a repr
        quoted = as_written(typed) if typed is not None else ""
        english = f"“{quoted}”" if '"' in quoted else f'"{quoted}"'  # quotes that hold what they quote
        return InvalidInput(
            t(
                f"{where.zh}：「{quoted}」不是可选值；可选：{self.allowed('zh')}",
                f"{where.en}: {english} is not one of the choices: {self.allowed('en')}",
            )
        )

    def parse(self, typed: object, field: Field) -> Any:
        """The stored value `typed` names; `InvalidInput` (naming `field` and the choices) if it names none."""
        found = self.key(typed)
        if found is None:
            raise self.refusal(typed, field)
        return found

    def label(self, value: Any, lang: str = "zh") -> str:
        """The label of `value` in `lang`; a value the enum does not know shows as itself ("" for None)."""
        if value is None:
            return ""
        text = self.labels.get(value)
        return text.render(lang) if text else str(value)

    def __repr__(self) -> str:
        return f"Choice({self.name!r})"


def to_key(choice: Choice, typed: object, field: Field = "") -> Any:
    """The stored key of what a person typed for `choice` (key, Chinese or English label, alias), or `InvalidInput`.

    For every reader of typed values: files, options, the interactive prompts.
    `field` names the field in the refusal (`t("影响力", "influence")`, `--influence`).
    """
    return choice.parse(typed, field or t(choice.name, choice.name))


LEVEL = Choice("level", Level, (t("高", "high"), t("中", "medium"), t("低", "low")))
STANCE = Choice(
    "stance",
    Stance,
    (t("支持者", "supporter"), t("中立者", "neutral"), t("反对者", "opponent"), t("不清楚", "unknown")),
    {"supporter": ("支持",), "neutral": ("中立",), "opponent": ("反对",), "unknown": ("未知",)},
)
DECISION_ROLE = Choice(
    "decision_role", DecisionRole, (t("决策者", "decider"), t("管理者", "manager"), t("执行者", "executor"))
)
PAYMENT_METHOD = Choice(
    "payment_method", PaymentMethod, (t("全款", "full payment"), t("贷款", "loan")), {"loan": ("按揭",)}
)
PAYMENT_TIMING = Choice(
    "payment_timing", PaymentTiming, (t("发车前到账", "before dispatch"), t("上完牌到账", "after registration"))
)
ACCOUNT_TYPE = Choice(
    "account_type",
    AccountType,
    (t("政府客户", "government"), t("企业客户", "enterprise"), t("个人客户", "individual")),
    {"government": ("政府",), "enterprise": ("企业",), "individual": ("个人", "个体", "个人/个体")},
)
ACCOUNT_SIZE = Choice("account_size", AccountSize, (t("大型", "large"), t("中型", "medium"), t("小型", "small")))
ACCOUNT_CLASS = Choice(
    "account_class",
    AccountClass,
    (t("A 类（战略客户）", "A (strategic)"), t("B 类（重点客户）", "B (key)"), t("C 类（一般客户）", "C (general)")),
    {
        "A": ("A类", "战略客户", "strategic"),
        "B": ("B类", "重点客户", "key"),
        "C": ("C类", "一般客户", "general"),
    },
)
MARKET = Choice(
    "market",
    Market,
    (t("本地市场", "local"), t("国内市场", "domestic"), t("国际市场", "international")),
    {"local": ("本地",), "domestic": ("国内",), "international": ("国际",)},
)
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
    {1: ("一级", "level 1"), 2: ("二级", "level 2"), 3: ("三级", "level 3"), 4: ("四级", "level 4")},
)
RISK = Choice(
    "risk", Risk, (t("安全", "safe"), t("警惕", "watch"), t("警报", "alarm"))
)  # defection risk 背叛风险 (seed 004)
DECISION = Choice(
    "decision", Decision, (t("同意", "approved"), t("驳回", "rejected")), {"approve": ("批准",), "reject": ("拒绝",)}
)  # a department's sign-off
# a person on the roster: owns deals, signs for their departments, changes the roster (issue 13)
USER_ROLE = Choice("user_role", UserRole, (t("客户经理", "manager"), t("审批人", "reviewer"), t("管理员", "admin")))

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


def for_values(values: tuple[Any, ...]) -> Choice | None:
    """The enum whose values are exactly `values` (a `Literal`'s arguments), if it is one of ours."""
    return _BY_VALUES.get(values)


def of(annotation: Any) -> Choice | None:
    """The enum a schema field is annotated with (`Level`, `Level | None`, `list[Stance]`...), if any."""
    if typing.get_origin(annotation) is Literal:
        return _BY_VALUES.get(typing.get_args(annotation))
    for arg in typing.get_args(annotation):
        found = of(arg)
        if found is not None:
            return found
    return None

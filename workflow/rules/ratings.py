"""Relationship level (客情关系等级 1–4) and deal heat (成交热度 30/50/70/90 %), rated by checklist.

The criteria are the seed's (003, 管理工具—客情关系等级/成交热度): for the
relationship, the list for the customer itself (项目甲方客情关系) — a fleet buyer
is the 甲方 of a truck deal; for the heat, the seed's 成交热度 list as written.

How ticks become a level (one rule for both scales):
  a level is reached when at least half of its criteria (rounded up) are ticked
  and the level below it is reached. The rating is the highest level reached;
  when even the first is not reached the rating is empty (not yet level 1 / 30 %).
So the levels build on each other: ticking only level-3 criteria gives no level,
and a manager sees which criteria are still missing for the next level.

A rating stores the current level on the opportunity with the time it was
assessed, and the ticked criteria in a history row (action "rating"):
`operations.ratings`. This module is the checklists and the rule, pure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from workflow.errors import InvalidInput
from workflow.i18n import Text, t


@dataclass(frozen=True)
class Criterion:
    code: str  # "<level>.<n>", e.g. "2.3" or "70.1"
    text: Text


@dataclass(frozen=True)
class Scale:
    name: str  # "relationship" | "heat"
    label: Text
    levels: dict[int, tuple[Criterion, ...]]  # in ascending order

    def criterion(self, code: str) -> Criterion | None:
        for criteria in self.levels.values():
            for c in criteria:
                if c.code == code:
                    return c
        return None

    def level(self, ticked: set[str]) -> int | None:
        """The highest level reached by `ticked` (see the module docstring), or None."""
        reached = None
        for level, criteria in self.levels.items():
            if sum(c.code in ticked for c in criteria) * 2 < len(criteria):
                break
            reached = level
        return reached

    def unit(self, level: int | None) -> str:
        if level is None:
            return "—"
        return f"{level}%" if self.name == "heat" else f"{level}"


def _scale(name: str, label: Text, levels: dict[int, list[tuple[str, str]]]) -> Scale:
    return Scale(
        name,
        label,
        {
            level: tuple(Criterion(f"{level}.{i}", t(zh, en)) for i, (zh, en) in enumerate(items, 1))
            for level, items in levels.items()
        },
    )


RELATIONSHIP = _scale(
    "relationship",
    t("客情关系等级", "relationship level"),
    {
        1: [
            (
                "已经给客户送过公司的产品、公司资质等资料",
                "the customer has received our product and company credentials",
            ),
            ("已经给客户介绍过公司和产品特点", "the company and the product features have been presented"),
            ("有客户的联系方式", "we have the customer's contact details"),
            (
                "拜访过三次以上，客户对业务员不排斥",
                "visited three times or more; the customer does not reject the salesperson",
            ),
            ("客户对公司和产品有较深印象", "the customer remembers the company and the product well"),
        ],
        2: [
            (
                "客户对公司的产品、技术、供应方面已经了解，已经进行详细的方案设计及产品演示",
                "the customer knows our products, technology and supply; a detailed solution and demonstration were "
                "made",
            ),
            ("与客户单独约见过", "met the customer one to one"),
            ("客户愿意告诉我们较重要的信息", "the customer shares important information"),
            ("客户可以方便约见", "the customer is easy to meet"),
            ("上级主管已拜访", "our manager has visited"),
        ],
        3: [
            ("项目处于投标（品牌确定）阶段", "the project is at tender (brand decision)"),
            (
                "客户愿意与业务员建立较深的业务关系，了解公司的政策",
                "the customer wants a closer business relationship and learns our policies",
            ),
            (
                "客户愿意告诉我们参与工程总包及竞争品牌的信息",
                "the customer tells us about contractors and competing brands",
            ),
            ("客户主动推荐公司品牌（标书中有公司的品牌）", "the customer recommends our brand (it is in the tender)"),
            (
                "在关键时期，很容易约见（包括与上级主管用餐）",
                "easy to meet at critical moments (including dinner with our manager)",
            ),
        ],
        4: [
            (
                "客户只愿意和公司合作，排斥其它竞争对手",
                "the customer only wants to work with us and shuts out competitors",
            ),
            ("客户主动帮助我们疏通其它业务关系", "the customer opens other business relationships for us"),
            ("客户积极寻找理由保证使用公司产品", "the customer looks for reasons to make sure our product is used"),
            (
                "标书（合同）中公司产品是唯一品牌（或唯一国产品牌）",
                "our product is the only brand (or only domestic brand) in the tender or contract",
            ),
        ],
    },
)

HEAT = _scale(
    "heat",
    t("成交热度", "deal heat"),
    {
        30: [
            (
                "项目已到编写标书阶段，甲方客情关系 II 级，同意将我司产品写入标书",
                "the tender is being written; customer relationship level II; our product will be written in",
            ),
            ("参与投标的总包单位客情关系 I 级", "the bidding contractors are at relationship level I"),
        ],
        50: [
            ("标书中有我司产品", "our product is in the tender"),
            ("甲方不拒绝使用我司产品", "the customer does not refuse our product"),
            (
                "中标总包单位客情关系 II 级，无明确倾向同意使用我司产品",
                "the winning contractor is at level II and agrees to our product without a clear preference",
            ),
            ("业务员已充分了解竞争品牌的销售策略", "the salesperson knows the competitors' sales strategy well"),
        ],
        70: [
            ("标书中有公司产品", "our product is in the tender"),
            ("甲方主动向总包公司推荐我司产品", "the customer recommends our product to the contractor"),
            (
                "总包公司客情关系 III 级，主动使用我司产品参与投标或积极寻找理由使用我司产品",
                "the contractor is at level III and bids with our product or looks for reasons to use it",
            ),
            (
                "设计师配合我司保图或改图且对甲方掌控力较强",
                "the designer keeps or changes the specification for us and has strong influence on the customer",
            ),
        ],
        90: [
            ("标书中公司产品是唯一品牌", "our product is the only brand in the tender"),
            ("已与总包单位签订合同", "a contract with the contractor is signed"),
        ],
    },
)

SCALES = {"relationship": RELATIONSHIP, "heat": HEAT}


@dataclass(frozen=True)
class Rating:
    opportunity_id: int
    relationship_level: int | None
    relationship_assessed_at: dt.datetime | None
    heat: int | None
    heat_assessed_at: dt.datetime | None
    ticked: dict[str, list[str]]  # scale -> codes, from the latest rating of each scale

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.opportunity_id,
            "relationship_level": self.relationship_level,
            "relationship_assessed_at": self.relationship_assessed_at,
            "heat": self.heat,
            "heat_assessed_at": self.heat_assessed_at,
            "ticked": self.ticked,
        }


def checked_codes(scale: Scale, ticked: list[str]) -> list[str]:
    """The ticked criteria codes, checked and in order; an unknown code is refused with the valid ones."""
    unknown = [c for c in ticked if scale.criterion(c) is None]
    if unknown:
        valid = ", ".join(c.code for cs in scale.levels.values() for c in cs)
        raise InvalidInput(
            t(
                f"{scale.label.zh}没有条目 {', '.join(unknown)}；可选：{valid}（kam opp rate ID 查看清单）",
                f"the {scale.label.en} has no criterion {', '.join(unknown)}; choose from: {valid} (kam opp rate ID "
                "lists them)",
            )
        )
    return sorted(set(ticked), key=lambda c: tuple(int(x) for x in c.split(".")))


def current(opp: Any, details: list[dict[str, Any]]) -> Rating:
    """The opportunity's levels and the criteria ticked at its latest assessment of each scale.

    `details` are the rating history rows' details, newest first.
    """
    ticked: dict[str, list[str]] = {}
    for detail in details:
        for name in SCALES:
            if name in detail and name not in ticked:
                ticked[name] = list(detail[name]["ticked"])
        if len(ticked) == len(SCALES):
            break
    return Rating(opp.id, opp.relationship_level, opp.relationship_assessed_at, opp.heat, opp.heat_assessed_at, ticked)

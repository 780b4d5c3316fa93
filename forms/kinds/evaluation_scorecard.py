"""项目评估表 — an output of step 5: weighted criteria, decision roles and defection risk."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, field_validator

from forms import choices
from forms.base import Form, Part, computed, fail_at, field
from forms.choices import Risk

# Read by `forms` without importing this module (naming a kind never loads pydantic). AUDIENCE: who may
# read it ("customer": its default PDF is the customer edition, without the fields marked internal).
KIND = "evaluation-scorecard"
TITLE = ("项目评估表", "Project evaluation scorecard")
ORDER = 50
AUDIENCE = "internal"

Score = Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)]

# The seed's evaluation criteria (项目评估表) with suggested weights; the template starts from them.
DEFAULT_CRITERIA: tuple[tuple[str, int], ...] = (
    ("客户关系", 20),
    ("售后服务", 15),
    ("行业地位", 10),
    ("品牌", 10),
    ("产品性能", 15),
    ("价格", 15),
    ("供货能力", 10),
    ("快速解决方案", 5),
)

_RISK_ORDER: dict[str, int] = {"safe": 0, "watch": 1, "alarm": 2}


class Criterion(Part):
    name: str = field("评估指标", "Criterion", min_length=1)
    weight: float = field(
        "权重", "Weight", help_zh="各项合计 100", help_en="all weights sum to 100", gt=0, le=100, allow_inf_nan=False
    )
    our_score: Score = field("我方得分", "Our score", help_zh="0–10 分", help_en="0-10")
    competitor_scores: dict[Annotated[str, Field(min_length=1)], Score] = field(
        "竞争对手得分",
        "Competitor scores",
        help_zh="竞争对手名称: 0–10 分",
        help_en="competitor name: score 0-10",
        default_factory=dict,
    )

    @computed("我方加权得分", "Our weighted score", help_zh="权重 × 得分 / 10", help_en="weight × score / 10")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def our_weighted(self) -> float:
        return round(self.weight * self.our_score / 10, 2)

    @computed("竞争对手加权得分", "Competitor weighted scores")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def competitor_weighted(self) -> dict[str, float]:
        return {name: round(self.weight * score / 10, 2) for name, score in self.competitor_scores.items()}


class DecisionRole(Part):
    name: str = field("姓名", "Name", min_length=1)
    role: choices.DecisionRole = field(
        "角色", "Role", help_zh="决策者 / 管理者 / 执行者", help_en="decider / manager / executor"
    )
    department: str | None = field("部门", "Department", default=None)


def risk_of(we_meet: bool, competitor_meets: bool) -> Risk:
    """Seed 004: only we meet the standard = safe; both = watch; only the competitor = alarm.

    Neither meeting it is not in the seed; it gives the competitor no edge, so it is `watch`.
    """
    if we_meet and not competitor_meets:
        return "safe"
    if competitor_meets and not we_meet:
        return "alarm"
    return "watch"


class PurchaseStandard(Part):
    standard: str = field("客户采购标准", "Purchase standard", min_length=1)
    we_meet: bool = field("我方符合", "We meet it")
    competitor_meets: bool = field("竞争对手符合", "Competitor meets it")

    @computed("背叛风险", "Defection risk", help_zh="安全 / 警惕 / 警报", help_en="safe / watch / alarm")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def risk(self) -> Risk:
        return risk_of(self.we_meet, self.competitor_meets)


class EvaluationScorecard(Form):
    kind: ClassVar[str] = KIND
    prefill: ClassVar[dict] = {"criteria": [{"name": name, "weight": weight} for name, weight in DEFAULT_CRITERIA]}

    criteria: list[Criterion] = field(
        "评估指标",
        "Criteria",
        help_zh="权重合计 100；得分 0–10",
        help_en="weights sum to 100; scores 0-10",
        min_length=1,
    )
    decision_roles: list[DecisionRole] = field("客户内部角色与分工", "Customer decision roles", default_factory=list)
    # Optional (SPEC §5, seed 004): which purchase standards we and the competitor meet.
    purchase_standards: list[PurchaseStandard] = field(
        "客户采购标准",
        "Purchase standards",
        help_zh="用于判断客户背叛风险",
        help_en="for the defection risk",
        default_factory=list,
    )

    @field_validator("criteria")
    @classmethod
    def _criteria_consistent(cls, value: list[Criterion]) -> list[Criterion]:
        seen: set[str] = set()
        problems: list[tuple[tuple[int | str, ...], str]] = []
        for i, criterion in enumerate(value):
            if criterion.name in seen:
                problems.append(
                    ((i, "name"), f"评估指标重复：{criterion.name} | duplicate criterion: {criterion.name}")
                )
            seen.add(criterion.name)
        total = sum(c.weight for c in value)
        # weights are typed by hand as decimals (12.5); compare with a tolerance
        if abs(total - 100) > 1e-6:
            problems.append(((), f"权重合计应为 100，现为 {total:g} | the weights must sum to 100, not {total:g}"))
        fail_at(problems, cls.__name__)
        return value

    @computed("我方总分", "Our total", help_zh="加权合计，满分 100", help_en="weighted total out of 100")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def our_total(self) -> float:
        return round(sum(c.weight * c.our_score / 10 for c in self.criteria), 2)

    @computed("竞争对手", "Competitors")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def competitors(self) -> list[str]:
        names: dict[str, None] = {}
        for criterion in self.criteria:
            names.update(dict.fromkeys(criterion.competitor_scores))
        return list(names)

    @computed("竞争对手总分", "Competitor totals", help_zh="未评分的指标按 0 分计", help_en="unscored criteria count 0")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def competitor_totals(self) -> dict[str, float]:
        return {
            name: round(sum(c.weight * c.competitor_scores.get(name, 0) / 10 for c in self.criteria), 2)
            for name in self.competitors
        }

    @computed("背叛风险", "Defection risk", help_zh="各采购标准中最差的一项", help_en="the worst over the standards")  # type: ignore[prop-decorator]  # pydantic computed field: mypy cannot type a decorated property
    @property
    def defection_risk(self) -> Risk | None:
        risks = [s.risk for s in self.purchase_standards]
        return max(risks, key=lambda risk: _RISK_ORDER[str(risk)]) if risks else None

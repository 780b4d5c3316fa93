"""The evaluation of an opportunity (项目评估): scorecard totals and the defection risk (SPEC §5).

`summary()` reads the latest valid evaluation scorecard and returns the figures
`kam opp show` and the compliance review print: our weighted total, each
competitor's, who leads, and, when the purchase standards are recorded, the
defection risk (seed 004: only we meet = safe, both = watch, only the
competitor = alarm) with the standards behind it.
"""

from __future__ import annotations

from typing import Any

from forms.choices import RISK

SCORECARD = "evaluation-scorecard"


def summary(latest: Any) -> dict[str, Any] | None:
    """The scorecard figures of the opportunity, or None when it has no valid scorecard.

    Shape: {"version", "our_total", "competitor_totals": {name: total}, "leader",
    "margin" (our total minus the best competitor's), "defection_risk" (safe / watch /
    alarm / None), "standards": [{"standard", "we_meet", "competitor_meets", "risk"}]}.
    `latest` is the newest valid scorecard (`records.queries.latest_valid`). Pure.
    """
    if latest.form is None or latest.document is None:
        return None
    card: Any = latest.form
    totals: dict[str, float] = dict(card.competitor_totals)
    best = max(totals.items(), key=lambda item: item[1]) if totals else None
    leader = "us" if best is None or card.our_total >= best[1] else best[0]
    return {
        "version": latest.document.version,
        "our_total": card.our_total,
        "competitor_totals": totals,
        "leader": leader,
        "margin": round(card.our_total - best[1], 2) if best else None,
        "defection_risk": card.defection_risk,
        "standards": [
            {"standard": s.standard, "we_meet": s.we_meet, "competitor_meets": s.competitor_meets, "risk": s.risk}
            for s in card.purchase_standards
        ],
    }


def describe(data: dict[str, Any] | None, lang: str = "zh") -> list[str]:
    """The summary as lines a manager reads (empty when there is no scorecard)."""
    if data is None:
        return []
    others = ", ".join(f"{name} {total:g}" for name, total in data["competitor_totals"].items())
    zh = f"评估（项目评估表 v{data['version']}）：我方 {data['our_total']:g}" + (
        f"，{others.replace(', ', '，')}" if others else ""
    )
    en = f"Evaluation (scorecard v{data['version']}): us {data['our_total']:g}" + (f", {others}" if others else "")
    if data["leader"] != "us":
        zh += f"；领先者：{data['leader']}（落后 {-data['margin']:g} 分）"
        en += f"; {data['leader']} leads by {-data['margin']:g}"
    lines = [zh if lang == "zh" else en]
    risk = data["defection_risk"]
    if risk is not None:
        flagged = [s["standard"] for s in data["standards"] if s["risk"] == risk]
        label = RISK.label(risk, lang)
        lines.append(
            f"背叛风险：{label}（{'；'.join(flagged)}）"
            if lang == "zh"
            else f"Defection risk: {label} ({'; '.join(flagged)})"
        )
    return lines

"""The compliance gate before signing (合同审核, SPEC §4).

`evaluate()` is the single reader: `kam compliance ID` prints its rules, and the
`sign` guard (the `compliance` check in the process) turns its failures into
missing requirements. Each rule is pass/fail with reasons a manager can act on,
one reason per problem, under a stable code:

    compliance.contract-review   there is a valid contract review (else no other rule can be read)
    compliance.configuration     chassis, announcement catalogue (公告), emissions (环保), body
    compliance.price-includes    freight / packaging / registration, as negotiated
    compliance.payment           method and timing, as negotiated
    compliance.delivery-mode     as negotiated; the vehicles can be registered in the delivery region
    compliance.delivery-cycle    not shorter than production (+ min_cycle_margin_days); as negotiated
    compliance.service           special service requests within company policy
    compliance.breach-liability  penalty and quality deposit within max_penalty_percent / max_quality_deposit_percent
    compliance.consistency       quantity and unit price equal the latest negotiation minutes
    compliance.signoffs          every required department approved this version of the review

Each term the negotiation minutes also record is compared once, under the rule
of its topic, so one difference is one failure line and never two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.errors import Missing
from workflow.i18n import Text, t
from workflow.models import Opportunity, SignOff
from workflow.process import DEPARTMENT_LABELS, Process

__all__ = ["DEPARTMENT_LABELS", "RULES", "ComplianceReport", "RuleResult", "current_signoffs", "department_label", "evaluate"]

# Every rule of SPEC §4 in its order: code suffix and title.
RULES: tuple[tuple[str, Text], ...] = (
    ("configuration", t("车辆配置", "Vehicle configuration")),
    ("price-includes", t("价格包含", "What the price includes")),
    ("payment", t("付款方式", "Payment")),
    ("delivery-mode", t("交货方式", "Delivery mode")),
    ("delivery-cycle", t("交货周期", "Delivery cycle")),
    ("service", t("服务要求", "Service requests")),
    ("breach-liability", t("违约责任", "Breach liability")),
    ("consistency", t("与谈判纪要一致", "Consistency with the negotiation minutes")),
    ("signoffs", t("部门会签", "Departmental sign-offs")),
)
TITLES = dict(RULES)

PAYMENT_METHODS = {"full": t("全款", "full payment"), "loan": t("贷款", "loan")}
PAYMENT_TIMINGS = {
    "before_dispatch": t("发车前到账", "before dispatch"),
    "after_registration": t("上完牌后到账", "after registration"),
}
INCLUDES = {"freight": t("运费", "freight"), "packaging": t("外包装费", "packaging"), "registration": t("上牌费", "registration")}
CONFIGURATION = {
    "chassis_confirmed": t("底盘配置未确认", "the chassis configuration is not confirmed"),
    "in_announcement_catalogue": t("车辆未列入公告", "the vehicle is not listed in the announcement catalogue (公告)"),
    "emission_compliant": t("环保（排放）未确认达标", "emission compliance (环保) is not confirmed"),
    "body_confirmed": t("上装配置未确认", "the body (上装) configuration is not confirmed"),
}


def department_label(department: str, lang: str = "zh", process: Process | None = None) -> str:
    if process is not None:
        return process.department_label(department, lang)
    text = DEPARTMENT_LABELS.get(department)
    return text.render(lang) if text else department


@dataclass(frozen=True)
class RuleResult:
    code: str  # stable: "compliance.<rule>"
    title: Text
    ok: bool
    reasons: tuple[Text, ...] = ()  # one per problem, each a sentence a manager can act on
    command: str = ""  # the command that fixes it
    detail: Text | None = None  # the contract's actual terms this rule read
    commands: tuple[str, ...] = ()  # where each reason has its own fix (one department each), parallel to reasons

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title.render(lang),
            "ok": self.ok,
            "reasons": [r.render(lang) for r in self.reasons],
            "detail": self.detail.render(lang) if self.detail else None,
            "command": self.command if not self.ok else "",
        }


@dataclass
class ComplianceReport:
    opportunity_id: int
    review_version: int | None
    rules: list[RuleResult] = field(default_factory=list)
    documents: dict[str, int] = field(default_factory=dict)
    minutes_version: int | None = None
    contract_no: str | None = None
    signoffs: list[SignOff] = field(default_factory=list)  # every decision on this review version, oldest first

    @property
    def ok(self) -> bool:
        return all(rule.ok for rule in self.rules)

    def rule(self, code: str) -> RuleResult:
        return next(r for r in self.rules if r.code == code)

    def missing(self) -> list[Missing]:
        out = []
        for rule in self.rules:
            if not rule.ok:
                for i, reason in enumerate(rule.reasons or (rule.title,)):
                    command = rule.commands[i] if i < len(rule.commands) else rule.command
                    out.append(Missing(rule.code, t(f"{rule.title.zh}：{reason.zh}", f"{rule.title.en}: {reason.en}"), command))
        return out


def current_signoffs(session: Session, opportunity_id: int, review_version: int) -> dict[str, SignOff]:
    """The latest decision of each department on `review_version` (earlier versions' sign-offs are void)."""
    return {row.department: row for row in _signoffs_on(session, opportunity_id, review_version)}


def _signoffs_on(session: Session, opportunity_id: int, review_version: int) -> list[SignOff]:
    return list(
        session.scalars(
            select(SignOff)
            .where(SignOff.opportunity_id == opportunity_id, SignOff.review_version == review_version)
            .order_by(SignOff.at, SignOff.id)
        )
    )


def evaluate(session: Session, process: Process, opp: Opportunity) -> ComplianceReport:
    """Every rule of SPEC §4 on the latest valid contract review of `opp`."""
    from workflow.requirements import latest_valid

    review = latest_valid(session, opp.id, "contract-review")
    fill = f"kam doc fill {opp.id} contract-review --file FILE"
    if review.form is None:
        reason = (
            t("还没有合同审核表", "there is no contract review yet")
            if review.newest_version is None
            else t(f"合同审核表 v{review.newest_version} 不符合当前格式：{review.problem}", f"contract review v{review.newest_version} no longer validates: {review.problem}")
        )
        report = ComplianceReport(opp.id, None)
        report.rules.append(RuleResult("compliance.contract-review", t("合同审核表", "Contract review"), False, (reason,), fill))
        return report

    assert review.document is not None
    version = review.document.version
    minutes = latest_valid(session, opp.id, "negotiation-minutes")
    report = ComplianceReport(opp.id, version, documents={"contract-review": version}, contract_no=review.form.contract_no)  # type: ignore[attr-defined]
    if minutes.document is not None:
        report.minutes_version = minutes.document.version
    terms = _Terms(review.form.model_dump(), minutes.form.model_dump() if minutes.form is not None else None, report.minutes_version)
    for suffix, title in RULES[:-1]:
        reasons, detail = _CHECKS[suffix](terms, process.limits)
        command = f"kam doc fill {opp.id} negotiation-minutes --file FILE" if suffix == "consistency" and terms.minutes is None else fill
        report.rules.append(RuleResult(f"compliance.{suffix}", title, not reasons, tuple(reasons), command, detail))
    report.signoffs = _signoffs_on(session, opp.id, version)
    report.rules.append(_signoff_rule(process, opp, version, {s.department: s for s in report.signoffs}))
    return report


@dataclass(frozen=True)
class _Terms:
    """The contract review's terms beside the latest negotiation minutes' (None when there are none)."""

    review: dict[str, Any]
    minutes: dict[str, Any] | None
    minutes_version: int | None

    @property
    def source(self) -> Text:
        return t(f"谈判纪要 v{self.minutes_version}", f"谈判纪要 v{self.minutes_version}")

    def differs(self, key: str, same: Callable[[Any, Any], bool] = lambda a, b: a == b) -> tuple[Any, Any] | None:
        """(contract, negotiated) when the minutes record `key` differently, else None."""
        if self.minutes is None:
            return None
        ours, theirs = self.review[key], self.minutes[key]
        return None if same(ours, theirs) else (ours, theirs)


def _configuration(terms: _Terms, limits: dict[str, float]) -> tuple[list[Text], Text | None]:
    config = terms.review["configuration"]
    return [text for key, text in CONFIGURATION.items() if not config[key]], t(
        "底盘、公告、环保、上装均已确认", "chassis, announcement catalogue, emissions and body confirmed"
    ) if all(config.values()) else None


def _included(flags: dict[str, bool]) -> Text:
    yes = [INCLUDES[k] for k in INCLUDES if flags[k]]
    no = [INCLUDES[k] for k in INCLUDES if not flags[k]]
    zh = ("含" + "、".join(x.zh for x in yes) if yes else "") + ("；" if yes and no else "") + ("不含" + "、".join(x.zh for x in no) if no else "")
    en = ("includes " + ", ".join(x.en for x in yes) if yes else "") + ("; " if yes and no else "") + ("excludes " + ", ".join(x.en for x in no) if no else "")
    return t(zh, en)


def _price_includes(terms: _Terms, limits: dict[str, float]) -> tuple[list[Text], Text | None]:
    ours = terms.review["price_includes"]
    reasons = []
    if terms.minutes is not None:
        theirs = terms.minutes["price_includes"]
        for key, label in INCLUDES.items():
            if ours[key] != theirs[key]:
                c_zh, n_zh = ("含", "不含") if ours[key] else ("不含", "含")
                c_en, n_en = ("includes", "excludes") if ours[key] else ("excludes", "includes")
                reasons.append(
                    t(
                        f"合同价格{c_zh}{label.zh}，谈判约定{n_zh}（{terms.source.zh}）",
                        f"the contract price {c_en} {label.en}, the negotiated price {n_en} it ({terms.source.en})",
                    )
                )
    return reasons, _included(ours)


def _payment(terms: _Terms, limits: dict[str, float]) -> tuple[list[Text], Text | None]:
    reasons = []
    for key, names, what in (
        ("payment_method", PAYMENT_METHODS, t("付款方式", "payment method")),
        ("payment_timing", PAYMENT_TIMINGS, t("付款时间", "payment timing")),
    ):
        diff = terms.differs(key)
        if diff:
            ours, theirs = names[diff[0]], names[diff[1]]
            reasons.append(
                t(
                    f"合同{what.zh}为「{ours.zh}」，与谈判约定的「{theirs.zh}」不一致（{terms.source.zh}）",
                    f"contract {what.en} {ours.en} differs from the negotiated {theirs.en} ({terms.source.en})",
                )
            )
    method, timing = PAYMENT_METHODS[terms.review["payment_method"]], PAYMENT_TIMINGS[terms.review["payment_timing"]]
    return reasons, t(f"{method.zh}，{timing.zh}", f"{method.en}, {timing.en}")


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _delivery_mode(terms: _Terms, limits: dict[str, float]) -> tuple[list[Text], Text | None]:
    reasons = []
    if not terms.review["registration_possible_in_region"]:
        reasons.append(
            t(
                "交货区域不能正常上牌：更换交货区域或落实上牌办法后再签",
                "the vehicles cannot be registered in the delivery region: change the region or settle the registration first",
            )
        )
    diff = terms.differs("delivery_mode", _same_text)
    if diff:
        reasons.append(
            t(
                f"合同交货方式「{diff[0]}」与谈判约定的「{diff[1]}」不一致（{terms.source.zh}）",
                f"contract delivery mode «{diff[0]}» differs from the negotiated «{diff[1]}» ({terms.source.en})",
            )
        )
    return reasons, t(terms.review["delivery_mode"], terms.review["delivery_mode"])


def _delivery_cycle(terms: _Terms, limits: dict[str, float]) -> tuple[list[Text], Text | None]:
    promised, production = terms.review["delivery_cycle_days"], terms.review["production_cycle_days"]
    margin = limits.get("min_cycle_margin_days", 0)
    needed = production + margin
    reasons = []
    if promised < needed:
        plus_zh = f"，另加 {margin:g} 天余量（min_cycle_margin_days）" if margin else ""
        plus_en = f" plus a margin of {margin:g} days (min_cycle_margin_days)" if margin else ""
        reasons.append(
            t(
                f"合同承诺 {promised} 天交货，生产需要 {production} 天{plus_zh}：延长交货周期或确认能提前排产",
                f"delivery promised in {promised} days, production needs {production}{plus_en}: lengthen the delivery cycle or confirm earlier production",
            )
        )
    diff = terms.differs("delivery_cycle_days")
    if diff:
        reasons.append(
            t(
                f"合同交货周期 {diff[0]} 天与谈判约定的 {diff[1]} 天不一致（{terms.source.zh}）",
                f"contract delivery cycle {diff[0]} days differs from the negotiated {diff[1]} ({terms.source.en})",
            )
        )
    return reasons, t(f"交货 {promised} 天，生产 {production} 天", f"delivery {promised} days, production {production} days")


def _service(terms: _Terms, limits: dict[str, float]) -> tuple[list[Text], Text | None]:
    requests = terms.review.get("special_service_requests") or ""
    detail = t(requests, requests) if requests else t("无特殊服务要求", "no special service requests")
    if terms.review["service_within_policy"]:
        return [], detail
    what = f"「{requests}」" if requests else ""
    what_en = f" «{requests}»" if requests else ""
    return [
        t(
            f"特殊服务要求{what}超出公司服务政策：报批或从合同中删除",
            f"the special service requests{what_en} are outside company policy: get them approved or take them out of the contract",
        )
    ], detail


def _breach_liability(terms: _Terms, limits: dict[str, float]) -> tuple[list[Text], Text | None]:
    penalty, deposit = terms.review["penalty_percent"], terms.review["quality_deposit"]
    total = terms.review["quantity"] * terms.review["unit_price"]
    share = 100 * deposit / total
    reasons = []
    limit = limits.get("max_penalty_percent")
    if limit is not None and penalty > limit:
        reasons.append(
            t(
                f"违约赔偿比例 {penalty:g}% 超过公司上限 {limit:g}%（max_penalty_percent）：重新谈判违约条款",
                f"penalty {penalty:g}% exceeds the company limit of {limit:g}% (max_penalty_percent): renegotiate the breach clause",
            )
        )
    limit = limits.get("max_quality_deposit_percent")
    if limit is not None and share > limit + 1e-9:
        reasons.append(
            t(
                f"质保金 {deposit:,.0f} 元占合同总价 {share:.1f}%，超过公司上限 {limit:g}%（max_quality_deposit_percent）",
                f"quality deposit {deposit:,.0f} yuan is {share:.1f}% of the contract total, above the company limit of {limit:g}% (max_quality_deposit_percent)",
            )
        )
    return reasons, t(
        f"违约赔偿 {penalty:g}%，质保金 {deposit:,.0f} 元（{share:.1f}%）",
        f"penalty {penalty:g}%, quality deposit {deposit:,.0f} yuan ({share:.1f}%)",
    )


def _consistency(terms: _Terms, limits: dict[str, float]) -> tuple[list[Text], Text | None]:
    if terms.minutes is None:
        return [t("还没有谈判纪要，无法核对合同条款", "there are no negotiation minutes to compare the contract with")], None
    reasons = []
    diff = terms.differs("quantity")
    if diff:
        reasons.append(
            t(
                f"合同数量 {diff[0]} 台与谈判约定的 {diff[1]} 台不一致（{terms.source.zh}）",
                f"contract quantity {diff[0]} differs from the negotiated {diff[1]} ({terms.source.en})",
            )
        )
    diff = terms.differs("unit_price", lambda a, b: round(a, 2) == round(b, 2))
    if diff:
        reasons.append(
            t(
                f"合同单价 {diff[0]:,.2f} 元与谈判约定的 {diff[1]:,.2f} 元不一致（{terms.source.zh}）",
                f"contract unit price {diff[0]:,.2f} yuan differs from the negotiated {diff[1]:,.2f} ({terms.source.en})",
            )
        )
    r = terms.review
    return reasons, t(f"{r['quantity']} 台 × {r['unit_price']:,.2f} 元，对照{terms.source.zh}", f"{r['quantity']} × {r['unit_price']:,.2f} yuan, against {terms.source.en}")


_CHECKS: dict[str, Callable[[_Terms, dict[str, float]], tuple[list[Text], Text | None]]] = {
    "configuration": _configuration,
    "price-includes": _price_includes,
    "payment": _payment,
    "delivery-mode": _delivery_mode,
    "delivery-cycle": _delivery_cycle,
    "service": _service,
    "breach-liability": _breach_liability,
    "consistency": _consistency,
}


def _signoff_rule(process: Process, opp: Opportunity, version: int, signoffs: dict[str, SignOff]) -> RuleResult:
    reasons = []
    commands = []
    done = []
    for dept in process.departments:
        signoff = signoffs.get(dept)
        zh, en = process.department_label(dept, "zh"), process.department_label(dept, "en")
        if signoff is None:
            reasons.append(t(f"{zh}尚未审批合同审核表 v{version}", f"{en} has not approved contract review v{version}"))
            commands.append(f"kam review approve {opp.id} --department {dept}")
        elif signoff.decision != "approve":
            reasons.append(t(f"{zh}（{signoff.reviewer}）驳回：{signoff.comment}", f"{en} ({signoff.reviewer}) rejected: {signoff.comment}"))
            commands.append(f"kam review approve {opp.id} --department {dept}")
        else:
            done.append((zh, en, signoff.reviewer))
    detail = t("；".join(f"{zh} {who}" for zh, _, who in done), "; ".join(f"{en} {who}" for _, en, who in done)) if done else None
    return RuleResult(
        "compliance.signoffs", TITLES["signoffs"], not reasons, tuple(reasons), f"kam review approve {opp.id} --department DEPT", detail, tuple(commands)
    )


def review_view(session: Session, process: Process, opportunity_id: int, lang: str = "zh") -> dict[str, Any]:
    """The compliance review as plain data: `kam compliance ID` (--json and text) and its PDF read this.

    The rules come from `evaluate()`, the same call the `sign` guard makes.
    """
    from workflow.engine import get_opportunity
    from workflow.evaluation import summary
    from workflow.review import signoff_history

    opp = get_opportunity(session, opportunity_id)
    report = evaluate(session, process, opp)
    signoffs = []
    for record in signoff_history(session, opportunity_id):
        row = record.to_dict()
        row["department_label"] = process.department_label(record.department, lang)
        signoffs.append(row)
    return {
        "id": opp.id,
        "title": opp.title,
        "account": opp.account.name,
        "owner": opp.owner,
        "stage": opp.stage,
        "stage_label": process.stage_label(opp.stage, lang),
        "contract_no": report.contract_no,
        "review_version": report.review_version,
        "minutes_version": report.minutes_version,
        "ok": report.ok,
        "rules": [rule.to_dict(lang) for rule in report.rules],
        "missing": [m.to_dict(lang) for m in report.missing()],
        "departments": [{"id": d, "label": process.department_label(d, lang)} for d in process.departments],
        "signoffs": signoffs,
        "limits": dict(process.limits),
        "evaluation": summary(session, opp.id),
    }


# Words of the review page that the shared report labels do not have.
PAGE_WORDS: dict[str, Text] = {
    "title": t("合同审核（合规审查）", "Contract compliance review"),
    "contract_no": t("合同编号", "Contract number"),
    "review_version": t("合同审核表版本", "Contract review version"),
    "minutes_version": t("对照谈判纪要", "Against negotiation minutes"),
    "pass": t("通过", "pass"),
    "fail": t("不通过", "FAIL"),
    "conclusion": t("审核结论", "Conclusion"),
    "all_pass": t("全部通过，可以签约", "every rule passes: the contract may be signed"),
    "some_fail": t("{n} 项不通过，不能签约", "{n} rule(s) fail: the contract cannot be signed"),
    "department": t("部门", "Department"),
    "void": t("已失效（合同审核表已更新）", "void (the review changed since)"),
    "waiting": t("待审批", "waiting"),
    "evaluation": t("项目评估", "Evaluation"),
    "us": t("我方", "Us"),
    "defection_risk": t("背叛风险", "Defection risk"),
    "standard": t("采购标准", "Purchase standard"),
    "we_meet": t("我方符合", "We meet it"),
    "competitor_meets": t("竞争对手符合", "Competitor meets it"),
    "none": t("—", "—"),
}


def review_pdf(session: Session, process: Process, opportunity_id: int, lang: str = "zh") -> tuple[dict[str, Any], bytes]:
    """The review (`review_view`) and the same review as a PDF: checklist, evaluation and sign-off block."""
    from reports import DocumentContext, render_report_pdf
    from workflow.engine import get_opportunity
    from workflow.evaluation import RISK_LABELS
    from workflow.rendering import company, opportunity_number
    from workflow.requirements import latest_valid

    data = review_view(session, process, opportunity_id, lang)
    opp = get_opportunity(session, opportunity_id)
    review = latest_valid(session, opportunity_id, "contract-review").document
    # dated by the state it shows (the review version and its latest sign-off), so the same state prints the same PDF
    moments = [review.created_at] if review is not None else [opp.created_at]
    moments += [s["at"] for s in data["signoffs"]]
    ctx = DocumentContext(
        opportunity_id=opp.id,
        opportunity_number=opportunity_number(opp),
        opportunity_title=opp.title,
        customer=opp.account.name,
        owner=opp.owner,
        version=data["review_version"] or 0,
        created_at=max(moments),
        author=review.author if review is not None else "",
        doc_hash=review.sha256 if review is not None else "",
        company=company(),
    )
    words = {key: text.render(lang) for key, text in PAGE_WORDS.items()}
    words["some_fail"] = PAGE_WORDS["some_fail"].render(lang).format(n=sum(not r["ok"] for r in data["rules"]))
    decided = {s["department"] for s in data["signoffs"] if not s["void"]}
    context = {
        "title": words["title"],
        "review": data,
        "W": words,
        "risk_label": {key: text.render(lang) for key, text in RISK_LABELS.items()},
        "waiting": [d for d in data["departments"] if d["id"] not in decided],
    }
    return data, render_report_pdf("compliance-review.html", context, ctx, lang)

"""The compliance gate before signing (合同审核, SPEC §4).

Pure: `evaluate()` reads the latest valid contract review and negotiation
minutes and the sign-offs on the review's version, as the caller loaded them.
It is the single reader: `kam compliance ID` prints its rules, and the `sign`
guard (the `compliance` check in the process) turns its failures into missing
requirements. The rules are one table (`RULES`) of functions over the terms.
Each rule is pass/fail with reasons a manager can act on,
one reason per problem, under a stable code:

    compliance.contract-review   there is a valid contract review (else no other rule can be read)
    compliance.configuration     chassis, announcement catalogue (公告), emissions (环保), body
    compliance.price-includes    freight / packaging / registration, as negotiated
    compliance.payment           method and timing, as negotiated
    compliance.delivery-mode     as negotiated; the vehicles can be registered in the delivery region
    compliance.delivery-cycle    not shorter than production (+ min_cycle_margin_days); as negotiated
    compliance.service           special service requests within company policy
    compliance.breach-liability  penalty and quality deposit within max_penalty_percent / max_quality_deposit_percent
    compliance.consistency       each line (model, quantity, unit price) equals the latest negotiation minutes'
    compliance.signoffs          every required department approved this version of the review

Each term the negotiation minutes also record is compared once, under the rule
of its topic, so one difference is one failure line and never two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from forms.choices import PAYMENT_METHOD, PAYMENT_TIMING
from workflow.errors import Missing
from workflow.i18n import Text, t
from workflow.rules.process import Process

REVIEW = "contract-review"
MINUTES = "negotiation-minutes"

INCLUDES = {
    "freight": t("运费", "freight"),
    "packaging": t("外包装费", "packaging"),
    "registration": t("上牌费", "registration"),
}
CONFIGURATION = {
    "chassis_confirmed": t("底盘配置未确认", "the chassis configuration is not confirmed"),
    "in_announcement_catalogue": t("车辆未列入公告", "the vehicle is not listed in the announcement catalogue (公告)"),
    "emission_compliant": t("环保（排放）未确认达标", "emission compliance (环保) is not confirmed"),
    "body_confirmed": t("上装配置未确认", "the body (上装) configuration is not confirmed"),
}


class DealLine(NamedTuple):
    """One model of a document's deal: its `lines`, or the one line of its quantity and unit price."""

    model: str
    quantity: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT)


CENT = Decimal("0.01")


class SignOffLike(Protocol):
    """A department's decision on a version of the review (a `signoffs` row)."""

    @property
    def department(self) -> str: ...
    @property
    def reviewer(self) -> str: ...
    @property
    def decision(self) -> str: ...
    @property
    def comment(self) -> str | None: ...


class LatestLike(Protocol):
    """The newest valid version of a kind, as `records.queries.latest_valid` reads it (what the rules are given)."""

    @property
    def document(self) -> Any: ...
    @property
    def form(self) -> Any: ...
    @property
    def newest_version(self) -> int | None: ...
    @property
    def problem(self) -> str | None: ...


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
    signoffs: list[Any] = field(default_factory=list)  # every decision on this review version, oldest first
    # the contract's lines and its totals beside the negotiated ones (None without a valid review / minutes)
    lines: list[DealLine] = field(default_factory=list)
    contract_total: tuple[int, Decimal] | None = None
    negotiated_total: tuple[int, Decimal] | None = None

    def totals(self) -> dict[str, Any]:
        """`--json`'s `totals`: vehicles and 元 of the contract and of the latest negotiation minutes."""

        def plain(total: tuple[int, Decimal] | None) -> dict[str, Any] | None:
            return None if total is None else {"quantity": total[0], "amount": float(total[1])}

        return {"contract": plain(self.contract_total), "negotiated": plain(self.negotiated_total)}

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
                    out.append(
                        Missing(rule.code, t(f"{rule.title.zh}：{reason.zh}", f"{rule.title.en}: {reason.en}"), command)
                    )
        return out


def current(signoffs: Sequence[SignOffLike]) -> dict[str, SignOffLike]:
    """The latest decision of each department among `signoffs` (oldest first)."""
    return {s.department: s for s in signoffs}


@dataclass(frozen=True)
class Terms:
    """What every rule reads: the review's terms beside the latest negotiation minutes' (None when there are none)."""

    opportunity_id: int
    review: dict[str, Any]
    review_version: int
    minutes: dict[str, Any] | None
    minutes_version: int | None
    limits: dict[str, float]
    process: Process
    signoffs: dict[str, SignOffLike]  # the latest decision of each department on this review version

    @property
    def source(self) -> Text:
        return t(f"谈判纪要 v{self.minutes_version}", f"谈判纪要 v{self.minutes_version}")

    @property
    def fill(self) -> str:
        return f"kam doc fill {self.opportunity_id} {REVIEW} --file FILE"

    def differs(self, key: str, same: Callable[[Any, Any], bool] = lambda a, b: a == b) -> tuple[Any, Any] | None:
        """(contract, negotiated) when the minutes record `key` differently, else None."""
        if self.minutes is None:
            return None
        ours, theirs = self.review[key], self.minutes[key]
        return None if same(ours, theirs) else (ours, theirs)


class Verdict(NamedTuple):
    """What one rule found: a reason per problem, the terms it read, and the fix (default: fill the review again)."""

    reasons: list[Text]
    detail: Text | None
    command: str | None = None
    commands: tuple[str, ...] = ()


def _configuration(terms: Terms) -> Verdict:
    config = terms.review["configuration"]
    confirmed = t("底盘、公告、环保、上装均已确认", "chassis, announcement catalogue, emissions and body confirmed")
    return Verdict(
        [text for key, text in CONFIGURATION.items() if not config[key]], confirmed if all(config.values()) else None
    )


def _included(flags: dict[str, bool]) -> Text:
    yes = [INCLUDES[k] for k in INCLUDES if flags[k]]
    no = [INCLUDES[k] for k in INCLUDES if not flags[k]]
    zh = (
        ("含" + "、".join(x.zh for x in yes) if yes else "")
        + ("；" if yes and no else "")
        + ("不含" + "、".join(x.zh for x in no) if no else "")
    )
    en = (
        ("includes " + ", ".join(x.en for x in yes) if yes else "")
        + ("; " if yes and no else "")
        + ("excludes " + ", ".join(x.en for x in no) if no else "")
    )
    return t(zh, en)


def _price_includes(terms: Terms) -> Verdict:
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
    return Verdict(reasons, _included(ours))


def _payment(terms: Terms) -> Verdict:
    reasons = []
    for key, names, what in (
        ("payment_method", PAYMENT_METHOD.labels, t("付款方式", "payment method")),
        ("payment_timing", PAYMENT_TIMING.labels, t("付款时间", "payment timing")),
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
    method, timing = (
        PAYMENT_METHOD.labels[terms.review["payment_method"]],
        PAYMENT_TIMING.labels[terms.review["payment_timing"]],
    )
    return Verdict(reasons, t(f"{method.zh}，{timing.zh}", f"{method.en}, {timing.en}"))


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _delivery_mode(terms: Terms) -> Verdict:
    reasons = []
    if not terms.review["registration_possible_in_region"]:
        reasons.append(
            t(
                "交货区域不能正常上牌：更换交货区域或落实上牌办法后再签",
                "the vehicles cannot be registered in the delivery region: change the region or settle the "
                "registration first",
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
    return Verdict(reasons, t(terms.review["delivery_mode"], terms.review["delivery_mode"]))


def _delivery_cycle(terms: Terms) -> Verdict:
    promised, production = terms.review["delivery_cycle_days"], terms.review["production_cycle_days"]
    margin = terms.limits.get("min_cycle_margin_days", 0)
    needed = production + margin
    reasons = []
    if promised < needed:
        plus_zh = f"，另加 {margin:g} 天余量（min_cycle_margin_days）" if margin else ""
        plus_en = f" plus a margin of {margin:g} days (min_cycle_margin_days)" if margin else ""
        reasons.append(
            t(
                f"合同承诺 {promised} 天交货，生产需要 {production} 天{plus_zh}：延长交货周期或确认能提前排产",
                f"delivery promised in {promised} days, production needs {production}{plus_en}: lengthen the delivery "
                "cycle or confirm earlier production",
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
    return Verdict(
        reasons,
        t(f"交货 {promised} 天，生产 {production} 天", f"delivery {promised} days, production {production} days"),
    )


def _service(terms: Terms) -> Verdict:
    requests = terms.review.get("special_service_requests") or ""
    detail = t(requests, requests) if requests else t("无特殊服务要求", "no special service requests")
    if terms.review["service_within_policy"]:
        return Verdict([], detail)
    what = f"「{requests}」" if requests else ""
    what_en = f" «{requests}»" if requests else ""
    return Verdict(
        [
            t(
                f"特殊服务要求{what}超出公司服务政策：报批或从合同中删除",
                f"the special service requests{what_en} are outside company policy: "
                "get them approved or take them out of the contract",
            )
        ],
        detail,
    )


def _breach_liability(terms: Terms) -> Verdict:
    penalty, deposit = terms.review["penalty_percent"], terms.review["quality_deposit"]
    total = float(deal_total(terms.review)[1])
    share = 100 * deposit / total
    reasons = []
    limit = terms.limits.get("max_penalty_percent")
    if limit is not None and penalty > limit:
        reasons.append(
            t(
                f"违约赔偿比例 {penalty:g}% 超过公司上限 {limit:g}%（max_penalty_percent）：重新谈判违约条款",
                f"penalty {penalty:g}% exceeds the company limit of {limit:g}% (max_penalty_percent): renegotiate the "
                "breach clause",
            )
        )
    limit = terms.limits.get("max_quality_deposit_percent")
    if limit is not None and share > limit + 1e-9:
        reasons.append(
            t(
                f"质保金 {deposit:,.0f} 元占合同总价 {share:.1f}%，超过公司上限 "
                f"{limit:g}%（max_quality_deposit_percent）",
                f"quality deposit {deposit:,.0f} yuan is {share:.1f}% of the contract total, "
                f"above the company limit of {limit:g}% (max_quality_deposit_percent)",
            )
        )
    detail = t(
        f"违约赔偿 {penalty:g}%，质保金 {deposit:,.0f} 元（{share:.1f}%）",
        f"penalty {penalty:g}%, quality deposit {deposit:,.0f} yuan ({share:.1f}%)",
    )
    return Verdict(reasons, detail)


def deal_lines(document: dict[str, Any]) -> list[DealLine]:
    """The lines of a minutes or contract review (`model_dump()`); without `lines`, one line named by its product."""
    if document.get("lines"):
        return [
            DealLine(" ".join(str(line["model"]).split()), line["quantity"], _price(line["unit_price"]))
            for line in document["lines"]
        ]
    return [
        DealLine(
            " ".join(str(document.get("product") or "").split()), document["quantity"], _price(document["unit_price"])
        )
    ]


def deal_total(document: dict[str, Any]) -> tuple[int, Decimal]:
    """(vehicles, 元) of a minutes or contract review: Σ quantity and Σ quantity × unit price of its lines."""
    lines = deal_lines(document)
    return sum(line.quantity for line in lines), sum((line.amount for line in lines), Decimal(0))


def _price(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(CENT)


def _yuan(value: Decimal) -> str:
    """368,000 or 368,000.50: whole 元 without the fen, as people say a price."""
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def _consistency(terms: Terms) -> Verdict:
    if terms.minutes is None:
        missing = t("还没有谈判纪要，无法核对合同条款", "there are no negotiation minutes to compare the contract with")
        return Verdict([missing], None, f"kam doc fill {terms.opportunity_id} {MINUTES} --file FILE")
    ours, theirs = deal_lines(terms.review), deal_lines(terms.minutes)
    src = terms.source
    if len(ours) == 1 and len(theirs) == 1:
        reasons = _one_line(ours[0], theirs[0], src)
    else:
        reasons = _by_model(ours, theirs, src)
    (count, total), (n_count, n_total) = deal_total(terms.review), deal_total(terms.minutes)
    if len(ours) == 1:
        r = ours[0]
        detail = t(
            f"{r.quantity} 台 × {r.unit_price:,.2f} 元，合计 {total:,.2f} 元；{src.zh} {n_count} 台，{n_total:,.2f} 元",
            f"{r.quantity} × {r.unit_price:,.2f} yuan, {total:,.2f} yuan in all; {src.en} {n_count} vehicles, "
            f"{n_total:,.2f} yuan",
        )
    else:
        zh = "；".join(f"{line.model} {line.quantity} 台 × {_yuan(line.unit_price)}" for line in ours)
        en = "; ".join(f"{line.model} {line.quantity} × {_yuan(line.unit_price)}" for line in ours)
        detail = t(
            f"{zh}，合计 {count} 台 {total:,.2f} 元；{src.zh} {n_count} 台，{n_total:,.2f} 元",
            f"{en}: {count} vehicles, {total:,.2f} yuan in all; {src.en} {n_count} vehicles, {n_total:,.2f} yuan",
        )
    return Verdict(reasons, detail)


def _one_line(ours: DealLine, theirs: DealLine, src: Text) -> list[Text]:
    """A deal of one model on both sides: quantity and unit price compared, as before documents had lines."""
    reasons = []
    if ours.quantity != theirs.quantity:
        reasons.append(
            t(
                f"合同数量 {ours.quantity} 台与谈判约定的 {theirs.quantity} 台不一致（{src.zh}）",
                f"contract quantity {ours.quantity} differs from the negotiated {theirs.quantity} ({src.en})",
            )
        )
    if ours.unit_price != theirs.unit_price:
        reasons.append(
            t(
                f"合同单价 {ours.unit_price:,.2f} 元与谈判约定的 {theirs.unit_price:,.2f} 元不一致（{src.zh}）",
                f"contract unit price {ours.unit_price:,.2f} yuan differs from the negotiated "
                f"{theirs.unit_price:,.2f} ({src.en})",
            )
        )
    return reasons


def _by_model(ours: list[DealLine], theirs: list[DealLine], src: Text) -> list[Text]:
    """Several models: each contract line against the negotiated line of its model, one reason per difference."""
    left = list(theirs)
    reasons = []
    for line in ours:
        match = next((n for n in left if n.model == line.model), None)
        if match is None:
            reasons.append(
                t(
                    f"合同车型「{line.model}」（{line.quantity} 台）不在谈判约定中（{src.zh}）",
                    f"the contract's model «{line.model}» ({line.quantity}) was not negotiated ({src.en})",
                )
            )
            continue
        left.remove(match)
        if line.quantity != match.quantity:
            reasons.append(
                t(
                    f"{line.model} 数量 {line.quantity} 台 ≠ 谈判约定 {match.quantity} 台（{src.zh}）",
                    f"{line.model}: quantity {line.quantity} ≠ negotiated {match.quantity} ({src.en})",
                )
            )
        if line.unit_price != match.unit_price:
            reasons.append(
                t(
                    f"{line.quantity} 台 {line.model} 单价 {_yuan(line.unit_price)} ≠ "
                    f"谈判约定 {_yuan(match.unit_price)}（{src.zh}）",
                    f"{line.quantity} {line.model}: unit price {_yuan(line.unit_price)} ≠ negotiated "
                    f"{_yuan(match.unit_price)} ({src.en})",
                )
            )
    for rest in left:
        reasons.append(
            t(
                f"谈判约定的车型「{rest.model}」（{rest.quantity} 台）不在合同中（{src.zh}）",
                f"the negotiated model «{rest.model}» ({rest.quantity}) is not in the contract ({src.en})",
            )
        )
    return reasons


def _signoffs(terms: Terms) -> Verdict:
    reasons, commands, done = [], [], []
    opp, version = terms.opportunity_id, terms.review_version
    for dept in terms.process.departments:
        signoff = terms.signoffs.get(dept)
        zh, en = terms.process.department_label(dept, "zh"), terms.process.department_label(dept, "en")
        if signoff is None:
            reasons.append(t(f"{zh}尚未审批合同审核表 v{version}", f"{en} has not approved contract review v{version}"))
            commands.append(f"kam review approve {opp} --department {dept}")
        elif signoff.decision != "approve":
            reasons.append(
                t(
                    f"{zh}（{signoff.reviewer}）驳回：{signoff.comment}",
                    f"{en} ({signoff.reviewer}) rejected: {signoff.comment}",
                )
            )
            commands.append(f"kam review approve {opp} --department {dept}")
        else:
            done.append((zh, en, signoff.reviewer))
    detail = (
        t("；".join(f"{zh} {who}" for zh, _, who in done), "; ".join(f"{en} {who}" for _, en, who in done))
        if done
        else None
    )
    return Verdict(reasons, detail, f"kam review approve {opp} --department DEPT", tuple(commands))


class Rule(NamedTuple):
    suffix: str  # the code is "compliance.<suffix>"
    title: Text
    check: Callable[[Terms], Verdict]


# Every rule of SPEC §4, in its order: a new rule is one function and one line here.
RULES: tuple[Rule, ...] = (
    Rule("configuration", t("车辆配置", "Vehicle configuration"), _configuration),
    Rule("price-includes", t("价格包含", "What the price includes"), _price_includes),
    Rule("payment", t("付款方式", "Payment"), _payment),
    Rule("delivery-mode", t("交货方式", "Delivery mode"), _delivery_mode),
    Rule("delivery-cycle", t("交货周期", "Delivery cycle"), _delivery_cycle),
    Rule("service", t("服务要求", "Service requests"), _service),
    Rule("breach-liability", t("违约责任", "Breach liability"), _breach_liability),
    Rule("consistency", t("与谈判纪要一致", "Consistency with the negotiation minutes"), _consistency),
    Rule("signoffs", t("部门会签", "Departmental sign-offs"), _signoffs),
)


def evaluate(
    process: Process, opportunity_id: int, review: LatestLike, minutes: LatestLike, signoffs: Sequence[SignOffLike]
) -> ComplianceReport:
    """Every rule of SPEC §4 on the latest valid contract review (`signoffs`: those on its version, oldest first)."""
    if review.form is None:
        reason = (
            t("还没有合同审核表", "there is no contract review yet")
            if review.newest_version is None
            else t(
                f"合同审核表 v{review.newest_version} 不符合当前格式：{review.problem}",
                f"contract review v{review.newest_version} no longer validates: {review.problem}",
            )
        )
        report = ComplianceReport(opportunity_id, None)
        fill = f"kam doc fill {opportunity_id} {REVIEW} --file FILE"
        report.rules.append(
            RuleResult("compliance.contract-review", t("合同审核表", "Contract review"), False, (reason,), fill)
        )
        return report
    version = review.document.version
    report = ComplianceReport(opportunity_id, version, documents={REVIEW: version}, contract_no=review.form.contract_no)
    report.minutes_version = minutes.document.version if minutes.document is not None else None
    report.signoffs = list(signoffs)
    terms = Terms(
        opportunity_id,
        review.form.model_dump(),
        version,
        minutes.form.model_dump() if minutes.form is not None else None,
        report.minutes_version,
        process.limits,
        process,
        current(signoffs),
    )
    report.lines = deal_lines(terms.review)
    report.contract_total = deal_total(terms.review)
    report.negotiated_total = deal_total(terms.minutes) if terms.minutes is not None else None
    for rule in RULES:
        verdict = rule.check(terms)
        report.rules.append(
            RuleResult(
                f"compliance.{rule.suffix}",
                rule.title,
                not verdict.reasons,
                tuple(verdict.reasons),
                verdict.command or terms.fill,
                verdict.detail,
                verdict.commands,
            )
        )
    return report

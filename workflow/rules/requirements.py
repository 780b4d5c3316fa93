"""Evaluating the requirement table: the one reader behind both the guard and `kam opp check`.

Pure: `evaluate()` reads the facts the caller loaded (`needs()` says which) and
returns every unmet requirement of a stage's forward trigger, each with a stable
code, a message and the command that supplies it, plus the document versions
that satisfied the rest (written to the history).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import forms
import forms.base
from workflow.errors import Missing
from workflow.i18n import t
from workflow.rules.compliance import REVIEW, ComplianceReport, LatestLike
from workflow.rules.process import Requirement, Stage
from workflow.values.writing import value_text

PROFILE_FIELDS = {
    "type": ("客户性质", "type", "--type"),
    "account_class": ("客户分类", "class", "--class"),
    "industry": ("行业", "industry", "--industry"),
    "fleet_size": ("车辆保有量", "fleet size", "--fleet-size"),
}


@dataclass(frozen=True)
class Needs:
    """Which facts evaluating a stage's requirements reads."""

    account: bool = False
    contacts: bool = False
    kinds: tuple[str, ...] = ()
    compliance: bool = False


@dataclass(frozen=True)
class Facts:
    """What the requirements are evaluated over, loaded by the caller (`operations.moves.facts`)."""

    opportunity_id: int
    account_id: int
    account: Any = None  # the account (.id, .name and the PROFILE_FIELDS), when `Needs.account`
    contacts: int = 0
    documents: dict[str, LatestLike] = field(default_factory=dict)
    compliance: ComplianceReport | None = None


@dataclass
class Evaluation:
    missing: list[Missing] = field(default_factory=list)
    documents: dict[str, int] = field(default_factory=dict)  # kind -> version that satisfied a requirement

    @property
    def ok(self) -> bool:
        return not self.missing


def needs(stage: Stage) -> Needs:
    """The facts `stage`'s requirements read."""
    checks = {r.check for r in stage.requires}
    kinds = tuple(dict.fromkeys(r.document for r in stage.requires if r.document))
    return Needs(
        account="account-profile" in checks,
        contacts="account-contact" in checks,
        kinds=kinds,
        compliance="compliance" in checks,
    )


def documents_needed(stage: Stage) -> list[str]:
    """The document kinds leaving `stage` needs, the contract review of a compliance check included."""
    need = needs(stage)
    return [*need.kinds, *([REVIEW] if need.compliance else [])]


def evaluate(stage: Stage, facts: Facts) -> Evaluation:
    """Every unmet requirement for leaving `stage`."""
    result = Evaluation()
    for req in stage.requires:
        if req.check == "account-profile":
            _check_profile(facts, result)
        elif req.check == "account-contact":
            _check_contact(facts, result)
        elif req.check == "compliance":
            assert facts.compliance is not None
            result.missing.extend(facts.compliance.missing())
            result.documents.update(facts.compliance.documents)
        elif req.document:
            _check_document(facts, req, result)
    return result


def _check_profile(facts: Facts, result: Evaluation) -> None:
    account = facts.account
    absent = [key for key in PROFILE_FIELDS if getattr(account, key) in (None, "")]
    if absent:
        zh = "、".join(PROFILE_FIELDS[k][0] for k in absent)
        en = ", ".join(PROFILE_FIELDS[k][1] for k in absent)
        options = " ".join(f"{PROFILE_FIELDS[k][2]} ..." for k in absent)
        result.missing.append(
            Missing(
                "account-profile",
                t(
                    f"客户 {account.name} 档案不完整，缺少：{zh}",
                    f"account {account.name} profile is incomplete, missing: {en}",
                ),
                f"kam account edit {account.id} {options}",
            )
        )


def _check_contact(facts: Facts, result: Evaluation) -> None:
    if not facts.contacts:
        result.missing.append(
            Missing(
                "account-contact",
                t("客户还没有联系人：至少登记一位", "the account has no contact yet: add at least one"),
                f"kam contact add {facts.account_id} NAME --title TITLE --role ROLE",
            )
        )


def _check_document(facts: Facts, req: Requirement, result: Evaluation) -> None:
    kind = req.document
    assert kind is not None
    title_zh, title_en = forms.title(kind, "zh"), forms.title(kind, "en")
    fill = f"kam doc fill {facts.opportunity_id} {kind} --file FILE"
    latest = facts.documents[kind]
    if latest.form is None:
        if latest.newest_version is None:
            result.missing.append(
                Missing(f"{kind}.missing", t(f"缺少《{title_zh}》({kind})", f"missing the {title_en} ({kind})"), fill)
            )
        else:
            result.missing.append(
                Missing(
                    f"{kind}.invalid",
                    t(
                        f"《{title_zh}》v{latest.newest_version} 不符合当前格式：{latest.problem}；请重新填写",
                        f"the {title_en} v{latest.newest_version} no longer validates: {latest.problem}; fill it again",
                    ),
                    fill,
                )
            )
        return
    version = latest.document.version
    if req.field is not None:
        actual: Any = getattr(latest.form, req.field, None)
        if actual != req.equals:
            info = type(latest.form).model_fields.get(req.field)
            zh, en = (forms.base.label(info, "zh", req.field), forms.base.label(info, "en", req.field)) if info else (
                req.field,
                req.field,
            )
            wanted, found = value_text(req.equals), value_text(actual)  # 是/否, never True/False
            message = req.message or t(
                f"《{title_zh}》的“{zh}”({req.field}) 须为“{wanted.zh}”",
                f"the {title_en}'s {en} ({req.field}) must be {wanted.en}",
            )
            result.missing.append(
                Missing(
                    f"{kind}.{req.field}",
                    t(
                        f"{message.zh}（当前 v{version} 为“{found.zh}”）",
                        f"{message.en} (v{version} has {found.en})",
                    ),
                    fill,
                )
            )
            return
    result.documents[kind] = version

"""Evaluating the requirement table: the one reader behind both the guard and `kam opp check`.

`evaluate()` returns every unmet requirement of a stage's forward trigger, each
with a stable code, a message and the command that supplies it, plus the
document versions that satisfied the rest (written to the history).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import Session

from workflow import tables
from workflow.errors import Missing
from workflow.i18n import t
from workflow.models import Account, Contact, Opportunity
from workflow.process import Process, Requirement, Stage

if TYPE_CHECKING:
    from forms.base import Form

PROFILE_FIELDS = {
    "type": ("客户性质", "type", "--type"),
    "account_class": ("客户分类", "class", "--class"),
    "industry": ("行业", "industry", "--industry"),
    "fleet_size": ("车辆保有量", "fleet size", "--fleet-size"),
}


@dataclass
class Evaluation:
    missing: list[Missing] = field(default_factory=list)
    documents: dict[str, int] = field(default_factory=dict)  # kind -> version that satisfied a requirement

    @property
    def ok(self) -> bool:
        return not self.missing


# Built once (the guard runs it on every advance): newest version first, as plain rows.
_VERSIONS = (
    select(tables.documents)
    .where(tables.documents.c.opportunity_id == bindparam("opportunity_id"), tables.documents.c.kind == bindparam("kind"))
    .order_by(tables.documents.c.version.desc())
)


@dataclass(frozen=True)
class LatestValid:
    """The newest version of a kind that validates against today's schema."""

    document: Row[Any] | None  # the `documents` row: .id, .kind, .version, .data, .author, .created_at, .sha256
    form: Form | None
    newest_version: int | None  # the newest stored version, valid or not
    problem: str | None  # why the newest version does not validate, if it does not


def latest_valid(session: Session, opportunity_id: int, kind: str) -> LatestValid:
    """Read as Core rows, not ORM objects: the guard needs the values, and loading objects was a third of its time."""
    import forms

    if session.new:  # a document added in this session but not yet written must count
        session.flush()
    rows = session.connection().execute(_VERSIONS, {"opportunity_id": opportunity_id, "kind": kind}).all()
    problem = None
    for doc in rows:
        try:
            return LatestValid(doc, forms.validate(kind, doc.data), rows[0].version, problem)
        except forms.FormInvalid as exc:
            if problem is None:
                problem = "; ".join(e.render("en") for e in exc.errors[:3])
    return LatestValid(None, None, rows[0].version if rows else None, problem)


def evaluate(session: Session, process: Process, opp: Opportunity, stage: Stage | None = None) -> Evaluation:
    """Every unmet requirement for leaving `stage` (default: the opportunity's current stage)."""
    stage = stage or process.by_id.get(opp.stage)
    result = Evaluation()
    if stage is None:
        return result
    for req in stage.requires:
        if req.check == "account-profile":
            _check_profile(session, opp, result)
        elif req.check == "account-contact":
            _check_contact(session, opp, result)
        elif req.check == "compliance":
            from workflow.compliance import evaluate as compliance

            report = compliance(session, process, opp)
            result.missing.extend(report.missing())
            result.documents.update(report.documents)
        elif req.document:
            _check_document(session, opp, req, result)
    return result


def _check_profile(session: Session, opp: Opportunity, result: Evaluation) -> None:
    account = session.get(Account, opp.account_id)
    absent = [key for key in PROFILE_FIELDS if getattr(account, key) in (None, "")]
    if absent:
        zh = "、".join(PROFILE_FIELDS[k][0] for k in absent)
        en = ", ".join(PROFILE_FIELDS[k][1] for k in absent)
        options = " ".join(f"{PROFILE_FIELDS[k][2]} ..." for k in absent)
        result.missing.append(
            Missing(
                "account-profile",
                t(f"客户 {account.name} 档案不完整，缺少：{zh}", f"account {account.name} profile is incomplete, missing: {en}"),
                f"kam account edit {account.id} {options}",
            )
        )


def _check_contact(session: Session, opp: Opportunity, result: Evaluation) -> None:
    count = session.scalar(select(func.count()).select_from(Contact).where(Contact.account_id == opp.account_id))
    if not count:
        result.missing.append(
            Missing(
                "account-contact",
                t("客户还没有联系人：至少登记一位", "the account has no contact yet: add at least one"),
                f"kam contact add {opp.account_id} NAME --title TITLE --role ROLE",
            )
        )


def _check_document(session: Session, opp: Opportunity, req: Requirement, result: Evaluation) -> None:
    import forms

    kind = req.document
    assert kind is not None
    title_zh, title_en = forms.title(kind, "zh"), forms.title(kind, "en")
    fill = f"kam doc fill {opp.id} {kind} --file FILE"
    latest = latest_valid(session, opp.id, kind)
    if latest.form is None:
        if latest.newest_version is None:
            result.missing.append(
                Missing(
                    f"{kind}.missing",
                    t(f"缺少《{title_zh}》({kind})", f"missing the {title_en} ({kind})"),
                    fill,
                )
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
    assert latest.document is not None
    version = latest.document.version
    if req.field is not None:
        actual: Any = getattr(latest.form, req.field, None)
        if actual != req.equals:
            message = req.message or t(
                f"《{title_zh}》的 {req.field} 须为 {req.equals!r}", f"the {title_en}'s {req.field} must be {req.equals!r}"
            )
            result.missing.append(
                Missing(
                    f"{kind}.{req.field}",
                    t(f"{message.zh}（当前 v{version} 为 {actual!r}）", f"{message.en} (v{version} has {actual!r})"),
                    fill,
                )
            )
            return
    result.documents[kind] = version

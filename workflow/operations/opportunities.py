"""Opening an opportunity (商机) at the first stage, and editing what people really edit of it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from workflow.errors import InvalidInput, Refused
from workflow.i18n import t
from workflow.operations import payments
from workflow.records import chain, queries, roster
from workflow.records.models import Opportunity, utcnow
from workflow.records.queries import get_account
from workflow.rules import values
from workflow.rules.audit import CREATED
from workflow.rules.process import LOST, Process
from workflow.values.money import parse_amount
from workflow.values.names import normalize_name

OWNER = t("负责人 (--owner)", "owner (--owner)")
BUDGET = t("预算 (--budget)", "budget (--budget)")


def roster_owner(connection: Connection, owner: str) -> str:
    """The owner as the roster spells them; once the roster is in use, refused unless an enabled person on it."""
    if not roster.in_use(connection):
        return owner
    user = roster.find(connection, owner)
    if user is None:
        raise Refused(
            t(
                f"负责人 {owner} 不在用户名单上：请管理员先 kam user add {owner}，"
                "或换一位名单上的负责人（kam user list）",
                f"the owner {owner} is not on the roster: an admin adds them with kam user add {owner}, or choose "
                "an owner from kam user list",
            ),
            [],
        )
    if not user.enabled:
        raise Refused(
            t(
                f"负责人 {user.name} 已停用：请换一位负责人（kam user list）",
                f"the owner {user.name} is disabled: choose another owner (kam user list)",
            ),
            [],
        )
    return user.name


def new_opportunity(
    session: Session,
    process: Process,
    account_id: int,
    title: str,
    *,
    owner: str,
    actor: str,
    quantity: int | None = None,
    budget: Decimal | str | None = None,
    expected_close: dt.date | None = None,
) -> Opportunity:
    """Open a deal at the first stage, with its first history row."""
    get_account(session, account_id)
    owner = roster_owner(session.connection(), normalize_name(owner, OWNER))
    now = utcnow()
    opp = Opportunity(
        account_id=account_id,
        title=values.required_text("title (标题)", title, limit=200),
        owner=owner,
        stage=process.first.id,
        stage_entered_at=now,
        quantity=values.count("quantity", quantity, zero_ok=False),
        # one rule for every way in (NaN, Infinity, 1e20 refused): SQLite and PostgreSQL hold the same values
        budget=None if budget is None else parse_amount(budget, BUDGET),
        expected_close=expected_close,
        created_by=actor,
        created_at=now,
        last_activity_at=now,
    )
    opp.amount = opp.budget  # until a proposal prices the deal (operations.payments)
    session.add(opp)
    session.flush()
    # every fact the opportunity starts with: the audit replays the opportunity from its history (`rules.audit`)
    detail = {key: _plain(getattr(opp, key)) for key in CREATED}
    chain.append(session, opp.id, actor=actor, action="create", to_stage=opp.stage, at=now, detail=detail, touch=False)
    return opp


# What `kam opp edit` changes, in the order the history lists them.
EDITABLE = ("title", "owner", "quantity", "budget", "expected_close")


def _plain(value: Any) -> Any:
    """A field's value as the history records it (JSON: amounts as text, dates ISO)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def edit_opportunity(
    session: Session,
    process: Process,
    opportunity_id: int,
    *,
    actor: str,
    expected_version: int | None = None,
    **given: Any,
) -> dict[str, list[Any]]:
    """Change the fields given (None: unchanged); one history row `edit` with each field's [old, new].

    Returns the changes ({} when every value given is the one already stored: nothing is written).
    """
    unknown = sorted(set(given) - set(EDITABLE))
    if unknown:
        raise InvalidInput(t(f"商机没有可修改的字段 {unknown}", f"opportunities have no editable field {unknown}"))
    asked = {key: value for key, value in given.items() if value is not None}
    if not asked:
        raise InvalidInput(
            t(
                "没有要修改的内容：至少给出 --title、--owner、--quantity、--budget、--expected-close 之一",
                "nothing to change: give at least one of --title, --owner, --quantity, --budget, --expected-close",
            )
        )
    checked: dict[str, Any] = {}
    if "title" in asked:
        checked["title"] = values.required_text("title (标题)", asked["title"], limit=200)
    if "owner" in asked:
        checked["owner"] = roster_owner(session.connection(), normalize_name(asked["owner"], OWNER))
    if "quantity" in asked:
        checked["quantity"] = values.count("quantity", asked["quantity"], zero_ok=False)
    if "budget" in asked:
        checked["budget"] = parse_amount(asked["budget"], BUDGET)  # the one rule for an amount (issue 12)
    if "expected_close" in asked:
        checked["expected_close"] = asked["expected_close"]
    opp = queries.lock(session, opportunity_id, expected_version)
    if "owner" in checked and opp.stage == LOST and checked["owner"] != opp.owner:
        raise Refused(
            t(
                f"商机 {opp.id} 已丢单，不能更换负责人：如需继续跟进，先 kam opp reopen {opp.id}",
                f"opportunity {opp.id} is lost; its owner cannot change: kam opp reopen {opp.id} first to follow it up",
            ),
            [],
        )
    if "quantity" in checked and opp.signed_at is not None and checked["quantity"] != opp.quantity:
        raise Refused(
            t(
                f"商机 {opp.id} 的合同已签订，数量以合同为准（{opp.quantity} 台）：如需变更，先 kam opp amend {opp.id} "
                "--reason 原因",
                f"opportunity {opp.id} is signed; its quantity is the contract's ({opp.quantity}): to change it, run "
                f"kam opp amend {opp.id} --reason R first",
            ),
            [],
        )
    changes = {
        key: [_plain(opp._mapping[key]), _plain(value)]
        for key, value in checked.items()
        if _plain(opp._mapping[key]) != _plain(value)
    }
    if not changes:
        return {}
    now = utcnow()
    queries.write(session, opp, {key: checked[key] for key in changes}, now)
    chain.append(session, opp.id, actor=actor, action="edit", at=now, detail={"changes": changes}, touch=False)
    if "budget" in changes:
        payments.refresh(session, opp.id)  # a deal priced by its budget alone follows it
    return changes

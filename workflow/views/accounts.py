"""What `kam account ...` prints: accounts and contacts (stable `--json` shapes), and which accounts are due for review.

Freshness (seed 000): an account's stable data (profile, people) is reviewed
quarterly, so an account not reviewed for `STALE_DAYS` (90) is listed by
`stale_accounts`; `kam account edit ID --reviewed` confirms it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.records import queries
from workflow.records.models import Account, Contact, utcnow

STALE_DAYS = 90

# What a person calls each field of an account or a contact, where a change to it is shown.
FIELD_LABELS: dict[str, Text] = {
    "name": t("姓名", "name"),
    "department": t("部门", "department"),
    "title": t("职务", "title"),
    "role": t("角色", "role"),
    "influence": t("影响力", "influence"),
    "stance": t("态度", "stance"),
    "phone": t("电话", "phone"),
    "removed_at": t("移除于", "removed at"),
    "type": t("性质", "type"),
    "class": t("分类", "class"),
    "size": t("规模", "size"),
    "market": t("市场", "market"),
    "industry": t("行业", "industry"),
    "fleet_size": t("保有量", "fleet size"),
    "main_brands": t("主要品牌", "main brands"),
    "region": t("区域", "region"),
    "address": t("地址", "address"),
}


def field_label(key: str, lang: str = "zh") -> str:
    return FIELD_LABELS[key].render(lang) if key in FIELD_LABELS else key


def contact(c: Contact) -> dict[str, Any]:
    return {
        "id": c.id,
        "account_id": c.account_id,
        "name": c.name,
        "department": c.department,
        "title": c.title,
        "role": c.role,
        "influence": c.influence,
        "stance": c.stance,
        "phone": c.phone,
        "removed_at": c.removed_at,
    }


def account(a: Account, *, with_contacts: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": a.id,
        "name": a.name,
        "type": a.type,
        "size": a.size,
        "class": a.account_class,
        "market": a.market,
        "industry": a.industry,
        "fleet_size": a.fleet_size,
        "main_brands": a.main_brands,
        "region": a.region,
        "address": a.address,
        "reviewed_at": a.reviewed_at,
        "created_at": a.created_at,
    }
    if with_contacts:
        out["contacts"] = [contact(c) for c in a.contacts if c.removed_at is None]  # removed: in the history only
    return out


def history(session: Session, account_id: int) -> list[dict[str, Any]]:
    """The account's ledger rows, oldest first: who changed what (`changes`: {field: [old, new]}) and when."""
    out = []
    for row in queries.ledger_history(session, "account", account_id):
        detail = row.detail or {}
        fields = detail.get("fields") or {}
        out.append(
            {
                "seq": row.seq,
                "at": row.at,
                "actor": row.actor,
                "action": row.action,
                "entity": detail.get("entity"),
                "entity_id": detail.get("id"),
                "name": fields.get("name"),
                "changes": detail.get("changes") or {},
            }
        )
    return out


@dataclass(frozen=True)
class StaleAccount:
    id: int
    name: str
    account_class: str | None
    reviewed_at: dt.datetime | None
    days: int | None  # since the last review; None when never reviewed

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "class": self.account_class,
            "reviewed_at": self.reviewed_at,
            "days_since_review": self.days,
        }


def stale_accounts(session: Session, *, days: int = STALE_DAYS, now: dt.datetime | None = None) -> list[StaleAccount]:
    """Accounts whose stable data was not reviewed in `days` days (never-reviewed first, then oldest)."""
    if days < 1:
        raise InvalidInput(t(f"天数须为正整数，收到 {days}", f"--days must be a positive number, got {days}"))
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=days)
    rows = session.execute(
        select(Account.id, Account.name, Account.account_class, Account.reviewed_at)
        .where(or_(Account.reviewed_at.is_(None), Account.reviewed_at < cutoff))
        .order_by(Account.reviewed_at.is_not(None), Account.reviewed_at, Account.id)
    ).all()
    return [StaleAccount(i, n, c, r, (now - r).days if r else None) for i, n, c, r in rows]

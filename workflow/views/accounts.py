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
from workflow.i18n import t
from workflow.records.models import Account, Contact, utcnow

STALE_DAYS = 90


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
        out["contacts"] = [contact(c) for c in a.contacts]
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

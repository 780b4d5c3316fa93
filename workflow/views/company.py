"""The company's letterhead as documents print it and `kam company show` shows it (Core only: no ORM).

The stored letterhead (`kam company set`) wins; without one, `KAM_COMPANY` names the
company; without that, the built-in default (`reports.context.Letterhead()`), which
`kam doctor` points out.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Connection

from reports.context import Letterhead
from workflow.i18n import Text, t
from workflow.operations.company import SETTINGS
from workflow.operations.company import current as stored_company
from workflow.records import blobs, ledger

# Where the letterhead comes from, as `kam company show` and `kam doctor` say it.
SOURCES: dict[str, Text] = {
    "database": t(
        "已由 kam company set 设置（保存在数据库中，团队共用）", "set with kam company set (in the database, shared)"
    ),
    "KAM_COMPANY": t(
        "来自环境变量 KAM_COMPANY：用 kam company set 保存到数据库", "from KAM_COMPANY: kam company set stores it"
    ),
    "default": t(
        "内置默认值：用 kam company set --name 名称 --address 地址 --logo 标志.png 设置本公司信息",
        "the built-in default: set yours with kam company set --name NAME --address ADDRESS --logo logo.png",
    ),
}


def letterhead_source(connection: Connection) -> str:
    """Where the letterhead comes from: "database" (`kam company set`), "KAM_COMPANY", or "default" (built in)."""
    if stored_company(connection) is not None:
        return "database"
    return "KAM_COMPANY" if os.environ.get("KAM_COMPANY") else "default"


def letterhead(connection: Connection) -> Letterhead:
    """The company as every PDF prints it: stored (`kam company set`), else KAM_COMPANY, else the built-in default."""
    row = stored_company(connection)
    if row is None:
        name = os.environ.get("KAM_COMPANY")
        return Letterhead.named(name) if name else Letterhead()
    logo = blobs.load(connection, row.logo_sha256) if row.logo_sha256 else None
    return Letterhead(
        name=row.name,
        short_name=row.short_name or "",
        department=row.department or "",
        address=row.address or "",
        phone=row.phone or "",
        website=row.website or "",
        logo=logo,
        logo_type=row.logo_type or "" if logo else "",
        is_default=False,
    )


def show(connection: Connection, lang: str = "zh") -> dict[str, Any]:
    """`kam company show`: every setting, where the letterhead comes from, the logo (type, size, sha256)."""
    row = stored_company(connection)
    head = letterhead(connection)
    out: dict[str, Any] = {"source": letterhead_source(connection)}
    for column, *_ in SETTINGS:
        out[column] = getattr(head, column) or None
    out["logo"] = (
        {"type": row.logo_type, "size": len(head.logo or b""), "sha256": row.logo_sha256}
        if row is not None and row.logo_sha256
        else None
    )
    out["updated_by"] = row.updated_by if row is not None else None
    out["updated_at"] = row.updated_at if row is not None else None
    out["history"] = [
        {"seq": r.seq, "at": r.at, "actor": r.actor, "action": r.action, "changes": (r.detail or {}).get("changes")}
        for r in ledger.chains(connection).get(("company", 1), [])
    ]
    return out
